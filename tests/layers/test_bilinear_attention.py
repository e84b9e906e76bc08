"""BilinearAttention (DIEN eq. 6) against NumPy."""

import keras
import numpy as np

from tfrank.layers import BilinearAttention

RNG = np.random.default_rng(5)
KEYS = RNG.normal(size=(3, 4, 2)).astype("float32")  # batch 3, 4 states of width 2
QUERY = RNG.normal(size=(3, 3)).astype("float32")  # candidate of width 3
MASK = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], bool)  # last row: empty


def _np(x):
    return keras.ops.convert_to_numpy(x)


def test_weights_are_a_masked_softmax_of_h_w_e():
    layer = BilinearAttention()
    pooled, weights = layer(QUERY, KEYS, mask=MASK, return_weights=True)
    kernel = _np(layer.kernel)
    assert kernel.shape == (2, 3)  # n_H x n_A
    scores = np.einsum("bth,ha,ba->bt", KEYS, kernel, QUERY)  # h_t W e_a
    want = np.where(MASK, np.exp(scores), 0.0)
    want = want / np.maximum(want.sum(-1, keepdims=True), 1e-30)
    np.testing.assert_allclose(_np(weights), want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(_np(pooled), (want[..., None] * KEYS).sum(1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(weights).sum(-1), [1.0, 1.0, 0.0], rtol=1e-6)


def test_hand_example_and_padding_never_matters():
    layer = BilinearAttention(kernel_initializer="identity")
    query = np.array([[1.0, 2.0]], "float32")
    keys = np.array([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]], "float32")  # scores 1, 2, padding
    mask = np.array([[True, True, False]])
    weights = _np(layer(query, keys, mask=mask, return_weights=True)[1])
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(weights[0], [e[0] / e.sum(), e[1] / e.sum(), 0.0], rtol=1e-6)
    junk = keys.copy()
    junk[0, 2] = 1e4  # would overflow exp if padding were scored
    np.testing.assert_allclose(_np(layer(query, junk, mask=mask, return_weights=True)[1]), weights)
    without_mask = _np(layer(query, keys[:, :2], return_weights=True)[1])
    np.testing.assert_allclose(without_mask[0], weights[0, :2], rtol=1e-6)


def test_config_round_trip_and_gradients_without_nans_on_empty_histories():
    layer = BilinearAttention()
    layer(QUERY, KEYS, mask=MASK)
    clone = BilinearAttention.from_config(layer.get_config())
    clone.build(QUERY.shape, KEYS.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        _np(clone(QUERY, KEYS, mask=MASK)), _np(layer(QUERY, KEYS, mask=MASK))
    )
    import tensorflow as tf

    keys = tf.constant(KEYS)
    with tf.GradientTape() as tape:
        tape.watch(keys)
        total = tf.reduce_sum(layer(QUERY, keys, mask=MASK))
    gradient = tape.gradient(total, [keys, *layer.trainable_variables])
    assert all(np.isfinite(g.numpy()).all() for g in gradient)
