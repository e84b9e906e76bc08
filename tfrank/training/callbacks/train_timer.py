"""TrainTimer: training time per epoch, validation passes left out."""

from __future__ import annotations

import time

import keras


class TrainTimer(keras.callbacks.Callback):
    """Times the training part of each epoch.

    `seconds` is the total and `epoch_seconds` the time of each epoch, from
    its start to its validation pass (or its end); validation and the
    callbacks after the epoch are not counted, so examples per second
    measure training alone.

    Example:

    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(loss="mse")
    >>> timer = TrainTimer()
    >>> history = model.fit(np.ones((8, 2)), np.ones(8), epochs=3, callbacks=[timer], verbose=0)
    >>> len(timer.epoch_seconds), timer.seconds == sum(timer.epoch_seconds)
    (3, True)
    """

    def __init__(self):
        super().__init__()
        self.seconds, self.epoch_seconds, self._start = 0.0, [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_seconds.append(0.0)
        self._start = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._stop()

    def on_epoch_end(self, epoch, logs=None):
        self._stop()

    def elapsed(self) -> float:
        """`seconds` plus the running epoch's time so far."""
        running = time.perf_counter() - self._start if self._start is not None else 0.0
        return self.seconds + running

    def _stop(self):
        if self._start is not None:
            elapsed = time.perf_counter() - self._start
            self.seconds += elapsed
            self.epoch_seconds[-1] += elapsed
            self._start = None
