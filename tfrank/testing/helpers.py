"""Helpers shared by tfrank's tests (and by users testing their own models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np
import pandas as pd

SERVE_SCRIPT = os.path.join(os.path.dirname(__file__), "serve_requests.py")


def shared_data_path(*parts) -> str:
    """Path under the public-data folder beside the checkout (may not exist).

    `$TFRANK_SHARED_DATA` overrides; else `../shared/data` from the source
    tree, then from the working directory.
    """
    candidates = [
        os.environ.get("TFRANK_SHARED_DATA", ""),
        os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"),
        os.path.join(os.getcwd(), "..", "shared", "data"),
    ]
    base = next((c for c in candidates if c and os.path.isdir(c)), candidates[1])
    return os.path.normpath(os.path.join(base, *parts))


def tiny_ctr_frame(rows: int = 256, seed: int = 0) -> pd.DataFrame:
    """Small mixed-type table: strings, int ids, counts with NaN, a label."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "site": rng.choice(["a", "b", "c", "d", "e"], rows),
            "app": rng.choice(["x", "y", "z"], rows),
            "hour": rng.integers(0, 24, rows).astype(np.int64),
            "price": rng.lognormal(1.0, 1.0, rows).astype(np.float32),
            "age": rng.normal(40, 10, rows).astype(np.float32),
        }
    )
    frame.loc[::9, "price"] = np.nan
    logit = (frame["site"] == "a") * 1.5 - (frame["app"] == "z") + 0.05 * (frame["hour"] - 12)
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return frame


def tiny_feature_spec(embedding_dim: int = 4):
    from tfrank.features import CategoricalFeature, CrossedFeature, FeatureSpec, NumericFeature

    return FeatureSpec(
        [
            CategoricalFeature("site", embedding_dim=embedding_dim),
            CategoricalFeature("app", embedding_dim=embedding_dim, hash_buckets=7),
            CategoricalFeature("hour", dtype="int64", embedding_dim=embedding_dim),
            NumericFeature("price", log_transform=True, embedding_dim=embedding_dim),
            NumericFeature("age", embedding_dim=embedding_dim),
            CrossedFeature("site_x_hour", ["site", "hour"], hash_buckets=50),
        ]
    )


def tiny_implicit_frame(rows: int = 256, seed: int = 0) -> pd.DataFrame:
    """(user_id, item_id, label) rows of 30 users and 40 items: positives
    from a planted affinity, and as many negatives."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 30, rows).astype(np.int64)
    items = rng.integers(0, 40, rows).astype(np.int64)
    affinity = np.cos(users * 0.7) * np.sin(items * 0.3)
    label = (rng.random(rows) < 1 / (1 + np.exp(-4 * affinity))).astype(np.int64)
    return pd.DataFrame({"user_id": users, "item_id": items, "label": label})


def tiny_implicit_spec(frame: pd.DataFrame | None = None):
    """A fitted user/item spec for `tiny_implicit_frame`."""
    from tfrank.features import CategoricalFeature, FeatureSpec

    spec = FeatureSpec(
        [CategoricalFeature("user_id", dtype="int64"), CategoricalFeature("item_id", dtype="int64")]
    )
    return spec.fit(tiny_implicit_frame() if frame is None else frame)


def conformance_data(model_name: str, ctr_spec, ctr_frame):
    """`(spec, frame, label)` a registered model trains on in the conformance
    test: the CTR table, behaviour samples for models that read histories,
    user/item rows for implicit-feedback models, the same rows with 1..5
    ratings as `label` for rating models, or the CTR table with a second,
    correlated label `label_2` for multi-task models."""
    from tfrank.registry import get_model_class

    model_cls = get_model_class(model_name)
    if model_cls.accepts_sequences:
        return (*tiny_behaviour_data(), "label")
    task = model_cls.task
    if task == "multitask":
        frame = ctr_frame.copy()
        flip = np.random.default_rng(2).random(len(frame)) < 0.3
        frame["label_2"] = np.where(flip, 1 - frame["label"], frame["label"]).astype(np.float32)
        return ctr_spec, frame, ["label", "label_2"]
    if task in ("implicit", "rating"):
        frame = tiny_implicit_frame()
        if task == "rating":
            rng = np.random.default_rng(1)
            frame["label"] = (2 + 2 * frame["label"] + rng.integers(0, 2, len(frame))).astype(
                np.float32
            )
        return tiny_implicit_spec(frame), frame, "label"
    return ctr_spec, ctr_frame, "label"


def tiny_behaviour_data():
    """`(spec, frame)`: a few hundred behaviour samples (histories up to 12
    kept 8 deep, empty ones included), for sequence models' tests."""
    from tfrank.data.synthetic_behaviour import SyntheticBehaviour

    data = SyntheticBehaviour(
        num_users=30, num_items=60, num_categories=5, min_events=1, max_events=12,
        revisit_gap=4, seed=0,
    )  # fmt: skip
    train, _ = data.samples(max_history=12, min_history=0)
    return data.feature_spec(max_length=8, embedding_dim=4).fit(train), train


def small_model_config(model_name: str) -> dict:
    """Constructor arguments that keep a registered model small for tests."""
    from tfrank.registry import get_model_class

    return dict(get_model_class(model_name).small_config)


def serve_in_tensorflow_only(pairs, timeout=600) -> dict:
    """Scores `(saved_model_dir, request_json)` pairs in a fresh process where
    importing keras or tfrank fails; returns `{dir: {output: list}}`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        args = [sys.executable, SERVE_SCRIPT, out]
        for model_dir, request in pairs:
            args += [model_dir, request]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"TensorFlow-only scoring failed:\n{result.stderr[-3000:]}")
        with open(out) as f:
            return json.load(f)


def free_ports(count: int) -> list[int]:
    """`count` TCP ports free on 127.0.0.1 right now (for local clusters)."""
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tfrank_process(args, **kwargs) -> subprocess.Popen:
    """`python -m tfrank ARGS` started in the background (stderr piped)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "tfrank", *args]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def kill_mid_epoch(args, checkpoint_dir, delay, timeout=900) -> int:
    """Starts `tfrank ARGS`, waits until its first checkpoint is written plus
    `delay` seconds (into the next epoch), kills it with SIGKILL and returns
    the epochs its checkpoint holds. Raises if it ended on its own."""
    import signal
    import time

    state = os.path.join(checkpoint_dir, "checkpoint.json")
    process = tfrank_process(args, stdout=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while not os.path.exists(state) and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    if process.returncode != -signal.SIGKILL:
        code = process.returncode
        raise RuntimeError(f"tfrank ended before it was killed ({code}): {err[-2000:]}")
    with open(state) as f:
        return json.load(f)["epoch"]


class FaultAtEpoch(keras.callbacks.Callback):
    """Injects a fault when epoch `epoch` (0-based) starts: `"crash"` raises
    `KeyboardInterrupt` (a killed run, in-process), `"nan"` turns the last
    trainable weight into NaN (a diverging run)."""

    def __init__(self, epoch: int, fault: str):
        super().__init__()
        if fault not in ("crash", "nan"):
            raise ValueError(f"fault must be 'crash' or 'nan'. Received: {fault!r}")
        self.epoch, self.fault = epoch, fault

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != self.epoch:
            return
        if self.fault == "crash":
            raise KeyboardInterrupt(f"crashed at the start of epoch {epoch + 1}")
        variable = self.model.trainable_variables[-1]
        variable.assign(np.full(variable.shape, np.nan, variable.dtype))
