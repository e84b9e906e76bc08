"""SyntheticMultiTask: the MMoE paper's construction, with raw features."""

import numpy as np
import pytest

from tfrank.data import SyntheticMultiTask, make_dataset


def test_scores_follow_the_formula():
    data = SyntheticMultiTask(num_numeric=3, num_categorical=1, cardinality=2, num_sines=2, seed=0)
    z = np.array([[1.0, 0.0, -1.0]])
    w = data.task_weights
    expected = [
        w[t] @ z[0] + sum(np.sin(a * (w[t] @ z[0]) + b) for a, b in zip(data.alphas, data.betas))
        for t in range(2)
    ]
    np.testing.assert_allclose(data.scores(z)[0], expected)
    frame = data.sample(4, seed=3)
    latent = (
        frame[["x0", "x1", "x2"]].to_numpy(np.float64)
        + data.value_vectors[0][frame["c0"].str.split("_").str[1].astype(int)]
    )
    regression = SyntheticMultiTask(
        num_numeric=3, num_categorical=1, cardinality=2, num_sines=2, noise=0.0,
        labels="regression", seed=0,
    )  # fmt: skip
    got = regression.sample(4, seed=3)[["task_1", "task_2"]].to_numpy()
    np.testing.assert_allclose(got, regression.scores(latent), rtol=1e-5, atol=1e-5)


def test_weight_vectors_have_the_requested_cosine_and_norm():
    for rho in (0.0, 0.3, 1.0):
        w = SyntheticMultiTask(task_correlation=rho, scale=2.0, seed=1).task_weights
        np.testing.assert_allclose(np.linalg.norm(w, axis=1), 2.0)
        np.testing.assert_allclose(w[0] @ w[1] / 4.0, rho, atol=1e-12)


def test_label_correlation_falls_with_task_correlation_and_rates_hold():
    def correlation(rho, labels):
        frame = SyntheticMultiTask(task_correlation=rho, labels=labels, seed=0).sample(20_000)
        return np.corrcoef(frame["task_1"], frame["task_2"])[0, 1], frame

    values = [correlation(rho, "regression")[0] for rho in (1.0, 0.5, 0.0)]
    assert values[0] > 0.99 and values[0] > values[1] > values[2] and abs(values[2]) < 0.05
    binary, frame = correlation(1.0, "binary")
    assert binary > 0.3
    for name in ("task_1", "task_2"):
        assert set(np.unique(frame[name])) == {0.0, 1.0}
        assert frame[name].mean() == pytest.approx(0.3, abs=0.02)


def test_held_out_rows_are_fresh_and_reproducible():
    data = SyntheticMultiTask(seed=0)
    train, held_out = data.sample(100), data.sample(100, seed=5)
    assert not np.allclose(train["x0"], held_out["x0"])
    np.testing.assert_array_equal(SyntheticMultiTask(seed=0).sample(100)["x0"], train["x0"])
    np.testing.assert_array_equal(data.sample(100, seed=5)["task_1"], held_out["task_1"])


def test_bad_settings_and_a_label_list_in_the_pipeline():
    with pytest.raises(ValueError, match="task_correlation"):
        SyntheticMultiTask(task_correlation=1.5)
    with pytest.raises(ValueError, match="labels"):
        SyntheticMultiTask(labels="ordinal")
    data = SyntheticMultiTask(seed=0)
    frame = data.sample(10)
    spec = data.feature_spec().fit(frame)
    _, labels = next(iter(make_dataset(frame, spec, data.task_names, batch_size=4)))
    assert sorted(labels) == ["task_1", "task_2"]
    np.testing.assert_array_equal(labels["task_2"].numpy(), frame["task_2"][:4])
    with pytest.raises(ValueError, match="no label column 'task_3'"):
        make_dataset(frame, spec, ["task_1", "task_3"])
