"""Registration: the decorators and the name -> model table.

A leaf module: it imports Keras and nothing of tfrank, so every layer and
model file can import it without a cycle. Lookups (`get_model_class`,
`list_models`) live with the models, in `tfrank.models`.
"""

from __future__ import annotations

import dataclasses

import keras

PACKAGE = "tfrank"


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """A registered model: its snake_case name, class, one-line summary and paper."""

    name: str
    cls: type
    summary: str
    paper: str


MODELS: dict[str, ModelEntry] = {}


def register_layer(cls):
    """Makes a layer (or optimizer) loadable from `.keras` files as `tfrank>Name`."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)


def register_model(name: str, summary: str = "", paper: str = ""):
    """Registers a model class for Keras loading and under a snake_case `name`.

    Registered models are what `tfrank models` lists (with `summary` and
    `paper`), what `tfrank train --model NAME` builds and what the
    conformance check covers.
    """

    def decorator(cls):
        known = MODELS.get(name)
        if known is not None and known.cls is not cls:
            raise ValueError(f"Model name '{name}' is already registered to {known.cls}.")
        cls.registered_name = name
        keras.saving.register_keras_serializable(package=PACKAGE)(cls)
        MODELS[name] = ModelEntry(name, cls, summary, paper)
        return cls

    return decorator
