"""Does Keras 3 `fit` train under `tf.distribute.ParameterServerStrategy`?

Starts an in-process cluster on 127.0.0.1 (one chief = this process, two
workers, one parameter server; `tf.distribute.Server`s on free ports),
builds a tfrank DeepFM under the strategy, and tries `model.fit` with the
inputs the strategy documents: a `tf.data.Dataset`, and a per-worker
dataset from `ClusterCoordinator.create_per_worker_dataset`. Records for
each whether it trained or the error it raised, so the README's statement
about parameter servers is a measurement.

    python benchmarks/parameter_server_check.py

Writes benchmarks/results/parameter_server_check.json.
"""

import argparse
import json
import os
import sys

import keras
import tensorflow as tf
from common import free_ports, site_price_data

from tfrank.data import make_dataset
from tfrank.models import DeepFM

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def _cluster():
    ports = free_ports(4)
    spec = {
        "chief": [f"127.0.0.1:{ports[0]}"],
        "worker": [f"127.0.0.1:{ports[1]}", f"127.0.0.1:{ports[2]}"],
        "ps": [f"127.0.0.1:{ports[3]}"],
    }
    cluster = tf.train.ClusterSpec(spec)
    config = tf.compat.v1.ConfigProto()
    servers = [
        tf.distribute.Server(cluster, job_name=job, task_index=i, protocol="grpc", config=config)
        for job in ("worker", "ps")
        for i in range(len(spec[job]))
    ]
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        cluster, task_type="chief", task_id=0, rpc_layer="grpc"
    )
    return resolver, servers


def _data():
    return site_price_data(rows=2048, sites=50, embedding_dim=8)


def _attempt(name, fn):
    try:
        history = fn()
        losses = [float(x) for x in history.history["loss"]]
        return {"input": name, "trained": True, "loss": losses}
    except Exception as error:  # the finding is the error itself
        return {"input": name, "trained": False, "error": f"{type(error).__name__}: {error}"[:600]}


def main():
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    resolver, _servers = _cluster()
    strategy = tf.distribute.ParameterServerStrategy(resolver)
    coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)
    frame, spec = _data()
    with strategy.scope():
        model = DeepFM(spec, hidden_units=[8])
        model.compile()
    placed = sorted({v.value.device for v in model.trainable_variables})

    def dataset_fn(_context=None):
        return make_dataset(frame, spec, "label", batch_size=64).repeat()

    results = {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "variable_devices": placed,
        "attempts": [
            _attempt(
                "tf.data.Dataset",
                lambda: model.fit(dataset_fn(), epochs=1, steps_per_epoch=4, verbose=0),
            ),
            _attempt(
                "per-worker dataset",
                lambda: model.fit(
                    coordinator.create_per_worker_dataset(dataset_fn),
                    epochs=1, steps_per_epoch=4, verbose=0,
                ),
            ),
        ],
    }  # fmt: skip
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "parameter_server_check.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
