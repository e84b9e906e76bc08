"""SIM: Search-based Interest Model for long behaviour histories."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.preprocessing.feature_transform import FeatureTransform
from tfrank.layers.sequence.attention_pooling import AttentionPooling
from tfrank.layers.sequence.behaviour_search import BehaviourSearch
from tfrank.models.behaviour import (
    activation_tower,
    behaviour_bank_features,
    history_groups,
    profile_vector,
    query_keys_mask,
)
from tfrank.models.behaviour_model import BehaviourModel
from tfrank.models.building_blocks import as_feature_spec, make_inputs, probability
from tfrank.registration import register_model


@register_model(
    "sim",
    summary=(
        "search over the whole history (hard: the candidate's category; soft: top-K "
        "similarity), exact attention on what it finds, beside DIN over the latest "
        "behaviours"
    ),
    paper="Pi et al. 2020",
)
class SIM(BehaviourModel):
    """Search-based Interest Model: retrieve from the whole history, then attend.

        R      = GSU(history, candidate)                top_k behaviours
        v_long = ESU(R + time embedding, candidate)     DIN or multi-head attention
        v_short = DIN attention over the last `short_length` behaviours
        p = sigmoid(MLP([profile; candidate; context; v_short; v_long]))

    The General Search Unit (`BehaviourSearch`) costs one comparison or dot
    product per behaviour, so a history of 10,000 steps is read without
    attention over all of it; attention runs on `top_k + short_length`
    steps. Hard search keeps the behaviours of the candidate's category
    (most recent first; the history's category sequence, see
    `category_sequence`), soft search the largest inner products of the
    behaviour and candidate embeddings (or their cosines, see `similarity`).
    With `time_buckets > 0`, each retrieved behaviour gets an embedding of
    `log2(1 + hours)` since it happened, counted back from the latest
    behaviour (the history's float sequence gives the times).

    Hard search compares raw category values, so only the `top_k +
    short_length` steps it reads are looked up and embedded: the per-step
    cost is a comparison and a top-k. Soft search embeds every behaviour.

    Args:
        feature_spec: fitted `FeatureSpec` with one long history (set its
            `max_length` to the longest history to read, e.g. 10,000).
        search: `"hard"` or `"soft"`. Defaults to `"hard"`.
        similarity: soft search's ranking, `"dot"` (the paper's inner
            product) or `"cosine"`. Defaults to `"dot"`.
        top_k: int. Behaviours retrieved. Defaults to `50`.
        short_length: int. Recent behaviours read by the short-term
            attention (`0`: none). Defaults to `50`.
        exact_search: `"din"` (DIN's attention unit) or `"multihead"`.
            Defaults to `"din"`.
        num_heads: int. For `"multihead"`. Defaults to `2`.
        time_buckets: int. Buckets of the time embedding, `0` for none.
            Defaults to `0`.
        category_sequence: str or None. The history's category sequence for
            hard search. Defaults to the first one in the history.
        attention_units, attention_activation, hidden_units, activation,
        mba_l2, dropout: as in `DIN`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> model = SIM(spec, search="soft", top_k=4, short_length=2, attention_units=[4],
    ...             hidden_units=[8])
    >>> model.predict(test.head(4), verbose=0).shape
    (4, 1)
    >>> hard = SIM(spec, top_k=4, short_length=2, attention_units=[4], hidden_units=[8])
    >>> hard.category_sequence                # hard search's default: the history's first
    'history_categories'

    References:
        - [Pi et al., 2020](https://arxiv.org/abs/2006.05639)
    """

    def __init__(
        self,
        feature_spec,
        search="hard",
        similarity="dot",
        top_k=50,
        short_length=50,
        exact_search="din",
        num_heads=2,
        time_buckets=0,
        category_sequence=None,
        attention_units=(80, 40),
        attention_activation="dice",
        hidden_units=(200, 80),
        activation="dice",
        mba_l2=0.0,
        dropout=0.0,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        if exact_search not in ("din", "multihead"):
            raise ValueError(
                f"exact_search must be 'din' or 'multihead'. Received: {exact_search!r}"
            )
        groups = history_groups(spec)
        if len(groups) > 1:
            raise ValueError(f"SIM searches one history; the spec has {[g[0] for g in groups]}.")
        primary, members = groups[0]
        if search == "hard":
            category_sequence = category_sequence or (members[1] if len(members) > 1 else None)
            if category_sequence not in members[1:]:
                raise ValueError(
                    "Hard search needs the history's category sequence (a sequence with "
                    f"length_from='{primary}' sharing the candidate's category); got "
                    f"category_sequence={category_sequence!r}, history {members}."
                )
        times = [f.name for f in spec.sequence if f.length_from == primary and not f.shares]
        if time_buckets and not times:
            raise ValueError(
                f"time_buckets needs a float sequence of times with length_from='{primary}'."
            )
        inputs = make_inputs(spec)
        transform = FeatureTransform(spec, lookup_sequences=False, name="features")
        transformed = transform(inputs)
        raw, mask = transformed["sequences"], transformed["masks"][primary]
        bank = EmbeddingBank(behaviour_bank_features(spec), output_mode="dict", mba_l2=mba_l2,
                             name="embeddings")  # fmt: skip
        flat_ids = {f.name: transformed["ids"][f.name] for f in spec.categorical}
        short_index, short_found = _recent_steps(mask, short_length)
        gsu = BehaviourSearch(top_k, search, similarity, name="search")
        if search == "soft":
            # Soft search compares every behaviour's embedding: all are looked up.
            ids = {m: ops.where(mask, transform.lookup(m, raw[m]), 0) for m in members}
            embedded = bank({**flat_ids, **ids}, masks={m: mask for m in members})
            query, keys, _ = query_keys_mask(spec, transformed, embedded, groups[0])
            index, found = gsu(query, keys, mask)
            short_keys, retrieved = _gather(keys, short_index), _gather(keys, index)
        else:
            # Hard search compares raw categories; only the steps read are embedded.
            shared = spec[category_sequence].shares
            index, found = gsu(None, None, mask, inputs[shared], raw[category_sequence])
            steps = ops.concatenate([short_index, index], axis=1)
            read = ops.concatenate([short_found, found], axis=1)
            ids = {
                m: ops.where(read, transform.lookup(m, _gather(raw[m], steps)), 0) for m in members
            }
            embedded = bank({**flat_ids, **ids}, masks={m: read for m in members})
            query, keys, _ = query_keys_mask(spec, transformed, embedded, groups[0])
            short_keys, retrieved = keys[:, :short_length], keys[:, short_length:]
        parts = [profile_vector(spec, transformed, embedded)]
        if short_length:
            short = AttentionPooling(attention_units, attention_activation, name="short_attention")
            parts.append(short(query, short_keys, mask=short_found))
        if time_buckets:
            hours = _gather(_hours_ago(raw[times[0]], mask), index)
            bucket = ops.cast(ops.minimum(ops.log2(1.0 + hours), time_buckets - 1), "int32")
            retrieved = retrieved + keras.layers.Embedding(
                time_buckets, retrieved.shape[-1], name="time_embedding"
            )(bucket)
        if exact_search == "din":
            esu = AttentionPooling(attention_units, attention_activation, name="exact_search")
            parts.append(esu(query, retrieved, mask=found))
        else:
            heads = keras.layers.MultiHeadAttention(
                num_heads, max(1, retrieved.shape[-1] // num_heads), name="exact_search"
            )
            attended = heads(ops.expand_dims(query, 1), retrieved,
                             attention_mask=ops.expand_dims(found, 1))  # fmt: skip
            anything = ops.cast(ops.any(found, axis=1, keepdims=True), attended.dtype)
            parts.append(ops.squeeze(attended, 1) * anything)  # an empty search reads zeros
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        config = dict(
            search=search, similarity=similarity, top_k=int(top_k), short_length=int(short_length),
            exact_search=exact_search, num_heads=int(num_heads), time_buckets=int(time_buckets),
            category_sequence=category_sequence,
            attention_units=[int(u) for u in attention_units],
            attention_activation=attention_activation,
            hidden_units=[int(u) for u in hidden_units], activation=activation,
            mba_l2=float(mba_l2), dropout=float(dropout),
        )  # fmt: skip
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)


def _gather(x, index):
    """Steps `index` `[batch, k]` of `x` `[batch, steps, ...]`."""
    if len(x.shape) == 3:
        return ops.take_along_axis(x, ops.expand_dims(index, -1), axis=1)
    return ops.take_along_axis(x, index, axis=1)


def _recent_steps(mask, count):
    """`(index, found)` of each row's `count` latest real steps (oldest first)."""
    if not count:
        empty = ops.zeros_like(ops.cast(mask, "int32"))[:, :0]
        return empty, ops.cast(empty, "bool")
    lengths = ops.sum(ops.cast(mask, "int32"), axis=1, keepdims=True)
    start = ops.maximum(lengths - count, 0)
    offsets = np.arange(count, dtype="int32")[None]
    # A found offset has start + offset < length: always a real step.
    found = ops.greater(lengths - start, offsets)
    return ops.where(found, ops.add(start, offsets), 0), found


def _hours_ago(times, mask):
    """Hours from each behaviour to the row's latest one (0 on padding, and
    on the NaN that infinite times of a bad request would give)."""
    latest = ops.max(ops.where(mask, times, -1e30), axis=1, keepdims=True)
    hours = ops.maximum(latest - times, 0.0) / 3600.0
    return ops.where(ops.logical_and(mask, ops.logical_not(ops.isnan(hours))), hours, 0.0)
