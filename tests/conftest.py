import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from tfrank.testing.helpers import shared_data_path, tiny_ctr_frame, tiny_feature_spec  # noqa: E402


@pytest.fixture(scope="session")
def tiny_frame():
    return tiny_ctr_frame()


@pytest.fixture(scope="session")
def tiny_spec(tiny_frame):
    return tiny_feature_spec().fit(tiny_frame)


@pytest.fixture
def criteo_dir():
    path = shared_data_path("criteo")
    if not os.path.isdir(path):
        pytest.skip(f"shared Criteo sample not found at {path}")
    return path


@pytest.fixture
def avazu_dir():
    path = shared_data_path("avazu")
    if not os.path.isdir(path):
        pytest.skip(f"shared Avazu sample not found at {path}")
    return path
