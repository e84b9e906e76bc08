"""Lookups in the registered models: by name, by family, as a table."""

from __future__ import annotations

from tfrank.registration import MODELS


def list_models() -> list[str]:
    """Names of the registered models, sorted."""
    return sorted(MODELS)


def get_model_class(name: str) -> type:
    """The model class registered as `name` (e.g. `"deepfm"` -> `DeepFM`)."""
    if name not in MODELS:
        raise ValueError(f"Unknown model '{name}'. Registered models: {list_models()}")
    return MODELS[name].cls


def model_table() -> list[dict]:
    """One row per registered model, in family order then by name: `name`,
    `class`, `family`, `summary`, `paper`."""
    families = ["ctr", "rating", "implicit", "behaviour", "multi-task"]
    rows = [
        {
            "name": entry.name,
            "class": entry.cls.__name__,
            "family": entry.cls.family_base().family_name,
            "summary": entry.summary,
            "paper": entry.paper,
        }
        for entry in MODELS.values()
    ]
    order = {f: i for i, f in enumerate(families)}
    return sorted(rows, key=lambda r: (order.get(r["family"], len(order)), r["name"]))
