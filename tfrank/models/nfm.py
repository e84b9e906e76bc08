"""NFM: an MLP over Bi-Interaction pooled embeddings."""

from __future__ import annotations

import keras

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.bi_interaction_pooling import BiInteractionPooling
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    linear_logit,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "nfm",
    summary="MLP over Bi-Interaction pooling Σ_{i<j} v_i ⊙ v_j",
    paper="He & Chua 2017",
)
class NFM(RankingModel):
    """Neural Factorization Machine.

        p = sigmoid(b + sum_f w_f + h^T MLP(BN(f_BI(V))))
        f_BI(V) = sum_{i<j} v_i ⊙ v_j

    FM's pairwise term kept as a k-vector and passed through an MLP, which
    models interactions above second order.

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        hidden_units: list of int. Defaults to `(400, 400, 400)`.
        dropout: float. Dropout after pooling and each MLP layer. Defaults to `0.0`.
        batch_norm: bool. Batch norm on the pooled vector and in the MLP
            (the paper's BN). Defaults to `True`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = NFM(spec, hidden_units=[8])
    >>> model.get_layer("bi_interaction").output.shape   # f_BI(V): one k-vector
    (None, 4)
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [He and Chua, 2017](https://arxiv.org/abs/1708.05027)
    """

    def __init__(
        self, feature_spec, hidden_units=(400, 400, 400), dropout=0.0, batch_norm=True, **kwargs
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        pooled = BiInteractionPooling(name="bi_interaction")(field_embeddings(spec, transformed))
        if batch_norm:
            pooled = keras.layers.BatchNormalization(name="bi_interaction_bn")(pooled)
        if dropout:
            pooled = keras.layers.Dropout(dropout, name="bi_interaction_dropout")(pooled)
        hidden = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(pooled)
        logit = linear_logit(spec, transformed) + logit_layer(hidden, name="deep_logit")
        config = dict(
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
