"""`tfrank train` for implicit-feedback models: per-epoch negative sampling,
leave-one-out HR@K / NDCG@K for early stopping and for the test figures."""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from tfrank.cli.checkpointing import (
    ResumableEarlyStopping,
    StopOnNaN,
    TrainingCheckpoint,
    resume_fit,
)
from tfrank.cli.outputs import write_outputs
from tfrank.data.data_source import load_implicit
from tfrank.data.implicit_feedback import ImplicitFeedback
from tfrank.data.negative_sampler import NegativeSampler
from tfrank.data.pipeline import make_dataset
from tfrank.metrics.ranking import hit_rate, ndcg, positive_ranks


def train_implicit(
    model_cls, name, data, epochs, batch_size, output, seed, config, patience, learning_rate,
    verbose, num_negatives=4, k=10, timer=None, checkpoint=None,
) -> dict:  # fmt: skip
    """Trains `model_cls` on `data` (spec string or `ImplicitFeedback`); see
    `training.train`. `checkpoint`: `(directory, run settings)` to resume from
    and save to, or None."""
    source = data if isinstance(data, ImplicitFeedback) else load_implicit(data, seed)
    fit_part, validation = source.validation_split(seed)
    spec = source.feature_spec().fit(source.vocabulary_frame())
    keras.utils.set_random_seed(seed)
    sampler = NegativeSampler(fit_part.train, source.items, num_negatives, seed)
    train_ds = sampler.dataset(spec, batch_size)
    ranker = model_cls.for_training(spec, config, train_ds, None)
    ranker.compile()
    if learning_rate is not None:
        ranker.optimizer.learning_rate = learning_rate
    checkpoint_dir, run = checkpoint or (None, None)
    callbacks = [timer, LeaveOneOutValidation(validation, (k,)), *ranker.training_callbacks()]
    callbacks.append(StopOnNaN(checkpoint_dir))
    stopper = None
    if patience is not None:
        stopper = ResumableEarlyStopping(monitor=f"val_ndcg@{k}", mode="max", patience=patience)
        callbacks.append(stopper)
    # Epoch e draws negatives with seed (seed, e): a resumed run draws what it would have.
    sampler.epoch = TrainingCheckpoint(checkpoint_dir, run).restore_epoch() if checkpoint_dir else 0
    history, resumed = resume_fit(
        ranker, train_ds, epochs, callbacks, checkpoint_dir, run, stopper, timer, verbose=verbose
    )
    val_ndcg = history.history[f"val_ndcg@{k}"]
    epochs_run = len(history.history["loss"])
    rows = len(fit_part.train) * (1 + num_negatives)
    metrics = {
        "model": name,
        "data": source.name,
        "seed": seed,
        "epochs": epochs,
        "epochs_run": epochs_run,
        "best_epoch": int(np.argmax(val_ndcg)) + 1 if patience is not None else epochs_run,
        "batch_size": batch_size,
        "num_negatives": num_negatives,
        "learning_rate": float(ranker.optimizer.learning_rate.numpy()),
        "rows": {"train_positives": len(fit_part.train), "train_per_epoch": rows,
                 "validation_users": len(validation.test), "test_users": len(source.test)},
        "train_seconds": round(timer.seconds, 3),
        "seconds_per_epoch": round(timer.seconds / epochs_run, 3),
        "examples_per_second": round(rows * epochs_run / timer.seconds, 1),
        "history": {key: [float(x) for x in v] for key, v in history.history.items()},
        "resumed_after_epoch": resumed,
        "validation": rank_metrics(ranker, validation, (k,)),
        "test": rank_metrics(ranker, source, (k,)),
    }  # fmt: skip
    return write_outputs(ranker, spec, output, validation.test, metrics, checkpoint_dir)


def rank_metrics(ranker, data: ImplicitFeedback, ks=(10,), full=None, batch_size=65536) -> dict:
    """HR@K and NDCG@K of each held-out item: against `data.test_negatives`,
    or with `full=True` (the default when there are none) against every
    item the user has no training interaction with."""
    full = data.test_negatives is None if full is None else full
    start = time.perf_counter()
    if full:
        ranks = _full_ranks(ranker, data, batch_size)
    else:
        users = data.test["user_id"].to_numpy()
        positives = data.test["item_id"].to_numpy()
        negatives = data.test_negatives
        items = np.concatenate([positives[:, None], negatives], axis=1)
        scores = _scores(ranker, np.repeat(users, items.shape[1]), items.reshape(-1), batch_size)
        scores = scores.reshape(items.shape)
        ranks = positive_ranks(scores[:, 0], scores[:, 1:], negatives != positives[:, None])
    result = {"protocol": "all items" if full else f"{data.test_negatives.shape[1]} negatives"}
    for k in ks:
        result[f"hr@{k}"] = hit_rate(ranks, k)
        result[f"ndcg@{k}"] = ndcg(ranks, k)
    result["users"] = len(ranks)
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _scores(ranker, users, items, batch_size):
    frame = pd.DataFrame({"user_id": users, "item_id": items})
    dataset = make_dataset(frame, ranker.feature_spec, label=None, batch_size=batch_size)
    return _logit_model(ranker).predict(dataset, verbose=0).reshape(-1)


def _logit_model(ranker):
    """The model up to its final sigmoid: the same order as the probability,
    without float32 saturation turning confident scores into ties at 1.0."""
    try:
        sigmoid = ranker.get_layer("probability")
    except ValueError:
        return ranker
    return keras.Model(ranker.input, sigmoid.input)


def _full_ranks(ranker, data, batch_size):
    catalogue = np.sort(np.asarray(data.items))
    seen = data.train.groupby("user_id")["item_id"].agg(set)
    ranks = np.empty(len(data.test), np.int64)
    per_chunk = max(1, batch_size // len(catalogue))
    users, positives = data.test["user_id"].to_numpy(), data.test["item_id"].to_numpy()
    for start in range(0, len(users), per_chunk):
        chunk = users[start : start + per_chunk]
        scores = _scores(ranker, np.repeat(chunk, len(catalogue)), np.tile(catalogue, len(chunk)),
                         batch_size).reshape(len(chunk), len(catalogue))  # fmt: skip
        for row, user in enumerate(chunk):
            positive = positives[start + row]
            keep = catalogue != positive
            if user in seen.index:
                keep &= ~np.isin(catalogue, list(seen[user]))
            target = scores[row, np.searchsorted(catalogue, positive)]
            ranks[start + row] = np.count_nonzero(scores[row, keep] >= target)
    return ranks


class LeaveOneOutValidation(keras.callbacks.Callback):
    """Adds `val_hr@K` and `val_ndcg@K` to each epoch's logs (before early
    stopping reads them: list this callback first)."""

    def __init__(self, data: ImplicitFeedback, ks=(10,)):
        super().__init__()
        self.data, self.ks = data, tuple(ks)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key, value in rank_metrics(self.model, self.data, self.ks).items():
            if "@" in key:
                logs[f"val_{key}"] = value
