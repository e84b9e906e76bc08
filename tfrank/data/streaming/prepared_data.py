"""PreparedData: encoded shards on disk, read back as tf.data batches."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import tensorflow as tf

from tfrank.data.pipeline import pipeline_options
from tfrank.data.streaming.block_writer import TF_DTYPES
from tfrank.features.feature_spec import FeatureSpec

MANIFEST = "manifest.json"
EXAMPLE = "example.parquet"


class PreparedData:
    """A directory written by `prepare_data`: typed blocks of rows in
    TFRecord shards per split, the fitted spec and a manifest.

    Attributes:
        directory: the directory.
        manifest: its `manifest.json` (columns, labels, splits and their
            shards with row counts, bad rows skipped, the source).
        spec: the `FeatureSpec` fitted on the training rows.
        labels: label column names.

    Example: see `tfrank.data.streaming.prepare_data`.
    """

    def __init__(self, directory: str):
        path = os.path.join(directory, MANIFEST)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{directory!r} holds no prepared data (no {MANIFEST}); make it with "
                "tfrank.data.streaming.prepare_data."
            )
        self.directory = directory
        with open(path) as f:
            self.manifest = json.load(f)
        self.spec = FeatureSpec.from_config(self.manifest["spec"])
        self.labels = list(self.manifest["labels"])

    def rows(self, split: str) -> int:
        return sum(s["rows"] for s in self.manifest["splits"].get(split, []))

    def files(self, split: str) -> list[str]:
        return [os.path.join(self.directory, s["file"]) for s in self.manifest["splits"][split]]

    def worker_files(self, split: str, worker: int, workers: int) -> list[str]:
        """The shards worker `worker` of `workers` reads: every `workers`-th."""
        files = self.files(split)[worker::workers]
        if not files:
            raise ValueError(
                f"{len(self.files(split))} {split} shard(s) cannot feed {workers} workers; "
                "prepare the data with fewer rows per shard (rows_per_shard)."
            )
        return files

    def worker_rows(self, split: str, worker: int, workers: int) -> int:
        return sum(s["rows"] for s in self.manifest["splits"][split][worker::workers])

    def example_frame(self) -> pd.DataFrame:
        """A few raw rows (an export's example request is made of them)."""
        return pd.read_parquet(os.path.join(self.directory, EXAMPLE))

    def dataset(
        self, split: str = "train", batch_size: int = 1024, shuffle: bool = False, seed: int = 0,
        epoch: tf.Variable | int | None = None, skip_rows: int = 0, files: list[str] | None = None,
        with_labels: bool = True, shuffle_blocks: int = 512,
    ) -> tf.data.Dataset:  # fmt: skip
        """Batches `(features, labels)` of `split` (`features` alone
        without labels; a dict of labels for several label columns).

        Order: with `shuffle`, each pass reads the shards in an order drawn
        from `(seed, epoch)` (`epoch`: an int64 variable read when the pass
        starts, see `SetDataEpoch`), four at a time, and shuffles the blocks
        of each window of `shuffle_blocks` (a bounded shuffle: memory is one
        window); without, shard and row order. Either
        way the order is a function of `(seed, epoch)`, so `skip_rows`
        (a resumed epoch's rows already trained) resumes exactly where an
        uninterrupted pass would be.
        """
        files = list(files if files is not None else self.files(split))
        columns = self.manifest["columns"]
        names = list(columns)
        seed = int(seed)

        def parse_outer(record):
            parts = tf.io.parse_tensor(record, tf.string)
            return tf.io.parse_tensor(parts[0], tf.int64), parts[1:]

        def parse_block(parts, start=None):
            block = {}
            for i, name in enumerate(names):
                dtype, width = columns[name]
                value = tf.io.parse_tensor(parts[i], TF_DTYPES[dtype])
                value.set_shape([None] if width is None else [None, width])
                block[name] = value if start is None else value[start:]
            return block

        def one_pass(epoch_value):
            paths = tf.constant(files)
            if shuffle:
                order = tf.random.experimental.stateless_shuffle(
                    tf.range(len(files), dtype=tf.int64), seed=tf.stack([seed, epoch_value])
                )
                paths = tf.gather(paths, order)
            records = tf.data.Dataset.from_tensor_slices(paths).interleave(
                tf.data.TFRecordDataset,
                cycle_length=min(4, len(files)) if shuffle else 1,
                block_length=1,
            )
            if shuffle:
                # Stateless, so the order depends on (seed, epoch) alone, not
                # on the global seed or on what ran before in the process.
                windows = records.batch(shuffle_blocks).enumerate()
                records = windows.flat_map(
                    lambda i, window: tf.data.Dataset.from_tensor_slices(
                        tf.gather(window, tf.random.experimental.stateless_shuffle(
                            tf.range(tf.shape(window, out_type=tf.int64)[0]),
                            seed=tf.stack([seed * 1_000_003 + epoch_value, i]),
                        ))
                    )
                )  # fmt: skip
            blocks = records.map(parse_outer)
            if skip_rows:
                blocks = blocks.scan(
                    tf.constant(0, tf.int64),
                    lambda total, block: (total + block[0], (total + block[0], *block)),
                )
                blocks = blocks.filter(lambda end, rows, parts: end > skip_rows)
                blocks = blocks.map(
                    lambda end, rows, parts: parse_block(
                        parts, tf.maximum(skip_rows - (end - rows), 0)
                    )
                )
            else:
                blocks = blocks.map(lambda rows, parts: parse_block(parts), num_parallel_calls=2,
                                    deterministic=True)  # fmt: skip
            return blocks.rebatch(batch_size)

        if shuffle and isinstance(epoch, tf.Variable):
            batches = tf.data.Dataset.from_tensors(0).flat_map(lambda _: one_pass(epoch.value()))
        else:
            batches = one_pass(tf.constant(int(epoch or 0), tf.int64))
        rows = (self.rows(split) if files == self.files(split) else None) or None
        if rows is not None and not skip_rows:
            batches = batches.apply(tf.data.experimental.assert_cardinality(-(-rows // batch_size)))
        sequences = {f.name: f.pad for f in self.spec.sequence}
        features = [n for n in names if n not in self.labels]
        labels = self.labels

        def split_labels(batch):
            x = {n: batch[n] for n in features}
            for name, pad in sequences.items():
                x[name] = _trim(x[name], pad)
            if not with_labels:
                return x
            y = batch[labels[0]] if len(labels) == 1 else {n: batch[n] for n in labels}
            return x, y

        return batches.map(split_labels).prefetch(2).with_options(pipeline_options())


def _trim(values, pad):
    """A padded sequence batch cut to its longest row (at least 1 wide)."""
    if isinstance(pad, float) and np.isnan(pad):
        real = tf.logical_not(tf.math.is_nan(values))
    else:
        real = tf.not_equal(values, pad)
    width = tf.maximum(tf.reduce_max(tf.reduce_sum(tf.cast(real, tf.int32), axis=1)), 1)
    return values[:, :width]
