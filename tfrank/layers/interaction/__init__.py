from tfrank.layers.interaction.fm_interaction import FMInteraction

__all__ = ["FMInteraction"]
