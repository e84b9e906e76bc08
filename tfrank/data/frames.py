"""Tables in and out of pandas: files, splits."""

from __future__ import annotations

import gzip
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd


def check_file(path: str) -> None:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No data file at {path!r}.")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path}: the file is empty.")


def first_line(path: str) -> str:
    """The first line of a text file, gzipped (`.gz`) or not."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", errors="replace") as f:
            return f.readline()
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: unreadable ({error}); a truncated or corrupt file?") from None


def read_shards(location: str, read) -> pd.DataFrame:
    """`read(path)` of every shard `location` names (a file, a directory or
    a glob, see `tfrank.data.streaming.list_shards`), concatenated."""
    from tfrank.data.streaming.shards import list_shards

    frames = [read(path) for path in list_shards(location)]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def read_table(path: str, nrows: int | None = None) -> pd.DataFrame:
    """Reads Parquet (`.parquet`), TSV (`.tsv`, `.tsv.gz`) or CSV (anything else)."""
    check_file(path)
    if path.endswith(".parquet"):
        frame = pd.read_parquet(path)
        return frame.head(nrows) if nrows else frame
    sep = "\t" if path.removesuffix(".gz").endswith(".tsv") else ","
    try:
        frame = pd.read_csv(path, sep=sep, nrows=nrows)
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: not a well-formed table ({error})") from None
    if frame.empty:
        raise ValueError(f"{path}: no data rows (columns: {list(frame.columns)}).")
    return frame


def train_validation_split(frame: pd.DataFrame, validation_fraction=0.1, seed=0):
    """Random row split; returns `(train, validation)` with fresh indexes."""
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1). Received: {validation_fraction}")
    order = np.random.default_rng(seed).permutation(len(frame))
    cut = int(round(len(frame) * (1 - validation_fraction)))
    train = frame.iloc[order[:cut]].reset_index(drop=True)
    validation = frame.iloc[order[cut:]].reset_index(drop=True)
    return train, validation


def train_validation_test_split(frame: pd.DataFrame, fractions=(0.8, 0.1, 0.1), seed=0):
    """Random row split into three parts (fractions sum to 1)."""
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-9 or min(fractions) <= 0:
        raise ValueError(f"fractions must be three positive numbers summing to 1: {fractions}")
    order = np.random.default_rng(seed).permutation(len(frame))
    first = int(round(len(frame) * fractions[0]))
    second = first + int(round(len(frame) * fractions[1]))
    parts = (order[:first], order[first:second], order[second:])
    return tuple(frame.iloc[p].reset_index(drop=True) for p in parts)


def as_feature_arrays(features: Mapping, spec) -> dict:
    """A dict of feature columns in the forms people have, as Keras takes them.

    Lists become arrays (lists of histories are padded as the spec's
    `SequenceFeature` says); NumPy unicode or bytes arrays (what
    `np.asarray(["a", "b"])` and JSON requests give) become object arrays;
    pandas Series become arrays; tensors and other arrays pass unchanged.
    Names not in the spec pass too, for the model's own check to name them.
    """
    from tfrank.features.sequence_feature import pad_sequences

    kinds = {f.name: f for f in spec.raw_features}
    arrays = {}
    for name, value in features.items():
        feature = kinds.get(name)
        if isinstance(value, pd.Series):
            value = value.to_numpy()
        if isinstance(value, (list, tuple)):
            if feature is not None and feature.kind == "sequence":
                value = pad_sequences(pd.Series(list(value), dtype=object), feature)
            else:
                value = np.asarray(value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "US":
            value = value.astype(object)
        arrays[name] = value
    return arrays


def as_frame(data) -> pd.DataFrame:
    """A DataFrame of `data`: a DataFrame, or a dict of columns (1-D arrays
    or lists; 2-D arrays of histories become a list per row)."""
    if isinstance(data, pd.DataFrame):
        return data
    if not isinstance(data, Mapping):
        raise ValueError(
            f"Expected a pandas DataFrame or a dict of columns; received {type(data).__name__}."
        )
    columns = {}
    for name, value in data.items():
        value = np.asarray(value) if not isinstance(value, (list, pd.Series)) else value
        columns[name] = list(value) if getattr(value, "ndim", 1) > 1 else value
    return pd.DataFrame(columns)
