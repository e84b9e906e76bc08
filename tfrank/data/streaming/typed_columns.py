"""Raw chunk columns -> typed Arrow columns of a feature spec, checked row by row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tfrank.data.streaming.chunk import BadRows, Chunk
from tfrank.errors import BadRow
from tfrank.features.feature_spec import FeatureSpec

_ARROW = {"string": pa.string(), "int64": pa.int64(), "float32": pa.float32()}


def typed_chunk(chunk: Chunk, spec: FeatureSpec, labels: list[str], bad_rows: BadRows):
    """`(features, labels)` of a chunk: each raw input of `spec` as a typed
    Arrow array (numeric: float32, NaN for missing; categorical: text with
    `""` for missing, or int64; sequences: lists), labels as float32 NumPy.

    The same values `FeatureSpec.frame_to_arrays` gives for the rows in
    memory. A value that does not convert is an error naming the file, the
    line, the column and the value; with `bad_rows.skip` its row is dropped
    and counted instead.
    """
    table = chunk.table
    missing = [n for n in spec.input_names + labels if n not in table.column_names]
    if missing:
        raise ValueError(
            f"{chunk.path}: no column for {missing}; columns present: {table.column_names}"
        )
    bad = np.zeros(table.num_rows, bool)
    features, label_values = {}, {}
    for f in spec.raw_features:
        column = table.column(f.name).combine_chunks()
        if f.kind == "numeric":
            features[f.name] = _numeric(column, f.name, chunk, bad, bad_rows)
        elif f.kind == "sequence":
            features[f.name] = _sequence(column, f, chunk)
        elif f.dtype == "string":
            features[f.name] = _text(column)
        else:
            features[f.name] = _integer(column, f, chunk, bad, bad_rows)
    for name in labels:
        values = _numeric(table.column(name).combine_chunks(), name, chunk, bad, bad_rows, True)
        label_values[name] = values.to_numpy(zero_copy_only=False)
    if bad.any():
        keep = pa.array(~bad)
        features = {n: pc.filter(a, keep) for n, a in features.items()}
        label_values = {n: v[~bad] for n, v in label_values.items()}
    return features, label_values


def _text(column: pa.Array) -> pa.Array:
    if pa.types.is_floating(column.type):
        # Whole numbers read as floats keep their integer text, as in memory.
        whole = pc.cast(column, pa.int64(), safe=False)
        if pc.all(
            pc.or_kleene(pc.is_null(column), pc.equal(pc.cast(whole, column.type), column))
        ).as_py():
            column = whole
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(column, "")


def _numeric(column, name, chunk, bad, bad_rows, label=False) -> pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim_whitespace(column)
        blank = pc.equal(trimmed, "")
        text = pc.if_else(blank, pa.scalar(None, pa.string()), trimmed)
        try:
            values = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            values = _cast_row_by_row(text, name, chunk, bad, bad_rows, label)
    else:
        values = pc.cast(column, pa.float64())
    values = pc.cast(values, pa.float32(), safe=False)  # overflow -> inf, found below
    if label and values.null_count:
        index = int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
        _bad_value(chunk, index, name, "is missing", bad, bad_rows, label)
    values = pc.fill_null(values, float("nan"))
    array = values.to_numpy(zero_copy_only=False)
    infinite = np.isinf(array)
    if label:
        infinite |= np.isnan(array)
    for index in np.flatnonzero(infinite & ~bad):
        _bad_value(chunk, index, name, f"is {array[index]}", bad, bad_rows, label)
        if not bad_rows.skip:
            break
    return values


def _cast_row_by_row(text, name, chunk, bad, bad_rows, label):
    """The slow path after a failed cast: find each value that is not a number."""
    out = np.full(len(text), np.nan)
    for index, value in enumerate(text.to_pylist()):
        if value is None:
            continue
        try:
            out[index] = float(value)
        except ValueError:
            _bad_value(chunk, index, name, f"{value!r} is not a number", bad, bad_rows, label)
    return pa.array(out, mask=np.isnan(out) & ~np.asarray(text.is_valid()))


def _integer(column, feature, chunk, bad, bad_rows) -> pa.Array:
    name = feature.name
    if column.null_count or (
        pa.types.is_string(column.type) and pc.any(pc.equal(column, "")).as_py()
    ):
        empty = column.is_null().to_numpy(zero_copy_only=False)
        if pa.types.is_string(column.type):
            empty |= pc.fill_null(pc.equal(column, ""), True).to_numpy(zero_copy_only=False)
        for index in np.flatnonzero(empty):
            _bad_value(chunk, index, name, "is missing (an int64 id is needed)", bad, bad_rows)
            if not bad_rows.skip:
                break
        column = pc.if_else(
            pa.array(empty),
            pa.scalar("0" if pa.types.is_string(column.type) else 0, column.type),
            column,
        )
    try:
        values = pc.cast(column, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = np.zeros(len(column), np.int64)
        for index, value in enumerate(column.to_pylist()):
            try:
                number = float(value)
                if number != int(number):
                    raise ValueError
                out[index] = int(number)
            except (TypeError, ValueError):
                _bad_value(chunk, index, name, f"{value!r} is not an int64 id", bad, bad_rows)
        values = pa.array(out)
    if feature.num_ids is not None:
        array = values.to_numpy(zero_copy_only=False)
        for index in np.flatnonzero(((array < 0) | (array >= feature.num_ids)) & ~bad):
            _bad_value(chunk, index, name, f"id {array[index]} is outside [0, {feature.num_ids})",
                       bad, bad_rows)  # fmt: skip
            if not bad_rows.skip:
                break
    return values


def _sequence(column, feature, chunk) -> pa.Array:
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        raise ValueError(
            f"{chunk.path}: sequence feature '{feature.name}' needs a list column "
            f"(Parquet); found {column.type}."
        )
    values = pc.list_flatten(column)
    try:
        values = pc.cast(values, _ARROW[feature.dtype])
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ValueError(f"{chunk.path}: sequence feature '{feature.name}': {error}") from None
    offsets = pc.subtract(column.offsets, column.offsets[0])
    return pa.ListArray.from_arrays(offsets, values)


def _bad_value(chunk, index, name, what, bad, bad_rows, label=False):
    kind = "label" if label else "feature"
    message = f"{chunk.where(index)}: {kind} '{name}' {what}"
    if not bad_rows.skip:
        raise BadRow(message)
    if not bad[index]:
        bad[index] = True
        bad_rows.add(1, message)
