"""Callbacks for any `model.fit`: resumable checkpoints, NaN stop, timing,
per-epoch data order."""

from tfrank.training.callbacks.resumable_early_stopping import ResumableEarlyStopping
from tfrank.training.callbacks.set_data_epoch import SetDataEpoch
from tfrank.training.callbacks.stop_on_nan import StopOnNaN
from tfrank.training.callbacks.train_timer import TrainTimer
from tfrank.training.callbacks.training_checkpoint import TrainingCheckpoint

__all__ = [
    "ResumableEarlyStopping",
    "SetDataEpoch",
    "StopOnNaN",
    "TrainTimer",
    "TrainingCheckpoint",
]
