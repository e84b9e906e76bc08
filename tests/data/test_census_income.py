"""Census-income loader: the MMoE paper's two tasks from the raw KDD file."""

import gzip
import os

import numpy as np
import pytest

from tfrank.data.census_income import (
    CATEGORICAL,
    NUMERIC,
    TASKS,
    census_income_feature_spec,
    load_census_income,
)
from tfrank.models import MMoE

LINE = (
    "{age}, Private, 6, 36, Bachelors degree(BA AB BS), 0, Not in universe, {marital}, "
    "Manufacturing-durable goods, Machine operators assmblrs & inspctrs, White, All other, "
    "Female, Not in universe, Not in universe, Full-time schedules, 0, 0, 120, "
    "Joint both under 65, Not in universe, Not in universe, Spouse of householder, "
    "Spouse of householder, 1032.38, ?, ?, ?, Not in universe under 1 year old, ?, 4, "
    "Not in universe, Mexico, Mexico, Mexico, Native- Born in the United States, 0, "
    "Not in universe, 2, 52, 95, {income}.\n"
)


def _write(tmp_path, lines, name="census-income.test.gz"):
    path = str(tmp_path / name)
    with gzip.open(path, "wt") as f:
        f.writelines(lines)
    return path


def test_two_tasks_typed_features_and_no_label_leaks(tmp_path):
    path = _write(tmp_path, [
        LINE.format(age=38, marital="Never married", income="- 50000"),
        LINE.format(age=61, marital="Married-civilian spouse present", income="50000+"),
    ])  # fmt: skip
    frame = load_census_income(path)
    assert frame["income"].tolist() == [0.0, 1.0]
    assert frame["never_married"].tolist() == [1.0, 0.0]
    assert (
        frame["age"].tolist() == [38.0, 61.0] and frame["dividends_from_stocks"].dtype == np.float32
    )
    assert frame["migration_code_change_in_msa"].tolist() == ["?", "?"]
    assert frame["education"][0] == "Bachelors degree(BA AB BS)"
    assert set(frame.columns) == set(TASKS + NUMERIC + CATEGORICAL)
    assert not {"marital_stat", "income_class", "instance_weight"} & set(frame.columns)
    spec = census_income_feature_spec()
    assert [f.name for f in spec.numeric] == NUMERIC and len(spec.categorical) == 32
    source = MMoE.load_data(f"census:{path}")
    assert source.label == TASKS and len(source.frame) == 2


def test_malformed_files_name_the_line(tmp_path):
    bad_income = LINE.format(age=40, marital="Divorced", income="lots")
    with pytest.raises(ValueError, match="line 2: income class 'lots'"):
        load_census_income(_write(tmp_path, [LINE.format(age=1, marital="x", income="50000+"),
                                             bad_income]))  # fmt: skip
    with pytest.raises(ValueError, match="line 1: age = 'old' is not a number"):
        load_census_income(_write(tmp_path, [LINE.format(age="old", marital="x", income="50000+")]))
    with pytest.raises(ValueError, match="expected 42 comma-separated fields"):
        load_census_income(_write(tmp_path, ["1, 2, 3\n"]))


def test_the_shared_test_split_has_the_documented_label_counts(census_dir):
    frame = load_census_income(os.path.join(census_dir, "census-income.test.gz"))
    assert len(frame) == 99_762
    assert int(frame["income"].sum()) == 6_186 and int(frame["never_married"].sum()) == 43_143
