"""AFM: a factorization machine whose pairs are weighted by attention."""

from __future__ import annotations

from tfrank.layers.interaction.afm_interaction import AFMInteraction
from tfrank.layers.interaction.field_pairs import field_pairs
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    l2_regularizer,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.fm_initializable import FMInitializable
from tfrank.models.ranking_model import RankingModel
from tfrank.optimizers.lazy_adam import adam_for
from tfrank.registration import register_model


@register_model(
    "afm",
    summary=(
        "FM's pairs weighted by attention; `attention_weights` returns the per-pair weights; "
        "optionally started from a trained FM (`AFM.from_fm`)"
    ),
    paper="Xiao et al. 2017",
)
class AFM(FMInitializable, RankingModel):
    """Attentional Factorization Machine.

        p = sigmoid(b + sum_f w_f + p^T sum_{i<j} a_ij (v_i ⊙ v_j))
        a_ij = softmax_{pairs}(h^T relu(W (v_i ⊙ v_j) + c))

    The attention weights `a_ij` say which field pairs matter for an
    example: `attention_weights(features)` returns them, and
    `field_pair_names` names their columns.

    As in the paper, the embeddings and first order can start from a
    trained FM: `AFM.from_fm(fm)`, or `tfrank train --model afm` with
    `--config pretrain_fm: true` (or `fm_model_dir: DIR`); see
    `FMInitializable`. The first order covers the categorical and numeric
    features; `use_crossed=True` adds the spec's hashed crossed features.

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        attention_units: int. Attention MLP width `t`. Defaults to `16`.
        dropout: float. Dropout on the pooled pairs. Defaults to `0.0`.
        attention_l2: float. L2 on the attention kernel (the paper's λ).
            Defaults to `0.0`.
        use_crossed: bool. First-order weights for the spec's crossed
            features too. Defaults to `False`.

    Example:

    >>> from keras import ops
    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = AFM(spec, attention_units=4)
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)
    >>> weights = model.attention_weights(spec.frame_to_arrays(frame.head(4)))
    >>> tuple(weights.shape)                          # [batch, n_pairs]: 16 fields, 120 pairs
    (4, 120)
    >>> [round(float(total), 4) for total in ops.sum(weights, axis=1)]
    [1.0, 1.0, 1.0, 1.0]
    >>> model.field_pair_names[:2]
    [('user_id', 'c1'), ('user_id', 'c2')]

    References:
        - [Xiao et al., 2017](https://arxiv.org/abs/1708.04617)
    """

    def __init__(
        self,
        feature_spec,
        attention_units=16,
        dropout=0.0,
        attention_l2=0.0,
        use_crossed=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        pairs = AFMInteraction(
            attention_units,
            dropout=dropout,
            kernel_regularizer=l2_regularizer(attention_l2),
            name="afm_interaction",
        )(field_embeddings(spec, transformed))
        logit = linear_logit(spec, transformed, include_crossed=use_crossed) + pairs
        config = dict(
            attention_units=int(attention_units),
            dropout=float(dropout),
            attention_l2=float(attention_l2),
            use_crossed=bool(use_crossed),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)

    def default_optimizer(self):
        return adam_for(self.feature_spec, learning_rate=3e-3)

    def attention_weights(self, features):
        """`[batch, n_pairs]` attention weights of each field pair (rows sum to 1)."""
        embeddings = self.embed_fields(features)
        return self.get_layer("afm_interaction").attention(embeddings)

    @property
    def field_pair_names(self) -> list[tuple[str, str]]:
        """`(field_i, field_j)` for each column of `attention_weights`."""
        names = self.field_names
        rows, cols = field_pairs(len(names))
        return [(names[i], names[j]) for i, j in zip(rows, cols)]
