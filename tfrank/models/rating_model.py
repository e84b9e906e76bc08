"""RatingModel: the base of models that predict explicit ratings."""

from __future__ import annotations

import keras
import numpy as np

from tfrank.data.sources import RATING_SOURCES
from tfrank.models.ranking_model import RankingModel


class RatingModel(RankingModel):
    """A `RankingModel` whose output is a rating, not a click probability.

    The rating family: it reads rating tables (`synthetic` planted-factor
    ratings by default, `ml100k:PATH[:FOLD]`, or a user's `csv:` / `parquet:`
    table of `user_id, item_id, rating[, timestamp]`, whose latest tenth by
    time — or a seeded tenth without times — is held out); the exported
    output is named `"rating"`; `compile()` defaults to mean squared error
    with an RMSE metric; training stops early on validation RMSE and reports
    RMSE and MAE. Data-parallel training is `fit` under a mirrored strategy
    (not the multi-worker loop).

    Example:

    >>> from tfrank.models import BiasedMF
    >>> data = BiasedMF.prepare_training("synthetic:1500", batch_size=256)
    >>> model = BiasedMF(data.spec, factors=4)
    >>> model.output_kinds, model.early_stopping(), model.default_label
    ({'rating': 'value'}, ('val_rmse', 'min'), 'rating')
    >>> sorted(model.score(data.example_frame))
    ['mae', 'rmse', 'rows']
    """

    family_name = "rating"
    data_sources = RATING_SOURCES
    default_label = "rating"
    strategies = ("default", "mirrored")
    output_name = "rating"

    @property
    def output_kinds(self) -> dict:
        return {self.output_name: "value"}

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
