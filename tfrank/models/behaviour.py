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
    bank = EmbeddingBank(
        behaviour_bank_features(spec), output_mode="dict", mba_l2=mba_l2, name="embeddings"
    )
    return bank(ids, masks=masks)


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


def profile_vector(spec: FeatureSpec, transformed: dict, embedded: dict):
    """Every categorical embedding (user, candidate, context) and the
    normalized numerics, side by side: `[batch, width]`."""
    parts = [embedded[f.name] for f in spec.categorical]
    if spec.numeric:
        parts.append(transformed["numeric"])
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, -1)


def embedding_frequencies(model, dataset) -> dict:
    """`{feature: per-id count}` over a dataset of `(features, label)`
    batches: how often each id is read (history entries included), the
    `n_j` of mini-batch-aware L2."""
    spec, transform = model.feature_spec, model.get_layer("features")
    counts = {}
    for features, _ in dataset:
        out = transform(features)
        for f in spec.categorical:
            ids = np.asarray(out["ids"][f.name])
            counts.setdefault(f.name, []).append(ids)
        for f in spec.sequence:
            if f.shares:
                ids = np.asarray(out["sequences"][f.name])[np.asarray(out["masks"][f.name])]
                counts.setdefault(f.name, []).append(ids)
    return {
        name: np.bincount(
            np.concatenate(parts), minlength=spec[spec.owner_of(name)].vocabulary_size
        )
        for name, parts in counts.items()
    }


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
