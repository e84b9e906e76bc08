"""Exports for TF Serving."""

from tfrank.export.serving_export import example_request, export_for_serving, next_version

__all__ = ["example_request", "export_for_serving", "next_version"]
