"""A user's own log as a table: `user_id, item_id[, timestamp][, rating][, category]`.

What each model family makes of it: implicit feedback (each user's latest
interaction held out, ranked against sampled items), ratings (a held-out
tenth), behaviour samples (histories from the event order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfrank.data.frames import read_table
from tfrank.data.implicit_feedback import ImplicitFeedback, leave_one_out

OPTIONAL_COLUMNS = ("timestamp", "rating", "category")


def read_interactions(path: str, required=("user_id", "item_id")) -> pd.DataFrame:
    """Reads a CSV / TSV / Parquet table of interactions and checks its columns.

    Ids stay int64 when every value is an integer and become strings
    otherwise; `timestamp` and `rating` must be numbers. A missing column,
    a missing id or a non-numeric timestamp/rating is an error naming the
    file, the column and the row.

    Example:

    >>> import os, tempfile, pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> pd.DataFrame({"user_id": [1, 1], "item_id": ["a", "b"],
    ...               "timestamp": [10, 20]}).to_csv(path, index=False)
    >>> read_interactions(path).dtypes.astype(str).tolist()
    ['int64', 'object', 'int64']
    """
    frame = read_table(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path}: an interaction table needs the columns {list(required)} (optional: "
            f"{list(OPTIONAL_COLUMNS)}); missing {missing}, columns present: "
            f"{list(frame.columns)}. Rename the columns to these names."
        )
    keep = [c for c in dict.fromkeys((*required, *OPTIONAL_COLUMNS)) if c in frame.columns]
    frame = frame[keep].copy()
    for column in ("user_id", "item_id", "category"):
        if column in frame.columns:
            frame[column] = _ids(frame[column], path, column)
    for column in ("timestamp", "rating"):
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = values.isna().to_numpy()
            if bad.any():
                row = int(bad.argmax())
                raise ValueError(
                    f"{path}: column {column!r} needs numbers; row {row} holds "
                    f"{frame[column].iloc[row]!r}."
                )
            frame[column] = values.astype(np.float32 if column == "rating" else np.int64)
    return frame


def _ids(column: pd.Series, path: str, name: str) -> pd.Series:
    if column.isna().any():
        row = int(column.isna().to_numpy().argmax())
        raise ValueError(f"{path}: column {name!r} has a missing id at row {row}.")
    if pd.api.types.is_integer_dtype(column):
        return column.astype(np.int64)
    return column.astype(str).astype(object)


def implicit_feedback_from_table(
    frame: pd.DataFrame, seed: int = 0, negatives: int = 99, name: str = ""
) -> ImplicitFeedback:
    """Leave-one-out implicit feedback from interactions: each user's latest
    interaction (by `timestamp`, or a random one without it) is the test
    item, ranked against `negatives` items the user never interacted with;
    repeated (user, item) pairs count once (the latest)."""
    from tfrank.data.negative_sampler import NegativeSampler

    time = "timestamp" if "timestamp" in frame.columns else None
    if time:
        frame = frame.sort_values(time, kind="stable")
    pairs = frame.drop_duplicates(["user_id", "item_id"], keep="last").reset_index(drop=True)
    train, test = leave_one_out(pairs, time=time, seed=seed)
    items = np.unique(pairs["item_id"].to_numpy())
    if len(test) == 0:
        raise ValueError(
            f"{name or 'The table'}: no user has two distinct items, so nothing can be held out."
        )
    sampler = NegativeSampler(pairs, items, seed=seed)
    held_negatives = sampler.negatives_for(test["user_id"].to_numpy(), negatives, seed)
    columns = ["user_id", "item_id"]
    return ImplicitFeedback(train[columns], test[columns], held_negatives, items, name=name)


def split_ratings(frame: pd.DataFrame, seed: int = 0, test_fraction: float = 0.1):
    """`(train, test)` of a rating table: the latest `test_fraction` of the
    rows by `timestamp` when there is one (a time split), else a seeded
    random `test_fraction`."""
    if "rating" not in frame.columns:
        raise ValueError(
            f"Rating models need a 'rating' column; columns present: {list(frame.columns)}."
        )
    if "timestamp" in frame.columns:
        order = np.argsort(frame["timestamp"].to_numpy(), kind="stable")
    else:
        order = np.random.default_rng(seed).permutation(len(frame))
    cut = int(round(len(frame) * (1 - test_fraction)))
    train = frame.iloc[np.sort(order[:cut])].reset_index(drop=True)
    return train, frame.iloc[np.sort(order[cut:])].reset_index(drop=True)


def user_item_spec(frame: pd.DataFrame, embedding_dim: int = 8):
    """`user_id` and `item_id` features typed as the table's columns."""
    from tfrank.features import CategoricalFeature, FeatureSpec

    return FeatureSpec(
        [
            CategoricalFeature(c, dtype=id_dtype(frame[c]), embedding_dim=embedding_dim)
            for c in ("user_id", "item_id")
        ]
    )


def id_dtype(column: pd.Series) -> str:
    """`"int64"` or `"string"`: the feature dtype of an id column."""
    return "int64" if pd.api.types.is_integer_dtype(column) else "string"
