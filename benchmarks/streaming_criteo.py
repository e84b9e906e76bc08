"""Data larger than memory: Criteo-format files of 1M, 10M and 45M rows.

    python benchmarks/make_criteo_like.py --rows 45000000 --output /tmp/criteo/criteo_45m.tsv
    head -n 10000000 /tmp/criteo/criteo_45m.tsv > /tmp/criteo/criteo_10m.tsv
    head -n 1000000 /tmp/criteo/criteo_45m.tsv > /tmp/criteo/criteo_1m.tsv
    python benchmarks/streaming_criteo.py --folder /tmp/criteo --part readers
    python benchmarks/streaming_criteo.py --folder /tmp/criteo --part speed     # 1M
    python benchmarks/streaming_criteo.py --folder /tmp/criteo --part crossover
    python benchmarks/streaming_criteo.py --folder /tmp/criteo --part resume    # 10M
    python benchmarks/streaming_criteo.py --folder /tmp/criteo --part full      # 45M

Every training run is `tfrank train --model deepfm` in its own process
(peak RSS is that process's), one epoch, batch 4096, the Criteo spec with
every vocabulary capped at `--max-vocabulary` values so the model is the
same size at every scale. Parts:

- readers: rows/s of reading the 1M-row file in bounded chunks with
  pyarrow's streaming CSV reader and with pandas' `chunksize`.
- speed: at 1M rows, in memory (`--streaming never`) and streamed
  (`--streaming always`, prepared into a fresh cache), side by side:
  training examples/s, prepare rows/s, peak RSS, validation AUC.
- crossover: at 50k, 200k and 500k rows, wall time of one epoch end to end
  in memory and streamed: where streaming starts to pay (`--streaming auto`
  streams above `IN_MEMORY_LIMIT`).
- resume: at 10M rows, an uninterrupted streamed run, then a run killed
  (SIGKILL) in the middle of its epoch and started again; rows redone and
  both validation AUCs. Its first run is also the 10M memory point.
- full: the 45M-row file end to end (prepare + one epoch + scoring): wall
  time, peak RSS, examples/s, validation AUC.

Saves `benchmarks/results/streaming_criteo.json` (one entry per part).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from common import ROOT

RESULTS = os.path.join(ROOT, "benchmarks", "results", "streaming_criteo.json")
PEAK = "PEAK_RSS_KB"
LAUNCH = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('PEAK_RSS_KB', resource.getrusage("
    "resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr, flush=True))\n"
    "import runpy\n"
    "runpy.run_module('tfrank', run_name='__main__')\n"
)


def spec_file(folder, cap) -> str:
    from tfrank.data import criteo_feature_spec
    from tfrank.features import FeatureSpec

    spec = criteo_feature_spec(embedding_dim=16, min_count=2)
    capped = FeatureSpec([dataclasses.replace(f, max_vocabulary_size=cap)
                          if f.kind == "categorical" else f for f in spec.features])  # fmt: skip
    path = os.path.join(folder, f"criteo_spec_cap{cap}.json")
    capped.save(path)
    return path


def train_args(data, spec, out, cache, streaming, batch, extra=()):
    return ["train", "--model", "deepfm", "--data", f"criteo:{data}", "--features", spec,
            "--epochs", "1", "--batch-size", str(batch), "--patience", "0", "--output", out,
            "--cache-dir", cache, "--streaming", streaming, "--no-tensorboard", *extra]  # fmt: skip


def start(args):
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *args], cwd=ROOT, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def finish(process, out) -> dict:
    _, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"tfrank failed ({process.returncode}): {err[-3000:]}")
    peak = [line for line in err.splitlines() if line.startswith(PEAK)]
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    return {"peak_rss_gb": round(int(peak[-1].split()[1]) / 1e6, 3), "metrics": metrics}


def summary(run: dict, wall: float) -> dict:
    m = run["metrics"]
    reading = m["reading"]
    return {
        "wall_seconds": round(wall, 1), "peak_rss_gb": run["peak_rss_gb"],
        "reading": reading["mode"], "rows": m["rows"],
        "prepare_rows_per_second": reading.get("prepare_rows_per_second"),
        "prepare_seconds": reading.get("prepare_seconds"),
        "train_seconds": m["train_seconds"], "examples_per_second": m["examples_per_second"],
        "validation_auc": m["validation"]["auc"], "validation_logloss": m["validation"]["logloss"],
        "resumed_after_epoch": m["resumed_after_epoch"], "resumed_at_step": m["resumed_at_step"],
    }  # fmt: skip


def timed_run(args, out):
    begin = time.perf_counter()
    run = finish(start(args), out)
    return summary(run, time.perf_counter() - begin)


def readers(folder, _args) -> dict:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = os.path.join(folder, "criteo_1m.tsv")
    from tfrank.data.criteo import COLUMNS

    begin = time.perf_counter()
    reader = pcsv.open_csv(
        path, read_options=pcsv.ReadOptions(column_names=COLUMNS, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in COLUMNS}),
    )  # fmt: skip
    arrow_rows = sum(batch.num_rows for batch in reader)
    arrow = time.perf_counter() - begin
    begin = time.perf_counter()
    pandas_rows = 0
    for chunk in pd.read_csv(path, sep="\t", header=None, names=COLUMNS, dtype=str,
                             quoting=3, chunksize=65536, keep_default_na=False):  # fmt: skip
        pandas_rows += len(chunk)
    pandas = time.perf_counter() - begin
    assert arrow_rows == pandas_rows
    return {"file": path, "rows": arrow_rows, "bytes": os.path.getsize(path),
            "pyarrow_rows_per_second": round(arrow_rows / arrow),
            "pandas_rows_per_second": round(pandas_rows / pandas)}  # fmt: skip


def speed(folder, args) -> dict:
    data = os.path.join(folder, "criteo_1m.tsv")
    spec = spec_file(folder, args.max_vocabulary)
    work = os.path.join(folder, "work_speed")
    shutil.rmtree(work, ignore_errors=True)
    runs = {}
    for mode, streaming in (("in_memory", "never"), ("streaming", "always")):
        out = os.path.join(work, mode)
        runs[mode] = timed_run(train_args(data, spec, out, os.path.join(work, "cache"),
                                          streaming, args.batch_size), out)  # fmt: skip
        print(mode, json.dumps(runs[mode]), flush=True)
    ratio = runs["streaming"]["examples_per_second"] / runs["in_memory"]["examples_per_second"]
    return {"rows": 1_000_000, "batch_size": args.batch_size, "runs": runs,
            "streaming_over_in_memory": round(ratio, 3)}  # fmt: skip


def crossover(folder, args) -> dict:
    """Wall time end to end (one epoch) in memory and streamed, on the first
    rows of the 1M file: where streaming starts to pay."""
    source = os.path.join(folder, "criteo_1m.tsv")
    spec = spec_file(folder, args.max_vocabulary)
    work = os.path.join(folder, "work_crossover")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sizes = []
    for rows in (50_000, 200_000, 500_000):
        data = os.path.join(work, f"criteo_{rows}.tsv")
        with open(source) as f, open(data, "w") as out:
            for _, line in zip(range(rows), f):
                out.write(line)
        runs = {}
        for mode, streaming in (("in_memory", "never"), ("streaming", "always")):
            out = os.path.join(work, f"{rows}-{mode}")
            runs[mode] = timed_run(train_args(data, spec, out, os.path.join(work, "cache"),
                                              streaming, args.batch_size), out)  # fmt: skip
        sizes.append({"rows": rows, "bytes": os.path.getsize(data), "runs": runs})
        print(rows, {m: r["wall_seconds"] for m, r in runs.items()}, flush=True)
    return {"batch_size": args.batch_size, "sizes": sizes}


def resume(folder, args) -> dict:
    data = os.path.join(folder, "criteo_10m.tsv")
    spec = spec_file(folder, args.max_vocabulary)
    work = os.path.join(folder, "work_resume")
    shutil.rmtree(work, ignore_errors=True)
    cache = os.path.join(work, "cache")
    every = ["--checkpoint-every", str(args.checkpoint_every)]
    whole_out, killed_out = os.path.join(work, "whole"), os.path.join(work, "killed")
    whole = timed_run(train_args(data, spec, whole_out, cache, "always", args.batch_size, every),
                      whole_out)  # fmt: skip
    print("whole", json.dumps(whole), flush=True)
    steps = whole["rows"]["train"] // args.batch_size
    # Kill once the checkpoint holds about half the epoch, a little after a save.
    state = os.path.join(killed_out, "checkpoint", "checkpoint.json")
    process = start(train_args(data, spec, killed_out, cache, "always", args.batch_size, every))
    saved_at, step = None, 0
    while process.poll() is None and step < steps // 2:
        if os.path.exists(state):
            with open(state) as f:
                step = json.load(f).get("step", 0)
            saved_at = os.path.getmtime(state)
        time.sleep(0.2)
    time.sleep(args.kill_delay)
    killed_at = time.time()
    process.send_signal(signal.SIGKILL)
    process.communicate()
    with open(state) as f:
        checkpoint_step = json.load(f)["step"]
    begin = time.perf_counter()
    resumed = finish(start(train_args(data, spec, killed_out, cache, "always", args.batch_size,
                                      every)), killed_out)  # fmt: skip
    resumed = summary(resumed, time.perf_counter() - begin)
    print("resumed", json.dumps(resumed), flush=True)
    rate = whole["examples_per_second"]
    redone = (killed_at - saved_at) * rate if saved_at else None
    return {"rows": 10_000_000, "batch_size": args.batch_size,
            "checkpoint_every_steps": args.checkpoint_every,
            "checkpoint_interval_rows": args.checkpoint_every * args.batch_size,
            "killed_after_checkpoint_step": checkpoint_step, "steps_per_epoch": steps,
            "seconds_from_last_checkpoint_to_kill": round(killed_at - saved_at, 2),
            "rows_redone_estimate": round(redone) if redone is not None else None,
            "uninterrupted": whole, "resumed": resumed,
            "auc_difference": abs(whole["validation_auc"] - resumed["validation_auc"])}  # fmt: skip


def full(folder, args) -> dict:
    data = os.path.join(folder, "criteo_45m.tsv")
    spec = spec_file(folder, args.max_vocabulary)
    work = os.path.join(folder, "work_full")
    shutil.rmtree(work, ignore_errors=True)
    out = os.path.join(work, "out")
    every = ["--checkpoint-every", str(args.checkpoint_every)]
    run = timed_run(train_args(data, spec, out, os.path.join(work, "cache"), "auto",
                               args.batch_size, every), out)  # fmt: skip
    print("full", json.dumps(run), flush=True)
    return {"rows": 45_000_000, "bytes": os.path.getsize(data), "batch_size": args.batch_size,
            "run": run}  # fmt: skip


PARTS = {"readers": readers, "speed": speed, "crossover": crossover, "resume": resume,
         "full": full}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", required=True, help="where the generated files are")
    parser.add_argument("--part", choices=sorted(PARTS), required=True)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--max-vocabulary", type=int, default=20_000)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--kill-delay", type=float, default=3.0)
    args = parser.parse_args()
    result = PARTS[args.part](args.folder, args)
    result["settings"] = vars(args)
    result["cpu_count"] = os.cpu_count()
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    results[args.part] = result
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
