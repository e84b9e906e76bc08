import itertools

import numpy as np
import pytest

from tfrank.metrics import auc, gauc, logloss, rela_impr


def _pairwise_auc(labels, scores):
    pos = [s for y, s in zip(labels, scores) if y == 1]
    neg = [s for y, s in zip(labels, scores) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_auc_hand_examples_and_ties():
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert auc([0, 1], [0.5, 0.5]) == 0.5
    assert np.isnan(auc([1, 1], [0.2, 0.3]))


def test_auc_matches_pairwise_reference_with_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300), 1)  # many ties
    assert auc(labels, scores) == pytest.approx(_pairwise_auc(labels, scores))


def test_logloss():
    assert logloss([1, 0], [0.9, 0.2]) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert np.isfinite(logloss([1, 0], [0.0, 1.0]))  # clipped, not inf


def test_gauc_weights_users_by_impressions_and_skips_one_class_users():
    labels = [0, 1, 0, 1, 1, 0, 0, 1]
    scores = [0.2, 0.8, 0.9, 0.1, 0.5, 0.3, 0.6, 0.4]
    users = ["a", "a", "b", "b", "c", "d", "d", "d"]
    # a: 1.0 (2 rows), b: 0.0 (2 rows), c: one class -> skipped, d: 0.5 (3 rows)
    assert gauc(labels, scores, users) == pytest.approx((2 * 1.0 + 2 * 0.0 + 3 * 0.5) / 7)


def test_gauc_weights_users_by_clicks_when_asked():
    labels = [0, 1, 0, 1, 1, 1, 1, 0, 0, 1]
    scores = [0.2, 0.8, 0.9, 0.3, 0.1, 0.5, 0.5, 0.3, 0.6, 0.4]
    users = ["a", "a", "b", "b", "b", "b", "c", "d", "d", "d"]
    # a: AUC 1.0 (2 rows, 1 click), b: 0.0 (4 rows, 3 clicks), c: skipped,
    # d: 0.5 (3 rows, 1 click)
    assert gauc(labels, scores, users) == pytest.approx((2 * 1.0 + 4 * 0.0 + 3 * 0.5) / 9)
    assert gauc(labels, scores, users, weight="clicks") == pytest.approx(
        (1 * 1.0 + 3 * 0.0 + 1 * 0.5) / 5
    )
    with pytest.raises(ValueError, match="weight must be one of"):
        gauc(labels, scores, users, weight="users")


@pytest.mark.parametrize("weight", ["impressions", "clicks"])
def test_gauc_matches_per_user_loop(weight):
    rng = np.random.default_rng(1)
    users = rng.integers(0, 30, 1000)
    labels = rng.integers(0, 2, 1000)
    scores = np.round(rng.random(1000), 2)
    total = weight_sum = 0.0
    for u in np.unique(users):
        m = users == u
        if 0 < labels[m].sum() < m.sum():
            w = m.sum() if weight == "impressions" else labels[m].sum()
            total += w * _pairwise_auc(labels[m], scores[m])
            weight_sum += w
    assert gauc(labels, scores, users, weight) == pytest.approx(total / weight_sum)


def test_rela_impr():
    assert rela_impr(0.75, 0.70) == pytest.approx(25.0)
    assert rela_impr(0.70, 0.70) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="above 0.5"):
        rela_impr(0.7, 0.5)
