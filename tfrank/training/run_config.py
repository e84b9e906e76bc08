"""RunConfig: one training run's settings."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

STRATEGIES = ("default", "mirrored", "multi_worker")
# The settings that change what training computes: a checkpoint written
# with other values of these is refused.
IDENTITY = ("model", "data", "validation_data", "features", "model_config", "seed",
            "batch_size", "learning_rate", "num_negatives", "streaming",
            "skip_bad_rows")  # fmt: skip


@dataclasses.dataclass
class RunConfig:
    """The settings of one training run.

    `tfrank train` parses its flags into one; a `TrainingCheckpoint` records
    it (and refuses to resume a run whose `identity()` differs); and
    `metrics.json` starts with it.

    Attributes:
        model: registered model name (`tfrank.models.list_models()`).
        data: data spec (`"synthetic"`, `"criteo:PATH"`, `"csv:PATH"`, ...;
            which ones a model takes is up to its family) or loaded data (a
            `DataSource`, or an `ImplicitFeedback` for implicit models).
        validation_data: data spec or loaded data to validate on; `None`
            holds out part of `data` (as its family does).
        features: a `FeatureSpec`, the path of a JSON/YAML spec, or `None`
            for the data's default features.
        model_config: constructor arguments of the model.
        epochs: int. Most epochs to train.
        batch_size: int. The global batch.
        seed: int. Data split, data order, initialization.
        patience: int or None. Stop after this many epochs without a better
            early-stopping metric and keep the best epoch; None trains all.
        learning_rate: float or None. Replaces the rate of the model's
            default optimizer (Wide & Deep: its deep part's).
        num_negatives: int. Implicit-feedback models: sampled negatives per
            positive, per epoch.
        strategy: `"default"`, `"mirrored"` (this host's GPUs) or
            `"multi_worker"` (one process per host, `TF_CONFIG`).
        output: str or None. Output directory (default `saved_models/MODEL`).
        checkpoint: bool. Save the state after every epoch and resume from it.
        checkpoint_dir: str or None. Default `OUTPUT/checkpoint`; with
            `multi_worker` there is a checkpoint only where this names a
            directory every worker reads.
        checkpoint_every: int or None. Also save every this many steps, so
            a kill loses at most that many; a restart resumes at that step
            of the epoch, reading on from the same row.
        streaming: `"auto"` (stream files over 256 MB, read smaller ones
            into memory), `"always"` or `"never"`; see
            `tfrank.data.streaming.StreamSettings`.
        cache_dir: str or None. Where streamed files are prepared (encoded
            once) and reused; default `~/.cache/tfrank/prepared`.
        skip_bad_rows: bool. Skip and count malformed rows of streamed
            files (reported in `metrics.json`) instead of failing.
        tensorboard: bool or str. TensorBoard logs: `True` writes them to
            `OUTPUT/tensorboard`, a string to that directory.
        verbose: `"auto"`, 0, 1 or 2 (Keras' progress output).

    Example:

    >>> run = RunConfig("deepfm", data="synthetic:3000", epochs=2)
    >>> run.output_dir, run.identity()["data"]
    ('saved_models/deepfm', 'synthetic:3000')
    """

    model: str
    data: Any = "synthetic"
    validation_data: Any = None
    features: Any = None
    model_config: dict = dataclasses.field(default_factory=dict)
    epochs: int = 3
    batch_size: int = 1024
    seed: int = 0
    patience: int | None = 1
    learning_rate: float | None = None
    num_negatives: int = 4
    strategy: str = "default"
    output: str | None = None
    checkpoint: bool = True
    checkpoint_dir: str | None = None
    checkpoint_every: int | None = None
    streaming: str = "auto"
    cache_dir: str | None = None
    skip_bad_rows: bool = False
    tensorboard: bool | str = True
    verbose: int | str = "auto"

    def __post_init__(self):
        self.model_config = dict(self.model_config or {})
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}. Received: {self.strategy!r}")
        for name in ("epochs", "batch_size", "num_negatives"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1. Received: {getattr(self, name)}")
        if self.checkpoint_every is not None and self.checkpoint_every < 1:
            raise ValueError(
                f"checkpoint_every must be at least 1 (or None). Received: {self.checkpoint_every}"
            )
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be at least 1 (or None). Received: {self.patience}")

    @property
    def output_dir(self) -> str:
        return self.output or os.path.join("saved_models", self.model)

    @property
    def checkpoint_path(self) -> str | None:
        """The checkpoint directory in use, or None."""
        if not self.checkpoint:
            return None
        if self.checkpoint_dir or self.strategy == "multi_worker":
            # Workers must share the checkpoint, so there is one only if named.
            return self.checkpoint_dir
        return os.path.join(self.output_dir, "checkpoint")

    @property
    def tensorboard_dir(self) -> str | None:
        if self.tensorboard is True:
            return os.path.join(self.output_dir, "tensorboard")
        return self.tensorboard or None

    def stream_settings(self):
        """The `StreamSettings` of this run."""
        from tfrank.data.streaming.streaming_training import StreamSettings

        verbose = 0 if self.verbose == 0 else 1
        return StreamSettings(self.streaming, self.cache_dir, self.skip_bad_rows, verbose=verbose)

    def to_dict(self) -> dict:
        """JSON-ready settings (loaded data and spec objects by their names)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def identity(self) -> dict:
        """The settings that change what training computes."""
        settings = self.to_dict()
        return {name: settings[name] for name in IDENTITY}


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "to_config"):  # a FeatureSpec
        return value.to_config()
    return getattr(value, "name", None) or type(value).__name__
