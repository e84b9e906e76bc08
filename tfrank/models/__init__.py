"""Every tfrank model, registered for Keras loading and by name (`list_models()`)."""

from tfrank.models.adatt import AdaTT
from tfrank.models.afm import AFM
from tfrank.models.autorec import AutoRec
from tfrank.models.behaviour_model import BehaviourModel
from tfrank.models.biased_mf import BiasedMF

# After the model imports above: the table they fill is complete.
from tfrank.models.catalogue import get_model_class, list_models, model_table  # noqa: E402
from tfrank.models.dcn import DCN
from tfrank.models.dcn_v2 import DCNv2
from tfrank.models.deep_crossing import DeepCrossing
from tfrank.models.deepfm import DeepFM
from tfrank.models.dien import DIEN
from tfrank.models.din import DIN
from tfrank.models.dlrm import DLRM
from tfrank.models.fm import FM
from tfrank.models.fnn import FNN
from tfrank.models.gmf import GMF
from tfrank.models.implicit_model import ImplicitModel
from tfrank.models.logistic_regression import LogisticRegression
from tfrank.models.mmoe import MMoE
from tfrank.models.multi_task_model import MultiTaskModel
from tfrank.models.ncf_mlp import NCFMLP
from tfrank.models.neumf import NeuMF
from tfrank.models.nfm import NFM
from tfrank.models.ple import PLE
from tfrank.models.pnn import PNN
from tfrank.models.ranking_model import RankingModel
from tfrank.models.rating_model import RatingModel
from tfrank.models.seq_base import SeqBase
from tfrank.models.shared_bottom import SharedBottom
from tfrank.models.sim import SIM
from tfrank.models.wide_and_deep import WideAndDeep

__all__ = [
    "AFM",
    "AdaTT",
    "AutoRec",
    "BehaviourModel",
    "BiasedMF",
    "DCN",
    "DCNv2",
    "DIEN",
    "DIN",
    "DLRM",
    "DeepCrossing",
    "DeepFM",
    "FM",
    "FNN",
    "GMF",
    "ImplicitModel",
    "LogisticRegression",
    "MMoE",
    "MultiTaskModel",
    "NCFMLP",
    "NeuMF",
    "NFM",
    "PLE",
    "PNN",
    "RankingModel",
    "RatingModel",
    "SIM",
    "SeqBase",
    "SharedBottom",
    "WideAndDeep",
    "get_model_class",
    "list_models",
    "model_table",
]
