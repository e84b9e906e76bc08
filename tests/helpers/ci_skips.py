"""Under `CI=true` a skipped test is a failed one.

A suite that skips what it cannot run (a dataset not found, an optional
package not installed) goes green without having tested anything, so CI,
which must run everything, turns every skip into a failure that names its
reason. Outside CI skips stay skips: a checkout without `../shared/data`
still runs what it can. Expected failures (`xfail`) are not skips and keep
their meaning.

`tests/conftest.py` registers these hooks; they live here, free of tfrank
imports, so a bare pytest run can load them too (`tests/test_ci_skips.py`).
"""

from __future__ import annotations

import os

import pytest


def ci_forbids_skips() -> bool:
    return os.environ.get("CI") == "true"


def _as_failure(report) -> None:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, reason = longrepr
        where = f"{path}:{line}: "
    else:
        where, reason = "", str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"{where}skipped, and CI=true allows no skips: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Skips in setup (fixtures, `skipif`), in the test or in teardown."""
    outcome = yield
    report = outcome.get_result()
    if ci_forbids_skips() and report.skipped and not hasattr(report, "wasxfail"):
        _as_failure(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Skips while collecting: module-level `pytest.importorskip`,
    `pytest.skip(allow_module_level=True)`."""
    outcome = yield
    report = outcome.get_result()
    if ci_forbids_skips() and report.skipped:
        _as_failure(report)
