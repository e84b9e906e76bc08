"""SIM (hard and soft search) vs DIN on the last 50 behaviours, on long histories.

Two datasets:

- synthetic (`SyntheticBehaviour` with 1,000-3,000 clicks per user): a
  fifth of the clicks re-click an item clicked at least 500 clicks earlier;
  negatives come from the positive's category, so the category says
  nothing and only the memory of that old click tells the positive apart.
  DIN sees the last 50 behaviours; SIM searches all of them (K = 50) and
  attends over the retrieved ones plus the last 50: hard search by
  category; soft search as in the paper (learned projections trained by
  its own loss) and, for comparison, by the shared embeddings' inner
  product with no search loss (tfrank's soft search before it followed the
  paper). For SIM, `recall` is the share of test candidates re-clicked from
  beyond the last 50 behaviours whose earlier click the search retrieved.
- Taobao UserBehavior (the head slice: 43 users, up to 466 events), with
  histories of up to 500 events and random negatives.

Per synthetic user the last `--targets` clicks are targets (every Taobao
event after a user's first is one); each user's last click
is the test target and the one before it validation (early stopping on its
AUC, patience 1). Batch 256, Adam 1e-3. Scores: test AUC and GAUC.

    python benchmarks/long_histories.py [--datasets synthetic taobao] [--seeds 0 1 2]

Prints a table and writes benchmarks/results/long_histories.json / .md
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

from tfrank.data import (
    DataSource,
    SyntheticBehaviour,
    behaviour_feature_spec,
    build_sample_splits,
    load_taobao_user_behavior,
)
from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
MODELS = {
    "din (last 50)": ("din", {}, 50),
    "sim (hard)": ("sim", {"search": "hard"}, None),
    "sim (soft)": ("sim", {"search": "soft"}, None),
    "sim (soft, no search loss)": (
        "sim",
        {"search": "soft", "search_projection": False, "search_loss_weight": 0.0},
        None,
    ),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", nargs="+", default=["synthetic", "taobao"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--users", type=int, default=300, help="synthetic users")
    parser.add_argument("--targets", type=int, default=30, help="synthetic targets per user")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--taobao", default=shared_data_path("taobao_user_behavior", "UserBehavior_head4321.csv")
    )
    args = parser.parse_args()
    path = os.path.join(RESULTS, "long_histories")
    runs = previous_runs(path) if args.resume else []
    done = {(r["dataset"], r["model"], r["seed"]) for r in runs}
    for dataset in args.datasets:
        loaded = _load(dataset, args)
        if loaded is None:
            print(f"{dataset}: data not found; skipped.")
            continue
        parts, longest = loaded
        print(f"{dataset}: rows {[len(p) for p in parts]}, longest history {longest}", flush=True)
        for label in args.models:
            model, config, window = MODELS[label]
            spec = behaviour_feature_spec(max_length=window or longest, target_time=model == "sim")
            train_set, valid_set, test_set = (
                DataSource(p, spec, group="user_id", name=f"{dataset}-{n}")
                for p, n in zip(parts, ("train", "validation", "test"))
            )
            for seed in args.seeds:
                if (dataset, label, seed) in done:
                    continue
                with tempfile.TemporaryDirectory() as out:
                    start = time.perf_counter()
                    metrics = train(
                        model, data=train_set, validation_data=valid_set, epochs=args.epochs,
                        batch_size=256, seed=seed, output=out, model_config=config, patience=1,
                        learning_rate=1e-3, verbose=0,
                    )  # fmt: skip
                    scores = evaluate(out, test_set)
                    if model == "sim":
                        scores["recall"] = search_recall(os.path.join(out, "model.keras"), test_set)
                run = {
                    "dataset": dataset, "model": label, "seed": seed, **scores,
                    "best_epoch": metrics["best_epoch"], "epochs_run": metrics["epochs_run"],
                    "wall_seconds": round(time.perf_counter() - start, 1),
                }  # fmt: skip
                runs.append(run)
                print(
                    f"{dataset:9s} {label:14s} seed {seed}  AUC {run['auc']:.4f}  "
                    f"GAUC {run['gauc']:.4f}  {run['wall_seconds']:.0f}s",
                    flush=True,
                )
                write_results(path, args, {"models": MODELS, "runs": runs}, markdown(runs))
    print(markdown(runs))
    return 0


def search_recall(path, data, window=50):
    """Share of the candidates clicked before, beyond the last `window`
    behaviours, whose earlier click is among the retrieved steps."""
    import keras

    model = keras.models.load_model(path)
    search = model.get_layer("search")
    finder = keras.Model(model.inputs, search.output[0])
    frame = data.frame
    old = [
        len(h) > window and item in set(h[: len(h) - window])
        for item, h in zip(frame["item_id"], frame["history_items"])
    ]
    rows = frame[np.array(old)]
    if rows.empty:
        return float("nan")
    index = finder.predict(model.feature_spec.frame_to_arrays(rows), verbose=0)
    found = [
        any(h[i] == item for i in steps)
        for item, h, steps in zip(rows["item_id"], rows["history_items"], index)
    ]
    return float(np.mean(found))


def _load(dataset, args):
    """`([train, validation, test] frames, longest history)` or None."""
    if dataset == "synthetic":
        data = SyntheticBehaviour(
            num_users=args.users, num_items=5000, num_categories=50, min_events=1000,
            max_events=3000, revisit=0.2, revisit_gap=500, seed=7,
        )  # fmt: skip
        events, same_category, targets = data.events(), True, args.targets
    else:
        if not os.path.exists(args.taobao):
            return None
        events, same_category, targets = load_taobao_user_behavior(args.taobao), False, None
    longest = int(events.groupby("user_id").size().max())
    options = dict(max_history=longest, same_category=same_category, targets_per_user=targets)
    return list(build_sample_splits(events, **options)), longest


def markdown(runs):
    lines = [
        "| dataset | model | AUC | GAUC | search recall of old re-clicks | seeds |",
        "|---|---|---|---|---|---|",
    ]
    for dataset in dict.fromkeys(r["dataset"] for r in runs):
        for label in MODELS:
            mine = [r for r in runs if r["dataset"] == dataset and r["model"] == label]
            if not mine:
                continue
            auc, gauc = (np.array([r[k] for r in mine]) for k in ("auc", "gauc"))
            recall = [r["recall"] for r in mine if "recall" in r]
            recall = f"{np.mean(recall):.3f}" if recall else "–"
            lines.append(
                f"| {dataset} | {label} | {auc.mean():.4f} ± {auc.std():.4f} | "
                f"{gauc.mean():.4f} ± {gauc.std():.4f} | {recall} | {len(mine)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
