"""Sequence feature: a user's variable-length behaviour history."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

_DTYPES = ("string", "int64", "float32")


@dataclasses.dataclass
class SequenceFeature:
    """A list of values per example: clicked items, their categories, times.

    Histories are ordered oldest first. The model takes them as one padded
    `[batch, width]` tensor of raw values (any width, also 0), valid entries
    first and `padding_value` after them; inside the model each row keeps its
    `max_length` most recent entries (the last ones before the padding) and a
    mask marks the rest, so every layer can give padding exactly zero weight.

    A categorical sequence reads the vocabulary and embedding table of the
    categorical feature it names in `shares` (behaviour items share the
    candidate item's table); `FeatureSpec.fit` learns that vocabulary from
    the candidate column and the histories together. A `float32` sequence
    (timestamps, say) is passed through as numbers.

    Sequences of one history must be aligned: name the item sequence in
    `length_from` of the category and time sequences, and they are truncated
    and masked with its lengths.

    Args:
        name: str. Input name and data column (lists or arrays per row).
        shares: str or None. Categorical feature whose vocabulary and
            embedding this sequence uses; required unless dtype is float32.
        dtype: str. `"int64"`, `"string"` or `"float32"`. Defaults to the
            shared feature's dtype (float32 without `shares`).
        max_length: int. Most recent entries kept per row. Defaults to `50`.
        padding_value: pad entry of the raw tensor. Defaults to `-1` for
            int64, `""` for string, `NaN` for float32.
        length_from: str or None. Sequence feature whose lengths (and so
            truncation and mask) this one uses. Defaults to `None` (its own).

    Example:

    >>> from tfrank.features import CategoricalFeature, FeatureSpec
    >>> frame = pd.DataFrame({"item_id": [3, 5], "history": [[1, 2, 3], [4]]})
    >>> spec = FeatureSpec([
    ...     CategoricalFeature("item_id", dtype="int64"),
    ...     SequenceFeature("history", shares="item_id", max_length=2),
    ... ]).fit(frame)
    >>> spec["history"].dtype, spec["item_id"].vocabulary    # candidates and histories
    ('int64', [3, 1, 2, 4, 5])
    >>> spec.frame_to_arrays(frame)["history"].tolist()      # 2 most recent, then -1 padding
    [[2, 3], [4, -1]]
    """

    name: str
    shares: str | None = None
    dtype: str | None = None
    max_length: int = 50
    padding_value: Any = None
    length_from: str | None = None

    kind = "sequence"

    def __post_init__(self):
        if self.dtype is not None and self.dtype not in _DTYPES:
            raise ValueError(
                f"Feature '{self.name}': dtype must be one of {_DTYPES}. "
                f"Received: dtype={self.dtype!r}"
            )
        if self.shares is None and self.dtype not in (None, "float32"):
            raise ValueError(
                f"Sequence feature '{self.name}' of dtype {self.dtype} needs `shares`: "
                "the categorical feature whose vocabulary and embedding it uses."
            )
        if self.shares is None:
            self.dtype = "float32"
        if int(self.max_length) < 1:
            raise ValueError(
                f"Feature '{self.name}': max_length must be >= 1. Received: {self.max_length}"
            )
        self.max_length = int(self.max_length)

    @property
    def is_fitted(self) -> bool:
        return self.dtype is not None

    @property
    def pad(self):
        """The padding entry, in the feature's dtype."""
        if self.padding_value is not None:
            return self.padding_value
        return {"int64": -1, "string": "", "float32": float("nan")}[self.dtype]

    def fit(self, column: pd.Series) -> SequenceFeature:
        return dataclasses.replace(self)

    def to_config(self) -> dict[str, Any]:
        config = {"kind": self.kind, **dataclasses.asdict(self)}
        if isinstance(self.padding_value, float) and np.isnan(self.padding_value):
            config["padding_value"] = None  # NaN is the float default; JSON has no NaN
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SequenceFeature:
        return cls(**{k: v for k, v in config.items() if k != "kind"})


def flatten_sequences(column: pd.Series, feature: SequenceFeature):
    """`(values, lengths)`: every row's entries end to end, and the row lengths.

    A missing cell is an empty history; a string cell is an error (a list
    was meant), as is a value that does not convert to the feature's dtype.
    """
    numpy_dtype = {"int64": np.int64, "string": object, "float32": np.float32}[feature.dtype]
    cells = column.to_numpy(dtype=object)
    lengths = np.zeros(len(cells), np.int64)
    parts = []
    for i, value in enumerate(cells):
        if isinstance(value, (str, bytes)):
            raise ValueError(
                f"Sequence feature '{feature.name}' expects a list per row; "
                f"row {i} is the string {value!r}."
            )
        if value is None or (not hasattr(value, "__len__") and pd.isna(value)):
            continue
        lengths[i] = len(value)
        parts.append(value)
    if not parts:
        return np.zeros(0, numpy_dtype), lengths
    try:
        if feature.dtype == "string":
            values = np.array([str(v) for part in parts for v in part], dtype=object)
        else:
            values = np.concatenate([np.asarray(part) for part in parts]).astype(numpy_dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Sequence feature '{feature.name}' ({feature.dtype}): {error}") from None
    return values, lengths


def pad_sequences(column: pd.Series, feature: SequenceFeature) -> np.ndarray:
    """A column of lists -> `[rows, width]` array, each row's `max_length`
    most recent entries first and `feature.pad` after them.

    `width` is the longest kept row (at least 1). An entry equal to the
    padding value is an error, since it would silently end the history there.
    """
    values, lengths = flatten_sequences(column, feature)
    if feature.dtype != "float32" and len(values):
        bad = np.flatnonzero(values == feature.pad)
        if len(bad):
            row = int(np.searchsorted(np.cumsum(lengths), bad[0], side="right"))
            raise ValueError(
                f"Sequence feature '{feature.name}' row {row} contains the padding "
                f"value {feature.pad!r}; choose another padding_value."
            )
    elif len(values) and np.isinf(values).any():
        bad = int(np.flatnonzero(np.isinf(values))[0])
        row = int(np.searchsorted(np.cumsum(lengths), bad, side="right"))
        raise ValueError(
            f"Sequence feature '{feature.name}' row {row} contains {values[bad]}; "
            "expected finite numbers (NaN for a missing one)."
        )
    kept = np.minimum(lengths, feature.max_length)
    width = max(1, int(kept.max(initial=0)))
    out = np.full((len(lengths), width), feature.pad, dtype=values.dtype)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    dropped = np.repeat(lengths - kept, lengths)  # the oldest entries go
    keep = position >= dropped
    out[rows[keep], (position - dropped)[keep]] = values[keep]
    return out
