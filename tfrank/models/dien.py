"""DIEN: Deep Interest Evolution Network."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.sequence.agru_cell import AGRUCell
from tfrank.layers.sequence.aigru_cell import AIGRUCell
from tfrank.layers.sequence.attention_pooling import AttentionPooling
from tfrank.layers.sequence.augru_cell import AUGRUCell
from tfrank.layers.sequence.auxiliary_interest_loss import NEGATIVES, AuxiliaryInterestLoss
from tfrank.layers.sequence.bilinear_attention import BilinearAttention
from tfrank.models.behaviour import (
    activation_tower,
    behaviour_bank,
    behaviour_ids,
    history_groups,
    profile_vector,
    query_keys_mask,
)
from tfrank.models.behaviour_model import BehaviourModel
from tfrank.models.building_blocks import (
    as_feature_spec,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.registration import register_model

# Interest evolution cells (Zhou et al., 2019, section 4.3), by `evolution`.
EVOLUTION_CELLS = {"augru": AUGRUCell, "agru": AGRUCell, "aigru": AIGRUCell}
ATTENTIONS = ("bilinear", "mlp")


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

        h_t  = GRU(e_t, h_{t-1})                        interest extractor
        L    = L_target + alpha * L_aux(h_t, e_{t+1}, e^-_{t+1})
        a_t  = exp(h_t W e_c) / sum_j exp(h_j W e_c)    attention (eq. 6)
        h'_t = AUGRU([h_t, a_t], h'_{t-1})              interest evolution
        p    = sigmoid(MLP([profile; candidate; context; h'_T]))

    `e_t` concatenates a behaviour's embeddings and `e_c` the candidate's
    (as in `DIN`); the GRUs have that width, so states and candidate meet
    in the attention without a projection. Padded steps are skipped by both
    GRUs (the state carries through), get no attention and never enter
    `L_aux`. `attention_weights(features)` returns `a_t`.

    The auxiliary loss (`AuxiliaryInterestLoss`) asks each state to tell the
    next behaviour `e_{t+1}` from a negative `e^-_{t+1}`: by default, as in
    the paper, an item drawn uniformly from the item vocabulary (never the
    clicked one), read from the shared embedding table, with the category
    that item has shown in the training histories so far (the feature spec
    holds no item-to-category table; draws whose category is not known yet
    are left out). The draws happen inside the training step and nowhere
    else: prediction and the exported model do not sample.
    `auxiliary_negatives="in_batch"` takes the next behaviour of the
    previous example in the batch instead. With `auxiliary_weight=0` the
    model is DIEN without the auxiliary loss.

    Options of the paper's section 4.3: `attention="mlp"` scores with DIN's
    MLP unit (`AttentionPooling`, softmax over the steps; DIEN's released
    code does this) instead of the bilinear form; `evolution="aigru"` feeds
    `a_t * h_t` to a plain GRU (`AIGRUCell`) and `evolution="agru"` uses
    `a_t` as the update gate (`AGRUCell`).

    Args:
        feature_spec: fitted `FeatureSpec` with one history.
        auxiliary_weight: float. `alpha`. Defaults to `1.0`.
        auxiliary_units: list of int. The auxiliary net. Defaults to `(100, 50)`.
        auxiliary_negatives: `"sampled"` or `"in_batch"`. Defaults to
            `"sampled"`.
        attention: `"bilinear"` or `"mlp"`. Defaults to `"bilinear"`.
        attention_units: list of int. Of the `"mlp"` attention. Defaults to
            `(80, 40)`.
        attention_activation: of the `"mlp"` attention: `"dice"`, `"prelu"`
            or an activation name. Defaults to `"dice"`.
        evolution: `"augru"`, `"agru"` or `"aigru"`. Defaults to `"augru"`.
        hidden_units: list of int. Defaults to `(200, 80)`.
        activation: of the MLP. Defaults to `"dice"`.
        mba_l2: float. Mini-batch-aware L2 (see `DIN`). Defaults to `0.0`.
        dropout: float. Defaults to `0.0`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> model = DIEN(spec, auxiliary_weight=1.0, auxiliary_units=[4], hidden_units=[8])
    >>> features = spec.frame_to_arrays(test.head(4))
    >>> tuple(model(features, training=True).shape), len(model.losses)   # + alpha * L_aux
    ((4, 1), 1)
    >>> weights = model.attention_weights(features)         # a_t: [batch, steps]
    >>> tuple(weights.shape), [round(float(total), 4) for total in ops.sum(weights, axis=1)]
    ((4, 8), [1.0, 1.0, 1.0, 1.0])
    >>> variant = DIEN(spec, attention="mlp", attention_units=[4], evolution="agru",
    ...                auxiliary_negatives="in_batch", auxiliary_units=[4], hidden_units=[8])
    >>> type(variant.get_layer("interest_evolution").cell).__name__
    'AGRUCell'

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672)
    """

    def __init__(
        self,
        feature_spec,
        auxiliary_weight=1.0,
        auxiliary_units=(100, 50),
        auxiliary_negatives="sampled",
        attention="bilinear",
        attention_units=(80, 40),
        attention_activation="dice",
        evolution="augru",
        hidden_units=(200, 80),
        activation="dice",
        mba_l2=0.0,
        dropout=0.0,
        **kwargs,
    ):
        _check_choice("auxiliary_negatives", auxiliary_negatives, NEGATIVES)
        _check_choice("attention", attention, ATTENTIONS)
        _check_choice("evolution", evolution, tuple(EVOLUTION_CELLS))
        spec = as_feature_spec(feature_spec)
        groups = history_groups(spec)
        if len(groups) > 1:
            raise ValueError(
                f"DIEN evolves one history; the spec has {[g[0] for g in groups]}. "
                "Use DIN for several, or merge them."
            )
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        bank = behaviour_bank(spec, mba_l2)
        embedded = bank(*behaviour_ids(spec, transformed))
        query, keys, mask = query_keys_mask(spec, transformed, embedded, groups[0])
        width = keys.shape[-1]
        states = keras.layers.GRU(width, return_sequences=True, name="interest_extractor")(
            keys, mask=mask
        )
        states = _auxiliary_loss(
            spec, groups[0][1], transformed, bank, states, keys, mask,
            auxiliary_units, auxiliary_weight, auxiliary_negatives,
        )  # fmt: skip
        if attention == "bilinear":
            scorer = BilinearAttention(name="attention")
        else:
            scorer = AttentionPooling(
                attention_units, attention_activation, normalize=True, name="attention"
            )
        _, scores = scorer(query, states, mask=mask, return_weights=True)
        steps = ops.concatenate([states, ops.expand_dims(scores, -1)], axis=-1)
        cell = EVOLUTION_CELLS[evolution](width)
        evolved = keras.layers.RNN(cell, name="interest_evolution")(steps, mask=mask)
        parts = [profile_vector(spec, transformed, embedded), evolved]
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        config = dict(
            auxiliary_weight=float(auxiliary_weight),
            auxiliary_units=[int(u) for u in auxiliary_units],
            auxiliary_negatives=auxiliary_negatives,
            attention=attention,
            attention_units=[int(u) for u in attention_units],
            attention_activation=attention_activation,
            evolution=evolution,
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


def _auxiliary_loss(spec, members, transformed, bank, states, keys, mask, units, weight,
                    negatives):  # fmt: skip
    """The `AuxiliaryInterestLoss` node; sampled negatives read the item
    (then category) ids of the history and the bank's tables."""
    if negatives == "in_batch":
        layer = AuxiliaryInterestLoss(units, weight, negatives, name="auxiliary_loss")
        return layer(states, keys, mask)
    owners = [spec[spec.owner_of(m)] for m in members]
    layer = AuxiliaryInterestLoss(
        units, weight, negatives, id_range=item_id_range(owners[0]),
        offsets=[int(o) for o in bank.offsets(members)], name="auxiliary_loss",
    )  # fmt: skip
    ids = [transformed["sequences"][m] for m in members]
    tables = [bank.tables[str(f.embedding_dim)] for f in owners]
    return layer(states, keys, mask, ids=ids, tables=tables)


def item_id_range(feature) -> tuple[int, int]:
    """`(low, high)`: the ids of a fitted categorical feature's real values,
    out-of-vocabulary ids left out."""
    if feature.hash_buckets is not None:
        return 0, feature.hash_buckets
    if feature.num_ids is not None:
        return 0, feature.num_ids
    return feature.num_oov_buckets, feature.vocabulary_size


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"DIEN's {name} must be one of {choices}. Received: {value!r}")
