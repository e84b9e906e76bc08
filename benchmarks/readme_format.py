"""Number and table formatting for benchmarks/README.md (stdlib only).

Every figure the README shows goes through one of these helpers, applied to
a value read from benchmarks/results/*.json; nothing here holds a result.
"""

import statistics


def mean_std(values):
    """Mean and population standard deviation (NumPy's `np.std`, as the
    benchmark scripts use)."""
    values = list(values)
    return statistics.fmean(values), statistics.pstdev(values)


def pm(mean, std, digits=4):
    """`0.9549 ± 0.0019`."""
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def pm_of(values, digits=4):
    return pm(*mean_std(values), digits=digits)


def signed(x, digits=3):
    """`+0.065` / `−0.008` (a typographic minus); `0.000` when it rounds to zero."""
    text = f"{x:+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", "−")


def signed_pct(x, digits=2):
    """`+0.11%` / `−1.08%` for values already in percent."""
    return f"{signed(x, digits)}%"


def small(x):
    """A rate or weight as the scripts write it: `5e-3`, `1e-4`."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def num(x, digits=0):
    """`40,888` (thousands separators)."""
    return f"{x:,.{digits}f}"


def kilo(x):
    """`40.7k`."""
    return f"{x / 1000:.1f}k"


def pct(fraction):
    """`71%` from 0.71."""
    return f"{fraction:.0%}"


def times(x):
    """`22.32×`."""
    return f"{x:.2f}×"


def growth(x):
    """A ratio: `229×` when large, `1.38×` when small."""
    return f"{x:.0f}×" if x >= 10 else f"{x:.2f}×"


def bold(text, on=True):
    return f"**{text}**" if on else text


def best_flags(values, fmt, best=max):
    """Which of `values` display the same as the best one (ties at the shown
    precision are all best)."""
    values = list(values)
    top = fmt(best(values))
    return [fmt(v) == top for v in values]


def code(text):
    """`text` as a Markdown code span, whatever backticks it holds."""
    text = str(text).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(header, rows):
    """A Markdown table from a header list and row lists."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def command(*lines):
    """A shell block of the commands that produced a table."""
    return "```sh\n" + "\n".join(lines) + "\n```"


def joined(items, last="and"):
    """`a, b and c`."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def span(values, fmt, sep="–"):
    """`lo–hi` of `values` (or `lo to hi` with sep=" to "), or one value when
    they display the same."""
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo}{sep}{hi}"


def fmt4(x):
    return f"{x:.4f}"


def section(title, *parts):
    """`(title, markdown)` of the non-empty parts."""
    return title, "\n\n".join(p for p in parts if p)


def model_label(key, notes=None):
    """`dcn_v2 (2 cross layers)` -> ``` `dcn_v2`, 2 cross layers ```; a
    registered name alone is code-formatted; `notes` adds a description."""
    name, _, rest = key.partition(" ")
    label = f"`{name}`" if name.islower() and name.replace("_", "").isalnum() else name
    if rest.startswith("(") and rest.endswith(")"):
        label += f", {rest[1:-1]}"
    elif rest:
        label += f" {rest}"
    if key.startswith("oracle"):
        label = "oracle (true probabilities)"
    note = (notes or {}).get(key)
    return f"{label} ({note})" if note else label


def by_seed(runs, key="auc"):
    """`{(model, seed): value}` of a list of runs."""
    return {(r["model"], r["seed"]): r[key] for r in runs}


def seeds_of(runs):
    return sorted({r["seed"] for r in runs})


def deltas(values, model, base, seeds):
    return [values[(model, s)] - values[(base, s)] for s in seeds]
