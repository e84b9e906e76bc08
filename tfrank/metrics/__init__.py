"""Evaluation: CTR and rating metrics, top-K ranking, scoring a model on data.

The NumPy metrics (`auc`, `gauc`, `logloss`, `rela_impr`, `hit_rate`,
`ndcg`, ...) take labels and scores; `score_frame` and `rank_metrics` score
a model on a labelled table or on held-out items.
"""

from tfrank.metrics.classification import auc, gauc, logloss, rela_impr
from tfrank.metrics.leave_one_out import rank_metrics
from tfrank.metrics.leave_one_out_validation import LeaveOneOutValidation
from tfrank.metrics.ranking import hit_rate, leave_one_out_metrics, ndcg, positive_ranks
from tfrank.metrics.scoring import score_dataset, score_frame, score_predictions

__all__ = [
    "LeaveOneOutValidation",
    "auc",
    "gauc",
    "hit_rate",
    "leave_one_out_metrics",
    "logloss",
    "ndcg",
    "positive_ranks",
    "rank_metrics",
    "rela_impr",
    "score_dataset",
    "score_frame",
    "score_predictions",
]
