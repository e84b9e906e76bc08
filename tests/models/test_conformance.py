"""Every registered model: fits, reloads from .keras, serves from TensorFlow alone.

A model joins this test by registering (`tfrank.registration.register_model`);
the models are trained and exported once, in `conftest.py`; the checks are
the public ones of `tfrank.testing`. The export is compared with Keras on
rows of values training never saw, and sent malformed requests, all in one
process that runs on TensorFlow alone.
"""

import json
import os

import numpy as np
import pytest

from tfrank.models import list_models
from tfrank.testing import check_round_trip, check_serving, check_training
from tfrank.testing.conformance import malformed_requests, serving_requests

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
def test_the_compared_and_malformed_requests_cover_every_input(trained, name):
    # What check_serving compares and rejects, so that no spec change can
    # quietly shrink it back to in-vocabulary rows.
    run = trained[0][name]
    spec, rows = run.spec, serving_requests(run.spec, run.example)["rows"]
    assert [f for f in spec.categorical if f.num_ids], "no num_ids feature"
    for f in spec.categorical:
        values = rows[f.name]
        if f.num_ids:
            inside = (values >= 0) & (values < f.num_ids)
            assert inside.any() and not inside.all(), f.name
        elif f.vocabulary:
            assert not set(values) <= set(f.vocabulary), f.name
    for f in spec.numeric:
        assert np.isnan(rows[f.name]).any(), f.name
    for f in spec.sequence:
        if f.length_from is None and f.shares:
            lengths = (rows[f.name] != f.pad).sum(axis=1)
            assert lengths.min() == 0 and lengths.max() > f.max_length, f.name
    assert len(rows[spec.input_names[0]]) == 2 * len(run.example[spec.input_names[0]])
    faults = [case.split(" ", 1) for case in malformed_requests(spec, run.example)]
    for f in spec.raw_features:
        kinds = {fault for feature, fault in faults if feature == f.name}
        assert {"missing", "of batch size 1"} <= kinds and len(kinds) >= 5, (f.name, kinds)
    assert ["unknown", "input"] in faults


@pytest.mark.parametrize("name", MODELS)
def test_serving_assets(trained, name):
    run = trained[0][name]
    with open(run.request) as f:
        request = json.load(f)
    assert request["signature_name"] == "serving_default"
    assert {k: len(v) for k, v in request["inputs"].items()} == {n: 8 for n in run.spec.input_names}
    warmup = os.path.join(run.version, "assets.extra", "tf_serving_warmup_requests")
    assert os.path.getsize(warmup) > 0
