"""Criteo display-ads logs: label, I1-I13 (counts), C1-C26 (hashed categories)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tfrank.data.frames import check_file, first_line
from tfrank.data.streaming.delimited_format import DelimitedFormat

INTEGER_COLUMNS = [f"I{i}" for i in range(1, 14)]
CATEGORICAL_COLUMNS = [f"C{i}" for i in range(1, 27)]
COLUMNS = ["label"] + INTEGER_COLUMNS + CATEGORICAL_COLUMNS

# The same files read in bounded chunks (`tfrank.data.streaming`): Criteo's
# headerless TSV, or a CSV whose header starts with `label`.
CRITEO_FORMAT = DelimitedFormat(
    "criteo", delimiter="\t", column_names=tuple(COLUMNS), header_prefix="label",
    required=tuple(COLUMNS),
)  # fmt: skip


def load_criteo(path: str, nrows: int | None = None) -> pd.DataFrame:
    """Reads Criteo rows: tab-separated without header (the Kaggle/1TB
    format), or comma-separated with a `label,I1,...` header.

    Empty fields are missing: NaN for `I*`, `""` for `C*`.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "train.txt")
    >>> rows = [["1", "5"] + [""] * 12 + ["68fd1e64"] * 26,    # label, I1-I13, C1-C26
    ...         ["0", ""] + ["2"] * 12 + [""] + ["05db9164"] * 25]
    >>> with open(path, "w") as f:
    ...     _ = f.write("".join("\\t".join(row) + "\\n" for row in rows))
    >>> frame = load_criteo(path, nrows=100_000)
    >>> frame.columns[:3].tolist(), frame.shape
    (['label', 'I1', 'I2'], (2, 40))
    >>> frame["I1"].tolist(), frame["C1"].tolist()      # empty fields are missing
    ([5.0, nan], ['68fd1e64', ''])
    """
    check_file(path)
    first = first_line(path)
    if first.startswith("label"):
        frame = pd.read_csv(path, nrows=nrows, dtype={c: str for c in CATEGORICAL_COLUMNS})
    else:
        frame = _read_tsv(path, nrows)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not Criteo data, columns {missing} are absent.")
    if frame["label"].isna().any():
        line = int(frame["label"].isna().to_numpy().argmax()) + 1
        raise ValueError(
            f"{path}, row {line}: has too few fields or no label; Criteo rows have "
            "40 tab-separated fields (label, I1-I13, C1-C26)."
        )
    frame[CATEGORICAL_COLUMNS] = frame[CATEGORICAL_COLUMNS].fillna("")
    for column in INTEGER_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float32")
    frame["label"] = frame["label"].astype("int64")
    return frame


def _read_tsv(path, nrows):
    # Fields are counted before pandas parses the rows: it would fail on a
    # long row without naming the file (or take a long first row's extra
    # field as an index). pandas pads short rows with NaN; say so rather than
    # pad silently. Some copies of the logs strip trailing tabs, so such rows
    # are kept.
    lines = pd.read_csv(
        path,
        sep="\x1f",
        header=None,
        names=["line"],
        nrows=nrows,
        quoting=3,
        dtype=str,
        skip_blank_lines=False,
    )["line"].fillna("")
    fields = lines.str.count("\t").to_numpy() + 1
    if (fields > len(COLUMNS)).any():
        row = int(np.argmax(fields > len(COLUMNS))) + 1
        raise ValueError(f"{path}, line {row}: {fields[row - 1]} fields, Criteo rows have 40.")
    short = np.flatnonzero(fields < len(COLUMNS))
    if short.size:
        warnings.warn(
            f"{path}: {short.size} of {len(fields)} rows have fewer than 40 fields "
            f"(first: line {short[0] + 1}, {fields[short[0]]} fields); their missing "
            "trailing fields are read as missing values.",
            stacklevel=3,
        )
    return pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=COLUMNS,
        nrows=nrows,
        dtype={c: str for c in CATEGORICAL_COLUMNS},
        quoting=3,
    )


def criteo_feature_spec(embedding_dim: int = 16, min_count: int = 2, hash_buckets=None):
    """Criteo's usual encoding: signed-log-normalized counts, vocabularies of
    categories seen `min_count` times (the rest share an OOV id), or hashing
    when `hash_buckets` is set (the choice for the full 1TB logs).

    Example:

    >>> spec = criteo_feature_spec(embedding_dim=4, hash_buckets=1000)
    >>> len(spec.numeric), len(spec.categorical), spec["C1"].vocabulary_size
    (13, 26, 1000)
    """
    from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature

    return FeatureSpec(
        [
            NumericFeature(c, log_transform=True, embedding_dim=embedding_dim)
            for c in INTEGER_COLUMNS
        ]
        + [
            CategoricalFeature(
                c, embedding_dim=embedding_dim, min_count=min_count, hash_buckets=hash_buckets
            )
            for c in CATEGORICAL_COLUMNS
        ]
    )
