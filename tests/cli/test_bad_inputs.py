"""Every bad input of the catalogue gets the documented outcome and a message
naming the feature or file."""

import os

import pytest

from tests.cli.bad_inputs import bad_input_cases

EXPECTED = {
    "predict without 'price'": ("error", ["Missing feature(s) ['price']", "float32"]),
    "an extra 'colour'": ("error", ["Unexpected feature(s) ['colour']"]),
    "'hour' as float64": ("error", ["Feature 'hour' must be int64; received float64"]),
    "'site' as int64": ("error", ["Feature 'site' must be string"]),
    "price = NaN (Python API)": ("scores", ["equal to the score at the training mean"]),
    "price = inf in a frame": ("error", ["Feature 'price' has inf at row 1"]),
    "age = 'forty'": ("error", ["Feature 'age'", "'forty' at row 2"]),
    "hour = 1.5 in a frame": ("error", ["'hour' expects int64 ids; found 1.5 at row 2"]),
    "hour = NaN in a frame (int64)": ("error", ["'hour' (int64) has a missing value at row 2"]),
    "site = ''": ("scores", ["equal to an unseen value's score"]),
    "ad_id = 1000 in a frame (num_ids=1000)": ("error", ["'ad_id' has id 1000 at row 1"]),
    "hour = -5 (int64 vocabulary)": ("scores", ["equal to an unseen id's score"]),
    "history of 0 steps ([2, 0] tensor)": ("scores", ["scores ["]),
    "16 steps, max_length 8": ("scores", ["equal to the score of its latest 8 steps"]),
    "history_items = '1 2 3'": ("error", ["'history_items'", "row 0"]),
    "history_items = [3, -1, 4]": ("error", ["'history_items' row 0", "padding value -1"]),
    "a 0-byte CSV": ("error", ["empty.csv: the file is empty"]),
    "a CSV without rows": ("error", ["header.csv: no data rows"]),
    "a CSV without 'price' and 'age'": ("error", ["columns.csv", "['price', 'age']"]),
    "a row with extra fields": ("error", ["ragged.csv", "line 3"]),
    "a CSV without 'label'": ("error", ["unlabelled.csv", "no label column(s) ['label']"]),
    "--config with !!python/object/apply": ("error", ["evil.yaml: not plain YAML data"]),
    "--features with !!python/object/apply": ("error", ["evil_spec.yaml: not plain YAML"]),
    "--config with a syntax error": ("error", ["bad.json: invalid JSON", "line 1"]),
    "tfrank export of such a model": ("error", ["Lambda", "safe_mode"]),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bad_inputs")
    return str(workdir), bad_input_cases(str(workdir))


def test_every_case_is_covered(cases):
    assert sorted(c["input"] for c in cases[1]) == sorted(EXPECTED)


@pytest.mark.parametrize("given", sorted(EXPECTED))
def test_bad_input_outcome_and_message(cases, given):
    (case,) = [c for c in cases[1] if c["input"] == given]
    outcome, parts = EXPECTED[given]
    assert case["outcome"] == outcome, case["message"]
    for part in parts:
        assert part in case["message"]
    assert "Traceback" not in case["message"] and "\n" not in case["message"]


def test_yaml_tags_never_run_code(cases):
    assert not os.path.exists(os.path.join(cases[0], "PWNED"))
