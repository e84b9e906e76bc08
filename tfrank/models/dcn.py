"""DCN: a cross network and a deep network side by side."""

from __future__ import annotations

from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.cross_layer import CrossLayer
from tfrank.models.building_blocks import (
    as_feature_spec,
    flat_embeddings,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "dcn",
    summary="rank-one cross layers x₀(x_lᵀw_l) + b_l + x_l beside an MLP",
    paper="Wang et al. 2017",
)
class DCN(RankingModel):
    """Deep & Cross Network: explicit bounded-degree crosses plus an MLP.

        x_0 = [e_1; ...; e_n; x_num]
        x_{l+1} = x_0 (x_l^T w_l) + b_l + x_l            (L cross layers)
        p = sigmoid(w^T [x_L; MLP(x_0)] + b)

    A cross network of `L` layers models feature interactions up to degree
    `L + 1` with `O(d)` weights per layer.

    Args:
        feature_spec: fitted `FeatureSpec` (embedding widths may differ).
        num_cross_layers: int. Defaults to `3`.
        hidden_units: list of int. Deep network widths. Defaults to `(256, 256)`.
        dropout: float. Defaults to `0.0`.
        batch_norm: bool. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = DCN(spec, num_cross_layers=2, hidden_units=[8])
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)
    >>> [layer.name for layer in model.layers if layer.name.startswith("cross")]
    ['cross_0', 'cross_1']

    References:
        - [Wang et al., 2017](https://arxiv.org/abs/1708.05123)
    """

    def __init__(
        self,
        feature_spec,
        num_cross_layers=3,
        hidden_units=(256, 256),
        dropout=0.0,
        batch_norm=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        x0 = flat_embeddings(spec, transform_features(spec, inputs))
        x = x0
        for i in range(num_cross_layers):
            x = CrossLayer(kind="v1", name=f"cross_{i}")(x0, x)
        deep = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(x0)
        logit = logit_layer(ops.concatenate([x, deep], axis=-1))
        config = dict(
            num_cross_layers=int(num_cross_layers),
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
