import numpy as np
import pandas as pd
import pytest

from tests.helpers.data import tiny_implicit_spec
from tfrank.data.negative_sampler import NegativeSampler


def _positives(users=50, items=60, per_user=40, seed=0):
    rng = np.random.default_rng(seed)
    rows = [(u, i) for u in range(users) for i in rng.choice(items, per_user, replace=False)]
    return pd.DataFrame(rows, columns=["user_id", "item_id"]).astype(np.int64)


def test_negatives_are_never_train_positives_and_come_four_per_positive():
    positives = _positives()  # 40 of 60 items each: two draws in three clash
    sampler = NegativeSampler(positives, np.arange(60), num_negatives=4, seed=1)
    frame = sampler.sample()
    assert len(frame) == 5 * len(positives) and frame["label"].sum() == len(positives)
    seen = set(zip(positives["user_id"], positives["item_id"]))
    negatives = frame[frame["label"] == 0]
    assert not any(pair in seen for pair in zip(negatives["user_id"], negatives["item_id"]))
    counts = negatives.groupby("user_id").size()
    assert (counts == 4 * 40).all()


def test_every_epoch_draws_anew_and_seeds_reproduce():
    positives = _positives()
    a = NegativeSampler(positives, np.arange(60), seed=3)
    b = NegativeSampler(positives, np.arange(60), seed=3)
    first, second = a.sample(), a.sample()
    assert not first.equals(second)
    assert first.equals(b.sample(0)) and second.equals(b.sample(1))


def test_negatives_are_uniform_over_the_unseen_items():
    positives = pd.DataFrame({"user_id": [0] * 3, "item_id": [0, 1, 2]})
    sampler = NegativeSampler(positives, np.arange(10), num_negatives=1000)
    drawn = sampler.negatives_for(np.array([0]), 7000, seed=0).ravel()
    counts = np.bincount(drawn, minlength=10)
    assert counts[:3].sum() == 0 and np.all(np.abs(counts[3:] - 1000) < 150)


def test_dataset_is_resampled_on_every_pass():
    frame = _positives(users=10, items=40, per_user=5)
    spec = tiny_implicit_spec()
    dataset = NegativeSampler(frame, np.arange(40), seed=0).dataset(spec, batch_size=64)
    assert int(dataset.cardinality()) == -(-len(frame) * 5 // 64)
    passes = [np.concatenate([x["item_id"].numpy() for x, _ in dataset]) for _ in range(2)]
    assert len(passes[0]) == len(frame) * 5 and not np.array_equal(*passes)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="interacted with all 2 items"):
        NegativeSampler(pd.DataFrame({"user_id": [7, 7], "item_id": [0, 1]}), [0, 1])
    with pytest.raises(ValueError, match="item_id 9 .* not in the item catalogue"):
        NegativeSampler(pd.DataFrame({"user_id": [1], "item_id": [9]}), [0, 1, 2])
    with pytest.raises(ValueError, match="num_negatives"):
        NegativeSampler(pd.DataFrame({"user_id": [1], "item_id": [0]}), [0, 1], num_negatives=0)
