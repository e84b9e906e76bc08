"""Scoring time per candidate vs history length: DIN over the whole history vs SIM.

One request scores `--candidates` candidates for one user whose history
has N behaviours (N in 50, 500, 5,000, 10,000), every row carrying that
history (the exported signature's layout). DIN attends over all N; SIM
(hard search, K = 50, short-term window 50) searches all N but attends over
100. Each model is built for histories of N (`max_length = N`), compiled
once with `tf.function`, warmed up, then timed over `--repeats` requests;
the figure is the median request time divided by the candidates.

    python benchmarks/sequence_scoring_time.py [--lengths 50 500 5000 10000]

Prints a table and writes benchmarks/results/sequence_scoring_time.json / .md.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import tensorflow as tf

from tfrank.data import SyntheticBehaviour
from tfrank.models import DIN, SIM

RESULTS = os.path.join(os.path.dirname(__file__), "results")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[50, 500, 5000, 10000])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--models", nargs="+", default=["din", "sim"])
    args = parser.parse_args()
    data = SyntheticBehaviour(num_users=50, num_items=5000, num_categories=50, seed=0)
    train, _ = data.samples(max_history=50)
    rng = np.random.default_rng(0)
    runs = []
    for n in args.lengths:
        spec = data.feature_spec(max_length=n).fit(train)
        request = _request(data, n, args.candidates, rng)
        for name in args.models:
            model = _model(name, spec)
            serve = tf.function(lambda x, m=model: m(x, training=False))
            for _ in range(3):
                serve(request)
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                serve(request).numpy()
                times.append(time.perf_counter() - start)
            per_candidate = float(np.median(times)) / args.candidates
            runs.append({"model": name, "history": n, "microseconds": per_candidate * 1e6})
            print(f"{name:4s} N={n:6d}  {per_candidate * 1e6:9.1f} us / candidate", flush=True)
    table = markdown(runs, args.lengths)
    print(table)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "sequence_scoring_time.json"), "w") as f:
        json.dump({"settings": vars(args), "runs": runs}, f, indent=1)
    with open(os.path.join(RESULTS, "sequence_scoring_time.md"), "w") as f:
        f.write(table + "\n")
    return 0


def _model(name, spec):
    if name == "din":
        return DIN(spec)
    # As measured: DIN's attention unit as exact search and no time embedding
    # (SIM's defaults before it followed the paper's form).
    return SIM(spec, search="hard", top_k=50, short_length=50, exact_search="din", time_buckets=0)


def _request(data, n, candidates, rng):
    items = rng.integers(data.num_items, size=n)
    history = np.tile(items, (candidates, 1))
    return {
        "user_id": tf.constant(np.full(candidates, 7), tf.int64),
        "item_id": tf.constant(rng.integers(data.num_items, size=candidates), tf.int64),
        "category": tf.constant(rng.integers(data.num_categories, size=candidates), tf.int64),
        "history_items": tf.constant(history, tf.int64),
        "history_categories": tf.constant(data.item_category[history], tf.int64),
        "history_times": tf.constant(np.tile(np.arange(n, dtype=np.float32), (candidates, 1))),
    }


def markdown(runs, lengths):
    by = {(r["model"], r["history"]): r["microseconds"] for r in runs}
    models = sorted({r["model"] for r in runs})
    lines = [
        "| model | "
        + " | ".join(f"N = {n:,}" for n in lengths)
        + f" | {lengths[-1]:,} / {lengths[0]} |",
        "|---|" + "---|" * (len(lengths) + 1),
    ]
    for m in models:
        cells = [f"{by[(m, n)]:.0f} us" for n in lengths]
        ratio = by[(m, lengths[-1])] / by[(m, lengths[0])]
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
