from tfrank.layers.preprocessing.feature_transform import FeatureTransform

__all__ = ["FeatureTransform"]
