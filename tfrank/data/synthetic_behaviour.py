"""Synthetic behaviour logs with interest drift and long-range revisits."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from tfrank.data.behaviour_samples import build_samples
from tfrank.features.categorical_feature import CategoricalFeature
from tfrank.features.feature_spec import FeatureSpec
from tfrank.features.numeric_feature import NumericFeature
from tfrank.features.sequence_feature import SequenceFeature


@dataclasses.dataclass
class SyntheticBehaviour:
    """Click logs whose next click is predictable only from the history.

    Each user likes `interests` categories. Clicks come in sessions of one
    current interest, which drifts to another liked category with
    probability `drift` after each click (so recent behaviours tell the
    next click's category better than old ones: what DIEN's interest
    evolution models). A click is

    - with probability `revisit` (once the user has `revisit_gap` older
      clicks), a re-click of an item the user clicked at least
      `revisit_gap` clicks ago, uniformly among those: a long-range
      dependency that a model reading only the last `revisit_gap`
      behaviours cannot see, but a search of the whole history by the
      candidate's category (SIM) can;
    - otherwise a new draw from the current category, Zipf-popular items
      first.

    Samples (`samples()`) pair each click with sampled unclicked items
    (label 0) and the history before it; a candidate from the current
    interest's category, or one clicked long ago, is the click.

    Args:
        num_users: int. Defaults to `2000`.
        num_items, num_categories: int. Defaults to `2000`, `40`.
        interests: int. Liked categories per user. Defaults to `4`.
        min_events, max_events: int. Clicks per user, uniform. Defaults to
            `20`, `120`.
        drift: float. Defaults to `0.15`.
        revisit: float. Defaults to `0.2`.
        revisit_gap: int. Defaults to `50`.
        seed: int.

    Example:

    >>> data = SyntheticBehaviour(num_users=20, num_items=40, num_categories=5, seed=0)
    >>> train, test = data.samples(max_history=8)
    >>> len(test)                  # each user's last click and one sampled non-click
    40
    >>> test.columns.tolist()
    ['user_id', 'item_id', 'category', 'timestamp', 'history_items', 'history_categories',
     'history_times', 'label']
    >>> spec = data.feature_spec(max_length=8, embedding_dim=4).fit(train)
    >>> spec.input_names
    ['user_id', 'item_id', 'category', 'history_items', 'history_categories', 'history_times']
    """

    num_users: int = 2000
    num_items: int = 2000
    num_categories: int = 40
    interests: int = 4
    min_events: int = 20
    max_events: int = 120
    drift: float = 0.15
    revisit: float = 0.2
    revisit_gap: int = 50
    seed: int = 0

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.item_category = rng.integers(self.num_categories, size=self.num_items)
        self._by_category = [
            rng.permutation(np.flatnonzero(self.item_category == c))
            for c in range(self.num_categories)
        ]

    def events(self) -> pd.DataFrame:
        """The log: `user_id`, `item_id`, `category`, `timestamp` (seconds)."""
        rng = np.random.default_rng(self.seed + 1)
        columns = {"user_id": [], "item_id": [], "timestamp": []}
        for user in range(self.num_users):
            clicks = self._user_clicks(rng)
            columns["user_id"].append(np.full(len(clicks), user))
            columns["item_id"].append(clicks)
            gaps = rng.exponential(3600.0, size=len(clicks))
            columns["timestamp"].append(1.6e9 + np.cumsum(gaps).round())
        frame = pd.DataFrame({k: np.concatenate(v) for k, v in columns.items()})
        frame = frame.astype({"user_id": np.int64, "item_id": np.int64})
        frame.insert(2, "category", self.item_category[frame["item_id"].to_numpy()])
        return frame

    def _user_clicks(self, rng) -> np.ndarray:
        liked = rng.choice(self.num_categories, size=self.interests, replace=False)
        current = rng.choice(liked)
        n = int(rng.integers(self.min_events, self.max_events + 1))
        clicks = np.empty(n, np.int64)
        for t in range(n):
            if t >= self.revisit_gap and rng.random() < self.revisit:
                clicks[t] = clicks[rng.integers(t - self.revisit_gap + 1)]
                continue
            pool = self._by_category[current]
            # Zipf-like popularity within the category.
            rank = min(int(rng.zipf(1.5)) - 1, len(pool) - 1)
            clicks[t] = pool[rank] if rng.random() < 0.5 else pool[rng.integers(len(pool))]
            if rng.random() < self.drift:
                current = rng.choice(liked[liked != current])
        return clicks

    def samples(self, max_history=100, negatives=1, same_category=False, **kwargs):
        """`(train, test)` from `build_samples` (each user's last click is
        test); `kwargs` go to it (`targets_per_user`, `min_history`)."""
        return build_samples(
            self.events(), max_history=max_history, negatives=negatives,
            same_category=same_category, seed=self.seed, **kwargs,
        )  # fmt: skip

    @staticmethod
    def feature_spec(max_length=50, embedding_dim=16) -> FeatureSpec:
        """The behaviour models' default spec (unfitted): user, candidate item
        and category, and the item / category / time histories."""
        return behaviour_feature_spec(max_length, embedding_dim)


def behaviour_feature_spec(
    max_length=50, embedding_dim=16, user=True, category=True, dtype="int64", target_time=False
) -> FeatureSpec:
    """Spec of `build_samples` frames: `user_id`, `item_id`, `category` and
    the three history columns (items and categories share the candidate's
    tables; times are aligned with the items). `category=False` for logs
    without categories; `dtype`: of the ids, `"int64"` or `"string"`, or a
    mapping `{column: dtype}` for `user_id`, `item_id` and `category`;
    `target_time=True` adds the sample's `timestamp` as a numeric feature
    (SIM measures the ages of behaviours from it)."""
    dtypes = dtype if isinstance(dtype, dict) else {}

    def feature(name):
        return CategoricalFeature(
            name, dtype=dtypes.get(name, "int64" if dtypes else dtype), embedding_dim=embedding_dim
        )

    features = [
        feature("item_id"),
        SequenceFeature("history_items", shares="item_id", max_length=max_length),
    ]
    if category:
        features[1:1] = [feature("category")]
        features.append(
            SequenceFeature(
                "history_categories", shares="category", max_length=max_length,
                length_from="history_items",
            )
        )  # fmt: skip
    features.append(
        SequenceFeature("history_times", max_length=max_length, length_from="history_items")
    )
    if user:
        features.insert(0, feature("user_id"))
    if target_time:
        features.append(NumericFeature("timestamp"))
    return FeatureSpec(features)
