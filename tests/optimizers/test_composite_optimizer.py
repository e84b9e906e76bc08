import keras
import numpy as np
import pytest

from tfrank.optimizers import CompositeOptimizer


def _model():
    inputs = keras.Input((3,))
    wide = keras.layers.Dense(1, name="wide")(inputs)
    deep = keras.layers.Dense(1, name="deep")(keras.layers.Dense(4, name="hidden")(inputs))
    return keras.Model(inputs, wide + deep)


def _composite():
    return CompositeOptimizer(
        {"wide/": keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.01)},
        default=keras.optimizers.Adagrad(0.05),
    )


def test_each_part_moves_exactly_as_its_own_optimizer():
    keras.utils.set_random_seed(0)
    model = _model()
    grads = [
        np.random.default_rng(i).normal(size=v.shape).astype("float32")
        for i, v in enumerate(model.trainable_variables)
    ]
    before = [v.numpy().copy() for v in model.trainable_variables]
    optimizer = _composite()
    for _ in range(3):
        optimizer.apply(grads, model.trainable_variables)

    # Reference: the same updates by stand-alone optimizers on copies.
    ftrl = keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.01)
    adagrad = keras.optimizers.Adagrad(0.05)
    for optimizer_ref, prefix in ((ftrl, True), (adagrad, False)):
        pairs = [
            (g, b)
            for g, b, v in zip(grads, before, model.trainable_variables)
            if v.path.startswith("wide/") == prefix
        ]
        copies = [keras.Variable(b) for _, b in pairs]
        for _ in range(3):
            optimizer_ref.apply([g for g, _ in pairs], copies)
        actual = [
            v.numpy() for v in model.trainable_variables if v.path.startswith("wide/") == prefix
        ]
        for got, want in zip(actual, copies):
            np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    assert int(optimizer.iterations.numpy()) == 3
    assert int(optimizer.routes["wide/"].iterations.numpy()) == 3


def test_fit_save_and_reload_keeps_optimizer_state(tmp_path):
    model = _model()
    model.compile(optimizer=_composite(), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, epochs=2, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.optimizer, CompositeOptimizer)
    for a, b in zip(model.optimizer.variables, reloaded.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    reloaded.fit(x, y, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        model.predict(x, verbose=0), reloaded.predict(x, verbose=0), rtol=1e-5
    )


def test_rejects_own_hyperparameters():
    with pytest.raises(ValueError, match="sub-optimizers"):
        CompositeOptimizer({"wide/": "ftrl"}, default="adagrad", clipnorm=1.0)
