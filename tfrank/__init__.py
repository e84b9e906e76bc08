"""tfrank: deep ranking models for recommender systems, on Keras 3.

`import tfrank` loads every model, layer and optimizer, so that
`keras.models.load_model` finds them in any `.keras` file tfrank wrote, and
makes the subpackages available as attributes (`tfrank.models`,
`tfrank.training`, ...).

The `tfrank` command (or `python -m tfrank`) is the one exception: it parses
its arguments before TensorFlow loads, which takes seconds, so the package
then loads its parts on first use.
"""

import importlib
import os
import sys

__version__ = "0.2.0"

_SUBPACKAGES = (
    "data",
    "errors",
    "export",
    "features",
    "layers",
    "metrics",
    "models",
    "optimizers",
    "registration",
    "testing",
    "training",
)
_API = {
    "CategoricalFeature": "tfrank.features",
    "CrossedFeature": "tfrank.features",
    "FeatureSpec": "tfrank.features",
    "NumericFeature": "tfrank.features",
    "SequenceFeature": "tfrank.features",
    "get_model_class": "tfrank.models",
    "list_models": "tfrank.models",
    "RunConfig": "tfrank.training",
    "train": "tfrank.training",
}

__all__ = sorted(_API) + list(_SUBPACKAGES)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"tfrank.{name}")
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'tfrank' has no attribute {name!r}")


def _started_as_command() -> bool:
    """Whether this interpreter was started as the `tfrank` command."""
    script = os.path.basename(sys.argv[0]) if sys.argv else ""
    argv = list(getattr(sys, "orig_argv", []))
    as_module = "-m" in argv and argv.index("-m") + 1 < len(argv)
    return script in ("tfrank", "tfrank.exe") or (
        as_module and argv[argv.index("-m") + 1] == "tfrank"
    )


if not _started_as_command():
    from tfrank import models as _models  # noqa: E402,F401  (registers every model and layer)
    from tfrank import optimizers as _optimizers  # noqa: E402,F401
