"""Exports for TF Serving, and scoring them with TensorFlow alone."""

from tfrank.export.serving_export import example_request, export_for_serving, next_version
from tfrank.export.tensorflow_only import TensorFlowOnlyServer, score_in_tensorflow_only

__all__ = [
    "TensorFlowOnlyServer",
    "example_request",
    "export_for_serving",
    "next_version",
    "score_in_tensorflow_only",
]
