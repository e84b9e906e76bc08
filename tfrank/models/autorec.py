"""AutoRec: item- or user-based autoencoder collaborative filtering."""

from __future__ import annotations

import keras
import numpy as np

from tfrank.layers.collaborative.autorec_layer import AutoRecLayer
from tfrank.models.building_blocks import as_feature_spec, l2_regularizer
from tfrank.models.rating_model import RatingModel, collect_batches
from tfrank.models.user_item import user_item_inputs
from tfrank.registration import register_model

_KINDS = ("item", "user")


@register_model(
    "autorec",
    summary=(
        "autoencoder over an item's (I-AutoRec) or a user's (U-AutoRec) observed ratings,"
        " stored in the model"
    ),
    paper="Sedhain et al. 2015",
)
class AutoRec(RatingModel):
    """Rating prediction by reconstructing rows of the rating matrix.

    I-AutoRec (`kind="item"`) encodes item `i`'s vector of ratings by all
    users, U-AutoRec (`kind="user"`) user `u`'s ratings of all items:

        r_hat(u, i) = (W g(V r_i + mu) + b)_u + m      (item-based)

    `g` sigmoid, identity output offset by the training mean `m`. The
    objective is the paper's: each observed rating reconstructed from its
    whole input vector, squared error on observed ratings only, L2 on `V`
    and `W`:

        sum_{(u, i) observed} (r_ui - r_hat(u, i))^2 + (lambda / 2) (||W||^2 + ||V||^2)

    The inputs are training rows `(user, item, rating)`; a batch's loss is
    their mean squared error plus `l2 (||W||^2 + ||V||^2)`, the paper's
    objective divided by the `N` training ratings for `lambda = 2 N l2`.
    A user or item with no training rating (either side of the matrix)
    predicts `default_rating`. The observed training ratings live inside
    the model (see `AutoRecLayer`), so the exported signature takes
    `(user_id, item_id)` and returns `{"rating": ...}`. `tfrank train
    --model autorec` fills them from the training rows
    (`AutoRec.for_training`); in Python call `model.set_ratings(frame)`
    before fitting.

    Args:
        feature_spec: fitted `FeatureSpec` holding exactly `user_feature` and
            `item_feature`.
        kind: str. `"item"` (I-AutoRec, the paper's best) or `"user"`.
        hidden_units: int. Defaults to `500`.
        l2: float. L2 penalty on `V` and `W` (per mean-squared-error
            batch). Defaults to `1e-3` (best on ML-100K u1's validation
            rows among 1e-4..1e-1).
        global_mean: float. `m`; `tfrank train` sets it from the training
            ratings. Defaults to `3.5`.
        default_rating: float. Prediction for a user or an item with no
            training rating (the paper's 3 on a 1-5 scale). Defaults to
            `3.0`.
        rating_range: `(low, high)` inference clip. Defaults to `(1.0, 5.0)`.
        mask_target: bool. Hide the fitted rating from its own input row in
            training, a denoising variant the paper does not use
            (benchmarks/README.md, "AutoRec on MovieLens-100K", compares it
            with the paper's objective). Defaults to `False`.
        user_feature, item_feature: str. Defaults to `"user_id"`, `"item_id"`.

    Example:

    >>> import pandas as pd
    >>> from tfrank.data import SyntheticCF, movielens_feature_spec
    >>> frame = SyntheticCF(num_users=40, num_items=30, interactions=10, seed=0).ratings_frame()
    >>> spec = movielens_feature_spec(embedding_dim=4).fit(frame)
    >>> model = AutoRec(spec, kind="item", hidden_units=8)
    >>> model.set_ratings(frame)                   # user_id, item_id, rating
    >>> model.compile()
    >>> history = model.fit(frame, epochs=1, batch_size=128, verbose=0)   # label: "rating"
    >>> sorted(history.history)
    ['loss', 'rmse']
    >>> unseen = pd.DataFrame({"user_id": [0], "item_id": [999]})   # an item nobody rated
    >>> model.predict(unseen, verbose=0).tolist()  # default_rating
    [[3.0]]
    >>> new_user = pd.DataFrame({"user_id": [999], "item_id": [0]})   # a user with no rating
    >>> model.predict(new_user, verbose=0).tolist()
    [[3.0]]

    References:
        - [Sedhain et al., 2015](https://doi.org/10.1145/2740908.2742726)
    """

    def __init__(
        self,
        feature_spec,
        kind="item",
        hidden_units=500,
        l2=1e-3,
        global_mean=3.5,
        default_rating=3.0,
        rating_range=(1.0, 5.0),
        mask_target=False,
        user_feature="user_id",
        item_feature="item_id",
        **kwargs,
    ):
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}. Received: {kind!r}")
        spec = as_feature_spec(feature_spec)
        inputs, ids = user_item_inputs(spec, user_feature, item_feature)
        sizes = {f.name: f.vocabulary_size for f in spec.categorical}
        row, column = (
            (item_feature, user_feature) if kind == "item" else (user_feature, item_feature)
        )
        layer = AutoRecLayer(
            sizes[row], sizes[column], hidden_units, kernel_regularizer=l2_regularizer(l2),
            global_mean=global_mean, default_rating=default_rating, rating_range=rating_range,
            mask_target=mask_target, name="autorec",
        )  # fmt: skip
        rating = keras.layers.Identity(name="rating")(layer(ids[row], ids[column]))
        config = dict(
            kind=kind,
            hidden_units=int(hidden_units),
            l2=float(l2),
            global_mean=float(global_mean),
            default_rating=float(default_rating),
            rating_range=[float(v) for v in rating_range] if rating_range else None,
            mask_target=bool(mask_target),
            user_feature=user_feature,
            item_feature=item_feature,
        )
        super().__init__(inputs, rating, spec, config=config, **kwargs)

    def default_optimizer(self):
        # 3e-4: chosen on ML-100K u1's validation rows (benchmarks/README.md,
        # "AutoRec on MovieLens-100K").
        return keras.optimizers.Adam(learning_rate=3e-4)

    def set_ratings(self, frame, label="rating"):
        """Stores the observed ratings of `frame` (raw `user_id`, `item_id`,
        `label` columns) as the matrix the autoencoder reads."""
        self.set_ratings_from_arrays(
            {k: frame[k].to_numpy() for k in (self.user_feature, self.item_feature)},
            frame[label].to_numpy(),
        )

    def set_ratings_from_arrays(self, features, ratings):
        ids = self.get_layer("features")(features)["ids"]
        users = np.asarray(ids[self.user_feature])
        items = np.asarray(ids[self.item_feature])
        rows, columns = (items, users) if self.kind == "item" else (users, items)
        self.get_layer("autorec").set_ratings(rows, columns, ratings)

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """An AutoRec holding the ratings of `train_data` (`(features, rating)`
        batches), with `global_mean` their mean unless the config sets it."""
        config = dict(config or {})
        if train_data is None:
            return cls(feature_spec, **config)
        features, ratings = collect_batches(train_data)
        config.setdefault("global_mean", float(ratings.mean()))
        model = cls(feature_spec, **config)
        model.set_ratings_from_arrays(features, ratings)
        return model
