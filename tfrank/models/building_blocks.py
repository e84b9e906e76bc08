"""Functional-graph pieces every model is built from: inputs, the feature
transform, embeddings, linear terms and the output layer."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.core.linear_term import LinearTerm
from tfrank.layers.core.numeric_embedding import NumericEmbedding
from tfrank.layers.preprocessing.feature_transform import FeatureTransform


def as_feature_spec(feature_spec) -> FeatureSpec:
    if isinstance(feature_spec, FeatureSpec):
        return feature_spec
    return FeatureSpec.from_config(feature_spec)


def make_inputs(spec: FeatureSpec) -> dict:
    """One named, typed input per raw feature: `[batch]`, or `[batch, None]`
    for sequences."""
    return {
        f.name: keras.Input(
            shape=(None,) if f.kind == "sequence" else (), dtype=f.dtype, name=f.name
        )
        for f in spec.raw_features
    }


def transform_features(spec: FeatureSpec, inputs: dict) -> dict:
    return FeatureTransform(spec, name="features")(inputs)


def bank_features(spec: FeatureSpec, include_crossed: bool = False) -> list[dict]:
    """EmbeddingBank / LinearTerm feature descriptions for a spec."""
    features = [
        {
            "name": f.name,
            "vocabulary_size": 0 if f.share_embedding_with else f.vocabulary_size,
            "embedding_dim": f.embedding_dim,
            "share_with": f.share_embedding_with,
        }
        for f in spec.categorical
    ]
    if include_crossed:
        features += [
            {"name": f.name, "vocabulary_size": f.vocabulary_size, "embedding_dim": 1}
            for f in spec.crossed
        ]
    return features


def field_embeddings(spec: FeatureSpec, transformed: dict, regularizer=None):
    """`[batch, n_fields, k]`: categorical embeddings then numeric `x_j v_j`.

    Models that interact every pair of fields (FM, DeepFM) need one width
    `k`; a spec with several widths is an error that lists them.
    """
    widths = {f.name: f.embedding_dim for f in spec.categorical + spec.numeric}
    if len(set(widths.values())) > 1:
        raise ValueError(
            "This model interacts all fields, so every categorical and numeric "
            f"feature needs the same embedding_dim; received {widths}."
        )
    parts = []
    if spec.categorical:
        bank = EmbeddingBank(
            bank_features(spec), embeddings_regularizer=regularizer, name="embeddings"
        )
        parts.append(bank({f.name: transformed["ids"][f.name] for f in spec.categorical}))
    if spec.numeric:
        width = spec.numeric[0].embedding_dim
        parts.append(NumericEmbedding(width, name="numeric_embeddings")(transformed["numeric"]))
    if not parts:
        raise ValueError("The feature spec has no categorical or numeric features.")
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=1)


def flat_embeddings(spec: FeatureSpec, transformed: dict):
    """`[batch, sum(embedding_dim) + n_numeric]`: every categorical embedding
    (widths may differ) and the normalized numerics, side by side (the
    input `x_0` of DCN, Deep Crossing and Wide & Deep's deep part)."""
    parts = []
    if spec.categorical:
        embedded = EmbeddingBank(bank_features(spec), output_mode="dict", name="embeddings")(
            {f.name: transformed["ids"][f.name] for f in spec.categorical}
        )
        parts += [embedded[f.name] for f in spec.categorical]
    if spec.numeric:
        parts.append(transformed["numeric"])
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)


def logit_layer(inputs, name="logit"):
    return keras.layers.Dense(1, name=name)(inputs)


def linear_logit(
    spec: FeatureSpec, transformed: dict, name="linear", regularizer=None, include_crossed=True
):
    """`[batch, 1]` first-order term over categorical and numeric features,
    and the spec's crossed features unless `include_crossed=False` (wide
    models read crosses; a factorization machine's first order does not)."""
    return LinearTerm(
        bank_features(spec, include_crossed=include_crossed),
        num_numeric=len(spec.numeric),
        kernel_regularizer=regularizer,
        name=name,
    )(transformed["ids"], transformed.get("numeric"))


def l2_regularizer(strength):
    return keras.regularizers.L2(strength) if strength else None


def probability(logit):
    return keras.layers.Activation("sigmoid", name="probability")(logit)
