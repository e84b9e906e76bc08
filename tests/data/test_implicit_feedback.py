import numpy as np
import pandas as pd
import pytest

from tfrank.data.implicit_feedback import ImplicitFeedback, leave_one_out
from tfrank.data.synthetic_cf import SyntheticCF
from tfrank.metrics import leave_one_out_metrics


def test_leave_one_out_holds_out_each_users_latest():
    frame = pd.DataFrame(
        {"user_id": [1, 1, 1, 2, 2, 3], "item_id": [10, 11, 12, 10, 13, 14],
         "timestamp": [5, 9, 1, 3, 2, 7]}
    )  # fmt: skip
    train, test = leave_one_out(frame, time="timestamp")
    assert sorted(zip(test["user_id"], test["item_id"])) == [(1, 11), (2, 10)]
    assert len(train) == 4 and 3 in set(train["user_id"])  # one interaction: train only


def test_validation_split_moves_one_row_per_user_with_fresh_negatives():
    data = SyntheticCF(num_users=50, num_items=80, interactions=10, seed=1).implicit_feedback()
    rest, validation = data.validation_split(seed=0, negatives=20)
    assert len(rest.train) + len(validation.test) == len(data.train)
    assert validation.test["user_id"].is_unique and validation.test_negatives.shape[1] == 20
    seen = set(zip(data.train["user_id"], data.train["item_id"]))
    for user, negatives in zip(validation.test["user_id"], validation.test_negatives):
        assert not any((user, i) in seen for i in negatives)
    assert rest.test.equals(data.test)


def test_synthetic_cf_plants_factors_popularity_cannot_explain():
    generator = SyntheticCF(num_users=500, num_items=300, seed=0)
    data = generator.implicit_feedback()
    assert data.test_negatives.shape == (500, 99)
    users, items = data.test["user_id"].to_numpy(), data.test["item_id"].to_numpy()
    oracle = leave_one_out_metrics(
        generator.affinity(users, items), generator.affinity(users[:, None], data.test_negatives)
    )
    popularity = leave_one_out_metrics(
        generator.log_popularity[items], generator.log_popularity[data.test_negatives]
    )
    assert oracle["hr@10"] > popularity["hr@10"] + 0.2 > 0.3


def test_catalogue_items_get_vocabulary_rows_and_columns_are_checked():
    data = ImplicitFeedback(
        pd.DataFrame({"user_id": [0, 1], "item_id": [0, 1]}),
        pd.DataFrame({"user_id": [0], "item_id": [5]}),
        None,
        np.arange(6),
    )
    spec = data.feature_spec().fit(data.vocabulary_frame())
    assert spec.features[1].vocabulary_size >= 6
    with pytest.raises(ValueError, match="missing"):
        ImplicitFeedback(pd.DataFrame({"user": [0]}), data.test, None, data.items)
    with pytest.raises(ValueError, match="test_negatives has 2 rows for 1"):
        ImplicitFeedback(data.train, data.test, np.zeros((2, 3)), data.items)
