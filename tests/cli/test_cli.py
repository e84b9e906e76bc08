import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers.data import shared_data_path
from tests.helpers.spies import assert_fnn_starts_from, record_fits
from tfrank.cli.main import main
from tfrank.models import list_models, model_table


def test_models_lists_each_registered_model_with_its_family_and_summary(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [r["name"] for r in model_table()]
    assert sorted(line.split()[0] for line in lines) == list_models()
    deepfm = next(line for line in lines if line.startswith("deepfm "))
    assert deepfm.split()[1] == "ctr" and "sharing one embedding table" in deepfm
    assert "(Guo et al. 2017)" in deepfm
    gmf = next(line for line in lines if line.startswith("gmf "))
    assert gmf.split()[1] == "implicit"


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
            # Adam's 1e-3 default learns too little in two epochs of these rows.
            "--learning-rate",
            "0.01",
        ]
    )
    assert code == 0
    assert sorted(os.listdir(out)) == [
        "example_features.json",
        "feature_spec.json",
        "metrics.json",
        "model.keras",
        "serving",
        "tensorboard",
    ]
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    # metrics.json starts with the run's settings.
    assert list(metrics)[:4] == ["model", "data", "validation_data", "features"]
    assert metrics["model_config"] == {"hidden_units": [16, 8]} and metrics["batch_size"] == 256
    assert metrics["rows"] == {"train": 2700, "validation": 300}
    assert metrics["epochs"] == 2 and metrics["examples_per_second"] > 0
    assert 1 <= metrics["best_epoch"] <= metrics["epochs_run"] <= 2
    # Any constant predictor scores AUC 0.5. Trained, seeds 0-2 score 0.58-0.66
    # on these 300 validation rows and 0.60-0.70 on the 2000 fresh rows below.
    assert metrics["validation"]["auc"] > 0.55 and "gauc" in metrics["validation"]
    assert len(metrics["history"]["loss"]) == metrics["epochs_run"]
    assert os.path.isfile(os.path.join(out, "serving", "1", "saved_model.pb"))
    capsys.readouterr()

    assert main(["evaluate", "--model-dir", out, "--data", "synthetic:2000"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == 2000 and scores["auc"] > 0.57

    assert main(["export", "--model-dir", out]) == 0
    assert capsys.readouterr().out.strip() == os.path.join(out, "serving", "2")
    assert os.path.isfile(os.path.join(out, "serving", "2", "assets.extra", "example_request.json"))


def test_train_fnn_trains_its_fm_first(tmp_path, monkeypatch):
    from tfrank.models import FM, FNN

    # The run keeps only the fine-tuned FNN, so the FM and the FNN's
    # starting point are seen through their `fit` calls.
    fm_fits, fnn_fits = record_fits(monkeypatch, FM), record_fits(monkeypatch, FNN)
    config = tmp_path / "fnn.json"
    config.write_text('{"hidden_units": [8], "fm_epochs": 2}')
    out = str(tmp_path / "fnn")
    argv = ["train", "--model", "fnn", "--data", "synthetic:5000", "--epochs", "1",
            "--batch-size", "256"]  # fmt: skip
    assert main(argv + ["--output", out, "--config", str(config), "--learning-rate", "0.01"]) == 0
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["model"] == "fnn" and metrics["learning_rate"] == pytest.approx(0.01)
    assert metrics["optimizer"]["learning_rate"] == pytest.approx(0.01)

    (fm_fit,) = fm_fits
    assert len(fm_fit.history.get("loss", [])) == 2
    assert fm_fit.moved("linear") > 0.01 and fm_fit.moved("embeddings") > 0.01
    # Untrained, the FM's validation AUC is 0.47-0.52 (seeds 0-2); trained, 0.58-0.70.
    assert max(fm_fit.history["val_auc"]) > 0.55
    (fnn_fit,) = fnn_fits
    assert_fnn_starts_from(fnn_fit.before, fm_fit.model, fm_fit.after)
    assert fnn_fit.moved("embeddings") > 0  # then fine-tuned end to end


@pytest.mark.parametrize(
    "kind, train_file, test_file, rows",
    [
        ("criteo", "wideresdnn_train.tsv", "wideresdnn_test.tsv", (7200, 391)),
        ("avazu", "wideresdnn_train.csv", "wideresdnn_test.csv", (8087, 432)),
    ],
)
def test_train_on_public_samples(kind, train_file, test_file, rows, tmp_path, capsys):
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
            "--batch-size",
            "256",
            "--output",
            out,
        ]
    )
    assert code == 0
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    assert metrics["rows"] == {"train": rows[0], "validation": rows[1]}
    # A constant predictor scores 0.5; one epoch scores 0.72-0.74 on seeds 0-2.
    assert metrics["validation"]["auc"] > 0.65


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--model", "nope"], "Unknown model 'nope'"),
        (["train", "--model", "fm", "--data", "criteo"], "needs a path"),
        (["train", "--model", "fm", "--data", "criteo:/no/such.tsv"], "No data file"),
        (["train", "--model", "fm", "--data", "weird:x"], "Unknown data spec"),
        (["train", "--model", "fm", "--data", "csv:/no/such.csv"], "No data file"),
        (["evaluate", "--model-dir", "/no/dir", "--data", "synthetic"], "No model.keras"),
        (["train", "--model", "gmf", "--strategy", "mirrored"], "drop --strategy mirrored"),
    ],
)
def test_errors_are_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _run(args, env=None):
    env = dict(os.environ if env is None else env)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_help_and_argument_errors_answer_before_tensorflow_loads():
    for args in (["--help"], ["train", "--help"], ["train", "--epochs", "x"]):
        result = _run(["-X", "importtime", "-m", "tfrank", *args])
        imported = [line.split("|")[-1].strip() for line in result.stderr.splitlines()]
        assert "tensorflow" not in imported and "keras" not in imported, args
    assert "usage: tfrank" in _run(["-m", "tfrank", "--help"]).stdout


def test_start_up_lines_stay_out_unless_asked():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    quiet = _run(["-m", "tfrank", "models"], env)
    assert quiet.returncode == 0 and quiet.stderr == ""
    # What TensorFlow itself prints when it loads here, and --verbose lets through.
    bare = _run(["-c", "import tensorflow"], env).stderr
    verbose = _run(["-m", "tfrank", "models", "--verbose"], env)
    assert verbose.returncode == 0 and verbose.stdout == quiet.stdout
    noise = [line for line in bare.splitlines() if "cudart_stub" in line or "absl" in line]
    for line in noise:
        assert line.split("]")[-1] in verbose.stderr


def test_models_markdown_table_is_the_readme_s():
    out = _run(["-m", "tfrank", "models", "--markdown"])
    assert out.returncode == 0
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "README.md")) as f:
        assert out.stdout.strip() in f.read(), "README's model table differs from the registry"


def test_library_errors_get_the_flags_that_fix_them(tmp_path, capsys, monkeypatch):
    from tests.helpers.faults import FaultAtEpoch
    from tfrank.models import DeepFM

    out = str(tmp_path / "run")
    args = ["train", "--model", "deepfm", "--data", "synthetic:2000", "--epochs", "2",
            "--batch-size", "256", "--output", out]  # fmt: skip
    monkeypatch.setattr(DeepFM, "training_callbacks", lambda self: [FaultAtEpoch(1, "nan")])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tfrank train: error: the training loss")
    assert "With the command line: --learning-rate 0.0001." in err
    # The first epoch's checkpoint is kept; other settings are refused with the flags to use.
    monkeypatch.undo()
    assert main([*args, "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "from another run (different seed)" in err and "--checkpoint-dir DIR" in err
    table = tmp_path / "table.csv"
    table.write_text("site,label\na,1\nb,0\n")
    assert main(["train", "--model", "fm", "--data", f"csv:{table}", "--output", out]) == 2
    assert "With the command line: --features FILE" in capsys.readouterr().err
