"""Registration: Keras serialization for every public layer, names for models."""

from __future__ import annotations

import keras

PACKAGE = "tfrank"
_MODELS: dict[str, type] = {}


def register_layer(cls):
    """Makes a layer (or optimizer) loadable from `.keras` files."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)


def register_model(name: str):
    """Registers a model class for Keras loading and under a snake_case `name`.

    Registered models are what `tfrank models` lists, what `tfrank train
    --model NAME` builds, and what the conformance test covers.
    """

    def decorator(cls):
        if name in _MODELS and _MODELS[name] is not cls:
            raise ValueError(f"Model name '{name}' is already registered.")
        cls.registered_name = name
        _MODELS[name] = keras.saving.register_keras_serializable(package=PACKAGE)(cls)
        return cls

    return decorator


def get_model_class(name: str) -> type:
    import tfrank.models  # noqa: F401  (registers the built-in models)

    if name not in _MODELS:
        raise ValueError(f"Unknown model '{name}'. Registered models: {list_models()}")
    return _MODELS[name]


def list_models() -> list[str]:
    import tfrank.models  # noqa: F401

    return sorted(_MODELS)
