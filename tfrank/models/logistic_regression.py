"""LogisticRegression: the first-order baseline every interaction model must beat."""

from __future__ import annotations

from tfrank.models.building_blocks import (
    as_feature_spec,
    l2_regularizer,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.optimizers.lazy_adam import adam_for
from tfrank.registration import register_model


@register_model(
    "logistic_regression",
    summary="first-order baseline: σ(b + Σ w_f[id_f] + Σ u_j x_j)",
)
class LogisticRegression(RankingModel):
    """Logistic regression over every feature: no interactions at all.

        p = sigmoid(b + sum_f w_f[id_f] + sum_j u_j x_j)

    Crossed features of the spec are included, so this is also the wide
    part of Wide & Deep on its own.

    Args:
        feature_spec: fitted `FeatureSpec` (or its config).
        l2: float. L2 penalty on the weights. Defaults to `0.0`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = LogisticRegression(spec)
    >>> model.predict(frame.head(2), verbose=0).tolist()   # weights start at 0: sigmoid(0)
    [[0.5], [0.5]]
    >>> tuple(model.get_layer("linear").id_weights.shape)   # 741 ids + 5 crosses x 10,000 buckets
    (50741, 1)
    """

    def __init__(self, feature_spec, l2=0.0, **kwargs):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        linear = linear_logit(spec, transformed, regularizer=l2_regularizer(l2))
        config = dict(
            l2=float(l2),
        )
        super().__init__(inputs, probability(linear), spec, config=config, **kwargs)

    def default_optimizer(self):
        return adam_for(self.feature_spec, learning_rate=3e-3)
