"""Per-epoch negative sampling for implicit feedback, vectorized."""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf

from tfrank.data.pipeline import pipeline_options


class NegativeSampler:
    """Pairs every positive with `num_negatives` items the user never
    interacted with in `positives`, drawn anew each epoch.

    Items are drawn uniformly from `items`; a draw that hits one of the
    user's positives is redrawn, in whole-array rounds (no Python loop per
    row), until none is left. A user who has interacted with every item
    cannot have negatives: that is an error naming the user.

    Args:
        positives: DataFrame with `user_id` and `item_id` columns.
        items: every item id to sample from (the catalogue).
        num_negatives: int. Negatives per positive. Defaults to `4`.
        seed: int. Epoch `e` draws with seed `(seed, e)`.

    Example:

    >>> positives = pd.DataFrame({"user_id": [0, 0, 1], "item_id": [0, 1, 2]})
    >>> sampler = NegativeSampler(positives, items=range(4), num_negatives=2)
    >>> sampler.negatives_for([0, 1], 3, seed=0).tolist()   # never user 0's 0, 1 or user 1's 2
    [[3, 2, 2], [1, 1, 0]]
    >>> epoch = sampler.sample()           # 3 positives, 2 negatives each, shuffled
    >>> len(epoch), int(epoch["label"].sum())
    (9, 3)
    >>> from tfrank.features import CategoricalFeature, FeatureSpec
    >>> spec = FeatureSpec([CategoricalFeature("user_id", dtype="int64", num_ids=2),
    ...                     CategoricalFeature("item_id", dtype="int64", num_ids=4)])
    >>> dataset = sampler.dataset(spec, batch_size=4)   # for model.fit: new negatives each epoch
    >>> features, labels = next(iter(dataset))
    >>> len(dataset), sorted(features), tuple(labels.shape)
    (3, ['item_id', 'user_id'], (4,))
    """

    def __init__(self, positives: pd.DataFrame, items, num_negatives: int = 4, seed: int = 0):
        if num_negatives < 1:
            raise ValueError(f"num_negatives must be at least 1. Received: {num_negatives}")
        self.num_negatives = int(num_negatives)
        self.seed = int(seed)
        self.items = np.unique(np.asarray(items))
        self.users = positives["user_id"].to_numpy()
        self.positive_items = positives["item_id"].to_numpy()
        codes = np.searchsorted(self.items, self.positive_items)
        unknown = (codes >= len(self.items)) | (
            self.items[np.minimum(codes, len(self.items) - 1)] != self.positive_items
        )
        if unknown.any():
            row = int(np.argmax(unknown))
            raise ValueError(
                f"item_id {self.positive_items[row]} (positive row {row}) is not in the "
                "item catalogue."
            )
        self._user_codes, uniques = pd.factorize(self.users)
        self._user_index = pd.Index(uniques)
        keys = self._user_codes.astype(np.int64) * len(self.items) + codes
        self._keys = np.unique(keys)
        per_user = np.bincount(self._keys // len(self.items))
        full = np.flatnonzero(per_user >= len(self.items))
        if full.size:
            raise ValueError(
                f"user_id {self._user_index[full[0]]} has interacted with all "
                f"{len(self.items)} items: there is no negative to sample."
            )
        self.epoch = 0

    def negatives_for(self, users, count: int, seed) -> np.ndarray:
        """`[len(users), count]` item ids none of which the user interacted with."""
        codes = self._user_index.get_indexer(np.asarray(users))
        if (codes < 0).any():
            raise ValueError(f"user_id {np.asarray(users)[codes < 0][0]} has no positives.")
        rng = np.random.default_rng(seed)
        n = len(self.items)
        draws = rng.integers(0, n, (len(codes), count))
        user_keys = codes.astype(np.int64)[:, None] * n
        clash = self._is_positive(user_keys + draws)
        while clash.any():
            draws[clash] = rng.integers(0, n, int(clash.sum()))
            clash[clash] = self._is_positive(user_keys.repeat(count, 1)[clash] + draws[clash])
        return self.items[draws]

    def sample(self, epoch: int | None = None) -> pd.DataFrame:
        """One epoch of rows: every positive (label 1) and its negatives
        (label 0), shuffled. Without `epoch`, the next epoch."""
        if epoch is None:
            epoch, self.epoch = self.epoch, self.epoch + 1
        negatives = self.negatives_for(self.users, self.num_negatives, (self.seed, epoch))
        users = np.concatenate([self.users, np.repeat(self.users, self.num_negatives)])
        items = np.concatenate([self.positive_items, negatives.reshape(-1)])
        labels = np.concatenate(
            [np.ones(len(self.users), np.float32), np.zeros(negatives.size, np.float32)]
        )
        order = np.random.default_rng((self.seed, epoch, 1)).permutation(len(users))
        return pd.DataFrame(
            {"user_id": users[order], "item_id": items[order], "label": labels[order]}
        )

    def dataset(self, feature_spec, batch_size: int = 256, epoch=None) -> tf.data.Dataset:
        """`(features, label)` batches; each pass over the dataset (each
        Keras epoch) is a fresh `sample()`: of the next epoch, or, with an
        int64 `epoch` variable (`tfrank.training.callbacks.SetDataEpoch`),
        of the epoch it holds when the pass starts, so that a resumed run
        draws the negatives an uninterrupted one would have."""
        dtypes = {"string": tf.string, "int64": tf.int64, "float32": tf.float32}
        signature = (
            {f.name: tf.TensorSpec([None], dtypes[f.dtype]) for f in feature_spec.raw_features},
            tf.TensorSpec([None], tf.float32),
        )

        def one_epoch():
            # One element per pass: the whole freshly drawn epoch; batching then
            # runs inside tf.data rather than in a Python loop per batch.
            frame = self.sample(None if epoch is None else int(epoch.numpy()))
            yield feature_spec.frame_to_arrays(frame), frame["label"].to_numpy()

        rows = len(self.users) * (1 + self.num_negatives)

        def batches(features, labels):
            # Slices of whole columns, not 5M single rows re-batched.
            starts = tf.data.Dataset.range(0, tf.cast(tf.shape(labels)[0], tf.int64), batch_size)
            return starts.map(
                lambda i: (
                    {k: v[i : i + batch_size] for k, v in features.items()},
                    labels[i : i + batch_size],
                )
            )

        dataset = tf.data.Dataset.from_generator(one_epoch, output_signature=signature)
        dataset = dataset.flat_map(batches)
        # A known length gives Keras its progress bar and no "ran out of data" warning.
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(-(-rows // batch_size)))
        return dataset.prefetch(2).with_options(pipeline_options())

    def _is_positive(self, keys):
        found = np.searchsorted(self._keys, keys)
        found = np.minimum(found, len(self._keys) - 1)
        return self._keys[found] == keys
