"""Top-K metrics of leave-one-out evaluation: HR@K and NDCG@K."""

from __future__ import annotations

import numpy as np


def positive_ranks(positive_scores, negative_scores, negative_mask=None) -> np.ndarray:
    """0-based rank of each held-out item among its candidates.

    The rank counts the candidates scoring at least as high (ties count
    against the held-out item, so a constant model ranks last, not first).

    Args:
        positive_scores: `[n]` scores of the held-out items.
        negative_scores: `[n, m]` scores of the items they are ranked against.
        negative_mask: optional `[n, m]` bool, `False` for entries to ignore
            (e.g. a "negative" that is the held-out item itself).

    Example:

    >>> ranks = positive_ranks([0.9, 0.4], [[0.1, 0.3, 0.2], [0.7, 0.4, 0.1]])
    >>> ranks.tolist()                    # 0.4 is below 0.7 and tied with 0.4
    [0, 2]
    >>> positive_ranks([0.4], [[0.7, 0.4, 0.1]], negative_mask=[[True, False, True]]).tolist()
    [1]
    """
    positive = np.asarray(positive_scores, np.float64).reshape(-1, 1)
    negative = np.asarray(negative_scores, np.float64)
    above = negative >= positive
    if negative_mask is not None:
        above &= np.asarray(negative_mask, bool)
    return above.sum(axis=1)


def hit_rate(ranks, k: int) -> float:
    """HR@K: the share of held-out items ranked in the top `k`.

    Example:

    >>> hit_rate([0, 2], k=1), hit_rate([0, 2], k=3)
    (0.5, 1.0)
    """
    return float(np.mean(np.asarray(ranks) < k))


def ndcg(ranks, k: int) -> float:
    """NDCG@K with one relevant item: mean of `1 / log2(rank + 2)` over the
    held-out items ranked in the top `k` (0 for the others).

    Example:

    >>> ndcg([0, 2], k=3)                 # (1 / log2(2) + 1 / log2(4)) / 2
    0.75
    """
    ranks = np.asarray(ranks, np.float64)
    return float(np.mean(np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0)))


def leave_one_out_metrics(positive_scores, negative_scores, ks=(10,), negative_mask=None) -> dict:
    """`{"hr@K": ..., "ndcg@K": ...}` for each `K` from `positive_ranks`.

    On lists without ties these equal keras-rs' `RecallAtK` (HR@K when one
    item is relevant) and `NDCG` (tested); they are computed from ranks
    here because keras-rs breaks ties by its sort order or at random, while
    saturated float32 probabilities do tie and must not flatter a model.

    Example:

    >>> leave_one_out_metrics([0.9, 0.4], [[0.1, 0.3, 0.2], [0.7, 0.4, 0.1]], ks=(1, 3))
    {'hr@1': 0.5, 'ndcg@1': 0.5, 'hr@3': 1.0, 'ndcg@3': 0.75}
    """
    ranks = positive_ranks(positive_scores, negative_scores, negative_mask)
    result = {}
    for k in ks:
        result[f"hr@{k}"] = hit_rate(ranks, k)
        result[f"ndcg@{k}"] = ndcg(ranks, k)
    return result
