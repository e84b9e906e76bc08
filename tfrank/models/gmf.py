"""GMF: generalized matrix factorization (NCF)."""

from __future__ import annotations

from tfrank.models.building_blocks import as_feature_spec, l2_regularizer, probability
from tfrank.models.implicit_model import ImplicitModel
from tfrank.models.user_item import (
    prediction_layer,
    user_item_embeddings,
    user_item_inputs,
)
from tfrank.registration import register_model


@register_model(
    "gmf",
    summary="σ(hᵀ(p_u ⊙ q_i)) from user and item ids alone",
    paper="He et al. 2017",
)
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

    >>> from tfrank.data import NegativeSampler, SyntheticCF
    >>> cf = SyntheticCF(num_users=40, num_items=30, interactions=5, seed=0)
    >>> data = cf.implicit_feedback(num_negatives=10)     # leave-one-out
    >>> spec = data.feature_spec().fit(data.vocabulary_frame())
    >>> model = GMF(spec, factors=4)
    >>> model.compile()
    >>> pairs = NegativeSampler(data.train, data.items, num_negatives=1).dataset(spec)
    >>> _ = model.fit(pairs, epochs=1, verbose=0)
    >>> scores = model.score(data)       # each held-out item ranked against 10 others
    >>> scores["protocol"], scores["users"], sorted(k for k in scores if "@" in k)
    ('10 negatives', 40, ['hr@10', 'ndcg@10'])

    References:
        - [He et al., 2017](https://arxiv.org/abs/1708.05031)
    """

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
