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
    RNN carries the state through masked steps unchanged. The paper's other
    two ways of letting `a_t` steer the GRU are `AIGRUCell` (scaled input)
    and `AGRUCell` (score as the update gate).

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

    # Gates with weights, in column order: update (u), reset (r), candidate (h~).
    gates = 3

    def build(self, input_shape):
        input_dim = int(input_shape[-1]) - 1
        width = self.gates * self.units
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, width), initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, width),
            initializer=self.recurrent_initializer,
        )  # fmt: skip
        self.bias = self.add_weight(name="bias", shape=(width,), initializer="zeros")

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        x, score = inputs[:, :-1], inputs[:, -1:]
        update, candidate = self.gru_gates(x, h)
        update = update * score
        h_new = (1.0 - update) * h + update * candidate
        return h_new, [h_new]

    def gru_gates(self, x, h):
        """`(u_t, h~_t)` of a plain GRU step (`u_t` is `None` in a cell
        without an update gate)."""
        x_parts = ops.split(ops.matmul(x, self.kernel) + self.bias, self.gates, axis=-1)
        h_parts = ops.split(ops.matmul(h, self.recurrent_kernel), self.gates, axis=-1)
        x_r, x_h = x_parts[-2:]
        h_r, h_h = h_parts[-2:]
        reset = ops.sigmoid(x_r + h_r)
        candidate = ops.tanh(x_h + reset * h_h)
        if self.gates == 2:
            return None, candidate
        return ops.sigmoid(x_parts[0] + h_parts[0]), candidate

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
