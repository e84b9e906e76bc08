import os
import subprocess
import sys

import pytest

from tfrank.testing.helpers import shared_data_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quickstart_runs(tmp_path):
    if not os.path.isdir(shared_data_path("criteo")):
        pytest.skip("shared Criteo sample not found")
    script = os.path.join(ROOT, "tutorials", "01_quickstart", "quickstart.py")
    result = subprocess.run(
        [sys.executable, script, "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test AUC" in result.stdout and "max |served - keras|" in result.stdout
