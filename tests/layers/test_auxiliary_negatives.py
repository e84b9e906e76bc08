"""DIEN's auxiliary loss with sampled negatives: the draws, the lookup, the loss."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfrank.layers import AuxiliaryInterestLoss, NegativeBehaviourSampler

RNG = np.random.default_rng(11)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_draws_never_equal_the_positive_and_cover_every_other_item_evenly():
    sampler = NegativeBehaviourSampler((1, 5), seed=3)  # items 1..4; 0 is out of vocabulary
    items = np.tile([[1, 2, 3, 4, 0]], (2000, 1))
    negatives, attributes, known = sampler(items, np.ones_like(items, bool))
    negatives = _np(negatives)
    assert attributes == [] and _np(known).all()
    assert not (negatives == items).any()
    assert negatives.min() >= 1 and negatives.max() <= 4
    for step, positive in enumerate([1, 2, 3, 4]):
        others = sorted({1, 2, 3, 4} - {positive})
        values, counts = np.unique(negatives[:, step], return_counts=True)
        assert values.tolist() == others
        np.testing.assert_allclose(counts / 2000, 1 / 3, atol=0.05)
    with pytest.raises(ValueError, match="two items"):
        NegativeBehaviourSampler((3, 4))


def test_attributes_come_from_real_behaviours_seen_in_training():
    sampler = NegativeBehaviourSampler((1, 5), num_attributes=1, seed=0)
    items = np.array([[1, 2, 3, 2]] * 300)
    categories = np.array([[7, 8, 9, 5]] * 300)  # the padded step claims 2 -> 5
    mask = np.array([[1, 1, 1, 0]] * 300, bool)
    _, _, known = sampler(items, mask, [categories], training=False)
    assert not _np(known).any()  # nothing recorded outside training
    negatives, (found,), known = sampler(items, mask, [categories], training=True)
    negatives, found, known = _np(negatives), _np(found), _np(known)
    category = {1: 7, 2: 8, 3: 9}
    for n, c, k in zip(negatives.ravel(), found.ravel(), known.ravel()):
        assert k == (n in category) and (not k or c == category[n])
    assert {1, 2, 3, 4} <= set(negatives.ravel())  # 4 was drawn, and flagged unknown
    np.testing.assert_array_equal(_np(sampler.item_attributes)[:4, 0], [7, 8, 9, -1])


def _layer(weight=1.0, seed=0, offsets=(1, 6)):
    return AuxiliaryInterestLoss([3], weight, id_range=(1, 5), offsets=list(offsets), seed=seed)


# Two tables: item ids 0..4 at rows 1..5 of the first, category ids 0..2 at rows 6..8 of the
# second (the rows before belong to other features).
ITEM_TABLE = keras.Variable(RNG.normal(size=(6, 2)).astype("float32"))
CATEGORY_TABLE = keras.Variable(RNG.normal(size=(9, 1)).astype("float32"))
ITEMS = np.array([[1, 2, 3, 4], [2, 4, 0, 0]])
CATEGORIES = np.array([[0, 1, 1, 2], [1, 2, 0, 0]])
MASK = ITEMS > 0
BEHAVIOURS = np.concatenate([_np(ITEM_TABLE)[ITEMS + 1], _np(CATEGORY_TABLE)[CATEGORIES + 6]], -1)
STATES = RNG.normal(size=(2, 4, 3)).astype("float32")


def _numpy_loss(layer, states, behaviours, negatives, usable, mask):
    (d_kernel, d_bias), (s_kernel, s_bias) = [
        [_np(w) for w in d.weights] for d in (layer._dense[0], layer._score)
    ]

    def logit(h, e):
        return (_sigmoid(np.concatenate([h, e]) @ d_kernel + d_bias) @ s_kernel + s_bias)[0]

    terms = [
        np.log1p(np.exp(-logit(states[b, t], behaviours[b, t + 1])))
        + np.log1p(np.exp(logit(states[b, t], negatives[b, t + 1])))
        for b in range(states.shape[0])
        for t in range(states.shape[1] - 1)
        if mask[b, t] and mask[b, t + 1] and usable[b, t + 1]
    ]
    return np.mean(terms), len(terms)


def test_loss_with_given_negatives_matches_numpy():
    layer = _layer()
    layer.build(STATES.shape, BEHAVIOURS.shape)
    negatives = RNG.normal(size=BEHAVIOURS.shape).astype("float32")
    usable = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)  # (0, 2): an unknown draw
    got = float(layer.loss(STATES, BEHAVIOURS, MASK, negatives, usable))
    want, pairs = _numpy_loss(layer, STATES, BEHAVIOURS, negatives, usable, MASK)
    assert pairs == 3  # (0, 0), (0, 2) and (1, 0); (0, 1) has an unknown negative
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_training_draws_are_looked_up_at_the_offsets_and_enter_the_loss():
    layer = _layer(weight=0.5)
    layer.build(STATES.shape, BEHAVIOURS.shape)
    ids, tables = [ITEMS, CATEGORIES], [ITEM_TABLE, CATEGORY_TABLE]
    seed = _np(layer._sampler.seed_generator.state).copy()
    negatives, usable, (drawn, drawn_categories) = layer.sample_negatives(
        ids, tables, MASK, training=True
    )
    drawn, drawn_categories = _np(drawn), _np(drawn_categories)
    assert not (drawn == ITEMS).any()
    want = np.concatenate(
        [_np(ITEM_TABLE)[drawn + 1], _np(CATEGORY_TABLE)[drawn_categories + 6]], -1
    )
    usable = _np(usable)
    np.testing.assert_allclose(_np(negatives)[usable], want[usable], rtol=1e-6)
    category = {1: 0, 2: 1, 3: 1, 4: 2}  # recorded from the real behaviours
    assert all(drawn_categories[usable] == [category[n] for n in drawn[usable]])
    # The same draws again, through call(): weight * the loss with them.
    layer._sampler.seed_generator.state.assign(seed)
    layer(STATES, BEHAVIOURS, MASK, ids=ids, tables=tables, training=True)
    want_loss, _ = _numpy_loss(layer, STATES, BEHAVIOURS, _np(negatives), usable, MASK)
    np.testing.assert_allclose(float(layer.losses[0]), 0.5 * want_loss, rtol=1e-5)


def test_nothing_is_drawn_or_recorded_outside_training():
    layer = _layer()
    ids, tables = [ITEMS, CATEGORIES], [ITEM_TABLE, CATEGORY_TABLE]
    layer(STATES, BEHAVIOURS, MASK, ids=ids, tables=tables, training=False)
    seed = _np(layer._sampler.seed_generator.state).copy()
    out = layer(STATES, BEHAVIOURS, MASK, ids=ids, tables=tables, training=False)
    np.testing.assert_array_equal(_np(out), STATES)
    assert not layer.losses
    np.testing.assert_array_equal(_np(layer._sampler.seed_generator.state), seed)
    assert (_np(layer._sampler.item_attributes) == -1).all()
    with pytest.raises(ValueError, match="id_range"):
        AuxiliaryInterestLoss([3])
    with pytest.raises(ValueError, match="ids"):
        layer(STATES, BEHAVIOURS, MASK, training=True)


def test_sampling_compiles_with_xla_and_the_config_round_trips():
    layer = _layer(seed=4)
    layer.build(STATES.shape, BEHAVIOURS.shape)
    tables = [ITEM_TABLE, CATEGORY_TABLE]

    @tf.function(jit_compile=True)
    def step(items, categories):
        negatives, usable, drawn = layer.sample_negatives(
            [items, categories], tables, MASK, training=True
        )
        return layer.loss(STATES, BEHAVIOURS, MASK, negatives, usable), drawn[0]

    first, drawn = step(tf.constant(ITEMS), tf.constant(CATEGORIES))
    second, again = step(tf.constant(ITEMS), tf.constant(CATEGORIES))
    assert np.isfinite(first.numpy()) and not (drawn.numpy() == ITEMS).any()
    assert not np.array_equal(drawn.numpy(), again.numpy())  # the seed moves on
    clone = AuxiliaryInterestLoss.from_config(layer.get_config())
    assert (clone.negatives, clone.id_range, clone.offsets) == ("sampled", [1, 5], [1, 6])
