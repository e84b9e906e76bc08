"""Training throughput at the Criteo shape: tfrank vs DeepCTR, and the levers.

13 numerics + 26 categoricals (Criteo's Kaggle cardinalities, up to 10.1M
ids per field, or `small`: at most 10,000), embedding 16, batch 4096,
synthetic batches generated in memory (`criteo_shape.py`) so the model is
what is measured. Every configuration runs in its own process: one
warm-up `fit` of `--warmup-steps`, then `--runs` timed `fit`s of
`--steps` steps; examples/s is their median, peak RSS the process's.
Peer runs (DeepCTR 0.9.3 in its own environment, `--peer-python`) alternate
with tfrank's, model by model, on the same data.

The roofline: each timed configuration also reports the time of its MLP's
matrix products alone (forward and both backward products per layer, at the
batch size, on this machine), and `roofline` = that time / the step time.

    python benchmarks/training_throughput.py --peer-python /tmp/deepctr-venv/bin/python
    python benchmarks/training_throughput.py --levers        # deepfm, one lever at a time
    python benchmarks/training_throughput.py --embedding-only  # fused table vs 26 tables

Prints a table and writes benchmarks/results/training_throughput[_levers].json and .md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
MODELS = ("deepfm", "dcn_v2", "dlrm", "din")
PEER_MODELS = ("deepfm", "dcn_v2", "din")
# The MLPs each model runs (input width at 39 fields x 16 and 50 behaviours).
CONFIGS = {
    "deepfm": {"hidden_units": [400, 400, 400]},
    "dcn_v2": {"structure": "parallel", "num_cross_layers": 3, "hidden_units": [400, 400, 400]},
    "dlrm": {"bottom_units": [512, 256, 16], "top_units": [512, 256]},
    "din": {},
}
LEVERS = {
    "default": {},
    "Adam (dense moment updates)": {"optimizer": "adam"},
    "LazyAdam (rows in the batch)": {"optimizer": "lazy_adam"},
    "hashed ids (Keras Hashing)": {"ids": "hash"},
    "xla (jit_compile)": {"jit_compile": True},
    "steps_per_execution=8": {"steps_per_execution": 8},
    "batch 16384, lr x4": {"batch_size": 16384, "learning_rate": 4e-3},
    "tf.data autotune on": {"autotune": True},
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--cardinality", nargs="+", default=["criteo", "small"])
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--history", type=int, default=50)
    parser.add_argument("--peer-python", help="python of an environment with deepctr==0.9.3")
    parser.add_argument("--levers", action="store_true", help="deepfm, one lever at a time")
    parser.add_argument("--merge", action="store_true", help="keep saved rows not redone")
    parser.add_argument(
        "--embedding-only",
        action="store_true",
        help="one fused table vs a table per feature, lookups and updates only",
    )
    args = parser.parse_args()
    if args.worker:
        from throughput_worker import run

        print(json.dumps(run(json.loads(args.worker))))
        return 0
    if args.embedding_only:
        from throughput_worker import fused_vs_per_feature

        rows = [fused_vs_per_feature(c, args.batch_size) for c in args.cardinality]
        _save_named("training_throughput_embeddings", args, rows)
        print(json.dumps(rows, indent=1))
        return 0
    plan = _lever_plan(args) if args.levers else _peer_plan(args)
    redo = {(label, impl, job["cardinality"]) for label, impl, job in plan}
    kept = [
        r for r in _saved(args) if (r["label"], r["implementation"], r["cardinality"]) not in redo
    ]
    results = []
    for label, impl, job in plan:
        outcome = _spawn(impl, job, args.peer_python)
        row = {"label": label, "implementation": impl, **job, **outcome}
        if "examples_per_second" in outcome:
            row["median_examples_per_second"] = float(np.median(outcome["examples_per_second"]))
        results.append(row)
        _print_row(row)
        _save(args, results + kept)
    results += kept
    print(markdown(results, args.levers))
    return 0


def _job(args, model, cardinality, **overrides):
    job = {
        "model": model, "cardinality": cardinality, "batch_size": args.batch_size,
        "steps": args.steps, "warmup_steps": args.warmup_steps, "runs": args.runs,
        "history": args.history, "config": CONFIGS[model], "batches": 8,
    }  # fmt: skip
    job.update(overrides)
    return job


def _peer_plan(args):
    plan = []
    for cardinality in args.cardinality:
        for model in args.models:
            plan.append((model, "tfrank", _job(args, model, cardinality)))
            if args.peer_python and model in PEER_MODELS:
                plan.append((model, "deepctr", _job(args, model, cardinality)))
    return plan


def _lever_plan(args):
    return [
        (label, "tfrank", _job(args, "deepfm", cardinality, **lever))
        for cardinality in args.cardinality
        for label, lever in LEVERS.items()
    ]


def _spawn(impl, job, peer_python):
    if impl == "deepctr":
        command = [peer_python, os.path.join(HERE, "peer_deepctr.py"), json.dumps(job)]
    else:
        command = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(job)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE)
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode or not lines:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def _print_row(row):
    if "error" in row:
        print(f"{row['label']:24s} {row['implementation']:8s} {row['cardinality']:7s} "
              f"ERROR {row['error']}", flush=True)  # fmt: skip
        return
    roofline = f"  roofline {row['roofline']:.0%}" if "roofline" in row else ""
    print(
        f"{row['label']:24s} {row['implementation']:8s} {row['cardinality']:7s} "
        f"{row['median_examples_per_second']:9.0f} ex/s  RSS {row['peak_rss_mb']:6.0f} MB"
        f"{roofline}",
        flush=True,
    )


def markdown(results, levers):
    head = "lever" if levers else "model"
    lines = [
        f"| {head} | implementation | cardinality | examples/s (median) | runs | peak RSS MB | "
        "MLP matmul share | vs DeepCTR |",
        "|---|---|---|---|---|---|---|---|",
    ]
    peer = {
        (r["model"], r["cardinality"]): r["median_examples_per_second"]
        for r in results
        if r["implementation"] == "deepctr" and "median_examples_per_second" in r
    }
    for r in results:
        if "error" in r:
            lines.append(f"| {r['label']} | {r['implementation']} | {r['cardinality']} | "
                         f"failed: {' '.join(r['error'])[:120]} | | | | |")  # fmt: skip
            continue
        rate = r["median_examples_per_second"]
        ratio = ""
        if r["implementation"] == "tfrank" and (r["model"], r["cardinality"]) in peer:
            ratio = f"{rate / peer[(r['model'], r['cardinality'])]:.2f}×"
        share = f"{r['roofline']:.0%}" if "roofline" in r else ""
        lines.append(
            f"| {r['label']} | {r['implementation']} | {r['cardinality']} | {rate:,.0f} | "
            f"{len(r['examples_per_second'])} | {r['peak_rss_mb']:,.0f} | {share} | {ratio} |"
        )
    return "\n".join(lines)


def _saved(args):
    name = "training_throughput" + ("_levers" if args.levers else "")
    path = os.path.join(RESULTS, name + ".json")
    if not args.merge or not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)["results"]


def _save(args, results):
    name = "training_throughput" + ("_levers" if args.levers else "")
    _save_named(name, args, results)
    with open(os.path.join(RESULTS, name + ".md"), "w") as f:
        f.write(markdown(results, args.levers) + "\n")


def _save_named(name, args, results):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, name)
    machine = {"platform": platform.platform(), "processor": platform.processor(),
               "cpu_count": os.cpu_count()}  # fmt: skip
    settings = {k: v for k, v in vars(args).items() if k != "worker"}
    with open(path + ".json", "w") as f:
        json.dump({"settings": settings, "machine": machine, "results": results}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
