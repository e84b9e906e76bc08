import json
import os
import shutil
import subprocess
import sys

import pytest

from tfrank.cli.main import main


def test_models_lists_registered_names(capsys):
    assert main(["models"]) == 0
    names = capsys.readouterr().out.split()
    assert {"fm", "wide_and_deep", "deepfm", "logistic_regression"} <= set(names)


def test_console_script_and_module_entry_point():
    script = shutil.which("tfrank") or os.path.join(os.path.dirname(sys.executable), "tfrank")
    assert os.path.isfile(script), "pip install -e . installs the `tfrank` console script"
    for argv in ([script, "models"], [sys.executable, "-m", "tfrank", "models"]):
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and "deepfm" in out.stdout.split()


def test_train_evaluate_export(tmp_path, capsys):
    config = tmp_path / "deepfm.yaml"
    config.write_text("hidden_units: [16, 8]\n")
    out = str(tmp_path / "run")
    code = main(
        [
            "train",
            "--model",
            "deepfm",
            "--data",
            "synthetic:3000",
            "--epochs",
            "2",
            "--batch-size",
            "256",
            "--output",
            out,
            "--config",
            str(config),
        ]
    )
    assert code == 0
    assert sorted(os.listdir(out)) == [
        "example_features.json",
        "feature_spec.json",
        "metrics.json",
        "model.keras",
        "serving",
    ]
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["rows"] == {"train": 2700, "validation": 300}
    assert metrics["epochs"] == 2 and metrics["examples_per_second"] > 0
    assert 1 <= metrics["best_epoch"] <= metrics["epochs_run"] <= 2
    assert 0 <= metrics["validation"]["auc"] <= 1 and "gauc" in metrics["validation"]
    assert len(metrics["history"]["loss"]) == metrics["epochs_run"]
    assert os.path.isfile(os.path.join(out, "serving", "1", "saved_model.pb"))
    capsys.readouterr()

    assert main(["evaluate", "--model-dir", out, "--data", "synthetic:2000"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == 2000 and 0 <= scores["auc"] <= 1

    assert main(["export", "--model-dir", out]) == 0
    assert capsys.readouterr().out.strip() == os.path.join(out, "serving", "2")
    assert os.path.isfile(os.path.join(out, "serving", "2", "assets.extra", "example_request.json"))


def test_train_fnn_trains_its_fm_first(tmp_path):
    config = tmp_path / "fnn.json"
    config.write_text('{"hidden_units": [8], "fm_epochs": 1}')
    out = str(tmp_path / "fnn")
    argv = ["train", "--model", "fnn", "--data", "synthetic:2000", "--epochs", "1"]
    assert main(argv + ["--output", out, "--config", str(config), "--learning-rate", "0.01"]) == 0
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["model"] == "fnn" and metrics["learning_rate"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    "kind, train_file, test_file, rows",
    [
        ("criteo", "wideresdnn_train.tsv", "wideresdnn_test.tsv", (7200, 391)),
        ("avazu", "wideresdnn_train.csv", "wideresdnn_test.csv", (8087, 432)),
    ],
)
def test_train_on_public_samples(kind, train_file, test_file, rows, tmp_path, capsys):
    from tfrank.testing.helpers import shared_data_path

    folder = shared_data_path(kind)
    if not os.path.isdir(folder):
        pytest.skip(f"shared {kind} sample not found")
    out = str(tmp_path / kind)
    code = main(
        [
            "train",
            "--model",
            "fm",
            "--data",
            f"{kind}:{os.path.join(folder, train_file)}",
            "--validation-data",
            f"{kind}:{os.path.join(folder, test_file)}",
            "--epochs",
            "1",
            "--output",
            out,
        ]
    )
    assert code == 0
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["rows"] == {"train": rows[0], "validation": rows[1]}
    assert 0 <= metrics["validation"]["auc"] <= 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--model", "nope"], "Unknown model 'nope'"),
        (["train", "--model", "fm", "--data", "criteo"], "needs a path"),
        (["train", "--model", "fm", "--data", "criteo:/no/such.tsv"], "No data file"),
        (["train", "--model", "fm", "--data", "weird:x"], "Unknown data spec"),
        (["evaluate", "--model-dir", "/no/dir", "--data", "synthetic"], "No model.keras"),
    ],
)
def test_errors_are_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
