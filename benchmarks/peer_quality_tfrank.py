"""One tfrank run of `peer_quality.py`, in a fresh process.

Trains a registered model through `tfrank.training.train` on the frames
`peer_quality_data.prepare` wrote (the spec is fitted on the training rows
by `train`, as in frappe.py), early stopping on validation AUC with the
best epoch kept, then writes its test predictions to `out` and prints one
JSON line: best epoch, epochs run, train seconds, validation AUC.

    python benchmarks/peer_quality_tfrank.py '{"data": DIR, "model": "deepfm", ...}'
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from peer_quality_data import data_source  # noqa: E402

from tfrank.features import FeatureSpec  # noqa: E402
from tfrank.models import WideAndDeep  # noqa: E402
from tfrank.registration import register_model  # noqa: E402
from tfrank.training import load_model, train  # noqa: E402


@register_model("wide_and_deep_adam", summary="Wide & Deep trained with Adam alone")
class WideAndDeepAdam(WideAndDeep):
    """Wide & Deep whose default optimizer is Adam for both parts: `train`
    takes a learning rate but no optimizer, and the comparison gives every
    model of both libraries Adam."""

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3)


def main(args):
    keras.utils.set_random_seed(args["seed"])
    folder = args["data"]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    spec = FeatureSpec.load(os.path.join(folder, "spec.json"))
    frames = pd.read_pickle(os.path.join(folder, "frames.pkl"))
    sources = {split: data_source(frame, spec, meta, split) for split, frame in frames.items()}
    with tempfile.TemporaryDirectory() as out:
        metrics = train(
            args["model"], data=sources["train"], validation_data=sources["validation"],
            epochs=args["epochs"], batch_size=args["batch_size"], seed=args["seed"],
            output=out, model_config=args["config"], patience=args["patience"],
            learning_rate=args["learning_rate"], checkpoint=False, tensorboard=False,
            verbose=0,
        )  # fmt: skip
        model = load_model(out)
        predictions = model.predict(frames["test"], batch_size=4096, verbose=0)
    if isinstance(predictions, dict):
        predictions = np.concatenate([predictions[t] for t in meta["label"]], axis=1)
    np.save(args["out"], np.asarray(predictions, np.float32).reshape(len(frames["test"]), -1))
    print(json.dumps({
        "best_epoch": metrics["best_epoch"],
        "epochs_run": metrics["epochs_run"],
        "train_seconds": metrics["train_seconds"],
        "validation_auc": metrics["validation"]["auc"],
        "optimizer": metrics["optimizer"]["class"],
        "versions": {"tensorflow": _version("tensorflow"), "keras": keras.__version__},
    }))  # fmt: skip


def _version(package):
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
