import numpy as np
import pytest
import tensorflow as tf

from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature
from tfrank.layers import FeatureTransform


def _inputs(**columns):
    return {k: tf.constant(v) for k, v in columns.items()}


def test_vocabulary_ids_oov_and_shared_lookup():
    spec = FeatureSpec(
        [
            CategoricalFeature("item", vocabulary=["p", "q"], num_oov_buckets=1),
            CategoricalFeature("clicked", share_embedding_with="item"),
            CategoricalFeature("hour", dtype="int64", vocabulary=[7, 3]),
        ]
    )
    out = FeatureTransform(spec)(
        _inputs(
            item=["q", "p", "unseen", ""],
            clicked=["p", "zz", "q", "q"],
            hour=np.array([3, 7, 99, 7], dtype=np.int64),
        )
    )
    np.testing.assert_array_equal(out["ids"]["item"], [2, 1, 0, 0])
    np.testing.assert_array_equal(out["ids"]["clicked"], [1, 0, 2, 2])  # item's ids
    np.testing.assert_array_equal(out["ids"]["hour"], [2, 1, 0, 1])
    assert "numeric" not in out


def test_hashing_is_deterministic_and_in_range():
    spec = FeatureSpec([CategoricalFeature("s", hash_buckets=5)])
    layer = FeatureTransform(spec)
    values = [f"v{i}" for i in range(100)]
    a = layer(_inputs(s=values))["ids"]["s"].numpy()
    b = layer(_inputs(s=values))["ids"]["s"].numpy()
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0 and a.max() < 5 and len(set(a)) == 5


def test_numeric_matches_numpy_reference():
    spec = FeatureSpec(
        [
            NumericFeature("c", log_transform=True, mean=1.0, variance=4.0),
            NumericFeature("r", mean=-2.0, variance=0.25),
        ]
    )
    c = np.array([0.0, 9.0, -3.0, np.nan], dtype=np.float32)
    r = np.array([1.0, np.nan, -2.0, 0.0], dtype=np.float32)
    out = FeatureTransform(spec)(_inputs(c=c, r=r))["numeric"].numpy()
    t = np.sign(c) * np.log1p(np.abs(c))
    expected_c = np.where(np.isnan(t), 0.0, (t - 1.0) / 2.0)
    expected_r = np.where(np.isnan(r), 0.0, (r + 2.0) / 0.5)
    np.testing.assert_allclose(out, np.stack([expected_c, expected_r], 1), rtol=1e-6)


def test_extreme_numbers_are_clipped_not_overflowed():
    spec = FeatureSpec(
        [
            NumericFeature("c", log_transform=True, mean=1.0, variance=4.0),
            NumericFeature("r", mean=-2.0, variance=1e-6),
        ]
    )
    c = np.array([np.inf, -np.inf, 3.4e38, 9.0], dtype=np.float32)
    r = np.array([3.4e38, -3.4e38, np.inf, -1.995], dtype=np.float32)
    out = FeatureTransform(spec)(_inputs(c=c, r=r))["numeric"].numpy()
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.sign(c.astype(np.float64)) * np.log1p(np.abs(c.astype(np.float64)))
        z = np.stack([(t - 1.0) / 2.0, (r.astype(np.float64) + 2.0) / 1e-3], 1)
    np.testing.assert_allclose(out, np.clip(z, -1e4, 1e4), rtol=1e-5)
    assert out[0, 0] == 1e4 and out[1, 0] == -1e4 and out[0, 1] == 1e4


def test_crossed_ids_depend_on_both_values(tiny_spec, tiny_frame):
    arrays = tiny_spec.frame_to_arrays(tiny_frame.head(64))
    ids = FeatureTransform(tiny_spec)(_inputs(**arrays))["ids"]["site_x_hour"].numpy()
    assert ids.min() >= 0 and ids.max() < 50
    pairs = {}
    for site, hour, i in zip(arrays["site"], arrays["hour"], ids):
        assert pairs.setdefault((site, hour), i) == i
    assert len(set(ids)) > len(set(arrays["site"]))


def test_unfitted_spec_is_rejected():
    with pytest.raises(ValueError, match=r"\['site'\] are not fitted"):
        FeatureTransform(FeatureSpec([CategoricalFeature("site")]))


def test_config_round_trip(tiny_spec):
    layer = FeatureTransform(tiny_spec)
    clone = FeatureTransform.from_config(layer.get_config())
    assert clone.feature_spec.to_config() == tiny_spec.to_config()
