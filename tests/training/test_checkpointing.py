"""Training that loses nothing: resume after SIGKILL, NaN stop, refused checkpoints."""

import hashlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.faults import FaultAtEpoch
from tests.helpers.processes import kill_mid_epoch, tfrank_process
from tfrank.data import make_dataset
from tfrank.errors import CheckpointMismatch, TrainingDiverged
from tfrank.models import DeepFM
from tfrank.training import train
from tfrank.training.callbacks import SetDataEpoch, TrainingCheckpoint

TRAIN = ["train", "--model", "deepfm", "--data", "synthetic:40000", "--epochs", "3",
         "--patience", "0", "--batch-size", "256", "--seed", "3"]  # fmt: skip


def finished(process, timeout=300):
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return err


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(tmp_path):
    whole, killed = str(tmp_path / "whole"), str(tmp_path / "killed")
    uninterrupted = tfrank_process([*TRAIN, "--output", whole])
    # 0.5 s into the next epoch (about 2 s each).
    done = kill_mid_epoch([*TRAIN, "--output", killed], os.path.join(killed, "checkpoint"), 0.5)
    assert 1 <= done < 3 and not os.path.exists(os.path.join(killed, "metrics.json"))

    log = finished(tfrank_process([*TRAIN, "--output", killed]))
    assert f"Resuming from the checkpoint in {os.path.join(killed, 'checkpoint')}" in log
    finished(uninterrupted)
    with open(os.path.join(whole, "metrics.json")) as f:
        reference = json.load(f)
    with open(os.path.join(killed, "metrics.json")) as f:
        resumed = json.load(f)
    assert resumed["resumed_after_epoch"] == done and reference["resumed_after_epoch"] == 0
    assert resumed["epochs_run"] == reference["epochs_run"] == 3
    assert len(resumed["history"]["loss"]) == 3
    difference = abs(resumed["validation"]["auc"] - reference["validation"]["auc"])
    print(f"resumed after epoch {done}; validation AUC difference {difference:.6f}")
    assert difference <= 0.002
    assert not os.path.exists(os.path.join(killed, "checkpoint"))  # removed once done


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_nan_loss_stops_with_message_and_keeps_last_good_state(tmp_path, monkeypatch):
    out = str(tmp_path / "run")
    settings = dict(data="synthetic:3000", epochs=3, patience=None, batch_size=256, output=out,
                    verbose=0)  # fmt: skip
    train("deepfm", **settings)
    before = digest(os.path.join(out, "model.keras"))
    monkeypatch.setattr(DeepFM, "training_callbacks", lambda self: [FaultAtEpoch(1, "nan")])
    with pytest.raises(TrainingDiverged) as caught:
        train("deepfm", **settings)
    message = str(caught.value)
    assert "the training loss became nan at step 1 of epoch 2" in message
    assert "learning rate too high" in message and "resumes from it" in message
    assert (caught.value.epoch, caught.value.step) == (1, 0)
    assert caught.value.checkpoint_dir == os.path.join(out, "checkpoint")
    assert digest(os.path.join(out, "model.keras")) == before
    assert sorted(os.listdir(os.path.join(out, "serving"))) == ["1"]
    state_dir = os.path.join(out, "checkpoint")
    with open(os.path.join(state_dir, "checkpoint.json")) as f:
        state = json.load(f)
    assert state["epoch"] == 1 and np.isfinite(state["history"]["loss"]).all()
    monkeypatch.undo()
    # The saved epoch is sound: the same settings resume from it and finish.
    train("deepfm", **settings)
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert metrics["resumed_after_epoch"] == 1 and np.isfinite(metrics["history"]["loss"]).all()


def test_checkpoint_of_another_run_is_refused(tmp_path, tiny_spec, tiny_frame):
    model = DeepFM(tiny_spec, hidden_units=[4])
    model.compile()
    model.fit(make_dataset(tiny_frame, tiny_spec, batch_size=64), epochs=1, verbose=0)
    saver = TrainingCheckpoint(str(tmp_path), {"model": "deepfm", "seed": 0})
    saver.set_model(model)
    saver.on_epoch_end(0, {"loss": 0.5})
    other = TrainingCheckpoint(str(tmp_path), {"model": "deepfm", "seed": 1})
    with pytest.raises(CheckpointMismatch, match="from another run \\(different seed\\)"):
        other.restore(model)
    fresh = DeepFM(tiny_spec, hidden_units=[4])
    fresh.compile()
    assert TrainingCheckpoint(str(tmp_path), {"model": "deepfm", "seed": 0}).restore(fresh) == 1
    for a, b in zip(fresh.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(fresh.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_epoch_order_depends_on_the_epoch_alone(tiny_spec, tiny_frame):
    epoch = tf.Variable(0, dtype=tf.int64)
    dataset = make_dataset(
        tiny_frame, tiny_spec, label=None, batch_size=300, shuffle=True, seed=5, shuffle_epoch=epoch
    )
    setter = SetDataEpoch(epoch)

    def order_of(e):
        setter.on_epoch_begin(e)
        return next(iter(dataset))["age"].numpy()

    first, second = order_of(0), order_of(1)
    assert not np.array_equal(first, second)
    assert sorted(first.tolist()) == sorted(second.tolist())  # a permutation of all rows
    np.testing.assert_array_equal(order_of(0), first)  # a restart sees the same orders
    np.testing.assert_array_equal(order_of(1), second)
    assert dataset.cardinality().numpy() == 1


def test_early_stopping_state_and_best_weights_survive_a_restart(tmp_path, monkeypatch):
    kwargs = dict(epochs=5, batch_size=128, patience=1, learning_rate=0.01, verbose=0, seed=2)
    whole = train("deepfm", data="synthetic:4000", output=str(tmp_path / "whole"), **kwargs)
    # Overfits after one epoch: early stopping keeps epoch 1's weights.
    assert whole["epochs_run"] == 2 and whole["best_epoch"] == 1
    monkeypatch.setattr(DeepFM, "training_callbacks", lambda self: [FaultAtEpoch(1, "crash")])
    with pytest.raises(KeyboardInterrupt):
        train("deepfm", data="synthetic:4000", output=str(tmp_path / "crashed"), **kwargs)
    monkeypatch.undo()
    resumed = train("deepfm", data="synthetic:4000", output=str(tmp_path / "crashed"), **kwargs)
    assert resumed["resumed_after_epoch"] == 1
    assert (resumed["epochs_run"], resumed["best_epoch"]) == (2, 1)
    np.testing.assert_allclose(resumed["history"]["val_auc"], whole["history"]["val_auc"], 1e-5)
    assert abs(resumed["validation"]["auc"] - whole["validation"]["auc"]) < 1e-6
