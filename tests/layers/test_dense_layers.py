import keras
import numpy as np

from tfrank.layers import LinearTerm, MLPBlock, NumericEmbedding


def test_linear_term_matches_reference():
    term = LinearTerm(
        [{"name": "a", "vocabulary_size": 3}, {"name": "b", "vocabulary_size": 2}],
        num_numeric=2,
    )
    ids = {"a": np.array([0, 2]), "b": np.array([1, 0])}
    x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype="float32")
    term(ids, x)
    table = np.array([[0.1], [0.2], [0.3], [1.0], [2.0]], dtype="float32")
    term.id_weights.assign(table)
    term.numeric_kernel.assign([[0.5], [-1.0]])
    term.bias.assign([0.25])
    expected = 0.25 + table[ids["a"], 0] + table[3 + ids["b"], 0] + x @ np.array([0.5, -1.0])
    out = keras.ops.convert_to_numpy(term(ids, x))
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-6)


def test_mlp_block_matches_numpy_and_round_trips(tmp_path):
    block = MLPBlock([3, 2], activation="relu")
    x = np.array([[1.0, -2.0], [0.5, 0.5]], dtype="float32")
    block(x)
    dense = [layer for layer in block._stack if isinstance(layer, keras.layers.Dense)]
    rng = np.random.default_rng(0)
    weights = []
    for layer in dense:
        w = [rng.normal(size=v.shape).astype("float32") for v in layer.weights]
        layer.set_weights(w)
        weights.append(w)
    h = np.maximum(x @ weights[0][0] + weights[0][1], 0)
    h = np.maximum(h @ weights[1][0] + weights[1][1], 0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(block(x)), h, rtol=1e-5)

    inputs = keras.Input((2,))
    model = keras.Model(inputs, MLPBlock([4, 3], dropout=0.2, batch_norm=True)(inputs))
    path = str(tmp_path / "mlp.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    probe = rng.normal(size=(5, 2)).astype("float32")
    np.testing.assert_array_equal(
        model.predict(probe, verbose=0), reloaded.predict(probe, verbose=0)
    )


def test_numeric_embedding_scales_vectors():
    layer = NumericEmbedding(2)
    x = np.array([[2.0, -1.0]], dtype="float32")
    layer(x)
    layer.embeddings.assign([[1.0, 2.0], [3.0, 4.0]])
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, [[[2.0, 4.0], [-3.0, -4.0]]])


def test_residual_unit_matches_numpy():
    from tfrank.layers import ResidualUnit

    layer = ResidualUnit(3)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 2)).astype("float32")
    layer(x)
    w0, b0 = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    w1, b1 = rng.normal(size=(3, 2)), rng.normal(size=(2,))
    for name, value in dict(inner_kernel=w0, inner_bias=b0, outer_kernel=w1, outer_bias=b1).items():
        getattr(layer, name).assign(value)
    expected = np.maximum(x + np.maximum(x @ w0 + b0, 0) @ w1 + b1, 0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-5)
