import keras
import keras_rs
import numpy as np
import pytest

from tfrank.layers import CrossLayer

RNG = np.random.default_rng(0)
X0 = RNG.normal(size=(4, 5)).astype("float32")
X1 = RNG.normal(size=(4, 5)).astype("float32")


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _set(layer, **weights):
    for name, value in weights.items():
        getattr(layer, name).assign(value)


def test_hand_checked_v1():
    layer = CrossLayer(kind="v1")
    x0 = np.array([[1.0, 2.0]], dtype="float32")
    layer(x0)
    _set(layer, kernel=[[0.5], [1.0]], bias=[0.1, -0.1])
    # x0 * (x . w) + b + x = [1, 2] * 2.5 + [0.1, -0.1] + [1, 2]
    np.testing.assert_allclose(_np(layer(x0)), [[3.6, 6.9]], rtol=1e-6)


def test_v1_matches_numpy():
    layer = CrossLayer(kind="v1")
    layer(X0, X1)
    w, b = RNG.normal(size=(5, 1)), RNG.normal(size=(5,))
    _set(layer, kernel=w, bias=b)
    np.testing.assert_allclose(_np(layer(X0, X1)), X0 * (X1 @ w) + b + X1, rtol=1e-5, atol=1e-5)


def test_full_rank_matches_numpy_and_keras_rs_feature_cross():
    layer = CrossLayer()
    layer(X0, X1)
    w, b = RNG.normal(size=(5, 5)), RNG.normal(size=(5,))
    _set(layer, kernel=w, bias=b)
    expected = X0 * (X1 @ w + b) + X1
    np.testing.assert_allclose(_np(layer(X0, X1)), expected, rtol=1e-5, atol=1e-5)
    oracle = keras_rs.layers.FeatureCross()
    oracle(X0, X1)
    oracle.set_weights([w, b])
    np.testing.assert_allclose(_np(oracle(X0, X1)), _np(layer(X0, X1)), rtol=1e-5, atol=1e-5)


def test_low_rank_matches_numpy_and_keras_rs_feature_cross():
    layer = CrossLayer(projection_dim=2)
    layer(X0, X1)
    u, v, b = RNG.normal(size=(5, 2)), RNG.normal(size=(2, 5)), RNG.normal(size=(5,))
    _set(layer, u_kernel=u[None], v_kernel=v[None], bias=b)
    expected = X0 * (X1 @ u @ v + b) + X1
    np.testing.assert_allclose(_np(layer(X0, X1)), expected, rtol=1e-5, atol=1e-5)
    oracle = keras_rs.layers.FeatureCross(projection_dim=2)
    oracle(X0, X1)
    oracle.set_weights([u, v, b])
    np.testing.assert_allclose(_np(oracle(X0, X1)), _np(layer(X0, X1)), rtol=1e-5, atol=1e-5)


def test_mixture_of_experts_matches_numpy_and_gates_sum_to_one():
    layer = CrossLayer(projection_dim=2, num_experts=3, expert_activation="tanh")
    layer(X0, X1)
    u = RNG.normal(size=(3, 5, 2))
    v = RNG.normal(size=(3, 2, 5))
    b = RNG.normal(size=(3, 5))
    g = RNG.normal(size=(5, 3))
    _set(layer, u_kernel=u, v_kernel=v, bias=b, gate_kernel=g)
    logits = X1 @ g
    gates = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    experts = np.stack([X0 * (np.tanh(X1 @ u[e]) @ v[e] + b[e]) for e in range(3)], 1)
    expected = np.einsum("be,bed->bd", gates, experts) + X1
    np.testing.assert_allclose(_np(layer(X0, X1)), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(layer.gates(X1)).sum(axis=1), np.ones(4), rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        CrossLayer(kind="v3")
    with pytest.raises(ValueError, match="needs projection_dim"):
        CrossLayer(num_experts=2)
    with pytest.raises(ValueError, match="apply to kind='v2' only"):
        CrossLayer(kind="v1", projection_dim=4)


def test_config_and_keras_file_round_trip(tmp_path):
    inputs = keras.Input((5,))
    x = CrossLayer(projection_dim=2, num_experts=2)(inputs)
    model = keras.Model(inputs, CrossLayer(kind="v1")(inputs, x))
    path = str(tmp_path / "cross.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(model.predict(X0, verbose=0), reloaded.predict(X0, verbose=0))
