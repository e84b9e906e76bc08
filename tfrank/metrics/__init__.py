"""Evaluation metrics: CTR classification and top-K ranking."""

from tfrank.metrics.classification import auc, gauc, logloss, rela_impr
from tfrank.metrics.ranking import hit_rate, leave_one_out_metrics, ndcg, positive_ranks

__all__ = [
    "auc",
    "gauc",
    "hit_rate",
    "leave_one_out_metrics",
    "logloss",
    "ndcg",
    "positive_ranks",
    "rela_impr",
]
