"""Reliability figures: the bad inputs and their messages, and kill-and-resume.

    python benchmarks/reliability.py                    # both parts
    python benchmarks/reliability.py --part bad_inputs
    python benchmarks/reliability.py --part resume --models deepfm din

`bad_inputs`: every case of `tests/cli/bad_inputs/` with the outcome and
the exact message a user sees.

`resume`: for each model, `tfrank train` on the default synthetic data (the
`--rows` given, `--epochs`, all epochs trained) once uninterrupted and once
killed with SIGKILL `--kill-delay` of an epoch after its first checkpoint,
then started again with the same command. Reports the epochs the checkpoint
held, the epochs trained after the restart, wall times and the validation
AUC of both runs.

Saves `benchmarks/results/reliability.json` and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

from common import kill_mid_epoch, tfrank_process

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "reliability.json")


def bad_inputs() -> list[dict]:
    from tests.cli.bad_inputs import bad_input_cases

    with tempfile.TemporaryDirectory() as workdir:
        cases = bad_input_cases(workdir)
        for case in cases:
            case["message"] = case["message"].replace(workdir, "DIR")
    for case in cases:
        print(f"- {case['case']} ({case['input']}): {case['outcome']}: {case['message']}")
    return cases


def timed_run(args) -> float:
    start = time.perf_counter()
    process = tfrank_process(args, stdout=subprocess.DEVNULL)
    _, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(err[-3000:])
    return time.perf_counter() - start


def resume(model, rows, epochs, kill_delay, workdir) -> dict:
    base = ["train", "--model", model, "--data", f"synthetic:{rows}", "--epochs", str(epochs),
            "--patience", "0", "--seed", "0"]  # fmt: skip
    whole, killed = os.path.join(workdir, "whole"), os.path.join(workdir, "killed")
    whole_seconds = timed_run([*base, "--output", whole])
    with open(os.path.join(whole, "metrics.json")) as f:
        reference = json.load(f)
    epoch_seconds = reference["train_seconds"] / epochs
    start = time.perf_counter()
    done = kill_mid_epoch(
        [*base, "--output", killed], os.path.join(killed, "checkpoint"), kill_delay * epoch_seconds
    )
    killed_seconds = time.perf_counter() - start
    restart_seconds = timed_run([*base, "--output", killed])
    with open(os.path.join(killed, "metrics.json")) as f:
        resumed = json.load(f)
    row = {
        "model": model,
        "rows": rows,
        "epochs": epochs,
        "epochs_in_checkpoint_at_kill": done,
        "epochs_trained_after_restart": epochs - resumed["resumed_after_epoch"],
        "epochs_redone": done - resumed["resumed_after_epoch"],
        "uninterrupted_wall_seconds": round(whole_seconds, 1),
        "killed_run_wall_seconds": round(killed_seconds, 1),
        "restarted_run_wall_seconds": round(restart_seconds, 1),
        "validation_auc_uninterrupted": reference["validation"]["auc"],
        "validation_auc_resumed": resumed["validation"]["auc"],
        "auc_difference": abs(resumed["validation"]["auc"] - reference["validation"]["auc"]),
    }
    print(json.dumps(row))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("all", "bad_inputs", "resume"), default="all")
    parser.add_argument("--models", nargs="+", default=["deepfm", "din"])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--kill-delay", type=float, default=0.5, help="fraction of an epoch")
    args = parser.parse_args()
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    if args.part in ("all", "bad_inputs"):
        results["bad_inputs"] = bad_inputs()
    if args.part in ("all", "resume"):
        results["resume"] = {"settings": vars(args), "runs": []}
        for model in args.models:
            with tempfile.TemporaryDirectory() as workdir:
                row = resume(model, args.rows, args.epochs, args.kill_delay, workdir)
            results["resume"]["runs"].append(row)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
