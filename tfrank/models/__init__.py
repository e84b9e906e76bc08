"""Registered models (see `tfrank.registry.list_models()`)."""

from tfrank.models.deepfm import DeepFM
from tfrank.models.fm import FM
from tfrank.models.logistic_regression import LogisticRegression
from tfrank.models.ranking_model import RankingModel
from tfrank.models.wide_and_deep import WideAndDeep

__all__ = ["DeepFM", "FM", "LogisticRegression", "RankingModel", "WideAndDeep"]
