"""What the routes to sharded tables and to multi-worker `fit` do on CPU
with Keras 3 on TensorFlow, so docs/scaling_out.md states measurements.

- distributed_embedding: a keras-rs `DistributedEmbedding` with one 100 x 4
  table (`placement="auto"`): the placement it resolves to, its weights
  (shapes, count, device, type), whether a lookup runs and returns the
  table's rows; then the same table with `placement="sparsecore"`.
- keras_distribution: two logical CPUs as a `keras.distribution.DeviceMesh`
  of axis "model", a `ModelParallel` distribution whose `LayoutMap` splits
  the rows of a Keras `Embedding(100, 4)` and of a tfrank DeepFM's table
  over that axis, set with `set_distribution`: the layout Keras asks for
  each variable, and what the variable is (one variable or a DTensor, its
  device), and whether a lookup runs.
- multi_worker_fit: two worker processes on 127.0.0.1 (TF_CONFIG) each
  build a tfrank DeepFM under `tf.distribute.MultiWorkerMirroredStrategy`
  and call `model.fit` on a `tf.data.Dataset`: trained, or the error.

Each part runs in processes of its own (the logical CPUs and the
multi-worker strategy must be set before TensorFlow starts). A step that
raises is recorded with its error, not skipped.

    python benchmarks/distributed_embedding_check.py

Prints and writes benchmarks/results/distributed_embedding_check.json.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import traceback
from importlib import metadata

from common import ROOT, free_ports, site_price_data

RESULTS = os.path.join(ROOT, "benchmarks", "results")
MARK = "RESULT "
WORKERS = 2


def _error(error):
    # Errors over distributed values print every tensor; their shapes and
    # the message around them carry the finding.
    text = re.sub(r"numpy=[^>]*>", "numpy=...>", f"{type(error).__name__}: {error}")
    # Keras filters its frames from tracebacks; the innermost frame of Keras
    # or keras-rs says which part raised.
    frames = [
        f"{f.filename.split('site-packages/')[-1]}:{f.lineno} {f.name}"
        for f in traceback.extract_tb(error.__traceback__)
        if re.search(r"site-packages/keras(_rs)?/", f.filename)
    ]
    return {"error": text[:1000], "raised_at": frames[-1] if frames else None}


def _attempt(fn):
    try:
        return fn()
    except Exception as error:  # the finding is the error itself
        return _error(error)


def _variable(variable, distribution=None):
    from tensorflow.experimental import dtensor

    value = variable.value
    found = {
        "path": variable.path,
        "shape": list(variable.shape),
        "type": type(value).__name__,
        "device": value.device,
        "is_dtensor": bool(dtensor.is_dtensor(value)),
    }
    if distribution is not None:
        wanted = distribution.get_variable_layout(variable)
        found["layout_requested"] = list(wanted.axes) if wanted is not None else None
        # `_layout` is where the JAX backend keeps the layout it applied; no
        # public accessor says whether a variable took one.
        applied = getattr(variable, "_layout", None)
        found["layout_applied"] = list(applied.axes) if applied is not None else None
    return found


def _small_deepfm():
    from tfrank.models import DeepFM

    frame, spec = site_price_data(rows=512, sites=100, embedding_dim=4)
    return frame, spec, lambda: DeepFM(spec, hidden_units=[8])


def distributed_embedding():
    import keras
    import keras_rs
    import numpy as np
    import tensorflow as tf

    def layer(placement):
        table = keras_rs.layers.TableConfig(
            name="table", vocabulary_size=100, embedding_dim=4, placement=placement
        )
        feature = keras_rs.layers.FeatureConfig(
            name="feature", table=table, input_shape=(8,), output_shape=(8, 4)
        )
        return keras_rs.layers.DistributedEmbedding({"feature": feature})

    ids = np.arange(0, 80, 10)
    auto = layer("auto")
    outputs = auto({"feature": ids})["feature"]
    rows = keras.ops.convert_to_numpy(auto.weights[0])[ids]

    def sparsecore():
        forced = layer("sparsecore")
        forced({"feature": ids})
        return {"ran": True, "weights": [_variable(w) for w in forced.weights]}

    return {
        "table": {"vocabulary_size": 100, "embedding_dim": 4, "placement": "auto"},
        "strategy": type(tf.distribute.get_strategy()).__name__,
        # `_placement_to_path_to_feature_config` is the only record of what
        # "auto" resolved to; keras-rs exposes no accessor for it.
        "placements_resolved": sorted(auto._placement_to_path_to_feature_config),
        "weights_count": len(auto.weights),
        "weights": [_variable(w) for w in auto.weights],
        "lookup": {
            "ids": ids.tolist(),
            "output_shape": list(outputs.shape),
            "equals_table_rows": bool(np.allclose(keras.ops.convert_to_numpy(outputs), rows)),
        },
        "placement_sparsecore": _attempt(sparsecore),
    }


def keras_distribution():
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np

    found = {"devices": keras.distribution.list_devices("cpu")}
    mesh = keras.distribution.DeviceMesh(
        shape=(2,), axis_names=("model",), devices=found["devices"]
    )
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map["embedding/embeddings"] = ("model", None)
    layout_map[r"embeddings/table_\d+"] = ("model", None)
    found["mesh"] = {"shape": list(mesh.shape), "axis_names": list(mesh.axis_names)}
    found["layout_map"] = {key: list(layout.axes) for key, layout in layout_map.items()}
    distribution = keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="model")
    keras.distribution.set_distribution(distribution)
    found["distribution_set"] = type(keras.distribution.distribution()).__name__

    def embedding():
        with distribution.scope():
            layer = keras.layers.Embedding(100, 4)
            outputs = layer(np.arange(0, 80, 10))
        return {
            "variables": [_variable(v, distribution) for v in layer.weights],
            "lookup_output_shape": list(outputs.shape),
        }

    def deepfm():
        frame, _, build = _small_deepfm()
        with distribution.scope():
            model = build()
            scores = model.predict(frame.head(64), verbose=0)
        tables = [v for v in model.weights if layout_map[v.path] is not None]
        return {
            "tables": [_variable(v, distribution) for v in tables],
            "predict_output_shape": list(scores.shape),
        }

    found["keras_embedding"] = _attempt(embedding)
    found["tfrank_deepfm"] = _attempt(deepfm)
    return found


def multi_worker_fit():
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    import keras

    from tfrank.data import make_dataset

    # Unfiltered frames name the Keras function that raised.
    keras.config.disable_traceback_filtering()
    frame, spec, build = _small_deepfm()
    with strategy.scope():
        model = build()
        model.compile()

    def fit():
        dataset = make_dataset(frame, spec, "label", batch_size=64)
        history = model.fit(dataset, epochs=1, verbose=0)
        return {"trained": True, "loss": [float(x) for x in history.history["loss"]]}

    return {
        "strategy": type(strategy).__name__,
        "replicas_in_sync": strategy.num_replicas_in_sync,
        "fit": {"trained": False} | _attempt(fit),
    }


PARTS = {
    "distributed_embedding": distributed_embedding,
    "keras_distribution": keras_distribution,
    "multi_worker_fit": multi_worker_fit,
}


def _child(part, env=None):
    command = [sys.executable, os.path.abspath(__file__), "--part", part]
    env = dict(env or os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _collect(process, part):
    out, err = process.communicate(timeout=900)
    for line in out.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"part {part} wrote no result (exit {process.returncode}):\n{err[-3000:]}")


def _multi_worker():
    ports = free_ports(WORKERS)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = []
    for i in range(WORKERS):
        task = {"cluster": cluster, "task": {"type": "worker", "index": i}}
        processes.append(_child("multi_worker_fit", dict(os.environ, TF_CONFIG=json.dumps(task))))
    return {"workers": [_collect(p, "multi_worker_fit") for p in processes]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(MARK + json.dumps(PARTS[args.part]()), flush=True)
        return 0
    results = {
        "versions": {name: metadata.version(name) for name in ("keras-rs", "keras", "tensorflow")},
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "distributed_embedding": _collect(_child("distributed_embedding"), "distributed_embedding"),
        "keras_distribution": _collect(_child("keras_distribution"), "keras_distribution"),
        "multi_worker_fit": _multi_worker(),
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "distributed_embedding_check.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
