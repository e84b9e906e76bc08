"""Model-specific behaviour: formulas, optimizer routing, input errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.data import small_config, tiny_feature_spec
from tfrank.data import make_dataset
from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature
from tfrank.models import (
    FM,
    DeepFM,
    LogisticRegression,
    RankingModel,
    WideAndDeep,
    get_model_class,
    list_models,
)
from tfrank.optimizers import CompositeOptimizer


def _batch(spec, frame, rows=16):
    return {k: tf.constant(v[:rows]) for k, v in spec.frame_to_arrays(frame).items()}


def test_fm_output_is_the_fm_formula(tiny_spec, tiny_frame):
    keras.utils.set_random_seed(3)
    model = FM(tiny_spec)
    inputs = _batch(tiny_spec, tiny_frame)
    transformed = model.get_layer("features")(inputs)
    ids, numeric = transformed["ids"], transformed["numeric"].numpy()
    table = model.get_layer("embeddings").weights[0].numpy()
    numeric_v = model.get_layer("numeric_embeddings").embeddings.numpy()
    linear = model.get_layer("linear")(ids, transformed["numeric"]).numpy()[:, 0]
    offsets = model.get_layer("embeddings").offsets([f.name for f in tiny_spec.categorical])
    rows = np.stack([ids[f.name].numpy() for f in tiny_spec.categorical], 1) + offsets
    v = np.concatenate([table[rows], numeric[:, :, None] * numeric_v[None]], axis=1)
    n = v.shape[1]
    pairs = sum(np.sum(v[:, i] * v[:, j], -1) for i in range(n) for j in range(i + 1, n))
    expected = 1 / (1 + np.exp(-(linear + pairs)))
    np.testing.assert_allclose(model(inputs).numpy()[:, 0], expected, rtol=1e-5)


def test_deepfm_shares_one_embedding_table_between_fm_and_mlp(tiny_spec):
    model = DeepFM(tiny_spec, hidden_units=[8])
    tables = [v for v in model.trainable_variables if v.path.startswith("embeddings/")]
    assert len(tables) == 1
    sizes = [f.vocabulary_size for f in tiny_spec.categorical]
    assert tables[0].shape == (sum(sizes), 4)
    # The MLP reads every field's embedding: fields x width inputs.
    assert model.get_layer("mlp")._stack[0].kernel.shape[0] == 5 * 4


def test_wide_and_deep_trains_wide_with_ftrl_and_deep_with_adagrad(tiny_spec):
    model = WideAndDeep(tiny_spec, hidden_units=[8])
    model.compile()
    optimizer = model.optimizer
    assert isinstance(optimizer, CompositeOptimizer)
    assert isinstance(optimizer.routes["wide/"], keras.optimizers.Ftrl)
    assert optimizer.routes["wide/"].l1_regularization_strength > 0
    assert isinstance(optimizer.default, keras.optimizers.Adagrad)
    wide = {v.path for v in model.trainable_variables if v.path.startswith("wide/")}
    assert wide == {"wide/weights/table_1", "wide/numeric_kernel", "wide/bias"}


def test_wide_and_deep_allows_mixed_embedding_widths(tiny_frame):
    spec = FeatureSpec(
        [
            CategoricalFeature("site", embedding_dim=3),
            CategoricalFeature("app", embedding_dim=5),
            NumericFeature("age"),
        ]
    ).fit(tiny_frame)
    model = WideAndDeep(spec, hidden_units=[4])
    assert model.get_layer("mlp")._stack[0].kernel.shape[0] == 3 + 5 + 1
    with pytest.raises(ValueError, match="same embedding_dim"):
        DeepFM(spec)


@pytest.mark.parametrize("model_cls", [LogisticRegression, DeepFM])
def test_bad_inputs_raise_errors_that_name_the_feature(model_cls, tiny_spec, tiny_frame):
    model = model_cls(tiny_spec)
    good = _batch(tiny_spec, tiny_frame, rows=4)
    missing = {k: v for k, v in good.items() if k != "price"}
    # Keras' own input check runs first on direct calls; both name the feature.
    with pytest.raises(
        ValueError, match=r"Missing (feature\(s\) \['price'\]|data for input \"price\")"
    ):
        model(missing)
    with pytest.raises(
        ValueError, match=r"Missing (feature\(s\) \['price'\]|data for input \"price\")"
    ):
        model.predict(missing, verbose=0)
    with pytest.raises(ValueError, match="Feature 'hour' must be int64; received float"):
        model({**good, "hour": tf.constant([1.5, 2.0, 3.0, 4.0])})
    with pytest.raises(ValueError, match="Feature 'site' must be string; received int"):
        model({**good, "site": tf.constant([1, 2, 3, 4])})
    with pytest.raises(ValueError, match=r"Unexpected feature\(s\) \['colour'\]"):
        model({**good, "colour": tf.constant(["red"] * 4)})
    bad = tiny_frame.head(4).astype({"hour": float})
    bad.loc[1, "hour"] = 2.5
    with pytest.raises(ValueError, match="'hour' expects int64"):
        make_dataset(bad, tiny_spec)


def test_unseen_values_and_missing_numerics_score_normally(tiny_spec, tiny_frame):
    model = DeepFM(tiny_spec, hidden_units=[4])
    inputs = _batch(tiny_spec, tiny_frame, rows=2)
    inputs["site"] = tf.constant(["never-seen", ""])
    inputs["hour"] = tf.constant([999, -5], dtype=tf.int64)
    inputs["price"] = tf.constant([np.nan, np.nan], dtype=tf.float32)
    scores = model(inputs).numpy()
    assert np.all(np.isfinite(scores)) and np.all((scores > 0) & (scores < 1))


# The models of the CTR family itself (not of the families built on it).
CTR_MODELS = [n for n in list_models() if get_model_class(n).family_base() is RankingModel]


@pytest.mark.parametrize("kinds", [("categorical",), ("numeric",)])
@pytest.mark.parametrize("name", CTR_MODELS)
def test_every_model_builds_from_one_kind_of_feature(name, kinds, tiny_frame):
    full = tiny_feature_spec()
    spec = FeatureSpec([f for f in full.features if f.kind in kinds]).fit(tiny_frame)
    model = get_model_class(name)(spec, **small_config(name))
    model.compile()
    model.fit(make_dataset(tiny_frame, spec, batch_size=128), epochs=1, verbose=0)
    scores = model.predict(make_dataset(tiny_frame, spec, label=None), verbose=0)
    assert scores.shape == (len(tiny_frame), 1) and np.all(np.isfinite(scores))
