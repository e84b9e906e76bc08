"""`tfrank train --strategy`: two multi-worker processes on 127.0.0.1 train
the same model as one process reading the same global batches; mirrored
training goes through `fit`."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from tests.helpers.processes import free_ports

ARGS = ["--model", "deepfm", "--data", "synthetic:3000", "--epochs", "2", "--batch-size", "200",
        "--patience", "0", "--strategy", "multi_worker"]  # fmt: skip


def _train(output, config, tf_config=None, args=ARGS):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    command = [sys.executable, "-m", "tfrank", "train", *args, "--output", str(output),
               "--config", str(config)]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def _finish(process, what):
    out, err = process.communicate(timeout=400)
    assert process.returncode == 0, f"{what} failed:\n{err[-3000:]}"
    return out


def test_two_workers_match_one_process(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"hidden_units": [16, 8]}))
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    workers = [
        _train(
            tmp_path / f"worker{i}",
            config,
            {"cluster": cluster, "task": {"type": "worker", "index": i}},
        )
        for i in range(2)
    ]
    for i, worker in enumerate(workers):
        _finish(worker, f"worker {i}")
    _finish(_train(tmp_path / "single", config), "single process")

    # Worker 0 writes the outputs; worker 1 keeps nothing.
    assert (tmp_path / "worker0" / "model.keras").is_file()
    assert (tmp_path / "worker0" / "serving" / "1" / "saved_model.pb").is_file()
    assert not (tmp_path / "worker1").exists()

    with open(tmp_path / "worker0" / "metrics.json") as f:
        distributed = json.load(f)
    with open(tmp_path / "single" / "metrics.json") as f:
        single = json.load(f)
    assert distributed["strategy"] == "multi_worker"
    assert distributed["epochs_run"] == single["epochs_run"] == 2
    np.testing.assert_allclose(distributed["history"]["loss"], single["history"]["loss"], rtol=1e-4)
    np.testing.assert_allclose(
        distributed["history"]["val_auc"], single["history"]["val_auc"], atol=1e-4
    )
    # The loss went down: the workers trained, not just agreed.
    assert distributed["history"]["loss"][1] < distributed["history"]["loss"][0]

    two = keras.models.load_model(tmp_path / "worker0" / "model.keras")
    one = keras.models.load_model(tmp_path / "single" / "model.keras")
    # The same variables, in the same order and shapes, before any value is
    # compared: zip alone would stop silently at the shorter list.
    assert len(one.weights) > 0
    assert [(w.path, tuple(w.shape)) for w in two.weights] == [
        (w.path, tuple(w.shape)) for w in one.weights
    ]
    for a, b in zip(two.weights, one.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, err_msg=a.path)


def _cluster(tmp_path, config, args, name):
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    return [
        _train(tmp_path / f"{name}{i}", config,
               {"cluster": cluster, "task": {"type": "worker", "index": i}}, args)
        for i in range(2)
    ]  # fmt: skip


def test_two_workers_killed_mid_epoch_resume_from_a_shared_checkpoint(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"hidden_units": [16, 8]}))
    shared = tmp_path / "shared_checkpoint"
    args = [*ARGS, "--data", "synthetic:20000", "--epochs", "3"]
    for i, worker in enumerate(_cluster(tmp_path, config, args, "whole")):
        _finish(worker, f"worker {i}")
    resumable = [*args, "--checkpoint-dir", str(shared)]
    workers = _cluster(tmp_path, config, resumable, "killed")
    state = shared / "checkpoint.json"
    deadline = time.time() + 300
    while not state.exists() and workers[0].poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    for worker in workers:
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        assert worker.returncode == -signal.SIGKILL
    done = json.loads(state.read_text())["epoch"]
    assert 1 <= done < 3

    restarted = _cluster(tmp_path, config, resumable, "killed")
    logs = [_finish(worker, f"restarted worker {i}") for i, worker in enumerate(restarted)]
    with open(tmp_path / "whole0" / "metrics.json") as f:
        whole = json.load(f)
    with open(tmp_path / "killed0" / "metrics.json") as f:
        resumed = json.load(f)
    assert resumed["resumed_after_epoch"] == done and whole["resumed_after_epoch"] == 0
    assert "epoch 1/3" not in logs[0]  # neither worker redid a saved epoch
    np.testing.assert_allclose(resumed["history"]["loss"], whole["history"]["loss"], rtol=1e-4)
    assert abs(resumed["validation"]["auc"] - whole["validation"]["auc"]) <= 0.002
    assert not shared.exists()  # worker 0 removed it once the outputs were written


def test_unknown_strategy_is_an_error():
    from tfrank.training import RunConfig, make_strategy

    with pytest.raises(ValueError, match="strategy must be one of"):
        make_strategy("parameter_server")
    with pytest.raises(ValueError, match="strategy must be one of"):
        RunConfig("deepfm", strategy="parameter_server")


def test_mirrored_strategy_trains_through_fit(tmp_path):
    from tfrank.training import train

    metrics = train(
        "deepfm", data="synthetic:2000", epochs=1, batch_size=256, output=str(tmp_path),
        model_config={"hidden_units": [8]}, strategy="mirrored", verbose=0,
    )  # fmt: skip
    assert metrics["strategy"] == "mirrored"
    assert metrics["validation"]["auc"] > 0.5
    assert (tmp_path / "serving" / "1" / "saved_model.pb").is_file()


def test_families_refuse_the_strategies_they_cannot_train_under(tmp_path):
    from tfrank.errors import StrategyNotSupported
    from tfrank.training import train

    with pytest.raises(StrategyNotSupported, match=r"gmf trains with the strategies \['default'\]"):
        train("gmf", data="synthetic:50", output=str(tmp_path), strategy="mirrored")
    with pytest.raises(StrategyNotSupported, match="autorec trains with the strategies"):
        train("autorec", output=str(tmp_path), strategy="multi_worker")
    assert not os.listdir(tmp_path)  # refused before any data was read or written


def test_workers_read_only_their_own_shards_of_prepared_data(tmp_path):
    """Each worker gets a copy of the prepared data in which the other
    worker's shards are garbage: training succeeds only if no worker
    reads a shard that is not its own."""
    import shutil

    from tfrank.data import SyntheticCTR
    from tfrank.data.streaming import ParquetFormat, StreamSource, prepare_data

    generator = SyntheticCTR(seed=0)
    generator.sample(3000).to_parquet(tmp_path / "rows.parquet")
    source = StreamSource(ParquetFormat(), [str(tmp_path / "rows.parquet")], "parquet")
    prepared = prepare_data(source, generator.feature_spec(), "label", str(tmp_path / "prepared"),
                            rows_per_shard=640, block_rows=64, verbose=0)  # fmt: skip
    shards = prepared.files("train")
    assert len(shards) == 5
    copies = []
    for worker in range(2):
        copy = tmp_path / f"prepared-{worker}"
        shutil.copytree(tmp_path / "prepared", copy)
        for other in shards[1 - worker :: 2]:
            (copy / os.path.basename(other)).write_bytes(b"not a shard of this worker")
        copies.append(copy)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"hidden_units": [8]}))
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    workers = [
        _train(tmp_path / f"worker{i}", config,
               {"cluster": cluster, "task": {"type": "worker", "index": i}},
               ["--model", "deepfm", "--data", f"prepared:{copies[i]}", "--epochs", "2",
                "--batch-size", "200", "--patience", "0", "--strategy", "multi_worker"])
        for i in range(2)
    ]  # fmt: skip
    for i, worker in enumerate(workers):
        _finish(worker, f"worker {i}")
    with open(tmp_path / "worker0" / "metrics.json") as f:
        metrics = json.load(f)
    assert metrics["reading"]["mode"] == "streaming"
    # Worker 0 has shards 0, 2, 4 (3 x 640 rows at most), worker 1 shards 1, 3:
    # both take the smaller share's steps, 1280 // 100.
    assert metrics["history"]["loss"][1] < metrics["history"]["loss"][0]
    assert metrics["validation"]["rows"] == prepared.rows("validation")
