"""IdRange: integer values that already are ids, with one id for the rest."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class IdRange(keras.layers.Layer):
    """Maps int values to ids: `x` if `0 <= x < num_ids`, else `num_ids`.

    For categorical features encoded upstream (a feature store's dense ids),
    where a vocabulary lookup or a string hash per value would be wasted
    work: `CategoricalFeature(..., dtype="int64", num_ids=N)`. Negative and
    too-large values (a newer upstream vocabulary, a bad request) all land
    on the one out-of-range id, so they score like any unseen value instead
    of reading a wrong row or failing the request.

    Args:
        num_ids: int. Size of the valid id range `[0, num_ids)`.

    Example:

    >>> ops.convert_to_numpy(IdRange(5)(ops.array([0, 4, 5, -1]))).tolist()
    [0, 4, 5, 5]
    """

    def __init__(self, num_ids, **kwargs):
        super().__init__(**kwargs)
        if int(num_ids) < 1:
            raise ValueError(f"num_ids must be >= 1. Received: {num_ids}")
        self.num_ids = int(num_ids)

    def call(self, values):
        values = ops.cast(values, "int64")
        inside = ops.logical_and(values >= 0, values < self.num_ids)
        return ops.where(inside, values, ops.full_like(values, self.num_ids))

    def compute_output_spec(self, values):
        return keras.KerasTensor(values.shape, dtype="int64")

    def get_config(self):
        return {**super().get_config(), "num_ids": self.num_ids}
