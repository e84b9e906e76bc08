"""Every registered model: fits, reloads from .keras, serves from TensorFlow alone.

A model joins this test by registering (`tfrank.registry.register_model`);
the models are trained and exported once, in `conftest.py`.
"""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfrank.data import make_dataset
from tfrank.registry import list_models

MODELS = list_models()


@pytest.mark.parametrize("name", MODELS)
def test_fit_steps_train_the_model(trained, name):
    result = trained[0][name]
    losses = result["history"]["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    after = [v.numpy() for v in result["model"].trainable_variables]
    assert all(not np.array_equal(a, b) for a, b in zip(after, result["before"]))


@pytest.mark.parametrize("name", MODELS)
def test_keras_file_round_trip(trained, name):
    result = trained[0][name]
    features = make_dataset(result["frame"], result["spec"], label=None, batch_size=100)
    expected = keras.tree.flatten(result["model"].predict(features, verbose=0))
    got = keras.tree.flatten(result["reloaded"].predict(features, verbose=0))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    assert type(result["reloaded"]) is type(result["model"])
    assert type(result["reloaded"].optimizer) is type(result["model"].optimizer)


@pytest.mark.parametrize("name", MODELS)
def test_saved_model_serves_raw_features_without_tfrank(trained, name):
    results, served = trained
    result = results[name]
    assert served["__blocked_modules_loaded__"] == []
    model = result["model"]
    inputs = {k: tf.constant(v) for k, v in result["example"].items()}
    # Output by output: one per task for multi-task models.
    expected = model.serving_outputs(model(inputs, training=False))
    assert set(served[result["version"]]) == set(expected)
    for output, values in expected.items():
        got = np.asarray(served[result["version"]][output])
        assert got.shape == (8, 1)
        np.testing.assert_allclose(got, np.asarray(values), atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", MODELS)
def test_serving_signature_and_assets(trained, name):
    version = trained[0][name]["version"]
    spec = trained[0][name]["spec"]
    signature = tf.saved_model.load(version).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    assert set(specs) == set(spec.input_names)
    dtypes = {"string": tf.string, "int64": tf.int64, "float32": tf.float32}
    for feature in spec.raw_features:
        assert specs[feature.name].dtype == dtypes[feature.dtype]
        # Histories: a padded [batch, width] tensor of any width.
        rank = 2 if feature.kind == "sequence" else 1
        assert specs[feature.name].shape.as_list() == [None] * rank
    model = trained[0][name]["model"]
    names = model.task_names if model.task == "multitask" else [model.output_name]
    assert sorted(signature.structured_outputs) == sorted(names)
    with open(os.path.join(version, "assets.extra", "example_request.json")) as f:
        request = json.load(f)
    assert request["signature_name"] == "serving_default"
    assert {k: len(v) for k, v in request["inputs"].items()} == {n: 8 for n in spec.input_names}
    assert os.path.getsize(os.path.join(version, "assets.extra", "tf_serving_warmup_requests")) > 0
