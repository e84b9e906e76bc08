"""SIM as the paper has it: soft search trained by its own loss, exact search
over [behaviour; age], ages counted back from the candidate's time."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tfrank.data import SyntheticBehaviour, behaviour_feature_spec, make_dataset
from tfrank.models import SIM
from tfrank.models.sim import _hours_ago

SMALL = dict(top_k=3, short_length=2, attention_units=[4], hidden_units=[8], time_buckets=6)


def _data():
    data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, min_events=3,
                              max_events=12, revisit_gap=4, seed=0)  # fmt: skip
    frame, _ = data.samples(max_history=12, min_history=0)
    spec = behaviour_feature_spec(max_length=12, embedding_dim=4, target_time=True)
    return spec.fit(frame), frame


SPEC, FRAME = _data()


def _rows(frame, **changes):
    long = frame[frame["history_items"].map(len) >= 3]
    features = SPEC.frame_to_arrays(long.head(6))
    for name, change in changes.items():
        features[name] = change(features[name])
    return features


def test_hours_ago_count_back_from_the_candidate_or_the_latest_behaviour():
    times = np.array([[0.0, 3600.0, 7200.0, 0.0]], "float32")
    mask = np.array([[True, True, True, False]])
    target = np.array([4 * 3600.0], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(_hours_ago(times, mask, target)), [[4, 3, 2, 0]]
    )
    np.testing.assert_allclose(ops.convert_to_numpy(_hours_ago(times, mask)), [[2, 1, 0, 0]])
    missing = ops.convert_to_numpy(_hours_ago(times, mask, np.array([np.nan], "float32")))
    np.testing.assert_array_equal(missing, [[0, 0, 0, 0]])  # no time: age 0, not NaN


def test_ages_are_measured_from_the_candidates_time_and_only_used_as_ages():
    keras.utils.set_random_seed(0)
    model = SIM(SPEC, **SMALL)
    base = model.predict(_rows(FRAME), verbose=0)
    # The whole timeline shifted: same ages, same scores (the raw time is no input).
    shift = 1e6
    moved = _rows(FRAME, timestamp=lambda t: t + shift, history_times=lambda h: h + shift)
    np.testing.assert_allclose(model.predict(moved, verbose=0), base, rtol=1e-5)
    # The candidate a month later: every behaviour older, other scores.
    later = _rows(FRAME, timestamp=lambda t: t + 30 * 86400.0)
    assert not np.allclose(model.predict(later, verbose=0), base)
    latest = SIM(SPEC, time_reference="latest", **SMALL)
    latest.set_weights(model.get_weights())
    np.testing.assert_allclose(
        latest.predict(later, verbose=0), latest.predict(_rows(FRAME), verbose=0)
    )


def test_the_time_embedding_is_concatenated_by_default_or_added():
    keras.utils.set_random_seed(0)
    concat = SIM(SPEC, **SMALL)
    added = SIM(SPEC, time_combine="add", **SMALL)
    width = 8  # item and category embeddings side by side
    key_kernel = concat.get_layer("exact_search")._key_dense.kernel
    assert key_kernel.shape[0] == width + 4  # [behaviour; age], age width max(4, width // 4)
    assert added.get_layer("exact_search")._key_dense.kernel.shape[0] == width
    assert isinstance(concat.get_layer("exact_search"), keras.layers.MultiHeadAttention)


def test_a_spec_without_the_candidates_time_is_refused_with_the_way_out():
    spec = behaviour_feature_spec(max_length=12, embedding_dim=4).fit(FRAME)
    with pytest.raises(
        ValueError, match="NumericFeature\\('timestamp'\\).*time_reference='latest'"
    ):
        SIM(spec, **SMALL)
    assert "timestamp" in [f.name for f in SIM.default_feature_spec(spec, FRAME, {}).numeric]
    assert SIM.default_feature_spec(spec, FRAME, {"time_buckets": 0}) is spec


def test_soft_search_loss_is_the_binary_cross_entropy_of_its_own_prediction():
    keras.utils.set_random_seed(0)
    model = SIM(SPEC, search="soft", search_loss_weight=0.5, **SMALL)
    model.compile(optimizer="adam")
    x = _rows(FRAME)
    y = FRAME[FRAME["history_items"].map(len) >= 3]["label"].to_numpy()[:6].astype("float32")
    inputs = {k: tf.constant(v) for k, v in x.items()}
    output = model(inputs, training=True)
    search = model._search_probability.numpy().ravel()
    loss = float(model.compute_loss(inputs, y[:, None], output, training=True))
    p = output.numpy().ravel()
    eps = 1e-7

    def bce(q):
        q = np.clip(q, eps, 1 - eps)
        return float(np.mean(-(y * np.log(q) + (1 - y) * np.log(1 - q))))

    np.testing.assert_allclose(loss, bce(p) + 0.5 * bce(search), rtol=1e-4)
    assert 0.0 < search.min() and search.max() < 1.0


def test_only_the_search_loss_trains_the_search_projections():
    keras.utils.set_random_seed(0)
    model = SIM(SPEC, search="soft", **SMALL)
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    search = model.get_layer("search")
    before = [search.query_kernel.numpy(), search.key_kernel.numpy()]
    model.fit(make_dataset(FRAME, SPEC, batch_size=32), epochs=1, verbose=0)
    after = [search.query_kernel.numpy(), search.key_kernel.numpy()]
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
    # The top-k passes no gradient: without the loss they could never train.
    with pytest.raises(ValueError, match="search_projection=False"):
        SIM(SPEC, search="soft", search_loss_weight=0.0, **SMALL)


def test_soft_search_round_trips_with_its_search_head(tmp_path):
    keras.utils.set_random_seed(0)
    model = SIM(SPEC, search="soft", **SMALL)
    model.compile()
    model.fit(make_dataset(FRAME, SPEC, batch_size=32), epochs=1, verbose=0)
    path = str(tmp_path / "sim.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        reloaded.predict(_rows(FRAME), verbose=0), model.predict(_rows(FRAME), verbose=0), rtol=1e-6
    )
    for mine, theirs in zip(model.search_head, reloaded.search_head):
        for a, b in zip(mine.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_training_data_gives_sim_the_candidates_time_and_din_none():
    from tfrank.models import DIN

    config = {**SMALL, "search": "soft"}
    data = SIM.prepare_training("synthetic:2800", config=config)
    assert "timestamp" in [f.name for f in data.spec.numeric]
    SIM.for_training(data.spec, config)  # builds: ages measured from the candidate
    assert not DIN.prepare_training("synthetic:2800").spec.numeric
