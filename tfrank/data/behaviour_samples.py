"""Training samples from behaviour logs: history, candidate, label."""

from __future__ import annotations

import numpy as np
import pandas as pd


def build_samples(
    events: pd.DataFrame,
    max_history: int = 100,
    negatives: int = 1,
    same_category: bool = False,
    targets_per_user: int | None = None,
    min_history: int = 1,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turns an event log into `(train, test)` samples, split by time.

    Each user's events are sorted by `timestamp`; every event with at least
    `min_history` earlier ones is a target: a positive sample (label 1) whose history is the
    user's earlier events (the `max_history` most recent), plus `negatives`
    samples with the same history and an item the user never clicked
    (label 0), drawn from the candidate's category with
    `same_category=True` (when it has unclicked items) or from all items.
    Each user's last event is the test target; the others are training.

    Args:
        events: columns `user_id`, `item_id`, `timestamp` and, optionally,
            `category` (without it, the samples have no category columns).
        max_history: int. Most recent events kept per history.
        negatives: int. Sampled non-clicked items per positive.
        same_category: bool. Negatives from the positive's category.
        targets_per_user: int or None. Keep only each user's last this
            many training targets (long logs); `None` keeps all.
        min_history: int. `0` makes first clicks targets too, with an
            empty history (cold start). Defaults to `1`.
        seed: int. Of the negative sampling.

    Returns:
        `(train, test)` frames with `user_id`, `item_id`, `category`,
        `timestamp`, `history_items`, `history_categories`,
        `history_times` (lists, oldest first) and `label`.

    Example:

    >>> events = pd.DataFrame({"user_id": [1, 1, 1, 2, 2], "item_id": [10, 11, 12, 11, 13],
    ...                        "timestamp": [1, 2, 3, 1, 2]})
    >>> train, test = build_samples(events, max_history=50, negatives=1)
    >>> clicks = test[test["label"] == 1]       # each user's last click (rows in time order)
    >>> clicks["user_id"].tolist(), clicks["item_id"].tolist()
    ([2, 1], [13, 12])
    >>> [history.tolist() for history in clicks["history_items"]]
    [[11], [10, 11]]
    >>> test.loc[test["label"] == 0, "item_id"].tolist()    # items the user never clicked
    [12, 13]
    >>> train[["item_id", "label"]].values.tolist()         # user 1's second click, a negative
    [[13.0, 0.0], [11.0, 1.0]]
    """
    samples, from_end = _samples(events, max_history, negatives, same_category,
                                 targets_per_user, min_history, seed)  # fmt: skip
    return _take(samples, from_end > 0), _take(samples, from_end == 0)


def build_sample_splits(events: pd.DataFrame, **kwargs):
    """`(train, validation, test)`: `build_samples` (same arguments) with
    each user's second-to-last event as the validation target, for early
    stopping without the test one; `targets_per_user` counts it.

    Example:

    >>> events = pd.DataFrame({"user_id": [1, 1, 1, 1, 2], "item_id": [10, 11, 12, 13, 14],
    ...                        "timestamp": [1, 2, 3, 4, 1]})
    >>> train, validation, test = build_sample_splits(events, max_history=50)
    >>> [part.loc[part["label"] == 1, "item_id"].tolist() for part in (train, validation, test)]
    [[11], [12], [13]]
    """
    samples, from_end = _samples(events, **kwargs)
    return (
        _take(samples, from_end > 1),
        _take(samples, from_end == 1),
        _take(samples, from_end == 0),
    )


def _take(samples, rows):
    return samples[rows].reset_index(drop=True)


def _samples(events, max_history=100, negatives=1, same_category=False, targets_per_user=None,
             min_history=1, seed=0):  # fmt: skip
    """All samples, and each one's target position from its user's last event."""
    missing = [c for c in ("user_id", "item_id", "timestamp") if c not in events]
    if missing:
        raise ValueError(
            f"Events need the columns user_id, item_id, timestamp (and optionally category); "
            f"missing {missing}, columns present: {list(events.columns)}"
        )
    if "category" not in events:
        # One shared category, dropped from the samples afterwards.
        samples, from_end = _samples(
            events.assign(category=0), max_history, negatives, False, targets_per_user,
            min_history, seed,
        )  # fmt: skip
        return samples.drop(columns=["category", "history_categories"]), from_end
    log = events.sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    users = log["user_id"].to_numpy()
    items, cats = log["item_id"].to_numpy(), log["category"].to_numpy()
    times = log["timestamp"].to_numpy()
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], len(log)]
    catalogue = log.drop_duplicates("item_id")[["item_id", "category"]]
    rng = np.random.default_rng(seed)
    rows, from_end = [], []
    for start, end in zip(starts, ends):
        first = start + min_history
        if targets_per_user is not None:
            first = max(first, end - 1 - targets_per_user)
        for t in range(first, end):
            lo = max(start, t - max_history)
            rows.append((t, lo))
            from_end.append(end - 1 - t)
    target = np.array([r[0] for r in rows], np.int64)
    lo = np.array([r[1] for r in rows], np.int64)
    base = pd.DataFrame(
        {
            "user_id": users[target],
            "item_id": items[target],
            "category": cats[target],
            "timestamp": times[target],
            "history_items": [items[a:b] for a, b in zip(lo, target)],
            "history_categories": [cats[a:b] for a, b in zip(lo, target)],
            "history_times": [times[a:b].astype(np.float32) for a, b in zip(lo, target)],
            "label": np.ones(len(target), np.float32),
        }
    )
    parts = [base]
    for _ in range(negatives):
        negative = base.copy()
        sampled = _sample_unclicked(base, users, items, catalogue, same_category, rng)
        negative["item_id"] = sampled
        negative["category"] = catalogue.set_index("item_id").loc[sampled, "category"].to_numpy()
        negative["label"] = 0.0
        parts.append(negative)
    samples = pd.concat(parts, ignore_index=True)
    from_end = np.tile(np.asarray(from_end, np.int64), negatives + 1)
    order = np.lexsort((samples["label"].to_numpy(), samples["timestamp"].to_numpy()))
    return samples.iloc[order].reset_index(drop=True), from_end[order]


def _sample_unclicked(base, users, items, catalogue, same_category, rng, tries=50):
    """One never-clicked item per row: vectorized rejection sampling, the
    log's clicks (`users`, `items`) looked up as sorted `user * n_items +
    item` keys."""
    catalogue = catalogue.sort_values(["category", "item_id"], kind="stable")
    pool = catalogue["item_id"].to_numpy()
    order = np.argsort(pool, kind="stable")
    item_code = order[np.searchsorted(pool, items, sorter=order)]
    user_codes, user_index = np.unique(users, return_inverse=True)
    keys = np.unique(user_index * len(pool) + item_code)
    rows_user = np.searchsorted(user_codes, base["user_id"].to_numpy())
    cats = catalogue["category"].to_numpy()
    first = pd.Series(np.arange(len(cats))).groupby(cats).min()
    size = pd.Series(cats).value_counts()
    row_first = first.loc[base["category"].to_numpy()].to_numpy()
    row_size = size.loc[base["category"].to_numpy()].to_numpy()
    out = np.empty(len(base), np.int64)
    todo = np.arange(len(base))
    for attempt in range(tries):
        if same_category and attempt < tries - 10:
            draw = row_first[todo] + (rng.random(len(todo)) * row_size[todo]).astype(np.int64)
        else:  # categories with nothing unclicked left fall back to all items
            draw = rng.integers(len(pool), size=len(todo))
        ok = ~np.isin(rows_user[todo] * len(pool) + draw, keys)
        out[todo[ok]] = draw[ok]
        todo = todo[~ok]
        if not len(todo):
            return pool[out]
    raise ValueError(
        f"{len(todo)} samples found no item their user never clicked in {tries} draws; "
        "the catalogue is too small for this many negatives."
    )
