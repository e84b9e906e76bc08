"""Building blocks of the collaborative-filtering models: user and item ids in,
their embeddings out."""

from __future__ import annotations

import keras

from tfrank.features.feature_spec import FeatureSpec
from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.models.building_blocks import bank_features, make_inputs, transform_features


def user_item_inputs(spec: FeatureSpec, user: str, item: str):
    """`(inputs, ids)` of a spec that holds exactly the user and the item
    feature (categorical); anything else is an error that lists what it got."""
    names = [f.name for f in spec.raw_features]
    categorical = {f.name for f in spec.categorical}
    if sorted(names) != sorted([user, item]) or not {user, item} <= categorical:
        raise ValueError(
            f"This model ranks items for users from their ids alone: the feature spec must "
            f"hold exactly the categorical features {user!r} and {item!r}; it has {names}."
        )
    inputs = make_inputs(spec)
    return inputs, transform_features(spec, inputs)["ids"]


def user_item_embeddings(spec, ids, dim, name, user, item, regularizer=None):
    """`(p_u, q_i)`, each `[batch, dim]`, from one fused table named `name`."""
    features = [dict(f, embedding_dim=int(dim)) for f in bank_features(spec)]
    bank = EmbeddingBank(
        features, output_mode="dict", embeddings_regularizer=regularizer, name=name
    )
    out = bank({user: ids[user], item: ids[item]})
    return out[user], out[item]


def prediction_layer(inputs):
    """The output layer of NCF's models (its name lets NeuMF combine them)."""
    return keras.layers.Dense(1, kernel_initializer="lecun_uniform", name="prediction")(inputs)


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    return keras.optimizers.get({"class_name": name, "config": {"learning_rate": learning_rate}})


def check_mlp_layers(mlp_layers) -> list[int]:
    """NCF's tower spec: an even concatenated width, then at least one layer."""
    layers = [int(u) for u in mlp_layers]
    if len(layers) < 2 or layers[0] % 2:
        raise ValueError(
            f"mlp_layers needs an even concatenated width and at least one tower layer, "
            f"e.g. [64, 32, 16, 8]. Received: {layers}"
        )
    return layers
