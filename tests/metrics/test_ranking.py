import keras_rs
import numpy as np
import pytest

from tfrank.metrics import hit_rate, leave_one_out_metrics, ndcg, positive_ranks


def test_ranks_by_hand_with_ties_against_the_held_out_item():
    positive = [0.5, 0.9, 0.2]
    negative = [[0.1, 0.7, 0.5], [0.1, 0.2, 0.3], [0.3, 0.4, 0.5]]
    np.testing.assert_array_equal(positive_ranks(positive, negative), [2, 0, 3])
    masked = positive_ranks(positive, negative, [[True, False, True], [True] * 3, [True] * 3])
    np.testing.assert_array_equal(masked, [1, 0, 3])


def test_hit_rate_and_ndcg_by_hand():
    ranks = np.array([0, 1, 4, 12])
    assert hit_rate(ranks, 2) == 0.5 and hit_rate(ranks, 5) == 0.75
    expected = (1.0 + 1 / np.log2(3) + 1 / np.log2(6) + 0.0) / 4
    assert ndcg(ranks, 10) == pytest.approx(expected)
    assert ndcg(ranks, 1) == pytest.approx(0.25)


def test_a_constant_model_ranks_last_not_first():
    metrics = leave_one_out_metrics(np.zeros(4), np.zeros((4, 99)), ks=(10,))
    assert metrics == {"hr@10": 0.0, "ndcg@10": 0.0}


@pytest.mark.parametrize("k", [1, 5, 10])
def test_agrees_with_keras_rs_on_lists_without_ties(k):
    rng = np.random.default_rng(k)
    positive, negative = rng.normal(size=64), rng.normal(size=(64, 20)) - 0.3
    ours = leave_one_out_metrics(positive, negative, ks=(k,))
    scores = np.concatenate([positive[:, None], negative], axis=1).astype(np.float32)
    labels = np.zeros_like(scores)
    labels[:, 0] = 1.0
    recall, ndcg_metric = keras_rs.metrics.RecallAtK(k=k), keras_rs.metrics.NDCG(k=k)
    recall.update_state(labels, scores)
    ndcg_metric.update_state(labels, scores)
    assert ours[f"hr@{k}"] == pytest.approx(float(recall.result()), abs=1e-6)
    assert ours[f"ndcg@{k}"] == pytest.approx(float(ndcg_metric.result()), abs=1e-6)
