"""What the command line adds to a library error: the flags that fix it."""

from __future__ import annotations

from tfrank.errors import (
    BadRow,
    CheckpointMismatch,
    MissingFeatureSpec,
    NeedsPreparedData,
    StrategyNotSupported,
    TrainingDiverged,
)


def advice(error: Exception) -> str:
    """A hint in terms of `tfrank` flags for `error`, or `""`."""
    if isinstance(error, TrainingDiverged):
        return f"With the command line: --learning-rate {error.learning_rate / 10:g}."
    if isinstance(error, CheckpointMismatch):
        return (
            "With the command line: --checkpoint-dir DIR trains into another directory, "
            "--no-checkpoint trains without one."
        )
    if isinstance(error, MissingFeatureSpec):
        return "With the command line: --features FILE (JSON or YAML)."
    if isinstance(error, NeedsPreparedData):
        return (
            f"With the command line: tfrank prepare --data {error.data} --output DIR, "
            "then --data prepared:DIR."
        )
    if isinstance(error, BadRow):
        return "With the command line: --skip-bad-rows."
    if isinstance(error, StrategyNotSupported):
        return f"With the command line: drop --strategy {error.strategy}."
    return ""
