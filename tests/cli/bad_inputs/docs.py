"""The rows of docs/bad_input.md and whether a message is, whole, one a row
shows."""

from __future__ import annotations

import os
import re

from tests.cli.bad_inputs.harness import ROOT

DOC = os.path.join(ROOT, "docs", "bad_input.md")


# In the page's messages: any text, a bracketed list, and numbers.
PLACEHOLDER = re.compile(r"\[\.\.\.\]|\.\.\.|…|\b[NMLFSEW]\b")
TYPE = re.compile(r"^[A-Z][A-Za-z]*: ")


def doc_rows() -> dict[str, list[str]]:
    """First cell of each row of the page's tables -> the messages (code
    spans) of its second cell."""
    rows = {}
    with open(DOC, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("| ") or line.startswith("| input |"):
                continue
            cells = line.strip()[2:-2].split(" | ")
            if len(cells) != 2:
                raise ValueError(f"A row of {DOC} that is not two cells: {line}")
            spans = re.finditer(r"``(.+?)``|`([^`]+)`", cells[1])
            rows[cells[0]] = [m.group(1) or m.group(2) for m in spans]
    return rows


def pattern(span: str) -> re.Pattern:
    """The texts a message shown in the page stands for."""
    parts, at = [], 0
    for m in PLACEHOLDER.finditer(span):
        token = m.group()
        parts.append(re.escape(span[at : m.start()]))
        parts.append(r"\[.*?\]" if token == "[...]" else r"\d+" if token.isalpha() else ".*?")
        at = m.end()
    parts.append(re.escape(span[at:]))
    return re.compile("".join(parts), re.DOTALL)


def documented(message: str, spans: list[str], typed: bool) -> bool:
    """Whether `message` is, whole, one of `spans`. A message of the library
    starts with its exception's type, which a span may leave out; a command's
    message has none, which a span may show."""
    for span in spans:
        text = message
        if typed and not TYPE.match(span):
            text = TYPE.sub("", text, count=1)
        if not typed:
            span = TYPE.sub("", span, count=1)
        if pattern(span).fullmatch(text):
            return True
    return False


def shown_in_docs(case: dict, rows: dict | None = None) -> bool | None:
    """Whether an error's (or a warning's) message is, whole, one its row of
    the page shows, a command's stderr being that one line; None for a case
    that scores."""
    spans = (doc_rows() if rows is None else rows).get(case["row"], [])
    if "stderr" in case:
        stderr, prefix = case["stderr"], f"tfrank {case['command'][0]}: error: "
        if not (stderr.startswith(prefix) and stderr.endswith("\n") and stderr.count("\n") == 1):
            return False
        return documented(stderr[len(prefix) : -1], spans, typed=False)
    if case["outcome"] in ("error", "warning"):
        return "\n" not in case["message"] and documented(case["message"], spans, typed=True)
    return None
