"""ValueCounter and Moments against NumPy on hand-checkable inputs."""

import numpy as np
import pyarrow as pa

from tfrank.data.streaming import Moments, ValueCounter
from tfrank.data.streaming import value_counter as module


def test_counts_merge_across_chunks_like_one_count():
    counter = ValueCounter()
    counter.add(pa.array(["b", "a", "b"]))
    counter.add(pa.array(["c", "b", "a", "d"]))
    counts = dict(zip(*counter.counts().to_pydict().values()))
    assert counts == {"a": 2, "b": 3, "c": 1, "d": 1}
    # Most frequent first, ties by text; min_count and the cap apply after counting.
    assert counter.vocabulary() == ["b", "a", "c", "d"]
    assert counter.vocabulary(min_count=2) == ["b", "a"]
    assert counter.vocabulary(max_size=3) == ["b", "a", "c"]


def test_integer_ties_are_broken_by_text_as_in_memory():
    counter = ValueCounter()
    counter.add(pa.array([10, 9, 2, 10]))
    assert counter.vocabulary() == [10, 2, 9]  # "2" < "9" as text


def test_bounded_counter_keeps_the_heavy_hitters(monkeypatch):
    monkeypatch.setattr(module, "_MERGE_AT", 8)
    rng = np.random.default_rng(0)
    values = np.minimum(rng.zipf(1.5, 20_000), 5_000)
    counter = ValueCounter(limit=50)
    for part in np.array_split(values, 40):
        counter.add(pa.array(part))
    assert not counter.exact and counter.counts().num_rows <= 2 * 50 + 1_000
    top, counts = np.unique(values, return_counts=True)
    expected = top[np.lexsort((top.astype(str), -counts))][:10].tolist()
    assert counter.vocabulary(max_size=10) == expected


def test_moments_merge_like_numpy():
    rng = np.random.default_rng(1)
    values = rng.normal(3.0, 2.0, 1_001)
    moments = Moments()
    for part in np.array_split(values, 7):
        moments.add(part)
    assert moments.count == 1_001
    np.testing.assert_allclose([moments.mean, moments.variance], [values.mean(), values.var()],
                               rtol=1e-12)  # fmt: skip
