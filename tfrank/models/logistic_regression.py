"""LogisticRegression: the first-order baseline every interaction model must beat."""

from __future__ import annotations

from tfrank.models.ranking_model import (
    RankingModel,
    as_feature_spec,
    l2_regularizer,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.optimizers.lazy_adam import adam_for
from tfrank.registry import register_model


@register_model("logistic_regression")
class LogisticRegression(RankingModel):
    """Logistic regression over every feature: no interactions at all.

        p = sigmoid(b + sum_f w_f[id_f] + sum_j u_j x_j)

    Crossed features of the spec are included, so this is also the wide
    part of Wide & Deep on its own.

    Args:
        feature_spec: fitted `FeatureSpec` (or its config).
        l2: float. L2 penalty on the weights. Defaults to `0.0`.

    Example:

    >>> model = LogisticRegression(spec)
    >>> model.compile()
    >>> model.fit(train_dataset, epochs=2)
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
