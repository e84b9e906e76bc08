"""A user's own interaction table, read for each family."""

import numpy as np
import pandas as pd
import pytest

from tfrank.data import implicit_feedback_from_table, read_interactions, split_ratings
from tfrank.models import DIN, GMF, BiasedMF

LOG = pd.DataFrame(
    {
        "user_id": [1, 1, 1, 2, 2, 3, 3, 3, 3],
        "item_id": [10, 11, 12, 10, 13, 11, 12, 13, 14],
        "timestamp": [5, 9, 7, 1, 2, 8, 6, 4, 3],
        "rating": [4, 5, 3, 2, 1, 5, 4, 3, 2],
    }
)


def _write(tmp_path, frame, name="log.csv"):
    path = str(tmp_path / name)
    frame.to_parquet(path) if name.endswith(".parquet") else frame.to_csv(path, index=False)
    return path


def test_ids_keep_their_type_and_other_columns_are_dropped(tmp_path):
    frame = read_interactions(_write(tmp_path, LOG.assign(note="x")))
    assert list(frame.columns) == ["user_id", "item_id", "timestamp", "rating"]
    assert frame.dtypes.astype(str).tolist() == ["int64", "int64", "int64", "float32"]
    named = LOG.assign(user_id=[f"u{u}" for u in LOG.user_id])
    frame = read_interactions(_write(tmp_path, named, "log.parquet"))
    assert frame.user_id.dtype == object and frame.item_id.dtype == np.int64


def test_missing_columns_and_bad_values_name_file_column_and_row(tmp_path):
    path = _write(tmp_path, LOG.drop(columns="item_id"))
    with pytest.raises(ValueError, match=r"log.csv: .* missing \['item_id'\]"):
        read_interactions(path)
    bad = LOG.astype({"timestamp": object})
    bad.loc[4, "timestamp"] = "yesterday"
    with pytest.raises(ValueError, match="column 'timestamp' needs numbers; row 4 holds"):
        read_interactions(_write(tmp_path, bad))
    gap = LOG.astype({"user_id": float})
    gap.loc[2, "user_id"] = np.nan
    with pytest.raises(ValueError, match="column 'user_id' has a missing id at row 2"):
        read_interactions(_write(tmp_path, gap))


def test_implicit_feedback_holds_out_each_user_s_latest_item(tmp_path):
    data = implicit_feedback_from_table(read_interactions(_write(tmp_path, LOG)), negatives=3)
    held = dict(zip(data.test.user_id, data.test.item_id))
    assert held == {1: 11, 2: 13, 3: 11}  # the latest timestamp of each user
    assert len(data.train) == len(LOG) - 3 and sorted(data.items) == [10, 11, 12, 13, 14]
    seen = LOG.groupby("user_id").item_id.agg(set)
    for user, negatives in zip(data.test.user_id, data.test_negatives):
        assert not set(negatives) & seen[user]


def test_ratings_split_by_time_or_by_seed():
    train, test = split_ratings(LOG, test_fraction=0.3)
    assert sorted(test.timestamp) == [7, 8, 9] and len(train) == 6
    plain = LOG.drop(columns="timestamp")
    first, again = split_ratings(plain, seed=4), split_ratings(plain, seed=4)
    pd.testing.assert_frame_equal(first[1], again[1])
    assert len(first[1]) == 1 and len(first[0]) == 8


def test_each_family_reads_the_table_its_way(tmp_path):
    path = _write(tmp_path, LOG)
    implicit = GMF.load_data(f"csv:{path}")
    assert implicit.test_negatives.shape == (3, 99)
    ratings = BiasedMF.load_data(f"csv:{path}")
    assert ratings.label == "rating" and len(ratings.frame) == 8
    assert len(BiasedMF.load_data(f"csv:{path}", held_out=True).frame) == 1
    samples = DIN.load_data(f"csv:{path}")
    assert "history_items" in samples.frame and "category" not in samples.frame
    assert "category" not in samples.feature_spec.input_names
    with pytest.raises(ValueError, match=r"missing \['rating'\]"):
        BiasedMF.load_data(f"csv:{_write(tmp_path, LOG.drop(columns='rating'), 'r.csv')}")
    with pytest.raises(ValueError, match=r"missing \['timestamp'\]"):
        DIN.load_data(f"csv:{_write(tmp_path, LOG.drop(columns='timestamp'), 't.csv')}")
