"""ResidualUnit: Deep Crossing's building block."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class ResidualUnit(keras.layers.Layer):
    """A two-layer residual block that keeps its input width `d`.

        y = relu(x + W_1 relu(W_0 x + b_0) + b_1)

    Args:
        hidden_units: int. Width of the inner layer.
        dropout: float. Dropout on the output. Defaults to `0.0`.

    Example:

    >>> unit = ResidualUnit(16)
    >>> x = ops.array([[1.0, -2.0, 3.0]])
    >>> tuple(unit(x).shape)   # the input width, whatever hidden_units
    (1, 3)
    >>> _ = unit.outer_kernel.assign(ops.zeros((16, 3)))   # W_1 = 0: only the skip is left
    >>> ops.convert_to_numpy(unit(x)).tolist()   # relu(x)
    [[1.0, 0.0, 3.0]]

    References:
        - [Shan et al., 2016 (Deep Crossing)](https://www.kdd.org/kdd2016/papers/files/adf0975-shanA.pdf)
    """

    def __init__(self, hidden_units, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = int(hidden_units)
        self.dropout = float(dropout)
        self._dropout = keras.layers.Dropout(self.dropout) if self.dropout else None

    def build(self, input_shape):
        d = int(input_shape[-1])
        self.inner_kernel = self.add_weight(
            name="inner_kernel", shape=(d, self.hidden_units), initializer="glorot_uniform"
        )
        self.inner_bias = self.add_weight(
            name="inner_bias", shape=(self.hidden_units,), initializer="zeros"
        )
        self.outer_kernel = self.add_weight(
            name="outer_kernel", shape=(self.hidden_units, d), initializer="glorot_uniform"
        )
        self.outer_bias = self.add_weight(name="outer_bias", shape=(d,), initializer="zeros")

    def call(self, inputs, training=None):
        hidden = ops.relu(ops.matmul(inputs, self.inner_kernel) + self.inner_bias)
        y = ops.relu(inputs + ops.matmul(hidden, self.outer_kernel) + self.outer_bias)
        if self._dropout is not None:
            y = self._dropout(y, training=training)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_units=self.hidden_units, dropout=self.dropout)
        return config
