"""MMoE, PLE and AdaTT levels against a NumPy re-computation of their formulas."""

import keras
import numpy as np
import pytest

from tfrank.layers import AdaTTFusion, ExtractionLevel, MixtureOfExperts


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _expert(layer, g, k, x):
    # A linear one-layer expert: x W + b.
    dense = layer.experts[g][k]._stack[0]
    return x @ np.asarray(dense.kernel) + np.asarray(dense.bias)


def _reference(layer, inputs):
    """y_o = sum_k softmax(x_o G_o)_k E_k + sum_j v_j E_j (native group)."""
    groups, outputs = layer.routing()
    experts = [
        [_expert(layer, g, k, inputs[source]) for k in range(count)]
        for g, (source, count) in enumerate(groups)
    ]
    result = []
    for o, (source, members, native) in enumerate(outputs):
        stacked = [e for g in members for e in experts[g]]
        w = _softmax(inputs[source] @ np.asarray(layer.gates[o].kernel))
        y = sum(w[:, k : k + 1] * e for k, e in enumerate(stacked))
        if native is not None:
            v = np.asarray(layer.native_weights[o])
            y = y + sum(v[j] * e for j, e in enumerate(experts[native]))
        result.append(y)
    return result


def _inputs(count, rng, batch=5, width=4):
    return [rng.normal(size=(batch, width)).astype("float32") for _ in range(count)]


def _randomize(layer, rng):
    # Native weights start at one; move them so the test sees them.
    for w in layer.weights:
        w.assign(rng.normal(size=w.shape).astype("float32"))


@pytest.mark.parametrize(
    "layer, num_inputs, num_outputs",
    [
        (MixtureOfExperts(3, 4, [2], activation="linear"), 1, 3),
        (ExtractionLevel(2, 2, 3, [2], activation="linear"), 3, 3),
        (ExtractionLevel(2, 0, 3, [2], activation="linear", output_shared=False), 3, 2),
        (AdaTTFusion(3, 2, [2], activation="linear"), 3, 3),
        (AdaTTFusion(2, 1, [2], activation="linear", shared_experts=2), 3, 3),
    ],
    ids=["mmoe", "ple", "ple-shared-only-last", "adatt-sp", "adatt-shared"],
)
def test_levels_match_numpy(layer, num_inputs, num_outputs):
    rng = np.random.default_rng(0)
    inputs = _inputs(num_inputs, rng)
    layer(inputs if num_inputs > 1 else inputs[0])
    _randomize(layer, rng)
    outputs, gates = layer(inputs if num_inputs > 1 else inputs[0], return_gates=True)
    assert len(outputs) == num_outputs
    for got, want in zip(outputs, _reference(layer, inputs)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
    for g in gates:
        np.testing.assert_allclose(np.asarray(g).sum(-1), 1.0, rtol=1e-6)
    clone = type(layer).from_config(layer.get_config())
    assert clone.routing() == layer.routing()


def test_routing_matches_each_paper():
    # MMoE: every task gates the same shared experts.
    assert MixtureOfExperts(2, 3, [4]).routing() == ([(0, 3)], [(0, [0], None)] * 2)
    # PLE: a task sees its own experts and the shared ones; the shared gate all.
    groups, outputs = ExtractionLevel(2, 1, 2, [4]).routing()
    assert groups == [(0, 1), (1, 1), (2, 2)]
    assert outputs == [(0, [0, 2], None), (1, [1, 2], None), (2, [0, 1, 2], None)]
    # AdaTT: a task sees every expert and adds its own group's residual.
    groups, outputs = AdaTTFusion(2, 2, [4]).routing()
    assert groups == [(0, 2), (1, 2)] and outputs == [(0, [0, 1], 0), (1, [0, 1], 1)]


def test_native_residual_can_start_as_the_sum_of_a_tasks_own_experts():
    layer = AdaTTFusion(2, 1, [3], activation="linear", native_initializer="ones")
    x = np.ones((2, 4), "float32")
    layer([x, x])
    np.testing.assert_array_equal(np.asarray(layer.native_weights[0]), [1.0])


def test_native_residual_starts_off_by_default():
    layer = AdaTTFusion(2, 2, [3], activation="linear")
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    y, gates = layer([x, x], return_gates=True)
    np.testing.assert_array_equal(np.asarray(layer.native_weights[1]), [0.0, 0.0])
    # With v = 0 the output is the gated fusion alone.
    experts = np.stack([_expert(layer, g, k, x) for g in range(2) for k in range(2)], axis=1)
    expected = (np.asarray(gates[1])[..., None] * experts).sum(1)
    np.testing.assert_allclose(np.asarray(y[1]), expected, rtol=1e-5, atol=1e-6)
    restored = AdaTTFusion.from_config(layer.get_config())
    assert keras.initializers.serialize(restored.native_initializer)["class_name"] == "Zeros"


def test_wrong_number_of_inputs_and_bad_sizes_are_clear_errors():
    x = keras.ops.ones((2, 4))
    with pytest.raises(ValueError, match="reads 3 input"):
        ExtractionLevel(2, 1, 1, [3])([x, x])
    with pytest.raises(ValueError, match="num_experts must be at least 1"):
        MixtureOfExperts(2, 0, [3])
    with pytest.raises(ValueError, match="needs task_experts or shared_experts"):
        ExtractionLevel(2, 0, 0, [3])
    with pytest.raises(ValueError, match="num_tasks must be at least 1"):
        AdaTTFusion(0, 1, [3])


def test_a_stacked_model_round_trips_through_a_keras_file(tmp_path):
    x = keras.Input((4,))
    first = ExtractionLevel(2, 1, 2, [6], name="level_0")([x, x, x])
    last = AdaTTFusion(2, 2, [3], shared_experts=1, output_shared=False, name="level_1")(first)
    model = keras.Model(x, [keras.layers.Dense(1)(t) for t in last])
    data = np.random.default_rng(1).normal(size=(7, 4)).astype("float32")
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(model.predict(data, verbose=0), loaded.predict(data, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
