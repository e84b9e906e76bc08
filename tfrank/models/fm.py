"""FM: the factorization machine."""

from __future__ import annotations

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
from tfrank.optimizers.lazy_adam import adam_for
from tfrank.registration import register_model


@register_model(
    "fm",
    summary="first order plus every pairwise factorized cross Σ_{i<j} ⟨v_i, v_j⟩, in O(nk)",
    paper="Rendle 2010",
)
class FM(RankingModel):
    """Factorization machine: first order plus every pairwise factorized cross.

        p = sigmoid(b + sum_f w_f + sum_{i<j} <v_i, v_j>)

    with `v_i` the embedding of field `i` (for a numeric field `x_i v_i`);
    the pairwise sum is computed in O(n k) by `FMInteraction`. The first
    order `sum_f w_f` covers the categorical and numeric features, as in
    Rendle's FM; `use_crossed=True` adds weights for the spec's hashed
    crossed features (a wide part the paper does not have).

    Args:
        feature_spec: fitted `FeatureSpec`; all fields must share one
            `embedding_dim`.
        embedding_l2: float. L2 penalty on the embeddings. Defaults to `0.0`.
        use_crossed: bool. First-order weights for the spec's crossed
            features too. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = FM(spec)
    >>> model.compile()
    >>> history = model.fit(frame, epochs=1, batch_size=256, verbose=0)
    >>> sorted(history.history)
    ['auc', 'loss']
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Rendle, 2010](https://www.csie.ntu.edu.tw/~b97053/paper/Rendle2010FM.pdf)
    """

    def __init__(self, feature_spec, embedding_l2=0.0, use_crossed=False, **kwargs):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        regularizer = l2_regularizer(embedding_l2)
        embeddings = field_embeddings(spec, transformed, regularizer)
        linear = linear_logit(spec, transformed, include_crossed=use_crossed)
        logit = linear + FMInteraction(name="fm_interaction")(embeddings)
        config = dict(
            embedding_l2=float(embedding_l2),
            use_crossed=bool(use_crossed),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)

    def default_optimizer(self):
        return adam_for(self.feature_spec, learning_rate=3e-3)
