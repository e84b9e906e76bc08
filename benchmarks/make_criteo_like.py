"""Writes a Criteo-format TSV (Kaggle layout) with a planted click signal.

    python benchmarks/make_criteo_like.py --rows 1000000 --output /tmp/criteo_1m.tsv

Rows are `label, I1..I13, C1..C26`, tab-separated, no header, as in
Criteo's Kaggle `train.txt`. Categorical fields draw from universes of
Kaggle's cardinalities (10.1M values for C3, 8.4M for C12, ...), ranks
log-uniform (a Zipf-like head and a long tail), each value written as 8
hex digits of a hash of (field, rank); counts are log-normal; some fields
are often missing, as in the logs. The click probability depends on the
head values of twelve fields, two crosses of fields and two counts, so a
model that learns them has a clearly better validation AUC than chance
(and a model of crosses better than one without). The file is written in
1M-row pieces, so memory stays small at any size.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

KAGGLE_CARDINALITIES = [
    1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194, 27,
    14992, 5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572,
]  # fmt: skip
MISSING = {19: 0.44, 20: 0.44, 22: 0.76, 25: 0.44, 26: 0.44, 3: 0.03, 4: 0.03}
COUNT_MISSING = [0.45, 0.0, 0.21, 0.22, 0.03, 0.22, 0.04, 0.0, 0.04, 0.45, 0.04, 0.77, 0.22]
SIGNAL_FIELDS = {1: 0.5, 2: 0.4, 5: 0.5, 6: 0.6, 8: 0.4, 9: 0.3, 14: 0.5, 17: 0.5, 20: 0.3,
                 22: 0.4, 23: 0.5, 25: 0.4}  # fmt: skip
CROSSES = [(6, 14, 0.8), (17, 23, 0.8)]
HEAD = 1000  # ranks with an effect
MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(33))) * np.uint64(0xFF51AFD7ED558CCD)
        x = (x ^ (x >> np.uint64(33))) * np.uint64(0xC4CEB9FE1A85EC53)
        return x ^ (x >> np.uint64(33))


def _normal(key: np.ndarray) -> np.ndarray:
    """A standard-normal-ish number per key (sum of 4 hashed uniforms)."""
    total = np.zeros(len(key))
    for i in range(4):
        with np.errstate(over="ignore"):
            h = _mix(key + np.uint64(i + 1) * np.uint64(0x9E3779B97F4A7C15))
        total += (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return (total - 2.0) / np.sqrt(4 / 12)


def _hex(values: np.ndarray) -> pa.Array:
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)
    shifts = np.arange(28, -1, -4, dtype=np.uint64)
    nibbles = (values[:, None].astype(np.uint64) >> shifts) & np.uint64(15)
    text = digits[nibbles.astype(np.int64)].copy().view("S8").reshape(-1)
    return pa.array(text).cast(pa.string())


def piece(rows: int, rng: np.random.Generator) -> pa.Table:
    columns, logit = {}, np.full(rows, -1.6)
    ranks = {}
    for i in range(1, 14):
        values = np.floor(np.exp(rng.normal(1.0 + 0.2 * i, 1.2, rows))).astype(np.int64)
        if i in (1, 3):
            logit += 0.35 * (np.log1p(values) - (1.0 + 0.2 * i)) / 1.2
        missing = rng.random(rows) < COUNT_MISSING[i - 1]
        columns[f"I{i}"] = pa.array(values, mask=missing)
    for i, cardinality in enumerate(KAGGLE_CARDINALITIES, start=1):
        rank = np.floor(np.exp(rng.random(rows) * np.log(cardinality))).astype(np.int64) - 1
        ranks[i] = rank
        key = np.uint64(i) * np.uint64(1 << 40) + rank.astype(np.uint64)
        if i in SIGNAL_FIELDS:
            logit += SIGNAL_FIELDS[i] * _normal(key) * (rank < HEAD)
        missing = rng.random(rows) < MISSING.get(i, 0.0)
        text = _hex((_mix(key) >> np.uint64(32)).astype(np.uint32))
        columns[f"C{i}"] = pa.array(text.to_numpy(zero_copy_only=False), pa.string(), mask=missing)
        if i in MISSING:
            ranks[i] = np.where(missing, HEAD, rank)
    for a, b, weight in CROSSES:
        key = _mix(ranks[a].astype(np.uint64) * np.uint64(1_000_003) + ranks[b].astype(np.uint64))
        logit += weight * _normal(key) * ((ranks[a] < HEAD) & (ranks[b] < HEAD))
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pa.table({"label": label, **columns})


def write(path: str, rows: int, seed: int = 0, piece_rows: int = 1_000_000) -> dict:
    rng = np.random.default_rng(seed)
    options = pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    start = time.perf_counter()
    clicks = 0
    with pa.OSFile(path, "wb") as sink:
        written = 0
        while written < rows:
            table = piece(min(piece_rows, rows - written), rng)
            clicks += int(np.sum(table["label"].to_numpy()))
            pcsv.write_csv(table, sink, options)
            written += table.num_rows
    seconds = round(time.perf_counter() - start, 1)
    return {"path": path, "rows": rows, "bytes": os.path.getsize(path),
            "click_rate": clicks / rows, "seconds": seconds}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(write(args.output, args.rows, args.seed))


if __name__ == "__main__":
    main()
