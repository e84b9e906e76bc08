"""TrainingCheckpoint: per-epoch training state that a restarted `fit` resumes from."""

from __future__ import annotations

import json
import os
import shutil
import sys

import keras
import numpy as np

from tfrank.errors import CheckpointMismatch

STATE_FILE = "checkpoint.json"


class TrainingCheckpoint(keras.callbacks.Callback):
    """Saves the training state after every epoch (and every `every` steps)
    and resumes from it.

    Saved in `directory` after each completed epoch: model and optimizer
    variables, the epoch, the loss and metric history, the early-stopping
    state (with the best epoch's weights) and the training time. The
    weights of epoch k go to `epoch-000k.weights.h5`; `checkpoint.json`,
    which names them, is replaced atomically only once they are complete,
    so a kill at any moment leaves the previous epoch's checkpoint usable.

    At the start of `fit` it loads the latest checkpoint, if any, and
    training continues after its epoch, as with Keras' `BackupAndRestore`
    (no `initial_epoch` needed). The data order of each epoch must depend on
    the epoch alone (`SetDataEpoch`) for the resumed run to see what an
    uninterrupted one would have.

    With `every=N`, the state is also saved every N steps of an epoch, with
    the epoch's metric accumulators, so that a kill loses at most N steps.
    Keras cannot start `fit` in the middle of an epoch, so resuming from
    such a state takes two `fit` calls: `position()` gives `(epoch, step)`
    before fitting, the first call fits the rest of that epoch on data that
    skips the rows already trained (`epochs=epoch + 1`; this callback
    restores the weights and the metric totals), the second the epochs
    after it. `tfrank.training.train` does this.

    The state records the run's settings (`run`: a dict, or a
    `tfrank.training.RunConfig`, whose `identity()` is compared): a
    checkpoint of another run raises `CheckpointMismatch` rather than being
    resumed.

    Args:
        directory: str. Where the state is kept.
        run: dict or `RunConfig`, or None (nothing compared).
        early_stopping: optional `ResumableEarlyStopping` whose state is
            saved and restored with the rest.
        timer: optional `TrainTimer` whose total is saved and restored.
        every: int or None. Also save every this many steps of an epoch.

    Attributes:
        history: every epoch's logs, those before a restart included.
        resumed_epochs: epochs the restored checkpoint held (0 when none).

    Example:

    >>> import tempfile
    >>> import numpy as np
    >>> def model():
    ...     keras.utils.set_random_seed(0)
    ...     net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    ...     net.compile(loss="mse")
    ...     return net
    >>> x, y = np.ones((8, 2)), np.ones(8)
    >>> directory = tempfile.mkdtemp()
    >>> first = model()
    >>> _ = first.fit(x, y, epochs=2, verbose=0,
    ...               callbacks=[TrainingCheckpoint(directory, run={"seed": 0})])
    >>> # Started again (say, after a kill): the same call trains the epochs left.
    >>> again = TrainingCheckpoint(directory, run={"seed": 0})
    >>> history = model().fit(x, y, epochs=3, callbacks=[again], verbose=0)  # doctest: +ELLIPSIS
    >>> again.resumed_epochs, len(history.epoch), len(again.history["loss"])
    (2, 1, 3)
    """

    def __init__(self, directory: str, run=None, early_stopping=None, timer=None, every=None):
        super().__init__()
        self.every = int(every) if every else None
        self.directory = directory
        identity = run.identity() if hasattr(run, "identity") else (run or {})
        self.identity = json.loads(json.dumps(identity))
        self.record = json.loads(json.dumps(run.to_dict())) if hasattr(run, "to_dict") else None
        self.early_stopping, self.timer = early_stopping, timer
        self.history: dict[str, list] = {}
        self.best_file = None
        self.resumed_epochs = 0
        self.resumed_step = 0
        self._restored = False
        self._announced = None
        self._metric_values = None
        self._offset = 0
        self._epoch = 0

    def on_train_begin(self, logs=None):
        if not self._restored:
            epoch = self.restore(self.model)
            if epoch:
                # Keras' own BackupAndRestore resumes fit the same way.
                self.model._initial_epoch = epoch

    def on_train_end(self, logs=None):
        if self.resumed_epochs and self.model._initial_epoch == self.resumed_epochs:
            self.model._initial_epoch = None  # a later fit starts where it is told
        self._restored = False

    def position(self) -> tuple[int, int]:
        """`(completed epochs, steps done in the next epoch)` of the saved
        state, `(0, 0)` without one (nothing is loaded)."""
        state = self._read_state()
        if state is None:
            return 0, 0
        return state["epoch"], state.get("step", 0)

    def restore(self, model) -> int:
        """Loads the latest checkpoint into `model` (compiled); returns the
        number of completed epochs (0 when there is none)."""
        self._restored = True
        state = self.load(model)
        if state is None:
            return 0
        self.history = state["history"]
        if self.timer is not None:
            self.timer.seconds = state["train_seconds"]
        if self.early_stopping is not None and state["early_stopping"] is not None:
            self.early_stopping.resume(state["early_stopping"], state["best_weight_values"])
        self.resumed_epochs, self.resumed_step = state["epoch"], state.get("step", 0)
        self._metric_values = None
        if state.get("metric_values"):
            with np.load(os.path.join(self.directory, state["metric_values"])) as saved:
                self._metric_values = [saved[f"m{i}"] for i in range(len(saved.files))]
        where = (state["epoch"], self.resumed_step)
        if where != self._announced:
            step = f", and {self.resumed_step} step(s) of the next" if self.resumed_step else ""
            print(f"Resuming from the checkpoint in {self.directory}: {state['epoch']} "
                  f"epoch(s) done{step}.", file=sys.stderr)  # fmt: skip
            self._announced = where
        return state["epoch"]

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._offset = epoch, 0
        if self.resumed_step and epoch == self.resumed_epochs:
            # The rest of an interrupted epoch: its totals so far, as they were.
            self._offset = self.resumed_step
            if self._metric_values is not None:
                for variable, value in zip(_metric_variables(self.model), self._metric_values):
                    variable.assign(value)

    def on_train_batch_end(self, batch, logs=None):
        step = self._offset + batch + 1
        if self.every and step % self.every == 0:
            self._save_state(self._epoch, step)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self._save_state(epoch + 1, 0)

    def _save_state(self, epochs_done, step):
        stopper, stopping = self.early_stopping, None
        if stopper is not None and stopper.best_weights is not None:
            stopping = stopper.state()
        # Mid-epoch, the epoch's time so far counts too: a resumed run adds
        # only the time of the steps it trains.
        seconds = self.timer.elapsed() if self.timer is not None else 0.0
        best = stopper.best_weights if stopping is not None else None
        self.save(self.model, epochs_done, self.history, stopping, best, seconds, step)
        self._announced = (epochs_done, step)

    def load(self, model) -> dict | None:
        """The saved state (None without one), its weights and optimizer
        state loaded into `model`, the best epoch's weights (if any) under
        `"best_weight_values"`. A checkpoint of another run is an error."""
        state = self._read_state()
        if state is None:
            return None
        saved = state.get("identity", {})
        if saved != self.identity:
            keys = sorted(set(saved) | set(self.identity))
            raise CheckpointMismatch(
                self.directory, [k for k in keys if saved.get(k) != self.identity.get(k)]
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

    def save(self, model, epochs_done, history, early_stopping, best_weights, train_seconds,
             step=0):  # fmt: skip
        """Writes the state after `epochs_done` epochs (and `step` steps of
        the next, with the metric totals). `early_stopping`: `{"wait",
        "best", "best_epoch"}` (0-based epoch) or None; `best_weights`: that
        epoch's `model.get_weights()`."""
        os.makedirs(self.directory, exist_ok=True)
        weights = f"epoch-{epochs_done:04d}-step-{step:09d}.weights.h5"
        model.save_weights(os.path.join(self.directory, weights))
        metric_values = None
        if step:
            metric_values = f"metrics-{epochs_done:04d}-step-{step:09d}.npz"
            arrays = {f"m{i}": keras.ops.convert_to_numpy(v)
                      for i, v in enumerate(_metric_variables(model))}  # fmt: skip
            _atomic(os.path.join(self.directory, metric_values),
                    lambda f: np.savez(f, **arrays), "wb")  # fmt: skip
        if early_stopping is not None:
            best = f"best-{early_stopping['best_epoch'] + 1:04d}.npz"
            if best != self.best_file:
                arrays = {f"w{i}": w for i, w in enumerate(best_weights)}
                _atomic(os.path.join(self.directory, best), lambda f: np.savez(f, **arrays), "wb")
                self.best_file = best
        state = {
            "epoch": epochs_done,
            "step": step,
            "metric_values": metric_values,
            "weights": weights,
            "best_weights": self.best_file if early_stopping is not None else None,
            "early_stopping": early_stopping,
            "history": history,
            "train_seconds": train_seconds,
            "identity": self.identity,
            "run": self.record,
        }
        _atomic(os.path.join(self.directory, STATE_FILE), lambda f: json.dump(state, f), "w")
        for name in os.listdir(self.directory):
            if name not in (STATE_FILE, weights, state["best_weights"], metric_values):
                _remove(os.path.join(self.directory, name))

    def _read_state(self):
        path = os.path.join(self.directory, STATE_FILE)
        if not os.path.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)


def _metric_variables(model):
    """The variables of the running totals `fit` logs (loss, AUC...)."""
    return [v for metric in model.metrics for v in metric.variables]


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
