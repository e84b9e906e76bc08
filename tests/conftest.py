import os

import pytest

# Registered here by name: under CI=true every skip fails (tests/helpers/ci_skips.py).
from tests.helpers.ci_skips import (  # noqa: F401
    pytest_make_collect_report,
    pytest_runtest_makereport,
)
from tests.helpers.data import shared_data_path, tiny_ctr_frame, tiny_feature_spec


@pytest.fixture(scope="session")
def tiny_frame():
    return tiny_ctr_frame()


@pytest.fixture(scope="session")
def tiny_spec(tiny_frame):
    return tiny_feature_spec().fit(tiny_frame)


def _shared(name):
    path = shared_data_path(name)
    if not os.path.isdir(path):
        pytest.skip(f"shared {name} data not found at {path}")
    return path


@pytest.fixture
def criteo_dir():
    return _shared("criteo")


@pytest.fixture
def avazu_dir():
    return _shared("avazu")


@pytest.fixture
def frappe_dir():
    return _shared("frappe")


@pytest.fixture
def ncf_dir():
    return _shared("ncf_ml1m")


@pytest.fixture
def movielens_100k_dir():
    return _shared("movielens_100k")


@pytest.fixture
def movielens_1m_dir():
    return _shared("movielens_1m")


@pytest.fixture
def amazon_dir():
    return _shared("amazon_s3rec")


@pytest.fixture
def taobao_dir():
    return _shared("taobao_user_behavior")


@pytest.fixture
def census_dir():
    return _shared("census_income_kdd")


@pytest.fixture
def ali_ccp_dir():
    return _shared("ali_ccp_sample")
