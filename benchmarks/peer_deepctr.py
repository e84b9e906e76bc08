"""Throughput worker for the peer, DeepCTR 0.9.3, on the Criteo shape.

Runs in DeepCTR's own environment (TensorFlow + tf_keras + deepctr, never
the project's): `training_throughput.py --peer-python PATH` starts it with
the same arguments and data as tfrank's worker and reads one JSON line.
DeepCTR imports the old `tensorflow.python.keras` modules, which are gone
from TensorFlow's package; they are pointed at tf_keras before the import.

    TF_USE_LEGACY_KERAS=1 python benchmarks/peer_deepctr.py '{"model": "deepfm", ...}'
"""

import importlib
import json
import os
import resource
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import criteo_shape  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def _alias_legacy_keras():
    import tf_keras

    sys.modules["tensorflow.python.keras"] = tf_keras
    for name in ("models", "layers", "regularizers", "backend", "initializers", "optimizers"):
        sys.modules[f"tensorflow.python.keras.{name}"] = importlib.import_module(f"tf_keras.{name}")


def build(model, kind, history):
    _alias_legacy_keras()
    from deepctr.feature_column import DenseFeat, SparseFeat, VarLenSparseFeat
    from deepctr.models import DCN, DIN, DeepFM

    sizes = criteo_shape.cardinalities(kind)
    sparse = [SparseFeat(n, s, embedding_dim=16) for n, s in zip(criteo_shape.CATEGORICAL, sizes)]
    dense = [DenseFeat(n, 1) for n in criteo_shape.NUMERIC]
    columns = sparse + dense
    if model == "deepfm":
        return DeepFM(columns, columns, dnn_hidden_units=(400, 400, 400))
    if model == "dcn_v2":
        # DeepCTR's DCN with matrix cross weights is DCN-v2 (parallel).
        return DCN(columns, columns, cross_num=3, cross_parameterization="matrix",
                   dnn_hidden_units=(400, 400, 400))  # fmt: skip
    if model == "din":
        behaviour = VarLenSparseFeat(
            SparseFeat(criteo_shape.HISTORY, sizes[2], embedding_dim=16, embedding_name="C3"),
            maxlen=history,
        )
        return DIN(
            columns + [behaviour], ["C3"], dnn_hidden_units=(200, 80),
            att_hidden_size=(80, 40), att_activation="Dice", dnn_activation="dice",
        )  # fmt: skip
    raise ValueError(f"DeepCTR has no {model!r} here")


def main(args):
    history = args.get("history", 0) if args["model"] == "din" else 0
    features, labels = criteo_shape.make_batches(
        args["batches"], args["batch_size"], args["cardinality"], history=history, seed=0
    )
    # DeepCTR takes numerics as [batch, 1] and leaves their scaling to the user.
    for name in criteo_shape.NUMERIC:
        features[name] = np.log1p(features[name])[..., None]
    model = build(args["model"], args["cardinality"], history)
    model.compile(tf.keras.optimizers.Adam(1e-3), "binary_crossentropy")
    rates = criteo_shape.timed_fits(model, features, labels, args)
    print(json.dumps({
        "examples_per_second": rates,
        "parameters": int(model.count_params()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "versions": {"tensorflow": tf.__version__, "deepctr": _version("deepctr")},
    }))  # fmt: skip


def _version(package):
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
