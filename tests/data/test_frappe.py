import os

import numpy as np
import pytest

from tfrank.data import load_frappe, train_validation_test_split
from tfrank.data.frappe import FIELDS


def test_merges_both_public_files(frappe_dir):
    frame = load_frappe(frappe_dir)
    assert frame.shape == (57_722 + 28_860, 11)
    assert list(frame.columns) == ["label"] + FIELDS
    test = load_frappe(os.path.join(frappe_dir, "frappe.test.libfm"))
    assert (test["label"] == 1).sum() == 9_536 and (test["label"] == 0).sum() == 19_324
    # First test row: "-1 204:1 4798:1 5041:1 ... 5183:1"
    assert test.iloc[0][["label", "user", "item", "city"]].tolist() == [0, 204, 4798, 5183]
    # Each field owns a disjoint id range.
    ranges = [(frame[f].min(), frame[f].max()) for f in FIELDS]
    assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:]))


def test_malformed_rows_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.libfm"
    bad.write_text("1 " + " ".join(f"{i}:1" for i in range(10)) + "\n2 " + "0:1 " * 9 + "0:1\n")
    with pytest.raises(ValueError, match="bad.libfm, line 2: label '2'"):
        load_frappe(str(bad))
    short = tmp_path / "short.libfm"
    short.write_text("1 3:1 4:1\n")
    with pytest.raises(ValueError, match="10 features per row, found 2"):
        load_frappe(str(short))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="No frappe"):
        load_frappe(str(empty))


def test_three_way_split(tiny_frame):
    train, valid, test = train_validation_test_split(tiny_frame, (0.8, 0.1, 0.1), seed=3)
    assert (len(train), len(valid), len(test)) == (205, 26, 25)
    ages = [set(p["age"]) for p in (train, valid, test)]
    assert all(a.isdisjoint(b) for i, a in enumerate(ages) for b in ages[i + 1 :])
    again = train_validation_test_split(tiny_frame, (0.8, 0.1, 0.1), seed=3)
    np.testing.assert_array_equal(again[2]["age"], test["age"])
    with pytest.raises(ValueError, match="summing to 1"):
        train_validation_test_split(tiny_frame, (0.8, 0.3, 0.1))
