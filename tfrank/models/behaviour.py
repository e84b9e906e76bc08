"""Pieces the behaviour-sequence models (seq_base, DIN, DIEN, SIM) share."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.sequence.dice import Dice
from tfrank.models.building_blocks import bank_features, make_inputs, transform_features


def history_groups(spec: FeatureSpec) -> list[tuple[str, list[str]]]:
    """`[(primary, members)]`: each history (a sequence with its own lengths)
    and its categorical sequences, the primary first. Float sequences
    (times) are left to the models that use them."""
    groups = []
    for f in spec.sequence:
        if f.length_from is None and f.shares:
            members = [f.name] + [
                g.name for g in spec.sequence if g.length_from == f.name and g.shares
            ]
            groups.append((f.name, members))
    if not groups:
        raise ValueError(
            "This model needs a behaviour history: a SequenceFeature that shares a "
            "categorical feature (e.g. SequenceFeature('history', shares='item_id'))."
        )
    return groups


def behaviour_inputs(spec: FeatureSpec, mba_l2: float = 0.0):
    """`(inputs, transformed, embedded)`: the named inputs, the "features"
    transform's output and `embed_behaviours` of it, where DIN, DIEN and
    seq_base start."""
    inputs = make_inputs(spec)
    transformed = transform_features(spec, inputs)
    return inputs, transformed, embed_behaviours(spec, transformed, mba_l2)


def embed_behaviours(spec: FeatureSpec, transformed: dict, mba_l2: float = 0.0) -> dict:
    """`{name: embedding}` of every categorical feature (`[batch, dim]`) and
    categorical sequence (`[batch, steps, dim]`, the table it shares), from
    one `EmbeddingBank` named "embeddings" (mini-batch-aware L2 optional)."""
    ids, masks = behaviour_ids(spec, transformed)
    return behaviour_bank(spec, mba_l2)(ids, masks=masks)


def behaviour_bank(spec: FeatureSpec, mba_l2: float = 0.0) -> EmbeddingBank:
    """The "embeddings" bank of a behaviour model: candidate features and
    the histories that share their tables."""
    return EmbeddingBank(
        behaviour_bank_features(spec), output_mode="dict", mba_l2=mba_l2, name="embeddings"
    )


def behaviour_ids(spec: FeatureSpec, transformed: dict) -> tuple[dict, dict]:
    """`(ids, masks)` the "embeddings" bank reads: categorical features' ids
    and categorical sequences' ids with their masks."""
    sequences = [f for f in spec.sequence if f.shares]
    ids = {f.name: transformed["ids"][f.name] for f in spec.categorical}
    ids.update({f.name: transformed["sequences"][f.name] for f in sequences})
    return ids, {f.name: transformed["masks"][f.name] for f in sequences}


def behaviour_bank_features(spec: FeatureSpec) -> list[dict]:
    """`EmbeddingBank` features: the categorical ones, then every
    categorical sequence reading the table of the feature it shares."""
    return bank_features(spec) + [
        {
            "name": f.name,
            "vocabulary_size": 0,
            "embedding_dim": spec[spec.owner_of(f.name)].embedding_dim,
            "share_with": spec.owner_of(f.name),
        }
        for f in spec.sequence
        if f.shares
    ]


def query_keys_mask(spec: FeatureSpec, transformed: dict, embedded: dict, group):
    """The candidate `[batch, d]` (embeddings of the features the history
    shares), the behaviours `[batch, steps, d]` and their mask."""
    primary, members = group
    query = [embedded[spec[m].shares] for m in members]
    keys = [embedded[m] for m in members]
    if len(members) > 1:
        return (ops.concatenate(query, -1), ops.concatenate(keys, -1),
                transformed["masks"][primary])  # fmt: skip
    return query[0], keys[0], transformed["masks"][primary]


def profile_vector(spec: FeatureSpec, transformed: dict, embedded: dict, skip_numeric=()):
    """Every categorical embedding (user, candidate, context) and the
    normalized numerics but `skip_numeric`, side by side: `[batch, width]`."""
    parts = [embedded[f.name] for f in spec.categorical]
    kept = [i for i, f in enumerate(spec.numeric) if f.name not in skip_numeric]
    if len(kept) == len(spec.numeric) and kept:
        parts.append(transformed["numeric"])
    elif kept:
        parts.append(ops.take(transformed["numeric"], np.array(kept, "int32"), axis=1))
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, -1)


def embedding_frequencies(model, data) -> dict:
    """`{feature: per-id count}`: how often each id is read (history entries
    included), the `n_j` of mini-batch-aware L2. `data`: a dataset of
    `(features, label)` batches, or a dict of feature arrays.

    Ids are counted after the vocabulary lookup, so counts land on the rows
    the bank reads, whether or not the model's transform looks sequences up
    (SIM's does not: it looks up only the steps its search reads).
    """
    spec, transform = model.feature_spec, model.get_layer("features")
    counts = {}
    for features in _feature_batches(data):
        out = transform(features)
        for f in spec.categorical:
            counts.setdefault(f.name, []).append(np.asarray(out["ids"][f.name]).ravel())
        for f in spec.sequence:
            if f.shares:
                steps = out["sequences"][f.name]
                if not transform.lookup_sequences:
                    steps = transform.lookup(f.name, steps)
                read = np.asarray(out["masks"][f.name])
                counts.setdefault(f.name, []).append(np.asarray(steps)[read])
    return {
        name: np.bincount(
            np.concatenate(parts).astype("int64"),
            minlength=spec[spec.owner_of(name)].vocabulary_size,
        )
        for name, parts in counts.items()
    }


def _feature_batches(data, batch_size=4096):
    if isinstance(data, dict):
        rows = len(next(iter(data.values())))
        for start in range(0, rows, batch_size):
            yield {name: values[start : start + batch_size] for name, values in data.items()}
        return
    for element in data:
        yield element[0] if isinstance(element, tuple) else element


def activation_tower(x, units, activation="prelu", dropout=0.0, name="mlp"):
    """`Dense -> Dice | PReLU | activation -> [Dropout]` per width, in the
    functional graph: DIN's fully connected layers."""
    if not isinstance(activation, str):
        raise ValueError(
            f"activation must be 'dice', 'prelu' or a Keras activation name; got {activation!r}."
        )
    for i, width in enumerate(units):
        x = keras.layers.Dense(int(width), name=f"{name}_dense_{i}")(x)
        if activation == "dice":
            x = Dice(name=f"{name}_dice_{i}")(x)
        elif activation == "prelu":
            x = keras.layers.PReLU(name=f"{name}_prelu_{i}")(x)
        else:
            x = keras.layers.Activation(activation, name=f"{name}_act_{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout_{i}")(x)
    return x
