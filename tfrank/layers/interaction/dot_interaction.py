"""DotInteraction: DLRM's pairwise dot products."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.interaction.field_pairs import field_pairs
from tfrank.registration import register_layer


@register_layer
class DotInteraction(keras.layers.Layer):
    """All pairwise dot products `<v_i, v_j>` of `n` vectors, as a flat vector.

    Without self-interaction the output has `n (n - 1) / 2` entries (`i < j`);
    with it, `n (n + 1) / 2` (`i <= j`), ordered row-major over the upper
    triangle of the Gram matrix `V V^T`.

    Args:
        self_interaction: bool. Include `<v_i, v_i>`. Defaults to `False`.

    Call arguments:
        inputs: `[batch, n, k]`.

    Example:

    >>> v = ops.convert_to_tensor([[[1., 0.], [2., 1.], [0., 3.]]])
    >>> ops.convert_to_numpy(DotInteraction()(v)).tolist()   # <v0,v1>, <v0,v2>, <v1,v2>
    [[2.0, 0.0, 3.0]]
    >>> ops.convert_to_numpy(DotInteraction(self_interaction=True)(v)).tolist()
    [[1.0, 2.0, 0.0, 5.0, 3.0, 9.0]]

    References:
        - [Naumov et al., 2019 (DLRM)](https://arxiv.org/abs/1906.00091)
    """

    def __init__(self, self_interaction=False, **kwargs):
        super().__init__(**kwargs)
        self.self_interaction = bool(self_interaction)

    def call(self, inputs):
        n = inputs.shape[1]
        rows, cols = field_pairs(n, self.self_interaction)
        gram = ops.matmul(inputs, ops.transpose(inputs, (0, 2, 1)))
        flat = ops.reshape(gram, (-1, n * n))
        return ops.take(flat, ops.convert_to_tensor(rows * n + cols), axis=1)

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        pairs = n * (n + 1) // 2 if self.self_interaction else n * (n - 1) // 2
        return (input_shape[0], pairs)

    def get_config(self):
        config = super().get_config()
        config["self_interaction"] = self.self_interaction
        return config
