import keras
import numpy as np
import pytest
import tensorflow as tf

from tfrank.optimizers import LazyAdam


def _reference(table, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-7):
    """NumPy LazyAdam: moments and weights of the rows each step reads."""
    w, m, v = table.copy(), np.zeros_like(table), np.zeros_like(table)
    for t, (indices, values) in enumerate(steps, 1):
        g = np.zeros_like(table)
        np.add.at(g, indices, values)
        rows = np.unique(indices)
        m[rows] = b1 * m[rows] + (1 - b1) * g[rows]
        v[rows] = b2 * v[rows] + (1 - b2) * g[rows] ** 2
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w[rows] -= alpha * m[rows] / (np.sqrt(v[rows]) + eps)
    return w


def test_sparse_steps_match_numpy_reference_with_repeated_rows():
    table = np.arange(12, dtype="float32").reshape(6, 2) / 10
    steps = [
        (np.array([1, 3, 1]), np.array([[1.0, -2.0], [0.5, 0.5], [2.0, 1.0]], "float32")),
        (np.array([3, 4]), np.array([[-1.0, 1.0], [0.25, 0.0]], "float32")),
        (np.array([1]), np.array([[0.5, -0.5]], "float32")),
    ]
    variable = keras.Variable(table)
    optimizer = LazyAdam(learning_rate=0.1)
    for indices, values in steps:
        grad = tf.IndexedSlices(tf.constant(values), tf.constant(indices), tf.constant([6, 2]))
        optimizer.apply([grad], [variable])
    expected = _reference(table, steps)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)
    # Rows 0, 2 and 5 were never read: weights and moments untouched.
    np.testing.assert_array_equal(variable.numpy()[[0, 2, 5]], table[[0, 2, 5]])
    assert not np.any(optimizer._momentums[0].numpy()[[0, 2, 5]])


def test_row_moments_do_not_decay_when_unread():
    # Adam would keep moving row 0 on step 2 (its moment decays but stays
    # non-zero); LazyAdam leaves it where step 1 put it.
    variable = keras.Variable(np.zeros((3, 1), "float32"))
    optimizer = LazyAdam(learning_rate=0.1)
    first = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]), tf.constant([3, 1]))
    optimizer.apply([first], [variable])
    after_first = variable.numpy()[0, 0]
    second = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([2]), tf.constant([3, 1]))
    optimizer.apply([second], [variable])
    assert variable.numpy()[0, 0] == after_first
    # Bias correction uses the global step (t = 2), as in Adam.
    alpha = 0.1 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    assert variable.numpy()[2, 0] == pytest.approx(-alpha * 0.1 / np.sqrt(0.001), rel=1e-4)


def test_dense_gradients_are_keras_adam():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(4, 3)).astype("float32")
    grads = [rng.normal(size=(4, 3)).astype("float32") for _ in range(3)]
    lazy, plain = keras.Variable(start), keras.Variable(start)
    lazy_opt, plain_opt = LazyAdam(0.05), keras.optimizers.Adam(0.05)
    for g in grads:
        lazy_opt.apply([g], [lazy])
        plain_opt.apply([g], [plain])
    np.testing.assert_allclose(lazy.numpy(), plain.numpy(), rtol=1e-6)


def test_trains_an_embedding_model_and_round_trips_its_config():
    keras.utils.set_random_seed(0)
    ids = keras.Input((), dtype="int32")
    hidden = keras.layers.Embedding(50, 4)(ids)
    model = keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(hidden))
    x = np.arange(200) % 50
    y = (x % 2).astype("float32")
    model.compile(LazyAdam(0.05), "binary_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    config = model.optimizer.get_config()
    restored = LazyAdam.from_config(config)
    assert restored.get_config() == config
    with pytest.raises(ValueError, match="amsgrad"):
        LazyAdam(amsgrad=True)


def _spec(buckets):
    import pandas as pd

    from tfrank import CategoricalFeature, FeatureSpec, NumericFeature

    spec = FeatureSpec(
        [
            CategoricalFeature("site", dtype="int64", hash_buckets=buckets, embedding_dim=4),
            NumericFeature("price", embedding_dim=4),
        ]
    )
    frame = pd.DataFrame({"site": np.arange(64) % 7, "price": np.linspace(0, 1, 64)})
    return spec.fit(frame), frame


def test_models_default_to_lazy_adam_only_for_large_tables(tmp_path):
    from tfrank.data import make_dataset
    from tfrank.models import DeepFM
    from tfrank.optimizers.lazy_adam import LAZY_ADAM_MIN_ROWS

    small, _ = _spec(1000)
    assert type(DeepFM(small).default_optimizer()) is keras.optimizers.Adam
    large, frame = _spec(LAZY_ADAM_MIN_ROWS)
    model = DeepFM(large, hidden_units=[4])
    model.compile()
    assert isinstance(model.optimizer, LazyAdam)
    frame["label"] = (frame["site"] % 2).astype("float32")
    dataset = make_dataset(frame, large, "label", batch_size=16)
    model.fit(dataset, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.optimizer, LazyAdam)
    features = make_dataset(frame, large, None, batch_size=64)
    np.testing.assert_allclose(
        reloaded.predict(features, verbose=0), model.predict(features, verbose=0), rtol=1e-6
    )
