"""Data-parallel training on TensorFlow's distribution strategies.

`default` and `mirrored` train with `model.fit` (one process; Mirrored
splits each batch over the local GPUs, or CPUs). `multi_worker` runs one
process per host with `TF_CONFIG`; Keras 3.15's `fit` fails there in the
reduction of its logs (tensorflow/tensorflow#72388), so `fit_multi_worker`
is a plain training loop on the public `tf.distribute` API instead: each
worker reads its shard of the rows, the global batch is split evenly, the
optimizer all-reduces the gradients, and every worker scores the whole
validation set itself, so all of them take the same early-stopping
decision without talking to each other.
"""

from __future__ import annotations

import contextlib
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from tfrank.cli.checkpointing import diverged
from tfrank.data.pipeline import make_dataset

STRATEGIES = ("default", "mirrored", "multi_worker")


def make_strategy(name: str):
    """The `tf.distribute.Strategy` for `--strategy NAME`, or None."""
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}. Received: {name!r}")
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        # Reads TF_CONFIG; without it this is a single worker.
        return tf.distribute.MultiWorkerMirroredStrategy()
    return None


def strategy_scope(strategy):
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def is_chief(strategy) -> bool:
    """Whether this process writes the outputs (worker 0, or no cluster)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker"
        and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict()
    )


def fit_multi_worker(model, strategy, frame, spec, label, batch_size, epochs, seed=0,
                     shuffle=True, validation=None, patience=None, verbose=1,
                     checkpoint=None):  # fmt: skip
    """Trains `model` (built and compiled in `strategy.scope()`) on `frame`.

    Args:
        batch_size: the global batch; each of the `n` replicas takes
            `batch_size / n` rows of its worker's shard per step. Every epoch
            shuffles the rows (the same order on every worker, `seed +
            epoch`), deals them out (rows `i, i + W, ...` to worker `i` of
            `W`) and runs `len(frame) // batch_size` full steps, the same
            number on every worker.
        validation: optional `(frame, score_fn)`; `score_fn(model, frame)`
            returns the validation AUC after each epoch (computed by each
            worker alone, e.g. with `predict_locally`).
        patience: stop after this many epochs without a better validation
            AUC and restore the best epoch's weights.
        checkpoint: optional `TrainingCheckpoint` in a directory every worker
            can read (a shared file system or bucket): each worker resumes
            from it after its last completed epoch, and worker 0 saves it
            after every epoch.

    Returns:
        A history dict per epoch: `loss`, `val_auc`, `epoch_seconds` (of
        every epoch, resumed ones included), and `resumed_after_epoch`.
    """
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(
            f"batch_size {batch_size} must be a multiple of the {replicas} replicas in sync."
        )
    steps = len(frame) // batch_size
    if steps < 1:
        raise ValueError(
            f"{len(frame)} training rows are fewer than one global batch of {batch_size}."
        )

    def distribute(rows):
        def shard(context):
            mine = rows.iloc[context.input_pipeline_id :: context.num_input_pipelines]
            per_replica = context.get_per_replica_batch_size(batch_size)
            return make_dataset(mine, spec, label, per_replica)

        return iter(strategy.distribute_datasets_from_function(shard))

    def replica_step(features, labels):
        with tf.GradientTape() as tape:
            predictions = model(features, training=True)
            # Keras scales this replica's mean loss (model losses included)
            # by 1 / replicas under a strategy; the optimizer sums gradients
            # over replicas, so together they follow the global mean.
            scaled = model.compute_loss(x=features, y=labels, y_pred=predictions, training=True)
        gradients = tape.gradient(scaled, model.trainable_variables)
        model.optimizer.apply(gradients, model.trainable_variables)
        # The global batch's mean loss, the same on every replica.
        return tf.distribute.get_replica_context().all_reduce("SUM", scaled)

    @tf.function
    def train_step(iterator):
        features, labels = next(iterator)
        losses = strategy.run(replica_step, args=(features, labels))
        return strategy.experimental_local_results(losses)[0]

    history = {"loss": [], "val_auc": [], "epoch_seconds": []}
    best, best_weights, best_epoch, waited, first = -np.inf, None, 0, 0, 0
    state = None
    if checkpoint is not None:
        with strategy.scope():  # the optimizer's slots are created here
            state = checkpoint.load(model)
    if state is not None:
        first, history = state["epoch"], state["history"]
        if state["early_stopping"] is not None:
            stopping, best_weights = state["early_stopping"], state["best_weight_values"]
            best, waited, best_epoch = stopping["best"], stopping["wait"], stopping["best_epoch"]
        if verbose:
            print(f"Resuming from the checkpoint in {checkpoint.directory}: {first} epoch(s) "
                  f"done, training epochs {first + 1}-{epochs}.", file=sys.stderr)  # fmt: skip
    for epoch in range(first, epochs):
        # Shuffled whole, then dealt out: the global batches are those of a
        # single process reading the same order with the same batch size.
        rows = frame.sample(frac=1.0, random_state=seed + epoch) if shuffle else frame
        iterator = distribute(rows)
        start = time.perf_counter()
        losses = []
        for step in range(steps):
            losses.append(float(train_step(iterator)))
            if not np.isfinite(losses[-1]):  # the same all-reduced loss on every worker
                directory = checkpoint.directory if checkpoint is not None else None
                raise diverged(losses[-1], step, epoch, model.optimizer, directory)
        history["loss"].append(float(np.mean(losses)))
        history["epoch_seconds"].append(time.perf_counter() - start)
        message = f"epoch {epoch + 1}/{epochs}: loss {history['loss'][-1]:.4f}"
        if validation is not None:
            value = validation[1](model, validation[0])
            history["val_auc"].append(value)
            message += f", val_auc {value:.4f}"
            if value > best:
                best, best_weights, best_epoch, waited = value, model.get_weights(), epoch, 0
            else:
                waited += 1
        if verbose:
            print(message, flush=True)
        if checkpoint is not None and is_chief(strategy):
            stopping = None
            if best_weights is not None:
                stopping = {"wait": waited, "best": float(best), "best_epoch": best_epoch}
            seconds = float(np.sum(history["epoch_seconds"]))
            checkpoint.save(model, epoch + 1, history, stopping, best_weights, seconds)
        if patience is not None and patience > 0 and waited >= patience:
            break
    if best_weights is not None and patience is not None and patience > 0:
        model.set_weights(best_weights)
    return {**history, "resumed_after_epoch": first}


def predict_locally(model, dataset):
    """The model's outputs over a dataset, computed by this process alone
    (`predict` under a multi-worker strategy would involve every worker)."""
    outputs = [model(x, training=False) for x in dataset]
    if isinstance(outputs[0], dict):
        return {k: np.concatenate([keras.ops.convert_to_numpy(o[k]) for o in outputs])
                for k in outputs[0]}  # fmt: skip
    return np.concatenate([keras.ops.convert_to_numpy(o) for o in outputs])
