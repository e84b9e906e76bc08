"""Two (or more) tasks with a controllable correlation, after the MMoE paper."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd


@dataclasses.dataclass
class SyntheticMultiTask:
    """Generator of rows with one label per task whose relatedness is set.

    As in the MMoE paper's synthetic study (Ma et al., 2018, sec. 3.2), with
    raw features: the latent input is

        z = x + sum_f u_f[v_f]          x ~ N(0, I_d) the numerics, u_f[v] a
                                        random vector per categorical value

    and task `t` scores

        s_t = w_t^T z + sum_{j=1..m} sin(alpha_j w_t^T z + beta_j) + eps_t

    with `w_1 = c e_1`, `w_t = c (rho e_1 + sqrt(1 - rho^2) e_t)` for orthonormal
    `e_t`: `rho = task_correlation` is the cosine between the tasks' weight
    vectors (1.0: the same task up to noise; 0.0: unrelated tasks), the
    sines make the tasks nonlinear so correlated labels do not follow from
    a shared linear model. Labels are clicks drawn with probability
    `sigmoid(2 (s_t - mean) / std + b_t)`, `b_t` set so that a share
    `positive_rate` is positive (`labels="binary"`), or the scores
    themselves (`"regression"`, as in the paper).

    Args:
        task_correlation: float in [0, 1]. Defaults to `0.5`.
        num_tasks: int. Defaults to `2` (labels `task_1`, `task_2`, ...).
        num_numeric: int. `d`, numerics `x0..`. Defaults to `8`.
        num_categorical: int. Fields `c0..` with `cardinality` values.
            Defaults to `4`.
        cardinality: int. Defaults to `100`.
        num_sines: int. `m`. Defaults to `10`.
        scale: float. `c`. Defaults to `1.0`.
        noise: float. Std of `eps_t`. Defaults to `0.1`.
        labels: `"binary"` or `"regression"`. Defaults to `"binary"`.
        positive_rate: float. Expected share of positive labels. Defaults to `0.3`.
        seed: int. Fixes the tasks (weights, sines, value vectors) and rows.

    Example:

    >>> data = SyntheticMultiTask(task_correlation=0.5, num_numeric=2, seed=0)
    >>> frame = data.sample(256)
    >>> frame.columns.tolist()
    ['x0', 'x1', 'c0', 'c1', 'c2', 'c3', 'task_1', 'task_2']
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> spec.input_names, data.task_names
    (['c0', 'c1', 'c2', 'c3', 'x0', 'x1'], ['task_1', 'task_2'])
    """

    task_correlation: float = 0.5
    num_tasks: int = 2
    num_numeric: int = 8
    num_categorical: int = 4
    cardinality: int = 100
    num_sines: int = 10
    scale: float = 1.0
    noise: float = 0.1
    labels: str = "binary"
    positive_rate: float = 0.3
    seed: int = 0

    def __post_init__(self):
        if not 0.0 <= self.task_correlation <= 1.0:
            raise ValueError(f"task_correlation must be in [0, 1]; got {self.task_correlation}.")
        if self.labels not in ("binary", "regression"):
            raise ValueError(f"labels must be 'binary' or 'regression'; got {self.labels!r}.")
        if not 1 <= self.num_tasks <= self.num_numeric:
            raise ValueError("num_tasks must be between 1 and num_numeric (orthogonal directions).")
        rng = np.random.default_rng(self.seed)
        d = self.num_numeric
        basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
        rho = self.task_correlation
        directions = [basis[:, 0]] + [
            rho * basis[:, 0] + np.sqrt(1 - rho**2) * basis[:, t] for t in range(1, self.num_tasks)
        ]
        self.task_weights = np.stack(directions) * self.scale
        self.alphas = rng.normal(size=self.num_sines)
        self.betas = rng.normal(size=self.num_sines)
        # Value vectors as large as the numerics' contribution, split over fields.
        spread = 1.0 / np.sqrt(max(1, self.num_categorical))
        self.value_vectors = rng.normal(
            scale=spread, size=(self.num_categorical, self.cardinality, d)
        )
        # Standardization of the scores, fixed by the generator so that every
        # sample (training or held out) draws labels the same way.
        reference = self._latent(np.random.default_rng(self.seed + 1), 100_000)[0]
        reference = self.scores(reference)
        self.score_mean, self.score_std = reference.mean(0), reference.std(0)
        self.label_bias = _bias_for_rate(
            2.0 * (reference - self.score_mean) / self.score_std, self.positive_rate
        )
        self._rng = rng

    @property
    def task_names(self) -> list[str]:
        return [f"task_{t + 1}" for t in range(self.num_tasks)]

    def sample(self, rows: int, seed: int | None = None) -> pd.DataFrame:
        """`rows` rows: numerics `x0..`, categoricals `c0..` (strings) and one
        label column per task. A `seed` draws rows independent of the
        generator's own stream (held-out data)."""
        rng = self._rng if seed is None else np.random.default_rng(seed)
        z, x, values = self._latent(rng, rows)
        scores = self.scores(z) + rng.normal(scale=self.noise, size=(rows, self.num_tasks))
        frame = {f"x{j}": x[:, j].astype(np.float32) for j in range(self.num_numeric)}
        for f in range(self.num_categorical):
            frame[f"c{f}"] = np.char.add(f"c{f}_", values[:, f].astype(str))
        if self.labels == "binary":
            standardized = (scores - self.score_mean) / self.score_std
            p = 1.0 / (1.0 + np.exp(-(2.0 * standardized + self.label_bias)))
            scores = (rng.random(p.shape) < p).astype(np.float32)
        for t, name in enumerate(self.task_names):
            frame[name] = scores[:, t].astype(np.float32)
        return pd.DataFrame(frame)

    def _latent(self, rng, rows):
        x = rng.normal(size=(rows, self.num_numeric))
        values = rng.integers(0, self.cardinality, size=(rows, self.num_categorical))
        z = x.copy()
        for f in range(self.num_categorical):
            z += self.value_vectors[f][values[:, f]]
        return z, x, values

    def scores(self, z: np.ndarray) -> np.ndarray:
        """Noise-free `s_t` of latent inputs `z` `[rows, d]`: `[rows, tasks]`."""
        linear = z @ self.task_weights.T
        waves = np.sin(linear[..., None] * self.alphas + self.betas).sum(-1)
        return linear + waves

    def feature_spec(self, embedding_dim: int = 8):
        from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature

        features = [
            CategoricalFeature(f"c{f}", embedding_dim=embedding_dim)
            for f in range(self.num_categorical)
        ]
        features += [
            NumericFeature(f"x{j}", embedding_dim=embedding_dim) for j in range(self.num_numeric)
        ]
        return FeatureSpec(features)


def _bias_for_rate(logits: np.ndarray, rate: float) -> np.ndarray:
    """Per column, the offset `b` with mean(sigmoid(logits + b)) = rate (bisection)."""
    low, high = np.full(logits.shape[1], -20.0), np.full(logits.shape[1], 20.0)
    for _ in range(60):
        mid = (low + high) / 2
        above = (1.0 / (1.0 + np.exp(-(logits + mid)))).mean(0) > rate
        high, low = np.where(above, mid, high), np.where(above, low, mid)
    return (low + high) / 2
