"""benchmarks/README.md is generated from benchmarks/results/*.json and up to date."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_benchmarks_readme_matches_results():
    script = os.path.join(ROOT, "benchmarks", "make_readme.py")
    done = subprocess.run(
        [sys.executable, script, "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
