"""Samples from behaviour logs, and the synthetic behaviour generator."""

import pandas as pd
import pytest

from tfrank.data import SyntheticBehaviour, build_sample_splits, build_samples

EVENTS = pd.DataFrame(
    {
        "user_id": [1, 1, 1, 1, 2, 2],
        "item_id": [10, 11, 12, 13, 20, 21],
        "category": [0, 0, 1, 1, 0, 1],
        "timestamp": [4, 1, 2, 3, 5, 6],  # user 1's log is out of order on purpose
    }
)
CATALOGUE = {10: 0, 11: 0, 12: 1, 13: 1, 20: 0, 21: 1, 30: 0, 31: 1, 32: 1}


def _events_with_catalogue():
    # Other users' clicks put items 30..32 in the catalogue.
    extra = pd.DataFrame(
        {"user_id": [9, 9, 9], "item_id": [30, 31, 32], "category": [0, 1, 1],
         "timestamp": [1, 2, 3]}
    )  # fmt: skip
    return pd.concat([EVENTS, extra], ignore_index=True)


def test_targets_histories_and_the_time_split_hand_example():
    train, test = build_samples(EVENTS, max_history=2, negatives=0)
    # User 1 in time order: 11, 12, 13, 10. Targets 12, 13 train; 10 test.
    user1 = train[train.user_id == 1]
    assert user1.item_id.tolist() == [12, 13]
    assert [list(h) for h in user1.history_items] == [[11], [11, 12]]
    assert [list(h) for h in user1.history_categories] == [[0], [0, 1]]
    got = test.set_index("user_id")
    assert got.loc[1, "item_id"] == 10 and list(got.loc[1, "history_items"]) == [12, 13]
    assert list(got.loc[1, "history_times"]) == [2.0, 3.0]  # max_history keeps the latest
    assert got.loc[2, "item_id"] == 21 and list(got.loc[2, "history_items"]) == [20]
    assert (train.label == 1).all() and (test.label == 1).all()


def test_three_way_split_holds_out_each_users_second_to_last_click():
    train, validation, test = build_sample_splits(EVENTS, max_history=2, negatives=0)
    # User 1 in time order: 11, 12, 13, 10; user 2: 20, 21.
    assert train.item_id.tolist() == [12]
    assert validation.item_id.tolist() == [13]  # user 2's only target (21) is its test
    assert list(validation[validation.user_id == 1].history_items.iloc[0]) == [11, 12]
    two_way_train, two_way_test = build_samples(EVENTS, max_history=2, negatives=0)
    assert test.equals(two_way_test)
    assert len(train) + len(validation) == len(two_way_train)


def test_min_history_zero_adds_cold_start_targets():
    train, _ = build_samples(EVENTS, negatives=0, min_history=0)
    firsts = train[train.history_items.map(len) == 0]
    assert sorted(firsts.item_id) == [11, 20]


@pytest.mark.parametrize("same_category", [False, True])
def test_negatives_are_items_the_user_never_clicked(same_category):
    events = _events_with_catalogue()
    train, test = build_samples(events, negatives=3, same_category=same_category, seed=4)
    for frame in (train, test):
        negatives = frame[frame.label == 0]
        assert len(negatives) == 3 * (frame.label == 1).sum()
        clicked = events.groupby("user_id").item_id.agg(set)
        assert all(i not in clicked[u] for u, i in zip(negatives.user_id, negatives.item_id))
        assert all(CATALOGUE[i] == c for i, c in zip(negatives.item_id, negatives.category))
    if same_category:  # every category has items each user never clicked
        key = ["user_id", "timestamp"]
        pairs = train[train.label == 0].merge(train[train.label == 1], on=key)
        assert len(pairs) == 3 * (train.label == 1).sum()
        assert (pairs.category_x == pairs.category_y).all()


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing \['timestamp'\]"):
        build_samples(EVENTS.drop(columns="timestamp"))


def test_events_without_categories_give_samples_without_category_columns():
    with_categories = build_samples(EVENTS, max_history=3, seed=1)
    without = build_samples(EVENTS.drop(columns="category"), max_history=3, seed=1)
    for full, plain in zip(with_categories, without):
        assert "category" not in plain and "history_categories" not in plain
        assert len(plain) == len(full)
        positives = plain[plain.label == 1].reset_index(drop=True)
        expected = full[full.label == 1].reset_index(drop=True)
        assert positives.item_id.tolist() == expected.item_id.tolist()
        assert (
            positives.history_items.map(list).tolist() == expected.history_items.map(list).tolist()
        )


def test_synthetic_logs_have_drift_and_long_range_revisits():
    data = SyntheticBehaviour(num_users=200, num_items=400, num_categories=20, seed=3)
    events = data.events()
    assert events.equals(SyntheticBehaviour(num_users=200, num_items=400, num_categories=20,
                                            seed=3).events())  # fmt: skip
    per_user = events.groupby("user_id")
    counts = per_user.size()
    assert counts.between(data.min_events, data.max_events).all()
    # Interest drift: the next click mostly stays in the current category.
    same = (per_user.category.shift(-1) == events.category).groupby(events.user_id).mean()
    assert same.mean() > 0.6
    # Revisits reach at least revisit_gap clicks back: the item occurred that far ago.
    revisits = 0
    for _, log in per_user:
        items = log.item_id.to_numpy()
        for t in range(data.revisit_gap, len(items)):
            if items[t] in set(items[: t - data.revisit_gap + 1]):
                revisits += 1
    assert revisits > 0.1 * (counts - data.revisit_gap).clip(lower=0).sum()
    train, test = data.samples(max_history=30)
    assert len(test) == 2 * data.num_users and train.history_items.map(len).max() == 30
