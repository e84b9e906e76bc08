"""BehaviourSearch: SIM's General Search Unit over a long history."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer

_MODES = ("hard", "soft")
_SIMILARITIES = ("dot", "cosine")


@register_layer
class BehaviourSearch(keras.layers.Layer):
    """Retrieves the `top_k` behaviours relevant to the candidate.

    - hard search: behaviours whose category equals the candidate's, the
      `top_k` most recent of them;
    - soft search: the `top_k` behaviours with the largest relevance
      `r_i = <W_b e_i, W_a e_c>` to the candidate (SIM's eq. 1, with learned
      projections `W_a`, `W_b` of `units` columns), or, with
      `projection=False`, the raw inner product `<e_i, e_c>` or the cosine
      `<e_i, e_c> / (|e_i| |e_c|)` (`similarity`). The selection passes no
      gradient: the projections learn only from a loss on the scores
      (`return_scores=True`; SIM's search loss, `Loss_GSU`). Without
      projections the inner product ranks by whatever norms the embeddings
      happen to have; the cosine always ranks an earlier click of the
      candidate itself first.

    The cost is one comparison (hard) or one dot product (soft) per
    behaviour plus a top-k, so histories of tens of thousands of steps are
    cheap; only the `top_k` retrieved go on to attention (the Exact Search
    Unit). Retrieved slots beyond the matches are masked.

    Args:
        top_k: int. Defaults to `50`.
        mode: `"hard"` or `"soft"`. Defaults to `"hard"`.
        similarity: `"dot"` or `"cosine"` (soft search). Defaults to `"dot"`.
        projection: bool. Soft search through the learned `W_a`, `W_b`.
            Defaults to `True`.
        units: int or None. Columns of the projections; `None`: the key
            width. Defaults to `None`.

    Call arguments:
        query: `[batch, dim]` candidate embedding (soft search; `None` for hard).
        keys: `[batch, steps, dim]` behaviour embeddings (soft search; `None`
            for hard: categories are compared as given, raw values or ids).
        mask: bool `[batch, steps]`.
        query_category: int `[batch]` (hard search).
        key_categories: int `[batch, steps]` (hard search).
        return_scores: bool. Soft search: also return the relevance `r_i`
            of every step, `[batch, steps]` (0 on padding), with gradients.

    Returns:
        `(indices, found)`: `[batch, top_k]` int32 step indices into `keys`
        (most relevant first) and their bool mask. Gather anything aligned
        with the history with `ops.take_along_axis(x, indices, axis=1)`.
        With `return_scores=True`, `(indices, found, scores)`.

    Example:

    Hard search, for a candidate of category 7 (history oldest first):

    >>> categories = ops.array([[7, 3, 7, 7, 9]])
    >>> mask = ops.array([[True, True, True, False, False]])
    >>> search = BehaviourSearch(top_k=3, mode="hard")
    >>> index, found = search(None, None, mask, ops.array([7]), categories)
    >>> ops.convert_to_numpy(index).tolist(), ops.convert_to_numpy(found).tolist()
    ([[2, 0, 0]], [[True, True, False]])

    Soft search, by the raw inner product with the candidate:

    >>> keys = ops.array([[[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]]])   # <e_i, e_c>: 1, 0, 3
    >>> soft = BehaviourSearch(top_k=2, mode="soft", projection=False)
    >>> index, found = soft(ops.array([[1.0, 0.0]]), keys, ops.array([[True, True, True]]))
    >>> ops.convert_to_numpy(index).tolist()
    [[2, 0]]

    References:
        - [Pi et al., 2020](https://arxiv.org/abs/2006.05639)
    """

    def __init__(
        self, top_k=50, mode="hard", similarity="dot", projection=True, units=None, **kwargs
    ):
        super().__init__(**kwargs)
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}. Received: {mode!r}")
        if similarity not in _SIMILARITIES:
            raise ValueError(f"similarity must be one of {_SIMILARITIES}. Received: {similarity!r}")
        self.top_k = int(top_k)
        self.mode = mode
        self.similarity = similarity
        self.projection = bool(projection)
        self.units = None if units is None else int(units)

    def build(self, query_shape=None, keys_shape=None, mask_shape=None, *args):
        if self.mode == "soft" and self.projection:
            units = self.units or int(keys_shape[-1])
            # Identity-like start: search begins as the inner product of the
            # embeddings (an earlier click of the candidate scores its squared
            # norm) and its loss moves it from there. Independent random
            # projections would start it ranking at random.
            self.query_kernel = self.add_weight(
                name="query_kernel", shape=(int(query_shape[-1]), units), initializer="identity"
            )
            self.key_kernel = self.add_weight(
                name="key_kernel", shape=(int(keys_shape[-1]), units), initializer="identity"
            )

    def call(
        self, query, keys, mask, query_category=None, key_categories=None, return_scores=False
    ):
        mask = ops.cast(mask, "bool")
        steps = ops.shape(mask)[1]
        position = ops.expand_dims(ops.cast(ops.arange(steps), "float32"), 0)
        if self.mode == "hard":
            if query_category is None or key_categories is None:
                raise ValueError("Hard search needs query_category and key_categories.")
            same = ops.equal(key_categories, ops.expand_dims(query_category, 1))
            matched = mask & same
            # The latest matches score highest: position + 1, else 0.
            score = ops.where(matched, position + 1.0, 0.0)
        else:
            if query is None or keys is None:
                raise ValueError("Soft search needs the query and key embeddings.")
            matched = mask
            if self.projection:
                query, keys = (
                    ops.matmul(query, self.query_kernel),
                    ops.matmul(keys, self.key_kernel),
                )
            if self.similarity == "cosine":
                query, keys = _unit(query), _unit(keys)
            similarity = ops.where(mask, ops.sum(keys * ops.expand_dims(query, 1), axis=-1), 0.0)
            # Any real behaviour outranks padding, whatever its similarity.
            score = ops.where(mask, similarity, -1e30)
        # Histories shorter than top_k get unmatched slots, so top_k is static
        # (only then: a long history is not copied).
        floor = 0.0 if self.mode == "hard" else -1e30
        short = steps < self.top_k
        filler = ops.full((ops.shape(score)[0], self.top_k), floor, dtype=score.dtype)
        score = ops.cond(short, lambda: ops.concatenate([score, filler], 1), lambda: score)
        none = ops.zeros_like(filler, dtype="bool")
        matched = ops.cond(short, lambda: ops.concatenate([matched, none], 1), lambda: matched)
        _, indices = ops.top_k(ops.stop_gradient(score), self.top_k)
        found = ops.take_along_axis(matched, indices, axis=1)
        indices = ops.where(found, indices, 0)
        if return_scores:
            if self.mode != "soft":
                raise ValueError("Only soft search has scores to return.")
            return ops.cast(indices, "int32"), found, similarity
        return ops.cast(indices, "int32"), found

    def compute_output_spec(
        self, query, keys, mask, query_category=None, key_categories=None, return_scores=False
    ):
        batch = mask.shape[0]
        out = (
            keras.KerasTensor((batch, self.top_k), dtype="int32"),
            keras.KerasTensor((batch, self.top_k), dtype="bool"),
        )
        if return_scores:
            out += (keras.KerasTensor(tuple(mask.shape), dtype=keys.dtype),)
        return out

    def get_config(self):
        config = super().get_config()
        config.update(top_k=self.top_k, mode=self.mode, similarity=self.similarity,
                      projection=self.projection, units=self.units)  # fmt: skip
        return config


def _unit(x):
    # The epsilon keeps an all-zero embedding at similarity 0, not NaN.
    return x / ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True) + 1e-12)
