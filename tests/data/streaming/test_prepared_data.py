"""Prepared shards read back: the same rows, orders that depend on (seed, epoch), resumable."""

import numpy as np
import pandas as pd
import tensorflow as tf

from tests.helpers.data import write_criteo_shards
from tfrank.data import load_criteo, make_dataset
from tfrank.data.criteo import CRITEO_FORMAT, criteo_feature_spec
from tfrank.data.streaming import StreamSource, held_out, prepare_data
from tfrank.models import DeepFM


def prepared(tmp_path, **kwargs):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    frame = pd.concat([load_criteo(p) for p in shards], ignore_index=True)
    data = prepare_data(StreamSource(CRITEO_FORMAT, shards), criteo_feature_spec(4), "label",
                        str(tmp_path / "prepared"), verbose=0, block_rows=32,
                        rows_per_shard=200, **kwargs)  # fmt: skip
    return data, frame[~held_out(np.arange(len(frame)), 0.1, seed=0)].reset_index(drop=True)


def labels_of(dataset):
    return np.concatenate([y.numpy() for _, y in dataset])


def test_rows_in_file_order_equal_the_in_memory_pipeline(tmp_path):
    data, train = prepared(tmp_path)
    assert len(data.files("train")) == 4  # 200-row shards, 32-row blocks
    streamed = list(data.dataset("train", batch_size=100))
    in_memory = list(make_dataset(train, data.spec, batch_size=100))
    assert len(streamed) == len(in_memory) == int(np.ceil(len(train) / 100))
    for (x, y), (mx, my) in zip(streamed, in_memory):
        np.testing.assert_array_equal(y.numpy(), my.numpy())
        for name in mx:
            np.testing.assert_array_equal(x[name].numpy(), mx[name].numpy())


def test_order_is_a_function_of_seed_and_epoch_and_resumes_at_any_row(tmp_path):
    data, train = prepared(tmp_path)
    epoch = tf.Variable(0, dtype=tf.int64)
    batches = data.dataset("train", batch_size=64, shuffle=True, seed=1, epoch=epoch)
    first = labels_of(batches)
    again = labels_of(batches)
    epoch.assign(1)
    second = labels_of(batches)
    assert len(first) == len(train) and np.array_equal(first, again)
    assert not np.array_equal(first, second) and sorted(first) == sorted(second)
    epoch.assign(0)
    features = [x["C1"].numpy() for x, _ in batches]
    for skip in (64 * 3, 64 * 3 + 17):
        rest = data.dataset("train", batch_size=64, shuffle=True, seed=1, epoch=epoch,
                            skip_rows=skip)  # fmt: skip
        np.testing.assert_array_equal(labels_of(rest), first[skip:])
        np.testing.assert_array_equal(np.concatenate([x["C1"].numpy() for x, _ in rest]),
                                      np.concatenate(features)[skip:])  # fmt: skip


def test_same_order_trains_the_same_weights_as_in_memory(tmp_path):
    data, train = prepared(tmp_path)
    weights = []
    for batches in (data.dataset("train", batch_size=128),
                    make_dataset(train, data.spec, batch_size=128)):  # fmt: skip
        tf.keras.utils.set_random_seed(0)
        model = DeepFM(data.spec, hidden_units=[8])
        model.compile()
        model.fit(batches, epochs=2, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
