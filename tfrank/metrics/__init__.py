"""Evaluation metrics of CTR ranking."""

from tfrank.metrics.classification import auc, gauc, logloss, rela_impr

__all__ = ["auc", "gauc", "logloss", "rela_impr"]
