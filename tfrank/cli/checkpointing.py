"""Training that survives being killed: per-epoch checkpoints, resume, NaN stop."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from types import SimpleNamespace

import keras
import numpy as np

STATE_FILE = "checkpoint.json"


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """`EarlyStopping` (restoring the best weights) whose state — best value,
    epochs waited, best epoch and its weights — survives a restart."""

    def __init__(self, **kwargs):
        super().__init__(restore_best_weights=True, **kwargs)
        self._resumed = None

    def state(self) -> dict:
        best = None if self.best is None else float(self.best)
        return {"wait": self.wait, "best": best, "best_epoch": self.best_epoch}

    def resume(self, state: dict, best_weights: list | None) -> None:
        self._resumed = (state, best_weights)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self._resumed is not None:
            state, self.best_weights = self._resumed
            self.wait, self.best = state["wait"], state["best"]
            self.best_epoch = state["best_epoch"]


class TrainingCheckpoint(keras.callbacks.Callback):
    """Saves the training state in `directory` after every completed epoch:
    model and optimizer variables, the epoch, the loss history, the early
    stopping state (with the best epoch's weights) and the training time.

    The weights of epoch k go to `epoch-000k.weights.h5`; `checkpoint.json`,
    which names them, is replaced atomically only once they are complete, so a
    kill at any moment leaves the previous epoch's checkpoint usable. The
    state also records the run's settings (`run`): a checkpoint of another run
    is refused rather than resumed.

    `restore(model)` before `fit(initial_epoch=...)` resumes; the data order of
    each epoch must depend on the epoch alone (`make_dataset(shuffle_epoch=)`).
    """

    def __init__(self, directory: str, run: dict, early_stopping=None, timer=None):
        super().__init__()
        self.directory, self.run = directory, json.loads(json.dumps(run))
        self.early_stopping, self.timer = early_stopping, timer
        self.history: dict[str, list] = {}
        self.best_file = None

    def restore(self, model) -> int:
        """Loads the latest checkpoint into `model` (compiled); returns the
        number of completed epochs (0 when there is none)."""
        state = self.load(model)
        if state is None:
            return 0
        self.history = state["history"]
        if self.timer is not None:
            self.timer.seconds = state["train_seconds"]
        if self.early_stopping is not None and state["early_stopping"] is not None:
            self.early_stopping.resume(state["early_stopping"], state["best_weight_values"])
        return state["epoch"]

    def restore_epoch(self) -> int:
        """Completed epochs of the checkpoint (0 when there is none)."""
        state = self._read_state()
        return 0 if state is None else state["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        stopper, stopping = self.early_stopping, None
        if stopper is not None and stopper.best_weights is not None:
            stopping = stopper.state()
        seconds = self.timer.seconds if self.timer is not None else 0.0
        best = stopper.best_weights if stopping is not None else None
        self.save(self.model, epoch + 1, self.history, stopping, best, seconds)

    def load(self, model) -> dict | None:
        """The saved state (None without one), its weights and optimizer
        state loaded into `model`, the best epoch's weights (if any) under
        `"best_weight_values"`. A checkpoint of another run is an error."""
        state = self._read_state()
        if state is None:
            return None
        if state["run"] != self.run:
            changed = sorted(k for k in self.run if state["run"].get(k) != self.run[k])
            raise ValueError(
                f"The checkpoint in {self.directory!r} is from another run (different "
                f"{', '.join(changed)}); delete it or choose another --checkpoint-dir."
            )
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(os.path.join(self.directory, state["weights"]))
        state["best_weight_values"] = None
        if state["best_weights"] is not None:
            self.best_file = state["best_weights"]
            with np.load(os.path.join(self.directory, self.best_file)) as best:
                state["best_weight_values"] = [best[f"w{i}"] for i in range(len(best.files))]
        return state

    def save(self, model, epochs_done, history, early_stopping, best_weights, train_seconds):
        """Writes the state after `epochs_done` epochs. `early_stopping`:
        `{"wait", "best", "best_epoch"}` (0-based epoch) or None;
        `best_weights`: that epoch's `model.get_weights()`."""
        os.makedirs(self.directory, exist_ok=True)
        weights = f"epoch-{epochs_done:04d}.weights.h5"
        model.save_weights(os.path.join(self.directory, weights))
        if early_stopping is not None:
            best = f"best-{early_stopping['best_epoch'] + 1:04d}.npz"
            if best != self.best_file:
                arrays = {f"w{i}": w for i, w in enumerate(best_weights)}
                _atomic(os.path.join(self.directory, best), lambda f: np.savez(f, **arrays), "wb")
                self.best_file = best
        state = {
            "epoch": epochs_done,
            "weights": weights,
            "best_weights": self.best_file if early_stopping is not None else None,
            "early_stopping": early_stopping,
            "history": history,
            "train_seconds": train_seconds,
            "run": self.run,
        }
        _atomic(os.path.join(self.directory, STATE_FILE), lambda f: json.dump(state, f), "w")
        for name in os.listdir(self.directory):
            if name not in (STATE_FILE, weights, state["best_weights"]):
                _remove(os.path.join(self.directory, name))

    def _read_state(self):
        path = os.path.join(self.directory, STATE_FILE)
        if not os.path.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)


class SetShuffleEpoch(keras.callbacks.Callback):
    """Sets the `shuffle_epoch` variable of `make_dataset` at each epoch's start."""

    def __init__(self, variable):
        super().__init__()
        self.variable = variable

    def on_epoch_begin(self, epoch, logs=None):
        self.variable.assign(epoch)


class StopOnNaN(keras.callbacks.Callback):
    """Raises `TrainingDiverged` at the first step whose loss is not finite,
    before the epoch ends, so no checkpoint or model file takes NaN weights."""

    def __init__(self, checkpoint_dir: str | None = None):
        super().__init__()
        self.checkpoint_dir, self._epoch = checkpoint_dir, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            raise diverged(loss, batch, self._epoch, self.model.optimizer, self.checkpoint_dir)


def diverged(loss, step, epoch, optimizer, checkpoint_dir) -> TrainingDiverged:
    """The error for a loss that became `loss` at 0-based `step` of `epoch`."""
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    kept = (
        f"the last completed epoch is saved in {checkpoint_dir!r} (the same command "
        "resumes from it)"
        if checkpoint_dir
        else "no checkpoint was kept (no checkpoint directory)"
    )
    return TrainingDiverged(
        f"the training loss became {loss} at step {step + 1} of epoch {epoch + 1} "
        f"(optimizer step {int(optimizer.iterations.numpy())}). Usual causes: "
        f"a learning rate too high (now {rate:g}; try --learning-rate {rate / 10:g}), "
        "numeric features with extreme values (log_transform=True for counts), labels "
        "outside [0, 1] for a click model, or too little L2 on large embeddings. "
        f"Training stopped; {kept}; model.keras and serving/ were not written."
    )


def resume_fit(ranker, data, epochs, callbacks, checkpoint_dir, run, stopper, timer, **fit_args):
    """`fit` that resumes from (and keeps) a `TrainingCheckpoint` in
    `checkpoint_dir` when one is given; returns `(history, resumed epochs)`,
    the history covering every epoch, those before the restart included."""
    if not checkpoint_dir:
        return ranker.fit(data, epochs=epochs, callbacks=callbacks, **fit_args), 0
    saver = TrainingCheckpoint(checkpoint_dir, run, stopper, timer)
    done = saver.restore(ranker)
    if done:
        print(
            f"Resuming from the checkpoint in {checkpoint_dir}: {done} epoch(s) done, "
            f"training epochs {done + 1}-{epochs}.",
            file=sys.stderr,
        )
    ranker.fit(data, epochs=epochs, initial_epoch=done, callbacks=[*callbacks, saver], **fit_args)
    return SimpleNamespace(history=saver.history, resumed_after_epoch=done), done


def _atomic(path, write, mode):
    tmp = f"{path}.partial-{os.getpid()}"
    with open(tmp, mode) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.remove(path)
