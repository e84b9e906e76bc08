"""`tfrank prepare`, training on prepared data, streamed evaluation, bad-row advice."""

import json

from tests.helpers.data import write_criteo_shards
from tfrank.cli.main import main


def test_prepare_then_train_and_evaluate_on_prepared_and_streamed_files(tmp_path, capsys):
    write_criteo_shards(str(tmp_path / "logs"))
    prepared = str(tmp_path / "prepared")
    assert main(["prepare", "--data", f"criteo:{tmp_path / 'logs'}/part-*", "--output", prepared,
                 "--seed", "1"]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert sum(summary["rows"].values()) == 750 and summary["bad_rows"] == 0
    out = str(tmp_path / "run")
    code = main(["train", "--model", "logistic_regression", "--data", f"prepared:{prepared}",
                 "--epochs", "1", "--output", out, "--no-tensorboard"])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    with open(f"{out}/metrics.json") as f:
        metrics = json.load(f)
    assert metrics["reading"]["mode"] == "streaming" and metrics["rows"] == summary["rows"]
    # Scoring files: all their rows, read in chunks, with --streaming always semantics
    # for prepared data (its validation rows).
    assert main(["evaluate", "--model-dir", out, "--data", f"prepared:{prepared}"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["rows"] == summary["rows"]["validation"]
    assert abs(scores["auc"] - metrics["validation"]["auc"]) < 1e-9
    # Without --data: the validation rows it was trained with.
    assert main(["evaluate", "--model-dir", out]) == 0
    assert json.loads(capsys.readouterr().out) == scores


def test_a_bad_row_is_one_message_with_the_flag_that_skips_it(tmp_path, capsys):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    with open(shards[0], "a") as f:
        f.write("1\t2\t3\n")
    code = main(["prepare", "--data", f"criteo:{tmp_path / 'logs'}", "--output",
                 str(tmp_path / "prepared")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "part-0.tsv, line 301: 3 fields, expected 40" in err
    assert "With the command line: --skip-bad-rows." in err
    assert not (tmp_path / "prepared").exists()
