"""The errors tfrank raises for situations a caller may want to tell apart.

Each carries the facts of the case as attributes, so that a front end (the
`tfrank` command) can add advice in its own terms (its flags) without the
library knowing about it. Bad data and bad arguments stay `ValueError`s;
these subclass it where that holds, so `except ValueError` still catches them.
"""

from __future__ import annotations


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite.

    Attributes:
        loss: the non-finite loss.
        epoch: 0-based epoch, `step`: 0-based step within it.
        learning_rate: the optimizer's rate when it happened.
        checkpoint_dir: where the last completed epoch is saved, or None.
    """

    def __init__(self, loss, step, epoch, optimizer_step, learning_rate, checkpoint_dir=None):
        self.loss, self.step, self.epoch = float(loss), int(step), int(epoch)
        self.learning_rate, self.checkpoint_dir = float(learning_rate), checkpoint_dir
        kept = (
            f"the last completed epoch is saved in {checkpoint_dir!r} (training again with the "
            "same settings resumes from it)"
            if checkpoint_dir
            else "no checkpoint was kept (no checkpoint directory)"
        )
        super().__init__(
            f"the training loss became {loss} at step {step + 1} of epoch {epoch + 1} "
            f"(optimizer step {optimizer_step}). Usual causes: a learning rate too high (now "
            f"{learning_rate:g}; try {learning_rate / 10:g}), numeric features with extreme "
            "values (log_transform=True for counts), labels outside [0, 1] for a click model, "
            f"or too little L2 on large embeddings. Training stopped; {kept}; no model file or "
            "export was written."
        )


class CheckpointMismatch(ValueError):
    """A training checkpoint was written by a run with other settings.

    Attributes:
        directory: the checkpoint directory.
        changed: names of the settings that differ.
    """

    def __init__(self, directory: str, changed: list[str]):
        self.directory, self.changed = directory, list(changed)
        super().__init__(
            f"The checkpoint in {directory!r} is from another run (different "
            f"{', '.join(changed)}); delete it or train into another checkpoint directory."
        )


class MissingFeatureSpec(ValueError):
    """Data without default features was given no feature spec."""

    def __init__(self, data: str):
        self.data = data
        super().__init__(
            f"The data {data!r} has no default features: give a feature spec (a FeatureSpec, "
            "or the path of a JSON/YAML spec file)."
        )


class StrategyNotSupported(ValueError):
    """A model family cannot train under the requested distribution strategy."""

    def __init__(self, model: str, strategy: str, supported):
        self.model, self.strategy, self.supported = model, strategy, tuple(supported)
        super().__init__(
            f"{model} trains with the strategies {list(self.supported)}, not {strategy!r}."
        )


class BadRow(ValueError):
    """A malformed row or value in a data file, named by file and line."""

    def __init__(self, message: str):
        super().__init__(
            f"{message}; fix the file, or skip and count such rows (skip_bad_rows=True)."
        )


class NeedsPreparedData(ValueError):
    """Multi-worker training was given files to stream instead of prepared data."""

    def __init__(self, data: str):
        self.data = data
        super().__init__(
            f"Multi-worker training streams prepared data only: prepare {data!r} once "
            "(tfrank.data.streaming.prepare_files) on storage every worker reads, then train "
            "on 'prepared:DIR'; each worker reads only its own shards of it."
        )
