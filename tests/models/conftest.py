"""Every registered model trained a few steps and exported, once per session."""

import pytest

from tests.helpers.data import conformance_data, small_config
from tfrank.models import get_model_class, list_models
from tfrank.testing import fit_and_export
from tfrank.testing.conformance import serve_in_tensorflow_only

MODELS = list_models()


@pytest.fixture(scope="session")
def trained(tiny_spec, tiny_frame, tmp_path_factory):
    """Each model fitted a few steps, saved, reloaded and exported once; the
    exports served, good and malformed requests alike, by one TensorFlow-only
    process."""
    root = tmp_path_factory.mktemp("conformance")
    runs = {}
    for name in MODELS:
        model_cls = get_model_class(name)
        data = conformance_data(model_cls, tiny_spec, tiny_frame)
        runs[name] = fit_and_export(model_cls, small_config(name), data, str(root / name))
    served = serve_in_tensorflow_only(list(runs.values()))
    return runs, served
