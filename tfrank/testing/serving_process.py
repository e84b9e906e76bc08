"""A TensorFlow-only serving process for tests: requests in, outputs out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from tfrank.testing.helpers import SERVE_SCRIPT


class TensorFlowOnlyServer:
    """A long-lived process that serves SavedModels with TensorFlow alone
    (keras and tfrank imports fail in it), one JSON request at a time.

    >>> with TensorFlowOnlyServer() as server:
    ...     reply = server.request("serving/1", {"site": ["a"], "price": [1.0]})
    >>> reply["outputs"]["probability"]          # or reply["rejected"]

    `alive` is False once the process has died (a crash, not a rejection).
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
            out[name] = [_text(v) for v in values.reshape(-1)]
            out[name] = np.asarray(out[name], dtype=object).reshape(values.shape).tolist()
        else:
            out[name] = values.tolist()  # NaN and ±inf travel as JSON's NaN / Infinity
    return out


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
