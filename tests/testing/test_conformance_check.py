"""`tfrank.testing.check_model`: the conformance check, on models of a user's own."""

import dataclasses
import os

import keras
import pytest

from tfrank.export import serving_export
from tfrank.models import RankingModel
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.testing import check_model, check_serving


@keras.saving.register_keras_serializable(package="user_models")
class FieldSum(RankingModel):
    """A user's model: first order plus a learned weighting of summed field embeddings."""

    def __init__(self, feature_spec, **kwargs):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        fields = keras.ops.sum(field_embeddings(spec, transformed), axis=1)
        logit = linear_logit(spec, transformed) + keras.layers.Dense(1, name="head")(fields)
        super().__init__(inputs, probability(logit), spec, **kwargs)


@keras.saving.register_keras_serializable(package="user_models")
class WithAnUnusedWeight(FieldSum):
    """Broken on purpose: a trainable weight the output never reads."""

    def __init__(self, feature_spec, **kwargs):
        super().__init__(feature_spec, **kwargs)
        self.unused = self.add_weight(shape=(3,), name="unused")


@pytest.fixture(scope="module")
def passed(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("field_sum")
    return check_model(FieldSum, data="synthetic:400", workdir=str(workdir)), workdir


def test_a_user_model_on_the_family_s_synthetic_data_passes(passed):
    run, workdir = passed
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert type(run.reloaded) is FieldSum
    assert (workdir / "model.keras").is_file() and (workdir / "serving" / "1").is_dir()


def test_an_export_that_scores_malformed_requests_fails(passed, monkeypatch):
    # The export as it was before it checked shapes: FieldSum's graph rejects
    # a rank-2 input only by accident, with a message that names no input.
    run, workdir = passed
    monkeypatch.setattr(serving_export, "checked_request", lambda features, spec: features)
    serving = os.path.join(workdir, "serving")
    unchecked = dataclasses.replace(
        run, version=serving_export.export_for_serving(run.model, serving, run.example)
    )
    with pytest.raises(AssertionError, match=r"malformed request \(\w+ of (rank|batch size)"):
        check_serving(unchecked)


def test_a_model_with_a_weight_that_never_trains_fails(tmp_path):
    with pytest.raises(AssertionError, match="trainable weights that never changed.*unused"):
        check_model(WithAnUnusedWeight, data="synthetic:400", workdir=str(tmp_path))
