"""One timed configuration of `training_throughput.py`, in its own process."""

import resource
import time

import criteo_shape
import keras
import numpy as np
import pandas as pd
import tensorflow as tf

import tfrank
from tfrank import CategoricalFeature, FeatureSpec, NumericFeature, SequenceFeature
from tfrank.optimizers import LazyAdam


def feature_spec(kind, history, features, ids="num_ids"):
    """The ids are dense in [0, size) already, as the peer takes them:
    `num_ids` uses them as they are; `hash` hashes them into `size` buckets."""
    columns = [NumericFeature(n, log_transform=True) for n in criteo_shape.NUMERIC]
    for name, size in zip(criteo_shape.CATEGORICAL, criteo_shape.cardinalities(kind)):
        mapping = {"num_ids": size} if ids == "num_ids" else {"hash_buckets": size}
        columns.append(CategoricalFeature(name, dtype="int64", embedding_dim=16, **mapping))
    if history:
        columns.append(SequenceFeature(criteo_shape.HISTORY, shares="C3", max_length=history))
    frame = pd.DataFrame(
        {name: values[0] for name, values in features.items() if name != criteo_shape.HISTORY}
    )
    if history:
        frame[criteo_shape.HISTORY] = list(features[criteo_shape.HISTORY][0])
    return FeatureSpec(columns).fit(frame)


def optimizer(name, learning_rate):
    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "lazy_adam":
        return LazyAdam(learning_rate)
    raise ValueError(name)


def run(job):
    history = job["history"] if job["model"] == "din" else 0
    batch = job["batch_size"]
    features, labels = criteo_shape.make_batches(
        job["batches"], batch, job["cardinality"], history=history, seed=0
    )
    keras.utils.set_random_seed(0)
    spec = feature_spec(job["cardinality"], history, features, job.get("ids", "num_ids"))
    model = tfrank.get_model_class(job["model"])(spec, **job["config"])
    if job["config"].get("mba_l2"):
        # n_j from one batch: timing only needs the counts to exist.
        model.count_frequencies({name: values[0] for name, values in features.items()})
    compile_args = {
        "jit_compile": job.get("jit_compile", False),
        "steps_per_execution": job.get("steps_per_execution", 1),
    }
    if "optimizer" in job:
        compile_args["optimizer"] = optimizer(job["optimizer"], job.get("learning_rate", 1e-3))
    elif "learning_rate" in job:
        compile_args["optimizer"] = model.default_optimizer()
        compile_args["optimizer"].learning_rate = job["learning_rate"]
    if job.get("metrics") == "none":
        compile_args["metrics"] = []
    model.compile(**compile_args)
    rates = criteo_shape.timed_fits(model, features, labels, job, job.get("autotune", False))
    result = {
        "examples_per_second": rates,
        "parameters": int(model.count_params()),
        "optimizer": type(model.optimizer).__name__,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
    }
    if job["model"] != "din":
        seconds = matmul_seconds(dense_shapes(model), batch)
        result["mlp_matmul_seconds_per_step"] = seconds
        result["roofline"] = seconds / (batch / float(np.median(rates)))
    return result


def dense_shapes(model):
    return [
        tuple(layer.kernel.shape)
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.Dense)
    ]


def matmul_seconds(shapes, batch, repeats=20):
    """Seconds per step of the layers' matmuls alone: x @ W forward, and
    dy @ W^T and x^T @ dy backward, for every `(in, out)` kernel."""
    rng = np.random.default_rng(0)
    tensors = [
        (
            tf.constant(rng.normal(size=(batch, n_in)), tf.float32),
            tf.constant(rng.normal(size=(n_in, n_out)), tf.float32),
            tf.constant(rng.normal(size=(batch, n_out)), tf.float32),
        )
        for n_in, n_out in shapes
    ]

    @tf.function
    def products():
        total = tf.constant(0.0)
        for x, w, dy in tensors:
            forward = tf.matmul(x, w)
            d_x = tf.matmul(dy, w, transpose_b=True)
            d_w = tf.matmul(x, dy, transpose_a=True)
            total += forward[0, 0] + d_x[0, 0] + d_w[0, 0]
        return total

    products().numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        products().numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def fused_vs_per_feature(kind, batch, steps=20):
    """Lookups, gradient and LazyAdam update of the 26 fields' embeddings
    alone: one fused table (`EmbeddingBank`) vs one table per feature."""
    from tfrank.layers import EmbeddingBank
    from tfrank.layers.core.embedding_bank import gather_rows

    features, _ = criteo_shape.make_batches(1, batch, kind)
    sizes = criteo_shape.cardinalities(kind)
    ids = {n: tf.constant(features[n][0]) for n in criteo_shape.CATEGORICAL}
    results = {"cardinality": kind, "batch_size": batch}
    for layout in ("fused", "per_feature"):
        keras.utils.set_random_seed(0)
        if layout == "fused":
            bank = EmbeddingBank(
                [{"name": n, "vocabulary_size": s, "embedding_dim": 16}
                 for n, s in zip(criteo_shape.CATEGORICAL, sizes)]
            )  # fmt: skip
            bank.build()
            variables = bank.trainable_variables

            def embed():
                return bank(ids)
        else:
            # The same row gather as the bank's, so only the fusion differs.
            init = keras.initializers.RandomNormal(stddev=0.01)
            variables = [keras.Variable(init((s, 16))) for s in sizes]

            def embed():
                return keras.ops.stack(
                    [gather_rows(v, tf.cast(ids[n], "int32"))
                     for v, n in zip(variables, criteo_shape.CATEGORICAL)],
                    axis=1,
                )  # fmt: skip

        optimizer = LazyAdam(1e-3)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(embed()))
            optimizer.apply(tape.gradient(loss, variables), variables)

        step()
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        results[f"{layout}_ms_per_step"] = 1000 * float(np.median(times))
    return results
