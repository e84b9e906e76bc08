"""NegativeBehaviourSampler: items a user did not click, drawn in the graph."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class NegativeBehaviourSampler(keras.layers.Layer):
    """For every behaviour, an item not clicked at that step, with its attributes.

        n_{b,t}  ~ Uniform({low, ..., high - 1} \\ {i_{b,t}})
        c_k(n)   = attribute k of item n (its category, say)

    with `i_{b,t}` the item of behaviour `t` of row `b` (DIEN's negative
    `e_b[t]^-`, Zhou et al., 2019, section 4.2). The draw excludes the
    positive exactly, without rejection: `r` is drawn from the
    `high - low - 1` other ids as `U{low, ..., high - 2}`, then moved up by
    one where `r >= i_{b,t}`. (A positive outside the range, an
    out-of-vocabulary id, never draws the last id.) Draws use
    `keras.random` with the layer's seed generator, so they run inside a
    compiled training step.

    A feature spec knows no item's category, so the sampler learns the
    attributes from the data: each training call records the
    `(item, attributes)` pairs of its real behaviours in a non-trainable
    table (saved with the model), and a drawn item gets the attributes it
    last showed. A draw whose attributes are not known yet (the item has
    not appeared in a history since training began) is flagged in `known`,
    for the caller to leave out; after one pass over the training data
    every item of a history is known. Recording costs one copy of the
    `[items, num_attributes]` table per training step.

    Args:
        id_range: `(low, high)`: items are drawn from ids `low .. high - 1`
            (an item vocabulary without its out-of-vocabulary ids). Needs
            `high - low >= 2`.
        num_attributes: int. Per-item id sequences aligned with the items
            (their categories). Defaults to `0`.
        seed: int or None. Of the draws. Defaults to `None`.

    Call arguments:
        items: int `[batch, steps]` clicked item ids.
        mask: bool `[batch, steps]`, True on real behaviours (only these
            are recorded).
        attributes: list of `num_attributes` int `[batch, steps]` ids
            aligned with `items`.
        training: bool. Record the pairs (only in training).

    Returns:
        `(negatives, negative_attributes, known)`: int32 `[batch, steps]`
        item ids, a list of their int32 `[batch, steps]` attributes (`0`
        where not known) and bool `[batch, steps]`.

    Example:

    >>> sampler = NegativeBehaviourSampler((1, 4), num_attributes=1, seed=0)
    >>> items, categories = ops.array([[1, 2, 3, 1]]), ops.array([[7, 8, 9, 7]])
    >>> mask = ops.array([[True, True, True, False]])
    >>> negatives, (negative_categories, ), known = sampler(
    ...     items, mask, [categories], training=True)
    >>> bool(ops.all(negatives != items)), bool(ops.all(known))   # 1..3 all seen
    (True, True)
    >>> drawn = ops.convert_to_numpy(ops.stack([negatives[0], negative_categories[0]], -1))
    >>> all({1: 7, 2: 8, 3: 9}[n] == c for n, c in drawn.tolist())   # each with its category
    True

    References:
        - [Zhou et al., 2019](https://arxiv.org/abs/1809.03672), section 4.2
    """

    def __init__(self, id_range, num_attributes=0, seed=None, **kwargs):
        super().__init__(**kwargs)
        low, high = (int(i) for i in id_range)
        if high - low < 2:
            raise ValueError(
                "NegativeBehaviourSampler needs at least two items to draw from. "
                f"Received: id_range={tuple(id_range)}"
            )
        self.id_range = [low, high]
        self.num_attributes = int(num_attributes)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, items_shape=None, mask_shape=None, attributes_shape=None):
        if self.num_attributes:
            low, high = self.id_range
            # One extra row takes the writes of padding and out-of-range ids.
            self.item_attributes = self.add_weight(
                name="item_attributes",
                shape=(high - low + 1, self.num_attributes),
                initializer=keras.initializers.Constant(-1),
                dtype="int32",
                trainable=False,
                aggregation="only_first_replica",
            )

    def call(self, items, mask, attributes=None, training=None):
        low, high = self.id_range
        items = ops.cast(items, "int32")
        in_range = (items >= low) & (items < high)
        draws = keras.random.randint(
            ops.shape(items), low, high - 1, dtype="int32", seed=self.seed_generator
        )
        negatives = draws + ops.cast(in_range & (draws >= items), "int32")
        if not self.num_attributes:
            return negatives, [], ops.ones_like(negatives, dtype="bool")
        if len(attributes or []) != self.num_attributes:
            raise ValueError(
                f"Expected {self.num_attributes} attribute sequences aligned with the "
                f"items. Received: {len(attributes or [])}"
            )
        if training:
            self._record(items, ops.cast(mask, "bool") & in_range, attributes)
        found = ops.take(self.item_attributes, negatives - low, axis=0)
        known = ops.all(found >= 0, axis=-1)
        found = ops.maximum(found, 0)
        return negatives, [found[..., k] for k in range(self.num_attributes)], known

    def _record(self, items, valid, attributes):
        low, high = self.id_range
        rows = ops.reshape(ops.where(valid, items - low, high - low), (-1, 1))
        values = ops.stack([ops.cast(a, "int32") for a in attributes], axis=-1)
        values = ops.reshape(values, (-1, self.num_attributes))
        table = ops.scatter_update(self.item_attributes, rows, values)
        self.item_attributes.assign(table)

    def compute_output_spec(self, items, mask, attributes=None, training=None):
        ids = keras.KerasTensor(items.shape, dtype="int32")
        found = [keras.KerasTensor(items.shape, dtype="int32")] * self.num_attributes
        return ids, found, keras.KerasTensor(items.shape, dtype="bool")

    def get_config(self):
        config = super().get_config()
        config.update(
            id_range=list(self.id_range), num_attributes=self.num_attributes, seed=self.seed
        )
        return config
