"""Layers of the collaborative-filtering models."""

from tfrank.layers.collaborative.autorec_layer import AutoRecLayer

__all__ = ["AutoRecLayer"]
