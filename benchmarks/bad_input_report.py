"""Every bad input of docs/bad_input.md, tried as a user would, and what it gets.

    python benchmarks/bad_input_report.py
    python benchmarks/bad_input_report.py --in-process

Runs the bad-input catalogue (`tests/cli/bad_inputs/`: one or more cases
for each row of docs/bad_input.md, as calls of the library, `tfrank`
commands and requests to an export) and records, per case, the row of the
page, the outcome, the exit code of a command, the exact message or
behaviour, and whether the message is, whole, one the page shows (a
command's stderr that one line). Commands run as `python -m tfrank`
processes, as a user runs them; `--in-process` runs them in this process
(faster; the test suite does so). The temporary folder shows as `DIR`.

Prints the table and saves `benchmarks/results/bad_input_report.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time

from common import ROOT

RESULTS = os.path.join(ROOT, "benchmarks", "results", "bad_input_report.json")


def report(in_process: bool) -> dict:
    import tensorflow as tf

    from tests.cli.bad_inputs import bad_input_cases, doc_rows, run_command, run_process

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        cases = bad_input_cases(workdir, run_command if in_process else run_process)
        seconds = time.perf_counter() - start
        rows = doc_rows()
        records = [_record(case, rows, workdir) for case in cases]
    missing = [row for row in rows if row not in {r["row"] for r in records}]
    return {
        "settings": {
            "commands": "in this process" if in_process else "python -m tfrank processes",
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "seconds": round(seconds, 1),
        },
        "summary": {
            "rows_of_the_page": len(rows),
            "rows_without_a_case": missing,
            "cases": len(records),
            "outcomes": {o: sum(r["outcome"] == o for r in records) for o in _outcomes(records)},
            "messages_not_as_documented": [
                r["input"] for r in records if r["as_documented"] is False
            ],
        },
        "cases": records,
    }


def _record(case: dict, rows: dict, workdir: str) -> dict:
    from tests.cli.bad_inputs import shown_in_docs

    def hide(text):
        return text.replace(workdir, "DIR")

    record = {
        "row": case["row"],
        "case": case["case"],
        "input": case["input"],
        "outcome": case["outcome"],
        "exit_code": case.get("exit_code"),
        "message": hide(case["message"]),
        "as_documented": shown_in_docs(case, rows),
    }
    if "stderr" in case:
        record["command"] = ["tfrank", *(hide(a) for a in case["command"])]
        record["stderr"] = hide(case["stderr"])
        record["message"] = hide(case["stderr"]).strip()
    return record


def _outcomes(records):
    return sorted({r["outcome"] for r in records})


def print_table(result: dict) -> None:
    print("| docs row | input | outcome | exit | as documented | message or behaviour |")
    print("|---|---|---|---|---|---|")
    for r in result["cases"]:
        shown = {True: "yes", False: "NO", None: "—"}[r["as_documented"]]
        code = "—" if r["exit_code"] is None else r["exit_code"]
        message = r["message"].replace("|", "\\|").replace("\n", " ⏎ ")
        print(f"| {r['row']} | {r['input']} | {r['outcome']} | {code} | {shown} | {message} |")
    summary = result["summary"]
    print(
        f"\n{summary['cases']} cases for {summary['rows_of_the_page']} rows of docs/bad_input.md "
        f"({result['settings']['commands']}, {result['settings']['seconds']} s); outcomes "
        f"{summary['outcomes']}; rows without a case: {summary['rows_without_a_case'] or 'none'}; "
        f"messages not as documented: {summary['messages_not_as_documented'] or 'none'}."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--in-process", action="store_true", help="run the tfrank commands in this process"
    )
    parser.add_argument("--output", default=RESULTS, help="where to save the JSON")
    args = parser.parse_args()
    result = report(args.in_process)
    print_table(result)
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"saved {args.output}")
    bad = (
        result["summary"]["rows_without_a_case"] or result["summary"]["messages_not_as_documented"]
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
