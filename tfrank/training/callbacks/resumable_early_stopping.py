"""ResumableEarlyStopping: early stopping whose state survives a restart."""

from __future__ import annotations

import keras


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """`EarlyStopping` (restoring the best weights) whose state — best value,
    epochs waited, best epoch and its weights — survives a restart.

    `TrainingCheckpoint(early_stopping=...)` saves `state()` with each
    epoch and hands it back through `resume()` when training restarts, in
    whichever order the two callbacks are listed.

    Args:
        **kwargs: `keras.callbacks.EarlyStopping` arguments (`monitor`,
            `mode`, `patience`, ...); `restore_best_weights` is always on.

    Example:

    >>> stopper = ResumableEarlyStopping(monitor="val_auc", mode="max", patience=1)
    >>> stopper.state()
    {'wait': 0, 'best': None, 'best_epoch': 0}
    """

    def __init__(self, **kwargs):
        super().__init__(restore_best_weights=True, **kwargs)
        self.best, self.best_epoch, self._resumed = None, 0, None

    def state(self) -> dict:
        best = None if self.best is None else float(self.best)
        return {"wait": self.wait, "best": best, "best_epoch": self.best_epoch}

    def resume(self, state: dict, best_weights: list | None) -> None:
        """Takes the state of a previous run (`state()` and the best epoch's weights)."""
        self._resumed = (state, best_weights)
        self._apply()

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._apply()

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        self._resumed = None

    def _apply(self):
        if self._resumed is not None:
            state, self.best_weights = self._resumed
            self.wait, self.best = state["wait"], state["best"]
            self.best_epoch = state["best_epoch"]
