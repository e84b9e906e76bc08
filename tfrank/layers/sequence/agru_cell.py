"""AGRUCell: GRU whose update gate is the attention score (DIEN's AGRU)."""

from __future__ import annotations

from tfrank.layers.sequence.augru_cell import AUGRUCell
from tfrank.registration import register_layer


@register_layer
class AGRUCell(AUGRUCell):
    """A GRU step with the attention score in place of its update gate:

        r_t  = sigmoid(W_r x_t + U_r h_{t-1} + b_r)
        h~_t = tanh(W_h x_t + r_t * (U_h h_{t-1}) + b_h)
        h_t  = (1 - a_t) * h_{t-1} + a_t * h~_t

    (Zhou et al., 2019, section 4.3, eq. 15). A scalar `a_t` moves every
    dimension of the state alike, where `AUGRUCell` keeps a per-dimension
    update gate and only scales it; the cell has no update-gate weights.
    Inputs, mask handling and arguments are those of `AUGRUCell`: each step's
    input is `[x_t, a_t]`.

    Args:
        units: int. State width.
        kernel_initializer, recurrent_initializer: of `W` and `U`.
            Defaults to `"glorot_uniform"` and `"orthogonal"`.

    Example:

    >>> import keras
    >>> keras.utils.set_random_seed(0)
    >>> rnn = keras.layers.RNN(AGRUCell(4))
    >>> interests = keras.random.normal((2, 3, 5))
    >>> scores = keras.ops.array([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0]])
    >>> steps = keras.ops.concatenate([interests, keras.ops.expand_dims(scores, -1)], -1)
    >>> final = rnn(steps)
    >>> keras.ops.convert_to_numpy(final[0]).tolist()   # a_t = 0: h stays 0
    [0.0, 0.0, 0.0, 0.0]
    >>> tuple(rnn.cell.kernel.shape)   # reset and candidate only
    (5, 8)

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672)
    """

    gates = 2

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        x, score = inputs[:, :-1], inputs[:, -1:]
        _, candidate = self.gru_gates(x, h)
        h_new = (1.0 - score) * h + score * candidate
        return h_new, [h_new]
