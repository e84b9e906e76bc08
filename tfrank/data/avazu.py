"""Avazu mobile-ads click logs (CSV with header)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tfrank.data.frames import check_file, first_line
from tfrank.data.streaming.delimited_format import DelimitedFormat

# `hour` (YYMMDDHH) becomes hour of day and weekday; `id` is dropped.
CATEGORICAL_COLUMNS = [
    "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id",
    "app_domain", "app_category", "device_id", "device_ip", "device_model",
    "device_type", "device_conn_type", "C14", "C15", "C16", "C17", "C18", "C19",
    "C20", "C21", "hour_of_day", "weekday",
]  # fmt: skip


# The Kaggle train.csv column order, for files written without the header.
RAW_COLUMNS = ["id", "click", "hour"] + CATEGORICAL_COLUMNS[:-2]


def _derive_hours(table: pa.Table, chunk) -> pa.Table:
    """Streaming twin of `load_avazu`'s columns: label, hour of day, weekday."""
    hours = pc.strptime(table["hour"], format="%y%m%d%H", unit="s", error_is_null=True)
    if hours.null_count:
        row = int(pc.index(pc.is_null(hours), True).as_py())
        raise ValueError(
            f"{chunk.where(row)}: hour {table['hour'][row].as_py()!r} is not YYMMDDHH."
        )
    return (
        table.append_column("hour_of_day", pc.cast(pc.hour(hours), pa.string()))
        .append_column("weekday", pc.cast(pc.day_of_week(hours), pa.string()))
        .append_column("label", table["click"])
    )


AVAZU_FORMAT = DelimitedFormat(
    "avazu", delimiter=",", column_names=tuple(RAW_COLUMNS), header_prefix="id,",
    required=("click", "hour", *CATEGORICAL_COLUMNS[:-2]), derive=_derive_hours,
)  # fmt: skip


def load_avazu(path: str, nrows: int | None = None) -> pd.DataFrame:
    """Reads Avazu rows into `label` + string categorical columns.

    Files with the Kaggle header and headerless files in the Kaggle column
    order (`id,click,hour,C1,...,C21`) are both accepted.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "train.csv")
    >>> with open(path, "w") as f:     # headerless: id, click, hour (YYMMDDHH), C1 .. C21
    ...     _ = f.write(",".join(["7", "1", "14102113"] + ["1005"] * 21) + "\\n")
    >>> frame = load_avazu(path, nrows=100_000)
    >>> frame.shape                    # label + 23 categorical columns
    (1, 24)
    >>> frame[["label", "hour_of_day", "weekday"]].values.tolist()   # 2014-10-21 was a Tuesday
    [[1, '13', '1']]
    """
    check_file(path)
    has_header = first_line(path).startswith("id,")
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
