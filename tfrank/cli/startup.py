"""Loading TensorFlow for the command line, without its start-up chatter."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile

# Lines TensorFlow's native code writes to stderr while it loads, whatever
# TF_CPP_MIN_LOG_LEVEL says (some are written before its logging starts).
START_UP_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "cudart_stub.cc",
    "cuda_dnn.cc",
    "cuda_fft.cc",
    "cuda_blas.cc",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
    "oneDNN custom operations are on",
    "computation_placer.cc",
    "TF-TRT Warning",
)


def load_library(verbose: bool = False, module: str = "tfrank.training") -> None:
    """Imports `module` of tfrank (by default the training library, and so
    TensorFlow and every model).

    Unless `verbose`, or the user set `TF_CPP_MIN_LOG_LEVEL` themselves,
    TensorFlow's log level is set to errors only and the start-up lines it
    writes straight to stderr while loading are left out; any other line
    written meanwhile is passed on.
    """
    quiet = not verbose and "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    if quiet:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    with _without_lines(START_UP_NOISE) if quiet else contextlib.nullcontext():
        importlib.import_module(module)


@contextlib.contextmanager
def _without_lines(noise):
    """Captures file descriptor 2 (what native code writes too), then
    replays every captured line that contains none of `noise`."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").splitlines(keepends=True)
            sys.stderr.write("".join(x for x in lines if not any(n in x for n in noise)))
            sys.stderr.flush()
