"""GMF: generalized matrix factorization (NCF)."""

from __future__ import annotations

from tfrank.models.implicit_model import ImplicitModel
from tfrank.models.ranking_model import as_feature_spec, l2_regularizer, probability
from tfrank.models.user_item import (
    prediction_layer,
    user_item_embeddings,
    user_item_inputs,
)
from tfrank.registry import register_model


@register_model("gmf")
class GMF(ImplicitModel):
    """Generalized matrix factorization: a learned weighting of the
    element-wise product of user and item embeddings.

        p(u, i) = sigmoid(w^T (p_u ⊙ q_i) + b)

    With `w = 1, b = 0` this is matrix factorization's inner product.
    Trained on implicit feedback (positives and sampled negatives) with
    binary cross-entropy; `tfrank train --model gmf` does the sampling and the
    leave-one-out HR@K / NDCG@K evaluation.

    Args:
        feature_spec: fitted `FeatureSpec` holding exactly `user_feature` and
            `item_feature`.
        factors: int. Embedding width (the predictive factors). Defaults to `8`.
        embedding_l2: float. L2 penalty on the embeddings. Defaults to `0.0`.
        optimizer_name, learning_rate: default optimizer of `compile()`.
            Defaults to Adam at `1e-3`, as in the paper.
        user_feature, item_feature: str. Defaults to `"user_id"`, `"item_id"`.

    Example:

    >>> model = GMF(spec, factors=64)
    >>> model.compile()
    >>> model.fit(NegativeSampler(data.train, data.items).dataset(spec), epochs=20)

    References:
        - [He et al., 2017](https://arxiv.org/abs/1708.05031)
    """

    small_config = {"factors": 4}

    def __init__(
        self,
        feature_spec,
        factors=8,
        embedding_l2=0.0,
        optimizer_name="adam",
        learning_rate=1e-3,
        user_feature="user_id",
        item_feature="item_id",
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs, ids = user_item_inputs(spec, user_feature, item_feature)
        p_u, q_i = user_item_embeddings(
            spec, ids, factors, "gmf_embeddings", user_feature, item_feature,
            l2_regularizer(embedding_l2),
        )  # fmt: skip
        logit = prediction_layer(p_u * q_i)
        config = dict(
            factors=int(factors),
            **self.shared_config(
                embedding_l2, optimizer_name, learning_rate, user_feature, item_feature
            ),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
