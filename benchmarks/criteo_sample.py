"""FM, Wide & Deep and DeepFM (and the first-order baseline) on the Criteo sample.

Trains on `wideresdnn_train.tsv` (7,200 rows), early-stops on
`wideresdnn_dev.tsv` (409 rows) and evaluates on `wideresdnn_test.tsv` (391
rows) of the public Criteo sample, with the CLI's code path (`tfrank train
--data criteo:train --validation-data criteo:dev`, then `tfrank evaluate
--data criteo:test`), for several seeds. With ~400 test rows the standard
error of an AUC is about 0.03: the table shows that models run and learn on
real rows, not how they rank against each other.

    python benchmarks/criteo_sample.py [--data-dir ../shared/data/criteo] [--seeds 0 1 2]

Prints a table and writes benchmarks/results/criteo_sample.json.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np
from common import shared_data_path

from tfrank.training import evaluate, train

MODELS = ["logistic_regression", "fm", "wide_and_deep", "deepfm"]
RESULTS = os.path.join(os.path.dirname(__file__), "results")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=shared_data_path("criteo"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    if not os.path.isdir(args.data_dir):
        print(f"Criteo sample not found at {args.data_dir}; nothing to do.")
        return 0
    data = "criteo:" + os.path.join(args.data_dir, "wideresdnn_train.tsv")
    dev = "criteo:" + os.path.join(args.data_dir, "wideresdnn_dev.tsv")
    test = "criteo:" + os.path.join(args.data_dir, "wideresdnn_test.tsv")
    runs = []
    for model in MODELS:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                metrics = train(
                    model,
                    data=data,
                    validation_data=dev,
                    epochs=args.epochs,
                    batch_size=args.batch_size,
                    seed=seed,
                    output=out,
                    verbose=0,
                )
                scores = evaluate(out, test)
            run = {
                "model": model,
                "seed": seed,
                **scores,
                "dev_auc": metrics["validation"]["auc"],
                "best_epoch": metrics["best_epoch"],
                "train_seconds": metrics["train_seconds"],
            }
            runs.append(run)
            print(
                f"{model:20s} seed {seed}  AUC {run['auc']:.4f}  logloss {run['logloss']:.4f}",
                flush=True,
            )
    summary = {}
    for model in MODELS:
        rows = [r for r in runs if r["model"] == model]
        summary[model] = {
            "auc_mean": float(np.mean([r["auc"] for r in rows])),
            "auc_std": float(np.std([r["auc"] for r in rows])),
            "logloss_mean": float(np.mean([r["logloss"] for r in rows])),
            "logloss_std": float(np.std([r["logloss"] for r in rows])),
        }
        s = summary[model]
        print(
            f"{model:20s} AUC {s['auc_mean']:.4f} ± {s['auc_std']:.4f}   "
            f"logloss {s['logloss_mean']:.4f} ± {s['logloss_std']:.4f}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "criteo_sample.json"), "w") as f:
        json.dump(
            {
                "train": data,
                "early_stopping_on": dev,
                "test": test,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "summary": summary,
                "runs": runs,
            },
            f,
            indent=1,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
