import itertools

import keras
import numpy as np

from tfrank.layers import FMInteraction


def test_hand_checked_value():
    v = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], dtype="float32")
    # <v1,v2> + <v1,v3> + <v2,v3> = 11 + 17 + 39
    np.testing.assert_allclose(keras.ops.convert_to_numpy(FMInteraction()(v)), [[67.0]])


def test_matches_pairwise_sum_reference():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(5, 7, 4)).astype("float32")
    pairwise = np.zeros((5, 4))
    for i, j in itertools.combinations(range(7), 2):
        pairwise += v[:, i] * v[:, j]
    out = keras.ops.convert_to_numpy(FMInteraction()(v))
    np.testing.assert_allclose(out, pairwise.sum(-1, keepdims=True), rtol=1e-5, atol=1e-5)
    vec = keras.ops.convert_to_numpy(FMInteraction(keepdims=True)(v))
    np.testing.assert_allclose(vec, pairwise, rtol=1e-5, atol=1e-5)


def test_config_round_trip():
    layer = FMInteraction(keepdims=True)
    assert FMInteraction.from_config(layer.get_config()).keepdims
