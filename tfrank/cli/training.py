"""What `tfrank train / evaluate / export` do, callable from Python too."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from types import SimpleNamespace

import keras
import numpy as np
import tensorflow as tf

from tfrank.cli.checkpointing import (
    ResumableEarlyStopping,
    SetShuffleEpoch,
    StopOnNaN,
    TrainingCheckpoint,
    resume_fit,
)
from tfrank.cli.distributed_training import (
    fit_multi_worker,
    is_chief,
    make_strategy,
    predict_locally,
    strategy_scope,
)
from tfrank.cli.outputs import write_outputs
from tfrank.data.data_source import DataSource, load_data
from tfrank.data.frames import train_validation_split
from tfrank.data.pipeline import make_dataset
from tfrank.export.serving_export import export_for_serving
from tfrank.features.feature_spec import FeatureSpec
from tfrank.metrics.classification import auc, gauc, logloss
from tfrank.registry import get_model_class


def train(
    model: str,
    data: str | DataSource = "synthetic",
    validation_data: str | DataSource | None = None,
    epochs: int = 3,
    batch_size: int = 1024,
    output: str | None = None,
    seed: int = 0,
    features: str | FeatureSpec | None = None,
    config: dict | None = None,
    patience: int | None = 1,
    learning_rate: float | None = None,
    verbose: int | str = "auto",
    num_negatives: int = 4,
    strategy: str = "default",
    checkpoint: bool = True,
    checkpoint_dir: str | None = None,
) -> dict:
    """Trains a registered model and writes everything a deployment needs.

    `learning_rate` replaces the rate of the model's default optimizer (for
    Wide & Deep, the deep part's). With `patience`, training stops once validation
    AUC has not improved for
    that many epochs and the best epoch's weights are kept (CTR models often
    overfit after one or two passes); `None` trains all `epochs`.

    `strategy` is `"default"`, `"mirrored"` (the local GPUs) or
    `"multi_worker"` (one process per host, `TF_CONFIG`; see
    `tfrank.cli.distributed_training`); `batch_size` is the global batch.

    With `checkpoint` (default), the training state is saved after every
    epoch in `checkpoint_dir` (default `output/checkpoint`) and a killed run
    started again with the same arguments resumes after its last completed
    epoch (weights, optimizer, early stopping, data order); the checkpoint
    is deleted once the outputs are written. With `multi_worker` only when
    `checkpoint_dir` is given: a directory every worker reads (worker 0
    writes it). A loss that turns NaN raises `TrainingDiverged` (outputs
    untouched).

    Writes `output/model.keras`, `output/serving/<version>/` (TF Serving),
    `output/metrics.json` and `output/feature_spec.json` (in multi-worker
    training, worker 0 does); returns the metrics.
    """
    model_cls = get_model_class(model)
    output = output or os.path.join("saved_models", model)
    if strategy != "multi_worker" and checkpoint and not checkpoint_dir:
        checkpoint_dir = os.path.join(output, "checkpoint")
    # Workers must share the checkpoint, so multi-worker training has one only if named.
    checkpoint_dir = checkpoint_dir if checkpoint else None
    run = {
        "model": model, "data": _name(data), "validation_data": _name(validation_data),
        "seed": seed, "batch_size": batch_size, "config": config, "learning_rate": learning_rate,
        "features": features if isinstance(features, str) or features is None else "object",
        "num_negatives": num_negatives,
    }  # fmt: skip
    if strategy == "multi_worker" and model_cls.task not in ("ctr", "multitask"):
        raise ValueError(
            f"--strategy multi_worker trains click and multi-task models (early stopping on "
            f"AUC); {model} is a {model_cls.task} model."
        )
    distribution = make_strategy(strategy)
    if model_cls.task == "implicit":
        if distribution is not None:
            raise ValueError(f"{model} trains on one device only; drop --strategy {strategy}.")
        # Collaborative filtering: sampled negatives, HR@10 / NDCG@10 validation.
        from tfrank.cli.implicit_training import train_implicit

        return train_implicit(
            model_cls, model, data, epochs, batch_size, output, seed, config, patience,
            learning_rate, _verbosity(verbose), num_negatives, timer=TrainTimer(),
            checkpoint=(checkpoint_dir, run) if checkpoint_dir else None,
        )  # fmt: skip
    source = _source(data, model_cls.synthetic_data, seed)
    if isinstance(features, FeatureSpec):
        spec = features
    else:
        spec = FeatureSpec.load(features) if features else source.feature_spec
    if not spec.features:
        raise ValueError(f"Data {data!r} has no default features: pass --features FILE.")
    _check_table(source, spec)
    if validation_data:
        train_frame = source.frame
        valid_source = _source(validation_data, model_cls.synthetic_data, seed, True)
        _check_table(valid_source, spec)
        valid_frame = valid_source.frame
    else:
        train_frame, valid_frame = train_validation_split(source.frame, 0.1, seed)
    spec = spec.fit(train_frame)

    keras.utils.set_random_seed(seed)
    shuffle_epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
    train_ds = make_dataset(
        train_frame, spec, source.label, batch_size, shuffle=True, seed=seed,
        shuffle_epoch=shuffle_epoch,
    )  # fmt: skip
    valid_ds = make_dataset(valid_frame, spec, source.label, batch_size)
    with strategy_scope(distribution):
        ranker = model_cls.for_training(spec, config, train_ds, valid_ds)
        ranker.compile()
    if learning_rate is not None:
        ranker.optimizer.learning_rate = learning_rate
    monitor, mode = ranker.early_stopping()
    if strategy == "multi_worker":
        history = fit_multi_worker(
            ranker, distribution, train_frame, spec, source.label, batch_size, epochs, seed,
            validation=(valid_frame, _validation_auc(source.label)), patience=patience,
            verbose=_verbosity(verbose),
            checkpoint=TrainingCheckpoint(checkpoint_dir, run) if checkpoint_dir else None,
        )  # fmt: skip
        seconds = sum(history.pop("epoch_seconds"))
        resumed = history.pop("resumed_after_epoch")
        # What fit's History holds.
        history = SimpleNamespace(history=history, resumed_after_epoch=resumed)
    else:
        stop_on = (monitor, mode)
        saver = (checkpoint_dir, run, shuffle_epoch)
        history, seconds = _fit(
            ranker, train_ds, valid_ds, epochs, patience, stop_on, verbose, saver
        )
    metrics = _metrics(
        model, source, validation_data, seed, epochs, history, patience, monitor, mode,
        batch_size, ranker, train_frame, valid_frame, seconds, strategy,
    )  # fmt: skip
    metrics["resumed_after_epoch"] = getattr(history, "resumed_after_epoch", 0)
    if not is_chief(distribution):
        with tempfile.TemporaryDirectory() as scratch:
            # Saving may run collective ops, so every worker saves; only the chief keeps it.
            write_outputs(ranker, spec, scratch, valid_frame, metrics)
        return metrics
    return write_outputs(ranker, spec, output, valid_frame, metrics, checkpoint_dir)


def _fit(ranker, train_ds, valid_ds, epochs, patience, stop_on, verbose, saver):
    monitor, mode = stop_on
    checkpoint_dir, run, shuffle_epoch = saver
    timer = TrainTimer()
    callbacks = [SetShuffleEpoch(shuffle_epoch), timer, *ranker.training_callbacks()]
    callbacks.append(StopOnNaN(checkpoint_dir))
    stopper = None
    if patience is not None:
        stopper = ResumableEarlyStopping(monitor=monitor, mode=mode, patience=patience)
        callbacks.append(stopper)
    history, _ = resume_fit(
        ranker, train_ds, epochs, callbacks, checkpoint_dir, run, stopper, timer,
        validation_data=valid_ds, verbose=_verbosity(verbose),
    )  # fmt: skip
    return history, timer.seconds


def _metrics(model, source, validation_data, seed, epochs, history, patience, monitor, mode,
             batch_size, ranker, train_frame, valid_frame, seconds, strategy):  # fmt: skip
    return {
        "model": model,
        "data": source.name,
        "validation_data": _name(validation_data) or "10% split of data",
        "seed": seed,
        "epochs": epochs,
        "epochs_run": len(history.history["loss"]),
        "best_epoch": _best_epoch(history.history, patience, monitor, mode),
        "batch_size": batch_size,
        "learning_rate": float(ranker.optimizer.learning_rate.numpy()),
        "rows": {"train": len(train_frame), "validation": len(valid_frame)},
        "strategy": strategy,
        "train_seconds": round(seconds, 3),
        "examples_per_second": round(len(train_frame) * len(history.history["loss"]) / seconds, 1),
        "history": {k: [float(x) for x in v] for k, v in history.history.items()},
        "validation": score(
            ranker,
            valid_frame,
            source.label,
            source.group,
            batch_size,
            local=strategy == "multi_worker",
        ),
    }


def _validation_auc(label):
    def validation_auc(ranker, frame):
        return score(ranker, frame, label, local=True)["auc"]

    return validation_auc


def score(ranker, frame, label="label", group=None, batch_size=4096, local=False) -> dict:
    """AUC, logloss (and GAUC when a group column is given) of `ranker`;
    RMSE and MAE for rating models. Multi-task models: those of each task
    under `"tasks"`, and the mean AUC of the binary ones as `"auc"`.
    `local=True` scores in this process alone (multi-worker training)."""
    dataset = make_dataset(frame, ranker.feature_spec, label=None, batch_size=batch_size)
    if local:
        predictions = predict_locally(ranker, dataset)
    else:
        predictions = ranker.predict(dataset, verbose=0)
    groups = frame[group].to_numpy() if group is not None and group in frame.columns else None
    if ranker.task != "multitask":
        binary = ranker.task != "rating"
        return {**_scores(frame[label], predictions, binary, groups), "rows": len(frame)}
    tasks = {
        t["name"]: _scores(
            frame[t["name"]], predictions[t["name"]], t["loss"] == "binary_crossentropy", groups
        )  # fmt: skip
        for t in ranker.tasks
    }
    aucs = [s["auc"] for s in tasks.values() if "auc" in s]
    summary = {"auc": float(np.mean(aucs))} if aucs else {}
    return {**summary, "tasks": tasks, "rows": len(frame)}


def _scores(labels, predictions, binary, groups=None) -> dict:
    labels = labels.to_numpy(np.float64)
    predictions = np.asarray(predictions).reshape(-1)
    if not binary:
        errors = predictions - labels
        return {"rmse": float(np.sqrt(np.mean(errors**2))), "mae": float(np.mean(np.abs(errors)))}
    result = {"auc": auc(labels, predictions), "logloss": logloss(labels, predictions)}
    if groups is not None:
        result["gauc"] = gauc(labels, predictions, groups)
    return result


def evaluate(model_dir: str, data: str | DataSource, seed: int | None = None) -> dict:
    """Scores a trained model directory on a data spec (held-out rows for
    synthetic data)."""
    ranker = load_model(model_dir)
    if seed is None:
        seed = _read_json(os.path.join(model_dir, "metrics.json")).get("seed", 0)
    if ranker.task == "implicit":
        from tfrank.cli.implicit_training import rank_metrics
        from tfrank.data.data_source import load_implicit

        return rank_metrics(
            ranker, data if not isinstance(data, str) else load_implicit(data, seed)
        )
    source = _source(data, ranker.synthetic_data, seed, held_out=True)
    return score(ranker, source.frame, source.label, source.group)


def export(model_dir: str) -> str:
    """Exports `model_dir/model.keras` as the next `serving/<version>/`."""
    ranker = load_model(model_dir)
    example = _read_json(os.path.join(model_dir, "example_features.json"))
    spec = ranker.feature_spec
    example = {
        name: np.asarray(example[name], dtype=object if dtype == "string" else dtype)
        for name, dtype in spec.input_dtypes.items()
    }
    return export_for_serving(ranker, os.path.join(model_dir, "serving"), example)


def load_model(model_dir: str):
    path = os.path.join(model_dir, "model.keras")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model.keras in {model_dir!r}: train a model there first.")
    import tfrank.models  # noqa: F401  (registers the classes the file names)

    return keras.models.load_model(path, safe_mode=True)


def _source(data, synthetic, seed, held_out=False) -> DataSource:
    if isinstance(data, DataSource):
        return data
    return load_data(data, synthetic=synthetic, seed=seed, held_out=held_out)


def _check_table(source, spec):
    """Columns of a data source checked up front, naming the source."""
    spec.check_columns(source.frame, where=f"data {source.name!r}")
    labels = [source.label] if isinstance(source.label, str) else list(source.label or [])
    missing = [name for name in labels if name not in source.frame.columns]
    if missing:
        raise ValueError(
            f"The data {source.name!r} has no label column(s) {missing}; "
            f"columns: {list(source.frame.columns)}"
        )


def _name(data):
    if data is None or isinstance(data, str):
        return data
    return getattr(data, "name", type(data).__name__)


def _best_epoch(history, patience, monitor, mode):
    if patience is None:
        return len(history["loss"])
    values = np.asarray(history[monitor])
    return int(np.argmax(values) if mode == "max" else np.argmin(values)) + 1


def _read_json(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Missing {path}.")
    with open(path) as f:
        return json.load(f)


def _verbosity(verbose):
    if verbose != "auto":
        return verbose
    return 1 if sys.stdout.isatty() else 2


class TrainTimer(keras.callbacks.Callback):
    """Training time of all epochs (`seconds`) and of each (`epoch_seconds`),
    validation passes excluded."""

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

    def _stop(self):
        if self._start is not None:
            elapsed = time.perf_counter() - self._start
            self.seconds += elapsed
            self.epoch_seconds[-1] += elapsed
            self._start = None
