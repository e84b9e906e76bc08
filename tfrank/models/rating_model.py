"""RatingModel: the base of models that predict explicit ratings."""

from __future__ import annotations

import keras
import numpy as np

from tfrank.models.ranking_model import RankingModel


class RatingModel(RankingModel):
    """A `RankingModel` whose output is a rating, not a click probability.

    Differences from the base: the exported output is named `"rating"`;
    `compile()` defaults to mean squared error with an RMSE metric;
    `tfrank train` stops early on validation RMSE and reports RMSE and MAE.
    """

    task = "rating"
    synthetic_data = "ratings"
    output_name = "rating"

    def early_stopping(self) -> tuple[str, str]:
        return "val_rmse", "min"

    def compile(self, optimizer=None, loss=None, metrics=None, **kwargs):
        """The model's optimizer (Adam 1e-3), mean squared error and RMSE unless given."""
        super().compile(
            optimizer=optimizer,
            loss=loss if loss is not None else "mean_squared_error",
            metrics=metrics
            if metrics is not None
            else [keras.metrics.RootMeanSquaredError(name="rmse")],
            **kwargs,
        )


def collect_batches(dataset) -> tuple[dict, np.ndarray]:
    """`(features, labels)` of a whole `(features, label)` dataset as NumPy arrays."""
    features, labels = {}, []
    for batch, label in dataset:
        for name, value in batch.items():
            features.setdefault(name, []).append(value.numpy())
        labels.append(label.numpy())
    return {k: np.concatenate(v) for k, v in features.items()}, np.concatenate(labels)
