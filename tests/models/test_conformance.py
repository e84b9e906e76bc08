"""Every registered model: fits, reloads from .keras, serves from TensorFlow alone.

A model joins this test by registering (`tfrank.registration.register_model`);
the models are trained and exported once, in `conftest.py`; the checks are
the public ones of `tfrank.testing`.
"""

import json
import os

import pytest

from tfrank.models import list_models
from tfrank.testing import check_round_trip, check_serving, check_training

MODELS = list_models()


@pytest.mark.parametrize("name", MODELS)
def test_fit_steps_train_the_model(trained, name):
    check_training(trained[0][name])


@pytest.mark.parametrize("name", MODELS)
def test_keras_file_round_trip(trained, name):
    check_round_trip(trained[0][name])


@pytest.mark.parametrize("name", MODELS)
def test_saved_model_serves_raw_features_without_tfrank(trained, name):
    runs, served = trained
    check_serving(runs[name], served)


@pytest.mark.parametrize("name", MODELS)
def test_serving_assets(trained, name):
    run = trained[0][name]
    with open(run.request) as f:
        request = json.load(f)
    assert request["signature_name"] == "serving_default"
    assert {k: len(v) for k, v in request["inputs"].items()} == {n: 8 for n in run.spec.input_names}
    warmup = os.path.join(run.version, "assets.extra", "tf_serving_warmup_requests")
    assert os.path.getsize(warmup) > 0
