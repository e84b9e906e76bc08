"""Loaders of public behaviour logs: Amazon (S3-Rec sequences) and Taobao."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

# Tianchi's UserBehavior covers 2017-11-25 .. 2017-12-03 (China time).
TAOBAO_TIME_RANGE = (1511539200, 1512316800)
TAOBAO_BEHAVIOURS = ("pv", "buy", "cart", "fav")


def load_amazon_s3rec(path: str, name: str = "Beauty") -> pd.DataFrame:
    """S3-Rec's Amazon sequences as an event log.

    `path` is the folder with `<name>.txt` (one user per line: `user_id
    item_1 ... item_n`, oldest first) and `<name>_item2attributes.json`
    (item -> attribute ids); `name` is `"Beauty"`, `"Toys_and_Games"`, ...
    The files have no timestamps, so `timestamp` is the event's position in
    its user's sequence (order is all `build_samples` needs); `category` is
    the item's first attribute (0 for an item without attributes).

    Returns:
        DataFrame `user_id`, `item_id`, `category`, `timestamp` (int64).

    Example:

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "Beauty.txt"), "w") as f:
    ...     _ = f.write("1 4 83 4\\n2 83 165\\n")
    >>> with open(os.path.join(folder, "Beauty_item2attributes.json"), "w") as f:
    ...     _ = f.write('{"4": [1, 2], "83": [4], "165": []}')
    >>> events = load_amazon_s3rec(folder, "Beauty")
    >>> events.values.tolist()     # user_id, item_id, category, timestamp
    [[1, 4, 1, 0], [1, 83, 4, 1], [1, 4, 1, 2], [2, 83, 4, 0], [2, 165, 0, 1]]
    >>> from tfrank.data import build_samples
    >>> train, test = build_samples(events, max_history=50)
    >>> len(train), len(test)      # a click and a sampled non-click per target
    (2, 4)
    """
    sequences = os.path.join(path, f"{name}.txt")
    attributes = os.path.join(path, f"{name}_item2attributes.json")
    for required in (sequences, attributes):
        if not os.path.exists(required):
            raise FileNotFoundError(f"Amazon {name}: no file {required}")
    users, items, positions = [], [], []
    with open(sequences) as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) < 2:
                raise ValueError(
                    f"{sequences} line {number}: expected 'user item ...', got {line!r}"
                )
            seq = np.asarray(fields[1:], np.int64)
            users.append(np.full(len(seq), int(fields[0]), np.int64))
            items.append(seq)
            positions.append(np.arange(len(seq), dtype=np.int64))
    with open(attributes) as f:
        first = {int(k): (v[0] if v else 0) for k, v in json.load(f).items()}
    items = np.concatenate(items)
    category = pd.Series(items).map(first).fillna(0).astype(np.int64).to_numpy()
    return pd.DataFrame(
        {
            "user_id": np.concatenate(users),
            "item_id": items,
            "category": category,
            "timestamp": np.concatenate(positions),
        }
    )


def load_taobao_user_behavior(
    path: str, behaviours=TAOBAO_BEHAVIOURS, time_range=TAOBAO_TIME_RANGE
) -> pd.DataFrame:
    """Tianchi's Taobao UserBehavior CSV (`user_id,item_id,category_id,
    behavior_type,timestamp`, no header) as an event log.

    Rows outside `time_range` (the dataset's nine days; a cut last line of a
    slice shows up as a tiny timestamp) or with a behaviour not in
    `behaviours` are dropped; how many is in `frame.attrs["dropped_rows"]`.

    Args:
        path: the CSV file.
        behaviours: behaviour types to keep (e.g. `("buy",)`).
        time_range: `(start, end)` unix seconds, or `None` to keep all.

    Returns:
        DataFrame `user_id`, `item_id`, `category`, `timestamp`, `behavior`.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "UserBehavior.csv")
    >>> with open(path, "w") as f:     # the last line is cut short
    ...     _ = f.write("1,2268318,2520377,pv,1511544070\\n1,2333346,2520771,buy,1511561733\\n"
    ...                 "1,2576651,149192,pv,15115\\n")
    >>> events = load_taobao_user_behavior(path)
    >>> events["item_id"].tolist(), events.attrs["dropped_rows"]
    ([2268318, 2333346], 1)
    >>> load_taobao_user_behavior(path, behaviours=("buy",))["item_id"].tolist()
    [2333346]
    """
    frame = pd.read_csv(
        path,
        header=None,
        names=["user_id", "item_id", "category", "behavior", "timestamp"],
        dtype={"behavior": str},
    )
    for column in ("user_id", "item_id", "category", "timestamp"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    keep = frame[["user_id", "item_id", "category", "timestamp"]].notna().all(axis=1)
    keep &= frame["behavior"].isin(list(behaviours))
    if time_range is not None:
        keep &= frame["timestamp"].between(time_range[0], time_range[1], inclusive="left")
    dropped = int((~keep).sum())
    frame = frame[keep].astype(
        {"user_id": np.int64, "item_id": np.int64, "category": np.int64, "timestamp": np.int64}
    )
    frame = frame[["user_id", "item_id", "category", "timestamp", "behavior"]].reset_index(
        drop=True
    )
    frame.attrs["dropped_rows"] = dropped
    return frame
