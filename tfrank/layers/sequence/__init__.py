"""Layers over behaviour sequences (DIN, DIEN, SIM)."""

from tfrank.layers.sequence.agru_cell import AGRUCell
from tfrank.layers.sequence.aigru_cell import AIGRUCell
from tfrank.layers.sequence.attention_pooling import AttentionPooling
from tfrank.layers.sequence.augru_cell import AUGRUCell
from tfrank.layers.sequence.auxiliary_interest_loss import AuxiliaryInterestLoss
from tfrank.layers.sequence.behaviour_search import BehaviourSearch
from tfrank.layers.sequence.bilinear_attention import BilinearAttention
from tfrank.layers.sequence.dice import Dice
from tfrank.layers.sequence.negative_behaviour_sampler import NegativeBehaviourSampler
from tfrank.layers.sequence.sequence_pooling import SequencePooling

__all__ = [
    "AGRUCell",
    "AIGRUCell",
    "AUGRUCell",
    "AttentionPooling",
    "AuxiliaryInterestLoss",
    "BehaviourSearch",
    "BilinearAttention",
    "Dice",
    "NegativeBehaviourSampler",
    "SequencePooling",
]
