"""The inputs people have: NumPy string arrays, lists, DataFrames, dicts of columns."""

import numpy as np
import pandas as pd
import pytest

from tests.helpers.data import tiny_behaviour_data
from tfrank.metrics import score_frame
from tfrank.models import DIN, DeepFM, MMoE


@pytest.fixture(scope="module")
def deepfm(tiny_spec, tiny_frame):
    model = DeepFM(tiny_spec, hidden_units=[4])
    model.compile()
    return model


def test_unicode_arrays_lists_and_frames_predict_as_typed_arrays(deepfm, tiny_spec, tiny_frame):
    arrays = tiny_spec.frame_to_arrays(tiny_frame)
    expected = deepfm.predict(arrays, verbose=0)
    # np.asarray of a JSON request's strings: a unicode array, which Keras refuses.
    unicode = {k: np.asarray(v.tolist()) if v.dtype == object else v for k, v in arrays.items()}
    assert unicode["site"].dtype.kind == "U"
    lists = {k: v.tolist() for k, v in arrays.items()}
    with_extra_columns = tiny_frame.assign(comment="ignored")
    for given in (unicode, lists, tiny_frame, with_extra_columns):
        np.testing.assert_array_equal(deepfm.predict(given, verbose=0), expected)
    np.testing.assert_array_equal(deepfm(unicode).numpy(), expected)


def test_fit_and_evaluate_take_a_frame_with_its_label_column(deepfm, tiny_spec, tiny_frame):
    from_frame = deepfm.evaluate(tiny_frame, verbose=0, return_dict=True)
    arrays = tiny_spec.frame_to_arrays(tiny_frame)
    labels = tiny_frame["label"].to_numpy("float32")
    from_arrays = deepfm.evaluate(arrays, labels, verbose=0, return_dict=True)
    assert from_frame == pytest.approx(from_arrays)
    renamed = tiny_frame.rename(columns={"label": "clicked"})
    assert deepfm.evaluate(renamed, "clicked", verbose=0, return_dict=True) == pytest.approx(
        from_arrays
    )
    history = deepfm.fit(tiny_frame, epochs=1, batch_size=64, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_bad_frames_and_lists_are_one_error_naming_the_column(deepfm, tiny_frame):
    with pytest.raises(ValueError, match=r"no label column\(s\) \['label'\].*Pass y="):
        deepfm.fit(tiny_frame.drop(columns="label"), verbose=0)
    with pytest.raises(ValueError, match=r"no column for feature\(s\) \['price'\]"):
        deepfm.predict(tiny_frame.drop(columns="price"), verbose=0)
    lists = {k: tiny_frame[k].tolist() for k in ("site", "app", "price", "age")}
    with pytest.raises(ValueError, match="Feature 'hour' must be int64; received float64"):
        deepfm.predict({**lists, "hour": [1.5] * len(tiny_frame)}, verbose=0)
    with pytest.raises(ValueError, match=r"Missing feature\(s\) \['hour'\]"):
        deepfm.predict(lists, verbose=0)


def test_histories_as_lists_of_lists_are_padded_as_the_spec_says():
    spec, frame = tiny_behaviour_data()
    model = DIN(spec, attention_units=[4], hidden_units=[4])
    rows = frame.head(6)
    expected = model.predict(spec.frame_to_arrays(rows), verbose=0)
    lists = {
        name: [list(v) for v in rows[name]] if name.startswith("history") else rows[name].tolist()
        for name in spec.input_names
    }
    assert len({len(h) for h in lists["history_items"]}) > 1  # ragged
    np.testing.assert_array_equal(model.predict(lists, verbose=0), expected)


def test_multi_task_fit_reads_each_task_s_column(tiny_spec, tiny_frame):
    frame = tiny_frame.assign(label_2=1 - tiny_frame["label"])
    model = MMoE(tiny_spec, tasks=["label", "label_2"], num_experts=2, expert_units=[4])
    model.compile()
    history = model.fit(frame, epochs=1, batch_size=64, verbose=0)
    assert {"label_loss", "label_2_loss"} <= set(history.history)
    with pytest.raises(ValueError, match=r"no label column\(s\) \['label_2'\]"):
        model.fit(tiny_frame, verbose=0)


def test_scoring_takes_a_dict_of_columns_as_well_as_a_frame(deepfm, tiny_frame):
    columns = {name: tiny_frame[name].to_numpy() for name in tiny_frame.columns}
    assert score_frame(deepfm, columns) == score_frame(deepfm, tiny_frame)
    assert deepfm.score(pd.DataFrame(columns)) == score_frame(deepfm, tiny_frame)
    with pytest.raises(ValueError, match=r"no label column\(s\) \['label'\]"):
        score_frame(deepfm, tiny_frame.drop(columns="label"))


def test_a_label_that_is_not_a_number_names_its_row(deepfm, tiny_frame):
    bad = tiny_frame.astype({"label": object})
    bad.loc[3, "label"] = "yes"
    with pytest.raises(ValueError, match="Label 'label' at row 3 is not a number"):
        deepfm.fit(bad, verbose=0)
