"""Layers models are composed from (all use `keras.ops`)."""

from tfrank.layers.core import EmbeddingBank, LinearTerm, MLPBlock, NumericEmbedding
from tfrank.layers.interaction import FMInteraction
from tfrank.layers.preprocessing import FeatureTransform

__all__ = [
    "EmbeddingBank",
    "FMInteraction",
    "FeatureTransform",
    "LinearTerm",
    "MLPBlock",
    "NumericEmbedding",
]
