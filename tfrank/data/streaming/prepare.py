"""prepare_data: one pass over text or Parquet shards -> fitted spec + encoded shards."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tfrank.data.streaming.block_writer import BlockWriter, column_values
from tfrank.data.streaming.chunk import BadRows
from tfrank.data.streaming.prepared_data import EXAMPLE, MANIFEST, PreparedData
from tfrank.data.streaming.progress import Progress
from tfrank.data.streaming.shards import total_bytes
from tfrank.data.streaming.streaming_fit import StreamingFit
from tfrank.data.streaming.typed_columns import typed_chunk
from tfrank.features.feature_spec import FeatureSpec

# Bump when the shard layout changes, so that old caches are not reused.
LAYOUT_VERSION = 1
EXAMPLE_ROWS = 64


@dataclasses.dataclass
class StreamSource:
    """Shards of one format, read chunk by chunk.

    Attributes:
        format: a `DelimitedFormat` or `ParquetFormat`.
        shards: the files, in order.
        name: the data spec they came from.
    """

    format: object
    shards: list
    name: str = ""

    def chunks(self, chunk_bytes, bad_rows):
        for shard in self.shards:
            yield from self.format.read_chunks(shard, chunk_bytes, bad_rows)


def held_out(row_ids: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Whether each row (by its position in the stream) is a validation
    row: a hash of `(seed, row)` below `fraction`, so the split needs no
    second pass and does not depend on chunk sizes.

    Example:

    >>> mask = held_out(np.arange(100_000), 0.1, seed=0)
    >>> round(float(mask.mean()), 2), bool((mask == held_out(np.arange(100_000), 0.1, 0)).all())
    (0.1, True)
    """
    with np.errstate(over="ignore"):
        z = row_ids.astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53) < fraction


def cache_key(source, validation, spec, labels, fraction, seed, skip_bad_rows, block_rows) -> str:
    """A digest of what prepared data depends on: the files (path, size,
    modification time), the unfitted spec, labels and split settings."""

    def files(s):
        if s is None:
            return None
        return [(os.path.abspath(p), os.path.getsize(p), os.stat(p).st_mtime_ns) for p in s.shards]

    described = {
        "layout": LAYOUT_VERSION, "format": getattr(source.format, "name", ""),
        "train": files(source), "validation": files(validation), "spec": spec.to_config(),
        "labels": labels, "fraction": fraction, "seed": seed, "skip_bad_rows": skip_bad_rows,
        "block_rows": block_rows,
    }  # fmt: skip
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def prepare_data(
    source: StreamSource, spec: FeatureSpec, labels, directory: str, validation=None,
    validation_fraction: float = 0.1, seed: int = 0, skip_bad_rows: bool = False,
    block_rows: int = 256, rows_per_shard: int = 1 << 20, chunk_bytes: int = 1 << 24,
    verbose: int = 1,
) -> PreparedData:  # fmt: skip
    """Reads `source` once: checks and types every row, fits `spec` on the
    training rows (`StreamingFit`) and writes train and validation rows as
    encoded shards (`BlockWriter`) in `directory`.

    Validation rows are `validation` (another `StreamSource`) or, without
    it, the rows `held_out` picks (`validation_fraction`, by `seed`). A bad
    row is an error naming its file and line, raised before `directory`
    exists (everything is written to a scratch directory first); with
    `skip_bad_rows` such rows are skipped and counted (`bad_rows` in the
    manifest). Memory is bounded by the chunk size and the vocabularies.

    Example:

    >>> import os, tempfile
    >>> from tfrank.data import SyntheticCTR
    >>> from tfrank.data.streaming import DelimitedFormat
    >>> folder = tempfile.mkdtemp()
    >>> generator = SyntheticCTR(seed=0)
    >>> for i in range(2):
    ...     generator.sample(500, seed=i).to_csv(f"{folder}/part-{i}.csv", index=False)
    >>> source = StreamSource(DelimitedFormat("csv"), [f"{folder}/part-{i}.csv" for i in range(2)])
    >>> data = prepare_data(source, generator.feature_spec(), ["label"], f"{folder}/prepared",
    ...                     verbose=0)
    >>> data.rows("train") + data.rows("validation"), data.spec.is_fitted
    (1000, True)
    >>> features, labels = next(iter(data.dataset("train", batch_size=128)))
    >>> tuple(labels.shape), features["user_id"].dtype.name
    ((128,), 'string')
    """
    labels = [labels] if isinstance(labels, str) else list(labels)
    columns = {f.name: (f.dtype, f.max_length if f.kind == "sequence" else None)
               for f in spec.raw_features}  # fmt: skip
    columns.update({name: ("float32", None) for name in labels})
    pads = {f.name: f.pad for f in spec.sequence}
    scratch = f"{directory.rstrip(os.sep)}.partial-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    try:
        writers = {s: BlockWriter(scratch, s, columns, block_rows, rows_per_shard)
                   for s in ("train", "validation")}  # fmt: skip
        fit = StreamingFit(spec)
        bad = BadRows(skip_bad_rows)
        sources = [(source, "train")] + ([(validation, "validation")] if validation else [])
        size = sum(total_bytes(s.shards) for s, _ in sources)
        progress = Progress("prepare", size, verbose)
        done_bytes, rows, example = 0, 0, None
        for part, role in sources:
            for shard in part.shards:
                for chunk in part.format.read_chunks(shard, chunk_bytes, bad):
                    features, label_values = typed_chunk(chunk, spec, labels, bad)
                    n = len(next(iter(label_values.values())))
                    if role == "train" and validation is None:
                        mask = held_out(np.arange(rows, rows + n), validation_fraction, seed)
                    else:
                        mask = np.full(n, role == "validation")
                    arrays = _block_arrays(features, label_values, columns, pads)
                    if example is None:
                        example = {k: v[:EXAMPLE_ROWS] for k, v in arrays.items()}
                    for split, keep in (("train", ~mask), ("validation", mask)):
                        if keep.any():
                            writers[split].write({k: v[keep] for k, v in arrays.items()})
                    if (~mask).any():
                        selected = pa.array(~mask)
                        fit.add({k: pc.filter(v, selected) for k, v in features.items()})
                    rows += n
                    progress.update(done_bytes + chunk.position, rows)
                done_bytes += os.path.getsize(shard)
        seconds = progress.close()
        splits = {s: w.close() for s, w in writers.items()}
        for split in splits:
            if not sum(s["rows"] for s in splits[split]):
                raise ValueError(f"{source.name or source.shards[0]}: no {split} rows.")
        fitted, exact = fit.result(), fit.exact
        del fit
        pa.default_memory_pool().release_unused()  # the counts are done with
        pd.DataFrame({k: list(v) if v.ndim > 1 else v for k, v in example.items()}).to_parquet(
            os.path.join(scratch, EXAMPLE)
        )
        manifest = {
            "source": source.name, "validation_source": validation.name if validation else None,
            "shards": source.shards, "rows": rows, "bad_rows": bad.count,
            "first_bad_row": bad.first, "columns": columns, "labels": labels,
            "splits": splits, "spec": fitted.to_config(), "spec_fit_exact": exact,
            "block_rows": block_rows, "seconds": round(seconds, 3),
            "rows_per_second": round(rows / max(seconds, 1e-9), 1),
        }  # fmt: skip
        with open(os.path.join(scratch, MANIFEST), "w") as f:
            json.dump(manifest, f, indent=1)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(scratch, directory)
    return PreparedData(directory)


def _block_arrays(features, label_values, columns, pads) -> dict:
    arrays = {
        name: column_values(features[name], dtype, width, pads.get(name))
        for name, (dtype, width) in columns.items()
        if name in features
    }
    return {**arrays, **label_values}
