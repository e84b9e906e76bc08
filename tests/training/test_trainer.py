"""`tfrank.training`: one run configuration, one loop for every family."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tfrank.training import RunConfig, train


def _scalars(folder, tag):
    events = EventAccumulator(folder)
    events.Reload()
    return [float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)]


def test_a_run_configuration_is_what_metrics_and_checkpoints_record(tmp_path):
    run = RunConfig("fm", data="synthetic:2000", epochs=2, batch_size=500, patience=None,
                    output=str(tmp_path), verbose=0)  # fmt: skip
    metrics = train(run)
    with open(tmp_path / "metrics.json") as f:
        saved = json.load(f)
    assert list(saved)[: len(run.to_dict())] == list(run.to_dict())
    assert {k: saved[k] for k in run.to_dict()} == run.to_dict()
    assert saved["family"] == "ctr" and saved["epochs_run"] == 2 == metrics["epochs_run"]
    assert saved["optimizer"]["class"] == "Adam" and saved["learning_rate"] is None
    # The same run by name and keywords, and a RunConfig with one setting replaced.
    settings = {k: v for k, v in vars(run).items() if k != "model"}
    again = train("fm", **{**settings, "output": str(tmp_path / "again")})
    assert again["validation"] == metrics["validation"]
    other = train(run, seed=1, output=str(tmp_path / "other"))
    assert other["seed"] == 1 and other["validation"]["auc"] != metrics["validation"]["auc"]
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        RunConfig("fm", epochs=0)


def test_tensorboard_logs_hold_each_epoch_s_loss_and_validation_metric(tmp_path):
    metrics = train("fm", data="synthetic:2000", epochs=3, batch_size=500, patience=None,
                    output=str(tmp_path), verbose=0)  # fmt: skip
    logs = tmp_path / "tensorboard"
    losses = _scalars(str(logs / "train"), "epoch_loss")
    np.testing.assert_allclose(losses, metrics["history"]["loss"], rtol=1e-6)
    aucs = _scalars(str(logs / "validation"), "epoch_auc")
    np.testing.assert_allclose(aucs, metrics["history"]["val_auc"], rtol=1e-6)
    elsewhere = tmp_path / "elsewhere"
    train("fm", data="synthetic:2000", epochs=1, output=str(tmp_path / "b"), verbose=0,
          tensorboard=str(elsewhere))  # fmt: skip
    assert os.listdir(elsewhere / "train") and not (tmp_path / "b" / "tensorboard").exists()
    train("fm", data="synthetic:2000", epochs=1, output=str(tmp_path / "c"), verbose=0,
          tensorboard=False)  # fmt: skip
    assert "tensorboard" not in os.listdir(tmp_path / "c")


def test_implicit_feedback_logs_its_ranking_metrics_to_tensorboard(tmp_path):
    metrics = train("gmf", data="synthetic:200", epochs=2, output=str(tmp_path), verbose=0,
                    model_config={"factors": 4})  # fmt: skip
    logs = str(tmp_path / "tensorboard" / "validation")
    np.testing.assert_allclose(_scalars(logs, "epoch_ndcg@10"),
                               metrics["history"]["val_ndcg@10"], rtol=1e-6)  # fmt: skip
