import os
import subprocess
import sys

import pytest

from tests.helpers.data import shared_data_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run_tutorial(path, args, timeout):
    """Runs `tutorials/<path...>` with `args`; fails with its stderr tail."""
    script = os.path.join(ROOT, "tutorials", *path)
    result = subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_quickstart_runs(tmp_path):
    if not os.path.isdir(shared_data_path("criteo")):
        pytest.skip("shared Criteo sample not found")
    result = _run_tutorial(
        ["01_quickstart", "quickstart.py"], ["--output", str(tmp_path)], timeout=600
    )
    assert "test AUC" in result.stdout and "max |served - keras|" in result.stdout


def test_feature_interactions_tutorial_draws_the_heatmap(tmp_path):
    if not os.path.isdir(shared_data_path("frappe")):
        pytest.skip("shared Frappe files not found")
    result = _run_tutorial(
        ["02_feature_interactions", "feature_interactions.py"],
        ["--output", str(tmp_path), "--epochs", "2"],
        timeout=900,
    )
    assert "test AUC: DCN-v2" in result.stdout and "pairs AFM weighs most" in result.stdout
    png = tmp_path / "afm_attention.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_collaborative_filtering_tutorial_ranks_and_serves(tmp_path):
    if not all(os.path.isdir(shared_data_path(d)) for d in ("ncf_ml1m", "movielens_100k")):
        pytest.skip("shared MovieLens files not found")
    result = _run_tutorial(
        ["03_collaborative_filtering", "collaborative_filtering.py"],
        ["--output", str(tmp_path), "--epochs", "2", "--rows", "20000"],
        timeout=900,
    )
    assert "NeuMF (pretrained): HR@10" in result.stdout
    assert "I-AutoRec on ML-100K u1: test RMSE" in result.stdout
    assert "served ratings" in result.stdout


def test_behaviour_sequences_tutorial_plots_attention_and_serves(tmp_path):
    if not os.path.isdir(shared_data_path("amazon_s3rec")):
        pytest.skip("shared Amazon files not found")
    result = _run_tutorial(
        ["04_behaviour_sequences", "behaviour_sequences.py"],
        ["--output", str(tmp_path), "--epochs", "1", "--users", "1500"],
        timeout=900,
    )
    assert "DIN: test AUC" in result.stdout and "served probabilities" in result.stdout
    png = tmp_path / "din_attention.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_multi_task_tutorial_scores_each_task_and_serves_them(tmp_path):
    if not os.path.isdir(shared_data_path("census_income_kdd")):
        pytest.skip("shared census-income file not found")
    result = _run_tutorial(
        ["05_multi_task", "multi_task.py"],
        ["--output", str(tmp_path), "--epochs", "1", "--rows", "5000"],
        timeout=900,
    )
    for name in ("Shared-Bottom", "MMoE", "AdaTT"):
        assert f"{name}: test AUC income" in result.stdout
    assert "served income" in result.stdout and "served never_married" in result.stdout
    png = tmp_path / "mmoe_gates.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
