"""Do interaction models learn planted crosses a first-order model cannot?

Trains each model exactly as `tfrank train --model NAME` does (default
synthetic data: 200,000 rows, 10% validation for early stopping, at most 3
epochs, batch 1024) for several seeds, plus two variants with hashed crosses
of the planted pairs (what an engineer who knows the crosses would give a
wide model). Scores are on 20,000 fresh rows of the same generator
(`tfrank evaluate --data synthetic:20000`), next to the oracle AUC of the
true click probabilities on those rows.

    python benchmarks/synthetic_interactions.py [--seeds 0 1 2] [--rows 200000]

Prints a table and writes benchmarks/results/synthetic_interactions.json.
"""

import argparse
import json
import os
import platform
import tempfile
import time

import numpy as np

from tfrank.data import SyntheticCTR
from tfrank.features import CrossedFeature, FeatureSpec
from tfrank.metrics import auc
from tfrank.training import evaluate, train

MODELS = ["logistic_regression", "fm", "wide_and_deep", "deepfm"]
RESULTS = os.path.join(os.path.dirname(__file__), "results")


def known_crosses_spec(generator):
    names = generator.categorical_names
    base = [f for f in generator.feature_spec().features if f.kind != "crossed"]
    crosses = [
        CrossedFeature(f"{names[a]}_x_{names[b]}", [names[a], names[b]], 100_000)
        for a, b in generator.planted_pairs
    ]
    return FeatureSpec(base + crosses)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--models", nargs="+", help="re-run these only, keeping the saved runs of the others"
    )
    args = parser.parse_args()
    path = os.path.join(RESULTS, "synthetic_interactions.json")
    runs = []
    if args.models:
        with open(path) as f:
            runs = [r for r in json.load(f)["runs"] if r["model"] not in args.models]
    for seed in args.seeds:
        generator = SyntheticCTR(seed=seed)
        test_rows = args.rows // 10
        # The rows `evaluate` draws: same generator, seed + 1000.
        test = generator.sample(test_rows, seed=seed + 1000, with_probability=True)
        oracle = auc(test["label"], test["true_probability"])
        variants = [(m, m, None) for m in MODELS] + [
            (f"{m} + known crosses", m, known_crosses_spec(generator))
            for m in ("logistic_regression", "wide_and_deep")
        ]
        if args.models:
            variants = [v for v in variants if v[0] in args.models]
        else:
            runs.append({"seed": seed, "model": "oracle (true probabilities)", "auc": oracle})
        for label, model, spec in variants:
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                metrics = train(
                    model,
                    data=f"synthetic:{args.rows}",
                    seed=seed,
                    output=out,
                    features=spec,
                    verbose=0,
                )
                wall = time.perf_counter() - start
                scores = evaluate(out, f"synthetic:{test_rows}")
            run = {
                "seed": seed,
                "model": label,
                **scores,
                "validation_auc": metrics["validation"]["auc"],
                "best_epoch": metrics["best_epoch"],
                "train_seconds": metrics["train_seconds"],
                "wall_seconds": round(wall, 1),
            }
            runs.append(run)
            print(
                f"seed {seed} {label:32s} AUC {run['auc']:.4f}  logloss "
                f"{run.get('logloss', float('nan')):.4f}  wall {wall:.0f}s",
                flush=True,
            )
    order = ["oracle (true probabilities)", *MODELS]
    runs.sort(key=lambda r: (order.index(r["model"]) if r["model"] in order else 99, r["seed"]))
    summary = summarize(runs)
    for name, row in summary.items():
        print(
            f"{name:36s} AUC {row['auc_mean']:.4f} ± {row['auc_std']:.4f}  "
            f"vs first order, per seed {row['auc_minus_first_order_per_seed']}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    with open(path, "w") as f:
        json.dump(
            {
                "rows": args.rows,
                "epochs": 3,
                "batch_size": 1024,
                "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                "summary": summary,
                "runs": runs,
            },
            f,
            indent=1,
        )


def summarize(runs):
    summary = {}
    for name in dict.fromkeys(r["model"] for r in runs):
        aucs = [r["auc"] for r in runs if r["model"] == name]
        losses = [r["logloss"] for r in runs if r["model"] == name and "logloss" in r]
        summary[name] = {
            "auc_mean": float(np.mean(aucs)),
            "auc_std": float(np.std(aucs)),
            "seeds": len(aucs),
        }
        # Seeds change the generator itself, so compare within a seed.
        base = {r["seed"]: r["auc"] for r in runs if r["model"] == "logistic_regression"}
        deltas = [r["auc"] - base[r["seed"]] for r in runs if r["model"] == name]
        summary[name].update(
            auc_minus_first_order_per_seed=[round(d, 4) for d in deltas],
            auc_minus_first_order_mean=float(np.mean(deltas)),
        )
        if losses:
            summary[name].update(
                logloss_mean=float(np.mean(losses)), logloss_std=float(np.std(losses))
            )
    return summary


if __name__ == "__main__":
    main()
