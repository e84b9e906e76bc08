from tfrank.layers.interaction.afm_interaction import AFMInteraction
from tfrank.layers.interaction.bi_interaction_pooling import BiInteractionPooling
from tfrank.layers.interaction.cross_layer import CrossLayer
from tfrank.layers.interaction.dot_interaction import DotInteraction
from tfrank.layers.interaction.field_pairs import field_pairs
from tfrank.layers.interaction.fm_interaction import FMInteraction
from tfrank.layers.interaction.product_layer import ProductLayer

__all__ = [
    "AFMInteraction",
    "BiInteractionPooling",
    "CrossLayer",
    "DotInteraction",
    "FMInteraction",
    "ProductLayer",
    "field_pairs",
]
