"""Numeric feature: a float normalized with statistics learned from data."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd


@dataclasses.dataclass
class NumericFeature:
    """A real-valued feature, normalized inside the model.

    The model computes, in order:

        t = sign(x) * log(1 + |x|)       if log_transform (Criteo's counts)
        t = mean                         if x is missing (NaN)
        z = (t - mean) / sqrt(variance + 1e-12)

    so a missing value lands on 0, the training average. `mean` and
    `variance` are learned by `fit()` from the transformed training values.

    Args:
        name: str. Input name; also the column name in data files.
        log_transform: bool. Apply the signed log first. Defaults to `False`.
        mean: float or None. Learned by `fit()`.
        variance: float or None. Learned by `fit()`.
        embedding_dim: int. Width of the vector this value scales in models
            that embed every field (FM, DeepFM). Defaults to `16`.

    Example:

    >>> f = NumericFeature("price").fit(pd.Series([1.0, 3.0, None]))
    >>> f.mean, f.variance
    (2.0, 1.0)
    """

    name: str
    log_transform: bool = False
    mean: float | None = None
    variance: float | None = None
    embedding_dim: int = 16

    kind = "numeric"
    dtype = "float32"

    @property
    def is_fitted(self) -> bool:
        return self.mean is not None and self.variance is not None

    def transform_numpy(self, values: np.ndarray) -> np.ndarray:
        """The log step of the formula above, in NumPy (NaN kept)."""
        values = np.asarray(values, dtype=np.float64)
        if self.log_transform:
            values = np.sign(values) * np.log1p(np.abs(values))
        return values

    def fit(self, column: pd.Series) -> NumericFeature:
        """Returns a copy with mean and variance learned from `column`."""
        values = self.transform_numpy(coerce_numeric(column, self))
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            mean, variance = 0.0, 1.0
        else:
            mean, variance = float(finite.mean()), float(finite.var())
        if variance == 0.0:
            variance = 1.0  # A constant column carries no signal; keep it at 0.
        return dataclasses.replace(self, mean=mean, variance=variance)

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> NumericFeature:
        return cls(**{k: v for k, v in config.items() if k != "kind"})


def coerce_numeric(column: pd.Series, feature: NumericFeature) -> np.ndarray:
    """Raw column -> float32 array; empty cells become NaN, text is an error."""
    numeric = pd.to_numeric(column, errors="coerce")
    bad = numeric.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if bad.any():
        row, shown = first_offender(column, bad)
        raise ValueError(f"Feature '{feature.name}' expects numbers; found {shown} at row {row}.")
    with np.errstate(over="ignore"):
        values = numeric.to_numpy(dtype=np.float32)
    if np.isinf(values).any():
        row, shown = first_offender(column, np.isinf(values))
        raise ValueError(
            f"Feature '{feature.name}' has {shown} at row {row}, which is not "
            "a finite float32; expected a finite number, or NaN / an empty cell for missing."
        )
    return values


def first_offender(column: pd.Series, mask) -> tuple[int, str]:
    """`(row, value as text)` of the first row where `mask` holds, for error
    messages (text values quoted, numbers as printed)."""
    row = int(np.flatnonzero(np.asarray(mask))[0])
    value = column.iloc[row]
    return row, repr(value) if isinstance(value, str) else str(value)
