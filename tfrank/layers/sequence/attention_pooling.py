"""AttentionPooling: DIN's local activation unit."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.sequence.dice import Dice
from tfrank.registration import register_layer


@register_layer
class AttentionPooling(keras.layers.Layer):
    """Weighs each behaviour by its relevance to the candidate, then sums.

        a_i = MLP([e_i, e_c, e_i * e_c, e_i - e_c])       (a scalar per i)
        v   = sum_i m_i a_i e_i

    with `e_c` the candidate (query), `e_i` the behaviours (keys) and `m_i`
    the mask (padding weighs exactly zero). As in DIN the weights are not
    normalized by default, so the pooled vector keeps the intensity of the
    user's interest (how many relevant behaviours there are);
    `normalize=True` applies a softmax over the unmasked behaviours instead
    (an empty history then pools to zeros).

    Args:
        hidden_units: list of int. The attention MLP. Defaults to `[80, 40]`.
        activation: str. `"dice"`, `"prelu"` or a Keras activation name
            (the original DIN code used `"sigmoid"`). Defaults to `"dice"`.
        normalize: bool. Softmax over behaviours. Defaults to `False`.

    Call arguments:
        query: `[batch, dim]` candidate embedding.
        keys: `[batch, steps, dim]` behaviour embeddings.
        mask: optional bool `[batch, steps]`, True on real behaviours.
        return_weights: bool. Also return the `[batch, steps]` weights.

    Returns:
        `[batch, dim]`, or `(pooled, weights)` with `return_weights=True`.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> candidate, history = ops.ones((2, 4)), keras.random.normal((2, 3, 4))
    >>> mask = ops.array([[True, True, False], [True, False, False]])
    >>> pool = AttentionPooling([8, 4], activation="prelu")
    >>> pooled, weights = pool(candidate, history, mask=mask, return_weights=True)
    >>> tuple(pooled.shape), ops.convert_to_numpy(weights[:, 2]).tolist()   # padding: 0
    ((2, 4), [0.0, 0.0])
    >>> normalized = AttentionPooling([8, 4], normalize=True)
    >>> _, weights = normalized(candidate, history, mask=mask, return_weights=True)
    >>> ops.convert_to_numpy(weights[1]).tolist()   # one real behaviour takes it all
    [1.0, 0.0, 0.0]

    References:
        - [Zhou et al., 2018](https://arxiv.org/abs/1706.06978)
    """

    def __init__(self, hidden_units=(80, 40), activation="dice", normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the mask is consumed here, not passed on
        self.hidden_units = [int(u) for u in hidden_units]
        self.activation = activation
        self.normalize = bool(normalize)
        self._dense = [
            keras.layers.Dense(u, name=f"dense_{i}") for i, u in enumerate(self.hidden_units)
        ]
        self._activations = [_activation(activation, i) for i in range(len(self.hidden_units))]
        self._score = keras.layers.Dense(1, name="score")

    def build(self, query_shape, keys_shape=None, mask_shape=None):
        dim = int(query_shape[-1])
        shape = (None, None, 4 * dim)
        for dense, act in zip(self._dense, self._activations):
            dense.build(shape)
            shape = dense.compute_output_shape(shape)
            act.build(shape)
        self._score.build(shape)

    def call(self, query, keys, mask=None, return_weights=False, training=None):
        steps = ops.shape(keys)[1]
        q = ops.repeat(ops.expand_dims(query, 1), steps, axis=1)
        x = ops.concatenate([keys, q, keys * q, keys - q], axis=-1)
        for dense, act in zip(self._dense, self._activations):
            x = dense(x)
            x = act(x, mask=mask, training=training) if isinstance(act, Dice) else act(x)
        scores = ops.squeeze(self._score(x), -1)
        weights = self._weights(scores, mask)
        pooled = ops.sum(ops.expand_dims(weights, -1) * keys, axis=1)
        return (pooled, weights) if return_weights else pooled

    def _weights(self, scores, mask):
        if mask is None:
            return ops.softmax(scores, axis=-1) if self.normalize else scores
        if self.normalize:
            # Padding gets no share; an empty history's uniform softmax is zeroed.
            weights = ops.softmax(ops.where(mask, scores, -1e9), axis=-1)
            return ops.where(mask, weights, 0.0)
        return ops.where(mask, scores, 0.0)

    def compute_output_spec(self, query, keys, mask=None, return_weights=False, training=None):
        pooled = keras.KerasTensor(query.shape, dtype=query.dtype)
        if not return_weights:
            return pooled
        return pooled, keras.KerasTensor(keys.shape[:2], dtype=query.dtype)

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_units=self.hidden_units,
            activation=self.activation,
            normalize=self.normalize,
        )
        return config


def _activation(name, index):
    if name == "dice":
        return Dice(name=f"dice_{index}")
    if name == "prelu":
        # One alpha per channel, shared over behaviours (inputs are 3-D).
        return keras.layers.PReLU(shared_axes=[1], name=f"prelu_{index}")
    return keras.layers.Activation(name, name=f"act_{index}")
