"""What a training run leaves in its output directory."""

from __future__ import annotations

import json
import os
import shutil

from tfrank.export.serving_export import export_for_serving

EXAMPLE_ROWS = 8


def write_outputs(model, spec, output, example_frame, metrics, checkpoint_dir=None) -> dict:
    """Saves `model.keras` (atomically), `feature_spec.json`, `example_features.json` (the
    first rows of `example_frame`), a new `serving/<version>/` and
    `metrics.json` (with the export path added), then deletes the training
    checkpoint in `checkpoint_dir`, if any: the run is complete. Returns the
    metrics."""
    os.makedirs(output, exist_ok=True)
    # Written aside, then renamed over the old file: a kill never leaves a torn model.keras.
    partial = os.path.join(output, f".model-{os.getpid()}.keras")
    model.save(partial)
    os.replace(partial, os.path.join(output, "model.keras"))
    spec.save(os.path.join(output, "feature_spec.json"))
    # Whole-column conversion: float ids become text by the column's rule.
    example = {k: v[:EXAMPLE_ROWS] for k, v in spec.frame_to_arrays(example_frame).items()}
    with open(os.path.join(output, "example_features.json"), "w") as f:
        json.dump({k: v.tolist() for k, v in example.items()}, f)
    metrics["export"] = export_for_serving(model, os.path.join(output, "serving"), example)
    with open(os.path.join(output, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    if checkpoint_dir:
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return metrics
