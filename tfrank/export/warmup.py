"""TF Serving warmup records (`assets.extra/tf_serving_warmup_requests`).

Each record is a serialized `tensorflow.serving.PredictionLog` holding a
`PredictRequest`. The few fields needed are written directly in protobuf wire
format, so exporting needs no TF Serving package (whose releases pin
TensorFlow's minor version); tests decode them with the official protos.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

# Field numbers from tensorflow_serving/apis/{prediction_log,predict,model}.proto
_PREDICTION_LOG_PREDICT_LOG = 6
_PREDICT_LOG_REQUEST = 1
_REQUEST_MODEL_SPEC = 1
_REQUEST_INPUTS = 2
_MODEL_SPEC_NAME = 1
_MODEL_SPEC_SIGNATURE_NAME = 3
_MAP_KEY, _MAP_VALUE = 1, 2


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2): strings and messages."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def predict_request(inputs: dict, signature_name="serving_default", model_name="") -> bytes:
    """Serialized `PredictRequest` for named arrays."""
    spec = b""
    if model_name:
        spec += _field(_MODEL_SPEC_NAME, model_name.encode())
    spec += _field(_MODEL_SPEC_SIGNATURE_NAME, signature_name.encode())
    body = _field(_REQUEST_MODEL_SPEC, spec)
    for name, values in inputs.items():
        tensor = tf.make_tensor_proto(values).SerializeToString()
        entry = _field(_MAP_KEY, name.encode()) + _field(_MAP_VALUE, tensor)
        body += _field(_REQUEST_INPUTS, entry)
    return body


def prediction_log(inputs: dict, signature_name="serving_default") -> bytes:
    """Serialized `PredictionLog` wrapping a `PredictLog` with the request."""
    predict_log = _field(_PREDICT_LOG_REQUEST, predict_request(inputs, signature_name))
    return _field(_PREDICTION_LOG_PREDICT_LOG, predict_log)


def write_warmup_requests(path: str, inputs: dict, batch_sizes=(1, 8)) -> int:
    """Writes one warmup record per batch size (rows cycled from `inputs`).

    Returns the number of records written.
    """
    rows = len(next(iter(inputs.values())))
    count = 0
    with tf.io.TFRecordWriter(path) as writer:
        for batch in batch_sizes:
            take = np.arange(batch) % rows
            batch_inputs = {k: np.asarray(v)[take] for k, v in inputs.items()}
            writer.write(prediction_log(batch_inputs))
            count += 1
    return count
