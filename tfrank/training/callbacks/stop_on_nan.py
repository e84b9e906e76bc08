"""StopOnNaN: stop at the first non-finite loss, before anything saves it."""

from __future__ import annotations

import math

import keras

from tfrank.errors import TrainingDiverged


class StopOnNaN(keras.callbacks.Callback):
    """Raises `TrainingDiverged` at the first step whose loss is not finite.

    Keras' `TerminateOnNaN` stops training quietly at the end of the step
    and lets the epoch's callbacks run; this raises mid-epoch instead, so
    no checkpoint or model file takes the NaN weights, and the error says
    where it happened and what usually causes it.

    Args:
        checkpoint_dir: str or None. Where the last good epoch is kept (for
            the message).

    Example:

    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> try:
    ...     model.fit(np.ones((4, 1)), np.full(4, np.inf), callbacks=[StopOnNaN()], verbose=0)
    ... except TrainingDiverged as error:
    ...     print(str(error)[:50])
    the training loss became inf at step 1 of epoch 1
    """

    def __init__(self, checkpoint_dir: str | None = None):
        super().__init__()
        self.checkpoint_dir, self._epoch = checkpoint_dir, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            raise diverged(loss, batch, self._epoch, self.model.optimizer, self.checkpoint_dir)


def diverged(loss, step, epoch, optimizer, checkpoint_dir=None) -> TrainingDiverged:
    """The error for a loss that became `loss` at 0-based `step` of `epoch`."""
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    return TrainingDiverged(
        loss, step, epoch, int(optimizer.iterations.numpy()), rate, checkpoint_dir
    )
