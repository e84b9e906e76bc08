"""AutoRec and biased MF: formulas, stored ratings, training defaults."""

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tests.helpers.data import tiny_implicit_spec
from tfrank.data import make_dataset
from tfrank.models import AutoRec, BiasedMF

RATINGS = pd.DataFrame(
    {"user_id": [0, 0, 1, 2, 2, 3], "item_id": [5, 6, 5, 7, 6, 9],
     "rating": [5.0, 3.0, 4.0, 1.0, 2.0, 4.0]}
)  # fmt: skip


def _inputs(users, items):
    return {"user_id": tf.constant(users, tf.int64), "item_id": tf.constant(items, tf.int64)}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("kind", ["item", "user"])
def test_autorec_reads_the_right_rows_of_its_stored_matrix(kind):
    spec = tiny_implicit_spec()
    model = AutoRec(spec, kind=kind, hidden_units=4, rating_range=None)
    model.set_ratings(RATINGS)
    layer = model.get_layer("autorec")
    ids = model.get_layer("features")(_inputs(RATINGS.user_id, RATINGS.item_id))["ids"]
    users, items = ids["user_id"].numpy(), ids["item_id"].numpy()
    matrix = layer.ratings.numpy()
    stored = matrix[items, users] if kind == "item" else matrix[users, items]
    np.testing.assert_array_equal(stored, RATINGS.rating)
    assert np.count_nonzero(matrix) == len(RATINGS)
    rows, cols = (items, users) if kind == "item" else (users, items)
    expected = layer.reconstruct(rows).numpy()[np.arange(len(rows)), cols]
    got = model(_inputs(RATINGS.user_id, RATINGS.item_id)).numpy()[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_autorec_default_objective_is_the_papers():
    # sum over observed (r - r_hat(whole row))^2 + lambda/2 (|W|^2 + |V|^2),
    # divided by the N ratings, for lambda = 2 N l2.
    l2, mean = 0.01, 3.5
    model = AutoRec(tiny_implicit_spec(), hidden_units=3, l2=l2, global_mean=mean,
                    rating_range=None)  # fmt: skip
    model.set_ratings(RATINGS)
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    inputs = _inputs(RATINGS.user_id, RATINGS.item_id)
    ratings = RATINGS.rating.to_numpy(np.float32)
    loss = model.train_on_batch(inputs, ratings, return_dict=True)["loss"]
    ids = model.get_layer("features")(inputs)["ids"]
    users, items = ids["user_id"].numpy(), ids["item_id"].numpy()
    layer = model.get_layer("autorec")
    matrix = np.zeros((layer.num_rows, layer.num_columns))
    matrix[items, users] = ratings
    v, mu = layer.encoder_kernel.numpy(), layer.encoder_bias.numpy()
    w, b = layer.decoder_kernel.numpy(), layer.decoder_bias.numpy()
    rebuilt = _sigmoid(matrix @ v + mu) @ w.T + b + mean
    observed = matrix != 0
    n = observed.sum()
    lam = 2 * n * l2
    objective = np.sum(((matrix - rebuilt) ** 2)[observed]) + lam / 2 * (
        np.sum(w**2) + np.sum(v**2)
    )
    assert loss == pytest.approx(objective / n, rel=1e-5)


@pytest.mark.parametrize("kind", ["item", "user"])
def test_autorec_scores_a_user_or_item_without_ratings_with_the_default(kind):
    model = AutoRec(tiny_implicit_spec(), kind=kind, hidden_units=4, default_rating=3.0,
                    rating_range=None)  # fmt: skip
    model.set_ratings(RATINGS)
    layer = model.get_layer("autorec")
    # Large decoder biases: an untrained column would otherwise leak them.
    layer.decoder_bias.assign(np.full(layer.num_columns, 7.0, np.float32))
    # User 20 and item 8 are in the vocabulary but unrated; 10_000 is unknown.
    users, items = [20, 10_000, 0, 0, 0], [5, 5, 8, 10_000, 5]
    got = model.predict(_inputs(users, items), verbose=0)[:, 0]
    np.testing.assert_array_equal(got[:4], [3.0] * 4)
    assert got[4] != 3.0  # a rated pair is reconstructed


def test_autorec_training_hides_the_fitted_rating_from_its_row():
    model = AutoRec(tiny_implicit_spec(), hidden_units=4, global_mean=3.5, default_rating=3.0,
                    mask_target=True)  # fmt: skip
    model.set_ratings(RATINGS)
    layer = model.get_layer("autorec")
    ids = model.get_layer("features")(_inputs(RATINGS.user_id, RATINGS.item_id))["ids"]
    rows, cols = ids["item_id"].numpy(), ids["user_id"].numpy()
    observed = layer.ratings.numpy()[rows]
    observed[np.arange(len(rows)), cols] = 0.0
    v, mu = layer.encoder_kernel.numpy(), layer.encoder_bias.numpy()
    w, b = layer.decoder_kernel.numpy(), layer.decoder_bias.numpy()
    hidden = _sigmoid(observed @ v + mu)
    expected = np.sum(hidden * w[cols], axis=1) + b[cols] + 3.5
    # Items 7 and 9 have one rating each: masked, their rows are empty.
    expected = np.where(observed.any(axis=1), expected, 3.0)
    assert (expected == 3.0).sum() == 2
    got = model(_inputs(RATINGS.user_id, RATINGS.item_id), training=True).numpy()[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_autorec_scores_unseen_users_and_items_with_the_default():
    model = AutoRec(tiny_implicit_spec(), hidden_units=4, default_rating=3.0)
    model.set_ratings(RATINGS)
    got = model.predict(_inputs([0, 0], [10_000, 8]), verbose=0)[:, 0]
    assert got.tolist() == [3.0, 3.0]  # unknown item; item 8 has no rating


def test_autorec_learns_its_training_ratings():
    # Unmasked, as in the paper: the rows hold the ratings being fitted.
    spec = tiny_implicit_spec()
    model = AutoRec.for_training(
        spec, {"hidden_units": 8, "l2": 0.0},
        make_dataset(RATINGS, spec, label="rating"),
    )  # fmt: skip
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    history = model.fit(make_dataset(RATINGS, spec, label="rating"), epochs=60, verbose=0)
    assert history.history["rmse"][-1] < 0.3 < history.history["rmse"][0]


def test_biased_mf_is_mean_plus_biases_plus_dot_product():
    model = BiasedMF(tiny_implicit_spec(), factors=3, global_mean=3.6)
    inputs = _inputs([0, 2, 29], [5, 7, 1])
    ids = model.get_layer("features")(inputs)["ids"]
    u, i = ids["user_id"].numpy(), ids["item_id"].numpy()

    def rows(layer, feature, index):
        bank = model.get_layer(layer)
        table = next(iter(bank.tables.values())).numpy()
        return table[index + bank.offsets([feature])[0]]

    p, q = rows("factors", "user_id", u), rows("factors", "item_id", i)
    b_u, b_i = rows("biases", "user_id", u)[:, 0], rows("biases", "item_id", i)[:, 0]
    expected = 3.6 + b_u + b_i + np.sum(p * q, axis=1)
    np.testing.assert_allclose(model(inputs).numpy()[:, 0], expected, rtol=1e-5)


def test_training_sets_the_global_mean_and_compiles_for_regression():
    spec = tiny_implicit_spec()
    model = BiasedMF.for_training(spec, {}, make_dataset(RATINGS, spec, label="rating"))
    assert model.global_mean == pytest.approx(RATINGS.rating.mean())
    model.compile()
    assert model.loss == "mean_squared_error" and model.output_name == "rating"
    with pytest.raises(ValueError, match="kind must be one of"):
        AutoRec(spec, kind="both")
