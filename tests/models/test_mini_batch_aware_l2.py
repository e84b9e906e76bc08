"""Mini-batch-aware L2's id frequencies: counted on the rows the bank reads,
by `for_training` or else by the first `fit`, for every behaviour model."""

import keras
import numpy as np
import pytest

from tests.helpers.data import small_config
from tfrank.data import SyntheticBehaviour, make_dataset
from tfrank.models import DIN, SIM


def _data(dtype):
    data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, min_events=1,
                              max_events=12, revisit_gap=4, seed=1)  # fmt: skip
    frame, _ = data.samples(max_history=12, min_history=0)
    if dtype == "string":
        for column in ("user_id", "item_id", "category"):
            frame[column] = "v" + frame[column].astype(str)
        for column in ("history_items", "history_categories"):
            frame[column] = [np.array([f"v{v}" for v in h], dtype=object) for h in frame[column]]
    spec = data.feature_spec(max_length=8, embedding_dim=4)
    if dtype == "string":
        from tfrank.data import behaviour_feature_spec

        spec = behaviour_feature_spec(max_length=8, embedding_dim=4, dtype="string")
    return spec.fit(frame), frame


def _reference(spec, frame, owner, columns):
    """NumPy counts of `owner`'s ids: each value's vocabulary index, histories
    cut to their latest `max_length` steps as the model reads them."""
    feature = spec[owner]
    index = {v: i + feature.num_oov_buckets for i, v in enumerate(feature.vocabulary)}
    counts = np.zeros(feature.vocabulary_size, np.int64)
    for column in columns:
        for value in frame[column]:
            if isinstance(value, (list, np.ndarray)):
                for v in list(value)[max(0, len(value) - spec[column].max_length) :]:
                    counts[index[v]] += 1
            else:
                counts[index[value]] += 1
    return counts


def _item_rows(model, spec):
    bank = model.get_layer("embeddings")
    start = int(bank.offsets(["item_id"])[0])
    return bank.frequencies["4"].numpy()[start : start + spec["item_id"].vocabulary_size]


@pytest.mark.parametrize("dtype", ["int64", "string"])
def test_sim_counts_the_looked_up_history_ids_for_int_and_string_ids(dtype):
    spec, frame = _data(dtype)
    dataset = make_dataset(frame, spec, batch_size=64)
    config = {"top_k": 4, "short_length": 2, "attention_units": [4], "hidden_units": [8],
              "mba_l2": 0.1, "time_buckets": 0}  # fmt: skip
    model = SIM.for_training(spec, config, dataset)
    expected = _reference(spec, frame, "item_id", ["item_id", "history_items"])
    np.testing.assert_array_equal(_item_rows(model, spec), np.maximum(expected, 1))


def test_fit_counts_the_frequencies_of_a_model_built_directly(tmp_path):
    spec, frame = _data("int64")
    model = DIN(spec, **{**small_config("din"), "mba_l2": 0.5})
    assert not model.get_layer("embeddings").has_frequencies
    model.compile()
    model.fit(frame, epochs=1, batch_size=64, verbose=0)
    expected = _reference(spec, frame, "item_id", ["item_id", "history_items"])
    np.testing.assert_array_equal(_item_rows(model, spec), np.maximum(expected, 1))
    # Counted once: a later fit on other rows keeps them, and so does a reload.
    model.fit(frame.head(10), epochs=1, batch_size=64, verbose=0)
    np.testing.assert_array_equal(_item_rows(model, spec), np.maximum(expected, 1))
    path = str(tmp_path / "din.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert reloaded.get_layer("embeddings").has_frequencies
    np.testing.assert_array_equal(_item_rows(reloaded, spec), np.maximum(expected, 1))


def test_an_endless_dataset_asks_for_the_counts_first():
    spec, frame = _data("int64")
    model = DIN(spec, **{**small_config("din"), "mba_l2": 0.5})
    model.compile()
    endless = make_dataset(frame, spec, batch_size=64).repeat()
    with pytest.raises(ValueError, match="count_frequencies"):
        model.fit(endless, epochs=1, steps_per_epoch=1, verbose=0)
    model.count_frequencies(make_dataset(frame, spec, batch_size=64))
    model.fit(endless, epochs=1, steps_per_epoch=1, verbose=0)
