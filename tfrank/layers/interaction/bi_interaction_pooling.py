"""BiInteractionPooling: NFM's pooled pairwise interactions."""

from __future__ import annotations

from tfrank.layers.interaction.fm_interaction import FMInteraction
from tfrank.registration import register_layer


@register_layer
class BiInteractionPooling(FMInteraction):
    """Sum of element-wise products of all field pairs, as a k-vector.

        f_BI(V) = sum_{i<j} v_i ⊙ v_j = 1/2 [ (sum_i v_i)^2 - sum_i v_i^2 ]

    FM's second-order term before its last sum (so it shares
    `FMInteraction`'s O(n k) computation).

    Call arguments:
        inputs: `[batch, n_fields, k]`.

    Returns:
        `[batch, k]`.

    Example:

    >>> from keras import ops
    >>> v = ops.convert_to_tensor([[[1., 2.], [3., 4.], [5., 6.]]])
    >>> ops.convert_to_numpy(BiInteractionPooling()(v)).tolist()   # (3+5+15, 8+12+24)
    [[23.0, 44.0]]

    References:
        - [He and Chua, 2017 (NFM)](https://arxiv.org/abs/1708.05027)
    """

    def __init__(self, **kwargs):
        kwargs.pop("keepdims", None)
        super().__init__(keepdims=True, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("keepdims", None)
        return config
