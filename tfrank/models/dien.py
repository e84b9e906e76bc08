"""DIEN: Deep Interest Evolution Network."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.sequence.attention_pooling import AttentionPooling
from tfrank.layers.sequence.augru_cell import AUGRUCell
from tfrank.layers.sequence.auxiliary_interest_loss import AuxiliaryInterestLoss
from tfrank.models.behaviour import (
    activation_tower,
    behaviour_inputs,
    history_groups,
    profile_vector,
    query_keys_mask,
)
from tfrank.models.behaviour_model import BehaviourModel
from tfrank.models.building_blocks import as_feature_spec, probability
from tfrank.registration import register_model


@register_model(
    "dien",
    summary=(
        "GRU interest extractor with an auxiliary loss, AUGRU interest evolution driven "
        "by attention"
    ),
    paper="Zhou et al. 2019",
)
class DIEN(BehaviourModel):
    """Deep Interest Evolution Network: interests extracted, then evolved
    toward the candidate.

        h_t  = GRU(e_t, h_{t-1})                       interest extractor
        L    = L_target + alpha * L_aux(h_t, e_{t+1})  (AuxiliaryInterestLoss)
        a_t  = attention(h_t, e_c)                     DIN's unit, softmax over t
        h'_t = AUGRU([h_t, a_t], h'_{t-1})             interest evolution
        p    = sigmoid(MLP([profile; candidate; context; h'_T]))

    `e_t` concatenates a behaviour's embeddings and `e_c` the candidate's
    (as in `DIN`); the GRUs have that width, so states and candidate meet
    in the attention unit without a projection. Padded steps are skipped by
    both GRUs (the state carries through) and never enter `L_aux`. With
    `auxiliary_weight=0` the model is DIEN without the auxiliary loss.
    `attention_weights(features)` returns `a_t`.

    Args:
        feature_spec: fitted `FeatureSpec` with one history.
        auxiliary_weight: float. `alpha`. Defaults to `1.0`.
        auxiliary_units: list of int. The auxiliary net. Defaults to `(100, 50)`.
        attention_units: list of int. Defaults to `(80, 40)`.
        attention_activation: `"dice"`, `"prelu"` or an activation name.
            Defaults to `"dice"`.
        hidden_units: list of int. Defaults to `(200, 80)`.
        activation: of the MLP. Defaults to `"dice"`.
        mba_l2: float. Mini-batch-aware L2 (see `DIN`). Defaults to `0.0`.
        dropout: float. Defaults to `0.0`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> model = DIEN(spec, auxiliary_weight=1.0, auxiliary_units=[4], attention_units=[4],
    ...              hidden_units=[8])
    >>> features = spec.frame_to_arrays(test.head(4))
    >>> tuple(model(features, training=True).shape), len(model.losses)   # + alpha * L_aux
    ((4, 1), 1)
    >>> weights = model.attention_weights(features)         # a_t: [batch, steps]
    >>> tuple(weights.shape), [round(float(total), 4) for total in ops.sum(weights, axis=1)]
    ((4, 8), [1.0, 1.0, 1.0, 1.0])

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672)
    """

    def __init__(
        self,
        feature_spec,
        auxiliary_weight=1.0,
        auxiliary_units=(100, 50),
        attention_units=(80, 40),
        attention_activation="dice",
        hidden_units=(200, 80),
        activation="dice",
        mba_l2=0.0,
        dropout=0.0,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        groups = history_groups(spec)
        if len(groups) > 1:
            raise ValueError(
                f"DIEN evolves one history; the spec has {[g[0] for g in groups]}. "
                "Use DIN for several, or merge them."
            )
        inputs, transformed, embedded = behaviour_inputs(spec, mba_l2)
        query, keys, mask = query_keys_mask(spec, transformed, embedded, groups[0])
        width = keys.shape[-1]
        states = keras.layers.GRU(width, return_sequences=True, name="interest_extractor")(
            keys, mask=mask
        )
        states = AuxiliaryInterestLoss(auxiliary_units, auxiliary_weight, name="auxiliary_loss")(
            states, keys, mask
        )
        attention = AttentionPooling(
            attention_units, attention_activation, normalize=True, name="attention"
        )
        _, scores = attention(query, states, mask=mask, return_weights=True)
        steps = ops.concatenate([states, ops.expand_dims(scores, -1)], axis=-1)
        evolved = keras.layers.RNN(AUGRUCell(width), name="interest_evolution")(steps, mask=mask)
        parts = [profile_vector(spec, transformed, embedded), evolved]
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        config = dict(
            auxiliary_weight=float(auxiliary_weight),
            auxiliary_units=[int(u) for u in auxiliary_units],
            attention_units=[int(u) for u in attention_units],
            attention_activation=attention_activation,
            hidden_units=[int(u) for u in hidden_units],
            activation=activation,
            mba_l2=float(mba_l2),
            dropout=float(dropout),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)

    def attention_weights(self, features):
        """`[batch, steps]` softmax weights of the interest states for each
        row's candidate (zero on padding), oldest step first."""
        spec = self.feature_spec
        transformed = self.get_layer("features")(features)
        embedded = self.embed(transformed)
        query, keys, mask = query_keys_mask(spec, transformed, embedded, history_groups(spec)[0])
        states = self.get_layer("interest_extractor")(keys, mask=mask)
        return self.get_layer("attention")(query, states, mask=mask, return_weights=True)[1]
