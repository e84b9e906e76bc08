"""SIM: Search-based Interest Model for long behaviour histories."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.features.numeric_feature import NumericFeature
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
        "learned relevance), multi-head attention with time on what it finds, beside "
        "DIN over the latest behaviours"
    ),
    paper="Pi et al. 2020",
)
class SIM(BehaviourModel):
    """Search-based Interest Model: retrieve from the whole history, then attend.

        r_i     = <W_b e_i, W_a e_a>                     soft search's relevance
        R       = GSU(history, candidate)                top_k behaviours
        v_long  = ESU([R; time embedding], e_a)          multi-head attention
        v_short = DIN attention over the last `short_length` behaviours
        p       = sigmoid(MLP([profile; v_short; v_long]))
        loss    = BCE(y, p) + search_loss_weight * BCE(y, p_GSU)   (soft search)

    The General Search Unit (`BehaviourSearch`) costs one comparison or dot
    product per behaviour, so a history of 10,000 steps is read without
    attention over all of it; attention runs on `top_k + short_length`
    steps. Hard search keeps the behaviours of the candidate's category
    (most recent first; the history's category sequence, see
    `category_sequence`). Soft search keeps the largest `r_i`; as the
    selection passes no gradient, the search is trained by its own loss
    (the paper's `Loss_GSU`): `p_GSU = sigmoid(MLP([U_r; e_a]))` with
    `U_r = sum_i r_i e_i / n` over the `n` real behaviours (the mean keeps
    its scale the same for histories of ten and ten thousand steps).

    The Exact Search Unit is the paper's multi-head attention of the
    candidate over each retrieved behaviour concatenated with an embedding
    of its age, `log2(1 + hours)` bucketed, counted back from the
    candidate's own time (`target_time`, a numeric feature used for this
    only) or, with `time_reference="latest"`, from the latest behaviour.

    Hard search compares raw category values, so only the `top_k +
    short_length` steps it reads are looked up and embedded: the per-step
    cost is a comparison and a top-k. Soft search embeds every behaviour.

    Args:
        feature_spec: fitted `FeatureSpec` with one long history (set its
            `max_length` to the longest history to read, e.g. 10,000), its
            float sequence of times and, for `time_reference="target"`, the
            candidate's time (`behaviour_feature_spec(target_time=True)`).
        search: `"hard"` or `"soft"`. Defaults to `"hard"`.
        similarity: soft search's score, `"dot"` or `"cosine"`. Defaults
            to `"dot"`.
        search_projection: bool. Soft search through learned `W_a`, `W_b`
            (the paper's); `False` ranks by the shared embeddings as they
            are, untrained for retrieval. Defaults to `True`.
        search_loss_weight: float. The weight of soft search's loss (`0`:
            none). Defaults to `1.0`.
        top_k: int. Behaviours retrieved. Defaults to `50`.
        short_length: int. Recent behaviours read by the short-term
            attention (`0`: none). Defaults to `50`.
        exact_search: `"multihead"` (the paper's) or `"din"` (DIN's
            attention unit). Defaults to `"multihead"`.
        num_heads: int. For `"multihead"`. Defaults to `2`.
        time_buckets: int. Buckets of the time embedding, `0` for none.
            Defaults to `16` (ages up to 2^15 hours apart).
        time_reference: `"target"` or `"latest"`. Defaults to `"target"`.
        target_time: str. The numeric feature with the candidate's time
            (seconds, as the history's); read for ages only, never by the
            MLP. Defaults to `"timestamp"`.
        time_combine: `"concat"` (the paper's) or `"add"` (the time
            embedding added to the behaviour's). Defaults to `"concat"`.
        category_sequence: str or None. The history's category sequence for
            hard search. Defaults to the first one in the history.
        attention_units, attention_activation, hidden_units, activation,
        mba_l2, dropout: as in `DIN`.

    Example:

    >>> from tfrank.data import SyntheticBehaviour, behaviour_feature_spec
    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> spec = behaviour_feature_spec(8, embedding_dim=4, target_time=True).fit(train)
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
        search_projection=True,
        search_loss_weight=1.0,
        top_k=50,
        short_length=50,
        exact_search="multihead",
        num_heads=2,
        time_buckets=16,
        time_reference="target",
        target_time="timestamp",
        time_combine="concat",
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
        _check_choice("exact_search", exact_search, ("din", "multihead"))
        _check_choice("time_reference", time_reference, ("target", "latest"))
        _check_choice("time_combine", time_combine, ("concat", "add"))
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
        if search == "soft" and search_projection and not search_loss_weight:
            raise ValueError(
                "Soft search's projections learn only from its own loss (the top-k passes no "
                "gradient): with search_loss_weight=0 they would rank at random. Pass "
                "search_projection=False to rank by the embeddings as they are."
            )
        times = _time_inputs(spec, primary, time_buckets, time_reference, target_time)
        inputs = make_inputs(spec)
        transform = FeatureTransform(spec, lookup_sequences=False, name="features")
        transformed = transform(inputs)
        raw, mask = transformed["sequences"], transformed["masks"][primary]
        bank = EmbeddingBank(behaviour_bank_features(spec), output_mode="dict", mba_l2=mba_l2,
                             name="embeddings")  # fmt: skip
        flat_ids = {f.name: transformed["ids"][f.name] for f in spec.categorical}
        short_index, short_found = _recent_steps(mask, short_length)
        gsu = BehaviourSearch(top_k, search, similarity, projection=search_projection,
                              name="search")  # fmt: skip
        search_probability = None
        if search == "soft":
            # Soft search compares every behaviour's embedding: all are looked up.
            ids = {m: ops.where(mask, transform.lookup(m, raw[m]), 0) for m in members}
            embedded = bank({**flat_ids, **ids}, masks={m: mask for m in members})
            query, keys, _ = query_keys_mask(spec, transformed, embedded, groups[0])
            if search_loss_weight:
                index, found, scores = gsu(query, keys, mask, return_scores=True)
                search_probability = _search_head(query, keys, scores, mask, hidden_units)
            else:
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
        # The candidate's absolute time is no MLP input (it only grows): ages only.
        parts = [profile_vector(spec, transformed, embedded, skip_numeric=[target_time])]
        if short_length:
            short = AttentionPooling(attention_units, attention_activation, name="short_attention")
            parts.append(short(query, short_keys, mask=short_found))
        if time_buckets:
            reference = inputs[target_time] if time_reference == "target" else None
            hours = _gather(_hours_ago(raw[times], mask, reference), index)
            bucket = ops.cast(ops.minimum(ops.log2(1.0 + hours), time_buckets - 1), "int32")
            width = (
                retrieved.shape[-1] if time_combine == "add" else max(4, retrieved.shape[-1] // 4)
            )
            age = keras.layers.Embedding(time_buckets, width, name="time_embedding")(bucket)
            retrieved = (
                retrieved + age if time_combine == "add" else ops.concatenate([retrieved, age], -1)
            )
        parts.append(_exact_search(exact_search, query, retrieved, found, attention_units,
                                   attention_activation, num_heads))  # fmt: skip
        hidden = activation_tower(ops.concatenate(parts, -1), hidden_units, activation, dropout)
        logit = keras.layers.Dense(1, name="logit")(hidden)
        output = probability(logit)
        config = dict(
            search=search, similarity=similarity, search_projection=bool(search_projection),
            search_loss_weight=float(search_loss_weight), top_k=int(top_k),
            short_length=int(short_length), exact_search=exact_search, num_heads=int(num_heads),
            time_buckets=int(time_buckets), time_reference=time_reference,
            target_time=target_time, time_combine=time_combine,
            category_sequence=category_sequence,
            attention_units=[int(u) for u in attention_units],
            attention_activation=attention_activation,
            hidden_units=[int(u) for u in hidden_units], activation=activation,
            mba_l2=float(mba_l2), dropout=float(dropout),
        )  # fmt: skip
        super().__init__(inputs, output, spec, config=config, **kwargs)
        graph = None
        if search_probability is not None:
            graph = keras.Model(inputs, [output, search_probability])
            # Its head's weights are saved with SIM; the graph itself is not
            # a part to save (every other layer is SIM's own).
            self.search_head = [layer for layer in graph.layers if layer.name.startswith("gsu_")]
        object.__setattr__(self, "_search_graph", graph)
        object.__setattr__(self, "_search_probability", None)

    @classmethod
    def default_feature_spec(cls, spec, frame, config):
        """With the candidate's time in the data (`timestamp` of
        `build_samples`), the spec gains it when SIM measures ages from it."""
        import inspect

        defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}
        settings = {**defaults, **config}
        name = settings["target_time"]
        wanted = settings["time_buckets"] and settings["time_reference"] == "target"
        if not wanted or name in [f.name for f in spec.features] or name not in frame:
            return spec
        return FeatureSpec([*spec.features, NumericFeature(name)])

    def call(self, inputs, training=None, mask=None):
        if training and self._search_graph is not None:
            # One pass gives both outputs; compute_loss reads the search's.
            self.feature_spec.check_inputs(inputs)
            output, search = self._search_graph(inputs, training=training)
            object.__setattr__(self, "_search_probability", search)
            return output
        return super().call(inputs, training=training, mask=mask)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)
        search = self._search_probability
        object.__setattr__(self, "_search_probability", None)
        if not training or search is None:
            return loss
        labels = ops.reshape(ops.cast(y, search.dtype), ops.shape(search))
        terms = keras.losses.binary_crossentropy(labels, search)
        if sample_weight is None:
            return loss + self.search_loss_weight * ops.mean(terms)
        weights = ops.reshape(ops.cast(sample_weight, terms.dtype), ops.shape(terms))
        return loss + self.search_loss_weight * ops.sum(terms * weights) / ops.maximum(
            ops.sum(weights), 1e-12
        )


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}. Received: {value!r}")


def _time_inputs(spec, primary, time_buckets, time_reference, target_time):
    """The history's float sequence of times (None without time buckets),
    after checking that what the time embedding reads is in the spec."""
    if not time_buckets:
        return None
    times = [f.name for f in spec.sequence if f.length_from == primary and not f.shares]
    if not times:
        raise ValueError(
            f"time_buckets needs a float sequence of times with length_from='{primary}' "
            "(or time_buckets=0)."
        )
    if time_reference == "target" and target_time not in [f.name for f in spec.numeric]:
        raise ValueError(
            f"time_reference='target' measures ages from the candidate's time, the numeric "
            f"feature '{target_time}', which the spec lacks: add NumericFeature('{target_time}') "
            "(behaviour_feature_spec(target_time=True)), or pass time_reference='latest' or "
            "time_buckets=0."
        )
    return times[0]


def _search_head(query, keys, scores, mask, hidden_units):
    """Soft search's own prediction, `sigmoid(MLP([U_r; e_a]))`."""
    real = ops.cast(mask, keys.dtype)
    count = ops.maximum(ops.sum(real, axis=1, keepdims=True), 1.0)
    pooled = ops.sum(ops.expand_dims(scores * real, -1) * keys, axis=1) / count
    x = ops.concatenate([pooled, query], -1)
    for i, width in enumerate(hidden_units[:1] or [16]):
        x = keras.layers.Dense(int(width), activation="relu", name=f"gsu_dense_{i}")(x)
    return keras.layers.Dense(1, activation="sigmoid", name="gsu_probability")(x)


def _exact_search(kind, query, retrieved, found, units, activation, num_heads):
    if kind == "din":
        if retrieved.shape[-1] != query.shape[-1]:
            # DIN's unit compares like with like: the candidate meets the age too.
            query = ops.pad(query, [[0, 0], [0, retrieved.shape[-1] - query.shape[-1]]])
        return AttentionPooling(units, activation, name="exact_search")(
            query, retrieved, mask=found
        )
    heads = keras.layers.MultiHeadAttention(
        num_heads, max(1, query.shape[-1] // num_heads), name="exact_search"
    )
    attended = heads(ops.expand_dims(query, 1), retrieved,
                     attention_mask=ops.expand_dims(found, 1))  # fmt: skip
    anything = ops.cast(ops.any(found, axis=1, keepdims=True), attended.dtype)
    return ops.squeeze(attended, 1) * anything  # an empty search reads zeros


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


def _hours_ago(times, mask, reference=None):
    """Hours from each behaviour to `reference` `[batch]` (the candidate's
    time), or else to the row's latest behaviour (0 on padding, and on the
    NaN that infinite or missing times of a bad request would give)."""
    if reference is None:
        latest = ops.max(ops.where(mask, times, -1e30), axis=1, keepdims=True)
    else:
        latest = ops.expand_dims(ops.cast(reference, times.dtype), 1)
    hours = ops.maximum(latest - times, 0.0) / 3600.0
    return ops.where(ops.logical_and(mask, ops.logical_not(ops.isnan(hours))), hours, 0.0)
