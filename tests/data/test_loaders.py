import os

import numpy as np
import pytest

from tfrank.data import (
    avazu_feature_spec,
    criteo_feature_spec,
    load_avazu,
    load_criteo,
    make_dataset,
    read_table,
    train_validation_split,
)


def test_criteo_tsv_sample(criteo_dir):
    frame = load_criteo(os.path.join(criteo_dir, "wideresdnn_train.tsv"))
    assert frame.shape == (7200, 40)
    assert frame["label"].sum() == 1549
    assert frame["I1"].dtype == np.float32 and frame["I1"].isna().any()
    assert (frame["C19"] == "").any() and not frame["C19"].isna().any()
    spec = criteo_feature_spec().fit(frame)
    first = next(iter(make_dataset(frame, spec, batch_size=32)))
    assert first[0]["C1"].dtype.name == "string" and first[1].shape == (32,)


def test_criteo_csv_with_header_and_first_kaggle_line(criteo_dir):
    csv = load_criteo(os.path.join(criteo_dir, "deepctr_criteo_sample.csv"))
    assert csv.shape == (200, 40)
    with pytest.warns(UserWarning, match="rows have fewer than 40 fields"):
        load_criteo(os.path.join(criteo_dir, "pytorchfm_head999.tsv"))
    head = load_criteo(os.path.join(criteo_dir, "pytorchfm_head999.tsv"), nrows=1)
    assert head.iloc[0][["I1", "I2", "I5"]].tolist() == [1.0, 1.0, 1382.0]
    assert head.iloc[0]["C1"] == "68fd1e64"


def test_avazu_sample(avazu_dir):
    frame = load_avazu(os.path.join(avazu_dir, "wideresdnn_train.csv"))
    assert frame.shape == (8087, 24)
    assert frame["label"].sum() == 1397
    assert set(frame["hour_of_day"]) == {"0"} and set(frame["weekday"]) == {"1"}  # 2014-10-21
    spec = avazu_feature_spec().fit(frame)
    assert set(spec.input_names) == set(frame.columns) - {"label"}
    headerless = load_avazu(os.path.join(avazu_dir, "wideresdnn_test.csv"))
    assert headerless.shape == (432, 24) and list(headerless.columns) == list(frame.columns)
    assert headerless["site_id"].iloc[0] == "1fbe01fe" and headerless["C20"].iloc[0] == "-1"


def test_loader_errors_name_the_file(tmp_path, criteo_dir):
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.tsv: the file is empty"):
        load_criteo(str(empty))
    with pytest.raises(FileNotFoundError, match="nothing.tsv"):
        load_criteo(str(tmp_path / "nothing.tsv"))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,b\n1,2\n")
    with pytest.raises(ValueError, match=r"wrong.csv: not Avazu data, columns \['click'"):
        load_avazu(str(wrong))
    long = tmp_path / "long.tsv"
    long.write_text("\t".join(["1"] * 41) + "\n")
    with pytest.raises(ValueError, match="long.tsv, line 1: 41 fields"):
        load_criteo(str(long))
    short = tmp_path / "short.tsv"
    short.write_text("\t".join(["0"] * 40) + "\n" + "1\t2\t3\n")
    with pytest.warns(UserWarning, match="short.tsv: 1 of 2 rows .* line 2, 3 fields"):
        frame = load_criteo(str(short))
    assert frame["I2"].tolist()[1] == 3.0 and frame["C26"].tolist() == ["0", ""]


def test_tables_and_split(tmp_path, tiny_frame):
    path = str(tmp_path / "t.parquet")
    tiny_frame.to_parquet(path)
    assert read_table(path).equals(tiny_frame)
    train, valid = train_validation_split(tiny_frame, 0.25, seed=1)
    assert len(train) == 192 and len(valid) == 64
    assert set(train["age"]).isdisjoint(valid["age"])
