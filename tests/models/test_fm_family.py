"""The FM family (FM, DeepFM, NFM, AFM): crossed features only on request, NFM's depth."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfrank.models import AFM, FM, NFM, DeepFM

FM_FAMILY = [(FM, {}), (DeepFM, {"hidden_units": [4]}), (NFM, {}), (AFM, {"attention_units": 2})]


def _batch(spec, frame, rows=16):
    return {k: tf.constant(v[:rows]) for k, v in spec.frame_to_arrays(frame).items()}


def _logit(model, inputs):
    p = model(inputs).numpy()[:, 0].astype("float64")
    return np.log(p / (1 - p))


@pytest.mark.parametrize("model_cls, config", FM_FAMILY, ids=lambda c: getattr(c, "__name__", ""))
def test_crossed_features_join_the_first_order_only_with_use_crossed(
    model_cls, config, tiny_spec, tiny_frame
):
    categorical_rows = sum(f.vocabulary_size for f in tiny_spec.categorical)
    (cross,) = tiny_spec.crossed
    plain = model_cls(tiny_spec, **config)
    assert plain.use_crossed is False
    assert plain.get_layer("linear").id_weights.shape == (categorical_rows, 1)

    wide = model_cls(tiny_spec, use_crossed=True, **config)
    table = wide.get_layer("linear").id_weights
    assert table.shape == (categorical_rows + cross.vocabulary_size, 1)
    for layer in plain.layers:
        if layer.weights and layer.name != "linear":
            wide.get_layer(layer.name).set_weights(layer.get_weights())
    cross_weights = np.random.default_rng(0).normal(size=(cross.vocabulary_size, 1))
    table.assign(np.concatenate([np.zeros((categorical_rows, 1)), cross_weights]))
    # Everything else equal, the logits differ by exactly w_cross[id].
    inputs = _batch(tiny_spec, tiny_frame)
    ids = plain.get_layer("features")(inputs)["ids"][cross.name].numpy()
    np.testing.assert_allclose(
        _logit(wide, inputs) - _logit(plain, inputs), cross_weights[ids, 0], atol=1e-3
    )
    assert model_cls.from_config(wide.get_config()).use_crossed is True


def test_nfm_defaults_to_one_hidden_layer_as_wide_as_the_embeddings(tiny_spec, tiny_frame):
    model = NFM(tiny_spec)
    assert model.hidden_units == [4]
    assert model.get_layer("mlp")._stack[0].kernel.shape == (4, 4)
    assert model.get_layer("deep_logit").kernel.shape == (4, 1)
    assert NFM(tiny_spec, hidden_units=[8, 2]).get_layer("deep_logit").kernel.shape == (2, 1)


def test_nfm_0_projects_the_pooled_vector_straight_to_the_logit(tiny_spec, tiny_frame):
    keras.utils.set_random_seed(0)
    model = NFM(tiny_spec, hidden_units=[], batch_norm=False)
    assert model.hidden_units == [] and "mlp" not in [layer.name for layer in model.layers]
    inputs = _batch(tiny_spec, tiny_frame)
    model.get_layer("linear").bias.assign([0.3])
    v = model.embed_fields(inputs).numpy().astype("float64")  # [batch, fields, k]
    pooled = 0.5 * (v.sum(1) ** 2 - (v**2).sum(1))  # sum_{i<j} v_i ⊙ v_j
    h, c = model.get_layer("deep_logit").get_weights()
    expected = 0.3 + pooled @ h[:, 0] + c[0]  # the first-order weights start at zero
    np.testing.assert_allclose(_logit(model, inputs), expected, rtol=1e-3, atol=1e-3)
