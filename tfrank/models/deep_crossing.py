"""Deep Crossing: stacked embeddings through residual units."""

from __future__ import annotations

from tfrank.layers.core.residual_unit import ResidualUnit
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
    "deep_crossing",
    summary="stacked embeddings through residual units",
    paper="Shan et al. 2016",
)
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

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = DeepCrossing(spec, residual_units=[8, 8])
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Shan et al., 2016](https://www.kdd.org/kdd2016/papers/files/adf0975-shanA.pdf)
    """

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
