"""The multi-worker training loop (`MultiWorkerMirroredStrategy`).

Keras 3.15's `fit` fails under `MultiWorkerMirroredStrategy` before its
first step, when it hands a distributed batch to `strategy.reduce`
(benchmarks/distributed_embedding_check.py, part `multi_worker_fit`;
tensorflow/tensorflow#72388 reports a later failure too), so this is a plain
training loop on the public `tf.distribute` API instead: each worker reads
its shard of the rows, the global batch is split evenly, the optimizer
all-reduces the gradients, and every worker scores the whole validation set
itself, so all of them take the same early-stopping decision without
talking to each other.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import tensorflow as tf

from tfrank.data.pipeline import make_dataset
from tfrank.training.callbacks.stop_on_nan import diverged
from tfrank.training.distribution import is_chief, predict_locally


def fit_multi_worker(
    model, strategy, data, batch_size, epochs, seed=0, patience=None, verbose=1,
    checkpoint=None, callbacks=(),
):  # fmt: skip
    """Trains `model` (built and compiled in `strategy.scope()`) on `data`.

    Args:
        batch_size: int. The global batch; each of the `n` replicas takes
            `batch_size / n` rows of its worker's shard per step.
        data: `TrainingData` with `labelled_rows` (`(frame, label)`): every
            epoch shuffles the rows (the same order on every worker, `seed +
            epoch`), deals them out (rows `i, i + W, ...` to worker `i` of
            `W`) and runs `len(frame) // batch_size` full steps, the same
            number on every worker. Streamed data (`worker_batches`) is read
            by shards instead: worker `i` reads shards `i, i + W, ...` only,
            for as many steps as the smallest share allows. After each epoch, `data.evaluate` scores
            the validation rows in this process alone and the model's
            `early_stopping()` metric is taken from it.
        epochs: int. Most epochs.
        patience: stop after this many epochs without a better validation
            metric and restore the best epoch's weights.
        checkpoint: optional `TrainingCheckpoint` in a directory every worker
            can read (a shared file system or bucket): each worker resumes
            from it after its last completed epoch, and worker 0 saves it
            after every epoch.
        callbacks: Keras callbacks told of each epoch's logs
            (`on_epoch_end`), e.g. TensorBoard on the chief.

    Returns:
        A history dict per epoch: `loss`, the validation metric (e.g.
        `val_auc`), `epoch_seconds` (of every epoch, resumed ones included),
        and `resumed_after_epoch`.
    """
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(
            f"batch_size {batch_size} must be a multiple of the {replicas} replicas in sync."
        )
    if data.worker_batches is not None:
        # Streamed data: each worker reads its own shards, never the others'.
        steps = data.worker_steps(_workers(strategy), batch_size)
        rows = f"The smallest worker's share of {data.rows['train']} training rows is"
    else:
        frame, label = data.labelled_rows
        steps = len(frame) // batch_size
        rows = f"{len(frame)} training rows are"
    if steps < 1:
        raise ValueError(f"{rows} fewer than one global batch of {batch_size}.")
    monitor, mode = model.early_stopping()
    better = np.greater if mode == "max" else np.less

    def distribute(epoch):
        if data.worker_batches is None:
            # Shuffled whole, then dealt out: the global batches are those of a
            # single process reading the same order with the same batch size.
            rows = frame.sample(frac=1.0, random_state=seed + epoch)

        def shard(context):
            per_replica = context.get_per_replica_batch_size(batch_size)
            worker, workers = context.input_pipeline_id, context.num_input_pipelines
            if data.worker_batches is not None:
                return data.worker_batches(worker, workers, per_replica, epoch)
            return make_dataset(rows.iloc[worker::workers], data.spec, label, per_replica)

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

    history = {"loss": [], monitor: [], "epoch_seconds": []}
    best, best_weights, best_epoch, waited, first = None, None, 0, 0, 0
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
    for callback in callbacks:
        callback.set_model(model)
    for epoch in range(first, epochs):
        iterator = distribute(epoch)
        start = time.perf_counter()
        losses = []
        for step in range(steps):
            losses.append(float(train_step(iterator)))
            if not np.isfinite(losses[-1]):  # the same all-reduced loss on every worker
                directory = checkpoint.directory if checkpoint is not None else None
                raise diverged(losses[-1], step, epoch, model.optimizer, directory)
        history["loss"].append(float(np.mean(losses)))
        history["epoch_seconds"].append(time.perf_counter() - start)
        value = data.evaluate(model, predict=predict_locally)["validation"][monitor[4:]]
        history[monitor].append(value)
        if best is None or better(value, best):
            best, best_weights, best_epoch, waited = value, model.get_weights(), epoch, 0
        else:
            waited += 1
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {history['loss'][-1]:.4f}, "
                  f"{monitor} {value:.4f}", flush=True)  # fmt: skip
        for callback in callbacks:
            callback.on_epoch_end(epoch, {"loss": history["loss"][-1], monitor: value})
        if checkpoint is not None and is_chief(strategy):
            stopping = {"wait": waited, "best": float(best), "best_epoch": best_epoch}
            seconds = float(np.sum(history["epoch_seconds"]))
            checkpoint.save(model, epoch + 1, history, stopping, best_weights, seconds)
        if patience is not None and waited >= patience:
            break
    for callback in callbacks:
        callback.on_train_end()
    if best_weights is not None and patience is not None:
        model.set_weights(best_weights)
    return {**history, "resumed_after_epoch": first}


def _workers(strategy) -> int:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None:
        return 1
    return max(1, resolver.cluster_spec().num_tasks("worker") or 1)
