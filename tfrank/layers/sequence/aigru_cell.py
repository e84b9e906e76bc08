"""AIGRUCell: GRU over attention-scaled inputs (DIEN's AIGRU)."""

from __future__ import annotations

from tfrank.layers.sequence.augru_cell import AUGRUCell
from tfrank.registration import register_layer


@register_layer
class AIGRUCell(AUGRUCell):
    """A plain GRU step over the input scaled by its attention score:

        i'_t = a_t * x_t
        u_t  = sigmoid(W_u i'_t + U_u h_{t-1} + b_u)
        r_t  = sigmoid(W_r i'_t + U_r h_{t-1} + b_r)
        h~_t = tanh(W_h i'_t + r_t * (U_h h_{t-1}) + b_h)
        h_t  = (1 - u_t) * h_{t-1} + u_t * h~_t

    (Zhou et al., 2019, section 4.3, eq. 14). The score only dims the
    input, so even a zero-scored behaviour still moves the state (a GRU
    step over a zero input); `AUGRUCell` and `AGRUCell` let it pass unseen.
    Inputs, mask handling and arguments are those of `AUGRUCell`: each step's
    input is `[x_t, a_t]`.

    Args:
        units: int. State width.
        kernel_initializer, recurrent_initializer: of `W` and `U`.
            Defaults to `"glorot_uniform"` and `"orthogonal"`.

    Example:

    >>> import keras
    >>> keras.utils.set_random_seed(0)
    >>> interests = keras.random.normal((2, 3, 5))
    >>> steps = keras.ops.concatenate([interests, keras.ops.ones((2, 3, 1))], -1)  # a_t = 1
    >>> aigru, augru = keras.layers.RNN(AIGRUCell(4)), keras.layers.RNN(AUGRUCell(4))
    >>> _, _ = aigru(steps), augru(steps)
    >>> augru.set_weights(aigru.get_weights())
    >>> gap = keras.ops.max(keras.ops.abs(aigru(steps) - augru(steps)))
    >>> bool(gap < 1e-6)   # with full scores both are the same plain GRU
    True

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672)
    """

    def call(self, inputs, states, training=None):
        h = states[0] if isinstance(states, (list, tuple)) else states
        x, score = inputs[:, :-1], inputs[:, -1:]
        update, candidate = self.gru_gates(score * x, h)
        h_new = (1.0 - update) * h + update * candidate
        return h_new, [h_new]
