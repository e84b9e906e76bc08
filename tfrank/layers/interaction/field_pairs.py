"""Index arrays of field pairs, shared by the pairwise interaction layers."""

from __future__ import annotations

import numpy as np


def field_pairs(num_fields: int, self_interaction: bool = False):
    """Row and column indices of all pairs `i < j` (or `i <= j`), row-major.

    Example:

    >>> field_pairs(3)
    (array([0, 0, 1], dtype=int32), array([1, 2, 2], dtype=int32))
    >>> [p.tolist() for p in field_pairs(3, self_interaction=True)]
    [[0, 0, 0, 1, 1, 2], [0, 1, 2, 1, 2, 2]]
    """
    rows, cols = np.triu_indices(num_fields, k=0 if self_interaction else 1)
    return rows.astype("int32"), cols.astype("int32")
