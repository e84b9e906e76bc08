import keras
import numpy as np
import pytest

from tfrank.layers import AutoRecLayer


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture
def layer():
    layer = AutoRecLayer(num_rows=4, num_columns=5, hidden_units=3, mask_target=False)
    # Row 3 has no observed rating.
    layer.set_ratings([0, 0, 1, 2, 2], [0, 3, 1, 4, 2], [5.0, 3.0, 4.0, 1.0, 2.0])
    return layer


def test_entries_of_the_reconstruction_match_numpy(layer):
    rows, cols = np.array([0, 1, 2, 2]), np.array([1, 1, 0, 4])
    ratings = layer.ratings.numpy()
    hidden = _sigmoid(ratings @ layer.encoder_kernel.numpy() + layer.encoder_bias.numpy())
    full = hidden @ layer.decoder_kernel.numpy().T + layer.decoder_bias.numpy()
    expected = full[rows, cols]
    got = layer(rows, cols, training=True).numpy()
    np.testing.assert_allclose(got[:, 0], expected, rtol=1e-5)
    np.testing.assert_allclose(layer.reconstruct(rows).numpy(), full[rows], rtol=1e-5, atol=1e-6)


def test_training_hides_the_fitted_entry_from_the_input(layer):
    masked = AutoRecLayer.from_config({**layer.get_config(), "mask_target": True})
    masked.build()
    masked.set_weights(layer.get_weights())
    ratings = layer.ratings.numpy()
    row, col = 0, 3  # an observed entry (3.0)
    hidden_input = ratings[row].copy()
    hidden_input[col] = 0.0
    hidden = _sigmoid(hidden_input @ layer.encoder_kernel.numpy() + layer.encoder_bias.numpy())
    expected = hidden @ layer.decoder_kernel.numpy()[col] + layer.decoder_bias.numpy()[col]
    got = masked(np.array([row]), np.array([col]), training=True).numpy()[0, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    # Inference reads the whole row.
    full = layer(np.array([row]), np.array([col]), training=False).numpy()
    np.testing.assert_array_equal(masked(np.array([row]), np.array([col])).numpy(), full)


def test_unseen_rows_get_the_default_and_inference_is_clipped(layer):
    layer.decoder_bias.assign(np.array([9.0, -9.0, 0.0, 0.0, 0.0], np.float32))
    got = layer(np.array([3, 0, 0]), np.array([0, 0, 1]), training=False).numpy()[:, 0]
    assert got[0] == 3.0  # row 3 observed nothing
    assert got[1] == 5.0 and got[2] == 1.0
    unclipped = layer(np.array([0]), np.array([0]), training=True).numpy()
    assert unclipped[0, 0] > 5.0


def test_ratings_are_not_trained_and_round_trip_in_config(layer):
    assert [w.name for w in layer.non_trainable_weights] == ["ratings"]
    clone = AutoRecLayer.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert keras.regularizers.get(clone.kernel_regularizer) is None
