"""I-AutoRec, U-AutoRec and biased MF on MovieLens-100K's five official folds.

Each fold's `u{k}.base` trains (10% of it held out for early stopping on
validation RMSE, patience 3, at most 60 epochs, batch 256) and `u{k}.test`
scores; test users or items unseen in training get AutoRec's default rating
(3) and MF's untrained embeddings. Settings: AutoRec 500 sigmoid units, L2
1e-3, Adam 3e-4 (its defaults), the paper's objective (each observed rating
reconstructed from the whole vector); biased MF 32 factors, L2 1e-4, Adam
1e-3; each chosen on fold u1's validation rows.

    python benchmarks/autorec_ml100k.py [--data-dir ../shared/data/movielens_100k] [--folds u1 ...]

Prints a table and writes benchmarks/results/autorec_ml100k.json and .md.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np
from common import shared_data_path

from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
MODELS = {
    "I-AutoRec": ("autorec", {"kind": "item"}),
    "U-AutoRec": ("autorec", {"kind": "user"}),
    # The objective tfrank used before it followed the paper, for comparison.
    "I-AutoRec (target hidden)": ("autorec", {"kind": "item", "mask_target": True}),
    "biased MF": ("biased_mf", {"factors": 32, "l2": 1e-4}),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=shared_data_path("movielens_100k"))
    parser.add_argument("--folds", nargs="+", default=["u1", "u2", "u3", "u4", "u5"])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--models", nargs="+", choices=list(MODELS),
        help="re-run these only, keeping the saved runs of the others",
    )  # fmt: skip
    args = parser.parse_args()
    if not os.path.isdir(args.data_dir):
        print(f"MovieLens-100K not found at {args.data_dir}; nothing to do.")
        return 0
    path = os.path.join(RESULTS, "autorec_ml100k.json")
    runs = []
    if args.models:
        with open(path) as f:
            runs = [r for r in json.load(f)["runs"] if r["model"] not in args.models]
    for fold in args.folds:
        data = f"ml100k:{args.data_dir}:{fold}"
        for label, (model, config) in MODELS.items():
            if args.models and label not in args.models:
                continue
            with tempfile.TemporaryDirectory() as out:
                metrics = train(model, data=data, epochs=args.epochs, batch_size=256,
                                output=out, seed=args.seed, model_config=config, patience=3,
                                verbose=0)  # fmt: skip
                test = evaluate(out, data)
            run = {
                "fold": fold,
                "model": label,
                "test_rmse": test["rmse"],
                "test_mae": test["mae"],
                "validation_rmse": metrics["validation"]["rmse"],
                "best_epoch": metrics["best_epoch"],
                "train_seconds": metrics["train_seconds"],
            }
            runs.append(run)
            print(f"{fold} {label:10s} test RMSE {run['test_rmse']:.4f}  best epoch "
                  f"{run['best_epoch']}  {run['train_seconds']:.0f}s", flush=True)  # fmt: skip
    runs.sort(key=lambda r: (r["fold"], list(MODELS).index(r["model"])))
    summary = {}
    for label in MODELS:
        values = [r["test_rmse"] for r in runs if r["model"] == label]
        summary[label] = {"rmse_mean": float(np.mean(values)), "rmse_std": float(np.std(values)),
                          "folds": len(values)}  # fmt: skip
    lines = ["| model | test RMSE (mean ± std over folds) | per fold |", "|---|---|---|"]
    for label, s in sorted(summary.items(), key=lambda kv: kv[1]["rmse_mean"]):
        per_fold = ", ".join(f"{r['test_rmse']:.4f}" for r in runs if r["model"] == label)
        lines.append(f"| {label} | {s['rmse_mean']:.4f} ± {s['rmse_std']:.4f} | {per_fold} |")
    table = "\n".join(lines)
    print(table)
    os.makedirs(RESULTS, exist_ok=True)
    with open(path, "w") as f:
        json.dump({"models": MODELS, "summary": summary, "runs": runs}, f, indent=1)
    with open(os.path.join(RESULTS, "autorec_ml100k.md"), "w") as f:
        f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
