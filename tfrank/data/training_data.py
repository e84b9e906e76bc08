"""TrainingData: what a model family prepares for a training run."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import tensorflow as tf

from tfrank.features.feature_spec import FeatureSpec


@dataclasses.dataclass
class TrainingData:
    """The data side of a training run, as a model family lays it out.

    `RankingModel.prepare_training` (and the families' overrides) loads the
    data, holds out validation rows, fits the feature spec on the training
    rows and returns this; `tfrank.training.train` runs the same loop on it
    for every family.

    Attributes:
        spec: the fitted `FeatureSpec`.
        train: `(features, labels)` batches; each pass is one epoch.
        validation: batches `fit` validates on (its `val_*` logs), or None
            when the family validates in a callback instead.
        data_epoch: int64 variable the epoch's data order depends on (set at
            each epoch's start by `tfrank.training.callbacks.SetDataEpoch`),
            so a resumed run reads what an uninterrupted one would have.
        callbacks: the family's own callbacks (e.g. leave-one-out validation),
            run before early stopping.
        evaluate: `evaluate(model, predict=None)` -> `{"validation": {...}}`
            (and `"test"` where the data has one); `predict(model, dataset)`
            replaces `model.predict` (e.g. in multi-worker training).
        example_frame: raw rows an export's example request is made of.
        rows: row counts, reported in `metrics.json`.
        examples_per_epoch: examples one epoch trains on.
        name: the training data's name; `validation_name`: the validation's.
        labelled_rows: `(train_frame, label)` for training loops that deal
            rows out themselves (multi-worker), or None.
        train_from: `train_from(rows)` -> the current epoch's batches after
            its first `rows` rows (a run resumed mid-epoch), or None.
        worker_batches: `worker_batches(worker, workers, per_replica_batch,
            epoch)` -> the batches one worker of a multi-worker run reads
            (its own shards only), or None to deal out `labelled_rows`.
        worker_steps: `worker_steps(workers, global_batch)` -> steps per
            epoch every worker can take, with `worker_batches`.
        reading: how the rows are read (`{"mode": "in-memory"}` or the
            streaming details), reported in `metrics.json`.
    """

    spec: FeatureSpec
    train: tf.data.Dataset
    validation: tf.data.Dataset | None
    data_epoch: tf.Variable | None
    evaluate: Callable
    example_frame: pd.DataFrame
    rows: dict
    examples_per_epoch: int
    name: str = ""
    validation_name: str = ""
    callbacks: list = dataclasses.field(default_factory=list)
    labelled_rows: tuple | None = None
    train_from: Callable | None = None
    worker_batches: Callable | None = None
    worker_steps: Callable | None = None
    reading: dict = dataclasses.field(default_factory=lambda: {"mode": "in-memory"})

    @classmethod
    def from_frame(cls, frame, spec, label="label", batch_size=1024, seed=0) -> TrainingData:
        """Training data of a whole labelled table, no validation: the spec
        fitted on `frame` (unless it is fitted already), shuffled batches.

        Example:

        >>> from tfrank.data import SyntheticCTR
        >>> generator = SyntheticCTR(seed=0)
        >>> data = TrainingData.from_frame(generator.sample(300), generator.feature_spec(),
        ...                                batch_size=100)
        >>> data.rows, int(data.train.cardinality())
        ({'train': 300}, 3)
        """
        from tfrank.data.pipeline import make_dataset

        if not spec.is_fitted:
            spec = spec.fit(frame)
        train = make_dataset(frame, spec, label, batch_size, shuffle=True, seed=seed)
        return cls(spec=spec, train=train, validation=None, data_epoch=None, evaluate=None,
                   example_frame=frame, rows={"train": len(frame)},
                   examples_per_epoch=len(frame), labelled_rows=(frame, label))  # fmt: skip
