"""The side-by-side section of benchmarks/README.md: tfrank and DeepCTR on the
same rows (same contract as readme_ctr.py)."""

from readme_format import command, joined, num, pm, section, small, table

SETTINGS = {
    "frappe": "Frappe, merged and split 80/10/10 as above",
    "beauty": "Amazon Beauty behaviour samples as above",
    "census": "census-income split 80/10/10, mean test AUC of the two tasks",
}


def peer_quality(results):
    data = results("peer_quality.json")
    if data is None:
        return None
    parts = [
        command("python benchmarks/peer_quality.py --peer-python PATH"),
        "Each model trained by both libraries on the same rows (the peer reads the ids and "
        "normalised numerics tfrank's fitted `FeatureSpec` makes) with the same "
        "hyper-parameters, Adam, batch size, most epochs and early stopping on validation AUC "
        "(best epoch kept), scored by the same metric code; DeepCTR "
        f"{data.get('peer_versions', {}).get('deepctr', '')}'s own L2 defaults set to 0. "
        "Last column: whether tfrank's mean is at least the peer's mean minus one standard "
        "deviation.",
    ]
    misses, pending, total = [], [], 0
    for setting, models in data["summary"].items():
        st = data["settings"][setting]
        users = f", {num(st['users'])} users" if isinstance(st.get("users"), int) else ""
        rows = []
        for model, cell in models.items():
            if len(cell) < 2:
                continue
            mine, peer = cell["tfrank"], cell["deepctr"]
            seeds = min(mine["seeds"], peer["seeds"])
            holds = mine["auc"]["mean"] >= peer["auc"]["mean"] - peer["auc"]["std"]
            if seeds < 2:
                # One seed has no spread: the line is not defined yet.
                pending.append(f"{setting} {model}")
            else:
                total += 1
                if not holds:
                    misses.append(f"{setting} {model}")
            names = data["models"][setting][model]
            rows.append([
                f"{model} (`{names['tfrank'][0]}` / `{names['deepctr']['model']}`)",
                pm(mine["auc"]["mean"], mine["auc"]["std"]),
                pm(peer["auc"]["mean"], peer["auc"]["std"]),
                f"{mine['seeds']} / {peer['seeds']}",
                ("yes" if holds else "**no**") if seeds >= 2 else "(1 seed)",
            ])  # fmt: skip
        if not rows:
            continue
        parts.append(
            f"*{setting}*: {SETTINGS.get(setting, setting)}{users}; "
            f"{' / '.join(num(v) for v in st['rows'].values())} rows; batch {st['batch_size']}, "
            f"Adam {small(st['learning_rate'])}, ≤ {st['epochs']} epochs, patience "
            f"{st['patience']}, embeddings {st['embedding_dim']}."
        )
        parts.append(table(["model (tfrank / DeepCTR)", "tfrank AUC", "DeepCTR AUC",
                            "seeds", "tfrank ≥ peer − std"], rows))  # fmt: skip
    if total:
        parts.append(
            f"tfrank holds that line on {total - len(misses)} of {total} models"
            + (f"; not on {joined(misses)}." if misses else ".")
        )
    if pending:
        parts.append(f"Not yet run on seeds 1-2: {joined(pending)}.")
    return section("Beside DeepCTR", *parts)
