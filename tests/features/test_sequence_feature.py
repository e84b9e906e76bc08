"""Sequence features: declaration, fitting, padding, in-graph truncation and masks."""

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature, SequenceFeature
from tfrank.layers import FeatureTransform

FRAME = pd.DataFrame(
    {
        "item": [10, 11, 12],
        "history": [[10, 20, 21], [], [11, 12, 13, 14, 15]],
        "times": [[1.0, 2.0, 3.0], [], [1.0, 2.0, 3.0, 4.0, 5.0]],
    }
)


def _spec(max_length=3):
    return FeatureSpec(
        [
            CategoricalFeature("item", dtype="int64"),
            SequenceFeature("history", shares="item", max_length=max_length),
            SequenceFeature("times", max_length=max_length, length_from="history"),
        ]
    ).fit(FRAME)


def test_the_shared_vocabulary_is_learned_from_candidates_and_histories():
    spec = _spec()
    assert sorted(spec["item"].vocabulary) == [10, 11, 12, 13, 14, 15, 20, 21]
    assert spec["history"].dtype == "int64" and spec["times"].dtype == "float32"
    assert spec.owner_of("history") == "item"
    assert spec.input_dtypes == {"item": "int64", "history": "int64", "times": "float32"}
    again = FeatureSpec.from_config(spec.to_config())
    assert again.to_config() == spec.to_config()
    assert np.isnan(again["times"].pad)


def test_frames_are_padded_keeping_the_most_recent_entries():
    arrays = _spec().frame_to_arrays(FRAME)
    np.testing.assert_array_equal(arrays["history"], [[10, 20, 21], [-1, -1, -1], [13, 14, 15]])
    np.testing.assert_array_equal(arrays["times"][2], [3.0, 4.0, 5.0])
    assert np.isnan(arrays["times"][1]).all()


def test_the_transform_truncates_to_recent_entries_and_masks_padding():
    spec = _spec()
    transform = FeatureTransform(spec)
    raw = {  # a request wider than max_length: the transform cuts it itself
        "item": tf.constant([10, 11], tf.int64),
        "history": tf.constant([[10, 20, 21, 11, 12], [13, -1, -1, -1, -1]], tf.int64),
        "times": tf.constant([[1, 2, 3, 4, 5], [7, np.nan, np.nan, np.nan, np.nan]], tf.float32),
    }
    out = transform(raw)
    lookup = {v: i + 1 for i, v in enumerate(spec["item"].vocabulary)}  # id 0: OOV
    want = [[lookup[21], lookup[11], lookup[12]], [lookup[13], 0, 0]]
    np.testing.assert_array_equal(out["sequences"]["history"].numpy(), want)
    np.testing.assert_array_equal(out["masks"]["history"].numpy(), [[1, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(out["sequences"]["times"].numpy(), [[3, 4, 5], [7, 0, 0]])
    np.testing.assert_array_equal(out["masks"]["times"].numpy(), out["masks"]["history"].numpy())


def test_empty_requests_get_one_masked_step_and_short_ones_pass_through():
    transform = FeatureTransform(_spec(max_length=50))
    empty = transform(
        {
            "item": tf.constant([10], tf.int64),
            "history": tf.zeros([1, 0], tf.int64),
            "times": tf.zeros([1, 0], tf.float32),
        }
    )
    assert empty["sequences"]["history"].shape == (1, 1)
    assert not empty["masks"]["history"].numpy().any()
    short = transform(
        {
            "item": tf.constant([10], tf.int64),
            "history": tf.constant([[20, 21]], tf.int64),
            "times": tf.constant([[1.0, 2.0]]),
        }
    )
    np.testing.assert_array_equal(short["masks"]["history"].numpy(), [[1, 1]])


def test_string_sequences_use_the_empty_string_as_padding():
    frame = pd.DataFrame({"cat": ["a", "b"], "cats": [["a", "c"], None]})
    spec = FeatureSpec(
        [CategoricalFeature("cat"), SequenceFeature("cats", shares="cat", max_length=4)]
    ).fit(frame)
    arrays = spec.frame_to_arrays(frame)
    assert arrays["cats"].tolist() == [["a", "c"], ["", ""]]
    out = FeatureTransform(spec)({k: tf.constant(v) for k, v in arrays.items()})
    np.testing.assert_array_equal(out["masks"]["cats"].numpy(), [[1, 1], [0, 0]])


@pytest.mark.parametrize(
    "features, message",
    [
        ([NumericFeature("x"), SequenceFeature("h", shares="x")], "not a categorical"),
        (
            [CategoricalFeature("i"), SequenceFeature("h", shares="i", dtype="int64")],
            "shares 'i', which is string",
        ),
        (
            [
                CategoricalFeature("i"),
                SequenceFeature("h", shares="i", max_length=5),
                SequenceFeature("t", max_length=6, length_from="h"),
            ],
            "same max_length",
        ),
    ],
)
def test_bad_declarations_name_the_feature(features, message):
    with pytest.raises(ValueError, match=message):
        FeatureSpec(features)
    with pytest.raises(ValueError, match="needs `shares`"):
        SequenceFeature("h", dtype="int64")


def test_bad_rows_name_the_feature_and_row():
    spec = _spec()
    with pytest.raises(ValueError, match="'history' row 1 contains the padding value -1"):
        spec.frame_to_arrays(FRAME.assign(history=[[10], [-1, 3], []]))
    with pytest.raises(ValueError, match="'history' expects a list per row; row 0"):
        spec.frame_to_arrays(FRAME.assign(history=["10 11", [], []]))


def test_models_that_ignore_histories_refuse_them():
    from tfrank.models import DeepFM

    with pytest.raises(ValueError, match=r"DeepFM does not read sequence features.*'history'"):
        DeepFM(_spec())


def test_dataset_batches_are_cut_to_their_longest_history():
    from tfrank.data import make_dataset

    spec = _spec(max_length=50)
    frame = FRAME.assign(label=[1.0, 0.0, 1.0])
    widths = [b[0]["history"].shape[1] for b in make_dataset(frame, spec, batch_size=2)]
    assert widths == [3, 5]  # rows 0-1: 3 and 0 entries; row 2: 5
    ((features, _),) = make_dataset(frame.iloc[[1]], spec, batch_size=2)
    assert features["history"].shape == (1, 1) and features["times"].shape == (1, 1)


def test_a_flat_tensor_for_a_history_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"'history' must be a padded \[batch, steps\] tensor"):
        _spec().check_inputs(
            {"item": np.array([10]), "history": np.array([10, 11]), "times": np.zeros((1, 2))}
        )
