"""BilinearAttention: DIEN's attention of interest states to the candidate."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class BilinearAttention(keras.layers.Layer):
    """Softmax over the behaviours of a bilinear score with the candidate:

        a_t = m_t exp(h_t W e_a) / sum_j m_j exp(h_j W e_a)
        v   = sum_t a_t h_t

    with `h_t` the keys (DIEN's interest states, `[steps, n_H]`), `e_a` the
    query (the candidate's embeddings, `n_A`), `W` an `n_H x n_A` matrix
    and `m_t` the mask: padding weighs exactly zero and an empty history
    pools to zeros (Zhou et al., 2019, eq. 6). A bias would add the same
    constant to every score and cancel in the softmax, so there is none.
    Call arguments and returns are those of `AttentionPooling`, whose MLP
    score is the alternative (DIEN's released code used it).

    Args:
        kernel_initializer: of `W`. Defaults to `"glorot_uniform"`.

    Call arguments:
        query: `[batch, n_A]` candidate embedding.
        keys: `[batch, steps, n_H]` interest states.
        mask: optional bool `[batch, steps]`, True on real behaviours.
        return_weights: bool. Also return the `[batch, steps]` weights.

    Returns:
        `[batch, n_H]`, or `(pooled, weights)` with `return_weights=True`.

    Example:

    >>> attention = BilinearAttention(kernel_initializer="identity")  # W = I: h_t . e_a
    >>> query = ops.array([[1.0, 0.0]])
    >>> keys = ops.array([[[0.0, 1.0], [2.0, 0.0], [9.0, 0.0]]])
    >>> mask = ops.array([[True, True, False]])
    >>> _, weights = attention(query, keys, mask=mask, return_weights=True)
    >>> [round(w, 4) for w in ops.convert_to_numpy(weights[0]).tolist()]  # e^0, e^2; padding 0
    [0.1192, 0.8808, 0.0]

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672), section 4.3
    """

    def __init__(self, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the mask is consumed here, not passed on
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, query_shape, keys_shape=None, mask_shape=None):
        self.kernel = self.add_weight(
            name="kernel",
            shape=(int(keys_shape[-1]), int(query_shape[-1])),
            initializer=self.kernel_initializer,
        )

    def call(self, query, keys, mask=None, return_weights=False, training=None):
        projected = ops.matmul(query, ops.transpose(self.kernel))  # W e_a: [batch, n_H]
        scores = ops.sum(keys * ops.expand_dims(projected, 1), axis=-1)
        weights = masked_softmax(scores, mask)
        pooled = ops.sum(ops.expand_dims(weights, -1) * keys, axis=1)
        return (pooled, weights) if return_weights else pooled

    def compute_output_spec(self, query, keys, mask=None, return_weights=False, training=None):
        pooled = keras.KerasTensor((keys.shape[0], keys.shape[-1]), dtype=keys.dtype)
        if not return_weights:
            return pooled
        return pooled, keras.KerasTensor(keys.shape[:2], dtype=keys.dtype)

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(kernel_initializer=keras.initializers.serialize(self.kernel_initializer))
        return config


def masked_softmax(scores, mask=None):
    """Softmax over the last axis where `mask` holds; zero elsewhere and on
    fully masked rows. Padding's scores are never exponentiated, so they
    cannot overflow nor reach the gradients."""
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    top = ops.max(ops.where(mask, scores, ops.min(scores)), axis=-1, keepdims=True)
    exps = ops.where(mask, ops.exp(ops.where(mask, scores - top, 0.0)), 0.0)
    total = ops.sum(exps, axis=-1, keepdims=True)
    return exps / ops.where(total > 0, total, 1.0)
