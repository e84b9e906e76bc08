"""One DeepCTR 0.9.3 run of `peer_quality.py`, in DeepCTR's own environment.

Runs under the peer's Python (TensorFlow + tf_keras + deepctr, never the
project's): `peer_quality.py --peer-python PATH` starts it with the ids
tfrank encoded (`encoded.npz`, `meta.json`) and the model's DeepCTR
arguments, trains with Adam on the same budget (batch size, most epochs,
early stopping on validation AUC with the best epoch's weights restored at
the end), writes the test predictions to `out` and prints one JSON line.

DeepCTR imports the old `tensorflow.python.keras` modules, gone from
TensorFlow's package, and DIEN's copied RNN code calls TensorFlow internals
that moved (`array_ops.stack`, `control_flow_ops.while_loop`, ...): both
are pointed at their current homes before the import. DIEN builds its
graph only with eager execution off, as DeepCTR's own DIEN example runs.

    TF_USE_LEGACY_KERAS=1 python benchmarks/peer_quality_worker.py '{"model": "DeepFM", ...}'
"""

import importlib
import json
import os
import random
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

SPLITS = ("train", "validation", "test")


def _alias_legacy_tensorflow():
    import tf_keras
    from tensorflow.python.ops import array_ops, control_flow_ops
    from tensorflow.python.util import nest

    sys.modules["tensorflow.python.keras"] = tf_keras
    for name in ("models", "layers", "regularizers", "backend", "initializers", "optimizers"):
        sys.modules[f"tensorflow.python.keras.{name}"] = importlib.import_module(f"tf_keras.{name}")
    moved = [
        (array_ops, "stack", tf.stack),
        (array_ops, "unstack", tf.unstack),
        (control_flow_ops, "while_loop", tf.compat.v1.while_loop),
        (control_flow_ops, "cond", tf.compat.v1.cond),
        (control_flow_ops, "Assert", tf.debugging.Assert),
        (nest, "is_sequence", nest.is_nested),
    ]
    for module, name, function in moved:
        if not hasattr(module, name):
            setattr(module, name, function)


def columns(meta, layout):
    """`(linear, deep)` DeepCTR feature columns for `layout` (see
    `peer_quality.deepctr_call`): histories share the candidate's tables."""
    from deepctr.feature_column import DenseFeat, SparseFeat, VarLenSparseFeat

    sizes = {c["name"]: c for c in meta["sparse"]}
    sparse = [
        SparseFeat(c["name"], c["vocabulary_size"], c["embedding_dim"], embedding_name=c["name"])
        for c in meta["sparse"]
    ]
    dense = [DenseFeat(name, 1) for name in meta["dense"]]
    histories = []
    names = [h["name"] for h in meta["histories"]]
    if layout.get("history") == "evolution":
        names += [f"neg_{n}" for n in names]
    length = "seq_length" if layout.get("history") == "evolution" else None
    for name in names:
        owner = sizes[name.split("hist_", 1)[1]]
        table = SparseFeat(name, owner["vocabulary_size"], owner["embedding_dim"],
                           embedding_name=owner["name"])  # fmt: skip
        histories.append(VarLenSparseFeat(table, meta["histories"][0]["maxlen"], "mean", length))
    deep = sparse + dense + histories
    if layout.get("deep") == "zero":
        deep = [DenseFeat("zero", 1)]
    linear = sparse + dense if layout.get("linear") else []
    return linear, deep


def inputs(arrays, split, names, rows):
    """The model's named inputs of one split (`zero`: the deep part's
    constant input when it is switched off)."""
    return {
        name: np.zeros((rows, 1), np.float32) if name == "zero" else arrays[f"{split}/{name}"]
        for name in names
    }


class BestValidationAUC(tf.keras.callbacks.Callback):
    """Early stopping on the validation AUC (the mean over tasks), patience
    epochs without a better one; the best epoch's weights are restored when
    training ends, whether or not it stopped early."""

    def __init__(self, features, labels, patience):
        super().__init__()
        self.features, self.labels, self.patience = features, labels, patience
        self.best, self.best_epoch, self.wait, self.epochs, self.weights = -1.0, 0, 0, 0, None

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1
        score = mean_auc(self.labels, predict(self.model, self.features))
        if score > self.best:
            self.best, self.best_epoch, self.wait = score, epoch + 1, 0
            self.weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.weights is not None:
            self.model.set_weights(self.weights)


def predict(model, features):
    out = model.predict(features, batch_size=4096, verbose=0)
    out = out if isinstance(out, list) else [out]
    return np.concatenate([np.reshape(o, (-1, 1)) for o in out], axis=1)


def mean_auc(labels, predictions):
    return float(np.mean([roc_auc_score(y, predictions[:, i]) for i, y in enumerate(labels)]))


def main(args):
    if args["layout"].get("history") == "evolution":
        tf.compat.v1.disable_eager_execution()
    random.seed(args["seed"])
    np.random.seed(args["seed"])
    tf.random.set_seed(args["seed"])
    _alias_legacy_tensorflow()
    import deepctr.models

    with open(os.path.join(args["data"], "meta.json")) as f:
        meta = json.load(f)
    tasks = [meta["label"]] if isinstance(meta["label"], str) else meta["label"]
    arrays = dict(np.load(os.path.join(args["data"], "encoded.npz")))
    linear, deep = columns(meta, args["layout"])
    build = getattr(deepctr.models, args["model"])
    kwargs = {**args["kwargs"], "seed": args["seed"]}
    if kwargs.get("dnn_activation") == "prelu":
        kwargs["dnn_activation"] = tf.keras.layers.PReLU
    if args["layout"].get("history") in ("attention", "evolution"):
        model = build(deep, [h["shares"] for h in meta["histories"]], **kwargs)
    elif args["layout"].get("tasks"):
        model = build(deep, task_types=["binary"] * len(tasks), task_names=tasks, **kwargs)
    elif args["layout"].get("deep_only"):
        model = build(deep, **kwargs)
    else:
        model = build(linear, deep, **kwargs)
    data = {split: inputs(arrays, split, model.input_names, meta["rows"][split])
            for split in SPLITS}  # fmt: skip
    labels = {split: [arrays[f"{split}/label/{n}"] for n in tasks] for split in SPLITS}
    model.compile(tf.keras.optimizers.legacy.Adam(args["learning_rate"]),
                  ["binary_crossentropy"] * len(tasks))  # fmt: skip
    stopper = BestValidationAUC(data["validation"], labels["validation"], args["patience"])
    start = time.perf_counter()
    model.fit(data["train"], labels["train"] if len(tasks) > 1 else labels["train"][0],
              batch_size=args["batch_size"], epochs=args["epochs"], shuffle=True,
              callbacks=[stopper], verbose=0)  # fmt: skip
    seconds = time.perf_counter() - start
    np.save(args["out"], predict(model, data["test"]).astype(np.float32))
    print(json.dumps({
        "best_epoch": stopper.best_epoch, "epochs_run": stopper.epochs,
        "train_seconds": round(seconds, 3), "validation_auc": stopper.best,
        "optimizer": "Adam", "parameters": int(model.count_params()),
        "peer_versions": {n: _version(n) for n in ("deepctr", "tf_keras")},
    }))  # fmt: skip


def _version(package):
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
