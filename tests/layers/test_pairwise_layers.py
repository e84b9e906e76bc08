import itertools

import keras
import keras_rs
import numpy as np

from tfrank.layers import AFMInteraction, BiInteractionPooling, DotInteraction, ProductLayer
from tfrank.layers.interaction import field_pairs

RNG = np.random.default_rng(1)
V = RNG.normal(size=(3, 4, 2)).astype("float32")  # batch 3, 4 fields, k = 2
PAIRS = list(itertools.combinations(range(4), 2))


def _np(x):
    return keras.ops.convert_to_numpy(x)


def test_field_pairs_order():
    rows, cols = field_pairs(4)
    assert list(zip(rows, cols)) == PAIRS
    assert len(field_pairs(4, self_interaction=True)[0]) == 10


def test_dot_interaction_hand_example_and_reference():
    v = np.array([[[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]], dtype="float32")
    np.testing.assert_allclose(_np(DotInteraction()(v)), [[2.0, 0.0, 3.0]])
    with_self = _np(DotInteraction(self_interaction=True)(v))
    np.testing.assert_allclose(with_self, [[1.0, 2.0, 0.0, 5.0, 3.0, 9.0]])
    expected = np.stack([np.sum(V[:, i] * V[:, j], -1) for i, j in PAIRS], 1)
    np.testing.assert_allclose(_np(DotInteraction()(V)), expected, rtol=1e-5)


def test_dot_interaction_agrees_with_keras_rs():
    ours = _np(DotInteraction()(V))
    theirs = _np(keras_rs.layers.DotInteraction()([V[:, i] for i in range(4)]))
    np.testing.assert_allclose(np.sort(ours, 1), np.sort(theirs, 1), rtol=1e-5)


def test_bi_interaction_pooling_is_the_pairwise_sum():
    v = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], dtype="float32")
    np.testing.assert_allclose(_np(BiInteractionPooling()(v)), [[23.0, 44.0]])
    expected = sum(V[:, i] * V[:, j] for i, j in PAIRS)
    np.testing.assert_allclose(_np(BiInteractionPooling()(V)), expected, rtol=1e-5, atol=1e-5)
    assert BiInteractionPooling.from_config(BiInteractionPooling().get_config()).keepdims


def _set_product_weights(layer, product):
    layer(V)
    weights = {"linear_kernel": RNG.normal(size=(8, 5)), "bias": RNG.normal(size=(5,))}
    if product in ("inner", "both"):
        weights["inner_kernel"] = RNG.normal(size=(6, 5))
    if product in ("outer", "both"):
        weights["outer_kernel"] = RNG.normal(size=(4, 5))
    for name, value in weights.items():
        getattr(layer, name).assign(value)
    return weights


def test_product_layer_matches_numpy_for_each_product():
    inner = np.stack([np.sum(V[:, i] * V[:, j], -1) for i, j in PAIRS], 1)
    pooled = V.sum(1)
    outer = np.einsum("bi,bj->bij", pooled, pooled).reshape(3, 4)
    for product in ("inner", "outer", "both"):
        layer = ProductLayer(5, product=product)
        w = _set_product_weights(layer, product)
        expected = V.reshape(3, 8) @ w["linear_kernel"] + w["bias"]
        if product != "outer":
            expected = expected + inner @ w["inner_kernel"]
        if product != "inner":
            expected = expected + outer @ w["outer_kernel"]
        np.testing.assert_allclose(_np(layer(V)), expected, rtol=1e-4, atol=1e-4)


def test_kernel_product_matches_numpy_for_each_kernel_type():
    """KPNN: p_ij = f_i^T W_ij f_j with W_ij a matrix, a diagonal or a scalar."""
    shapes = {"mat": (6, 2, 2), "vec": (6, 2), "num": (6,)}
    for kernel_type, shape in shapes.items():
        layer = ProductLayer(5, product="kernel", kernel_type=kernel_type)
        layer(V)
        w = _set_product_weights(layer, "kernel")
        pair = RNG.normal(size=shape)
        p = RNG.normal(size=(6, 5))
        layer.pair_kernel.assign(pair)
        layer.kernel_product_kernel.assign(p)
        if kernel_type == "mat":
            kernels = pair
        elif kernel_type == "vec":
            kernels = np.stack([np.diag(d) for d in pair])
        else:
            kernels = pair[:, None, None] * np.eye(2)
        products = np.stack(
            [
                np.einsum("bk,kl,bl->b", V[:, i], kernels[n], V[:, j])
                for n, (i, j) in enumerate(PAIRS)
            ],
            1,
        )
        expected = V.reshape(3, 8) @ w["linear_kernel"] + w["bias"] + products @ p
        np.testing.assert_allclose(_np(layer(V)), expected, rtol=1e-4, atol=1e-4)
    assert ProductLayer.from_config(layer.get_config()).kernel_type == "num"


def test_kernel_product_hand_example():
    v = np.array([[[1.0, 2.0], [3.0, 4.0]]], dtype="float32")
    layer = ProductLayer(1, product="kernel", kernel_initializer="zeros")
    layer(v)
    layer.pair_kernel.assign([[[0.0, 1.0], [2.0, 0.0]]])  # f_1^T W f_2 = 1*4 + 2*2*3 = 16
    layer.kernel_product_kernel.assign([[1.0]])
    np.testing.assert_allclose(_np(layer(v)), [[16.0]])


def test_afm_matches_numpy_and_exposes_pair_weights():
    layer = AFMInteraction(attention_units=3)
    layer(V)
    w, b = RNG.normal(size=(2, 3)), RNG.normal(size=(3,))
    h, p = RNG.normal(size=(3, 1)), RNG.normal(size=(2, 1))
    for name, value in dict(
        attention_kernel=w, attention_bias=b, attention_vector=h, projection=p
    ).items():
        getattr(layer, name).assign(value)
    e = np.stack([V[:, i] * V[:, j] for i, j in PAIRS], 1)  # [3, 6, 2]
    scores = (np.maximum(e @ w + b, 0) @ h)[..., 0]
    a = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    expected = (a[..., None] * e).sum(1) @ p
    np.testing.assert_allclose(_np(layer(V)), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(layer.attention(V)), a, rtol=1e-5, atol=1e-6)
