"""StreamingFit: a feature spec fitted in one pass over chunks of rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tfrank.data.streaming.value_counter import Moments, ValueCounter
from tfrank.features.feature_spec import FeatureSpec

# With a capped vocabulary, a field's counter keeps this many times the cap.
TRACKED_PER_KEPT = 5


class StreamingFit:
    """Fits a `FeatureSpec` on typed chunks (from `typed_chunk`), one at a time.

    The result equals `spec.fit(frame)` on the same rows held in memory:
    vocabularies from Arrow value counts (`min_count`, `max_vocabulary_size`,
    most frequent first, ties by text; histories that share a table counted
    with it), means and variances merged per chunk. Memory is that of the
    distinct values counted; a feature with `max_vocabulary_size` keeps at
    most `TRACKED_PER_KEPT` times that many candidates (see
    `ValueCounter`), so its memory stays flat however long the stream.

    Example:

    >>> import pandas as pd
    >>> from tfrank.features import CategoricalFeature, NumericFeature
    >>> spec = FeatureSpec([CategoricalFeature("site"), NumericFeature("price")])
    >>> fit = StreamingFit(spec)
    >>> for sites, prices in ((["a", "b"], [1.0, 2.0]), (["a"], [6.0])):
    ...     fit.add({"site": pa.array(sites), "price": pa.array(prices, pa.float32())})
    >>> fitted = fit.result()
    >>> fitted["site"].vocabulary, fitted["price"].mean
    (['a', 'b'], 3.0)
    >>> frame = pd.DataFrame({"site": ["a", "b", "a"], "price": [1.0, 2.0, 6.0]})
    >>> spec.fit(frame).to_config() == fitted.to_config()
    True
    """

    def __init__(self, spec: FeatureSpec):
        self.spec = spec
        self.counters: dict[str, ValueCounter] = {}
        self.sources: dict[str, list[str]] = {}
        for f in spec.categorical:
            if f.hash_buckets is not None or f.num_ids is not None or f.share_embedding_with:
                continue
            cap = f.max_vocabulary_size
            self.counters[f.name] = ValueCounter(cap * TRACKED_PER_KEPT if cap else None)
            histories = [
                s.name for s in spec.sequence if s.shares and spec.owner_of(s.name) == f.name
            ]
            self.sources[f.name] = [f.name] + histories
        self.moments = {f.name: Moments() for f in spec.numeric}

    def add(self, features: dict[str, pa.Array]) -> None:
        """Counts one chunk of typed features."""
        for name, counter in self.counters.items():
            for source in self.sources[name]:
                values = features[source]
                if name != source:
                    values = pc.list_flatten(values)
                counter.add(values)
        for f in self.spec.numeric:
            values = features[f.name].to_numpy(zero_copy_only=False)
            values = f.transform_numpy(values)
            self.moments[f.name].add(values[np.isfinite(values)])

    @property
    def exact(self) -> bool:
        """False if a bounded counter had to drop candidates."""
        return all(c.exact for c in self.counters.values())

    def result(self) -> FeatureSpec:
        """The fitted spec."""
        fitted = []
        for f in self.spec.features:
            if f.name in self.counters:
                vocab = self.counters[f.name].vocabulary(f.min_count, f.max_vocabulary_size)
                if not vocab:
                    raise ValueError(
                        f"Feature '{f.name}': no value occurs min_count={f.min_count} times "
                        "in the training data; lower min_count or use hash_buckets."
                    )
                f = dataclasses.replace(f, vocabulary=vocab)
            elif f.name in self.moments:
                moments = self.moments[f.name]
                mean, variance = (moments.mean, moments.variance) if moments.count else (0.0, 1.0)
                f = dataclasses.replace(f, mean=mean, variance=variance or 1.0)
            else:
                f = dataclasses.replace(f)
            fitted.append(f)
        return FeatureSpec(fitted)
