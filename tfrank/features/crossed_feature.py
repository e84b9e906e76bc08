"""Crossed feature: a hashed conjunction of categorical features."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class CrossedFeature:
    """Hashed cross of two or more categorical features, for wide parts.

    The id of a row is `hash(v_1 × v_2 × … × v_m) mod hash_buckets` over the
    raw values of the crossed features (chained pairwise hashed crosses, so
    any number of features can be crossed). Nothing is learned from data.

    Args:
        name: str. Name of the cross (not an input: it is derived).
        features: list of str. Names of the categorical features to cross.
        hash_buckets: int. Number of ids. Defaults to `100_000`.

    Example:

    >>> CrossedFeature("site_x_app", ["site", "app"], hash_buckets=1000)
    CrossedFeature(name='site_x_app', features=['site', 'app'], hash_buckets=1000)
    """

    name: str
    features: list
    hash_buckets: int = 100_000

    kind = "crossed"
    is_fitted = True

    def __post_init__(self):
        self.features = list(self.features)
        if len(self.features) < 2:
            raise ValueError(
                f"Crossed feature '{self.name}' needs at least two features. "
                f"Received: features={self.features}"
            )
        if self.hash_buckets < 1:
            raise ValueError(
                f"Crossed feature '{self.name}': hash_buckets must be >= 1. "
                f"Received: {self.hash_buckets}"
            )

    @property
    def vocabulary_size(self) -> int:
        return self.hash_buckets

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CrossedFeature:
        return cls(**{k: v for k, v in config.items() if k != "kind"})
