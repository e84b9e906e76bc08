"""ValueCounter and Moments: mergeable per-chunk statistics for fitting a spec."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Chunk counts pile up to about this many entries before they are merged.
_MERGE_AT = 1 << 18


class ValueCounter:
    """Counts the values of one column over many chunks, in Arrow arrays.

    Each chunk's `value_counts` is kept as an Arrow table; now and then the
    pieces are merged with a hash aggregation, so memory is that of the
    distinct values (a few bytes of text and an int64 each), never of
    Python objects. With `limit`, the counter keeps at most about `2 *
    limit` values: whenever it holds more, it keeps the `limit` most
    frequent so far (a bounded heavy-hitters count; `exact` turns False).
    A vocabulary capped at `max_vocabulary_size` values needs only the head
    of the distribution, so a limit of many times that keeps it exact in
    practice while memory stays flat however long the stream.

    Example:

    >>> counter = ValueCounter()
    >>> counter.add(pa.array(["a", "b", "a"]))
    >>> counter.add(pa.array(["b", "c", "a"]))
    >>> counter.vocabulary(min_count=2)
    ['a', 'b']
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self.merged = None
        self.pieces = []
        self.pending = 0
        self.exact = True

    def add(self, values: pa.Array) -> None:
        if len(values) == 0:
            return
        counts = pc.value_counts(values)
        self.pieces.append(
            pa.table({"value": counts.field("values"), "count": counts.field("counts")})
        )
        self.pending += len(counts)
        size = 0 if self.merged is None else self.merged.num_rows
        # Amortized merging (pieces up to the merged size), but with a limit
        # the pieces stay small too, so memory is bounded by the limit.
        if self.pending > (_MERGE_AT if self.limit is not None else max(_MERGE_AT, size)):
            self._merge()

    def _merge(self):
        if not self.pieces:
            return
        parts = ([self.merged] if self.merged is not None else []) + self.pieces
        table = pa.concat_tables(parts).group_by("value").aggregate([("count", "sum")])
        table = pa.table({"value": table["value"], "count": table["count_sum"]})
        if self.limit is not None and table.num_rows > 2 * self.limit:
            top = pc.select_k_unstable(table, self.limit, [("count", "descending")])
            table = table.take(top)
            self.exact = False
        self.merged, self.pieces, self.pending = table, [], 0

    def counts(self) -> pa.Table:
        """`value`, `count` of every counted value (in no particular order)."""
        self._merge()
        if self.merged is None:
            return pa.table({"value": pa.array([], pa.string()), "count": pa.array([], pa.int64())})
        return self.merged

    def vocabulary(self, min_count: int = 1, max_size: int | None = None) -> list:
        """Values counted at least `min_count` times, most frequent first,
        ties by the value's text (as `CategoricalFeature.fit` orders them),
        at most `max_size`."""
        table = self.counts()
        table = table.filter(pc.greater_equal(table["count"], min_count))
        text = table["value"]
        if not pa.types.is_string(text.type):
            text = pc.cast(text, pa.string())
        keyed = pa.table({"count": table["count"], "text": text, "value": table["value"]})
        order = pc.sort_indices(keyed, [("count", "descending"), ("text", "ascending")])
        if max_size is not None:
            order = order[:max_size]
        return keyed["value"].take(order).to_pylist()


class Moments:
    """Count, mean and variance of a stream of numbers, merged chunk by
    chunk (Chan et al.'s parallel update, in float64).

    Example:

    >>> moments = Moments()
    >>> moments.add(np.array([1.0, 2.0])); moments.add(np.array([3.0, 4.0]))
    >>> moments.count, moments.mean, moments.variance
    (4, 2.5, 1.25)
    """

    def __init__(self):
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, np.float64)
        n = values.size
        if n == 0:
            return
        mean = float(values.mean())
        m2 = float(((values - mean) ** 2).sum())
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * self.count * n / total
        self.count = total

    @property
    def variance(self) -> float:
        return self.m2 / self.count if self.count else 0.0
