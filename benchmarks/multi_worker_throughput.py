"""Training throughput of `tfrank train --strategy multi_worker` on this host.

Runs the same job (DeepFM, the default synthetic data, global batch
`--batch-size`) as one worker process and as `--workers` processes on
127.0.0.1 (TF_CONFIG, loopback ports), and reads the training rows/s each
reports (`metrics.json`, validation excluded). On a host with fewer cores
than workers they share the cores, so what this shows is the cost of the
collective all-reduce and of the loop, not a speed-up; the sizing table in
the README uses the one-worker rate.

    python benchmarks/multi_worker_throughput.py [--workers 2] [--rows 200000]

Prints and writes benchmarks/results/multi_worker_throughput.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from common import free_ports

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def run(workers, args, root):
    ports = free_ports(workers)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = []
    for i in range(workers):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
        if workers > 1:
            task = {"type": "worker", "index": i}
            env["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": task})
        command = [
            sys.executable, "-m", "tfrank.cli.main", "train", "--model", args.model,
            "--data", f"synthetic:{args.rows}", "--epochs", str(args.epochs),
            "--batch-size", str(args.batch_size), "--patience", "0",
            "--strategy", "multi_worker", "--output", os.path.join(root, f"{workers}-{i}"),
        ]  # fmt: skip
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))  # fmt: skip
    for i, p in enumerate(processes):
        _, err = p.communicate()
        if p.returncode:
            raise RuntimeError(f"worker {i} of {workers} failed:\n{err[-3000:]}")
    with open(os.path.join(root, f"{workers}-0", "metrics.json")) as f:
        metrics = json.load(f)
    return {
        "workers": workers,
        "rows_per_second": metrics["examples_per_second"],
        "train_seconds": metrics["train_seconds"],
        "validation_auc": metrics["validation"]["auc"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="deepfm")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        results = [run(1, args, root), run(args.workers, args, root)]
    for r in results:
        print(f"{r['workers']} worker(s): {r['rows_per_second']:,.0f} rows/s in all, "
              f"validation AUC {r['validation_auc']:.4f}")  # fmt: skip
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "multi_worker_throughput.json"), "w") as f:
        json.dump({"settings": vars(args), "cpu_count": os.cpu_count(), "results": results}, f,
                  indent=1)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
