"""`tfrank.testing.check_model`: the conformance check, on models of a user's own."""

import keras
import pytest

from tfrank.models import RankingModel
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    linear_logit,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.testing import check_model


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


def test_a_user_model_on_the_family_s_synthetic_data_passes(tmp_path):
    run = check_model(FieldSum, data="synthetic:400", workdir=str(tmp_path))
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert type(run.reloaded) is FieldSum
    assert (tmp_path / "model.keras").is_file() and (tmp_path / "serving" / "1").is_dir()


def test_a_model_with_a_weight_that_never_trains_fails(tmp_path):
    with pytest.raises(AssertionError, match="trainable weights that never changed.*unused"):
        check_model(WithAnUnusedWeight, data="synthetic:400", workdir=str(tmp_path))
