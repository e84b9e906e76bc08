"""Shared-Bottom, MMoE, PLE and AdaTT on census-income and on synthetic task pairs.

- `--data census`: UCI census-income (KDD), the 99,762-row split we have,
  re-split 80/10/10 with a fixed seed (0); tasks income > 50K and never
  married (the MMoE paper's pair). Test AUC per task, and their mean.
- `--data synthetic`: `SyntheticMultiTask` with task correlation 1.0, 0.5
  and 0.0 (`--correlations`), 100,000 training rows, 20,000 validation and
  20,000 test rows drawn fresh from the same generator; what each model
  loses as the tasks diverge.

Every model: expert/bottom widths sized alike (Shared-Bottom 128-64; MMoE
8 experts of 64; PLE and AdaTT 2 levels, 2 experts per task and 2 / 1
shared, of 64), towers of 32, embeddings 8, batch 1024, Adam 1e-3, early
stopping on the mean validation AUC of the tasks (patience 2), at most
`--epochs` epochs; `--seeds` seeds (the split stays fixed; the seed
changes initialization and batch order).

    python benchmarks/multi_task.py --data census [--seeds 0 1 2]
    python benchmarks/multi_task.py --data synthetic [--correlations 1.0 0.5 0.0]

Prints a table and rewrites benchmarks/results/multi_task_<data>.json / .md
after every run (`--resume` keeps finished runs).
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from common import shared_data_path
from run_log import previous_runs, write_results

from tfrank.data import DataSource, SyntheticMultiTask
from tfrank.data.census_income import TASKS, census_income_feature_spec, load_census_income
from tfrank.data.frames import train_validation_test_split
from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
MODELS = {
    "shared_bottom": {"bottom_units": [128, 64]},
    "mmoe": {"num_experts": 8, "expert_units": [64]},
    "ple": {"levels": 2, "task_experts": 2, "shared_experts": 2, "expert_units": [64]},
    "adatt": {"levels": 2, "task_experts": 2, "shared_experts": 1, "expert_units": [64]},
    # The native-expert residual weights starting at 1 (the default before
    # these runs) instead of 0.
    "adatt (native 1)": {
        "model": "adatt",
        "levels": 2,
        "task_experts": 2,
        "shared_experts": 1,
        "expert_units": [64],
        "native_initializer": "ones",
    },
}
COMMON = {"tower_units": [32]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=["census", "synthetic"], default="census")
    parser.add_argument("--census", default=shared_data_path("census_income_kdd",
                                                             "census-income.test.gz"))  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--correlations", type=float, nargs="+", default=[1.0, 0.5, 0.0])
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic training rows")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    settings = _settings(args)
    if settings is None:
        print(f"Census-income not found at {args.census}; nothing to do.")
        return 0
    path = os.path.join(RESULTS, f"multi_task_{args.data}")
    runs = previous_runs(path) if args.resume else []
    done = {(r["setting"], r["model"], r["seed"]) for r in runs}
    for setting, parts in settings:
        for model in args.models:
            for seed in args.seeds:
                if (setting, model, seed) in done:
                    continue
                runs.append(_run(setting, parts, model, seed, args))
                record = {"models": MODELS, "common": COMMON, "runs": runs}
                write_results(path, args, record, markdown(runs))
    print(markdown(runs))
    return 0


def _settings(args):
    """`[(setting label, (train, validation, test) DataSources)]`, or None."""
    if args.data == "census":
        if not os.path.exists(args.census):
            return None
        frame = load_census_income(args.census)
        parts = train_validation_test_split(frame, (0.8, 0.1, 0.1), seed=0)
        spec = census_income_feature_spec()
        return [("census", [DataSource(p, spec, label=TASKS, name=f"census-{n}")
                            for p, n in zip(parts, ("train", "validation", "test"))])]  # fmt: skip
    out = []
    for rho in args.correlations:
        data = SyntheticMultiTask(task_correlation=rho, seed=0)
        frames = [data.sample(args.rows), data.sample(20_000, seed=1), data.sample(20_000, seed=2)]
        out.append((f"correlation {rho}", [
            DataSource(f, data.feature_spec(), label=data.task_names, name=f"synthetic-{rho}")
            for f in frames
        ]))  # fmt: skip
    return out


def _run(setting, parts, model, seed, args):
    train_set, valid_set, test_set = parts
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        config = {k: v for k, v in MODELS[model].items() if k != "model"}
        metrics = train(
            MODELS[model].get("model", model), data=train_set, validation_data=valid_set,
            epochs=args.epochs, batch_size=1024, seed=seed, output=out,
            model_config={**config, **COMMON}, patience=2,
            learning_rate=1e-3, verbose=0,
        )  # fmt: skip
        scores = evaluate(out, test_set)
    run = {
        "setting": setting, "model": model, "seed": seed,
        "test": {name: s["auc"] for name, s in scores["tasks"].items()},
        "mean_auc": scores["auc"], "validation_auc": metrics["validation"]["auc"],
        "best_epoch": metrics["best_epoch"], "epochs_run": metrics["epochs_run"],
        "train_seconds": metrics["train_seconds"],
        "wall_seconds": round(time.perf_counter() - start, 1),
    }  # fmt: skip
    tasks = "  ".join(f"{k} {v:.4f}" for k, v in run["test"].items())
    print(f"{setting:16s} {model:14s} seed {seed}  {tasks}  mean {run['mean_auc']:.4f}  "
          f"best epoch {run['best_epoch']}/{run['epochs_run']}", flush=True)  # fmt: skip
    return run


def markdown(runs):
    tasks = list(runs[0]["test"]) if runs else []
    head = " | ".join(f"{t} AUC" for t in tasks)
    lines = [f"| setting | model | {head} | mean AUC | seeds |",
             "|---" * (len(tasks) + 4) + "|"]  # fmt: skip
    for setting in dict.fromkeys(r["setting"] for r in runs):
        for model in MODELS:
            mine = [r for r in runs if r["setting"] == setting and r["model"] == model]
            if not mine:
                continue
            cells = [_mean_std([r["test"][t] for r in mine]) for t in tasks]
            cells.append(_mean_std([r["mean_auc"] for r in mine]))
            lines.append(f"| {setting} | {model} | {' | '.join(cells)} | {len(mine)} |")
    return "\n".join(lines)


def _mean_std(values):
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


if __name__ == "__main__":
    sys.exit(main())
