"""Deep Crossing: stacked embeddings through residual units."""

from __future__ import annotations

from tfrank.layers.core.residual_unit import ResidualUnit
from tfrank.models.ranking_model import (
    RankingModel,
    as_feature_spec,
    flat_embeddings,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.registry import register_model


@register_model("deep_crossing")
class DeepCrossing(RankingModel):
    """Deep Crossing: embedding, stacking, residual units, scoring.

        x_0 = [e_1; ...; e_n; x_num]
        x_{l+1} = relu(x_l + W_1 relu(W_0 x_l + b_0) + b_1)    (residual units)
        p = sigmoid(w^T x_L + b)

    Args:
        feature_spec: fitted `FeatureSpec` (embedding widths may differ).
        residual_units: list of int. Inner width of each residual unit.
            Defaults to `(400, 400, 400)`.
        dropout: float. Dropout after each unit. Defaults to `0.0`.

    Example:

    >>> model = DeepCrossing(spec, residual_units=[256, 256])
    >>> model.compile()

    References:
        - [Shan et al., 2016](https://www.kdd.org/kdd2016/papers/files/adf0975-shanA.pdf)
    """

    small_config = {"residual_units": [8, 8]}

    def __init__(self, feature_spec, residual_units=(400, 400, 400), dropout=0.0, **kwargs):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        x = flat_embeddings(spec, transform_features(spec, inputs))
        for i, units in enumerate(residual_units):
            x = ResidualUnit(units, dropout=dropout, name=f"residual_{i}")(x)
        config = dict(
            residual_units=[int(u) for u in residual_units],
            dropout=float(dropout),
        )
        super().__init__(inputs, probability(logit_layer(x)), spec, config=config, **kwargs)
