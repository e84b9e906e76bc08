from tfrank.layers.preprocessing.feature_transform import FeatureTransform
from tfrank.layers.preprocessing.id_range import IdRange

__all__ = ["FeatureTransform", "IdRange"]
