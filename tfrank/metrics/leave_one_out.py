"""Leave-one-out ranking of a model: HR@K and NDCG@K of each held-out item."""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from tfrank.data.pipeline import make_dataset
from tfrank.metrics.ranking import hit_rate, ndcg, positive_ranks


def rank_metrics(model, data, ks=(10,), full=None, batch_size=65536) -> dict:
    """HR@K and NDCG@K of each held-out item of `data` (an `ImplicitFeedback`).

    Each user's test item is ranked against `data.test_negatives` or, with
    `full=True` (the default when there are none), against every catalogue
    item the user has no training interaction with. Ties count against the
    held-out item, so a constant model scores 0, not 1. Items are ranked by
    the model's logit where it has a "probability" layer (float32 sigmoids
    saturate into ties).

    Returns:
        `{"protocol", "hr@K", "ndcg@K" for each K, "users", "seconds"}`.

    Example:

    >>> from tfrank.data import SyntheticCF
    >>> from tfrank.models import GMF
    >>> data = SyntheticCF(num_users=50, num_items=40, seed=0).implicit_feedback()
    >>> model = GMF(data.feature_spec().fit(data.vocabulary_frame()), factors=4)
    >>> result = rank_metrics(model, data, ks=(5, 10))
    >>> result["protocol"], result["users"], sorted(k for k in result if "@" in k)
    ('99 negatives', 50, ['hr@10', 'hr@5', 'ndcg@10', 'ndcg@5'])
    """
    full = data.test_negatives is None if full is None else full
    start = time.perf_counter()
    if full:
        ranks = _full_ranks(model, data, batch_size)
    else:
        users = data.test["user_id"].to_numpy()
        positives = data.test["item_id"].to_numpy()
        negatives = data.test_negatives
        items = np.concatenate([positives[:, None], negatives], axis=1)
        scores = _scores(model, np.repeat(users, items.shape[1]), items.reshape(-1), batch_size)
        scores = scores.reshape(items.shape)
        ranks = positive_ranks(scores[:, 0], scores[:, 1:], negatives != positives[:, None])
    result = {"protocol": "all items" if full else f"{data.test_negatives.shape[1]} negatives"}
    for k in ks:
        result[f"hr@{k}"] = hit_rate(ranks, k)
        result[f"ndcg@{k}"] = ndcg(ranks, k)
    result["users"] = len(ranks)
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _scores(model, users, items, batch_size):
    frame = pd.DataFrame({"user_id": users, "item_id": items})
    dataset = make_dataset(frame, model.feature_spec, label=None, batch_size=batch_size)
    return _logit_model(model).predict(dataset, verbose=0).reshape(-1)


def _logit_model(model):
    """The model up to its final sigmoid: the same order as the probability,
    without float32 saturation turning confident scores into ties at 1.0."""
    try:
        sigmoid = model.get_layer("probability")
    except ValueError:
        return model
    return keras.Model(model.input, sigmoid.input)


def _full_ranks(model, data, batch_size):
    catalogue = np.sort(np.asarray(data.items))
    seen = data.train.groupby("user_id")["item_id"].agg(set)
    ranks = np.empty(len(data.test), np.int64)
    per_chunk = max(1, batch_size // len(catalogue))
    users, positives = data.test["user_id"].to_numpy(), data.test["item_id"].to_numpy()
    for start in range(0, len(users), per_chunk):
        chunk = users[start : start + per_chunk]
        scores = _scores(model, np.repeat(chunk, len(catalogue)), np.tile(catalogue, len(chunk)),
                         batch_size).reshape(len(chunk), len(catalogue))  # fmt: skip
        for row, user in enumerate(chunk):
            positive = positives[start + row]
            keep = catalogue != positive
            if user in seen.index:
                keep &= ~np.isin(catalogue, list(seen[user]))
            target = scores[row, np.searchsorted(catalogue, positive)]
            ranks[start + row] = np.count_nonzero(scores[row, keep] >= target)
    return ranks
