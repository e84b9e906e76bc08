"""Versioned, atomic SavedModel exports for TF Serving."""

from __future__ import annotations

import json
import os
import shutil
import uuid

import keras
import numpy as np
import tensorflow as tf

from tfrank.export.warmup import write_warmup_requests

_TF_DTYPES = {"string": tf.string, "int64": tf.int64, "float32": tf.float32}
_TMP_PREFIX = ".tmp-export-"


def export_for_serving(model, export_dir: str, example_features: dict) -> str:
    """Exports `model` as `export_dir/<version>/`, the next integer version.

    The SavedModel's `serving_default` takes the model's named raw features
    (`[None]` string / int64 / float32 tensors) and returns
    `{"probability": [batch, 1]}` (plus what `model.serving_outputs` adds).
    `assets.extra/` holds `tf_serving_warmup_requests` and
    `example_request.json`, a TF Serving REST body built from
    `example_features` (a dict of raw arrays, a few rows).

    The export is written to a hidden temporary folder and renamed into
    place, so TF Serving never sees a half-written version, and an existing
    version is never overwritten. Leftovers of killed exports are removed.

    Returns:
        The path of the new version folder.
    """
    os.makedirs(export_dir, exist_ok=True)
    _remove_dead_leftovers(export_dir)
    tmp = os.path.join(export_dir, f"{_TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        _write_saved_model(model, tmp)
        extra = os.path.join(tmp, "assets.extra")
        os.makedirs(extra)
        example = {k: np.asarray(example_features[k]) for k in model.feature_spec.input_names}
        write_warmup_requests(os.path.join(extra, "tf_serving_warmup_requests"), example)
        with open(os.path.join(extra, "example_request.json"), "w") as f:
            json.dump(example_request(example), f, indent=1)
        with open(os.path.join(extra, "feature_spec.json"), "w") as f:
            json.dump(model.feature_spec.to_config(), f)
        while True:
            target = os.path.join(export_dir, str(next_version(export_dir)))
            try:
                os.rename(tmp, target)  # atomic; fails if another export took it
                return target
            except OSError:
                if not os.path.exists(target):
                    raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def next_version(export_dir: str) -> int:
    versions = [int(n) for n in os.listdir(export_dir) if n.isdigit()]
    return max(versions, default=0) + 1


def serving_signature(model) -> dict:
    return {
        f.name: tf.TensorSpec(
            [None, None] if f.kind == "sequence" else [None], _TF_DTYPES[f.dtype], name=f.name
        )
        for f in model.feature_spec.raw_features
    }


def checked_request(features: dict, spec) -> dict:
    """`features` once their shapes fit the signature: the rank of each, one
    batch size, and one width for histories aligned by `length_from`.

    A signature checks dtypes only, and the model's graph broadcasts: a
    rank-2 id or a batch-1 history would be scored, not rejected. Each
    failed check is an `InvalidArgumentError` that names the input.
    """
    checked = {
        f.name: tf.ensure_shape(features[f.name], [None, None] if f.kind == "sequence" else [None])
        for f in spec.raw_features
    }
    first = spec.input_names[0]
    checks = [
        tf.debugging.assert_equal(
            tf.shape(tensor)[0], tf.shape(checked[first])[0],
            message=f"Batch size of input {name} differs from that of input {first}",
        )
        for name, tensor in checked.items()
        if name != first
    ]  # fmt: skip
    checks += [
        tf.debugging.assert_equal(
            tf.shape(checked[f.name])[1], tf.shape(checked[f.length_from])[1],
            message=f"Steps of input {f.name} differ from those of input {f.length_from}",
        )
        for f in spec.sequence
        if f.length_from is not None
    ]  # fmt: skip
    with tf.control_dependencies(checks):
        return {name: tf.identity(tensor) for name, tensor in checked.items()}


def _write_saved_model(model, path: str) -> None:
    archive = keras.export.ExportArchive()
    archive.track(model)

    @tf.function(input_signature=[serving_signature(model)])
    def serve(features):
        features = checked_request(features, model.feature_spec)
        return model.serving_outputs(model(features, training=False))

    archive.add_endpoint("serving_default", serve)
    archive.write_out(path, verbose=False)


def example_request(features: dict) -> dict:
    """TF Serving REST body (columnar `inputs` form) for raw feature arrays.

    Missing numeric values are written as `NaN`, which TF Serving's JSON
    parser accepts and the model treats as missing. Sequence features are
    lists of rows.
    """
    return {
        "signature_name": "serving_default",
        "inputs": {name: _json_values(np.asarray(values)) for name, values in features.items()},
    }


def _json_values(values: np.ndarray) -> list:
    if values.ndim > 1:
        return [_json_values(row) for row in values]
    if values.dtype == object or values.dtype.kind in "SU":
        return [v.decode() if isinstance(v, bytes) else str(v) for v in values]
    if values.dtype.kind in "iu":
        return [int(v) for v in values]
    return [float(v) for v in values]


def _remove_dead_leftovers(export_dir: str) -> None:
    for name in os.listdir(export_dir):
        if not name.startswith(_TMP_PREFIX):
            continue
        pid = name[len(_TMP_PREFIX) :].split("-")[0]
        if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
            continue  # another process is exporting right now
        shutil.rmtree(os.path.join(export_dir, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
