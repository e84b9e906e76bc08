"""Running `tfrank` commands (in this process or as their own process) and
recording the outcome of each case of the catalogue."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import traceback
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def run_command(argv: list[str]) -> tuple[int, str]:
    """`tfrank ARGV` in this process: `(exit code, all it wrote to stderr)`,
    native code's writes included."""
    from tfrank.cli.main import main

    sys.stderr.flush()
    saved = os.dup(2)
    python = io.StringIO()
    with tempfile.TemporaryFile() as native:
        os.dup2(native.fileno(), 2)
        try:
            with contextlib.redirect_stderr(python), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = main(argv)
                except SystemExit as done:
                    code = done.code if isinstance(done.code, int) else int(done.code is not None)
                except Exception:
                    # What the interpreter does with an exception that escapes main.
                    traceback.print_exc()
                    code = 1
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        native.seek(0)
        written = native.read().decode("utf-8", "replace")
    return code, written + python.getvalue()


def run_process(argv: list[str]) -> tuple[int, str]:
    """`python -m tfrank ARGV` as its own process, in the environment of a
    plain shell: `(exit code, stderr)`. (`TF_CPP_MIN_LOG_LEVEL` is left out:
    set, it lets TensorFlow's start-up lines through, docs/cli.md; and a
    command run in this process sets it.)"""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "tfrank", *argv], capture_output=True, text=True, env=env,
        timeout=900,
    )  # fmt: skip
    return done.returncode, done.stderr


class Cases(list):
    """Rows of the catalogue, each made by trying one input."""

    def attempt(self, row, name, given, attempt, expect=None):
        """`attempt()` either raises (an error case) or returns what
        `expect` describes (a case that scores)."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = attempt()
        except (ValueError, FileNotFoundError, TypeError) as error:
            self.append(case_row(row, name, given, "error", f"{type(error).__name__}: {error}"))
            return
        raised = [w for w in caught if issubclass(w.category, UserWarning)]
        if raised and expect is None:
            self.append(case_row(row, name, given, "warning", str(raised[0].message)))
            return
        self.append(case_row(row, name, given, "scores", expect(result) if expect else str(result)))


def same_as(reference, what="the reference score"):
    """An `expect` for `Cases.attempt`: scores equal to `reference`, finite."""

    def described(got):
        got = np.asarray(got).reshape(-1)
        if not np.all(np.isfinite(got)):
            return f"NOT FINITE: {got}"
        if np.allclose(got, np.asarray(reference).reshape(-1), atol=1e-6):
            return f"equal to {what}"
        return f"DIFFERENT from {what}: {got} vs {reference}"

    return described


def case_row(row, case, given, outcome, message):
    return {"row": row, "case": case, "input": given, "outcome": outcome, "message": message}
