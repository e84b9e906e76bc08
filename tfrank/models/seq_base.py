"""The behaviour models' base model: mean-pooled history and an MLP."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.sequence.sequence_pooling import SequencePooling
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
    "seq_base",
    summary=(
        "behaviour history mean-pooled beside the profile and the candidate, MLP with "
        "PReLU (DIN's base model)"
    ),
    paper="Zhou et al. 2018",
)
class SeqBase(BehaviourModel):
    """Embedding & MLP over a pooled history (DIN paper's BaseModel).

        v_U = (1 / |H|) sum_{i in H} e_i
        p = sigmoid(MLP([profile; candidate; context; v_U]))

    The same embeddings as `din` (`e_i` concatenates a behaviour's item,
    category, ... embeddings), the history pooled without looking at the
    candidate: what DIN's attention improves on. An empty history pools to
    zeros.

    Args:
        feature_spec: fitted `FeatureSpec` with at least one history.
        hidden_units: list of int. Defaults to `(200, 80)`.
        activation: `"prelu"`, `"dice"` or an activation name. Defaults to
            `"prelu"`.
        pooling: `"mean"`, `"sum"` or `"max"`. Defaults to `"mean"`.
        mba_l2: float. Mini-batch-aware L2 (see `DIN`). Defaults to `0.0`.
        dropout: float. Defaults to `0.0`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> model = SeqBase(spec, hidden_units=[8])
    >>> model.get_layer("pool_history_items").output.shape   # v_U: item and category, 4 + 4
    (None, 8)
    >>> model.predict(test.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Zhou et al., 2018](https://arxiv.org/abs/1706.06978), section 4.2
    """

    def __init__(
        self,
        feature_spec,
        hidden_units=(200, 80),
        activation="prelu",
        pooling="mean",
        mba_l2=0.0,
        dropout=0.0,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs, transformed, embedded = behaviour_inputs(spec, mba_l2)
        parts = [profile_vector(spec, transformed, embedded)]
        for group in history_groups(spec):
            _, keys, mask = query_keys_mask(spec, transformed, embedded, group)
            parts.append(SequencePooling(pooling, name=f"pool_{group[0]}")(keys, mask=mask))
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        config = dict(
            hidden_units=[int(u) for u in hidden_units],
            activation=activation,
            pooling=pooling,
            mba_l2=float(mba_l2),
            dropout=float(dropout),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
