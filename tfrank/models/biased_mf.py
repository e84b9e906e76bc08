"""Biased matrix factorization: the rating-prediction baseline."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.models.building_blocks import as_feature_spec, l2_regularizer
from tfrank.models.rating_model import RatingModel, collect_batches
from tfrank.models.user_item import user_item_embeddings, user_item_inputs
from tfrank.registration import register_model


@register_model(
    "biased_mf",
    summary="rating baseline μ + b_u + b_i + ⟨p_u, q_i⟩",
    paper="Koren et al. 2009",
)
class BiasedMF(RatingModel):
    """Matrix factorization with user and item biases.

        r_hat(u, i) = mu + b_u + b_i + <p_u, q_i>

    `mu` is the training mean (`global_mean`, fixed); biases and factors are
    learned with squared error and L2 (`l2` on factors and biases). Output
    `{"rating": ...}`, as `AutoRec`.

    Args:
        feature_spec: fitted `FeatureSpec` holding exactly `user_feature` and
            `item_feature`.
        factors: int. Defaults to `32`.
        l2: float. L2 penalty per mean-squared-error batch. Defaults to `1e-4`.
        global_mean: float. `mu`; `tfrank train` sets it from the training
            ratings. Defaults to `3.5`.
        user_feature, item_feature: str. Defaults to `"user_id"`, `"item_id"`.

    Example:

    >>> from tfrank.data import SyntheticCF, movielens_feature_spec
    >>> frame = SyntheticCF(num_users=40, num_items=30, interactions=10, seed=0).ratings_frame()
    >>> spec = movielens_feature_spec(embedding_dim=4).fit(frame)
    >>> model = BiasedMF(spec, factors=4, global_mean=frame["rating"].mean())
    >>> model.compile()                                  # squared error, RMSE
    >>> ratings = model.predict(frame.head(4), verbose=0)
    >>> ratings.shape, bool((abs(ratings - model.global_mean) < 0.1).all())   # mu at the start
    ((4, 1), True)

    References:
        - [Koren et al., 2009](https://doi.org/10.1109/MC.2009.263)
    """

    def __init__(
        self,
        feature_spec,
        factors=32,
        l2=1e-4,
        global_mean=3.5,
        user_feature="user_id",
        item_feature="item_id",
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs, ids = user_item_inputs(spec, user_feature, item_feature)
        regularizer = l2_regularizer(l2)
        p_u, q_i = user_item_embeddings(
            spec, ids, factors, "factors", user_feature, item_feature, regularizer
        )
        b_u, b_i = user_item_embeddings(
            spec, ids, 1, "biases", user_feature, item_feature, regularizer
        )
        score = ops.sum(p_u * q_i, axis=-1, keepdims=True) + b_u + b_i
        rating = keras.layers.Rescaling(1.0, offset=float(global_mean), name="rating")(score)
        config = dict(
            factors=int(factors),
            l2=float(l2),
            global_mean=float(global_mean),
            user_feature=user_feature,
            item_feature=item_feature,
        )
        super().__init__(inputs, rating, spec, config=config, **kwargs)

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """`global_mean` from the training ratings unless the config sets it."""
        config = dict(config or {})
        if train_data is not None and "global_mean" not in config:
            config["global_mean"] = float(collect_batches(train_data)[1].mean())
        return cls(feature_spec, **config)
