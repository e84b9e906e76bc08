"""Faults injected into training runs."""

from __future__ import annotations

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
