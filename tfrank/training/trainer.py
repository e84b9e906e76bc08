"""Training as a library: train, evaluate, export and load a model directory."""

from __future__ import annotations

import json
import os
import sys
import tempfile

import keras
import numpy as np

from tfrank.errors import NeedsPreparedData, StrategyNotSupported
from tfrank.export.serving_export import export_for_serving
from tfrank.models.catalogue import get_model_class
from tfrank.training.callbacks import (
    ResumableEarlyStopping,
    SetDataEpoch,
    StopOnNaN,
    TrainingCheckpoint,
    TrainTimer,
)
from tfrank.training.distribution import (
    is_chief,
    make_strategy,
    predict_locally,
    strategy_scope,
)
from tfrank.training.multi_worker import fit_multi_worker
from tfrank.training.outputs import write_outputs
from tfrank.training.run_config import RunConfig


def train(run: RunConfig | str | None = None, /, callbacks=(), **settings) -> dict:
    """Trains a registered model and writes everything a deployment needs.

    `run` is a `RunConfig`, or the model name with the other settings as
    keywords (`train("deepfm", data="criteo:train.txt", epochs=2)`); any
    keyword replaces the `RunConfig` field of that name. `callbacks` are
    more Keras callbacks, run with the library's own.

    The model's family lays out the data (`prepare_training`: which rows
    train and which validate, the fitted feature spec, the per-epoch order);
    the same loop then builds the model (`for_training`), compiles it with
    its defaults, fits it with early stopping on the family's metric, and
    scores it. With `checkpoint` (default) the state is saved after every
    epoch and a killed run started again with the same settings resumes
    after its last completed epoch; a loss that turns NaN raises
    `tfrank.errors.TrainingDiverged` and writes nothing.

    Writes `model.keras`, `serving/<version>/` (TF Serving), `metrics.json`
    (the run's settings, then what it measured), `feature_spec.json`,
    `example_features.json` and TensorBoard logs in `run.output_dir`
    (with `multi_worker`, the chief does); returns the metrics.

    Example:

    >>> import tempfile
    >>> metrics = train("logistic_regression", data="synthetic:2000", epochs=1,
    ...                 output=tempfile.mkdtemp(), verbose=0)
    >>> metrics["model"], metrics["epochs_run"], sorted(metrics["validation"])
    ('logistic_regression', 1, ['auc', 'gauc', 'logloss', 'rows'])
    """
    run = _run_config(run, settings)
    model_cls = get_model_class(run.model)
    if run.strategy not in model_cls.strategies:
        raise StrategyNotSupported(run.model, run.strategy, model_cls.strategies)
    _check_multi_worker_data(run, model_cls)
    distribution = make_strategy(run.strategy)
    data = model_cls.prepare_training(
        run.data, run.validation_data, run.features, run.model_config, run.batch_size,
        run.seed, run.num_negatives, stream=run.stream_settings(),
    )  # fmt: skip
    keras.utils.set_random_seed(run.seed)
    with strategy_scope(distribution):
        model = model_cls.for_training(data.spec, run.model_config, data.train, data.validation)
        model.compile()
    if run.learning_rate is not None:
        model.optimizer.learning_rate = run.learning_rate
    chief = is_chief(distribution)
    extra = list(callbacks)
    if run.tensorboard_dir and chief:
        extra.append(keras.callbacks.TensorBoard(run.tensorboard_dir, write_graph=False))
    if run.strategy == "multi_worker":
        history = _fit_multi_worker(model, distribution, data, run, extra)
    else:
        history = _fit(model, data, run, extra)
    predict = predict_locally if run.strategy == "multi_worker" else None
    metrics = _metrics(run, model_cls, model, data, history, predict)
    if not chief:
        with tempfile.TemporaryDirectory() as scratch:
            # Saving may run collective ops, so every worker saves; only the chief keeps it.
            write_outputs(model, data.spec, scratch, data.example_frame, metrics)
        return metrics
    return write_outputs(
        model, data.spec, run.output_dir, data.example_frame, metrics, run.checkpoint_path
    )


def _check_multi_worker_data(run, model_cls):
    # Every worker would prepare every file itself: prepare once, then each
    # worker reads only its own shards of the prepared data.
    data = run.data
    if run.strategy != "multi_worker" or not isinstance(data, str):
        return
    if not data.startswith("prepared:") and model_cls._streams(data, run.stream_settings()):
        raise NeedsPreparedData(data)


def _run_config(run, settings) -> RunConfig:
    if isinstance(run, RunConfig):
        return RunConfig(**{**vars(run), **settings})
    if isinstance(run, str):
        return RunConfig(run, **settings)
    if run is None:
        return RunConfig(**settings)
    raise ValueError(f"train() takes a RunConfig or a model name. Received: {run!r}")


def _fit(model, data, run, extra_callbacks) -> dict:
    """`fit` with the family's callbacks, early stopping and a resumable
    checkpoint; returns the history of every epoch (resumed ones too)."""
    timer = TrainTimer()
    callbacks = [SetDataEpoch(data.data_epoch)] if data.data_epoch is not None else []
    callbacks += [timer, *data.callbacks, *model.training_callbacks()]
    callbacks.append(StopOnNaN(run.checkpoint_path))
    stopper = None
    if run.patience is not None:
        monitor, mode = model.early_stopping()
        stopper = ResumableEarlyStopping(monitor=monitor, mode=mode, patience=run.patience)
        callbacks.append(stopper)
    callbacks += extra_callbacks
    checkpoint = None
    if run.checkpoint_every and data.train_from is None:
        raise ValueError(
            f"{run.model} resumes at epoch boundaries only (its data cannot start mid-epoch); "
            "leave checkpoint_every unset."
        )
    if run.checkpoint_path:
        checkpoint = TrainingCheckpoint(
            run.checkpoint_path, run, stopper, timer, every=run.checkpoint_every
        )
        callbacks.append(checkpoint)
    verbose = _verbosity(run.verbose)
    epoch, step = checkpoint.position() if checkpoint is not None else (0, 0)
    if step and data.train_from is not None and epoch < run.epochs:
        # Killed mid-epoch: fit the rest of that epoch on the rows after the
        # checkpoint's step, then the epochs after it (Keras' fit cannot
        # start inside an epoch).
        model.fit(data.train_from(step * run.batch_size), validation_data=data.validation,
                  epochs=epoch + 1, callbacks=callbacks, verbose=verbose)  # fmt: skip
    if not (step and (model.stop_training or epoch + 1 >= run.epochs)):
        fitted = model.fit(
            data.train,
            validation_data=data.validation,
            epochs=run.epochs,
            callbacks=callbacks,
            verbose=verbose,
        )
    history = checkpoint.history if checkpoint is not None else fitted.history
    return {"history": history, "seconds": timer.seconds, "resumed_after_epoch": epoch,
            "resumed_at_step": step}  # fmt: skip


def _fit_multi_worker(model, distribution, data, run, extra_callbacks) -> dict:
    checkpoint = None
    if run.checkpoint_path:
        checkpoint = TrainingCheckpoint(run.checkpoint_path, run)
    history = fit_multi_worker(
        model, distribution, data, run.batch_size, run.epochs, run.seed, run.patience,
        verbose=_verbosity(run.verbose), checkpoint=checkpoint, callbacks=extra_callbacks,
    )  # fmt: skip
    seconds = float(np.sum(history.pop("epoch_seconds")))
    resumed = history.pop("resumed_after_epoch")
    return {"history": history, "seconds": seconds, "resumed_after_epoch": resumed}


def _metrics(run, model_cls, model, data, fitted, predict) -> dict:
    history, seconds = fitted["history"], fitted["seconds"]
    epochs_run = len(history["loss"])
    best_epoch = epochs_run
    if run.patience is not None:
        monitor, mode = model.early_stopping()
        values = np.asarray(history[monitor])
        best_epoch = int(np.argmax(values) if mode == "max" else np.argmin(values)) + 1
    optimizer = model.optimizer
    return {
        **run.to_dict(),
        "family": model_cls.family_base().family_name,
        "data_name": data.name,
        "validation_name": data.validation_name,
        "optimizer": {
            "class": type(optimizer).__name__,
            "learning_rate": float(keras.ops.convert_to_numpy(optimizer.learning_rate)),
        },
        "rows": data.rows,
        "epochs_run": epochs_run,
        "best_epoch": best_epoch,
        "resumed_after_epoch": fitted["resumed_after_epoch"],
        "resumed_at_step": fitted.get("resumed_at_step", 0),
        "reading": data.reading,
        "train_seconds": round(seconds, 3),
        "seconds_per_epoch": round(seconds / epochs_run, 3),
        "examples_per_second": round(data.examples_per_epoch * epochs_run / seconds, 1),
        "history": {k: [float(x) for x in v] for k, v in history.items()},
        **data.evaluate(model, predict),
    }


def evaluate(model_dir: str, data=None, seed: int | None = None) -> dict:
    """Scores a trained model directory on data: a data spec of the model's
    family (read as held-out data: fresh synthetic rows, a test fold, each
    user's last interaction...) or loaded data; by default the data it was
    trained on, held out the same way (for streamed training data, the
    validation rows of its prepared data). Files too large for memory are
    scored chunk by chunk. `seed` defaults to the training's."""
    model = load_model(model_dir)
    trained = _read_json(os.path.join(model_dir, "metrics.json"))
    seed = trained.get("seed", 0) if seed is None else seed
    if data is None and trained.get("reading", {}).get("mode") == "streaming":
        data = f"prepared:{trained['reading']['prepared']}"
    data = trained.get("data") if data is None else data
    if isinstance(data, str):
        streamed = model.score_files(data)
        if streamed is not None:
            return streamed
        data = model.load_data(data, seed, held_out=True)
    return model.score(data)


def export(model_dir: str) -> str:
    """Exports `model_dir/model.keras` as the next `serving/<version>/`."""
    model = load_model(model_dir)
    example = _read_json(os.path.join(model_dir, "example_features.json"))
    spec = model.feature_spec
    example = {
        name: np.asarray(example[name], dtype=object if dtype == "string" else dtype)
        for name, dtype in spec.input_dtypes.items()
    }
    return export_for_serving(model, os.path.join(model_dir, "serving"), example)


def load_model(model_dir: str):
    """The `model.keras` of a model directory, loaded with Keras' safe mode
    (a file holding a Python lambda is refused)."""
    path = os.path.join(model_dir, "model.keras")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model.keras in {model_dir!r}: train a model there first.")
    return keras.models.load_model(path, safe_mode=True)


def _read_json(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Missing {path}.")
    with open(path) as f:
        return json.load(f)


def _verbosity(verbose):
    if verbose != "auto":
        return verbose
    return 1 if sys.stdout.isatty() else 2
