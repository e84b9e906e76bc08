"""FMInteraction: the factorization machine's second-order term."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class FMInteraction(keras.layers.Layer):
    """Sum of all pairwise inner products of field embeddings, in O(n k).

        y = sum_{i<j} <v_i, v_j>
          = 1/2 * sum_k [ (sum_i v_{i,k})^2 - sum_i v_{i,k}^2 ]

    Args:
        keepdims: bool. If `True`, return the k-vector before the last sum
            (NFM's Bi-Interaction pooling). Defaults to `False`.

    Call arguments:
        inputs: `[batch, n_fields, k]` field embeddings.

    Returns:
        `[batch, 1]`, or `[batch, k]` with `keepdims=True`.

    Example:

    >>> v = ops.convert_to_tensor([[[1., 2.], [3., 4.], [5., 6.]]])
    >>> ops.convert_to_numpy(FMInteraction()(v)).tolist()   # 1*3+2*4 + 1*5+2*6 + 3*5+4*6
    [[67.0]]

    References:
        - [Rendle, 2010](https://www.csie.ntu.edu.tw/~b97053/paper/Rendle2010FM.pdf)
    """

    def __init__(self, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.keepdims = bool(keepdims)

    def call(self, inputs):
        square_of_sum = ops.square(ops.sum(inputs, axis=1))
        sum_of_squares = ops.sum(ops.square(inputs), axis=1)
        pairwise = 0.5 * (square_of_sum - sum_of_squares)
        if self.keepdims:
            return pairwise
        return ops.sum(pairwise, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] if self.keepdims else 1)

    def get_config(self):
        config = super().get_config()
        config["keepdims"] = self.keepdims
        return config
