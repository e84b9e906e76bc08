"""Serving latency of exported `deepfm` and `din`, on TensorFlow alone, on CPU.

Each model is built at the Criteo shape (13 numerics, 26 categoricals,
embedding 16; din adds a 50-behaviour history), trained for a few steps
and exported with `export_for_serving`. A separate process that blocks
`keras` and `tfrank` imports (`serving_worker.py`) loads the SavedModel and
calls its `serving_default` signature with raw-feature requests of batch
1, 16, 256 and 2,048 rows, one call after another, for `--seconds` each
(at least 50 calls) after a warm-up: p50 and p99 latency per call, and
rows/s. `--cardinality small` (default) caps each field at 10,000 ids,
which keeps the export small; lookups cost the same at Criteo's sizes.

    python benchmarks/serving_latency.py [--seconds 10] [--models deepfm din]

Prints a table and writes benchmarks/results/serving_latency.json and .md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
BATCH_SIZES = (1, 16, 256, 2048)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["deepfm", "din"])
    parser.add_argument("--cardinality", default="small")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--history", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    results = {}
    with tempfile.TemporaryDirectory() as root:
        for name in args.models:
            model_dir, requests = _export(name, args, root)
            env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
            done = subprocess.run(
                [sys.executable, os.path.join(HERE, "serving_worker.py"), model_dir, requests,
                 str(args.seconds)],
                capture_output=True, text=True, env=env, check=False,
            )  # fmt: skip
            lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
            if done.returncode or not lines:
                raise RuntimeError(f"serving worker failed for {name}:\n{done.stderr[-3000:]}")
            outcome = json.loads(lines[-1])
            if outcome["blocked_modules_loaded"]:
                raise RuntimeError(f"keras/tfrank loaded in the serving process: {outcome}")
            results[name] = outcome["results"]
            for size, r in results[name].items():
                print(f"{name:7s} batch {size:>5}  p50 {r['p50_ms']:8.2f} ms  "
                      f"p99 {r['p99_ms']:8.2f} ms  {r['rows_per_second']:10.0f} rows/s",
                      flush=True)  # fmt: skip
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "serving_latency")
    machine = {"platform": platform.platform(), "cpu_count": os.cpu_count()}
    with open(path + ".json", "w") as f:
        json.dump({"settings": vars(args), "machine": machine, "results": results}, f, indent=1)
    with open(path + ".md", "w") as f:
        f.write(markdown(results) + "\n")
    print(markdown(results))
    return 0


def _export(name, args, root):
    import criteo_shape
    import keras
    import tensorflow as tf
    from throughput_worker import feature_spec

    import tfrank
    from tfrank.export import export_for_serving

    history = args.history if name == "din" else 0
    features, labels = criteo_shape.make_batches(4, 2048, args.cardinality, history=history)
    keras.utils.set_random_seed(0)
    spec = feature_spec(args.cardinality, history, features)
    model = tfrank.get_model_class(name)(spec)
    model.compile()
    model.fit(tf.data.Dataset.from_tensor_slices((features, labels)), epochs=1, verbose=0)
    first = {k: v[0] for k, v in features.items()}
    version = export_for_serving(
        model, os.path.join(root, name), {k: v[:4] for k, v in first.items()}
    )
    requests = os.path.join(root, f"{name}_requests.npz")
    np.savez(
        requests, **{f"{size}/{k}": v[:size] for size in BATCH_SIZES for k, v in first.items()}
    )
    return version, requests


def markdown(results):
    lines = [
        "| model | batch | p50 ms | p99 ms | rows/s |",
        "|---|---|---|---|---|",
    ]
    for name, per_size in results.items():
        for size, r in per_size.items():
            lines.append(f"| {name} | {size} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['rows_per_second']:,.0f} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
