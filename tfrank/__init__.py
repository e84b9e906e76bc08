"""tfrank: deep ranking models for recommender systems, on Keras 3.

Submodules load on first use, so `import tfrank` (and the CLI's startup)
does not import TensorFlow until something needs it.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "CategoricalFeature": "tfrank.features",
    "CrossedFeature": "tfrank.features",
    "FeatureSpec": "tfrank.features",
    "NumericFeature": "tfrank.features",
    "SequenceFeature": "tfrank.features",
    "get_model_class": "tfrank.registry",
    "list_models": "tfrank.registry",
}
_SUBMODULES = ("data", "export", "features", "layers", "metrics", "models", "optimizers")

__all__ = sorted(_LAZY) + list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"tfrank.{name}")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tfrank' has no attribute {name!r}")
