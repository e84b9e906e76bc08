"""DeepFM: an FM and an MLP over one shared embedding layer."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.fm_interaction import FMInteraction
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    l2_regularizer,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "deepfm",
    summary="FM and an MLP (400-400-400) sharing one embedding table",
    paper="Guo et al. 2017",
)
class DeepFM(RankingModel):
    """DeepFM: low- and high-order interactions from shared embeddings.

        p = sigmoid(y_FM + y_DNN)
        y_FM  = b + sum_f w_f + sum_{i<j} <v_i, v_j>
        y_DNN = w^T MLP([v_1; v_2; ...; v_n]) + c

    The FM and the MLP read the same field embeddings `v_i` (no
    pre-training, unlike FNN), and are trained jointly. As in the paper, the
    first order covers the categorical and numeric features;
    `use_crossed=True` adds the spec's hashed crossed features to it.

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        hidden_units: list of int. MLP widths. Defaults to `(400, 400, 400)`.
        dropout: float. Dropout after each MLP layer. Defaults to `0.0`.
        batch_norm: bool. Batch norm in the MLP. Defaults to `False`.
        embedding_l2: float. L2 penalty on the embeddings. Defaults to `0.0`.
        use_crossed: bool. First-order weights for the spec's crossed
            features too. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = DeepFM(spec, hidden_units=[8])
    >>> model.compile()
    >>> history = model.fit(frame, epochs=1, batch_size=256, verbose=0)   # label: "label"
    >>> sorted(history.history)
    ['auc', 'loss']
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Guo et al., 2017](https://arxiv.org/abs/1703.04247)
    """

    def __init__(
        self,
        feature_spec,
        hidden_units=(400, 400, 400),
        dropout=0.0,
        batch_norm=False,
        embedding_l2=0.0,
        use_crossed=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        regularizer = l2_regularizer(embedding_l2)
        embeddings = field_embeddings(spec, transformed, regularizer)
        linear = linear_logit(spec, transformed, include_crossed=use_crossed)
        fm = FMInteraction(name="fm_interaction")(embeddings)
        flat = ops.reshape(embeddings, (-1, embeddings.shape[1] * embeddings.shape[2]))
        hidden = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(flat)
        deep = keras.layers.Dense(1, name="deep_logit")(hidden)
        logit = linear + fm + deep
        config = dict(
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
            embedding_l2=float(embedding_l2),
            use_crossed=bool(use_crossed),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
