"""Result files of the benchmarks that run many trainings.

`<path>.json` holds the settings and every finished run (so `--resume`
keeps them), `<path>.md` the table made from them; both are rewritten after
each run, so an interrupted benchmark loses at most the run in progress.
"""

import json
import os

SKIPPED_SETTINGS = ("resume", "data_dir", "census", "taobao")


def previous_runs(path):
    """The runs saved at `path`, or none."""
    if not os.path.exists(path + ".json"):
        return []
    with open(path + ".json") as f:
        return json.load(f)["runs"]


def write_results(path, args, record, table):
    """`record` (the runs and whatever describes them) plus the command's
    settings (local paths and `--resume` left out) to `<path>.json`, and
    `table` to `<path>.md`."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k not in SKIPPED_SETTINGS}
    with open(path + ".json", "w") as f:
        json.dump({"settings": settings, **record}, f, indent=1)
    with open(path + ".md", "w") as f:
        f.write(table + "\n")
