"""The "Data larger than memory" section of benchmarks/README.md (same
contract as readme_ctr.py): every figure from streaming_criteo.json."""

from readme_format import command, num, section, table


def _gb(x):
    return f"{x:.2f}"


def large_data(results):
    data = results("streaming_criteo.json")
    if data is None:
        return None
    parts = []
    speed, resume, full, readers = (data.get(k) for k in ("speed", "resume", "full", "readers"))
    rows, memory = [], []
    if speed:
        for mode, run in speed["runs"].items():
            rows.append(_row(f"1M, {mode.replace('_', '-')}", run))
        memory.append(("1M", speed["runs"]["streaming"]["peak_rss_gb"]))
    if resume:
        rows.append(_row("10M, streaming", resume["uninterrupted"]))
        memory.append(("10M", resume["uninterrupted"]["peak_rss_gb"]))
    if full:
        rows.append(_row("45M, streaming", full["run"]))
        memory.append(("45M", full["run"]["peak_rss_gb"]))
    settings = (speed or resume or full)["settings"]
    parts.append(
        "Criteo-format TSVs in the Kaggle layout (13 counts, 26 hashed categories drawn from "
        "universes of Kaggle's cardinalities, log-uniform ranks, a planted click signal), written "
        "by `benchmarks/make_criteo_like.py`; the 10M and 1M files are the first rows of the 45M "
        f"one. Each run: `tfrank train --model deepfm`, one epoch, batch {settings['batch_size']}, "
        f"every vocabulary capped at {num(settings['max_vocabulary'])} values (the same model at "
        "every scale), in its own process on "
        f"{(speed or resume or full)['cpu_count']} cores; peak RSS is that process's (reading, "
        "prepare, training, validation, scoring and export together)."
    )
    parts.append(table(
        ["rows, reading", "wall s", "peak RSS GB", "prepare rows/s", "train examples/s",
         "validation AUC"], rows))  # fmt: skip
    text = []
    if speed:
        text.append(
            f"At 1M rows, side by side in one run, streaming trains at "
            f"{100 * speed['streaming_over_in_memory']:.1f}% of the in-memory examples/s "
            f"(target ≥ 90%) and its process peaks at "
            f"{_gb(speed['runs']['streaming']['peak_rss_gb'])} GB against "
            f"{_gb(speed['runs']['in_memory']['peak_rss_gb'])} GB in memory."
        )
    if len(memory) > 1:
        base = memory[0][1]
        text.append(
            "Peak RSS of the streamed runs: "
            + ", ".join(
                f"{label} rows {_gb(gb)} GB ({gb / base:.2f}× of 1M)" for label, gb in memory
            )  # fmt: skip
            + " (target: 45M within 1.2× of 1M)."
        )
        if resume and resume.get("note"):
            text.append(f"The 10M runs were {resume['note']}.")
    if readers:
        text.append(
            f"Reading the 1M-row file in bounded chunks: pyarrow's streaming CSV reader "
            f"{num(readers['pyarrow_rows_per_second'])} rows/s, pandas' `chunksize` "
            f"{num(readers['pandas_rows_per_second'])} rows/s; tfrank uses pyarrow."
        )
    parts.append(" ".join(text))
    crossover = data.get("crossover")
    if crossover:
        parts.append(
            "**When to stream.** Wall seconds of one epoch end to end (reading or preparing, "
            "training, validation, export), on the first rows of the 1M file:"
        )
        parts.append(table(
            ["rows", "MB", "in-memory s", "streaming s", "in-memory peak RSS GB",
             "streaming peak RSS GB"],
            [[num(c["rows"]), f"{c['bytes'] / 1e6:.0f}",
              num(c["runs"]["in_memory"]["wall_seconds"], 1),
              num(c["runs"]["streaming"]["wall_seconds"], 1),
              _gb(c["runs"]["in_memory"]["peak_rss_gb"]),
              _gb(c["runs"]["streaming"]["peak_rss_gb"])] for c in crossover["sizes"]],
        ))  # fmt: skip
    if resume:
        parts.append(
            f"**Kill and resume** (10M rows, `--checkpoint-every "
            f"{resume['checkpoint_every_steps']}`, i.e. every "
            f"{num(resume['checkpoint_interval_rows'])} rows): killed with SIGKILL "
            f"{resume['seconds_from_last_checkpoint_to_kill']} s after its checkpoint at step "
            f"{resume['killed_after_checkpoint_step']} of {resume['steps_per_epoch']}, so about "
            f"{num(resume['rows_redone_estimate'])} rows were redone (at most one interval); the "
            f"restarted run resumed at step {resume['resumed']['resumed_at_step']} and ended with "
            f"validation AUC {resume['resumed']['validation_auc']:.6f} against "
            f"{resume['uninterrupted']['validation_auc']:.6f} uninterrupted (difference "
            f"{resume['auc_difference']:.2g})."
        )
    lines = [
        "python benchmarks/make_criteo_like.py --rows 45000000 --output /tmp/criteo/criteo_45m.tsv"
    ]
    lines += [f"python benchmarks/streaming_criteo.py --folder /tmp/criteo --part {p}"
              for p in ("readers", "speed", "crossover", "resume", "full")
              if data.get(p)]  # fmt: skip
    return section("Data larger than memory", command(*lines), *parts)


def _row(label, run):
    prepare = run.get("prepare_rows_per_second")
    return [label, num(run["wall_seconds"]), _gb(run["peak_rss_gb"]),
            num(prepare) if prepare else "—", num(run["examples_per_second"]),
            f"{run['validation_auc']:.4f}"]  # fmt: skip
