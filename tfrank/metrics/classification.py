"""Offline CTR metrics on NumPy arrays: AUC, logloss, GAUC, RelaImpr."""

from __future__ import annotations

import numpy as np
import pandas as pd


def auc(labels, scores) -> float:
    """Area under the ROC curve: P(score of a random positive > a negative).

    Computed from ranks (Mann-Whitney U) with tied scores given their average
    rank, so ties count one half. NaN when only one class is present.

    Example:

    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    labels, scores = _as_arrays(labels, scores)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    u = ranks[labels == 1].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))


def logloss(labels, scores, eps: float = 1e-7) -> float:
    """Mean binary cross-entropy, probabilities clipped to [eps, 1 - eps].

    Example:

    >>> round(logloss([1, 0], [0.9, 0.2]), 4)   # -(ln .9 + ln .8) / 2
    0.1643
    """
    labels, scores = _as_arrays(labels, scores)
    p = np.clip(scores, eps, 1.0 - eps)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


GAUC_WEIGHTS = ("impressions", "clicks")


def gauc(labels, scores, groups, weight: str = "impressions") -> float:
    """Group AUC: per-user AUC averaged with weights `w_u`:

        GAUC = sum_u w_u AUC_u / sum_u w_u

    `weight="impressions"` (the DIN paper's GAUC): `w_u = n_u`, the user's
    rows; `weight="clicks"`: `w_u = c_u`, the user's positive labels, so a
    user's AUC counts by how much they clicked rather than how much they
    were shown. Users whose impressions are all clicks or all non-clicks
    have no AUC and are skipped (left out of both sums).

    Example:

    >>> gauc([0, 1, 0, 1, 1], [.2, .8, .9, .1, .5], ["a", "a", "b", "b", "c"])
    0.5
    >>> labels, scores = [0, 1, 0, 1, 1, 1], [.2, .8, .9, .3, .1, .5]   # AUC: a 1, b 0
    >>> gauc(labels, scores, list("aabbbb")), gauc(labels, scores, list("aabbbb"), "clicks")
    (0.3333333333333333, 0.25)
    """
    if weight not in GAUC_WEIGHTS:
        raise ValueError(f"weight must be one of {GAUC_WEIGHTS}. Received: {weight!r}")
    labels, scores = _as_arrays(labels, scores)
    frame = pd.DataFrame({"y": labels, "s": scores, "g": np.asarray(groups)})
    # Within-group ranks, vectorized: no Python loop over users.
    frame["r"] = frame.groupby("g")["s"].rank(method="average")
    stats = frame.groupby("g").agg(n=("y", "size"), pos=("y", "sum"))
    stats["rank_sum"] = frame[frame["y"] == 1].groupby("g")["r"].sum()
    stats = stats[(stats["pos"] > 0) & (stats["pos"] < stats["n"])]
    if stats.empty:
        return float("nan")
    neg = stats["n"] - stats["pos"]
    per_group = (stats["rank_sum"] - stats["pos"] * (stats["pos"] + 1) / 2) / (stats["pos"] * neg)
    weights = stats["n"] if weight == "impressions" else stats["pos"]
    return float(np.sum(per_group * weights) / np.sum(weights))


def rela_impr(model_auc: float, base_auc: float) -> float:
    """Relative improvement over a base model, in percent (DIN paper):

        RelaImpr = ((AUC_model - 0.5) / (AUC_base - 0.5) - 1) * 100

    Example:

    >>> round(rela_impr(0.75, 0.70), 6)     # (0.25 / 0.20 - 1) * 100
    25.0
    """
    if base_auc <= 0.5:
        raise ValueError(f"RelaImpr needs a base AUC above 0.5. Received: {base_auc}")
    return float(((model_auc - 0.5) / (base_auc - 0.5) - 1.0) * 100.0)


def _as_arrays(labels, scores):
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if labels.shape != scores.shape:
        raise ValueError(f"{labels.shape[0]} labels but {scores.shape[0]} scores.")
    return labels, scores
