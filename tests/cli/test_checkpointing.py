"""Training that loses nothing: resume after SIGKILL, NaN stop, refused checkpoints."""

import hashlib
import json
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.faults import FaultAtEpoch
from tests.helpers.processes import kill_mid_epoch, tfrank_process
from tfrank.cli.main import main
from tfrank.data import SyntheticCTR, make_dataset
from tfrank.errors import CheckpointMismatch, TrainingDiverged
from tfrank.models import DeepFM
from tfrank.training import load_model, train
from tfrank.training.callbacks import SetDataEpoch, TrainingCheckpoint
from tfrank.training.run_config import IDENTITY

SMALL = {"hidden_units": [16, 16]}
# Three epochs of about 40 steps; every setting the checkpoint compares is at its CLI default
# unless set here.
CTR = ["train", "--model", "deepfm", "--data", "synthetic:6000", "--epochs", "3",
       "--patience", "0", "--batch-size", "128", "--seed", "3", "--no-tensorboard"]  # fmt: skip


@pytest.fixture(scope="module")
def small_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "small.json"
    path.write_text(json.dumps(SMALL))
    return str(path)


class Run:
    """A `tfrank train` run started in the background; `result()` waits for it once."""

    def __init__(self, args, output):
        self.output = output
        self.process = tfrank_process([*args, "--output", output])
        self._result = None

    def result(self):
        if self._result is None:
            finished(self.process)
            self._result = outcome(self.output)
        return self._result

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture(scope="module")
def ctr_command(small_config):
    return [*CTR, "--config", small_config]


@pytest.fixture(scope="module")
def ctr_reference(ctr_command, tmp_path_factory):
    """The uninterrupted run, started at once so that it trains while a test kills its twin."""
    run = Run(ctr_command, str(tmp_path_factory.mktemp("reference")))
    yield run
    run.stop()


def finished(process, timeout=900):
    _, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return err


def outcome(output):
    """`metrics.json`, and the weights and optimizer variables of `model.keras`."""
    with open(os.path.join(output, "metrics.json")) as f:
        metrics = json.load(f)
    model = load_model(output)
    weights = [np.asarray(v.numpy()) for v in model.weights]
    optimizer = [np.asarray(v.numpy()) for v in model.optimizer.variables]
    return metrics, weights, optimizer


def assert_same_training(resumed, reference):
    """Same per-epoch losses and metrics, same final weights and optimizer state."""
    (metrics, weights, optimizer), (want, want_weights, want_optimizer) = resumed, reference
    assert metrics["epochs_run"] == want["epochs_run"]
    assert metrics["best_epoch"] == want["best_epoch"]
    assert sorted(metrics["history"]) == sorted(want["history"])
    for key in sorted(want["history"], key=lambda k: k != "loss"):  # the loss first
        np.testing.assert_allclose(
            metrics["history"][key], want["history"][key], rtol=1e-5, err_msg=key
        )
    assert len(weights) == len(want_weights) and len(optimizer) == len(want_optimizer)
    for i, (a, b) in enumerate(zip(weights, want_weights)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7, err_msg=f"weight {i}")
    for i, (a, b) in enumerate(zip(optimizer, want_optimizer)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7, err_msg=f"optimizer variable {i}")


def read_state(checkpoint_dir):
    with open(os.path.join(checkpoint_dir, "checkpoint.json")) as f:
        return json.load(f)


def resuming(checkpoint_dir, epochs):
    return f"Resuming from the checkpoint in {checkpoint_dir}: {epochs} epoch(s) done."


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(
    tmp_path, ctr_command, ctr_reference
):
    out = str(tmp_path / "killed")
    checkpoint = os.path.join(out, "checkpoint")
    command = [*ctr_command, "--output", out]
    # Killed after 5 steps of the second epoch: those steps are lost, the first epoch is not.
    kill_mid_epoch(command, epoch=1, step=5)
    assert (read_state(checkpoint)["epoch"], read_state(checkpoint)["step"]) == (1, 0)
    assert not os.path.exists(os.path.join(out, "metrics.json"))

    assert resuming(checkpoint, 1) in finished(tfrank_process(command))
    resumed, reference = outcome(out), ctr_reference.result()
    assert resumed[0]["resumed_after_epoch"] == 1 and reference[0]["resumed_after_epoch"] == 0
    assert resumed[0]["epochs_run"] == 3
    assert_same_training(resumed, reference)
    assert not os.path.exists(checkpoint)  # removed once the outputs are written


def files_under(directory):
    return sorted(
        os.path.relpath(os.path.join(root, name), directory)
        for root, _, names in os.walk(directory)
        for name in names
    )


def test_no_checkpoint_writes_none_and_a_rerun_starts_from_scratch(
    tmp_path, ctr_command, ctr_reference
):
    out = str(tmp_path / "run")
    command = [*ctr_command, "--output", out, "--no-checkpoint"]
    kill_mid_epoch(command, epoch=1, step=5)  # a checkpoint would hold the first epoch by now
    written = files_under(out) if os.path.isdir(out) else []
    assert not [name for name in written if "checkpoint" in name or name.endswith(".h5")], written

    # A checkpoint of these very settings, which the command without the flag would resume.
    reference = ctr_reference.result()
    settings = {k: reference[0][k] for k in IDENTITY}
    with pytest.raises(KeyboardInterrupt):
        train(**settings, epochs=3, patience=None, output=out, tensorboard=False, verbose=0,
              callbacks=[FaultAtEpoch(1, "crash")])  # fmt: skip
    checkpoint = os.path.join(out, "checkpoint")
    assert read_state(checkpoint)["epoch"] == 1
    assert read_state(checkpoint)["identity"] == settings

    log = finished(tfrank_process(command))
    assert "Resuming" not in log
    rerun = outcome(out)
    assert rerun[0]["resumed_after_epoch"] == 0 and rerun[0]["checkpoint"] is False
    assert_same_training(rerun, reference)


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


def test_early_stopping_state_and_best_weights_survive_a_sigkill(tmp_path, small_config):
    # Best at epoch 2, worse at 3 and 4: patience 2 stops after epoch 4 with epoch 2's weights.
    command = ["train", "--model", "deepfm", "--data", "synthetic:4000", "--epochs", "5",
               "--patience", "2", "--learning-rate", "0.01", "--batch-size", "128", "--seed", "3",
               "--config", small_config, "--no-tensorboard"]  # fmt: skip
    whole = Run(command, str(tmp_path / "whole"))
    try:
        out = str(tmp_path / "killed")
        checkpoint = os.path.join(out, "checkpoint")
        # Killed in epoch 4, one epoch into the wait: the counter, the best value and the best
        # epoch's weights all have to survive for the run to stop where the whole one did.
        kill_mid_epoch([*command, "--output", out], epoch=3, step=5)
        state = read_state(checkpoint)
        assert state["epoch"] == 3
        assert (state["early_stopping"]["wait"], state["early_stopping"]["best_epoch"]) == (1, 1)
        assert resuming(checkpoint, 3) in finished(tfrank_process([*command, "--output", out]))
        resumed, reference = outcome(out), whole.result()
    finally:
        whole.stop()
    assert (reference[0]["epochs_run"], reference[0]["best_epoch"]) == (4, 2)
    assert resumed[0]["resumed_after_epoch"] == 3
    assert_same_training(resumed, reference)
    for key in ("auc", "logloss"):
        assert resumed[0]["validation"][key] == pytest.approx(
            reference[0]["validation"][key], rel=1e-5
        )


def test_implicit_feedback_run_resumed_after_a_sigkill_samples_the_same_negatives(tmp_path):
    command = ["train", "--model", "gmf", "--data", "synthetic:300", "--epochs", "3", "--patience",
               "0", "--batch-size", "256", "--seed", "1", "--no-tensorboard"]  # fmt: skip
    whole = Run(command, str(tmp_path / "whole"))
    try:
        out = str(tmp_path / "killed")
        checkpoint = os.path.join(out, "checkpoint")
        kill_mid_epoch([*command, "--output", out], epoch=2, step=20)
        assert read_state(checkpoint)["epoch"] == 2
        assert resuming(checkpoint, 2) in finished(tfrank_process([*command, "--output", out]))
        resumed, reference = outcome(out), whole.result()
    finally:
        whole.stop()
    assert resumed[0]["resumed_after_epoch"] == 2 and resumed[0]["epochs_run"] == 3
    # Each epoch's negatives are drawn by (seed, epoch): the resumed epoch trains on the same ones.
    assert_same_training(resumed, reference)
    for key in ("hr@10", "ndcg@10"):
        assert resumed[0]["test"][key] == pytest.approx(reference[0]["test"][key], rel=1e-5)


# The settings a checkpoint records (docs/training.md, "Runs that lose nothing"), each
# changed alone: the command must refuse the checkpoint and name that setting.
CHANGED = {
    "model": ["--model", "dcn"],
    "data": ["--data", "synthetic:3500"],
    "validation_data": ["--validation-data", "synthetic:500"],
    "features": ["--features", "FEATURES"],
    "model_config": ["--config", "OTHER_CONFIG"],
    "seed": ["--seed", "1"],
    "batch_size": ["--batch-size", "128"],
    "learning_rate": ["--learning-rate", "0.01"],
    "num_negatives": ["--num-negatives", "2"],
    "streaming": ["--streaming", "never"],
    "skip_bad_rows": ["--skip-bad-rows"],
}
BASE = ["train", "--model", "deepfm", "--data", "synthetic:3000", "--epochs", "2",
        "--patience", "0", "--batch-size", "256", "--seed", "0", "--no-tensorboard"]  # fmt: skip


def test_every_recorded_setting_is_listed():
    assert sorted(CHANGED) == sorted(IDENTITY)


def with_flag(argv, flag):
    """`argv` with `flag` (and its value, if any) replaced or added."""
    argv = list(argv)
    if flag[0] in argv:
        i = argv.index(flag[0])
        argv[i : i + len(flag)] = flag
    else:
        argv += flag
    return argv


@pytest.fixture(scope="module")
def base_checkpoint(tmp_path_factory, small_config):
    """The checkpoint of `BASE` after its first epoch (the run crashed at the second)."""
    root = tmp_path_factory.mktemp("base")
    argv = [*BASE, "--config", small_config, "--output", str(root / "out"),
            "--checkpoint-dir", str(root / "checkpoint")]  # fmt: skip
    import tfrank.training

    crash = FaultAtEpoch(1, "crash")

    def crashing(run, /, callbacks=(), **settings):
        return train(run, callbacks=[*callbacks, crash], **settings)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tfrank.training, "train", crashing)
        with pytest.raises(KeyboardInterrupt):
            main(argv)
    assert read_state(str(root / "checkpoint"))["epoch"] == 1
    features = root / "features.json"
    SyntheticCTR(seed=0).feature_spec().save(str(features))
    other_config = root / "other.json"
    other_config.write_text(json.dumps({**SMALL, "dropout": 0.1}))  # the same variables
    return (
        argv,
        str(root / "checkpoint"),
        {"FEATURES": str(features), "OTHER_CONFIG": str(other_config)},
    )


@pytest.mark.parametrize("setting", sorted(CHANGED))
def test_checkpoint_written_with_other_settings_is_refused(setting, base_checkpoint, tmp_path,
                                                           capsys):  # fmt: skip
    argv, saved, files = base_checkpoint
    checkpoint = str(tmp_path / "checkpoint")
    shutil.copytree(saved, checkpoint)
    before = {name: digest(os.path.join(checkpoint, name)) for name in os.listdir(checkpoint)}
    flag = [files.get(x, x) for x in CHANGED[setting]]
    argv = with_flag(with_flag(argv, ["--checkpoint-dir", checkpoint]), flag)
    argv = with_flag(argv, ["--output", str(tmp_path / "out")])
    capsys.readouterr()
    assert main(argv) == 2
    errors = [x for x in capsys.readouterr().err.splitlines() if x.startswith("tfrank train:")]
    assert errors == [
        f"tfrank train: error: The checkpoint in {checkpoint!r} is from another run (different "
        f"{setting}); delete it or train into another checkpoint directory. With the command "
        "line: --checkpoint-dir DIR trains into another directory, --no-checkpoint trains "
        "without one."
    ]
    # Refused, not overwritten: the run it belongs to can still resume from it.
    assert {
        name: digest(os.path.join(checkpoint, name)) for name in os.listdir(checkpoint)
    } == before
    assert not os.path.exists(tmp_path / "out" / "model.keras")
