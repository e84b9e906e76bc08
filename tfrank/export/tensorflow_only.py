"""Scoring exports in a process that runs on TensorFlow alone, as TF Serving does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

SERVE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve_requests.py")


def score_in_tensorflow_only(pairs, timeout: float = 600) -> dict:
    """Scores `(saved_model_dir, request_json_path)` pairs in a fresh process
    where importing Keras or tfrank fails, through each export's
    `serving_default` signature, as a model server would.

    Returns `{saved_model_dir: {output_name: nested list}}`, plus
    `"__blocked_modules_loaded__"`: the Keras/tfrank modules the process
    loaded (always `[]`, or the export would not be self-contained).

    Example (`version` from `export_for_serving`)::

        request = os.path.join(version, "assets.extra", "example_request.json")
        score_in_tensorflow_only([(version, request)])[version]["probability"]
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        args = [sys.executable, SERVE_SCRIPT, out]
        for model_dir, request in pairs:
            args += [model_dir, request]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"TensorFlow-only scoring failed:\n{result.stderr[-3000:]}")
        with open(out) as f:
            return json.load(f)


class TensorFlowOnlyServer:
    """A long-lived process that serves SavedModels with TensorFlow alone
    (Keras and tfrank imports fail in it), one JSON request at a time.

    `request(model_dir, inputs)` sends raw inputs to the export's
    `serving_default` signature unchanged, and returns `{"outputs": {name:
    nested list}}` or, for a request the signature rejects, `{"rejected":
    message}`. `alive` is False once the process has died (a crash, not a
    rejection).

    Example::

        with TensorFlowOnlyServer() as server:
            reply = server.request("serving/1", {"site": ["a"], "price": [1.0]})
    """

    def __init__(self):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        self.process = subprocess.Popen(
            [sys.executable, SERVE_SCRIPT, "--stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def request(self, model_dir: str, inputs: dict) -> dict:
        body = {"model_dir": model_dir, "inputs": _json_ready(inputs)}
        self.process.stdin.write(json.dumps(body) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the serving process died (exit code {self.process.wait()})")
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> int:
        if self.alive:
            self.process.stdin.close()
        return self.process.wait(timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _json_ready(inputs: dict) -> dict:
    out = {}
    for name, values in inputs.items():
        values = np.asarray(values)
        if values.dtype == object or values.dtype.kind in "SU":
            text = [_text(v) for v in values.reshape(-1)]
            out[name] = np.asarray(text, dtype=object).reshape(values.shape).tolist()
        else:
            out[name] = values.tolist()  # NaN and ±inf travel as JSON's NaN / Infinity
    return out


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
