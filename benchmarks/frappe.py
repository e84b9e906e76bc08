"""Eleven CTR models on Frappe, three seeds each.

Frappe's two public libFM files (validation + test, 86,582 rows; the train
file is not public) are merged and split 80/10/10 with a fixed seed. Each
model trains through `tfrank train`'s code path: batch 1024, at most 30
epochs, early stopping on validation AUC (patience 2, best epoch kept);
Adam at 5e-3 for every model but Wide & Deep (its FTRL + AdaGrad pair);
dropout 0.2 where the model has an MLP. Scores are on the test tenth.

    python benchmarks/frappe.py [--data-dir ../shared/data/frappe] [--seeds 0 1 2]

Prints a table and writes benchmarks/results/frappe.json and frappe.md.
With `--learning-curve`, trains DeepFM on 25%, 50% and 100% of the training
rows instead (same recipe, same validation and test rows) and writes
benchmarks/results/frappe_learning_curve.json.
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
from common import shared_data_path

from tfrank.data import DataSource, frappe_feature_spec, load_frappe, train_validation_test_split
from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
SPLIT_SEED = 2024
LEARNING_RATE = 5e-3
CONFIGS = {
    "logistic_regression": {},
    "fm": {},
    "afm": {},
    "nfm": {"dropout": 0.2},
    "wide_and_deep": {"dropout": 0.2},
    "deepfm": {"dropout": 0.2, "embedding_l2": 1e-4},
    "dcn": {"dropout": 0.2},
    "dcn_v2": {"dropout": 0.2},
    "pnn": {"dropout": 0.2},
    "deep_crossing": {"dropout": 0.2},
    "fnn": {"dropout": 0.2},
    "dlrm": {},
}
OWN_OPTIMIZER = {"wide_and_deep"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=shared_data_path("frappe"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(CONFIGS))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--learning-curve", action="store_true")
    args = parser.parse_args()
    if not os.path.isdir(args.data_dir):
        print(f"Frappe not found at {args.data_dir}; nothing to do.")
        return 0
    frame = load_frappe(args.data_dir)
    parts = train_validation_test_split(frame, (0.8, 0.1, 0.1), seed=SPLIT_SEED)
    train_set, valid_set, test_set = (
        DataSource(p, frappe_feature_spec(), name=f"frappe-{n}")
        for p, n in zip(parts, ("train", "validation", "test"))
    )
    print(f"rows: train {len(parts[0])}, validation {len(parts[1])}, test {len(parts[2])}")
    if args.learning_curve:
        return learning_curve(parts, valid_set, test_set, args)
    path = os.path.join(RESULTS, "frappe.json")
    runs = []
    if set(args.models) != set(CONFIGS) and os.path.exists(path):
        # A partial re-run replaces those models' runs and keeps the others'.
        with open(path) as f:
            runs = [r for r in json.load(f)["runs"] if r["model"] not in args.models]
    for model in args.models:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                metrics = train(
                    model,
                    data=train_set,
                    validation_data=valid_set,
                    epochs=args.epochs,
                    batch_size=1024,
                    seed=seed,
                    output=out,
                    model_config=CONFIGS[model],
                    patience=2,
                    learning_rate=None if model in OWN_OPTIMIZER else LEARNING_RATE,
                    verbose=0,
                )
                wall = time.perf_counter() - start
                scores = evaluate(out, test_set)
            run = {
                "model": model,
                "seed": seed,
                **scores,
                "validation_auc": metrics["validation"]["auc"],
                "best_epoch": metrics["best_epoch"],
                "train_seconds": metrics["train_seconds"],
                "wall_seconds": round(wall, 1),
            }
            runs.append(run)
            print(
                f"{model:20s} seed {seed}  test AUC {run['auc']:.4f}  logloss "
                f"{run['logloss']:.4f}  best epoch {run['best_epoch']}  {wall:.0f}s",
                flush=True,
            )
    runs.sort(key=lambda r: (list(CONFIGS).index(r["model"]), r["seed"]))
    summary = summarize(runs)
    table = markdown(summary)
    print(table)
    os.makedirs(RESULTS, exist_ok=True)
    with open(path, "w") as f:
        json.dump(
            {
                "rows": {
                    "train": len(parts[0]),
                    "validation": len(parts[1]),
                    "test": len(parts[2]),
                },
                "split_seed": SPLIT_SEED,
                "batch_size": 1024,
                "max_epochs": args.epochs,
                "learning_rate": LEARNING_RATE,
                "configs": CONFIGS,
                "summary": summary,
                "runs": runs,
            },
            f,
            indent=1,
        )
    with open(os.path.join(RESULTS, "frappe.md"), "w") as f:
        f.write(table + "\n")
    return 0


def learning_curve(parts, valid_set, test_set, args):
    runs = []
    for fraction in (0.25, 0.5, 1.0):
        rows = parts[0].sample(frac=fraction, random_state=0) if fraction < 1 else parts[0]
        subset = DataSource(rows, frappe_feature_spec(), name=f"frappe-train-{fraction}")
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                train(
                    "deepfm",
                    data=subset,
                    validation_data=valid_set,
                    epochs=args.epochs,
                    batch_size=1024,
                    seed=seed,
                    output=out,
                    model_config=CONFIGS["deepfm"],
                    patience=2,
                    learning_rate=LEARNING_RATE,
                    verbose=0,
                )
                scores = evaluate(out, test_set)
            runs.append({"train_rows": len(rows), "seed": seed, **scores})
            print(f"deepfm, {len(rows)} train rows, seed {seed}: test AUC {scores['auc']:.4f}")
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "frappe_learning_curve.json"), "w") as f:
        json.dump({"model": "deepfm", "config": CONFIGS["deepfm"], "runs": runs}, f, indent=1)
    return 0


def summarize(runs):
    summary = {}
    for model in dict.fromkeys(r["model"] for r in runs):
        rows = [r for r in runs if r["model"] == model]
        summary[model] = {
            key: {
                "mean": float(np.mean([r[field] for r in rows])),
                "std": float(np.std([r[field] for r in rows])),
            }
            for key, field in (
                ("auc", "auc"),
                ("logloss", "logloss"),
                ("train_seconds", "train_seconds"),
            )
        }
    return summary


def markdown(summary):
    lines = [
        "| model | test AUC | test logloss | train time (s) |",
        "|---|---|---|---|",
    ]
    for model, s in sorted(summary.items(), key=lambda kv: -kv[1]["auc"]["mean"]):
        lines.append(
            f"| `{model}` | {s['auc']['mean']:.4f} ± {s['auc']['std']:.4f} | "
            f"{s['logloss']['mean']:.4f} ± {s['logloss']['std']:.4f} | "
            f"{s['train_seconds']['mean']:.0f} ± {s['train_seconds']['std']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
