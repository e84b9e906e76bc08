"""Every family trains from a user's own log: MovieLens-100K's u.data as a table.

The shared folder holds the official folds, not u.data itself; the union of
u1.test .. u5.test is exactly u.data's 100,000 ratings. The tests keep the
first 150 users (about 15,000 ratings) for time.
"""

import os

import numpy as np
import pandas as pd
import pytest

from tests.helpers.data import shared_data_path
from tfrank.data import read_interactions, split_ratings
from tfrank.training import evaluate, train

COLUMNS = ["user_id", "item_id", "rating", "timestamp"]


@pytest.fixture(scope="module")
def ratings_csv(tmp_path_factory):
    folder = shared_data_path("movielens_100k")
    if not os.path.isdir(folder):
        pytest.skip(f"shared movielens_100k data not found at {folder}")
    folds = [
        pd.read_csv(os.path.join(folder, f"u{k}.test"), sep="\t", header=None, names=COLUMNS)
        for k in range(1, 6)
    ]
    u_data = pd.concat(folds).sort_values(["user_id", "item_id"])
    assert len(u_data) == 100_000 and u_data.duplicated(["user_id", "item_id"]).sum() == 0
    path = tmp_path_factory.mktemp("own_table") / "ratings.csv"
    u_data[u_data.user_id <= 150].to_csv(path, index=False)
    return str(path)


def test_implicit_models_rank_each_user_s_latest_movie(ratings_csv, tmp_path):
    metrics = train("neumf", data=f"csv:{ratings_csv}", epochs=2, output=str(tmp_path),
                    model_config={"factors": 8, "mlp_layers": [16, 8]}, verbose=0)  # fmt: skip
    table = read_interactions(ratings_csv)
    assert metrics["test"]["protocol"] == "99 negatives" and metrics["test"]["users"] == 150
    assert metrics["rows"]["train_positives"] == len(table) - 2 * 150  # test + validation
    # Random ranking among 100 candidates scores HR@10 = 0.1.
    assert metrics["test"]["hr@10"] > 0.25
    assert evaluate(str(tmp_path))["hr@10"] == metrics["test"]["hr@10"]


def test_rating_models_predict_the_latest_tenth_by_time(ratings_csv, tmp_path):
    metrics = train("biased_mf", data=f"csv:{ratings_csv}", epochs=4, learning_rate=0.01,
                    output=str(tmp_path), verbose=0)  # fmt: skip
    train_rows, test_rows = split_ratings(read_interactions(ratings_csv))
    assert metrics["rows"]["train"] + metrics["rows"]["validation"] == len(train_rows)
    held_out = evaluate(str(tmp_path))
    assert held_out["rows"] == len(test_rows)
    assert test_rows.timestamp.min() >= train_rows.timestamp.max()
    mean = np.sqrt(np.mean((test_rows.rating - train_rows.rating.mean()) ** 2))
    assert held_out["rmse"] < mean  # better than predicting the training mean


def test_behaviour_models_learn_from_the_event_order(ratings_csv, tmp_path):
    metrics = train("din", data=f"csv:{ratings_csv}", epochs=2, output=str(tmp_path),
                    model_config={"attention_units": [16], "hidden_units": [32]},
                    verbose=0)  # fmt: skip
    assert metrics["family"] == "behaviour" and metrics["validation"]["auc"] > 0.7
    with open(os.path.join(tmp_path, "feature_spec.json")) as f:
        spec = f.read()
    assert "history_items" in spec and "category" not in spec
