"""DIEN's options: sampled auxiliary negatives, bilinear or MLP attention, AUGRU / AGRU / AIGRU."""

import keras
import numpy as np
import pytest

from tests.helpers.data import small_config, tiny_behaviour_data
from tfrank.data import TrainingData, make_dataset
from tfrank.export import score_in_tensorflow_only
from tfrank.layers import AGRUCell, AIGRUCell, AttentionPooling, AUGRUCell, BilinearAttention
from tfrank.models import DIEN
from tfrank.models.dien import item_id_range
from tfrank.testing import check_round_trip, check_serving, check_training, fit_and_export

SPEC, FRAME = tiny_behaviour_data()


def _batch():
    features, _ = next(iter(make_dataset(FRAME, SPEC, batch_size=64)))
    return features


def test_defaults_are_the_papers_and_every_option_builds_its_layer():
    model = DIEN(SPEC, **small_config("dien"))
    assert isinstance(model.get_layer("attention"), BilinearAttention)
    assert type(model.get_layer("interest_evolution").cell) is AUGRUCell
    assert model.get_layer("auxiliary_loss").negatives == "sampled"
    variant = DIEN(SPEC, **small_config("dien"), attention="mlp", evolution="aigru",
                   auxiliary_negatives="in_batch")  # fmt: skip
    assert isinstance(variant.get_layer("attention"), AttentionPooling)
    assert type(variant.get_layer("interest_evolution").cell) is AIGRUCell
    assert variant.get_layer("auxiliary_loss").negatives == "in_batch"
    clone = DIEN.from_config(variant.get_config())
    assert (clone.attention, clone.evolution, clone.auxiliary_negatives) == (
        "mlp", "aigru", "in_batch")  # fmt: skip
    for name, value in [("attention", "dot"), ("evolution", "lstm"),
                        ("auxiliary_negatives", "popular")]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            DIEN(SPEC, **{**small_config("dien"), name: value})


def test_sampled_negatives_are_real_items_with_the_categories_the_histories_show():
    model = DIEN(SPEC, **small_config("dien"))
    layer = model.get_layer("auxiliary_loss")
    low, high = item_id_range(SPEC["item_id"])
    assert layer.id_range == [low, high] == [1, SPEC["item_id"].vocabulary_size]
    features = _batch()
    model(features, training=True)
    assert len(model.losses) == 1 and float(model.losses[0]) > 0
    transformed = model.get_layer("features")(features)
    items = np.asarray(transformed["sequences"]["history_items"])
    categories = np.asarray(transformed["sequences"]["history_categories"])
    real = np.asarray(transformed["masks"]["history_items"])
    table = np.asarray(layer._sampler.item_attributes)[:, 0]
    np.testing.assert_array_equal(table[items[real] - low], categories[real])
    unseen = np.setdiff1d(np.arange(low, high), items[real])
    assert (table[unseen - low] == -1).all()
    # A draw's embedding is what the model's bank gives its item and category.
    tables = model.get_layer("embeddings").tables
    names = ["history_items", "history_categories"]
    negatives, usable, drawn = layer.sample_negatives(
        [transformed["sequences"][n] for n in names],
        [tables[str(SPEC[SPEC.owner_of(n)].embedding_dim)] for n in names], real, training=True,
    )  # fmt: skip
    sequences = {**transformed["sequences"], **dict(zip(names, drawn))}
    embedded = model.embed({**transformed, "sequences": sequences})
    want = np.concatenate([embedded[n] for n in names], -1)
    usable = np.asarray(usable)
    assert usable[real].any()
    np.testing.assert_array_equal(np.asarray(negatives)[usable], want[usable])


def test_sampling_is_training_only_and_leaves_predictions_alone():
    keras.utils.set_random_seed(0)
    # PReLU: Dice would move its statistics in the training call.
    model = DIEN(SPEC, **small_config("dien"), activation="prelu")
    features = _batch()
    state = model.get_layer("auxiliary_loss")._sampler.seed_generator.state
    before = np.asarray(state).copy()
    scores = np.asarray(model(features, training=False))
    np.testing.assert_allclose(model.predict(features, verbose=0), scores, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(state), before)  # no draws outside training
    model(features, training=True)
    assert not np.array_equal(np.asarray(state), before)
    np.testing.assert_array_equal(np.asarray(model(features, training=False)), scores)


VARIANTS = {
    "agru-mlp": {"evolution": "agru", "attention": "mlp"},
    "aigru-in_batch": {"evolution": "aigru", "auxiliary_negatives": "in_batch"},
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """Each variant fitted, saved, reloaded and exported; the exports scored
    by one TensorFlow-only process."""
    data = TrainingData.from_frame(FRAME, SPEC, "label", batch_size=64)
    root = tmp_path_factory.mktemp("dien")
    runs = {
        name: fit_and_export(DIEN, {**small_config("dien"), **options}, data, str(root / name))
        for name, options in VARIANTS.items()
    }
    return runs, score_in_tensorflow_only([(r.version, r.request) for r in runs.values()])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_train_reload_and_serve(variants, name):
    runs, served = variants
    check_training(runs[name])
    check_round_trip(runs[name])
    check_serving(runs[name], served)
    cell = runs[name].reloaded.get_layer("interest_evolution").cell
    assert type(cell) is {"agru": AGRUCell, "aigru": AIGRUCell}[VARIANTS[name]["evolution"]]
