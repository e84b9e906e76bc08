"""The bad inputs tfrank is tested against, and what each one gets: every row
of docs/bad_input.md, tried as a user would.

`bad_input_cases(workdir)` returns `[{"row", "case", "input", "outcome",
"message", ...}]`: `row` is the first cell of the docs row the case shows;
`outcome` is `"error"` with the message a user sees, `"warning"` with the
warning's text, or `"scores"` when the input is a documented, valid way to
say "unknown" or "missing" and is scored normally, or a bad row of a
streamed file is skipped as asked (`message` then says what the scores
equal, or what was skipped). Command-line cases also carry `"command"` (the
arguments), `"exit_code"` and the whole `"stderr"`.

Commands run in this process by default (`run_command`, as
`python -m tfrank` would run them: an exception that escapes is printed with
its traceback and exits 1); `run_process` runs each one as its own process.
`tests/cli/test_bad_inputs.py` checks every case against the docs;
`python benchmarks/bad_input_report.py` prints them all and saves
`benchmarks/results/bad_input_report.json`.

The catalogue's parts: `docs` (the page's rows and whether a message is one
it shows), `harness` (running commands, recording cases), `python_api`,
`ids_and_exports` and `histories` (calls of the library and requests to an
export), `commands` (`tfrank` commands) and `files` (Criteo files and files
prepared for streaming).
"""

from __future__ import annotations

import keras

from tests.cli.bad_inputs.commands import command_cases
from tests.cli.bad_inputs.docs import (
    DOC,
    PLACEHOLDER,
    TYPE,
    doc_rows,
    documented,
    pattern,
    shown_in_docs,
)
from tests.cli.bad_inputs.files import file_cases, streamed_cases
from tests.cli.bad_inputs.harness import ROOT, Cases, run_command, run_process, same_as
from tests.cli.bad_inputs.python_api import python_api_cases

__all__ = [
    "DOC",
    "PLACEHOLDER",
    "ROOT",
    "TYPE",
    "Cases",
    "bad_input_cases",
    "doc_rows",
    "documented",
    "pattern",
    "run_command",
    "run_process",
    "same_as",
    "shown_in_docs",
]


def bad_input_cases(workdir: str, command=run_command) -> list[dict]:
    from tests.helpers.data import tiny_ctr_frame, tiny_feature_spec

    frame = tiny_ctr_frame(64)
    spec = tiny_feature_spec().fit(frame)
    keras.utils.set_random_seed(0)
    return [
        *python_api_cases(frame, spec),
        *file_cases(workdir, frame, spec),
        *command_cases(workdir, frame, spec, command),
        *streamed_cases(workdir),
    ]
