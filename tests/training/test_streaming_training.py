"""Training on streamed files: chosen by size, resumed mid-epoch, bad rows reported."""

import json
import os

import numpy as np
import pytest

from tests.helpers.data import write_criteo_shards
from tests.helpers.faults import FaultAtStep, StepLosses
from tfrank.training import evaluate, train

SETTINGS = dict(model="deepfm", model_config={"hidden_units": [8]}, epochs=2, patience=None,
                batch_size=64, seed=2, verbose=0, tensorboard=False)  # fmt: skip


@pytest.fixture()
def logs(tmp_path):
    write_criteo_shards(str(tmp_path / "logs"), rows_per_shard=(400, 350, 300))
    return f"criteo:{tmp_path / 'logs'}"


@pytest.mark.parametrize("streaming", ["always", "never"])
def test_resume_mid_epoch_reproduces_the_per_step_losses(tmp_path, logs, streaming):
    settings = dict(SETTINGS, data=logs, streaming=streaming, cache_dir=str(tmp_path / "cache"))
    whole = StepLosses()
    reference = train(**settings, output=str(tmp_path / "whole"), callbacks=[whole])
    out = str(tmp_path / "killed")
    steps = len(whole.losses) // 2
    crash = steps + 11  # step 11 of the second epoch; the last checkpoint is at its step 10
    with pytest.raises(KeyboardInterrupt):
        train(**settings, output=out, checkpoint_every=5, callbacks=[FaultAtStep(1, 11)])
    with open(os.path.join(out, "checkpoint", "checkpoint.json")) as f:
        state = json.load(f)
    assert (state["epoch"], state["step"]) == (1, 10)
    resumed = StepLosses()
    metrics = train(**settings, output=out, checkpoint_every=5, callbacks=[resumed])
    assert (metrics["resumed_after_epoch"], metrics["resumed_at_step"]) == (1, 10)
    assert len(resumed.losses) == len(whole.losses) - (steps + 10) and crash > steps
    np.testing.assert_allclose(resumed.losses, whole.losses[steps + 10 :], rtol=1e-5)
    np.testing.assert_allclose(metrics["history"]["loss"], reference["history"]["loss"],
                               rtol=1e-5)  # fmt: skip
    assert metrics["validation"]["auc"] == pytest.approx(reference["validation"]["auc"], abs=1e-6)
    assert metrics["reading"]["mode"] == ("streaming" if streaming == "always" else "in-memory")


def test_auto_streams_above_the_size_limit_and_reuses_the_prepared_data(tmp_path, logs, capsys,
                                                                        monkeypatch):  # fmt: skip
    from tfrank.data.streaming import streaming_training

    settings = dict(SETTINGS, data=logs, epochs=1, cache_dir=str(tmp_path / "cache"), verbose=1)
    small = train(**settings, output=str(tmp_path / "small"))
    assert small["reading"] == {"mode": "in-memory"}
    monkeypatch.setattr(streaming_training, "IN_MEMORY_LIMIT", 10_000)
    first = train(**settings, output=str(tmp_path / "first"))
    assert first["reading"]["mode"] == "streaming" and first["rows"]["train"] > 900
    assert "preparing them once" in capsys.readouterr().err
    second = train(**settings, output=str(tmp_path / "second"))
    assert "reusing the prepared data" in capsys.readouterr().err
    assert second["reading"]["prepared"] == first["reading"]["prepared"]
    assert second["validation"]["auc"] == pytest.approx(first["validation"]["auc"], abs=1e-9)
    # Scoring the model later, by default on the validation rows it was trained with.
    scores = evaluate(str(tmp_path / "first"))
    assert scores["rows"] == first["rows"]["validation"]
    assert scores["auc"] == pytest.approx(first["validation"]["auc"], abs=1e-9)


def test_skipped_bad_rows_are_counted_in_metrics(tmp_path, logs):
    path = tmp_path / "logs" / "part-0.tsv"
    lines = path.read_text().split("\n")
    lines[5] = "1\t2"
    path.write_text("\n".join(lines))
    settings = dict(SETTINGS, data=logs, epochs=1, streaming="always",
                    cache_dir=str(tmp_path / "cache"), output=str(tmp_path / "out"))  # fmt: skip
    with pytest.raises(ValueError, match=r"part-0\.tsv, line 6: 2 fields, expected 40"):
        train(**settings)
    assert not os.path.exists(tmp_path / "out" / "metrics.json")
    metrics = train(**settings, skip_bad_rows=True)
    assert metrics["reading"]["bad_rows"] == 1


def test_multi_worker_on_files_that_stream_asks_for_prepared_data(tmp_path, logs):
    from tfrank.errors import NeedsPreparedData

    with pytest.raises(NeedsPreparedData, match="prepare .* once"):
        train(**dict(SETTINGS, data=logs, streaming="always", strategy="multi_worker",
                     output=str(tmp_path / "out")))  # fmt: skip
    assert not (tmp_path / "out").exists()
