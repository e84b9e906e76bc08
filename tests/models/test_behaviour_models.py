"""DIN and the sequence base model: histories of any width, padding, regularization."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.data import small_config, tiny_behaviour_data
from tfrank.data import make_dataset
from tfrank.models import DIEN, DIN, DeepFM
from tfrank.models.behaviour import embedding_frequencies

SPEC, FRAME = tiny_behaviour_data()  # histories kept 8 deep


def _request(history, categories=None, user=3, item=5, category=2):
    categories = categories if categories is not None else [c % 5 for c in history]
    return {
        "user_id": tf.constant([user], tf.int64),
        "item_id": tf.constant([item], tf.int64),
        "category": tf.constant([category], tf.int64),
        "history_items": tf.constant([history], tf.int64, shape=(1, len(history))),
        "history_categories": tf.constant([categories], tf.int64, shape=(1, len(history))),
        "history_times": tf.constant([[float(i) for i in range(len(history))]], tf.float32,
                                     shape=(1, len(history))),
    }  # fmt: skip


def _pad(request, width):
    out = dict(request)
    for name, pad in [("history_items", -1), ("history_categories", -1),
                      ("history_times", np.nan)]:  # fmt: skip
        value = request[name].numpy()
        filler = np.full((1, width - value.shape[1]), pad, value.dtype)
        out[name] = tf.constant(np.concatenate([value, filler], 1))
    return out


@pytest.mark.parametrize("name", ["din", "dien", "sim", "seq_base"])
def test_padding_width_and_old_behaviours_beyond_max_length_change_nothing(name):
    from tfrank.models import get_model_class

    keras.utils.set_random_seed(0)
    config = small_config(name)
    if name == "sim":  # SPEC has no candidate time: ages from the latest behaviour
        config["time_reference"] = "latest"
    model = get_model_class(name)(SPEC, **config)
    recent = [11, 12, 13, 14, 15, 16, 17, 18]
    score = model(_request(recent)).numpy()
    np.testing.assert_allclose(model(_pad(_request(recent), 40)).numpy(), score, rtol=1e-6)
    longer = model(_request([40, 41, 42] + recent)).numpy()  # 3 older ones are cut
    np.testing.assert_allclose(longer, score, rtol=1e-6)
    empty = model(_request([])).numpy()
    assert np.isfinite(empty).all() and not np.array_equal(empty, score)


def test_din_attention_weights_follow_the_history_and_vanish_on_padding():
    model = DIN(SPEC, attention_units=[4], hidden_units=[8])
    weights = model.attention_weights(_pad(_request([11, 12, 13]), 6)).numpy()
    assert weights.shape == (1, 6)
    assert np.all(weights[0, 3:] == 0.0) and np.all(weights[0, :3] != 0.0)
    assert model.get_layer("attention_history_items").normalize is False


def test_din_with_softmax_and_prelu_round_trips_its_config():
    model = DIN(SPEC, attention_units=[4], hidden_units=[8], attention_activation="prelu",
                activation="prelu", normalize_attention=True)  # fmt: skip
    clone = DIN.from_config(model.get_config())
    assert clone.normalize_attention and clone.activation == "prelu"
    weights = model.attention_weights(_request([11, 12, 13])).numpy()
    np.testing.assert_allclose(weights.sum(), 1.0, rtol=1e-6)


def test_mini_batch_aware_l2_uses_training_frequencies_and_only_in_training():
    dataset = make_dataset(FRAME, SPEC, batch_size=64)
    model = DIN.for_training(SPEC, {**small_config("din"), "mba_l2": 0.5}, dataset)
    counts = embedding_frequencies(model, dataset)
    item_table_rows = SPEC["user_id"].vocabulary_size  # user ids come first in the table
    frequency = model.get_layer("embeddings").frequencies["4"].numpy()
    item_counts = counts["item_id"] + counts["history_items"]
    size = SPEC["item_id"].vocabulary_size
    np.testing.assert_array_equal(
        frequency[item_table_rows : item_table_rows + size], np.maximum(item_counts, 1)
    )
    features, labels = next(iter(dataset))
    model(features, training=True)
    assert len(model.losses) == 1 and float(model.losses[0]) > 0
    model(features, training=False)
    assert not model.losses


def test_models_without_histories_refuse_behaviour_specs_and_vice_versa():
    with pytest.raises(ValueError, match="does not read sequence features"):
        DeepFM(SPEC)
    from tfrank.features import FeatureSpec

    flat = FeatureSpec([f for f in SPEC.features if f.kind != "sequence"])
    with pytest.raises(ValueError, match="needs a behaviour history"):
        DIN(flat)


def test_dien_auxiliary_loss_is_optional_and_attention_is_a_softmax_over_real_steps():
    dataset = make_dataset(FRAME, SPEC, batch_size=64)
    features, _ = next(iter(dataset))
    with_aux = DIEN(SPEC, **small_config("dien"))
    with_aux(features, training=True)
    assert len(with_aux.losses) == 1 and float(with_aux.losses[0]) > 0
    without = DIEN(SPEC, **{**small_config("dien"), "auxiliary_weight": 0.0})
    without(features, training=True)
    assert not without.losses
    weights = with_aux.attention_weights(_pad(_request([11, 12, 13]), 5)).numpy()
    np.testing.assert_allclose(weights[0, :3].sum(), 1.0, rtol=1e-6)
    assert np.all(weights[0, 3:] == 0.0)


def test_sim_reads_old_behaviours_only_through_its_search():
    from tfrank.features import FeatureSpec
    from tfrank.models import SIM

    long_spec = FeatureSpec.from_config(SPEC.to_config())
    for f in long_spec.sequence:
        f.max_length = 40
    keras.utils.set_random_seed(0)
    model = SIM(long_spec, top_k=3, short_length=2, attention_units=[4], hidden_units=[8],
                attention_activation="sigmoid", activation="sigmoid",
                time_reference="latest")  # fmt: skip
    history = [10 + i for i in range(30)]
    categories = [3] * 30
    categories[5] = 2  # the candidate's category, far beyond the short-term window
    base = model(_request(history, categories, category=2)).numpy()
    other = list(history)
    other[8] = 55  # an old behaviour of another category: never read
    np.testing.assert_array_equal(model(_request(other, categories, category=2)).numpy(), base)
    other = list(history)
    other[5] = 55  # the retrieved one
    assert not np.array_equal(model(_request(other, categories, category=2)).numpy(), base)


def test_sim_cosine_soft_search_retrieves_the_candidates_own_earlier_click():
    from tfrank.models import SIM

    keras.utils.set_random_seed(0)
    small = dict(search="soft", top_k=1, short_length=0, attention_units=[4], hidden_units=[8],
                 attention_activation="sigmoid", activation="sigmoid", search_projection=False,
                 time_buckets=0)  # fmt: skip
    model = SIM(SPEC, similarity="cosine", **small)
    assert SIM.from_config(model.get_config()).get_layer("search").similarity == "cosine"
    # Item 11's row: 100x the candidate's plus an orthogonal part of the same norm,
    # so its inner product with the candidate is the largest but its cosine is not.
    bank = model.get_layer("embeddings")
    table, offset = bank.weights[0], int(bank.offsets(["item_id"])[0])
    lookup = model.get_layer("features").lookup
    five, eleven = (offset + int(np.asarray(lookup("item_id", np.array([i])))[0]) for i in (5, 11))
    rows = table.numpy()
    target, noise = rows[five], rows[eleven]
    noise = noise - (noise @ target) / (target @ target) * target
    rows[eleven] = 100.0 * (target + noise * np.linalg.norm(target) / np.linalg.norm(noise))
    table.assign(rows)
    dot = SIM(SPEC, similarity="dot", **small)
    dot.set_weights(model.get_weights())

    def score(m, items):
        return m(_request(items, [1, 1, 2, 1, 1], item=5, category=2)).numpy()

    history = [11, 12, 5, 13, 14]  # 5: the candidate, clicked before
    base = score(model, history)
    # Cosine retrieves the earlier click of 5: everything else may change.
    np.testing.assert_allclose(score(model, [21, 22, 5, 23, 24]), base, rtol=1e-6)
    assert not np.allclose(score(model, [11, 12, 6, 13, 14]), base)
    # The inner product retrieves item 11 instead.
    np.testing.assert_allclose(score(dot, [11, 22, 6, 23, 24]), score(dot, history), rtol=1e-6)
    assert not np.allclose(score(dot, [21, 12, 5, 13, 14]), score(dot, history))
