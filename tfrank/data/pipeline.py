"""tf.data pipelines from pandas frames, shaped for the models' named inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf

from tfrank.data.frames import as_frame, read_table
from tfrank.features.feature_spec import FeatureSpec


def make_dataset(
    frame: pd.DataFrame | str,
    feature_spec: FeatureSpec,
    label: str | list[str] | None = "label",
    batch_size: int = 1024,
    shuffle: bool = False,
    seed: int = 0,
    drop_remainder: bool = False,
    shuffle_epoch: tf.Variable | None = None,
    skip_rows: int = 0,
) -> tf.data.Dataset:
    """Batches of `(features, label)` (or `features` alone when `label=None`).

    A list of label columns (multi-task models) gives `(features, {column:
    label})`.

    `frame` is a pandas DataFrame, a dict of columns, or the path of a
    Parquet / CSV / TSV file.

    Columns are converted once to typed arrays (validated against the spec:
    a bad value is an error naming the feature and row); each batch is then a
    gather of whole columns, one vectorized take per column with no per-row
    work. Sequence features are cut to the longest history in each batch
    (short histories then cost little however long `max_length` is). With
    `shuffle=True` the row order is reshuffled every epoch; with a
    `shuffle_epoch` variable (int64 scalar) too, each pass's order is a
    function of `seed` and the variable's value when the pass starts (set it
    at each epoch's start: `tfrank.training.callbacks.SetDataEpoch`), so a
    run resumed at epoch k sees the order an uninterrupted run saw.
    `skip_rows` starts the pass after that many rows of its order (the rest
    of an epoch that was interrupted).

    Example:

    >>> from tfrank.data import SyntheticCTR, SyntheticMultiTask
    >>> from tfrank.models import LogisticRegression
    >>> generator = SyntheticCTR(seed=0)
    >>> train_frame = generator.sample(256)
    >>> spec = generator.feature_spec(embedding_dim=4).fit(train_frame)
    >>> train_ds = make_dataset(train_frame, spec, batch_size=64, shuffle=True)
    >>> features, labels = next(iter(train_ds))
    >>> len(train_ds), len(features), tuple(labels.shape)    # 4 batches: 16 inputs, 64 labels
    (4, 16, (64,))
    >>> model = LogisticRegression(spec)
    >>> model.compile()
    >>> history = model.fit(train_ds, epochs=1, verbose=0)
    >>> sorted(history.history)
    ['auc', 'loss']

    Multi-task labels:

    >>> data = SyntheticMultiTask(seed=0)
    >>> frame = data.sample(256)
    >>> tasks_ds = make_dataset(frame, data.feature_spec(4).fit(frame), label=data.task_names)
    >>> sorted(next(iter(tasks_ds))[1])
    ['task_1', 'task_2']
    """
    frame = read_table(frame) if isinstance(frame, str) else as_frame(frame)
    if len(frame) == 0:
        raise ValueError("Cannot make a dataset from an empty table.")
    arrays = feature_spec.frame_to_arrays(frame)
    columns = {name: tf.constant(values) for name, values in arrays.items()}
    lengths = {
        f.name: tf.constant(_lengths(arrays[f.name], f.pad), tf.int32)
        for f in feature_spec.sequence
    }
    labels = None
    if isinstance(label, str):
        labels = tf.constant(label_values(frame, label))
    elif label is not None:
        labels = {name: tf.constant(label_values(frame, name)) for name in label}

    indices = tf.data.Dataset.range(len(frame))
    if shuffle and shuffle_epoch is not None:
        indices = (
            tf.data.Dataset.from_tensors(0)
            .flat_map(
                lambda _: tf.data.Dataset.from_tensor_slices(
                    tf.random.experimental.stateless_shuffle(
                        tf.range(len(frame), dtype=tf.int64),
                        seed=tf.stack([tf.constant(seed, tf.int64), shuffle_epoch]),
                    )
                )
            )
            .apply(tf.data.experimental.assert_cardinality(len(frame)))
        )
    elif shuffle:
        indices = indices.shuffle(len(frame), seed=seed, reshuffle_each_iteration=True)
    if skip_rows:
        indices = indices.skip(skip_rows)
    indices = indices.batch(batch_size, drop_remainder=drop_remainder)

    def gather(rows):
        features = {name: tf.gather(col, rows) for name, col in columns.items()}
        for name, length in lengths.items():
            width = tf.maximum(tf.reduce_max(tf.gather(length, rows)), 1)
            features[name] = features[name][:, :width]
        if labels is None:
            return features
        return features, tf.nest.map_structure(lambda y: tf.gather(y, rows), labels)

    dataset = indices.map(gather).prefetch(2)
    return dataset.with_options(pipeline_options())


def label_values(frame: pd.DataFrame, label: str) -> np.ndarray:
    """The float32 values of label column `label`; a missing column or a
    non-numeric value is an error naming the column (and row)."""
    if label not in frame.columns:
        raise ValueError(f"The data has no label column {label!r}; columns: {list(frame.columns)}")
    values = pd.to_numeric(frame[label], errors="coerce").to_numpy(np.float32)
    if np.isnan(values).any():
        row = int(np.isnan(values).argmax())
        raise ValueError(f"Label {label!r} at row {row} is not a number.")
    return values


def _lengths(values: np.ndarray, pad) -> np.ndarray:
    """Entries before the padding of each row of a padded sequence array."""
    if isinstance(pad, float) and np.isnan(pad):
        real = ~np.isnan(values)
    else:
        real = values != pad
    return real.sum(axis=1).astype(np.int32)


def pipeline_options() -> tf.data.Options:
    # Autotune's background tuning competes with the training step for the
    # CPU on small machines and stalls short fit() calls; fixed settings
    # avoid that (benchmarks/README.md, "Training throughput: levers", times
    # both).
    options = tf.data.Options()
    options.autotune.enabled = False
    options.deterministic = True
    return options
