"""AUGRUCell: GRU with attentional update gate (DIEN's interest evolution)."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class AUGRUCell(keras.layers.Layer):
    """A GRU step whose update gate is scaled by an attention score:

        u_t  = sigmoid(W_u x_t + U_u h_{t-1} + b_u)
        r_t  = sigmoid(W_r x_t + U_r h_{t-1} + b_r)
        h~_t = tanh(W_h x_t + r_t * (U_h h_{t-1}) + b_h)
        u'_t = a_t * u_t
        h_t  = (1 - u'_t) * h_{t-1} + u'_t * h~_t

    (Zhou et al., 2019, eqs. 1-4 and 16). A behaviour the candidate finds
    irrelevant (`a_t` near 0) barely changes the interest state. For
    `keras.layers.RNN`, the score travels as the last input feature: each
    step's input is `[x_t, a_t]` (width `input_dim + 1`). With a mask, the
    RNN carries the state through masked steps unchanged.

    Args:
        units: int. State width.
        kernel_initializer, recurrent_initializer: of `W` and `U`.
            Defaults to `"glorot_uniform"` and `"orthogonal"`.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> rnn = keras.layers.RNN(AUGRUCell(4))
    >>> interests = keras.random.normal((2, 3, 5))
    >>> scores = ops.array([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0]])   # a_t per step
    >>> steps = ops.concatenate([interests, ops.expand_dims(scores, -1)], -1)
    >>> final = rnn(steps)
    >>> tuple(final.shape), ops.convert_to_numpy(final[0]).tolist()   # a_t = 0: h stays 0
    ((2, 4), [0.0, 0.0, 0.0, 0.0])
    >>> bool(ops.all(final[1] == rnn(steps[:, :2])[1]))   # nor does the last step move it
    True

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672)
    """

    def __init__(
        self,
        units,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = int(units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = int(input_shape[-1]) - 1
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, 3 * self.units), initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, 3 * self.units),
            initializer=self.recurrent_initializer,
        )  # fmt: skip
        self.bias = self.add_weight(name="bias", shape=(3 * self.units,), initializer="zeros")

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        x, score = inputs[:, :-1], inputs[:, -1:]
        x_part = ops.matmul(x, self.kernel) + self.bias
        h_part = ops.matmul(h, self.recurrent_kernel)
        x_u, x_r, x_h = ops.split(x_part, 3, axis=-1)
        h_u, h_r, h_h = ops.split(h_part, 3, axis=-1)
        update = ops.sigmoid(x_u + h_u) * score
        reset = ops.sigmoid(x_r + h_r)
        candidate = ops.tanh(x_h + reset * h_h)
        h_new = (1.0 - update) * h + update * candidate
        return h_new, [h_new]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units))]

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            recurrent_initializer=keras.initializers.serialize(self.recurrent_initializer),
        )
        return config
