"""MLPBlock: the feed-forward tower of deep ranking models."""

from __future__ import annotations

import keras

from tfrank.registration import register_layer


@register_layer
class MLPBlock(keras.layers.Layer):
    """Stack of `Dense -> [BatchNorm] -> activation -> [Dropout]` layers.

    h_{l+1} = dropout(act(BN(W_l h_l + b_l)))

    Args:
        units: list of int. Width of each hidden layer.
        activation: str or callable. Defaults to `"relu"`.
        dropout: float. Dropout rate after each layer. Defaults to `0.0`.
        batch_norm: bool. Batch normalization before the activation.
            Defaults to `False`.
        kernel_regularizer: optional regularizer of the kernels.

    Example:

    >>> block = MLPBlock([8, 4], dropout=0.1)
    >>> out = block(keras.ops.ones((2, 10)))   # inference: dropout is off
    >>> tuple(out.shape), bool(keras.ops.all(out >= 0))   # relu outputs
    ((2, 4), True)
    >>> [tuple(w.shape) for w in block.trainable_weights]
    [(10, 8), (8,), (8, 4), (4,)]
    """

    def __init__(
        self,
        units,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = [int(u) for u in units]
        if not self.units or min(self.units) < 1:
            raise ValueError(f"units must be positive integers. Received: {units}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1). Received: {dropout}")
        self.activation = keras.activations.get(activation)
        self.dropout = float(dropout)
        self.batch_norm = bool(batch_norm)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._stack = []
        for i, width in enumerate(self.units):
            self._stack.append(
                keras.layers.Dense(
                    width,
                    use_bias=not self.batch_norm,
                    kernel_regularizer=self.kernel_regularizer,
                    name=f"dense_{i}",
                )
            )
            if self.batch_norm:
                self._stack.append(keras.layers.BatchNormalization(name=f"bn_{i}"))
            self._stack.append(keras.layers.Activation(self.activation, name=f"act_{i}"))
            if self.dropout > 0:
                self._stack.append(keras.layers.Dropout(self.dropout, name=f"drop_{i}"))

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._stack:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
