"""Registered models (see `tfrank.registry.list_models()`)."""

from tfrank.models.afm import AFM
from tfrank.models.dcn import DCN
from tfrank.models.dcn_v2 import DCNv2
from tfrank.models.deep_crossing import DeepCrossing
from tfrank.models.deepfm import DeepFM
from tfrank.models.dlrm import DLRM
from tfrank.models.fm import FM
from tfrank.models.fnn import FNN
from tfrank.models.logistic_regression import LogisticRegression
from tfrank.models.nfm import NFM
from tfrank.models.pnn import PNN
from tfrank.models.ranking_model import RankingModel
from tfrank.models.wide_and_deep import WideAndDeep

__all__ = [
    "AFM",
    "DCN",
    "DCNv2",
    "DLRM",
    "DeepCrossing",
    "DeepFM",
    "FM",
    "FNN",
    "LogisticRegression",
    "NFM",
    "PNN",
    "RankingModel",
    "WideAndDeep",
]
