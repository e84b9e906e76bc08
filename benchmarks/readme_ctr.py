"""The click-model accuracy sections of benchmarks/README.md, one function each.

Each function takes `results` (`make_readme.Results`: `results("x.json")` is
the parsed file, or None when it is absent) and returns `(title, markdown)`,
or None when its JSON file is missing. Every number in the text comes from
the JSON; the setup sentences quote the scripts' own settings where the JSON
does not record them.
"""

from readme_format import (
    best_flags,
    bold,
    by_seed,
    command,
    deltas,
    fmt4,
    joined,
    mean_std,
    model_label,
    num,
    pct,
    pm,
    pm_of,
    section,
    seeds_of,
    signed,
    small,
    table,
)


def synthetic_crosses(results):
    data = results("synthetic_interactions.json")
    if data is None:
        return None
    seeds = seeds_of(data["runs"])
    auc = by_seed(data["runs"])
    models = list(data["summary"])
    base = "logistic_regression"
    notes = {
        base: "first order",
        "wide_and_deep": "crosses of adjacent fields, blind to the planted ones",
    }
    rows, gains = [], {m: deltas(auc, m, base, seeds) for m in models}
    trained = [m for m in models if not m.startswith("oracle")]
    flags = dict(zip(trained, best_flags([data["summary"][m]["auc_mean"] for m in trained], fmt4)))
    for m in models:
        s = data["summary"][m]
        label = model_label(m, notes).replace("known crosses", "crosses of the planted pairs")
        per_seed = "—" if m == base else ", ".join(signed(g) for g in gains[m])
        best = flags.get(m, False)
        rows.append(
            [label, bold(pm(s["auc_mean"], s["auc_std"]), best), bold(per_seed, best and m != base)]
        )
    fm_gain, deepfm_gain = gains.get("fm", []), gains.get("deepfm", [])
    everywhere = fm_gain and deepfm_gain and all(d > f > 0 for d, f in zip(deepfm_gain, fm_gain))
    return section(
        "Synthetic data with planted crosses",
        command("python benchmarks/synthetic_interactions.py"),
        f"Each model trained as `tfrank train --model NAME` does ({num(data['rows'])} rows, 10% "
        f"validation for early stopping, ≤ {data['epochs']} epochs, batch "
        f"{data['batch_size']}), scored on fresh rows of the same generator; {len(seeds)} "
        "seeds (each seed is a different generator, so compare within a seed).",
        table(["model", "AUC (mean ± std)", "AUC − first order, per seed"], rows),
        (
            "FM gains over the first-order model on every seed and DeepFM gains more: "
            "FM learns the factorized pairs, DeepFM also the third-order parities. "
            if everywhere
            else ""
        )
        + "Wide & Deep's interactions come from the crosses it is given: with crosses that miss "
        f"the planted pairs its MLP does not find them within {data['epochs']} epochs; with the "
        "right crosses it gains.",
    )


def criteo_sample(results):
    data = results("criteo_sample.json")
    if data is None:
        return None
    rows = [
        [f"`{m}`", pm(s["auc_mean"], s["auc_std"]), pm(s["logloss_mean"], s["logloss_std"])]
        for m, s in data["summary"].items()
    ]
    test_rows = data["runs"][0]["rows"]
    files = [data[k].rsplit("/", 1)[-1] for k in ("train", "early_stopping_on", "test")]
    return section(
        "Criteo sample",
        command("python benchmarks/criteo_sample.py"),
        f"Train on `{files[0]}`, early stopping on `{files[1]}`, test on `{files[2]}` "
        f"({num(test_rows)} rows); batch {data['batch_size']}, ≤ {data['epochs']} epochs, "
        f"{len(seeds_of(data['runs']))} seeds.",
        table(["model", "test AUC", "test logloss"], rows),
        f"With {num(test_rows)} test rows an AUC is too noisy to rank these models: the sample "
        "shows that they train and serve on real Criteo rows, not which is best (the literature "
        "sees embedding models beat a linear one only at millions of training rows).",
    )


def frappe(results):
    data = results("frappe.json")
    if data is None:
        return None
    summary = sorted(data["summary"].items(), key=lambda kv: -kv[1]["auc"]["mean"])
    rows = [
        [
            f"`{m}`",
            pm(s["auc"]["mean"], s["auc"]["std"]),
            pm(s["logloss"]["mean"], s["logloss"]["std"]),
            pm(s["train_seconds"]["mean"], s["train_seconds"]["std"], 0),
        ]
        for m, s in summary
    ]
    rank = {m: i + 1 for i, (m, _) in enumerate(summary)}
    split = data["rows"]
    total = sum(split.values())
    dropouts = sorted({c["dropout"] for c in data["configs"].values() if "dropout" in c})
    fnn_epochs = [r["best_epoch"] for r in data["runs"] if r["model"] == "fnn"]
    text = (
        f"Ranked by mean test AUC, `{summary[0][0]}` leads; `fm` ranks {rank['fm']} and `afm` "
        f"{rank['afm']} of {len(summary)}, below most deep interaction models, as in the BARS "
        "Frappe benchmark; accuracy here still grows with the training rows (learning curve "
        "below)."
    )
    if fnn_epochs:
        text += (
            " FNN, which starts from an FM trained on the same rows, reached its best "
            f"validation AUC at fine-tuning epoch {joined(fnn_epochs)} (per seed)."
        )
    return section(
        "Frappe",
        command("python benchmarks/frappe.py"),
        f"The two public libFM files ({num(total)} rows; the original train file is not "
        f"public) split 80/10/10 with a fixed seed ({' / '.join(num(v) for v in split.values())} "
        f"rows); batch {data['batch_size']}, ≤ {data['max_epochs']} epochs with early "
        f"stopping on validation AUC (patience 2), Adam {small(data['learning_rate'])} "
        f"(Wide & Deep: its FTRL + AdaGrad), dropout {joined(dropouts, 'or')} in MLPs; test "
        f"AUC over {len(seeds_of(data['runs']))} seeds.",
        table(["model", "test AUC", "test logloss", "train time (s)"], rows),
        text,
    )


def frappe_learning_curve(results):
    data = results("frappe_learning_curve.json")
    if data is None:
        return None
    sizes = sorted({r["train_rows"] for r in data["runs"]})
    seeds = seeds_of(data["runs"])
    auc = {(r["train_rows"], r["seed"]): r["auc"] for r in data["runs"]}
    rows, means = [], []
    for n in sizes:
        values = [auc[(n, s)] for s in seeds if (n, s) in auc]
        means.append(mean_std(values)[0])
        rows.append(
            [num(n), pct(n / sizes[-1]), pm_of(values), ", ".join(f"{v:.4f}" for v in values)]
        )
    return section(
        "Frappe learning curve",
        command(
            f"python benchmarks/frappe.py --learning-curve --seeds {' '.join(map(str, seeds))}"
        ),
        f"`{data['model']}` with the Frappe recipe above on a share of the training rows (same "
        f"validation and test rows), {len(seeds)} seeds.",
        table(["training rows", "share", "test AUC", "per seed"], rows),
        f"DeepFM's test AUC is {' / '.join(f'{m:.3f}' for m in means)} on "
        f"{' / '.join(pct(n / sizes[-1]) for n in sizes)} of the training rows: accuracy "
        "still grows with data at this size.",
    )


def third_order(results):
    settings = [
        (name, results(f"third_order_crosses{suffix}.json"))
        for name, suffix in (("categorical", ""), ("dense", "_dense"))
    ]
    settings = [(name, data) for name, data in settings if data is not None]
    if not settings:
        return None
    header, columns = ["model"], []
    for name, data in settings:
        header += [f"{name}: AUC", "− DeepFM, per seed"]
        seeds, auc = seeds_of(data["runs"]), by_seed(data["runs"])
        models = list(data["summary"])
        trained = [m for m in models if m != "oracle"]
        flags = dict(
            zip(trained, best_flags([data["summary"][m]["auc_mean"] for m in trained], fmt4))
        )
        column = {}
        for m in models:
            s, gains = data["summary"][m], deltas(auc, m, "deepfm", seeds)
            per_seed = "—" if m == "deepfm" else ", ".join(signed(g) for g in gains)
            best = flags.get(m, False)
            column[m] = [
                bold(pm(s["auc_mean"], s["auc_std"]), best),
                bold(per_seed, best and m != "deepfm"),
            ]
        columns.append((name, data, column, seeds, auc))
    models = list(columns[0][2])
    rows = [[model_label(m)] + sum((c[2].get(m, ["", ""]) for c in columns), []) for m in models]
    text = []
    for name, data, _, seeds, auc in columns:
        better = [
            m
            for m in data["summary"]
            if m not in ("oracle", "deepfm") and all(d > 0 for d in deltas(auc, m, "deepfm", seeds))
        ]
        if better:
            text.append(
                f"On {name} third-order crosses {joined(f'`{m}`' for m in better)} "
                "beats DeepFM on every seed."
            )
        else:
            text.append(
                f"On {name} third-order crosses no DCN-v2 variant beats DeepFM on every "
                "seed: learning each value's factor is the bottleneck there."
            )
    data = columns[0][1]
    return section(
        "Third-order crosses",
        command(
            "python benchmarks/third_order_crosses.py --setting categorical",
            "python benchmarks/third_order_crosses.py --setting dense",
        ),
        f"Synthetic data whose clicks depend mostly on third-order products, {num(data['rows'])} "
        "rows, early stopping, ≤ 5 epochs, scored on fresh rows, "
        f"{len(columns[0][3])} seeds. *categorical*: products g_f·g_g·g_h of per-value Gaussian "
        "factors of three categorical fields; *dense*: products z_a·z_b·z_c of standardized "
        "numeric features (the dense polynomial of the DCN-v2 paper's own study).",
        table(header, rows),
        " ".join(text),
    )
