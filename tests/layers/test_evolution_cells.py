"""AUGRU, AGRU and AIGRU: one step of each cell against NumPy (DIEN, section 4.3)."""

import keras
import numpy as np
import pytest

from tfrank.layers import AGRUCell, AIGRUCell, AUGRUCell

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 3)).astype("float32")  # batch 2, input width 3
H = RNG.normal(size=(2, 2)).astype("float32")  # previous state, 2 units
A = np.array([[0.3], [0.9]], "float32")  # attention score per row


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _step(cell):
    """One step, with random weights set (biases too), and those weights."""
    cell.build((None, X.shape[1] + 1))
    weights = [RNG.normal(size=w.shape).astype("float32") for w in cell.weights]
    cell.set_weights(weights)
    out, states = cell(np.concatenate([X, A], -1), [H])
    out = keras.ops.convert_to_numpy(out)
    np.testing.assert_array_equal(out, keras.ops.convert_to_numpy(states[0]))
    return out, weights


def _gru_parts(x, h, kernel, recurrent, bias):
    """`[x W + b]` and `[h U]` split into their gates, in column order."""
    n = h.shape[1]
    xs = [x @ kernel[:, i * n : (i + 1) * n] + bias[i * n : (i + 1) * n]
          for i in range(kernel.shape[1] // n)]  # fmt: skip
    hs = [h @ recurrent[:, i * n : (i + 1) * n] for i in range(kernel.shape[1] // n)]
    return xs, hs


def test_augru_step_scales_the_update_gate():
    out, (kernel, recurrent, bias) = _step(AUGRUCell(2))
    (xu, xr, xh), (hu, hr, hh) = _gru_parts(X, H, kernel, recurrent, bias)
    u = A * _sigmoid(xu + hu)  # u'_t = a_t u_t
    candidate = np.tanh(xh + _sigmoid(xr + hr) * hh)
    np.testing.assert_allclose(out, (1 - u) * H + u * candidate, rtol=1e-5, atol=1e-6)


def test_agru_step_uses_the_score_as_update_gate():
    cell = AGRUCell(2)
    out, (kernel, recurrent, bias) = _step(cell)
    assert kernel.shape == (3, 4) and bias.shape == (4,)  # no update gate
    (xr, xh), (hr, hh) = _gru_parts(X, H, kernel, recurrent, bias)
    candidate = np.tanh(xh + _sigmoid(xr + hr) * hh)
    np.testing.assert_allclose(out, (1 - A) * H + A * candidate, rtol=1e-5, atol=1e-6)


def test_aigru_step_is_a_gru_over_the_scaled_input():
    out, (kernel, recurrent, bias) = _step(AIGRUCell(2))
    (xu, xr, xh), (hu, hr, hh) = _gru_parts(A * X, H, kernel, recurrent, bias)  # i'_t = a_t i_t
    u = _sigmoid(xu + hu)
    candidate = np.tanh(xh + _sigmoid(xr + hr) * hh)
    np.testing.assert_allclose(out, (1 - u) * H + u * candidate, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell_class", [AGRUCell, AIGRUCell])
def test_variants_run_in_an_rnn_and_round_trip(cell_class):
    rnn = keras.layers.RNN(cell_class(2, recurrent_initializer="glorot_uniform"))
    steps = RNG.normal(size=(2, 4, 4)).astype("float32")
    steps[..., -1] = RNG.uniform(size=(2, 4))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = keras.ops.convert_to_numpy(rnn(steps, mask=mask))
    clone = keras.layers.RNN.from_config(rnn.get_config())
    clone.build(steps.shape)
    clone.set_weights(rnn.get_weights())
    assert type(clone.cell) is cell_class
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(steps, mask=mask)), out)
    # Masked steps carry the state: row 0 is its state after two steps.
    two = keras.ops.convert_to_numpy(rnn(steps[:, :2]))
    np.testing.assert_allclose(out[0], two[0], rtol=1e-6)
