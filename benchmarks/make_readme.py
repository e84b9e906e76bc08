"""Write benchmarks/README.md from the benchmark results in benchmarks/results/*.json.

Every figure in the README is computed here from those files; nothing is typed
by hand. After re-running a benchmark script, regenerate the README:

    python benchmarks/make_readme.py          # rewrite benchmarks/README.md
    python benchmarks/make_readme.py --check  # exit 1 if it is not up to date

Standard library only; the sections live in readme_ctr.py,
readme_recommenders.py, readme_systems.py, readme_large_data.py and
readme_peer.py, the number formats in readme_format.py.
"""

import argparse
import difflib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import readme_ctr as ctr  # noqa: E402
import readme_large_data as large_data  # noqa: E402
import readme_peer as peer  # noqa: E402
import readme_recommenders as recommenders  # noqa: E402
import readme_systems as systems  # noqa: E402
from readme_format import joined  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
README = os.path.join(HERE, "README.md")

GROUPS = [
    (
        "Accuracy",
        [
            ctr.synthetic_crosses,
            ctr.criteo_sample,
            ctr.frappe,
            ctr.frappe_learning_curve,
            ctr.third_order,
            recommenders.autorec,
            recommenders.ncf,
            recommenders.behaviour_amazon,
            recommenders.long_histories,
            recommenders.multi_task_census,
            recommenders.multi_task_synthetic,
            peer.peer_quality,
        ],
    ),
    (
        "Speed",
        [
            systems.training_throughput,
            systems.throughput_levers,
            systems.embedding_tables,
            recommenders.ncf_timing,
            systems.sequence_scoring_time,
            systems.serving_latency,
            systems.startup_time,
        ],
    ),
    ("Reliability", [systems.resume, systems.bad_inputs]),
    (
        "Scaling out",
        [
            large_data.large_data,
            systems.multi_worker,
            systems.parameter_server,
            systems.sharding_routes,
        ],
    ),
]


# Result files measured before commit eeefde4 made each epoch's data order a
# function of (seed, epoch), and not re-run since: the commit they were
# measured at (and the rows re-run since, at which commit), shown under
# their sections.
MEASURED_AT = {
    "synthetic_interactions.json": ("567b5b8", "`fm` and `deepfm` re-run at `c2bbf17`"),
    "criteo_sample.json": "3588ba2",
    "frappe.json": ("6e3ea7f", "`nfm` re-run at `c2bbf17`"),
    "frappe_learning_curve.json": "6e3ea7f",
    "third_order_crosses.json": (
        "6e3ea7f",
        "the categorical setting's experts row re-run at `c2bbf17`",
    ),
    "third_order_crosses_dense.json": (
        "e754e21",
        "the dense setting's experts row re-run at `805f00c`",
    ),
    "autorec_ml100k.json": "24a9dae",
    "ncf_ml1m.json": "ce0c3d2",
    "multi_task_census.json": "f1caed9",
    "multi_task_synthetic.json": "f1caed9",
    "behaviour_amazon_Beauty.json": "4992505",
}
EPOCH_KEYED = "eeefde4"


def measured_at(files):
    """The note for a section whose files predate the epoch-keyed order."""
    old = [MEASURED_AT[f] for f in dict.fromkeys(files) if f in MEASURED_AT]
    if not old:
        return ""
    commits = sorted({m if isinstance(m, str) else m[0] for m in old})
    rerun = [m[1] for m in old if not isinstance(m, str)]
    return (
        f"\n\n*Measured at commit {', '.join(f'`{c}`' for c in commits)}"
        + ", before the training data order became a function of seed and epoch "
        + f"(`{EPOCH_KEYED}`); "
        + (f"{'; '.join(rerun)}, the other rows not since.*" if rerun else "not re-run since.*")
    )


class Results:
    """`results("x.json")`: the parsed file, or None if absent; remembers what was read."""

    def __init__(self, folder):
        self.folder = folder
        self.files = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
        self.used = set()
        self.log = []

    def __call__(self, name):
        if name not in self.files:
            return None
        self.used.add(name)
        self.log.append(name)
        with open(os.path.join(self.folder, name)) as f:
            return json.load(f)

    def names(self, prefix):
        return [f for f in self.files if f.startswith(prefix)]

    def all(self):
        """Every file, without marking it read."""
        for name in self.files:
            with open(os.path.join(self.folder, name)) as f:
                yield name, json.load(f)


def anchor(title):
    """GitHub's heading anchor."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def machine(results):
    """Core counts and versions as the result files record them."""
    cores, versions = set(), {}

    def visit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "cpu_count":
                    cores.add(value)
                elif key in ("tensorflow", "keras") and isinstance(value, str):
                    versions.setdefault(key, set()).add(value)
                else:
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for _, data in results.all():
        visit(data)
    parts = [f"a {joined(sorted(cores), 'or')}-core CPU machine" if cores else "a CPU machine"]
    for key, name in (("tensorflow", "TensorFlow"), ("keras", "Keras")):
        if key in versions:
            parts.append(f"{name} {joined(sorted(versions[key]), 'or')}")
    return ", ".join(parts)


def intro(results):
    return "\n\n".join(
        [
            "# Benchmarks",
            "<!-- Generated by benchmarks/make_readme.py from benchmarks/results/*.json; "
            "do not edit by hand. -->",
            f"Measured on {machine(results)} (as the result files record), without a GPU. Each "
            "script under "
            "`benchmarks/` prints its table and saves JSON in `benchmarks/results/`; this page is "
            "generated from those JSON files. To refresh a section, re-run its command, then:",
            "```sh\npython benchmarks/<script>.py ...\npython benchmarks/make_readme.py\n```",
            "Accuracy figures are mean ± standard deviation over seeds (or folds) unless said "
            "otherwise; the best row is in bold where the table ranks models.",
        ]
    )


def render(results):
    body, toc = [], []
    for group, functions in GROUPS:
        sections = []
        for f in functions:
            start = len(results.log)
            made = f(results)
            if made:
                title, text = made
                sections.append((title, text + measured_at(results.log[start:])))
        if not sections:
            continue
        toc.append(f"- [{group}](#{anchor(group)})")
        body.append(f"## {group}")
        for title, text in sections:
            toc.append(f"  - [{title}](#{anchor(title)})")
            body.append(f"### {title}\n\n{text}")
    unused = [f for f in results.files if f not in results.used]
    if unused:
        toc.append(f"- [Other result files](#{anchor('Other result files')})")
        body.append(
            "## Other result files\n\nNo section reads these yet: "
            + ", ".join(f"`results/{f}`" for f in unused)
            + "."
        )
    head = intro(results)
    return "\n\n".join([head, "## Contents", "\n".join(toc)] + body) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if README.md differs from what would be written",
    )
    args = parser.parse_args(argv)
    text = render(Results(RESULTS))
    if not args.check:
        with open(README, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(README)}")
        return 0
    current = open(README).read() if os.path.exists(README) else ""
    if current == text:
        return 0
    diff = list(
        difflib.unified_diff(
            current.splitlines(), text.splitlines(), "README.md", "generated", lineterm=""
        )
    )
    print("benchmarks/README.md is out of date; run python benchmarks/make_readme.py")
    print("\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else ""))
    return 1


if __name__ == "__main__":
    sys.exit(main())
