"""BlockWriter: typed rows written as TFRecord shards of serialized blocks."""

from __future__ import annotations

import functools
import os

import numpy as np
import pyarrow as pa
import tensorflow as tf

TF_DTYPES = {"string": tf.string, "int64": tf.int64, "float32": tf.float32}


class BlockWriter:
    """Writes rows as blocks of `block_rows` rows, `rows_per_shard` per file.

    A record is one block: every column of its rows as a serialized tensor
    (`tf.io.serialize_tensor`), after the block's row count. Reading a block
    back is a few `tf.io.parse_tensor` calls in C++, with no text parsing;
    blocks are also the unit of shuffling (see `PreparedData.dataset`).
    Blocks are kept full across calls to `write`, so only the last block of
    a split can be short; a shard holds a whole number of blocks.

    Args:
        directory: where the shards go (`SPLIT-00000.tfrecord`, ...).
        split: `"train"` or `"validation"`.
        columns: `{name: (dtype, width)}` in record order; `width` is the
            fixed width of a padded sequence column, else None.
        block_rows: rows per block.
        rows_per_shard: rows per file (rounded up to whole blocks).
    """

    def __init__(self, directory, split, columns, block_rows=256, rows_per_shard=1 << 20):
        self.directory, self.split = directory, split
        self.columns = dict(columns)
        self.block_rows = int(block_rows)
        blocks = max(1, -(-int(rows_per_shard) // self.block_rows))
        self.rows_per_shard = blocks * self.block_rows
        self.shards: list[dict] = []
        self._writer = None
        self._pending: dict[str, list] = {name: [] for name in self.columns}
        self._pending_rows = 0
        self._serialize = _serializer(tuple(self.columns.items()), self.block_rows)

    def write(self, arrays: dict[str, np.ndarray]) -> None:
        """Adds rows (`{column: array}`, all of one length)."""
        rows = len(next(iter(arrays.values())))
        if rows == 0:
            return
        for name in self.columns:
            self._pending[name].append(arrays[name])
        self._pending_rows += rows
        if self._pending_rows >= self.block_rows:
            self._flush(final=False)

    def close(self) -> list[dict]:
        """Writes what is left; returns `[{"file", "rows"}]` of the shards."""
        if self._pending_rows:
            self._flush(final=True)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.shards

    def _flush(self, final):
        joined = {name: _concat(parts) for name, parts in self._pending.items()}
        rows = self._pending_rows
        writable = rows if final else rows - rows % self.block_rows
        done = 0
        while done < writable:
            if self._writer is None or self.shards[-1]["rows"] >= self.rows_per_shard:
                self._open_shard()
            take = min(self.rows_per_shard - self.shards[-1]["rows"], writable - done)
            self._write_blocks({n: a[done : done + take] for n, a in joined.items()})
            done += take
        self._pending = {n: [a[done:]] if rows > done else [] for n, a in joined.items()}
        self._pending_rows = rows - done

    def _open_shard(self):
        if self._writer is not None:
            self._writer.close()
        name = f"{self.split}-{len(self.shards):05d}.tfrecord"
        self._writer = tf.io.TFRecordWriter(os.path.join(self.directory, name))
        self.shards.append({"file": name, "rows": 0})

    def _write_blocks(self, arrays):
        rows = len(next(iter(arrays.values())))
        tensors = {
            n: tf.constant(arrays[n], TF_DTYPES[dtype]) for n, (dtype, _) in self.columns.items()
        }
        for record in self._serialize(tensors).numpy():
            self._writer.write(record)
        self.shards[-1]["rows"] += rows


@functools.lru_cache(maxsize=16)
def _serializer(columns, block_rows):
    """A traced function: a chunk's columns -> its serialized blocks (one
    trace per column layout, reused by every writer)."""
    signature = {
        n: tf.TensorSpec([None] if width is None else [None, width], TF_DTYPES[dtype])
        for n, (dtype, width) in columns
    }
    names = [n for n, _ in columns]
    return tf.function(lambda tensors: _blocks(tensors, names, block_rows),
                       input_signature=[signature])  # fmt: skip


def _blocks(tensors, names, block_rows):
    """Serialized blocks of `block_rows` rows (the last may be short)."""
    rows = tf.shape(tensors[names[0]], out_type=tf.int64)[0]

    def block(i):
        start = i * block_rows
        size = tf.minimum(tf.constant(block_rows, tf.int64), rows - start)
        parts = [tf.io.serialize_tensor(size)]
        parts += [tf.io.serialize_tensor(tensors[n][start : start + size]) for n in names]
        return tf.io.serialize_tensor(tf.stack(parts))

    count = (rows + block_rows - 1) // block_rows
    return tf.map_fn(block, tf.range(count), fn_output_signature=tf.string)


def _concat(parts):
    if not parts:
        return np.zeros(0)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts)


def column_values(array: pa.Array, dtype: str, width: int | None = None, pad=None) -> np.ndarray:
    """A typed Arrow column as the NumPy array a block stores: text as
    objects, sequences as `[rows, width]` arrays holding each row's `width`
    most recent entries, then `pad`."""
    if width is None:
        return array.to_numpy(zero_copy_only=False)
    offsets = array.offsets.to_numpy()
    values = array.values.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    out = np.full((len(lengths), width), pad, dtype=object if dtype == "string" else dtype)
    kept = np.minimum(lengths, width)
    rows = np.repeat(np.arange(len(lengths)), kept)
    position = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept)
    start = np.repeat(offsets[1:] - kept, kept)
    out[rows, position] = values[start + position]
    return out
