import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tfrank.data import make_dataset
from tfrank.features import CategoricalFeature, FeatureSpec, SequenceFeature
from tfrank.layers import FeatureTransform, IdRange
from tfrank.models import DeepFM


def test_ids_in_range_pass_and_the_rest_share_one_id():
    layer = IdRange(5)
    values = np.array([0, 4, 5, -1, 2, 10**12], dtype=np.int64)
    np.testing.assert_array_equal(layer(values), [0, 4, 5, 5, 2, 5])
    assert IdRange.from_config(layer.get_config()).num_ids == 5
    with pytest.raises(ValueError, match="num_ids"):
        IdRange(0)


def test_feature_with_num_ids_needs_no_fit_and_owns_an_oov_row():
    feature = CategoricalFeature("item", dtype="int64", num_ids=100)
    assert feature.is_fitted and feature.vocabulary_size == 101
    assert feature.fit(pd.Series([1, 2])).vocabulary is None
    with pytest.raises(ValueError, match="num_ids takes int64"):
        CategoricalFeature("item", num_ids=100)
    with pytest.raises(ValueError, match="give one"):
        CategoricalFeature("item", dtype="int64", num_ids=100, hash_buckets=10)


def test_sequences_share_the_range_and_keep_their_mask():
    spec = FeatureSpec(
        [
            CategoricalFeature("item", dtype="int64", num_ids=10),
            SequenceFeature("history", shares="item", max_length=4),
        ]
    )
    out = FeatureTransform(spec)(
        {
            "item": tf.constant([3, 42], tf.int64),
            "history": tf.constant([[1, 12, -1, -1], [9, 0, 7, -1]], tf.int64),
        }
    )
    np.testing.assert_array_equal(out["ids"]["item"], [3, 10])
    np.testing.assert_array_equal(out["masks"]["history"], [[1, 1, 0, 0], [1, 1, 1, 0]])
    np.testing.assert_array_equal(out["sequences"]["history"], [[1, 10, 0, 0], [9, 0, 7, 0]])


def test_model_scores_any_out_of_range_id_like_the_oov_id(tmp_path):
    keras.utils.set_random_seed(0)
    frame = pd.DataFrame({"item": np.arange(40) % 8, "label": np.arange(40) % 2}).astype(
        {"label": "float32"}
    )
    spec = FeatureSpec([CategoricalFeature("item", dtype="int64", num_ids=8, embedding_dim=4)])
    spec = spec.fit(frame)
    model = DeepFM(spec, hidden_units=[4])
    model.compile()
    model.fit(make_dataset(frame, spec, "label", batch_size=8), epochs=2, verbose=0)
    scores = model.predict({"item": np.array([8, -5, 10**9, 3], np.int64)}, verbose=0)
    np.testing.assert_allclose(scores[0], scores[1])
    np.testing.assert_allclose(scores[0], scores[2])
    path = str(tmp_path / "model.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict({"item": np.array([8, 3], np.int64)}, verbose=0),
                               scores[[0, 3]], rtol=1e-6)  # fmt: skip
