"""GMF, MLP and NeuMF (without and with pretraining) on NCF's MovieLens-1M split.

The NCF paper's protocol: each user's latest rating is the test item,
ranked against the file's 99 sampled negatives (HR@10, NDCG@10); 4 sampled
negatives per training positive, drawn anew every epoch; Adam (the paper:
1e-3 at batch 256; here 4e-3 at batch 1024 by default: after 4 epochs its
validation HR@10 was 0.751 vs 0.744, in 40% of the time on 2 cores).
Predictive factors f: GMF embeddings of width f; MLP tower [4f, 2f, f]
(embeddings 2f each, the paper's choice); NeuMF with both. Pretrained
NeuMF starts from the GMF and MLP trained here (alpha 0.5) and is
fine-tuned with `--fine-tune` (default SGD, the paper's choice).

Early stopping never looks at the test set: one training interaction per
user is held out for validation (with 99 sampled negatives), training
stops after `--patience` epochs without a better validation NDCG@10 and
keeps the best epoch.

    python benchmarks/ncf_ml1m.py [--data-dir ../shared/data/ncf_ml1m] [--factors 8 64]

Prints a table and rewrites benchmarks/results/ncf_ml1m.json and ncf_ml1m.md
after every run (runs of other models and factors already there are kept).
With `--work-dir DIR --resume`, an interrupted benchmark picks up where it
stopped: finished runs are read from their metrics.json. `--timing` only
times NeuMF training epochs per factor (benchmarks/results/ncf_ml1m_timing.json).
"""

import argparse
import json
import os
import sys
import tempfile

import keras
import numpy as np
from common import shared_data_path

from tfrank.data.movielens import load_ncf_ml1m
from tfrank.training import train
from tfrank.training.callbacks import TrainTimer

RESULTS = os.path.join(os.path.dirname(__file__), "results")
# The issue's anchors: the paper's NeuMF with pretraining at 64 factors, and
# Dacrema et al.'s reproduction of it.
DEFAULT_FINE_TUNE = "sgd:0.001"  # the paper's optimizer for pretrained NeuMF
ANCHORS = {"neumf (pretrained), 64": {"paper": (0.730, 0.447), "dacrema": (0.6725, 0.4011)}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=shared_data_path("ncf_ml1m"))
    parser.add_argument("--factors", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument(
        "--learning-rate", type=float, default=4e-3, help="Adam's, for GMF, MLP and NeuMF"
    )
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--fine-tune", default=DEFAULT_FINE_TUNE, help="OPTIMIZER:LEARNING_RATE of pretrained NeuMF"
    )
    parser.add_argument("--models", nargs="+", default=["gmf", "ncf_mlp", "pretrained", "neumf"])
    parser.add_argument("--verbose", type=int, default=0, help="2: one line per epoch")
    parser.add_argument(
        "--work-dir", help="keep the trained models here (default: a temporary folder)"
    )
    parser.add_argument(
        "--resume", action="store_true",
        help="reuse runs whose model folder in --work-dir already has metrics.json",
    )  # fmt: skip
    parser.add_argument(
        "--timing", action="store_true",
        help="only time NeuMF epochs (per factor; the first epoch, with tracing, is dropped)",
    )  # fmt: skip
    args = parser.parse_args()
    if not os.path.isdir(args.data_dir):
        print(f"NCF ML-1M not found at {args.data_dir}; nothing to do.")
        return 0
    data = load_ncf_ml1m(args.data_dir)
    if args.timing:
        return timing(data, args)
    optimizer, rate = args.fine_tune.split(":")
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        root = args.work_dir or scratch
        os.makedirs(root, exist_ok=True)
        for f in args.factors:
            layers = [4 * f, 2 * f, f]
            plan = {
                "gmf": ("gmf", {"factors": f}),
                "ncf_mlp": ("ncf_mlp", {"mlp_layers": layers}),
                "neumf": ("neumf", {"factors": f, "mlp_layers": layers}),
                "pretrained": (
                    "neumf",
                    {
                        "gmf_model_dir": os.path.join(root, f"gmf_{f}"),
                        "ncf_mlp_model_dir": os.path.join(root, f"ncf_mlp_{f}"),
                        "fine_tune_optimizer": optimizer,
                        "fine_tune_learning_rate": float(rate),
                    },
                ),
            }
            for key in args.models:
                model, config = plan[key]
                # A fine-tuning other than the paper's is a run of its own.
                variant = (
                    ""
                    if key != "pretrained" or args.fine_tune == DEFAULT_FINE_TUNE
                    else (args.fine_tune.replace(":", "_"))
                )
                output = os.path.join(root, f"{key}_{f}" + (f"_{variant}" if variant else ""))
                done = os.path.join(output, "metrics.json")
                if args.resume and os.path.exists(done):
                    with open(done) as fh:
                        metrics = json.load(fh)
                else:
                    metrics = train(
                        model,
                        data=data,
                        epochs=args.epochs,
                        batch_size=args.batch_size,
                        output=output,
                        seed=args.seed,
                        model_config=config,
                        patience=args.patience,
                        learning_rate=None if key == "pretrained" else args.learning_rate,
                        verbose=args.verbose,
                    )
                name = "neumf (pretrained)" if key == "pretrained" else model
                if variant:
                    name = f"neumf (pretrained, {args.fine_tune} fine-tune)"
                label = f"{name}, {f}"
                run = {
                    "model": label,
                    "factors": f,
                    "config": config if key != "pretrained" else {"fine_tune": args.fine_tune},
                    "test": metrics["test"],
                    "validation": metrics["validation"],
                    "best_epoch": metrics["best_epoch"],
                    "epochs_run": metrics["epochs_run"],
                    "seconds_per_epoch": metrics["seconds_per_epoch"],
                    "examples_per_second": metrics["examples_per_second"],
                    "train_seconds": metrics["train_seconds"],
                    "settings": {k: v for k, v in vars(args).items() if k != "data_dir"},
                }
                runs.append(run)
                print(
                    f"{label:24s} HR@10 {run['test']['hr@10']:.4f}  NDCG@10 "
                    f"{run['test']['ndcg@10']:.4f}  best epoch {run['best_epoch']}/"
                    f"{run['epochs_run']}  {run['seconds_per_epoch']:.0f} s/epoch",
                    flush=True,
                )
                save(runs)  # after every run: a long benchmark keeps what it finished
    print(markdown(merged(runs)))
    return 0


def timing(data, args, epochs=3):
    """Seconds per NeuMF training epoch (4 sampled negatives per positive,
    4.94M examples), validation passes excluded: epochs 2..`epochs`."""
    from tfrank.data.negative_sampler import NegativeSampler
    from tfrank.models import NeuMF

    spec = data.feature_spec().fit(data.vocabulary_frame())
    sampler = NegativeSampler(data.train, data.items, num_negatives=4, seed=0)
    dataset = sampler.dataset(spec, batch_size=args.batch_size)
    results = []
    for f in args.factors:
        keras.utils.set_random_seed(0)
        model = NeuMF(spec, factors=f, mlp_layers=[4 * f, 2 * f, f])
        model.compile()
        timer = TrainTimer()
        model.fit(dataset, epochs=epochs, verbose=0, callbacks=[timer])
        seconds = timer.epoch_seconds
        per_epoch = float(np.mean(seconds[1:]))
        examples = len(data.train) * 5
        results.append({"factors": f, "seconds_per_epoch": round(per_epoch, 1),
                        "examples_per_second": round(examples / per_epoch),
                        "epoch_seconds": [round(x, 1) for x in seconds]})  # fmt: skip
        print(f"neumf, {f}: {per_epoch:.1f} s / epoch ({examples / per_epoch:,.0f} examples/s)")
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "ncf_ml1m_timing.json"), "w") as fh:
        json.dump({"batch_size": args.batch_size, "cpu_count": os.cpu_count(), "runs": results},
                  fh, indent=1)  # fmt: skip
    return 0


def save(runs):
    runs = merged(runs)
    with open(os.path.join(RESULTS, "ncf_ml1m.json"), "w") as f:
        json.dump({"anchors": ANCHORS, "runs": runs}, f, indent=1)
    with open(os.path.join(RESULTS, "ncf_ml1m.md"), "w") as f:
        f.write(markdown(runs) + "\n")


def merged(runs):
    """This invocation's runs replace earlier ones of the same model and
    factors in the results file; the others stay (so factors can be run
    one invocation at a time), ordered by factors."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "ncf_ml1m.json")
    kept = []
    if os.path.exists(path):
        with open(path) as f:
            new = {run["model"] for run in runs}
            kept = [run for run in json.load(f)["runs"] if run["model"] not in new]
    order = ["gmf", "ncf_mlp", "neumf", "neumf (pretrained)"]

    def key(run):
        name = run["model"].rsplit(",", 1)[0]
        return run["factors"], order.index(name) if name in order else len(order), name

    return sorted(kept + runs, key=key)


def markdown(runs):
    lines = [
        "| model, factors | HR@10 | NDCG@10 | paper HR / NDCG | Dacrema et al. HR / NDCG "
        "| best epoch | s / epoch |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        anchors = ANCHORS.get(run["model"], {})
        paper, dacrema = (
            f"{anchors[k][0]} / {anchors[k][1]}" if k in anchors else ""
            for k in ("paper", "dacrema")
        )
        lines.append(
            f"| {run['model']} | {run['test']['hr@10']:.4f} | {run['test']['ndcg@10']:.4f} | "
            f"{paper} | {dacrema} | {run['best_epoch']} | {run['seconds_per_epoch']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
