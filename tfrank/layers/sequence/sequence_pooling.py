"""SequencePooling: masked mean, sum or max over a behaviour sequence."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer

_MODES = ("mean", "sum", "max")


@register_layer
class SequencePooling(keras.layers.Layer):
    """Pools `[batch, steps, dim]` over the unmasked steps:

        mean: sum_i m_i e_i / max(sum_i m_i, 1)
        sum:  sum_i m_i e_i
        max:  max over {e_i : m_i}, zeros for an empty history

    An empty history pools to zeros in every mode, never NaN. This is the
    history encoder of DIN's and DIEN's base model.

    Args:
        mode: str. `"mean"`, `"sum"` or `"max"`. Defaults to `"mean"`.

    Call arguments:
        inputs: `[batch, steps, dim]`.
        mask: optional bool `[batch, steps]`.

    Example:

    >>> history = ops.array([[[1.0, 2.0], [3.0, 6.0], [9.0, 9.0]]] * 2)
    >>> mask = ops.array([[True, True, False], [False, False, False]])   # row 2: empty
    >>> ops.convert_to_numpy(SequencePooling("mean")(history, mask=mask)).tolist()
    [[2.0, 4.0], [0.0, 0.0]]
    >>> ops.convert_to_numpy(SequencePooling("max")(history, mask=mask)).tolist()
    [[3.0, 6.0], [0.0, 0.0]]
    """

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the mask is consumed here, not passed on
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}. Received: {mode!r}")
        self.mode = mode

    def call(self, inputs, mask=None):
        if mask is None:
            mask = ops.ones(ops.shape(inputs)[:2], dtype="bool")
        keep = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        if self.mode == "max":
            filled = ops.where(ops.expand_dims(mask, -1), inputs, -1e30)
            pooled = ops.max(filled, axis=1)
            return ops.where(ops.any(mask, axis=1, keepdims=True), pooled, 0.0)
        total = ops.sum(inputs * keep, axis=1)
        if self.mode == "sum":
            return total
        return total / ops.maximum(ops.sum(keep, axis=1), 1.0)

    def compute_output_spec(self, inputs, mask=None):
        return keras.KerasTensor((inputs.shape[0], inputs.shape[2]), dtype=inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config
