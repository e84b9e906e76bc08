"""TensorFlow's distribution strategies, by the names training takes."""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import tensorflow as tf

from tfrank.training.run_config import STRATEGIES


def make_strategy(name: str):
    """The `tf.distribute.Strategy` for `name`, or None for `"default"`."""
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}. Received: {name!r}")
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        # Reads TF_CONFIG; without it this is a single worker.
        return tf.distribute.MultiWorkerMirroredStrategy()
    return None


def strategy_scope(strategy):
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def is_chief(strategy) -> bool:
    """Whether this process writes the outputs (worker 0, or no cluster)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker"
        and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict()
    )


def predict_locally(model, dataset):
    """The model's outputs over a dataset, computed by this process alone
    (`predict` under a multi-worker strategy would involve every worker)."""
    outputs = [model(x, training=False) for x in dataset]
    if isinstance(outputs[0], dict):
        return {k: np.concatenate([keras.ops.convert_to_numpy(o[k]) for o in outputs])
                for k in outputs[0]}  # fmt: skip
    return np.concatenate([keras.ops.convert_to_numpy(o) for o in outputs])
