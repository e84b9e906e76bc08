"""Training as a library: a run configuration, the training loop over any
model family, its callbacks, and the multi-worker loop.

Example:

>>> import tempfile
>>> from tfrank.training import RunConfig, evaluate, train
>>> run = RunConfig("fm", data="synthetic:2000", epochs=1, output=tempfile.mkdtemp(), verbose=0)
>>> metrics = train(run)
>>> sorted(evaluate(run.output_dir, "synthetic:1000"))
['auc', 'gauc', 'logloss', 'rows']
"""

from tfrank.training.callbacks import (
    ResumableEarlyStopping,
    SetDataEpoch,
    StopOnNaN,
    TrainingCheckpoint,
    TrainTimer,
)
from tfrank.training.distribution import make_strategy
from tfrank.training.multi_worker import fit_multi_worker
from tfrank.training.run_config import RunConfig
from tfrank.training.trainer import evaluate, export, load_model, train

__all__ = [
    "ResumableEarlyStopping",
    "RunConfig",
    "SetDataEpoch",
    "StopOnNaN",
    "TrainTimer",
    "TrainingCheckpoint",
    "evaluate",
    "export",
    "fit_multi_worker",
    "load_model",
    "make_strategy",
    "train",
]
