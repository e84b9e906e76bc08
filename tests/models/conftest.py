"""Every registered model trained a few steps and exported, once per session."""

import os

import keras
import pytest

from tfrank.data import make_dataset
from tfrank.export import export_for_serving
from tfrank.registry import get_model_class, list_models
from tfrank.testing.helpers import (
    conformance_data,
    serve_in_tensorflow_only,
    small_model_config,
)

MODELS = list_models()


@pytest.fixture(scope="session")
def trained(tiny_spec, tiny_frame, tmp_path_factory):
    """Each model fitted a few steps, saved, reloaded and exported once."""
    root = tmp_path_factory.mktemp("conformance")
    results = {}
    for name in MODELS:
        spec, frame, label = conformance_data(name, tiny_spec, tiny_frame)
        dataset = make_dataset(frame, spec, label, batch_size=64, shuffle=True)
        example = {k: v[:8] for k, v in spec.frame_to_arrays(frame).items()}
        keras.utils.set_random_seed(1)
        # The constructor `tfrank train` uses (AutoRec stores its ratings there).
        model = get_model_class(name).for_training(spec, small_model_config(name), dataset)
        model.compile()
        before = [v.numpy().copy() for v in model.trainable_variables]
        history = model.fit(dataset, epochs=2, verbose=0, shuffle=False)
        path = str(root / f"{name}.keras")
        model.save(path)
        version = export_for_serving(model, str(root / name), example)
        results[name] = {
            "spec": spec,
            "frame": frame,
            "example": example,
            "model": model,
            "before": before,
            "history": history.history,
            "reloaded": keras.models.load_model(path, safe_mode=True),
            "version": version,
        }
    pairs = [
        (r["version"], os.path.join(r["version"], "assets.extra", "example_request.json"))
        for r in results.values()
    ]
    served = serve_in_tensorflow_only(pairs)
    return results, served
