"""Synthetic CTR data with known structure, for training and for proving models."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd


@dataclasses.dataclass
class SyntheticCTR:
    """Generator of click logs from a known logistic model.

    Each categorical field takes Zipf-distributed values (`"c3_17"`, ...), each
    numeric field is a log-normal count. The click logit is

        logit = b + sum_f w_f[v_f] + sum_j a_j z_j              (first order)
              + sum_{(f,g) in P} alpha <u_f[v_f], u_g[v_g]>     (planted pairs)
              + sum_{(f,g,h) in T} beta s_f[v_f] s_g[v_g] s_h[v_h]  (triples)

    with `z_j = log(1 + count_j)` standardized, `u` rank-`cross_rank` factors
    and `s` in {-1, +1} (`triple_values="sign"`, parities) or standard normal
    (`"gaussian"`, smooth trilinear products). With `triple_inputs="numeric"`
    the triples multiply three standardized numerics `z_a z_b z_c` instead
    (the dense-feature crosses of the DCN-v2 paper's synthetic study).
    Pairwise terms are what FM-style models learn; the triple terms are
    what no pairwise model can express, so deep models gain there; a
    first-order model gets neither. `b` is set so that the
    average click rate is `click_rate`. The field `user_id` (field 0) lets
    GAUC be measured.

    Args:
        num_categorical: int. Categorical fields (first is `user_id`).
        num_numeric: int. Numeric fields `n0, n1, ...`.
        cardinality: int or list of int. Values per categorical field.
        num_pairs: int. Planted pairwise crosses.
        num_triples: int. Planted third-order crosses.
        triple_inputs: str. `"categorical"` (per-value factors `s`) or
            `"numeric"` (products of standardized numerics; needs
            `num_numeric >= 3`).
        cross_strength, triple_strength: float. `alpha` and `beta`.
        click_rate: float. Target mean click probability.
        seed: int. Fixes the model (weights, planted crosses) and the rows.

    Example:

    >>> gen = SyntheticCTR(seed=0)
    >>> train = gen.sample(1000)             # DataFrame: label + features
    >>> train.columns.tolist()
    ['label', 'user_id', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11',
     'n0', 'n1', 'n2', 'n3']
    >>> gen.planted_pairs, gen.planted_triples      # field indices, user_id is 0
    ([(0, 2), (1, 6), (1, 10), (2, 11), (5, 6), (8, 11)], [(0, 4, 11), (0, 6, 7)])
    >>> spec = gen.feature_spec(embedding_dim=4).fit(train)
    >>> [f.name for f in spec.crossed]
    ['c1_x_c2', 'c3_x_c4', 'c5_x_c6', 'c7_x_c8', 'c9_x_c10']
    """

    num_categorical: int = 12
    num_numeric: int = 4
    cardinality: int | list = dataclasses.field(
        default_factory=lambda: [2000, 1000, 500, 200, 100, 100, 50, 50, 20, 20, 10, 10]
    )
    num_pairs: int = 6
    num_triples: int = 2
    cross_strength: float = 0.5
    triple_strength: float = 0.6
    cross_rank: int = 2
    triple_values: str = "sign"
    triple_rank: int = 1
    triple_inputs: str = "categorical"
    click_rate: float = 0.25
    seed: int = 0

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        card = self.cardinality
        if isinstance(card, int):
            card = [card] * self.num_categorical
        if len(card) != self.num_categorical:
            raise ValueError(
                f"cardinality has {len(card)} entries for {self.num_categorical} fields."
            )
        self.cardinalities = [int(c) for c in card]
        self.categorical_names = ["user_id"] + [f"c{i}" for i in range(1, self.num_categorical)]
        self.numeric_names = [f"n{j}" for j in range(self.num_numeric)]
        self._first = [rng.normal(0, 0.3, c) for c in self.cardinalities]
        self._factors = [rng.normal(0, 1.0, (c, self.cross_rank)) for c in self.cardinalities]
        if self.triple_values not in ("sign", "gaussian"):
            raise ValueError(
                f"triple_values must be 'sign' or 'gaussian'. Received: {self.triple_values!r}"
            )
        # [c, triple_rank]; rank 1 draws the same numbers as a flat [c] draw.
        self._signs = [
            rng.choice([-1.0, 1.0], (c, 1))
            if self.triple_values == "sign"
            else rng.normal(0, 1, (c, self.triple_rank))
            for c in self.cardinalities
        ]
        self._numeric_weights = rng.normal(0, 0.3, self.num_numeric)
        self._numeric_scale = rng.uniform(0.5, 2.0, self.num_numeric)
        self._popularity = [_zipf(c, 1.05) for c in self.cardinalities]
        self._value_names = [
            np.array([f"{'u' if f == 0 else f'c{f}_'}{i}" for i in range(c)], dtype=object)
            for f, c in enumerate(self.cardinalities)
        ]
        fields = self.num_categorical
        pairs = [(f, g) for f in range(fields) for g in range(f + 1, fields)]
        order = rng.permutation(len(pairs))[: self.num_pairs]
        self.planted_pairs = [pairs[i] for i in sorted(order)]
        if self.triple_inputs not in ("categorical", "numeric"):
            raise ValueError(
                "triple_inputs must be 'categorical' or 'numeric'. "
                f"Received: {self.triple_inputs!r}"
            )
        triple_fields = fields if self.triple_inputs == "categorical" else self.num_numeric
        if triple_fields < 3 and self.num_triples:
            raise ValueError(
                f"num_triples={self.num_triples} needs at least 3 {self.triple_inputs} "
                f"fields; the generator has {triple_fields}."
            )
        if self.triple_inputs == "numeric":
            # Few numerics, so draw distinct triples (a repeat would just scale one).
            combos = list(itertools.combinations(range(triple_fields), 3))
            if self.num_triples > len(combos):
                raise ValueError(
                    f"num_triples={self.num_triples} exceeds the {len(combos)} distinct "
                    f"triples of {triple_fields} numeric fields."
                )
            self.planted_triples = [
                combos[i] for i in rng.permutation(len(combos))[: self.num_triples]
            ]
        else:
            self.planted_triples = [
                tuple(int(f) for f in sorted(rng.choice(triple_fields, 3, replace=False)))
                for _ in range(self.num_triples)
            ]
        self._bias = 0.0
        probe = self._logits(*self._draw(np.random.default_rng(self.seed + 1), 20_000))
        self._bias = _calibrate_bias(probe, self.click_rate)

    def _draw(self, rng, rows):
        ids = np.stack(
            [rng.choice(c, rows, p=p) for c, p in zip(self.cardinalities, self._popularity)],
            axis=1,
        )
        counts = np.floor(
            rng.lognormal(mean=1.0, sigma=self._numeric_scale, size=(rows, self.num_numeric))
        )
        return ids, counts

    def _logits(self, ids, counts):
        logit = np.full(len(ids), self._bias)
        for f in range(self.num_categorical):
            logit += self._first[f][ids[:, f]]
        z = np.log1p(counts)
        z = (z - z.mean(axis=0)) / (z.std(axis=0) + 1e-9)
        logit += z @ self._numeric_weights
        for f, g in self.planted_pairs:
            u, v = self._factors[f][ids[:, f]], self._factors[g][ids[:, g]]
            logit += self.cross_strength * np.sum(u * v, axis=1) / np.sqrt(self.cross_rank)
        for f, g, h in self.planted_triples:
            if self.triple_inputs == "numeric":
                logit += self.triple_strength * z[:, f] * z[:, g] * z[:, h]
                continue
            product = self._signs[f][ids[:, f]] * self._signs[g][ids[:, g]]
            product = np.sum(product * self._signs[h][ids[:, h]], axis=1)
            logit += self.triple_strength * product / np.sqrt(self._signs[f].shape[1])
        return logit

    def sample(self, rows: int, seed: int | None = None, with_probability=False):
        """Draws `rows` rows; `seed` defaults to the generator's seed + 2.

        With `with_probability=True` a column `true_probability` holds the
        click probability the labels were drawn from (its AUC is the best any
        model can reach).
        """
        rng = np.random.default_rng(self.seed + 2 if seed is None else seed)
        ids, counts = self._draw(rng, rows)
        prob = 1.0 / (1.0 + np.exp(-self._logits(ids, counts)))
        frame = {"label": (rng.random(rows) < prob).astype(np.int64)}
        for f, name in enumerate(self.categorical_names):
            frame[name] = self._value_names[f][ids[:, f]]
        for j, name in enumerate(self.numeric_names):
            frame[name] = counts[:, j].astype(np.float32)
        if with_probability:
            frame["true_probability"] = prob
        return pd.DataFrame(frame)

    def feature_spec(self, embedding_dim: int = 16):
        """A spec for this data: all fields, log-transformed counts, and hashed
        crosses of adjacent field pairs for wide models (chosen without
        looking at the planted crosses, as a user would)."""
        from tfrank.features import CategoricalFeature, CrossedFeature, FeatureSpec, NumericFeature

        features = [
            CategoricalFeature(n, embedding_dim=embedding_dim) for n in self.categorical_names
        ]
        features += [
            NumericFeature(n, log_transform=True, embedding_dim=embedding_dim)
            for n in self.numeric_names
        ]
        names = self.categorical_names
        features += [
            CrossedFeature(f"{names[i]}_x_{names[i + 1]}", [names[i], names[i + 1]], 10_000)
            for i in range(1, len(names) - 1, 2)
        ]
        return FeatureSpec(features)


def _zipf(n, exponent):
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def _calibrate_bias(logits, rate):
    low, high = -20.0, 20.0
    for _ in range(60):
        mid = (low + high) / 2
        if np.mean(1 / (1 + np.exp(-(logits + mid)))) > rate:
            high = mid
        else:
            low = mid
    return (low + high) / 2
