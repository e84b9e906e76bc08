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


def _softmax(logits):
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_hand_checked_dcn_mix_expert():
    # One example, d = 2, r = 1, two experts; linear g so it can be done by hand.
    layer = CrossLayer(projection_dim=1, num_experts=2, expert_activation="linear")
    x0 = np.array([[1.0, 2.0]], dtype="float32")
    layer(x0)
    _set(
        layer,
        u_kernel=[[[1.0], [1.0]], [[1.0], [0.0]]],  # V_i^T x: 3 and 1
        c_kernel=[[[2.0]], [[-1.0]]],  # C_i: 6 and -1
        v_kernel=[[[1.0, 0.0]], [[0.0, 1.0]]],  # U_i: (6, 0) and (0, -1)
        gate_kernel=[[0.0, 0.0], [0.0, 0.0]],  # equal gates, 1/2 each
        bias=[1.0, 1.0],  # b_l, shared by both experts
    )
    # E_1 = x0 * ((6, 0) + 1) = (7, 2); E_2 = x0 * ((0, -1) + 1) = (1, 0)
    # x1 = (E_1 + E_2) / 2 + x0 = (4, 1) + (1, 2)
    np.testing.assert_allclose(_np(layer(x0)), [[5.0, 3.0]], rtol=1e-6)


def test_dcn_mix_experts_match_the_paper_equation():
    """E_i = x0 ⊙ (U_i g(C_i g(V_i^T x)) + b_l), one bias for all experts, g = tanh."""
    layer = CrossLayer(projection_dim=2, num_experts=3)
    layer(X0, X1)
    assert layer.expert_form == "dcn_mix" and layer.bias.shape == (5,)
    down = RNG.normal(size=(3, 5, 2))  # V_i
    c = RNG.normal(size=(3, 2, 2))  # C_i^T
    up = RNG.normal(size=(3, 2, 5))  # U_i^T
    b, g = RNG.normal(size=(5,)), RNG.normal(size=(5, 3))
    _set(layer, u_kernel=down, c_kernel=c, v_kernel=up, bias=b, gate_kernel=g)
    gates = _softmax(X1 @ g)
    experts = np.stack(
        [X0 * (np.tanh(np.tanh(X1 @ down[e]) @ c[e]) @ up[e] + b) for e in range(3)], 1
    )
    expected = np.einsum("be,bed->bd", gates, experts) + X1
    np.testing.assert_allclose(_np(layer(X0, X1)), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(layer.gates(X1)).sum(axis=1), np.ones(4), rtol=1e-6)


def test_low_rank_experts_keep_the_earlier_form():
    """E_i = x0 ⊙ (U_i g(V_i^T x) + b_i): no C_i, g once, a bias per expert."""
    layer = CrossLayer(projection_dim=2, num_experts=3, expert_form="low_rank")
    layer(X0, X1)
    assert not hasattr(layer, "c_kernel") and layer.bias.shape == (3, 5)
    assert layer.expert_activation is keras.activations.linear
    with_g = CrossLayer(
        projection_dim=2, num_experts=3, expert_form="low_rank", expert_activation="tanh"
    )
    with_g(X0, X1)
    u, v = RNG.normal(size=(3, 5, 2)), RNG.normal(size=(3, 2, 5))
    b, g = RNG.normal(size=(3, 5)), RNG.normal(size=(5, 3))
    _set(with_g, u_kernel=u, v_kernel=v, bias=b, gate_kernel=g)
    experts = np.stack([X0 * (np.tanh(X1 @ u[e]) @ v[e] + b[e]) for e in range(3)], 1)
    expected = np.einsum("be,bed->bd", _softmax(X1 @ g), experts) + X1
    np.testing.assert_allclose(_np(with_g(X0, X1)), expected, rtol=1e-5, atol=1e-5)


def test_expert_activation_defaults():
    assert CrossLayer(projection_dim=2, num_experts=2).expert_activation is keras.activations.tanh
    assert CrossLayer(projection_dim=2).expert_activation is keras.activations.linear
    relu = CrossLayer(projection_dim=2, num_experts=2, expert_activation="relu")
    assert relu.expert_activation is keras.activations.relu


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        CrossLayer(kind="v3")
    with pytest.raises(ValueError, match="needs projection_dim"):
        CrossLayer(num_experts=2)
    with pytest.raises(ValueError, match="apply to kind='v2' only"):
        CrossLayer(kind="v1", projection_dim=4)
    with pytest.raises(ValueError, match="expert_form must be one of"):
        CrossLayer(projection_dim=2, num_experts=2, expert_form="paper")


def test_config_and_keras_file_round_trip(tmp_path):
    inputs = keras.Input((5,))
    x = CrossLayer(projection_dim=2, num_experts=2)(inputs)
    x = CrossLayer(projection_dim=2, num_experts=2, expert_form="low_rank")(inputs, x)
    model = keras.Model(inputs, CrossLayer(kind="v1")(inputs, x))
    path = str(tmp_path / "cross.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(model.predict(X0, verbose=0), reloaded.predict(X0, verbose=0))
    config = model.layers[1].get_config()
    assert config["expert_form"] == "dcn_mix" and config["expert_activation"] == "tanh"
    assert CrossLayer.from_config(model.layers[2].get_config()).expert_form == "low_rank"
