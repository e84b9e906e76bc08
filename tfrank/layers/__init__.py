"""Layers models are composed from (all use `keras.ops` after string lookup)."""

from tfrank.layers.collaborative import AutoRecLayer
from tfrank.layers.core import (
    EmbeddingBank,
    LinearTerm,
    MLPBlock,
    NumericEmbedding,
    ResidualUnit,
)
from tfrank.layers.interaction import (
    AFMInteraction,
    BiInteractionPooling,
    CrossLayer,
    DotInteraction,
    FMInteraction,
    ProductLayer,
)
from tfrank.layers.multitask import AdaTTFusion, ExpertFusion, ExtractionLevel, MixtureOfExperts
from tfrank.layers.preprocessing import FeatureTransform, IdRange
from tfrank.layers.sequence import (
    AGRUCell,
    AIGRUCell,
    AttentionPooling,
    AUGRUCell,
    AuxiliaryInterestLoss,
    BehaviourSearch,
    BilinearAttention,
    Dice,
    NegativeBehaviourSampler,
    SequencePooling,
)

__all__ = [
    "AdaTTFusion",
    "AFMInteraction",
    "AGRUCell",
    "AIGRUCell",
    "AUGRUCell",
    "AttentionPooling",
    "AuxiliaryInterestLoss",
    "BehaviourSearch",
    "BilinearAttention",
    "AutoRecLayer",
    "BiInteractionPooling",
    "CrossLayer",
    "Dice",
    "DotInteraction",
    "EmbeddingBank",
    "ExpertFusion",
    "ExtractionLevel",
    "FMInteraction",
    "FeatureTransform",
    "IdRange",
    "LinearTerm",
    "MLPBlock",
    "MixtureOfExperts",
    "NegativeBehaviourSampler",
    "NumericEmbedding",
    "ProductLayer",
    "ResidualUnit",
    "SequencePooling",
]
