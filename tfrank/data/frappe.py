"""Frappe app-usage logs in the libFM format of the NFM/AFM papers."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from tfrank.data.frames import check_file

FIELDS = [
    "user", "item", "daytime", "weekday", "isweekend",
    "homework", "cost", "weather", "country", "city",
]  # fmt: skip
FILES = ("frappe.train.libfm", "frappe.validation.libfm", "frappe.test.libfm")


def load_frappe(path: str) -> pd.DataFrame:
    """Reads Frappe: a `.libfm` file, or a folder whose `frappe.*.libfm` files
    are concatenated (train, validation, test, whichever exist).

    Each row is `label id:1 ... id:1` with label in {-1, 1} and one global
    feature id per field, fields in a fixed order; the result has `label`
    in {0, 1} and one int64 column per field holding that id.

    Example:

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "frappe.test.libfm"), "w") as f:
    ...     _ = f.write("1 0:1 957:1 5037:1 5046:1 5053:1 5055:1 5058:1 5060:1 5073:1 5183:1\\n"
    ...                 "-1 1:1 958:1 5037:1 5046:1 5053:1 5055:1 5058:1 5060:1 5073:1 5183:1\\n")
    >>> frame = load_frappe(folder)
    >>> frame.columns.tolist()[:3], frame["label"].tolist(), frame["item"].tolist()
    (['label', 'user', 'item'], [1, 0], [957, 958])
    """
    if os.path.isdir(path):
        files = [os.path.join(path, f) for f in FILES if os.path.isfile(os.path.join(path, f))]
        if not files:
            raise FileNotFoundError(f"No frappe.*.libfm files in {path!r}.")
        return pd.concat([_read_libfm(f) for f in files], ignore_index=True)
    return _read_libfm(path)


def _read_libfm(path: str) -> pd.DataFrame:
    check_file(path)
    tokens = pd.read_csv(path, sep=" ", header=None, dtype=str, keep_default_na=False)
    if tokens.shape[1] != len(FIELDS) + 1:
        raise ValueError(
            f"{path}: expected a label and {len(FIELDS)} features per row, "
            f"found {tokens.shape[1] - 1} columns."
        )
    labels = tokens[0].astype(np.int64)
    if not labels.isin([-1, 1]).all():
        row = int((~labels.isin([-1, 1])).to_numpy().argmax()) + 1
        raise ValueError(f"{path}, line {row}: label {tokens[0].iloc[row - 1]!r} is not -1 or 1.")
    frame = {"label": (labels == 1).astype(np.int64)}
    for i, name in enumerate(FIELDS, start=1):
        ids = tokens[i].str.split(":", n=1).str[0]
        if ids.isna().any() or not ids.str.isdigit().all():
            row = int((ids.isna() | ~ids.str.isdigit()).to_numpy().argmax()) + 1
            raise ValueError(f"{path}, line {row}: bad feature {tokens[i].iloc[row - 1]!r}.")
        frame[name] = ids.astype(np.int64)
    return pd.DataFrame(frame)


def frappe_feature_spec(embedding_dim: int = 16):
    """All ten fields as int64 categorical features with fitted vocabularies."""
    from tfrank.features import CategoricalFeature, FeatureSpec

    return FeatureSpec(
        [CategoricalFeature(f, dtype="int64", embedding_dim=embedding_dim) for f in FIELDS]
    )
