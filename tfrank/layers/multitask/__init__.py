"""Layers of multi-task ranking models (MMoE, PLE, AdaTT)."""

from tfrank.layers.multitask.adatt_fusion import AdaTTFusion
from tfrank.layers.multitask.expert_fusion import ExpertFusion
from tfrank.layers.multitask.extraction_level import ExtractionLevel
from tfrank.layers.multitask.mixture_of_experts import MixtureOfExperts

__all__ = ["AdaTTFusion", "ExpertFusion", "ExtractionLevel", "MixtureOfExperts"]
