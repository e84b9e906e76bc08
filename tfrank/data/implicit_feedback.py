"""Implicit feedback: positive (user, item) pairs with a leave-one-out test set."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd


@dataclasses.dataclass
class ImplicitFeedback:
    """What the collaborative-filtering models train and are ranked on.

    Attributes:
        train: positive interactions, columns `user_id` and `item_id`.
        test: the held-out interaction of each evaluated user (same columns).
        test_negatives: `[len(test), n]` item ids to rank each held-out item
            against (the NCF protocol: 99 sampled items), or `None` to rank
            against every item the user has not interacted with.
        items: every item id of the catalogue (the candidates of full ranking
            and of negative sampling).
        name: the data spec it came from.

    Example:

    >>> data = ImplicitFeedback(
    ...     train=pd.DataFrame({"user_id": [0, 0, 1], "item_id": [0, 1, 1]}),
    ...     test=pd.DataFrame({"user_id": [0, 1], "item_id": [2, 3]}),
    ...     test_negatives=np.array([[3], [2]]),     # each test item ranked against these
    ...     items=np.arange(4))
    >>> spec = data.feature_spec(embedding_dim=4).fit(data.vocabulary_frame())
    >>> spec["item_id"].vocabulary         # every catalogue item, test-only ones too
    [1, 0, 2, 3]
    """

    train: pd.DataFrame
    test: pd.DataFrame
    test_negatives: np.ndarray | None
    items: np.ndarray
    name: str = ""

    def __post_init__(self):
        for part in ("train", "test"):
            frame = getattr(self, part)
            missing = {"user_id", "item_id"} - set(frame.columns)
            if missing:
                raise ValueError(f"{part} needs columns user_id and item_id; missing {missing}.")
        if self.test_negatives is not None and len(self.test_negatives) != len(self.test):
            raise ValueError(
                f"test_negatives has {len(self.test_negatives)} rows for {len(self.test)} "
                "test interactions."
            )

    def feature_spec(self, embedding_dim: int = 8):
        """int64 or string `user_id` and `item_id` features whose vocabularies
        hold every training user and every catalogue item."""
        from tfrank.features import CategoricalFeature, FeatureSpec

        return FeatureSpec(
            [
                CategoricalFeature(
                    name,
                    dtype="string" if self.train[name].dtype == object else "int64",
                    embedding_dim=embedding_dim,
                )
                for name in ("user_id", "item_id")
            ]
        )

    def vocabulary_frame(self) -> pd.DataFrame:
        """Rows to fit the spec on: the training pairs plus one row per
        catalogue item, so an item seen only in test still gets its own id."""
        catalogue = pd.DataFrame({"user_id": self.train["user_id"].iloc[0], "item_id": self.items})
        return pd.concat([self.train[["user_id", "item_id"]], catalogue], ignore_index=True)

    def validation_split(self, seed: int = 0, negatives: int = 99) -> tuple:
        """Moves one training interaction per user (with two or more) into a
        validation set with `negatives` sampled non-interacted items, for
        early stopping without looking at the test set.

        Returns `(ImplicitFeedback of the rest, validation ImplicitFeedback)`.
        """
        rng = np.random.default_rng(seed)
        train = self.train.reset_index(drop=True)
        counts = train.groupby("user_id")["item_id"].transform("size").to_numpy()
        # A random row per user: the row with the smallest random key.
        keys = pd.Series(rng.random(len(train)))
        keys[counts < 2] = np.inf
        picked = keys.groupby(train["user_id"]).idxmin().to_numpy()
        picked = picked[np.isfinite(keys.to_numpy()[picked])]
        held = train.loc[picked].reset_index(drop=True)
        rest = train.drop(index=picked).reset_index(drop=True)
        from tfrank.data.negative_sampler import NegativeSampler

        sampler = NegativeSampler(train, self.items, num_negatives=negatives, seed=seed)
        held_negatives = sampler.negatives_for(held["user_id"].to_numpy(), negatives, seed)
        return (
            dataclasses.replace(self, train=rest),
            ImplicitFeedback(rest, held, held_negatives, self.items, f"{self.name} (validation)"),
        )


def leave_one_out(frame: pd.DataFrame, time: str | None = None, seed: int = 0):
    """`(train, test)`: each user's latest interaction (by `time`, or a random
    one without it) is the test row; users with one interaction stay in train.

    Example:

    >>> frame = pd.DataFrame({"user_id": [0, 0, 1], "item_id": [5, 6, 7], "time": [2, 1, 1]})
    >>> train, test = leave_one_out(frame, time="time")
    >>> train["item_id"].tolist(), test["item_id"].tolist()
    ([6, 7], [5])
    """
    frame = frame.reset_index(drop=True)
    order = frame[time].to_numpy() if time else np.random.default_rng(seed).random(len(frame))
    counts = frame.groupby("user_id")["item_id"].transform("size").to_numpy()
    last = pd.Series(np.where(counts > 1, order, -np.inf)).groupby(frame["user_id"]).idxmax()
    last = last.to_numpy()[counts[last.to_numpy()] > 1]
    return frame.drop(index=last).reset_index(drop=True), frame.loc[last].reset_index(drop=True)
