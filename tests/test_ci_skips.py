"""Under CI=true a skip fails the run; elsewhere it stays a skip."""

import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILED = "skipped, and CI=true allows no skips: "

SKIPPING = {
    "test_fixture.py": """
        import pytest

        @pytest.fixture
        def dataset():
            pytest.skip("shared data not found")

        def test_reads(dataset):
            pass
    """,
    "test_body.py": """
        import pytest

        def test_body():
            pytest.skip("not today")

        @pytest.mark.skipif(True, reason="marked")
        def test_marked():
            pass

        @pytest.mark.xfail(reason="known bug", strict=True)
        def test_expected_failure():
            assert False

        def test_runs():
            pass
    """,
    "test_module.py": """
        import pytest

        pytest.importorskip("no_such_package_of_tfrank_tests")

        def test_never_collected():
            pass
    """,
}


def _run(tmp_path, ci, files=tuple(SKIPPING)):
    """Runs pytest on `files` of SKIPPING in `tmp_path` with `CI` set to `ci`
    (unset for None); returns the summary lines and the exit code."""
    for name in files:
        (tmp_path / name).write_text(textwrap.dedent(SKIPPING[name]))
    # The suite's own hooks, without the rest of its conftest (no tfrank import).
    (tmp_path / "conftest.py").write_text(
        "from tests.helpers.ci_skips import pytest_make_collect_report, "
        "pytest_runtest_makereport  # noqa: F401\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = ROOT
    if ci is not None:
        env["CI"] = ci
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.stdout, result.returncode


def test_skips_in_fixtures_markers_and_bodies_fail_under_ci(tmp_path):
    out, code = _run(tmp_path, "true", ["test_fixture.py", "test_body.py"])
    assert code == 1, out
    assert f"ERROR test_fixture.py::test_reads - {tmp_path}/test_fixture.py:8: {FAILED}" in out
    assert f"ERROR test_body.py::test_marked - {tmp_path}/test_body.py:7: {FAILED}marked" in out
    assert f"FAILED test_body.py::test_body - {tmp_path}/test_body.py:5: {FAILED}not today" in out
    assert "shared data not found" in out
    # Neither an expected failure nor a passing test is touched.
    assert "XFAIL test_body.py::test_expected_failure" in out
    assert "PASSED test_body.py::test_runs" in out
    assert "1 failed, 1 passed, 1 xfailed, 2 errors" in out.splitlines()[-1], out


def test_a_module_level_skip_fails_collection_under_ci(tmp_path):
    out, code = _run(tmp_path, "true", ["test_module.py"])
    assert code == 2, out  # interrupted: an error during collection
    assert f"ERROR test_module.py - {tmp_path}/test_module.py:4: {FAILED}could not import" in out
    assert "no_such_package_of_tfrank_tests" in out


def test_skips_stay_skips_outside_ci(tmp_path):
    for ci in (None, "false"):
        folder = tmp_path / str(ci)
        folder.mkdir()
        out, code = _run(folder, ci)
        assert code == 0, out
        assert FAILED not in out
        assert "1 passed, 4 skipped, 1 xfailed" in out.splitlines()[-1], out
