"""Synthetic implicit feedback with planted user and item factors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from tfrank.data.implicit_feedback import ImplicitFeedback, leave_one_out


@dataclasses.dataclass
class SyntheticCF:
    """Users who pick items by a known low-rank affinity.

    User `u` interacts with `n_u` distinct items drawn without replacement
    with probability proportional to `exp(s(u, i))` (Gumbel top-k), where

        s(u, i) = strength * <p_u, q_i> / sqrt(rank) + log popularity_i

    `p, q` are standard normal rank-`rank` factors and popularity is Zipf,
    so a model that learns the factors ranks held-out items far above a
    popularity ranking, which in turn beats chance. `n_u` is drawn
    log-normally around `interactions` (at least 3).

    Args:
        num_users, num_items: int. Defaults to `2000`, `1000`.
        interactions: int. Median interactions per user. Defaults to `30`.
        rank: int. Factor rank. Defaults to `8`.
        strength: float. Weight of the factors. Defaults to `2.0`.
        seed: int.

    Example:

    >>> generator = SyntheticCF(num_users=40, num_items=30, seed=0)
    >>> data = generator.implicit_feedback(num_negatives=10)   # leave-one-out
    >>> len(data.test), data.test_negatives.shape              # one held-out item per user
    (40, (40, 10))
    >>> ratings = generator.ratings_frame()
    >>> ratings.columns.tolist(), sorted(ratings["rating"].unique().tolist())
    (['user_id', 'item_id', 'rating'], [1.0, 2.0, 3.0, 4.0, 5.0])
    """

    num_users: int = 2000
    num_items: int = 1000
    interactions: int = 30
    rank: int = 8
    strength: float = 2.0
    seed: int = 0

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.user_factors = rng.normal(size=(self.num_users, self.rank))
        self.item_factors = rng.normal(size=(self.num_items, self.rank))
        popularity = 1.0 / np.arange(1, self.num_items + 1) ** 0.8
        self.log_popularity = np.log(rng.permutation(popularity / popularity.sum()))

    def affinity(self, users, items) -> np.ndarray:
        """`s(u, i)` for aligned arrays of user and item indices."""
        dot = np.sum(self.user_factors[users] * self.item_factors[items], axis=-1)
        return self.strength * dot / np.sqrt(self.rank) + self.log_popularity[items]

    def interactions_frame(self) -> pd.DataFrame:
        """All interactions: `user_id`, `item_id` (int64), `timestamp` (order of the picks)."""
        rng = np.random.default_rng(self.seed + 1)
        scores = self.strength * self.user_factors @ self.item_factors.T / np.sqrt(self.rank)
        scores += self.log_popularity
        keys = scores + rng.gumbel(size=scores.shape)
        counts = np.clip(
            np.round(rng.lognormal(np.log(self.interactions), 0.5, self.num_users)),
            3,
            self.num_items - 1,
        ).astype(int)
        top = np.argsort(-keys, axis=1)[:, : counts.max()]
        users = np.repeat(np.arange(self.num_users), counts)
        # Row-major boolean indexing keeps each user's first counts[u] picks.
        picks = top[np.arange(top.shape[1])[None, :] < counts[:, None]]
        timestamp = rng.permutation(len(users))
        return pd.DataFrame(
            {"user_id": users.astype(np.int64), "item_id": picks.astype(np.int64),
             "timestamp": timestamp.astype(np.int64)}
        )  # fmt: skip

    def ratings_frame(self, noise: float = 0.5) -> pd.DataFrame:
        """Explicit ratings of the interactions: `user_id`, `item_id`, `rating`
        in 1..5, `round(3.5 + 0.8 z + b_u + noise)` with `z` the standardized
        factor affinity and `b_u ~ N(0, 0.4)` a per-user offset."""
        frame = self.interactions_frame()
        rng = np.random.default_rng(self.seed + 2)
        users, items = frame["user_id"].to_numpy(), frame["item_id"].to_numpy()
        dot = np.sum(self.user_factors[users] * self.item_factors[items], axis=1)
        z = (dot - dot.mean()) / dot.std()
        offset = rng.normal(0, 0.4, self.num_users)[users]
        rating = np.clip(np.round(3.5 + 0.8 * z + offset + rng.normal(0, noise, len(z))), 1, 5)
        return frame.assign(rating=rating.astype(np.float32)).drop(columns="timestamp")

    def implicit_feedback(self, num_negatives: int = 99) -> ImplicitFeedback:
        """Leave-one-out split (latest pick per user) with `num_negatives`
        sampled non-interacted items per test user."""
        from tfrank.data.negative_sampler import NegativeSampler

        frame = self.interactions_frame()
        train, test = leave_one_out(frame, time="timestamp")
        items = np.arange(self.num_items, dtype=np.int64)
        sampler = NegativeSampler(frame, items, seed=self.seed)
        negatives = sampler.negatives_for(test["user_id"].to_numpy(), num_negatives, self.seed)
        return ImplicitFeedback(
            train[["user_id", "item_id"]], test[["user_id", "item_id"]], negatives, items,
            name=f"synthetic implicit (seed {self.seed})",
        )  # fmt: skip
