"""Scores, summary and table of `peer_quality.py`'s runs.

Both libraries' test predictions are scored here, by `tfrank.metrics`, so
the two columns of every table come from the same metric code. The record
(`<path>.json`) keeps every run; `write_record` recomputes the summary and
rewrites `<path>.md` from it.
"""

import json
import os

import numpy as np

from tfrank.metrics import auc, gauc, logloss

LIBRARIES = ("tfrank", "deepctr")
RUN_KEY = ("setting", "library", "model", "seed")


def scores(truth, groups, predictions):
    """Test AUC and logloss (means over tasks, with each task's AUC when
    there are several) and, with user groups, GAUC of the first task."""
    names = list(truth)
    aucs = {n: auc(truth[n], predictions[:, i]) for i, n in enumerate(names)}
    losses = [logloss(truth[n], predictions[:, i]) for i, n in enumerate(names)]
    out = {"auc": float(np.mean(list(aucs.values()))), "logloss": float(np.mean(losses))}
    if len(names) > 1:
        out["tasks"] = aucs
    if groups is not None:
        out["gauc"] = gauc(truth[names[0]], predictions[:, 0], groups)
    return out


def add_run(record, run):
    """`run` into `record["runs"]`, replacing the run of the same setting,
    library, model and seed."""
    key = [run[k] for k in RUN_KEY]
    record["runs"] = [r for r in record["runs"] if [r[k] for k in RUN_KEY] != key]
    record["runs"].append(run)


def summarize(record):
    """`{setting: {model: {library: {"seeds": n, metric: {mean, std}}}}}`,
    in the order of `record["models"]`."""
    summary = {}
    for setting, models in record.get("models", {}).items():
        for model in models:
            for library in LIBRARIES:
                key = (setting, model, library)
                mine = [
                    r for r in record["runs"] if (r["setting"], r["model"], r["library"]) == key
                ]
                if not mine:
                    continue
                cell = {"seeds": len(mine)}
                for key in ("auc", "logloss", "gauc", "train_seconds", "best_epoch"):
                    if key in mine[0]:
                        values = [r[key] for r in mine]
                        cell[key] = {"mean": float(np.mean(values)), "std": float(np.std(values))}
                summary.setdefault(setting, {}).setdefault(model, {})[library] = cell
    return summary


def markdown(record):
    lines = []
    for setting, models in summarize(record).items():
        metric = "mean test AUC of the tasks" if setting == "census" else "test AUC"
        lines += [f"**{setting}** ({metric}, mean ± std over seeds)", "",
                  "| model | tfrank | DeepCTR | tfrank ≥ peer mean − peer std? |",
                  "|---|---|---|---|"]  # fmt: skip
        for model, cell in models.items():
            shown = [f"{c['auc']['mean']:.4f} ± {c['auc']['std']:.4f}" if c else ""
                     for c in (cell.get("tfrank"), cell.get("deepctr"))]  # fmt: skip
            verdict = ""
            if len(cell) == 2:
                peer = cell["deepctr"]["auc"]
                holds = cell["tfrank"]["auc"]["mean"] >= peer["mean"] - peer["std"]
                verdict = "yes" if holds else "no"
            names = record["models"][setting][model]
            label = f"`{names['tfrank'][0]}` / `{names['deepctr']['model']}`"
            lines.append(f"| {model} ({label}) | {shown[0]} | {shown[1]} | {verdict} |")
        lines.append("")
    return "\n".join(lines).strip()


def read_record(path):
    """The record at `<path>.json`, or an empty one."""
    record = {"settings": {}, "runs": []}
    if os.path.exists(path + ".json"):
        with open(path + ".json") as f:
            record.update(json.load(f))
    return record


def write_record(path, record):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    record["summary"] = summarize(record)
    with open(path + ".json", "w") as f:
        json.dump(record, f, indent=1)
    with open(path + ".md", "w") as f:
        f.write(markdown(record) + "\n")
