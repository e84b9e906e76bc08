"""Step time of mini-batch-aware L2 at Criteo's cardinalities.

DIN on the Criteo shape (26 fields, 34M embedding rows in one fused table,
a 50-step history of C3) trains with `mba_l2` 0 and 0.1; the penalty alone
is also timed on the same table, computed two ways: by a scatter of the
batch's reads into a table-sized count vector (how tfrank computed it
before, O(table rows) per step) and by sorting the batch's rows (today's,
O(reads log reads)). Each configuration runs in its own process.

    python benchmarks/mba_step_time.py [--batch-size 1024] [--cardinality criteo]

Prints a table and writes benchmarks/results/mba_step_time.json.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--cardinality", default="criteo")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(_run(json.loads(args.job))))
        return
    base = {"model": "din", "cardinality": args.cardinality, "batch_size": args.batch_size,
            "history": 50, "batches": 8, "steps": args.steps, "warmup_steps": 5, "runs": 3,
            "config": {"attention_units": [80, 40], "hidden_units": [200, 80]}}  # fmt: skip
    jobs = [
        {**base, "kind": "train", "config": {**base["config"], "mba_l2": 0.0}},
        {**base, "kind": "train", "config": {**base["config"], "mba_l2": 0.1}},
        {**base, "kind": "penalty", "method": "scatter"},
        {**base, "kind": "penalty", "method": "sort"},
    ]
    results = []
    for job in jobs:
        out = subprocess.run([sys.executable, __file__, "--job", json.dumps(job)],
                             capture_output=True, text=True, check=True)  # fmt: skip
        result = {**job, **json.loads(out.stdout.strip().splitlines()[-1])}
        results.append(result)
        print(_line(result), flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "mba_step_time.json"), "w") as f:
        json.dump({"runs": results}, f, indent=1)


def _line(r):
    if r["kind"] == "train":
        rate = f"{r['examples_per_second']:,.0f} ex/s"
        return (
            f"DIN mba_l2={r['config']['mba_l2']}: {r['ms_per_step']:.1f} ms/step ({rate}), "
            f"table rows {r['table_rows']:,}"
        )
    return f"penalty by {r['method']}: {r['ms_per_step']:.2f} ms/step"


def _run(job):
    sys.path.insert(0, HERE)
    import numpy as np

    if job["kind"] == "train":
        import throughput_worker

        result = throughput_worker.run(job)
        rate = float(np.median(result["examples_per_second"]))
        bank_rows = _table_rows(job)
        return {"examples_per_second": rate, "ms_per_step": 1000 * job["batch_size"] / rate,
                "table_rows": bank_rows, "peak_rss_mb": result["peak_rss_mb"]}  # fmt: skip
    return _penalty(job)


def _table_rows(job):
    import criteo_shape

    return int(sum(criteo_shape.cardinalities(job["cardinality"])))


def _penalty(job):
    """The penalty's forward and gradient alone on a Criteo-sized table."""
    import criteo_shape
    import keras
    import numpy as np
    import tensorflow as tf
    from keras import ops

    from tfrank.layers import EmbeddingBank
    from tfrank.layers.core.embedding_bank import gather_rows

    sizes = criteo_shape.cardinalities(job["cardinality"])
    features, _ = criteo_shape.make_batches(1, job["batch_size"], job["cardinality"],
                                            history=job["history"], seed=0)  # fmt: skip
    names = list(criteo_shape.CATEGORICAL)
    bank = EmbeddingBank(
        [{"name": n, "vocabulary_size": s, "embedding_dim": 16} for n, s in zip(names, sizes)]
        + [{"name": criteo_shape.HISTORY, "vocabulary_size": 0, "embedding_dim": 16,
            "share_with": "C3"}],
        output_mode="dict", mba_l2=0.1,
    )  # fmt: skip
    ids = {n: tf.constant(features[n][0]) for n in names + [criteo_shape.HISTORY]}
    bank(ids)
    if job["method"] == "scatter":

        def penalty():  # the formulation before: a table-sized count vector per step
            rows = ops.concatenate(
                [
                    ops.reshape(ops.cast(ids[n], "int32") + int(bank.offsets([n])[0]), (-1,))
                    for n in ids
                ]
            )
            frequency, table = bank.frequencies["16"], bank.tables["16"]
            read = ops.ones_like(rows, "float32")
            reads = ops.scatter(ops.expand_dims(rows, 1), read, ops.shape(frequency))
            share = read / (ops.maximum(ops.take(reads, rows), 1.0) * gather_rows(frequency, rows))
            return 0.1 * ops.sum(share * ops.sum(ops.square(gather_rows(table, rows)), -1))
    else:

        def penalty():
            return bank._mba_penalty(ids, {})

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = penalty()
        return value, tape.gradient(value, bank.tables["16"])

    step()
    times = []
    for _ in range(job["steps"]):
        start = time.perf_counter()
        value, _ = step()
        float(value)
        times.append(time.perf_counter() - start)
    keras.backend.clear_session()
    return {"ms_per_step": 1000 * float(np.median(times)), "penalty": float(value)}


if __name__ == "__main__":
    main()
