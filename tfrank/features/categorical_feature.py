"""Categorical feature: raw strings or integers mapped to embedding rows."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from tfrank.features.numeric_feature import first_offender

_DTYPES = ("string", "int64")


@dataclasses.dataclass
class CategoricalFeature:
    """A categorical feature declared once and fitted on training data.

    Raw values are mapped to integer ids inside the model, so the exported
    model takes the raw strings (or integers) users log. Two ways to map:

    - vocabulary (default): values seen at least `min_count` times in the
      training data, most frequent first, optionally capped at
      `max_vocabulary_size`. Id 0 .. `num_oov_buckets - 1` are out-of-vocabulary
      buckets (unseen values are hashed into them), then the vocabulary.
    - hashing (`hash_buckets=N`): `fingerprint(value) mod N`, no fitting needed.
    - ids as they are (`num_ids=N`, int64 only): for values that already are
      dense ids in `[0, N)` (encoded upstream); anything outside that range
      (negative, too large) shares one extra OOV id `N`. No fitting, and no
      per-value hashing or table lookup in the model.

    Args:
        name: str. Input name; also the column name in data files.
        dtype: str. `"string"` or `"int64"`. Defaults to `"string"`.
        embedding_dim: int. Width of the feature's embedding. Defaults to `16`.
        vocabulary: list or None. Learned by `fit()`; given only to pin one.
        hash_buckets: int or None. Use hashing into this many ids instead of
            a vocabulary. Defaults to `None`.
        min_count: int. Minimum training count for a value to get its own id.
            Defaults to `1`.
        max_vocabulary_size: int or None. Keep at most this many most frequent
            values. Defaults to `None` (no cap).
        num_oov_buckets: int. Ids shared by values outside the vocabulary.
            Defaults to `1`.
        num_ids: int or None. Take int64 values as ids in `[0, num_ids)`
            (see above). Defaults to `None`.
        share_embedding_with: str or None. Name of another categorical feature
            whose vocabulary and embedding table this one reuses (a clicked
            item and the candidate item, say). Defaults to `None`.

    Example:

    >>> f = CategoricalFeature("site", min_count=2).fit(
    ...     pd.Series(["a", "a", "b", "c", "c"]))
    >>> f.vocabulary, f.vocabulary_size
    (['a', 'c'], 3)
    """

    name: str
    dtype: str = "string"
    embedding_dim: int = 16
    vocabulary: list | None = None
    hash_buckets: int | None = None
    min_count: int = 1
    max_vocabulary_size: int | None = None
    num_oov_buckets: int = 1
    share_embedding_with: str | None = None
    num_ids: int | None = None

    kind = "categorical"

    def __post_init__(self):
        if self.dtype not in _DTYPES:
            raise ValueError(
                f"Feature '{self.name}': dtype must be one of {_DTYPES}. "
                f"Received: dtype={self.dtype!r}"
            )
        if self.hash_buckets is not None and self.hash_buckets < 1:
            raise ValueError(
                f"Feature '{self.name}': hash_buckets must be >= 1. "
                f"Received: hash_buckets={self.hash_buckets}"
            )
        if self.num_ids is not None:
            if self.dtype != "int64" or self.num_ids < 1:
                raise ValueError(
                    f"Feature '{self.name}': num_ids takes int64 ids in [0, num_ids) "
                    f"and must be >= 1. Received: dtype={self.dtype!r}, num_ids={self.num_ids}"
                )
            if self.hash_buckets is not None or self.vocabulary is not None:
                raise ValueError(
                    f"Feature '{self.name}': num_ids, hash_buckets and vocabulary are "
                    "different mappings; give one."
                )
        if self.num_oov_buckets < 1:
            raise ValueError(
                f"Feature '{self.name}': num_oov_buckets must be >= 1 so that "
                f"unseen values have an id. Received: {self.num_oov_buckets}"
            )
        if self.embedding_dim < 1:
            raise ValueError(
                f"Feature '{self.name}': embedding_dim must be >= 1. "
                f"Received: embedding_dim={self.embedding_dim}"
            )

    @property
    def is_fitted(self) -> bool:
        return (
            self.hash_buckets is not None
            or self.num_ids is not None
            or self.vocabulary is not None
            or self.share_embedding_with is not None
        )

    @property
    def vocabulary_size(self) -> int:
        """Number of embedding rows this feature owns (OOV buckets included)."""
        if self.hash_buckets is not None:
            return self.hash_buckets
        if self.num_ids is not None:
            return self.num_ids + 1  # the OOV id
        if self.vocabulary is None:
            raise ValueError(
                f"Feature '{self.name}' has no vocabulary yet: call "
                "FeatureSpec.fit() on training data first."
            )
        return len(self.vocabulary) + self.num_oov_buckets

    def fit(self, column: pd.Series) -> CategoricalFeature:
        """Returns a copy with the vocabulary learned from `column`."""
        if self.hash_buckets is not None or self.num_ids is not None or self.share_embedding_with:
            return dataclasses.replace(self)
        values = coerce_categorical(column, self)
        counts = pd.Series(values).value_counts(sort=False)
        counts = counts[counts >= self.min_count]
        # Most frequent first; ties broken by value so fitting is deterministic.
        order = np.lexsort((counts.index.astype(str), -counts.to_numpy()))
        vocab = counts.index.to_numpy()[order]
        if self.max_vocabulary_size is not None:
            vocab = vocab[: self.max_vocabulary_size]
        vocab = [str(v) if self.dtype == "string" else int(v) for v in vocab]
        if not vocab:
            raise ValueError(
                f"Feature '{self.name}': no value occurs min_count={self.min_count} times "
                "in the training data; lower min_count or use hash_buckets."
            )
        return dataclasses.replace(self, vocabulary=vocab)

    def to_config(self) -> dict[str, Any]:
        config = {"kind": self.kind, **dataclasses.asdict(self)}
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CategoricalFeature:
        config = {k: v for k, v in config.items() if k != "kind"}
        return cls(**config)


def coerce_categorical(column: pd.Series, feature: CategoricalFeature) -> np.ndarray:
    """Raw column -> NumPy array of the feature's dtype, missing made explicit.

    Missing strings become `""` (a value of their own: missingness often
    predicts clicks). Integer columns must be whole numbers; missing integers
    are an error because no id can stand for them silently, as are ids
    outside `[0, num_ids)` of a `num_ids` feature.
    """
    if feature.dtype == "string":
        if pd.api.types.is_float_dtype(column.dtype):
            # Integers read as floats (because of NaN) keep their integer text.
            as_int = column.dropna()
            if (as_int == np.floor(as_int)).all():
                text = column.map(lambda v: "" if pd.isna(v) else str(int(v)))
                return text.to_numpy(dtype=object)
        return column.fillna("").astype(str).to_numpy(dtype=object)
    if column.isna().any():
        row, _ = first_offender(column, column.isna())
        raise ValueError(
            f"Feature '{feature.name}' (int64) has a missing value at row {row}; fill them "
            "with an id of your choice or declare the feature as dtype='string'."
        )
    values = column.to_numpy()
    if not np.issubdtype(values.dtype, np.integer):
        numeric = pd.to_numeric(column, errors="coerce")
        if numeric.isna().any() or not (numeric == np.floor(numeric)).all():
            row, shown = first_offender(column, numeric.isna() | (numeric != np.floor(numeric)))
            raise ValueError(
                f"Feature '{feature.name}' expects int64 ids; found {shown} at row {row}."
            )
        values = numeric.to_numpy()
    values = values.astype(np.int64)
    if feature.num_ids is not None:
        outside = (values < 0) | (values >= feature.num_ids)
        if outside.any():
            row, shown = first_offender(column, outside)
            raise ValueError(
                f"Feature '{feature.name}' has id {shown} at row {row}, outside "
                f"[0, {feature.num_ids}) of num_ids={feature.num_ids}: raise num_ids, or use a "
                "vocabulary or hash_buckets for raw ids (models and exports map such ids to "
                "the OOV row; in data they are an error, since they are usually a bug upstream)."
            )
    return values
