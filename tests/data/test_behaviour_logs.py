"""Amazon (S3-Rec) and Taobao UserBehavior loaders on the real files."""

import os

import numpy as np

from tfrank.data import build_samples, load_amazon_s3rec, load_taobao_user_behavior
from tfrank.models import DIN


def test_amazon_beauty_matches_its_published_counts(amazon_dir):
    events = load_amazon_s3rec(amazon_dir, "Beauty")
    assert len(events) == 198_502
    assert events.user_id.nunique() == 22_363 and events.item_id.nunique() == 12_101
    assert (events.category > 0).all()  # every item has attributes
    first = events[events.user_id == 1]
    assert first.item_id.tolist() == [1, 2, 3, 4, 5] and first.timestamp.tolist() == [0, 1, 2, 3, 4]
    # Item 4's attributes are [1, 2, 3]: its category is the first.
    assert set(events.loc[events.item_id == 4, "category"]) == {1}


def test_amazon_samples_predict_each_users_last_item(amazon_dir):
    train, test = build_samples(load_amazon_s3rec(amazon_dir, "Beauty"), max_history=50)
    assert len(test) == 2 * 22_363 and len(train) == 2 * (198_502 - 2 * 22_363)
    row = test[(test.user_id == 1) & (test.label == 1)].iloc[0]
    assert row.item_id == 5 and list(row.history_items) == [1, 2, 3, 4]


def test_taobao_head_slice_drops_nothing_but_out_of_range_rows(taobao_dir):
    path = os.path.join(taobao_dir, "UserBehavior_head4321.csv")
    events = load_taobao_user_behavior(path)
    assert len(events) + events.attrs["dropped_rows"] == 4321
    assert events.user_id.nunique() == 43
    assert events.iloc[0].tolist() == [1, 2268318, 2520377, 1511544070, "pv"]
    buys = load_taobao_user_behavior(path, behaviours=("buy",))
    assert set(buys.behavior) == {"buy"} and len(buys) < len(events)


def test_taobao_cut_last_line_is_dropped(taobao_dir):
    events = load_taobao_user_behavior(os.path.join(taobao_dir, "UserBehavior_hotitems_slice.csv"))
    assert len(events) == 96_168 and events.attrs["dropped_rows"] == 1
    assert events.timestamp.min() >= 1511658000


def test_behaviour_data_specs_of_the_cli(taobao_dir):
    source = DIN.load_data(f"taobao:{os.path.join(taobao_dir, 'UserBehavior_head4321.csv')}")
    held_out = DIN.load_data(
        f"taobao:{os.path.join(taobao_dir, 'UserBehavior_head4321.csv')}", held_out=True
    )
    assert held_out.frame.user_id.nunique() == 43 and len(held_out.frame) == 86
    assert source.frame.history_items.map(len).max() == 50
    assert np.isin(["history_items", "history_times"], source.feature_spec.input_names).all()
