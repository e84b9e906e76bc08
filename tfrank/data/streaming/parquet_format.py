"""ParquetFormat: Parquet shards read a bounded batch of rows at a time."""

from __future__ import annotations

import dataclasses
import os

import pyarrow as pa
import pyarrow.parquet as pq

from tfrank.data.streaming.chunk import BadRows, Chunk


@dataclasses.dataclass(frozen=True)
class ParquetFormat:
    """Parquet files with the feature and label columns.

    Example:

    >>> import os, tempfile
    >>> import pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "part.parquet")
    >>> pd.DataFrame({"label": [1, 0], "site": ["a", "b"]}).to_parquet(path)
    >>> [(c.table.to_pydict(), c.where(1)) for c in ParquetFormat().read_chunks(path)][0][1]
    '...part.parquet, row 2'
    """

    name: str = "parquet"
    required: tuple = ()

    def columns(self, path: str) -> list[str]:
        return list(_open(path).schema_arrow.names)

    def read_chunks(self, path: str, chunk_bytes: int = 1 << 24, bad_rows: BadRows | None = None):
        file = _open(path)
        names = file.schema_arrow.names
        missing = [c for c in self.required if c not in names]
        if missing:
            raise ValueError(f"{path}: columns {missing} are absent; columns: {names}")
        total = file.metadata.num_rows
        if total == 0:
            raise ValueError(f"{path}: empty shard (no rows).")
        row_bytes = max(1, file.metadata.serialized_size // max(total, 1) + 8 * len(names))
        rows = max(1024, chunk_bytes // row_bytes)
        size = os.path.getsize(path)
        first = 1
        try:
            for batch in file.iter_batches(batch_size=rows):
                done = int(size * (first - 1 + batch.num_rows) / total)
                yield Chunk(pa.Table.from_batches([batch]), path, first, "row", done)
                first += batch.num_rows
        except (pa.ArrowInvalid, OSError) as error:
            raise ValueError(f"{path}: unreadable after row {first - 1} ({error}).") from None


def _open(path):
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise ValueError(f"{path}: not a readable Parquet file ({error}).") from None
