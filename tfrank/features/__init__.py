"""Feature declarations and their fitting on training data."""

from tfrank.features.categorical_feature import CategoricalFeature
from tfrank.features.crossed_feature import CrossedFeature
from tfrank.features.feature_spec import FeatureSpec
from tfrank.features.numeric_feature import NumericFeature
from tfrank.features.sequence_feature import SequenceFeature

__all__ = [
    "CategoricalFeature",
    "CrossedFeature",
    "FeatureSpec",
    "NumericFeature",
    "SequenceFeature",
]
