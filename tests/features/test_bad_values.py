"""Values out of range (docs/bad_input.md): ±inf or a number beyond float32 in
a numeric feature, an id outside a `num_ids` feature's range.

In data they are an error naming the feature and row; in arrays given to a
model, or in a request to an export, numbers are clipped to ±10,000 standard
deviations after normalization and such ids take the feature's OOV row.
"""

import re
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tfrank.data import make_dataset
from tfrank.export import export_for_serving
from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature
from tfrank.models import DeepFM

NUM_IDS = 50
OUTSIDE = [NUM_IDS, -1, -5, 10**12, 2**63 - 1, -(2**63)]


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "ad_id": rng.integers(0, NUM_IDS, 64),
            "price": rng.lognormal(1.0, 1.0, 64),
            "age": rng.normal(40, 10, 64),
            "label": rng.integers(0, 2, 64),
        }
    )


@pytest.fixture(scope="module")
def spec(frame):
    features = [
        CategoricalFeature("ad_id", dtype="int64", num_ids=NUM_IDS, embedding_dim=4),
        NumericFeature("price", log_transform=True, embedding_dim=4),
        NumericFeature("age", embedding_dim=4),
    ]
    return FeatureSpec(features).fit(frame)


@pytest.fixture(scope="module")
def model(spec):
    keras.utils.set_random_seed(0)
    return DeepFM(spec, hidden_units=[4])


@pytest.fixture(scope="module")
def rows(spec, frame):
    return {k: v[: len(OUTSIDE)] for k, v in spec.frame_to_arrays(frame).items()}


@pytest.fixture(scope="module")
def served(model, rows, tmp_path_factory):
    """Scores of the model's export, through its serving signature."""
    version = export_for_serving(model, str(tmp_path_factory.mktemp("serving")), rows)
    signature = tf.saved_model.load(version).signatures["serving_default"]

    def score(features):
        inputs = {k: tf.constant(v) for k, v in features.items()}
        return signature(**inputs)["probability"].numpy().reshape(-1)

    return score


def predicted(model, features):
    with warnings.catch_warnings():
        # NumPy's "overflow encountered in cast" for values beyond float32.
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(model.predict(features, verbose=0)).reshape(-1)


def as_float32(values):
    with np.errstate(over="ignore"):
        return np.asarray(values, dtype=np.float32)


def deviations(spec, name, k):
    """The raw value of `name` that normalizes to `k` standard deviations."""
    return spec[name].mean + k * np.sqrt(spec[name].variance)


@pytest.mark.parametrize(
    "value, shown", [(np.inf, "inf"), (-np.inf, "-inf"), (1e39, "1e+39"), (-3.5e38, "-3.5e+38"),
                     ("1e39", "'1e39'")],
)  # fmt: skip
def test_inf_or_beyond_float32_in_data_is_an_error_naming_feature_and_row(
    model, spec, frame, value, shown
):
    bad = frame.head(4).astype({"age": object})
    bad.loc[2, "age"] = value
    message = (
        f"Feature 'age' has {re.escape(shown)} at row 2, which is not a finite float32; "
        r"expected a finite number, or NaN / an empty cell for missing\.$"
    )
    with pytest.raises(ValueError, match=message):
        spec.frame_to_arrays(bad)
    with pytest.raises(ValueError, match=message):
        make_dataset(bad, spec)
    with pytest.raises(ValueError, match=message):
        model.predict(bad, verbose=0)


def test_the_largest_float32_is_a_number_in_data(spec, frame):
    big = frame.head(4).astype({"age": float})
    big.loc[2, "age"] = float(np.finfo(np.float32).max)
    assert spec.frame_to_arrays(big)["age"][2] == np.finfo(np.float32).max


@pytest.mark.parametrize("value", OUTSIDE)
def test_an_id_outside_num_ids_in_data_is_an_error_naming_feature_and_row(spec, frame, value):
    bad = frame.head(4).astype({"ad_id": object})
    bad.loc[3, "ad_id"] = value
    message = re.escape(
        f"Feature 'ad_id' has id {value} at row 3, outside [0, {NUM_IDS}) of num_ids={NUM_IDS}: "
        "raise num_ids, or use a vocabulary or hash_buckets for raw ids (models and exports "
        "map such ids to the OOV row; in data they are an error, since they are usually a "
        "bug upstream)."
    )
    with pytest.raises(ValueError, match=f"^{message}$"):
        spec.frame_to_arrays(bad.astype({"ad_id": "int64"}))
    with pytest.raises(ValueError, match=f"^{message}$"):
        make_dataset(bad.astype({"ad_id": "int64"}), spec)


def test_ids_at_the_ends_of_the_range_are_ids_in_data(spec, frame):
    edges = frame.head(2).assign(ad_id=[0, NUM_IDS - 1])
    np.testing.assert_array_equal(spec.frame_to_arrays(edges)["ad_id"], [0, NUM_IDS - 1])


def test_numbers_beyond_float32_given_to_a_model_score_as_the_clip(model, spec, rows):
    def score(age):
        return predicted(model, {**rows, "age": age})

    n = len(OUTSIDE)
    signs = np.resize([1.0, -1.0], n)
    at_clip = score(as_float32(deviations(spec, "age", 2e4 * signs)))
    assert np.isfinite(at_clip).all()
    for given in (
        (1e39 * signs).tolist(),  # a list: float64 values, cast to float32
        1e39 * signs,  # a float64 array
        as_float32(np.inf * signs),
        as_float32(3.4e38 * signs),
    ):
        np.testing.assert_allclose(score(given), at_clip, rtol=1e-6)
    # The clip is at 10,000 standard deviations: just inside it, scores differ.
    inside = score(as_float32(deviations(spec, "age", 9e3 * signs)))
    assert np.abs(inside - at_clip).max() > 1e-4
    np.testing.assert_allclose(
        score(as_float32(deviations(spec, "age", 1.01e4 * signs))), at_clip, rtol=1e-6
    )
    # A log-transformed feature: ±inf and ±1e39 are clipped alike, and score.
    price = predicted(model, {**rows, "price": (1e39 * signs).tolist()})
    assert np.isfinite(price).all()
    np.testing.assert_allclose(
        predicted(model, {**rows, "price": as_float32(np.inf * signs)}), price, rtol=1e-6
    )


def test_ids_outside_num_ids_given_to_a_model_score_as_the_oov_row(model, rows):
    oov = predicted(model, {**rows, "ad_id": np.full(len(OUTSIDE), NUM_IDS)})
    outside = predicted(model, {**rows, "ad_id": np.array(OUTSIDE, np.int64)})
    assert np.isfinite(outside).all()
    np.testing.assert_allclose(outside, oov, rtol=1e-6)
    inside = predicted(model, {**rows, "ad_id": np.arange(len(OUTSIDE))})
    assert np.abs(inside - oov).max() > 1e-6  # the OOV row is a row of its own


def test_an_export_scores_such_values_as_the_model_does(model, spec, rows, served):
    signs = np.resize([1.0, -1.0], len(OUTSIDE))
    at_clip = {**rows, "age": as_float32(deviations(spec, "age", 2e4 * signs))}
    request = {
        "ad_id": np.array(OUTSIDE, np.int64),
        "price": as_float32([np.inf, -np.inf, 1e39, -1e39, 3.4e38, np.nan]),
        "age": as_float32(1e39 * signs),  # ±inf once cast, as a JSON request's numbers are
    }
    scores = served(request)
    assert np.isfinite(scores).all()
    np.testing.assert_allclose(scores, predicted(model, request), rtol=1e-5)
    np.testing.assert_allclose(
        served({**request, "ad_id": np.full(len(OUTSIDE), NUM_IDS)}), scores, rtol=1e-6
    )
    np.testing.assert_allclose(served({**rows, "age": request["age"]}), served(at_clip),
                               rtol=1e-6)  # fmt: skip
