"""Dice, AttentionPooling, AUGRUCell and SequencePooling against NumPy."""

import keras
import numpy as np
import pytest

from tfrank.layers import AttentionPooling, AUGRUCell, Dice, SequencePooling

RNG = np.random.default_rng(3)
KEYS = RNG.normal(size=(3, 4, 2)).astype("float32")  # batch 3, 4 behaviours, dim 2
QUERY = RNG.normal(size=(3, 2)).astype("float32")
MASK = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], bool)  # last row: empty history


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_dice_uses_masked_batch_moments_in_training_and_moving_ones_after():
    layer = Dice(momentum=0.9, alpha_initializer=keras.initializers.Constant(0.25))
    got = _np(layer(KEYS, mask=MASK, training=True))
    real = KEYS[MASK]  # [4, 2]: the unmasked behaviours
    mean, var = real.mean(0), real.var(0)
    p = _sigmoid((KEYS - mean) / np.sqrt(var + 1e-8))
    np.testing.assert_allclose(got, p * KEYS + (1 - p) * 0.25 * KEYS, rtol=1e-5, atol=1e-6)
    moving_mean, moving_var = 0.1 * mean, 0.9 + 0.1 * var
    np.testing.assert_allclose(_np(layer.moving_mean), moving_mean, rtol=1e-5)
    np.testing.assert_allclose(_np(layer.moving_variance), moving_var, rtol=1e-5)
    p = _sigmoid((KEYS - moving_mean) / np.sqrt(moving_var + 1e-8))
    inference = _np(layer(KEYS, mask=MASK, training=False))
    np.testing.assert_allclose(inference, p * KEYS + (1 - p) * 0.25 * KEYS, rtol=1e-5, atol=1e-6)


def test_dice_hand_example():
    # Batch [-1, 1]: mean 0, variance 1, so p = sigmoid(+-1); alpha 0.
    got = _np(Dice()(np.array([[-1.0], [1.0]], "float32"), training=True))[:, 0]
    np.testing.assert_allclose(got, [-_sigmoid(-1.0), _sigmoid(1.0)], rtol=1e-5)


def _attention_reference(layer, query, keys, mask, normalize):
    x = np.concatenate(
        [keys, np.repeat(query[:, None], keys.shape[1], 1), keys * query[:, None],
         keys - query[:, None]], -1,
    )  # fmt: skip
    for dense in layer._dense:
        kernel, bias = (_np(w) for w in dense.weights)
        x = _sigmoid(x @ kernel + bias)
    kernel, bias = (_np(w) for w in layer._score.weights)
    scores = (x @ kernel + bias)[..., 0]
    if normalize:
        e = np.where(mask, np.exp(scores - scores.max(-1, keepdims=True)), 0.0)
        weights = e / np.maximum(e.sum(-1, keepdims=True), 1e-30)
    else:
        weights = scores * mask
    return (weights[..., None] * keys).sum(1), weights


@pytest.mark.parametrize("normalize", [False, True])
def test_attention_pooling_matches_numpy_and_ignores_padding(normalize):
    layer = AttentionPooling([5, 3], activation="sigmoid", normalize=normalize)
    pooled, weights = layer(QUERY, KEYS, mask=MASK, return_weights=True)
    want_pooled, want_weights = _attention_reference(layer, QUERY, KEYS, MASK, normalize)
    np.testing.assert_allclose(_np(weights), want_weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(pooled), want_pooled, rtol=1e-5, atol=1e-6)
    assert np.all(_np(weights)[~MASK] == 0.0)
    np.testing.assert_array_equal(_np(pooled)[2], [0.0, 0.0])  # empty history
    if normalize:
        np.testing.assert_allclose(_np(weights).sum(-1), [1.0, 1.0, 0.0], rtol=1e-6)
    junk = KEYS.copy()
    junk[~MASK] = 1e3  # whatever sits in padded slots changes nothing
    np.testing.assert_allclose(_np(layer(QUERY, junk, mask=MASK)), _np(pooled), rtol=1e-5)


@pytest.mark.parametrize("activation", ["dice", "prelu"])
def test_attention_pooling_with_learned_activations_round_trips(activation):
    layer = AttentionPooling([4], activation=activation)
    out = _np(layer(QUERY, KEYS, mask=MASK, training=True))
    clone = AttentionPooling.from_config(layer.get_config())
    clone.build(QUERY.shape, KEYS.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        _np(clone(QUERY, KEYS, mask=MASK)), _np(layer(QUERY, KEYS, mask=MASK))
    )
    assert out.shape == (3, 2) and np.all(out[2] == 0.0)


def _augru_reference(cell, x, scores, mask):
    kernel, recurrent, bias = (_np(w) for w in cell.weights)
    h = np.zeros((x.shape[0], cell.units), "float32")
    for t in range(x.shape[1]):
        xp, hp = x[:, t] @ kernel + bias, h @ recurrent
        xu, xr, xh = np.split(xp, 3, -1)
        hu, hr, hh = np.split(hp, 3, -1)
        u = _sigmoid(xu + hu) * scores[:, t : t + 1]
        r = _sigmoid(xr + hr)
        new = (1 - u) * h + u * np.tanh(xh + r * hh)
        h = np.where(mask[:, t : t + 1], new, h)
    return h


def _run_augru(cell, x, scores, mask):
    steps = np.concatenate([x, scores[..., None]], -1)
    return _np(keras.layers.RNN(cell)(steps, mask=mask))


def test_augru_matches_numpy_and_carries_state_over_masked_steps():
    cell = AUGRUCell(3)
    scores = RNG.uniform(size=(3, 4)).astype("float32")
    got = _run_augru(cell, KEYS, scores, MASK)
    np.testing.assert_allclose(
        got, _augru_reference(cell, KEYS, scores, MASK), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(got[2], 0.0)  # all steps masked: the initial state
    # A zero score leaves the state unchanged, whatever the behaviour.
    zero = scores.copy()
    zero[0, 2] = 0.0
    full = np.ones_like(MASK)
    upto2 = _augru_reference(cell, KEYS[:, :2], zero[:, :2], full[:, :2])
    upto3 = _augru_reference(cell, KEYS[:, :3], zero[:, :3], full[:, :3])
    np.testing.assert_allclose(upto3[0], upto2[0], rtol=1e-6)
    np.testing.assert_allclose(
        _run_augru(cell, KEYS[:, :3], zero[:, :3], full[:, :3]), upto3, rtol=1e-5, atol=1e-6
    )


def test_augru_with_unit_scores_is_keras_gru_with_reset_after():
    # Keras' gate z keeps the old state (h = z h + (1 - z) h~): z = 1 - u,
    # i.e. the update gate's weights negated; its recurrent bias is zero here.
    cell = AUGRUCell(3)
    ours = _run_augru(cell, KEYS, np.ones((3, 4), "float32"), MASK)
    flip = np.concatenate([-np.ones(3), np.ones(6)]).astype("float32")
    kernel, recurrent, bias = (_np(w) * flip for w in cell.weights)
    gru = keras.layers.GRU(3, reset_after=True)
    gru.build(KEYS.shape)
    gru.set_weights([kernel, recurrent, np.stack([bias, np.zeros_like(bias)])])
    np.testing.assert_allclose(_np(gru(KEYS, mask=MASK)), ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["mean", "sum", "max"])
def test_sequence_pooling_over_real_steps_only(mode):
    got = _np(SequencePooling(mode)(KEYS, mask=MASK))
    for row in range(3):
        real = KEYS[row][MASK[row]]
        if not len(real):
            np.testing.assert_array_equal(got[row], 0.0)
            continue
        want = {"mean": real.mean(0), "sum": real.sum(0), "max": real.max(0)}[mode]
        np.testing.assert_allclose(got[row], want, rtol=1e-6)


def test_auxiliary_loss_matches_numpy_skipping_padding_and_equal_negatives():
    from tfrank.layers import AuxiliaryInterestLoss

    layer = AuxiliaryInterestLoss([3], weight=0.5, negatives="in_batch")
    states = RNG.normal(size=(3, 4, 2)).astype("float32")
    behaviours = KEYS.copy()
    behaviours[1, 1] = behaviours[0, 1]  # row 0's negative at step 1 equals its positive
    mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0]], bool)
    layer(states, behaviours, mask, training=True)
    (d_kernel, d_bias), (s_kernel, s_bias) = [[_np(w) for w in d.weights] for d in
                                              (layer._dense[0], layer._score)]  # fmt: skip

    def logit(h, e):
        return (_sigmoid(np.concatenate([h, e]) @ d_kernel + d_bias) @ s_kernel + s_bias)[0]

    terms = []
    for b in range(3):
        for t in range(3):
            negative_row = (b - 1) % 3
            if not (mask[b, t] and mask[b, t + 1] and mask[negative_row, t + 1]):
                continue
            positive, negative = behaviours[b, t + 1], behaviours[negative_row, t + 1]
            if np.array_equal(positive, negative):
                continue
            terms.append(
                np.log1p(np.exp(-logit(states[b, t], positive)))
                + np.log1p(np.exp(logit(states[b, t], negative)))
            )
    assert len(terms) == 3  # (0, 0), (1, 1), (2, 0): the rest touch padding or (1, 0) equals
    np.testing.assert_allclose(float(layer.losses[0]), 0.5 * np.mean(terms), rtol=1e-5)
    out = layer(states, behaviours, mask, training=False)
    assert not layer.losses
    np.testing.assert_array_equal(_np(out), states)


def test_hard_search_keeps_the_latest_behaviours_of_the_candidates_category():
    from tfrank.layers import BehaviourSearch

    categories = np.array([[1, 2, 1, 1, 2, 1], [2, 2, 2, 2, 2, 2]])
    mask = np.array([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]], bool)  # step 5 of row 0: padding
    keys = np.zeros((2, 6, 2), "float32")
    index, found = BehaviourSearch(top_k=4, mode="hard")(
        np.zeros((2, 2), "float32"), keys, mask, np.array([1, 1]), categories
    )
    index, found = _np(index), _np(found)
    assert index[0][found[0]].tolist() == [3, 2, 0] and found[0].tolist() == [1, 1, 1, 0]
    assert not found[1].any()  # no behaviour of category 1


def test_soft_search_ranks_real_behaviours_by_inner_product():
    from tfrank.layers import BehaviourSearch

    query = np.array([[1.0, 0.0]], "float32")
    keys = np.array([[[0.5, 0], [3.0, 0], [-1.0, 0], [9.0, 0]]], "float32")
    mask = np.array([[1, 1, 1, 0]], bool)
    index, found = BehaviourSearch(top_k=5, mode="soft", projection=False)(query, keys, mask)
    assert _np(index)[0][_np(found)[0]].tolist() == [1, 0, 2]  # 9.0 is padding
    assert _np(found)[0].tolist() == [1, 1, 1, 0, 0]  # top_k beyond the history


def test_cosine_soft_search_ranks_by_angle_not_norm():
    from tfrank.layers import BehaviourSearch

    query = np.array([[1.0, 1.0]], "float32")
    # Inner products 2, 10, 0, 3; cosines 1, 0.71, 0 (an all-zero key), 0.95.
    keys = np.array([[[1.0, 1.0], [10.0, 0.0], [0.0, 0.0], [2.0, 1.0]]], "float32")
    mask = np.ones((1, 4), bool)
    unit = keys / np.maximum(np.linalg.norm(keys, axis=-1, keepdims=True), 1e-6)
    expected = np.argsort(-(unit @ (query[0] / np.linalg.norm(query[0]))), kind="stable")[0]
    search = BehaviourSearch(top_k=4, mode="soft", similarity="cosine", projection=False)
    index, found = search(query, keys, mask)
    assert _np(index)[0].tolist() == expected.tolist() == [0, 3, 1, 2]
    assert _np(found).all()
    dot, _ = BehaviourSearch(top_k=4, mode="soft", projection=False)(query, keys, mask)
    assert _np(dot)[0].tolist() == [1, 3, 0, 2]
    assert BehaviourSearch.from_config(search.get_config()).similarity == "cosine"
    with pytest.raises(ValueError, match="similarity"):
        BehaviourSearch(mode="soft", similarity="l2")


def test_soft_search_ranks_by_projected_relevance_and_returns_its_scores():
    from tfrank.layers import BehaviourSearch

    rng = np.random.default_rng(0)
    query = rng.normal(size=(2, 3)).astype("float32")
    keys = rng.normal(size=(2, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], bool)
    search = BehaviourSearch(top_k=3, mode="soft", units=2)
    index, found, scores = search(query, keys, mask, return_scores=True)
    w_a, w_b = search.query_kernel.numpy(), search.key_kernel.numpy()
    assert w_a.shape == (3, 2) and w_b.shape == (4, 2)
    # r_i = <W_b e_i, W_a e_c>, 0 on padding.
    expected = np.einsum("bsu,bu->bs", keys @ w_b, query @ w_a) * mask
    np.testing.assert_allclose(_np(scores), expected, rtol=1e-5, atol=1e-6)
    for row in range(2):
        real = np.flatnonzero(mask[row])
        best = real[np.argsort(-expected[row, real], kind="stable")][:3]
        assert _np(index)[row][_np(found)[row]].tolist() == best.tolist()
    assert _np(found)[1].tolist() == [True, True, False]
    clone = BehaviourSearch.from_config(search.get_config())
    assert clone.projection and clone.units == 2
