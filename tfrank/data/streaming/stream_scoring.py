"""Scoring a model on files too large for memory, one chunk at a time."""

from __future__ import annotations

import os

import numpy as np

from tfrank.data.streaming.block_writer import column_values
from tfrank.data.streaming.chunk import BadRows
from tfrank.data.streaming.prepare import StreamSource
from tfrank.data.streaming.progress import Progress
from tfrank.data.streaming.shards import total_bytes
from tfrank.data.streaming.typed_columns import typed_chunk


def score_stream(model, source: StreamSource, batch_size: int = 4096, verbose: int = 1) -> dict:
    """Scores `model` on every row of `source`'s files, read in chunks
    (checked as `prepare_data` checks them; a bad row is an error): the
    predictions and labels are kept (a few bytes a row), the rows are not.
    Returns what `tfrank.metrics.score_frame` returns for the same rows.
    """
    from tfrank.metrics.scoring import scores_of

    spec = model.feature_spec
    kinds = model.output_kinds
    labels = list(kinds) if len(kinds) > 1 else [model.default_label]
    outputs = {name: [] for name in kinds}
    truth = {name: [] for name in labels}
    progress = Progress("score", total_bytes(source.shards), verbose)
    rows, done = 0, 0
    for shard in source.shards:
        for chunk in source.format.read_chunks(shard, bad_rows=BadRows()):
            features, label_values = typed_chunk(chunk, spec, labels, BadRows())
            arrays = {
                f.name: column_values(features[f.name], f.dtype,
                                      f.max_length if f.kind == "sequence" else None,
                                      getattr(f, "pad", None))
                for f in spec.raw_features
            }  # fmt: skip
            predicted = model.predict(arrays, batch_size=batch_size, verbose=0)
            if not isinstance(predicted, dict):
                predicted = {next(iter(kinds)): predicted}
            for name in kinds:
                outputs[name].append(np.asarray(predicted[name]).reshape(-1))
            for name in labels:
                truth[name].append(label_values[name])
            rows += len(label_values[labels[0]])
            progress.update(done + chunk.position, rows)
        done += os.path.getsize(shard)
    progress.close()
    by_output = dict(zip(kinds, labels)) if len(kinds) > 1 else {next(iter(kinds)): labels[0]}
    return scores_of(
        kinds,
        {name: np.concatenate(truth[column]) for name, column in by_output.items()},
        {name: np.concatenate(parts) for name, parts in outputs.items()},
        None,
        rows,
        getattr(model, "task_masks", None),
    )


def score_files(model, data: str, kinds, stream) -> dict:
    """`model.score_files`: files of a streamable kind of `kinds` scored chunk
    by chunk, or the validation rows of `prepared:DIR`."""
    from tfrank.data.streaming.prepared_data import PreparedData
    from tfrank.data.streaming.shards import list_shards
    from tfrank.metrics.scoring import score_dataset

    kind_name, _, argument = data.partition(":")
    if kind_name == "prepared":
        return score_dataset(model, PreparedData(argument).dataset("validation", 4096))
    source = StreamSource(kinds[kind_name].stream, list_shards(argument), data)
    return score_stream(model, source, verbose=stream.verbose)
