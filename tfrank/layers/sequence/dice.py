"""Dice: DIN's data-adaptive activation."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class Dice(keras.layers.Layer):
    """Data-adaptive activation (Zhou et al., 2018, eq. 9):

        p(s) = sigmoid((s - E[s]) / sqrt(Var[s] + epsilon))
        f(s) = p(s) * s + (1 - p(s)) * alpha * s

    per channel (last axis), `alpha` learned per channel (starts at 0, so
    Dice starts as a soft, data-centred ReLU). In training `E[s]` and
    `Var[s]` are the statistics of the batch (over every axis but the last,
    only over entries where `mask` is True, so padded behaviours do not move
    them) and update moving averages; at inference the moving averages are
    used, as batch normalization does.

    Args:
        epsilon: float. Defaults to `1e-8` (the paper's).
        momentum: float. Of the moving averages. Defaults to `0.99`.
        alpha_initializer: initializer of `alpha`. Defaults to `"zeros"`.

    Call arguments:
        inputs: `[..., channels]`.
        mask: optional bool `[...]` (inputs' shape without the last axis).
        training: bool.

    Example:

    >>> s = ops.array([[-1.0], [1.0], [100.0]])   # one channel; the last entry is padding
    >>> mask = ops.array([True, True, False])   # E[s] = 0, Var[s] = 1: p(s) = sigmoid(s)
    >>> out = Dice()(s, mask=mask, training=True)   # alpha = 0: f(s) = p(s) * s
    >>> [round(float(v), 3) for v in out[:, 0]]
    [-0.269, 0.731, 100.0]

    References:
        - [Zhou et al., 2018](https://arxiv.org/abs/1706.06978)
    """

    def __init__(self, epsilon=1e-8, momentum=0.99, alpha_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.momentum = float(momentum)
        self.alpha_initializer = keras.initializers.get(alpha_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.alpha = self.add_weight(
            name="alpha", shape=(channels,), initializer=self.alpha_initializer
        )
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=(channels,), initializer="zeros", trainable=False
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=(channels,), initializer="ones", trainable=False
        )

    def call(self, inputs, mask=None, training=None):
        if training:
            mean, variance = self._batch_moments(inputs, mask)
            m = self.momentum
            self.moving_mean.assign(m * self.moving_mean + (1.0 - m) * mean)
            self.moving_variance.assign(m * self.moving_variance + (1.0 - m) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        p = ops.sigmoid((inputs - mean) / ops.sqrt(variance + self.epsilon))
        return p * inputs + (1.0 - p) * self.alpha * inputs

    def _batch_moments(self, inputs, mask):
        axes = tuple(range(len(inputs.shape) - 1))
        if mask is None:
            return ops.mean(inputs, axis=axes), ops.var(inputs, axis=axes)
        weight = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        count = ops.maximum(ops.sum(weight, axis=axes), 1.0)
        mean = ops.sum(inputs * weight, axis=axes) / count
        variance = ops.sum(ops.square(inputs - mean) * weight, axis=axes) / count
        return mean, variance

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        config = super().get_config()
        config.update(
            epsilon=self.epsilon,
            momentum=self.momentum,
            alpha_initializer=keras.initializers.serialize(self.alpha_initializer),
        )
        return config
