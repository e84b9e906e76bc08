"""Avazu mobile-ads click logs (CSV with header)."""

from __future__ import annotations

import pandas as pd

from tfrank.data.frames import check_file

# `hour` (YYMMDDHH) becomes hour of day and weekday; `id` is dropped.
CATEGORICAL_COLUMNS = [
    "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id",
    "app_domain", "app_category", "device_id", "device_ip", "device_model",
    "device_type", "device_conn_type", "C14", "C15", "C16", "C17", "C18", "C19",
    "C20", "C21", "hour_of_day", "weekday",
]  # fmt: skip


# The Kaggle train.csv column order, for files written without the header.
RAW_COLUMNS = ["id", "click", "hour"] + CATEGORICAL_COLUMNS[:-2]


def load_avazu(path: str, nrows: int | None = None) -> pd.DataFrame:
    """Reads Avazu rows into `label` + string categorical columns.

    Files with the Kaggle header and headerless files in the Kaggle column
    order (`id,click,hour,C1,...,C21`) are both accepted.

    Example:

    >>> frame = load_avazu("train.csv", nrows=100_000)
    >>> frame[["label", "hour_of_day", "weekday"]].head(1)
    """
    check_file(path)
    with open(path) as f:
        has_header = f.readline().startswith("id,")
    frame = pd.read_csv(
        path,
        nrows=nrows,
        dtype=str,
        keep_default_na=False,
        header=0 if has_header else None,
        names=None if has_header else RAW_COLUMNS,
    )
    required = ["click", "hour"] + CATEGORICAL_COLUMNS[:-2]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not Avazu data, columns {missing} are absent.")
    hour = pd.to_datetime(frame["hour"], format="%y%m%d%H", errors="coerce")
    if hour.isna().any():
        row = int(hour.isna().to_numpy().argmax())
        raise ValueError(
            f"{path}, data row {row + 1}: hour {frame['hour'].iloc[row]!r} is not YYMMDDHH."
        )
    frame["hour_of_day"] = hour.dt.hour.astype(str)
    frame["weekday"] = hour.dt.weekday.astype(str)
    frame["label"] = frame["click"].astype("int64")
    return frame[["label"] + CATEGORICAL_COLUMNS]


def avazu_feature_spec(embedding_dim: int = 16, min_count: int = 2):
    from tfrank.features import CategoricalFeature, FeatureSpec

    return FeatureSpec(
        [
            CategoricalFeature(c, embedding_dim=embedding_dim, min_count=min_count)
            for c in CATEGORICAL_COLUMNS
        ]
    )
