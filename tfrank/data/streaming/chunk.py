"""Chunk: a block of rows read from a shard, with where it came from."""

from __future__ import annotations

import dataclasses

import pyarrow as pa


@dataclasses.dataclass
class Chunk:
    """Rows of one shard as an Arrow table of raw columns.

    Attributes:
        table: the rows (text columns as read; typed columns for Parquet).
        path: the shard.
        first_line: file line (1-based, header counted) of the first row of a
            text shard, or the row number (1-based) of a Parquet shard; rows
            after it are on the following lines (bad rows skipped with
            `skip_bad_rows` excepted).
        unit: `"line"` or `"row"`, how `first_line` counts.
        position: bytes of the shard read so far (for progress).
    """

    table: pa.Table
    path: str
    first_line: int
    unit: str = "line"
    position: int = 0

    def where(self, index: int) -> str:
        """`"PATH, line N"` of the row at `index` of this chunk."""
        return f"{self.path}, {self.unit} {self.first_line + int(index)}"


class BadRows:
    """Counts rows skipped (with `skip_bad_rows`) and remembers the first."""

    def __init__(self, skip: bool = False):
        self.skip = skip
        self.count = 0
        self.first = None

    def add(self, count: int, description: str) -> None:
        if count and self.first is None:
            self.first = description
        self.count += int(count)
