"""DIEN's auxiliary loss: each interest state must foresee the next behaviour."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class AuxiliaryInterestLoss(keras.layers.Layer):
    """Supervises the interest extractor's states with the next behaviour.

        L_aux = mean over valid t of
                -log s(h_t, e_{t+1}) - log(1 - s(h_t, e^_{t+1}))

    with `s(h, e) = sigmoid(MLP([h, e]))`, `e_{t+1}` the behaviour that
    followed state `h_t` and `e^_{t+1}` a negative: the behaviour at step
    `t + 1` of the previous example in the batch (in-batch negatives need no
    sampling inputs, so the exported model takes only real features). A
    pair counts when steps `t`, `t + 1` and the negative are all real
    behaviours and the negative differs from `e_{t+1}`, so padding never
    enters the loss. In training the layer adds
    `weight * L_aux` to the model's losses; it returns `states` unchanged.

    Args:
        hidden_units: list of int. Of `s`'s MLP (sigmoid). Defaults to
            `(100, 50)` (DIEN's code).
        weight: float. `alpha` of the paper's total loss. Defaults to `1.0`.

    Call arguments:
        states: `[batch, steps, units]` GRU states.
        behaviours: `[batch, steps, dim]` behaviour embeddings.
        mask: bool `[batch, steps]`.
        training: bool.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> history = keras.random.normal((2, 4, 3))
    >>> mask = ops.array([[True, True, True, False], [True, True, False, False]])
    >>> states = keras.layers.GRU(5, return_sequences=True)(history, mask=mask)
    >>> aux = AuxiliaryInterestLoss(hidden_units=[8])
    >>> out = aux(states, history, mask, training=True)
    >>> bool(ops.all(out == states)), len(aux.losses)   # states pass; weight * L_aux added
    (True, 1)
    >>> bool(aux.loss(states, history, mask) > 0)
    True

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672), section 4.2
    """

    def __init__(self, hidden_units=(100, 50), weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = [int(u) for u in hidden_units]
        self.weight = float(weight)
        self.supports_masking = True  # the mask arrives as an argument
        self._dense = [
            keras.layers.Dense(u, activation="sigmoid", name=f"dense_{i}")
            for i, u in enumerate(self.hidden_units)
        ]
        self._score = keras.layers.Dense(1, name="score")

    def build(self, states_shape, behaviours_shape=None, mask_shape=None):
        shape = (None, None, int(states_shape[-1]) + int(behaviours_shape[-1]))
        for dense in self._dense:
            dense.build(shape)
            shape = dense.compute_output_shape(shape)
        self._score.build(shape)

    def logits(self, states, behaviours):
        """`[batch, steps]` logits of `s(h_t, e)` for aligned steps."""
        x = ops.concatenate([states, behaviours], axis=-1)
        for dense in self._dense:
            x = dense(x)
        return ops.squeeze(self._score(x), -1)

    def loss(self, states, behaviours, mask):
        """`L_aux` (unweighted) for a batch."""
        h, positive = states[:, :-1], behaviours[:, 1:]
        negative = ops.roll(behaviours, 1, axis=0)[:, 1:]
        negative_mask = ops.roll(mask, 1, axis=0)[:, 1:]
        differs = ops.any(ops.not_equal(negative, positive), axis=-1)
        valid = ops.cast(mask[:, :-1] & mask[:, 1:] & negative_mask & differs, states.dtype)
        nll = ops.softplus(-self.logits(h, positive)) + ops.softplus(self.logits(h, negative))
        return ops.sum(nll * valid) / ops.maximum(ops.sum(valid), 1.0)

    def call(self, states, behaviours, mask, training=None):
        if training and self.weight:
            self.add_loss(self.weight * self.loss(states, behaviours, ops.cast(mask, "bool")))
        return states

    def compute_mask(self, *args, **kwargs):
        return None

    def compute_output_spec(self, states, behaviours=None, mask=None, training=None):
        return keras.KerasTensor(states.shape, dtype=states.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_units=self.hidden_units, weight=self.weight)
        return config
