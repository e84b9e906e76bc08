"""AFMInteraction: attention-weighted pairwise interactions (AFM)."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.interaction.field_pairs import field_pairs
from tfrank.registration import register_layer


@register_layer
class AFMInteraction(keras.layers.Layer):
    """Pairwise element-wise products pooled with learned attention weights.

        e_ij = v_i ⊙ v_j                              (all pairs i < j)
        a'_ij = h^T relu(W e_ij + b)                   (attention MLP, t units)
        a_ij = softmax over pairs (a'_ij)
        y = p^T sum_{i<j} a_ij e_ij

    The weights `a_ij` say how much each field pair matters for an example;
    `attention(inputs)` returns them (`[batch, n_pairs]`, pairs in the order
    of `field_pairs(n)`).

    Args:
        attention_units: int. Width `t` of the attention MLP. Defaults to `16`.
        dropout: float. Dropout on the pooled vector. Defaults to `0.0`.
        kernel_regularizer: optional regularizer of `W` (the paper's λ).

    Call arguments:
        inputs: `[batch, n_fields, k]`.

    Returns:
        `[batch, 1]`.

    Example:

    >>> layer = AFMInteraction(attention_units=8)
    >>> v = keras.ops.ones((2, 4, 3))
    >>> tuple(layer(v).shape)
    (2, 1)
    >>> w = layer.attention(v)   # 4 fields: 6 pairs, all equal here
    >>> tuple(w.shape), [round(float(a), 3) for a in w[0]]   # 1/6 each
    ((2, 6), [0.167, 0.167, 0.167, 0.167, 0.167, 0.167])

    References:
        - [Xiao et al., 2017 (AFM)](https://arxiv.org/abs/1708.04617)
    """

    def __init__(self, attention_units=16, dropout=0.0, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.attention_units = int(attention_units)
        self.dropout = float(dropout)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._dropout = keras.layers.Dropout(self.dropout) if self.dropout else None

    def build(self, input_shape):
        k = int(input_shape[-1])
        self.attention_kernel = self.add_weight(
            name="attention_kernel",
            shape=(k, self.attention_units),
            initializer="glorot_uniform",
            regularizer=self.kernel_regularizer,
        )
        self.attention_bias = self.add_weight(
            name="attention_bias", shape=(self.attention_units,), initializer="zeros"
        )
        self.attention_vector = self.add_weight(
            name="attention_vector", shape=(self.attention_units, 1), initializer="glorot_uniform"
        )
        self.projection = self.add_weight(
            name="projection", shape=(k, 1), initializer="glorot_uniform"
        )

    def _pairs(self, inputs):
        rows, cols = field_pairs(inputs.shape[1])
        return ops.take(inputs, rows, axis=1) * ops.take(inputs, cols, axis=1)

    def _weights(self, pairs):
        hidden = ops.relu(ops.matmul(pairs, self.attention_kernel) + self.attention_bias)
        scores = ops.squeeze(ops.matmul(hidden, self.attention_vector), -1)
        return ops.softmax(scores, axis=-1)

    def attention(self, inputs):
        """`[batch, n_pairs]` attention weights (each row sums to 1)."""
        return self._weights(self._pairs(inputs))

    def call(self, inputs, training=None):
        pairs = self._pairs(inputs)
        weights = self._weights(pairs)
        pooled = ops.sum(ops.expand_dims(weights, -1) * pairs, axis=1)
        if self._dropout is not None:
            pooled = self._dropout(pooled, training=training)
        return ops.matmul(pooled, self.projection)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        config = super().get_config()
        config.update(
            attention_units=self.attention_units,
            dropout=self.dropout,
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
