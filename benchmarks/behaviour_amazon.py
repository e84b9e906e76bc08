"""seq_base, DIN (PReLU, Dice) and DIEN (with and without auxiliary loss) on Amazon.

S3-Rec's Amazon Beauty sequences (22,363 users, 198,502 clicks, category =
an item's first attribute) become behaviour samples as in the DIN and DIEN
papers: every click after a user's first is a positive whose history is the
clicks before it (50 latest kept), with one never-clicked item as a
negative. Time-based split: each user's last click is the test target; the
second-to-last is validation (early stopping on its AUC, patience 1, best
epoch kept); the rest train. Batch 256, Adam 1e-3, embeddings 16 per
feature, at most `--epochs` epochs. Scores: test AUC, GAUC (per-user AUC
weighted by impressions) and RelaImpr over seq_base. The `(mba)` variants
add the DIN paper's mini-batch-aware L2 on the embeddings (0.1, chosen over
0.01 on DIN's validation AUC at seed 0), their RelaImpr over seq_base (mba).

    python benchmarks/behaviour_amazon.py [--dataset Beauty] [--seeds 0 1 2]

Prints a table and rewrites benchmarks/results/behaviour_amazon_<dataset>.json
and .md after every run (with `--resume`, finished runs there are kept).
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from common import shared_data_path
from run_log import previous_runs, write_results

from tfrank.data import (
    DataSource,
    behaviour_feature_spec,
    build_sample_splits,
    load_amazon_s3rec,
)
from tfrank.metrics import rela_impr
from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
MBA_L2 = 0.1
# DIEN as these figures were measured: DIN-style attention and in-batch
# auxiliary negatives (its defaults until it followed the paper's form).
DIEN_MEASURED = {"attention": "mlp", "auxiliary_negatives": "in_batch"}
CONFIGS = {
    "seq_base": ("seq_base", {"activation": "prelu"}),
    "din (prelu)": ("din", {"activation": "prelu", "attention_activation": "prelu"}),
    "din (dice)": ("din", {"activation": "dice", "attention_activation": "dice"}),
    "dien (aux)": ("dien", {"auxiliary_weight": 1.0, **DIEN_MEASURED}),
    "dien (no aux)": ("dien", {"auxiliary_weight": 0.0, **DIEN_MEASURED}),
    # The DIN paper's mini-batch-aware L2, for the base model too.
    "seq_base (mba)": ("seq_base", {"activation": "prelu", "mba_l2": MBA_L2}),
    "din (dice, mba)": (
        "din",
        {"activation": "dice", "attention_activation": "dice", "mba_l2": MBA_L2},
    ),
    "dien (aux, mba)": ("dien", {"auxiliary_weight": 1.0, "mba_l2": MBA_L2, **DIEN_MEASURED}),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=shared_data_path("amazon_s3rec"))
    parser.add_argument("--dataset", default="Beauty")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(CONFIGS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--max-history", type=int, default=50)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--users", type=int, help="the first N users only (smoke runs)")
    args = parser.parse_args()
    if not os.path.isdir(args.data_dir):
        print(f"Amazon data not found at {args.data_dir}; nothing to do.")
        return 0
    events = load_amazon_s3rec(args.data_dir, args.dataset)
    if args.users:
        events = events[events["user_id"] <= args.users]
    fit_rows, valid_rows, test_rows = build_sample_splits(events, max_history=args.max_history)
    spec = behaviour_feature_spec(max_length=args.max_history)
    sources = {
        name: DataSource(rows, spec, group="user_id", name=f"{args.dataset}-{name}")
        for name, rows in (("train", fit_rows), ("validation", valid_rows), ("test", test_rows))
    }
    rows = {name: len(s.frame) for name, s in sources.items()}
    print(f"{args.dataset}: rows {rows}", flush=True)
    path = os.path.join(RESULTS, f"behaviour_amazon_{args.dataset}")
    runs = previous_runs(path) if args.resume else []
    done = {(r["model"], r["seed"]) for r in runs}
    for label in args.models:
        model, config = CONFIGS[label]
        for seed in args.seeds:
            if (label, seed) in done:
                continue
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                metrics = train(
                    model, data=sources["train"], validation_data=sources["validation"],
                    epochs=args.epochs, batch_size=args.batch_size, seed=seed, output=out,
                    model_config=config, patience=1, learning_rate=1e-3, verbose=0,
                )  # fmt: skip
                scores = evaluate(out, sources["test"])
            run = {
                "model": label, "seed": seed, **scores,
                "validation_auc": metrics["validation"]["auc"],
                "best_epoch": metrics["best_epoch"], "epochs_run": metrics["epochs_run"],
                "train_seconds": metrics["train_seconds"],
                "examples_per_second": metrics["examples_per_second"],
                "wall_seconds": round(time.perf_counter() - start, 1),
            }  # fmt: skip
            runs.append(run)
            print(
                f"{label:14s} seed {seed}  AUC {run['auc']:.4f}  GAUC {run['gauc']:.4f}  "
                f"best epoch {run['best_epoch']}/{run['epochs_run']}  "
                f"{run['wall_seconds']:.0f}s",
                flush=True,
            )
            summary = summarize(runs)
            record = {"rows": rows, "configs": CONFIGS, "summary": summary, "runs": runs}
            write_results(path, args, record, markdown(summary))
    print(markdown(summarize(runs)))
    return 0


def summarize(runs):
    summary = {}
    for label in CONFIGS:
        mine = [r for r in runs if r["model"] == label]
        if not mine:
            continue
        aucs, gaucs = [r["auc"] for r in mine], [r["gauc"] for r in mine]
        summary[label] = {
            "auc_mean": float(np.mean(aucs)), "auc_std": float(np.std(aucs)),
            "gauc_mean": float(np.mean(gaucs)), "gauc_std": float(np.std(gaucs)),
            "seeds": len(mine),
            "seconds_per_epoch": float(
                np.mean([r["train_seconds"] / r["epochs_run"] for r in mine])
            ),
        }  # fmt: skip
    for label, s in summary.items():
        # Each model over the base trained alike (with or without MBA L2).
        base = summary.get("seq_base (mba)" if label.endswith("mba)") else "seq_base")
        # RelaImpr is undefined for a base at or below chance (a failed run).
        if base and base["auc_mean"] > 0.5 and base["gauc_mean"] > 0.5:
            s["rela_impr_auc"] = rela_impr(s["auc_mean"], base["auc_mean"])
            s["rela_impr_gauc"] = rela_impr(s["gauc_mean"], base["gauc_mean"])
    return summary


def markdown(summary):
    lines = [
        "| model | AUC | GAUC | RelaImpr (AUC) | RelaImpr (GAUC) | seeds | s / epoch |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, s in summary.items():
        rela = [f"{s[k]:+.2f}%" if k in s else "" for k in ("rela_impr_auc", "rela_impr_gauc")]
        lines.append(
            f"| {label} | {s['auc_mean']:.4f} ± {s['auc_std']:.4f} | "
            f"{s['gauc_mean']:.4f} ± {s['gauc_std']:.4f} | {rela[0]} | {rela[1]} | "
            f"{s['seeds']} | {s['seconds_per_epoch']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
