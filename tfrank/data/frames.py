"""Tables in and out of pandas: files, splits."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd


def check_file(path: str) -> None:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No data file at {path!r}.")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path}: the file is empty.")


def read_table(path: str, nrows: int | None = None) -> pd.DataFrame:
    """Reads Parquet (`.parquet`), TSV (`.tsv`) or CSV (anything else)."""
    check_file(path)
    if path.endswith(".parquet"):
        frame = pd.read_parquet(path)
        return frame.head(nrows) if nrows else frame
    sep = "\t" if path.endswith(".tsv") else ","
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
