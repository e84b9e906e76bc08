"""Faults injected into training runs."""

from __future__ import annotations

import os
import time

import keras
import numpy as np


class FaultAtEpoch(keras.callbacks.Callback):
    """Injects a fault when epoch `epoch` (0-based) starts: `"crash"` raises
    `KeyboardInterrupt` (a killed run, in-process), `"nan"` turns the last
    trainable weight into NaN (a diverging run)."""

    def __init__(self, epoch: int, fault: str):
        super().__init__()
        if fault not in ("crash", "nan"):
            raise ValueError(f"fault must be 'crash' or 'nan'. Received: {fault!r}")
        self.epoch, self.fault = epoch, fault

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != self.epoch:
            return
        if self.fault == "crash":
            raise KeyboardInterrupt(f"crashed at the start of epoch {epoch + 1}")
        variable = self.model.trainable_variables[-1]
        variable.assign(np.full(variable.shape, np.nan, variable.dtype))


class FaultAtStep(keras.callbacks.Callback):
    """Raises `KeyboardInterrupt` (a killed run, in-process) before step
    `step` (0-based) of epoch `epoch` (0-based)."""

    def __init__(self, epoch: int, step: int):
        super().__init__()
        self.epoch, self.step, self._current = epoch, step, None

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self._current == self.epoch and batch == self.step:
            raise KeyboardInterrupt(f"crashed before step {batch} of epoch {self.epoch + 1}")


class PauseAtStep(keras.callbacks.Callback):
    """After step `step` (1-based) of epoch `epoch` (0-based), writes the
    file `marker` and waits there for good: a test that sees the file kills
    the process knowing where it is, whatever the machine's speed."""

    def __init__(self, epoch: int, step: int, marker: str):
        super().__init__()
        self.epoch, self.step, self.marker, self._current = epoch, step, marker, None

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._current != self.epoch or batch + 1 != self.step:
            return
        partial = f"{self.marker}.partial"
        with open(partial, "w") as f:
            f.write(f"{self.epoch} {self.step}\n")
        os.replace(partial, self.marker)
        while True:
            time.sleep(1)


class StepLosses(keras.callbacks.Callback):
    """Records the logged loss (the epoch's running mean) after every step."""

    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))
