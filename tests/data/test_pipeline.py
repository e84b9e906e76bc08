import numpy as np
import pytest

from tfrank.data import make_dataset


def _ages(dataset):
    return [features["age"].numpy() for features, _ in dataset]


def test_batches_cover_every_row_once_and_reshuffle_per_epoch(tiny_frame, tiny_spec):
    dataset = make_dataset(tiny_frame, tiny_spec, batch_size=100, shuffle=True, seed=0)
    first, second = _ages(dataset), _ages(dataset)
    assert [len(b) for b in first] == [100, 100, 56]
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.sort(tiny_frame["age"]))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))
    ordered = _ages(make_dataset(tiny_frame, tiny_spec, batch_size=100))
    np.testing.assert_array_equal(np.concatenate(ordered), tiny_frame["age"].to_numpy())


def test_features_and_labels_stay_aligned(tiny_frame, tiny_spec):
    dataset = make_dataset(tiny_frame, tiny_spec, batch_size=64, shuffle=True, seed=2)
    by_age = dict(zip(tiny_frame["age"], tiny_frame["label"]))
    for features, labels in dataset:
        for age, label in zip(features["age"].numpy(), labels.numpy()):
            assert by_age[age] == label


def test_label_problems_are_reported(tiny_frame, tiny_spec):
    with pytest.raises(ValueError, match="no label column 'click'"):
        make_dataset(tiny_frame, tiny_spec, label="click")
    bad = tiny_frame.head(5).astype({"label": object})
    bad.loc[3, "label"] = "yes"
    with pytest.raises(ValueError, match="Label 'label' at row 3"):
        make_dataset(bad, tiny_spec)
    with pytest.raises(ValueError, match="empty table"):
        make_dataset(tiny_frame.head(0), tiny_spec)


def test_parquet_and_csv_files_feed_the_same_batches(tiny_frame, tiny_spec, tmp_path):
    parquet, csv = str(tmp_path / "t.parquet"), str(tmp_path / "t.csv")
    tiny_frame.to_parquet(parquet)
    tiny_frame.to_csv(csv, index=False)
    expected = np.concatenate(_ages(make_dataset(tiny_frame, tiny_spec, batch_size=50)))
    for path in (parquet, csv):
        got = np.concatenate(_ages(make_dataset(path, tiny_spec, batch_size=50)))
        np.testing.assert_allclose(got, expected, rtol=1e-6)
