"""DIN: Deep Interest Network."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.sequence.attention_pooling import AttentionPooling
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
    "din",
    summary=(
        "history pooled by an attention unit over [e_i, e_c, e_i ⊙ e_c, e_i − e_c] (Dice "
        "or PReLU); mini-batch-aware L2"
    ),
    paper="Zhou et al. 2018",
)
class DIN(BehaviourModel):
    """Deep Interest Network: the history pooled by relevance to the candidate.

        v_U(c) = sum_i a(e_i, e_c) e_i                  (AttentionPooling)
        p = sigmoid(MLP([profile; candidate; context; v_U(c)]))

    `e_i` concatenates a behaviour's embeddings (item, category, ...: the
    sequences of one history), `e_c` the candidate's embeddings of the
    features they share; the weights `a` are not normalized (the paper's
    choice; `normalize_attention=True` for a softmax). The MLP uses Dice or
    PReLU. Each history of the spec gets its own attention unit.
    `attention_weights(features)` returns the weights per behaviour.

    Args:
        feature_spec: fitted `FeatureSpec` with at least one history.
        attention_units: list of int. Attention MLP. Defaults to `(80, 40)`.
        attention_activation: `"dice"`, `"prelu"` or an activation name.
            Defaults to `"dice"`.
        hidden_units: list of int. Defaults to `(200, 80)`.
        activation: of the MLP, as above. Defaults to `"dice"`.
        normalize_attention: bool. Defaults to `False`.
        mba_l2: float. Mini-batch-aware L2 on the embeddings (see
            `EmbeddingBank`); `for_training` sets the id frequencies from
            the training data. Defaults to `0.0`.
        dropout: float. In the MLP. Defaults to `0.0`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> model = DIN(spec, attention_units=[4], hidden_units=[8], activation="prelu")
    >>> model.predict(test.head(4), verbose=0).shape
    (4, 1)
    >>> rows = train.iloc[[0, 300]]
    >>> rows["history_items"].map(len).tolist()
    [1, 8]
    >>> weights = model.attention_weights(spec.frame_to_arrays(rows))   # [batch, steps]
    >>> tuple(weights.shape), ops.convert_to_numpy(weights[0, 1:]).tolist()   # 0 on padding
    ((2, 8), [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])

    References:
        - [Zhou et al., 2018](https://arxiv.org/abs/1706.06978)
    """

    def __init__(
        self,
        feature_spec,
        attention_units=(80, 40),
        attention_activation="dice",
        hidden_units=(200, 80),
        activation="dice",
        normalize_attention=False,
        mba_l2=0.0,
        dropout=0.0,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs, transformed, embedded = behaviour_inputs(spec, mba_l2)
        parts = [profile_vector(spec, transformed, embedded)]
        for group in history_groups(spec):
            query, keys, mask = query_keys_mask(spec, transformed, embedded, group)
            pooling = AttentionPooling(
                attention_units, attention_activation, normalize=normalize_attention,
                name=f"attention_{group[0]}",
            )  # fmt: skip
            parts.append(pooling(query, keys, mask=mask))
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        config = dict(
            attention_units=[int(u) for u in attention_units],
            attention_activation=attention_activation,
            hidden_units=[int(u) for u in hidden_units],
            activation=activation,
            normalize_attention=bool(normalize_attention),
            mba_l2=float(mba_l2),
            dropout=float(dropout),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)

    def attention_weights(self, features, history=None):
        """`[batch, steps]` weight of each behaviour of `history` (default:
        the first) for each row's candidate; padding weighs 0. Steps are the
        kept (most recent) behaviours, oldest first."""
        spec = self.feature_spec
        groups = dict(history_groups(spec))
        primary = history or next(iter(groups))
        transformed = self.get_layer("features")(features)
        embedded = self.embed(transformed)
        query, keys, mask = query_keys_mask(spec, transformed, embedded, (primary, groups[primary]))
        pooling = self.get_layer(f"attention_{primary}")
        return pooling(query, keys, mask=mask, return_weights=True)[1]
