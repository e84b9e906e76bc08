"""Start-up time: `import tfrank`, `tfrank --help` and `tfrank models`, wall clock.

    python benchmarks/startup_time.py [--runs 5] [--before DIR]

Each command runs `--runs` times in a fresh interpreter; the table shows the
median. `import tensorflow` is timed too: the floor of anything that loads
the models. With `--before DIR` (a checkout of another commit, e.g. made by
`git worktree add DIR COMMIT`), the same commands run against that checkout
too (put first on `PYTHONPATH`), side by side in the same run.

Saves `benchmarks/results/startup_time.json` and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results", "startup_time.json")
COMMANDS = {
    "import tensorflow": ["-c", "import tensorflow"],
    "import tfrank": ["-c", "import tfrank"],
    "import keras, tfrank; load the registry": [
        "-c",
        "import keras, tfrank; tfrank.get_model_class('deepfm')",
    ],
    "tfrank --help": ["-m", "tfrank", "--help"],
    "tfrank models": ["-m", "tfrank", "models"],
}
# What the same commands were called before the command line moved to `python -m tfrank`.
LEGACY = {"tfrank models": ["-m", "tfrank.cli.main", "models"]}


def seconds(args, env, cwd) -> float:
    start = time.perf_counter()
    # Run from the checkout: `python -c` and `-m` put the working directory first on sys.path.
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, env=env, cwd=cwd, timeout=300
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{args} failed: {result.stderr.decode()[-2000:]}")
    return elapsed


def measure(label, checkout, runs) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=checkout)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    rows = []
    for name, args in COMMANDS.items():
        if (
            checkout != ROOT
            and name in LEGACY
            and not os.path.exists(os.path.join(checkout, "tfrank", "__main__.py"))
        ):
            args = LEGACY[name]
        times = [seconds(args, env, checkout) for _ in range(runs)]
        rows.append({"checkout": label, "command": name, "median_s": statistics.median(times),
                     "runs_s": [round(t, 3) for t in times]})  # fmt: skip
        print(f"{label:>8}  {name:<40} {statistics.median(times):6.2f} s", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="a checkout of an earlier commit to time too")
    args = parser.parse_args()
    rows = []
    if args.before:
        rows += measure("before", os.path.abspath(args.before), args.runs)
    rows += measure("this", ROOT, args.runs)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "tfrank"],
                                capture_output=True, text=True).stdout.strip())  # fmt: skip
    before = None
    if args.before:
        before = subprocess.run(["git", "-C", args.before, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()  # fmt: skip
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        settings = {"runs": args.runs, "head": commit, "uncommitted_changes": dirty,
                    "before": before}  # fmt: skip
        json.dump({"settings": settings, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
