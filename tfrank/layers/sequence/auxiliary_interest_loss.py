"""DIEN's auxiliary loss: each interest state must foresee the next behaviour."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.core.embedding_bank import gather_rows
from tfrank.layers.sequence.negative_behaviour_sampler import NegativeBehaviourSampler
from tfrank.registration import register_layer

NEGATIVES = ("sampled", "in_batch")


@register_layer
class AuxiliaryInterestLoss(keras.layers.Layer):
    """Supervises the interest extractor's states with the next behaviour.

        L_aux = mean over valid t of
                -log s(h_t, e_{t+1}) - log(1 - s(h_t, e^-_{t+1}))

    with `s(h, e) = sigmoid(MLP([h, e]))`, `e_{t+1}` the behaviour that
    followed state `h_t` and `e^-_{t+1}` a behaviour the user did not do
    there (Zhou et al., 2019, eq. 8). The negatives, by `negatives`:

    - `"sampled"` (the paper's): an item drawn uniformly from the item
      vocabulary, never the clicked one, per step, by a
      `NegativeBehaviourSampler`; its embedding is read from the shared
      tables (`tables`, at `offsets`), its other ids (category) from the
      item's attributes the sampler has recorded. A draw whose attributes
      are not known yet does not count.
    - `"in_batch"`: the behaviour at step `t + 1` of the previous example
      in the batch; it counts only if real and different from `e_{t+1}`.

    A pair counts when steps `t` and `t + 1` are real behaviours, so
    padding never enters the loss. In training the layer adds
    `weight * L_aux` to the model's losses; it returns `states` unchanged
    and draws or reads nothing outside training.

    Args:
        hidden_units: list of int. Of `s`'s MLP (sigmoid). Defaults to
            `(100, 50)` (DIEN's code).
        weight: float. `alpha` of the paper's total loss. Defaults to `1.0`.
        negatives: `"sampled"` or `"in_batch"`. Defaults to `"sampled"`.
        id_range: `(low, high)`, sampled only: the item ids to draw.
        offsets: list of int, sampled only: the row of id 0 of each id
            sequence (item first, then its attributes) in its table.
        seed: int or None. Of the draws. Defaults to `None`.

    Call arguments:
        states: `[batch, steps, units]` GRU states.
        behaviours: `[batch, steps, dim]` behaviour embeddings: the item's
            and its attributes' embeddings side by side.
        mask: bool `[batch, steps]`.
        ids: sampled only: list of int `[batch, steps]`, the item ids and
            the attributes' ids behind `behaviours`, in `offsets` order.
        tables: sampled only: list of the embedding tables (variables) they
            read.
        training: bool.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> items = ops.array([[1, 2, 3, 0], [2, 3, 0, 0]])     # 0: padding
    >>> mask = items > 0
    >>> table = keras.Variable(keras.random.normal((4, 3)))  # the item embeddings
    >>> history = ops.take(table, items, axis=0)
    >>> states = keras.layers.GRU(5, return_sequences=True)(history, mask=mask)
    >>> aux = AuxiliaryInterestLoss(hidden_units=[8], id_range=(1, 4), offsets=[0], seed=0)
    >>> out = aux(states, history, mask, ids=[items], tables=[table], training=True)
    >>> bool(ops.all(out == states)), len(aux.losses)   # states pass; weight * L_aux added
    (True, 1)
    >>> in_batch = AuxiliaryInterestLoss(hidden_units=[8], negatives="in_batch")
    >>> bool(in_batch.loss(states, history, mask) > 0)
    True

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672), section 4.2
    """

    def __init__(
        self,
        hidden_units=(100, 50),
        weight=1.0,
        negatives="sampled",
        id_range=None,
        offsets=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if negatives not in NEGATIVES:
            raise ValueError(f"negatives must be one of {NEGATIVES}. Received: {negatives!r}")
        self.hidden_units = [int(u) for u in hidden_units]
        self.weight = float(weight)
        self.negatives = negatives
        self.id_range = None if id_range is None else [int(i) for i in id_range]
        self.offsets = None if offsets is None else [int(o) for o in offsets]
        self.seed = seed
        self.supports_masking = True  # the mask arrives as an argument
        self._dense = [
            keras.layers.Dense(u, activation="sigmoid", name=f"dense_{i}")
            for i, u in enumerate(self.hidden_units)
        ]
        self._score = keras.layers.Dense(1, name="score")
        self._sampler = None
        if negatives == "sampled":
            if self.id_range is None or not self.offsets:
                raise ValueError(
                    "negatives='sampled' draws items from `id_range` and reads them from "
                    "the tables at `offsets`; give both, or use negatives='in_batch'. "
                    f"Received: id_range={id_range}, offsets={offsets}"
                )
            self._sampler = NegativeBehaviourSampler(
                self.id_range, len(self.offsets) - 1, seed=seed, name="sampler"
            )

    def build(self, states_shape, behaviours_shape=None, mask_shape=None, **shapes):
        shape = (None, None, int(states_shape[-1]) + int(behaviours_shape[-1]))
        for dense in self._dense:
            dense.build(shape)
            shape = dense.compute_output_shape(shape)
        self._score.build(shape)
        if self._sampler is not None:
            self._sampler.build()

    def logits(self, states, behaviours):
        """`[batch, steps]` logits of `s(h_t, e)` for aligned steps."""
        x = ops.concatenate([states, behaviours], axis=-1)
        for dense in self._dense:
            x = dense(x)
        return ops.squeeze(self._score(x), -1)

    def loss(self, states, behaviours, mask, negatives=None, negative_mask=None):
        """`L_aux` (unweighted) for a batch; `negatives` (`[batch, steps,
        dim]`, the one for step `t` at `t`) with `negative_mask` marking the
        usable ones, or in-batch negatives when `None`."""
        mask = ops.cast(mask, "bool")
        h, positive = states[:, :-1], behaviours[:, 1:]
        if negatives is None:
            negative = ops.roll(behaviours, 1, axis=0)[:, 1:]
            usable = ops.roll(mask, 1, axis=0)[:, 1:]
            usable = usable & ops.any(ops.not_equal(negative, positive), axis=-1)
        else:
            negative = negatives[:, 1:]
            usable = ops.cast(negative_mask, "bool")[:, 1:]
        valid = ops.cast(mask[:, :-1] & mask[:, 1:] & usable, states.dtype)
        nll = ops.softplus(-self.logits(h, positive)) + ops.softplus(self.logits(h, negative))
        return ops.sum(nll * valid) / ops.maximum(ops.sum(valid), 1.0)

    def sample_negatives(self, ids, tables, mask, training=None):
        """`(negatives, usable, drawn_ids)`: embeddings `[batch, steps, dim]`
        of a drawn behaviour per step, whether it counts, and its ids."""
        count = len(self.offsets)
        if ids is None or tables is None or not len(ids) == len(tables) == count:
            raise ValueError(
                f"negatives='sampled' needs `ids` and `tables` for {count} id "
                "sequences (item first)."
            )
        items, attributes, known = self._sampler(ids[0], mask, list(ids[1:]), training=training)
        drawn = [items, *attributes]
        parts = [
            ops.cast(gather_rows(table, offset + i), self.compute_dtype)
            for table, offset, i in zip(tables, self.offsets, drawn)
        ]
        negatives = parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)
        return negatives, known, drawn

    def call(self, states, behaviours, mask, ids=None, tables=None, training=None):
        if training and self.weight:
            mask = ops.cast(mask, "bool")
            negatives = usable = None
            if self._sampler is not None:
                negatives, usable, _ = self.sample_negatives(ids, tables, mask, training=True)
            loss = self.loss(states, behaviours, mask, negatives, usable)
            self.add_loss(self.weight * loss)
        return states

    def compute_mask(self, *args, **kwargs):
        return None

    def compute_output_spec(self, states, *args, **kwargs):
        return keras.KerasTensor(states.shape, dtype=states.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_units=self.hidden_units,
            weight=self.weight,
            negatives=self.negatives,
            id_range=self.id_range,
            offsets=self.offsets,
            seed=self.seed,
        )
        return config
