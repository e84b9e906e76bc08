"""The speed, reliability and scaling sections of benchmarks/README.md, one
function each (same contract as readme_ctr.py)."""

from readme_format import (
    best_flags,
    bold,
    code,
    command,
    growth,
    joined,
    kilo,
    num,
    pct,
    section,
    span,
    table,
    times,
)

THROUGHPUT_HEADER = [
    "implementation",
    "cardinality",
    "examples/s (median)",
    "runs",
    "peak RSS MB",
    "MLP matmul share",
]


def _rate(rows, label, cardinality, implementation="tfrank"):
    for r in rows:
        if (r["label"], r["cardinality"], r["implementation"]) == (
            label,
            cardinality,
            implementation,
        ):
            return r["median_examples_per_second"]
    return None


def _throughput_row(r):
    share = pct(r["roofline"]) if "roofline" in r else ""
    return [
        r["label"],
        r["implementation"],
        r["cardinality"],
        num(r["median_examples_per_second"]),
        len(r["examples_per_second"]),
        num(r["peak_rss_mb"]),
        share,
    ]


def _spread(rows):
    """The largest distance of one timed run from its configuration's median."""
    return max(
        abs(x / r["median_examples_per_second"] - 1) for r in rows for x in r["examples_per_second"]
    )


def training_throughput(results):
    data = results("training_throughput.json")
    if data is None:
        return None
    rows, st = data["results"], data["settings"]
    peer = {(r["model"], r["cardinality"]): r for r in rows if r["implementation"] == "deepctr"}
    table_rows = []
    for r in rows:
        mate = peer.get((r["model"], r["cardinality"])) if r["implementation"] == "tfrank" else None
        ratio = (
            times(r["median_examples_per_second"] / mate["median_examples_per_second"])
            if mate
            else ""
        )
        table_rows.append(_throughput_row(r) + [ratio])
    ours = {(r["model"], r["cardinality"]): r for r in rows if r["implementation"] == "tfrank"}
    deepctr = next((r["versions"]["deepctr"] for r in peer.values()), None)
    tf_version = next(r["versions"]["tensorflow"] for r in rows)
    big = [(m, ours[(m, c)], p) for (m, c), p in peer.items() if c == "criteo" and (m, c) in ours]
    small = [(m, ours[(m, c)], p) for (m, c), p in peer.items() if c == "small" and (m, c) in ours]

    def ratios(pairs):
        return joined(
            f"{times(o['median_examples_per_second'] / p['median_examples_per_second'])} for `{m}`"
            for m, o, p in pairs
        )

    text = []
    if big:
        saved = [1 - o["peak_rss_mb"] / p["peak_rss_mb"] for _, o, p in big]
        text.append(
            f"At Criteo's cardinalities, tfrank's examples/s over DeepCTR's are "
            f"{ratios(big)}, in {span(saved, pct)} less peak memory. What makes the "
            "difference: sparse optimizer updates (`LazyAdam`, levers below), gathers on "
            "the embedding variable itself (so a sparse update never makes TensorFlow "
            "copy the table), and no dense gradient or moment temporaries."
        )
    if small:
        text.append(
            f"At small vocabularies the MLP dominates and the two are close: {ratios(small)}."
        )
    optimizers = {r["cardinality"]: r["optimizer"] for r in rows if "optimizer" in r}
    chosen = joined(f"`{o}` for the {c} rows" for c, o in optimizers.items())
    text.append(
        f"tfrank's default optimizer (`adam_for`) was {chosen}. The timed runs of a "
        f"configuration lie within ±{pct(_spread(rows))} of their median."
    )
    params = ours.get(("deepfm", "criteo"))
    return section(
        "Training throughput at the Criteo shape",
        command(
            "python benchmarks/training_throughput.py --peer-python "
            "/path/to/deepctr-venv/bin/python"
        ),
        "13 numerics + 26 categoricals, embedding 16, batch "
        f"{st['batch_size']}, synthetic batches generated in memory "
        "(`benchmarks/criteo_shape.py`: Zipf-distributed ids, as ad logs are), each "
        f"configuration in its own process, median of {st['runs']} timed `fit`s of "
        f"{st['steps']} steps after a {st['warmup_steps']}-step warm-up, tfrank and the peer "
        f"alternated model by model. The peer is DeepCTR {deepctr} on `tf_keras`, in a "
        "throwaway venv that sees the same TensorFlow "
        f"({tf_version}; `python -m venv --system-site-packages V && V/bin/pip install "
        f"tf-keras=={tf_version} && V/bin/pip install --no-deps deepctr=={deepctr}`; "
        "`benchmarks/peer_deepctr.py` points DeepCTR's old `tensorflow.python.keras` imports at "
        'tf_keras), with the same MLPs and Adam, the same ids. "criteo" uses Criteo\'s Kaggle '
        "cardinalities (up to 10.1M ids per field"
        + (f"; {params['parameters'] / 1e6:,.0f}M parameters for DeepFM" if params else "")
        + '); "small" caps each field at 10,000.',
        table(["model"] + THROUGHPUT_HEADER + ["vs DeepCTR"], table_rows),
        " ".join(text),
        "**Roofline** (the \"MLP matmul share\" column): the time the model's Dense layers' "
        "matrix products alone take per step (forward x·W and both backward products, at the "
        "batch size, timed on this machine) over the measured step time. DCN-v2's column counts "
        "only its MLP, not its cross layers."
        + _roofline_reading(rows, results("training_throughput_levers.json")),
    )


def _roofline_reading(rows, levers):
    deepfm = [
        r
        for r in rows
        if r["model"] == "deepfm"
        and r["cardinality"] == "small"
        and r["implementation"] == "tfrank"
        and "roofline" in r
    ]
    if levers:
        deepfm += [r for r in levers["results"] if r["cardinality"] == "small" and "roofline" in r]
    if not deepfm:
        return ""
    first = deepfm[0]
    step = first["batch_size"] / first["median_examples_per_second"]
    return (
        f" DeepFM at small vocabularies reaches {span([r['roofline'] for r in deepfm], pct)} "
        f"across the configurations here: its MLP's products take "
        f"{first['mlp_matmul_seconds_per_step'] * 1000:.0f} ms of a "
        f"{step * 1000:.0f} ms step; the rest is the embedding side (lookups, their gradients, "
        "the optimizer's row updates)."
    )


def throughput_levers(results):
    data = results("training_throughput_levers.json")
    if data is None:
        return None
    rows = data["results"]
    cards = list(dict.fromkeys(r["cardinality"] for r in rows))

    def rates(label):
        return " / ".join(kilo(_rate(rows, label, c)) for c in cards if _rate(rows, label, c))

    text = [
        f"Examples/s below are at {' / '.join(cards)} cardinality; the default trains "
        f"{rates('default')}."
    ]
    adam = _rate(rows, "Adam (dense moment updates)", "criteo")
    lazy = _rate(rows, "LazyAdam (rows in the batch)", "criteo")
    if adam and lazy:
        text.append(
            f"At Criteo's cardinalities dense Adam, which decays both moments of every "
            f"table row every step, trains {num(adam)} examples/s against {num(lazy)} "
            "for `LazyAdam`, which reads and writes only the rows in the batch."
        )
    text.append(
        f"Kept: `num_ids` for ids already encoded (Keras' `Hashing` formats every integer "
        f"as text first: {rates('hashed ids (Keras Hashing)')}); tf.data with autotune "
        f"off (on: {rates('tf.data autotune on')})."
    )
    others = ["xla (jit_compile)", "steps_per_execution=8", "batch 16384, lr x4"]
    best = max(_rate(rows, lab, c) / _rate(rows, "default", c) for lab in others for c in cards)
    noise = _spread(rows)
    text.append(
        "Not kept: "
        + "; ".join(f"{lab}: {rates(lab)}" for lab in others)
        + (
            f" — none beats the default by more than the runs' spread (±{pct(noise)})."
            if best - 1 <= noise
            else "."
        )
    )
    return section(
        "Training throughput: levers",
        command("python benchmarks/training_throughput.py --levers"),
        "DeepFM, one change at a time from the default, same setup as above.",
        table(["lever"] + THROUGHPUT_HEADER, [_throughput_row(r) for r in rows]),
        " ".join(text),
    )


def embedding_tables(results):
    data = results("training_throughput_embeddings.json")
    if data is None:
        return None
    rows = [
        [
            r["cardinality"],
            f"{r['fused_ms_per_step']:.1f}",
            f"{r['per_feature_ms_per_step']:.1f}",
            times(r["per_feature_ms_per_step"] / r["fused_ms_per_step"]),
        ]
        for r in data["results"]
    ]
    return section(
        "Training throughput: one fused table vs one per feature",
        command("python benchmarks/training_throughput.py --embedding-only"),
        "Lookups, their gradients and `LazyAdam` alone, no MLP: `EmbeddingBank`'s fused table "
        "(one gather per embedding width) against one table per feature; batch "
        f"{data['settings']['batch_size']}, median of {data['settings']['runs']} runs.",
        table(
            ["cardinality", "fused ms / step", "per-feature ms / step", "per-feature / fused"], rows
        ),
    )


SCORING_NOTES = {"din": "attention over all N", "sim": "hard search, K = 50, last 50"}


def sequence_scoring_time(results):
    data = results("sequence_scoring_time.json")
    if data is None:
        return None
    st = data["settings"]
    lengths = st["lengths"]
    us = {(r["model"], r["history"]): r["microseconds"] for r in data["runs"]}
    ratios = [us[(m, lengths[-1])] / us[(m, lengths[0])] for m in st["models"]]
    flags = best_flags(ratios, growth, best=min)
    rows = [
        [f"`{m}` ({SCORING_NOTES.get(m, m)})"]
        + [f"{num(us[(m, n)])} µs" for n in lengths]
        + [bold(growth(x), f)]
        for m, x, f in zip(st["models"], ratios, flags)
    ]
    header = ["model"] + [f"N = {num(n)}" for n in lengths] + [f"{num(lengths[-1])} / {lengths[0]}"]
    return section(
        "Sequence scoring time",
        command("python benchmarks/sequence_scoring_time.py"),
        f"Scoring time per candidate against history length N: {st['candidates']} candidates per "
        "request, each row carrying the history; median of "
        f"{st['repeats']} requests.",
        table(header, rows),
    )


def serving_latency(results):
    data = results("serving_latency.json")
    if data is None:
        return None
    st, res = data["settings"], data["results"]
    rows = [
        [m, b, f"{v['p50_ms']:.2f}", f"{v['p99_ms']:.2f}", num(v["rows_per_second"])]
        for m, by_batch in res.items()
        for b, v in by_batch.items()
    ]
    batches = list(next(iter(res.values())))
    mid = batches[-2] if len(batches) > 2 else batches[-1]

    def p50(batch):
        return [res[m][batch]["p50_ms"] for m in res]

    def one(x):
        return f"{x:.1f}"

    return section(
        "Serving latency",
        command("python benchmarks/serving_latency.py"),
        f"The exported SavedModels of {joined(f'`{m}`' for m in st['models'])} (Criteo shape, "
        f"{st['cardinality']} cardinality: 10,000-id fields, DIN with a {st['history']}-behaviour "
        "history) called through `serving_default` with raw features, in a process where "
        "importing Keras or tfrank fails, one call after another for "
        f"{st['seconds']:g} s per batch size, {data['machine']['cpu_count']} CPU cores.",
        table(["model", "batch", "p50 ms", "p99 ms", "rows/s"], rows),
        f"A request of {mid} candidates scores in {span(p50(mid), one)} ms at p50; batch "
        f"{batches[0]} costs {span(p50(batches[0]), one)} ms per call, most of it fixed overhead.",
    )


# --- reliability --------------------------------------------------------------------------------


def resume(results):
    data = results("reliability.json")
    if data is None or "resume" not in data:
        return None
    st, runs = data["resume"]["settings"], data["resume"]["runs"]
    rows = [
        [
            f"`{r['model']}`",
            r["epochs_in_checkpoint_at_kill"],
            r["epochs_trained_after_restart"],
            r["epochs_redone"],
            " / ".join(
                f"{r[k]:.1f}"
                for k in (
                    "uninterrupted_wall_seconds",
                    "killed_run_wall_seconds",
                    "restarted_run_wall_seconds",
                )
            ),
            f"{r['validation_auc_uninterrupted']:.6f} / {r['validation_auc_resumed']:.6f}",
        ]
        for r in runs
    ]
    redone = sum(r["epochs_redone"] for r in runs)
    diff = max(abs(r["auc_difference"]) for r in runs)
    return section(
        "Kill and resume",
        command("python benchmarks/reliability.py --part resume"),
        f"`tfrank train` on the default synthetic data ({num(st['rows'])} rows, {st['epochs']} "
        "epochs, all trained), once uninterrupted and once killed with SIGKILL "
        f"{st['kill_delay']:g} of an epoch after its first checkpoint, then started again with "
        "the same command.",
        table(
            [
                "model",
                "epochs saved at the kill",
                "epochs trained after the restart",
                "epochs redone",
                "wall s: uninterrupted / killed run / restart",
                "validation AUC: uninterrupted / resumed",
            ],
            rows,
        ),
        f"{'No completed epoch was redone' if not redone else f'{redone} epoch(s) were redone'}"
        f" and the resumed runs end {'at the same' if diff == 0 else f'within {diff:.6f} of the'}"
        " validation AUC; only the interrupted part of an epoch is lost, and the restart pays "
        "the process start and model build again.",
    )


def bad_inputs(results):
    data = results("reliability.json")
    if data is None or "bad_inputs" not in data:
        return None
    rows = [
        [
            c["case"],
            c["input"],
            c["outcome"],
            code(c["message"]) if c["outcome"] == "error" else c["message"],
        ]
        for c in data["bad_inputs"]
    ]
    return section(
        "Bad inputs and their messages",
        command("python benchmarks/reliability.py --part bad_inputs"),
        "Every case of the bad-input catalogue (`tests/cli/bad_inputs/`), with what a user "
        "sees (`DIR` stands for the temporary folder; `exit 2` cases are `tfrank` commands).",
        table(["case", "input", "outcome", "message or behaviour"], rows),
    )


# --- scaling out --------------------------------------------------------------------------------


def multi_worker(results):
    data = results("multi_worker_throughput.json")
    if data is None:
        return None
    st, res = data["settings"], data["results"]
    rows = [
        [
            r["workers"],
            num(r["rows_per_second"]),
            f"{r['train_seconds']:.1f}",
            f"{r['validation_auc']:.4f}",
        ]
        for r in res
    ]
    single = next((r for r in res if r["workers"] == 1), None)
    many = [r for r in res if r["workers"] > 1]
    text = []
    if single and many:
        same = all(f"{r['validation_auc']:.4f}" == f"{single['validation_auc']:.4f}" for r in many)
        text.append(
            f"{joined(r['workers'] for r in many)} workers sharing the same {data['cpu_count']} "
            f"cores train {joined(num(r['rows_per_second']) for r in many)} rows/s in all"
            + (", ending at the same validation AUC" if same else "")
            + ": with fewer cores than workers this measures the overhead of the loop and of the "
            "collectives over loopback, not a speed-up."
        )
    throughput = results("training_throughput.json")
    if throughput:
        rate = _rate(throughput["results"], st["model"], "criteo")
        if rate:
            text.append(
                f"For sizing, one worker at Criteo's cardinalities trains {num(rate)} "
                "examples/s (training throughput above); the worker count a target rate "
                "needs is that target over this rate, a lower bound since linear scaling "
                "was not measurable here."
            )
    return section(
        "Multi-worker training throughput",
        command("python benchmarks/multi_worker_throughput.py"),
        f"`tfrank train --strategy multi_worker` (`{st['model']}`, default synthetic data, "
        f"{num(st['rows'])} rows, {st['epochs']} epochs, global batch {st['batch_size']}) "
        "as one worker process and as several on 127.0.0.1, on "
        f"{data['cpu_count']} cores; training rows/s as each reports it (validation excluded).",
        table(["workers", "rows/s (all workers)", "train s", "validation AUC"], rows),
        " ".join(text),
    )


def parameter_server(results):
    data = results("parameter_server_check.json")
    if data is None:
        return None
    rows = [
        [a["input"], "yes" if a["trained"] else "no", code(a.get("error", ""))]
        for a in data["attempts"]
    ]
    failed = all(not a["trained"] for a in data["attempts"])
    return section(
        "Parameter-server check",
        command("python benchmarks/parameter_server_check.py"),
        "`tf.distribute.ParameterServerStrategy` with an in-process cluster (a chief, two "
        "workers, a parameter server), a tfrank DeepFM, and Keras `fit` with the inputs the "
        f"strategy documents; TensorFlow {data['tensorflow']}, Keras {data['keras']}. The "
        f"variables were created on {joined(f'`{d}`' for d in data['variable_devices'])}.",
        table(["input", "trained", "error"], rows),
        (
            "Keras' `fit` rejects both inputs, and Keras 3 has no `DatasetCreator`: sharding "
            "tables over parameter servers would need a custom coordinator loop."
            if failed
            else ""
        ),
    )


def sharding_routes(results):
    data = results("distributed_embedding_check.json")
    if data is None:
        return None
    v = data["versions"]

    def placed(variables):
        return joined(
            f"`{w['path']}` {w['shape']} on `{w['device'].split('/')[-1]}`"
            + (" (DTensor)" if w["is_dtensor"] else "")
            for w in variables
        )

    de, kd = data["distributed_embedding"], data["keras_distribution"]
    fits = [w["fit"] for w in data["multi_worker_fit"]["workers"]]
    rows = [
        [
            f"keras-rs `DistributedEmbedding` (placement `{de['table']['placement']}`)",
            f"resolved to {joined(de['placements_resolved'])}; {de['weights_count']} weight: "
            f"{placed(de['weights'])}",
        ],
        [
            "keras-rs `DistributedEmbedding` (placement `sparsecore`)",
            code(de["placement_sparsecore"].get("error", "ran")),
        ],
        [
            f"`keras.distribution.{kd['distribution_set']}` on {len(kd['devices'])} CPUs",
            f"Keras `Embedding`: {placed(kd['keras_embedding']['variables'])}; tfrank DeepFM: "
            f"{placed(kd['tfrank_deepfm']['tables'])}",
        ],
        [
            "Keras `fit` under `MultiWorkerMirroredStrategy`, 2 workers",
            joined(
                "trained" if f.get("trained") else code(f.get("error", "").split(" (")[0])
                for f in fits
            ),
        ],
    ]
    return section(
        "Sharding routes check",
        command("python benchmarks/distributed_embedding_check.py"),
        f"keras-rs {v['keras-rs']}, Keras {v['keras']}, TensorFlow {v['tensorflow']}, on this "
        "machine's CPUs: where each route to sharded tables puts a table, or how it fails.",
        table(["route", "what happened"], rows),
    )


def startup_time(results):
    data = results("startup_time.json")
    if data is None:
        return None
    st = data["settings"]
    medians = {(r["checkout"], r["command"]): r["median_s"] for r in data["rows"]}
    checkouts = list(dict.fromkeys(r["checkout"] for r in data["rows"]))
    commands = list(dict.fromkeys(r["command"] for r in data["rows"]))
    names = {"before": f"before ({st['before']})", "this": "this commit"}
    rows = [
        [f"`{c}`"] + [f"{medians[(k, c)]:.2f}" if (k, c) in medians else "" for k in checkouts]
        for c in commands
    ]
    return section(
        "Start-up time",
        command("python benchmarks/startup_time.py --before DIR"),
        f"Wall seconds of each command in a fresh interpreter, median of {st['runs']} runs; "
        "`--before` times the same commands on a checkout of an earlier commit in the same "
        "run. `import tfrank` loads every model so that `keras.models.load_model` finds them, "
        "so it costs what `import tensorflow` costs; the `tfrank` command parses its arguments "
        "before TensorFlow loads.",
        table(["command"] + [f"s, {names.get(k, k)}" for k in checkouts], rows),
    )
