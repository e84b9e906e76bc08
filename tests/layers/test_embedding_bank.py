import keras
import numpy as np
import pytest

from tfrank.layers import EmbeddingBank

FEATURES = [
    {"name": "a", "vocabulary_size": 3, "embedding_dim": 2},
    {"name": "b", "vocabulary_size": 4, "embedding_dim": 2},
    {"name": "c", "vocabulary_size": 0, "embedding_dim": 2, "share_with": "a"},
]


def _bank(features=FEATURES, **kwargs):
    bank = EmbeddingBank(features, **kwargs)
    bank.build()
    return bank


def test_one_fused_table_with_offsets():
    bank = _bank()
    assert len(bank.weights) == 1 and bank.weights[0].shape == (7, 2)  # 3 + 4 rows, c shares
    table = np.arange(14, dtype="float32").reshape(7, 2)
    bank.weights[0].assign(table)
    ids = {"a": np.array([0, 2]), "b": np.array([3, 1]), "c": np.array([1, 1])}
    out = keras.ops.convert_to_numpy(bank(ids))
    expected = np.stack([table[ids["a"]], table[3 + ids["b"]], table[ids["c"]]], axis=1)
    np.testing.assert_array_equal(out, expected)


def test_dict_mode_mixed_widths_and_sequences():
    features = [
        {"name": "a", "vocabulary_size": 3, "embedding_dim": 2},
        {"name": "b", "vocabulary_size": 4, "embedding_dim": 3},
        {"name": "hist", "vocabulary_size": 0, "embedding_dim": 2, "share_with": "a"},
    ]
    bank = _bank(features, output_mode="dict")
    tables = {w.shape[1]: w for w in bank.weights}
    assert tables[2].shape == (3, 2) and tables[3].shape == (4, 3)
    out = bank({"a": np.array([1]), "b": np.array([2]), "hist": np.array([[0, 2, 1]])})
    t2 = keras.ops.convert_to_numpy(tables[2])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["hist"]), t2[[[0, 2, 1]]])
    assert tuple(out["b"].shape) == (1, 3)


def test_stacked_mode_rejects_mixed_widths_naming_features():
    features = [dict(FEATURES[0]), dict(FEATURES[1], embedding_dim=5)]
    with pytest.raises(ValueError, match="a=2, b=5"):
        EmbeddingBank(features)


def test_sharing_an_unknown_feature_is_an_error():
    with pytest.raises(ValueError, match="'c' shares 'zz'"):
        EmbeddingBank([FEATURES[0], dict(FEATURES[2], share_with="zz")])


def test_config_and_keras_file_round_trip(tmp_path):
    inputs = {n: keras.Input((), dtype="int32", name=n) for n in "abc"}
    model = keras.Model(inputs, EmbeddingBank(FEATURES)(inputs))
    path = str(tmp_path / "bank.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    ids = {"a": np.array([2]), "b": np.array([0]), "c": np.array([1])}
    np.testing.assert_array_equal(model.predict(ids, verbose=0), reloaded.predict(ids, verbose=0))
    config = EmbeddingBank(FEATURES).get_config()
    assert EmbeddingBank.from_config(config).get_config() == config


def test_mini_batch_aware_l2_counts_each_read_row_once_over_its_frequency():
    bank = EmbeddingBank(
        [
            {"name": "item", "vocabulary_size": 5, "embedding_dim": 2},
            {"name": "history", "vocabulary_size": 0, "embedding_dim": 2, "share_with": "item"},
            {"name": "user", "vocabulary_size": 3, "embedding_dim": 2},
        ],
        output_mode="dict",
        mba_l2=0.1,
    )
    ids = {
        "item": np.array([1, 4]),
        "history": np.array([[1, 2, 3], [2, 2, 0]]),
        "user": np.array([2, 2]),
    }
    masks = {"history": np.array([[1, 1, 0], [1, 1, 0]], bool)}  # 3 and 0 are padding
    bank(ids, masks=masks)
    bank.set_frequencies({"item": [1, 4, 2, 9, 5], "history": [0, 0, 2, 0, 0], "user": [7, 7, 8]})
    np.testing.assert_array_equal(bank.frequencies["2"].numpy(), [1, 4, 4, 9, 5, 7, 7, 8])
    table = bank.tables["2"].numpy()
    # Rows read: items 1, 2, 4 (the table's rows 1, 2, 4) and user 2 (row 5 + 2).
    expected = 0.1 * sum(np.sum(table[r] ** 2) / n for r, n in [(1, 4), (2, 4), (4, 5), (7, 8)])
    bank(ids, masks=masks, training=True)
    assert len(bank.losses) == 1
    np.testing.assert_allclose(float(bank.losses[0]), expected, rtol=1e-5)
    bank(ids, masks=masks, training=False)
    assert not bank.losses  # inference adds nothing
    clone = EmbeddingBank.from_config(bank.get_config())
    assert clone.mba_l2 == 0.1
