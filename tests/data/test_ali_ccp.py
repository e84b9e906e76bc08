"""Ali-CCP loader (smoke: the samples are tiny): two tasks, typed fields, checks."""

import os

import numpy as np
import pytest

from tfrank.data.ali_ccp import ali_ccp_feature_spec, load_ali_ccp
from tfrank.models import MMoE

HEADER = "click,purchase,101,150_14,D109_14\n"


def _write(tmp_path, rows):
    path = tmp_path / "ali.csv"
    path.write_text(HEADER + "".join(rows))
    return str(path)


def test_columns_are_typed_and_renamed_to_input_names(tmp_path):
    frame = load_ali_ccp(_write(tmp_path, ["0,0,3,7,0.25\n", "1,1,2,0,0.5\n"]))
    assert frame.columns.tolist() == ["click", "purchase", "f101", "f150_14", "d109_14"]
    assert frame["f101"].dtype == np.int64 and frame["d109_14"].dtype == np.float32
    assert frame["purchase"].tolist() == [0.0, 1.0]
    spec = ali_ccp_feature_spec(frame)
    assert [f.name for f in spec.categorical] == ["f101", "f150_14"]
    assert [f.name for f in spec.numeric] == ["d109_14"]


def test_bad_rows_are_named(tmp_path):
    with pytest.raises(ValueError, match="row 2: a purchase without a click"):
        load_ali_ccp(_write(tmp_path, ["0,0,3,7,0.25\n", "0,1,2,0,0.5\n"]))
    with pytest.raises(ValueError, match="row 1: click = 2 is not 0 or 1"):
        load_ali_ccp(_write(tmp_path, ["2,0,3,7,0.25\n"]))
    with pytest.raises(ValueError, match="row 1: field 150_14 is not a number"):
        load_ali_ccp(_write(tmp_path, ["0,0,3,x,0.25\n"]))


def test_the_shared_sample_trains_a_multi_task_model(ali_ccp_dir, tmp_path):
    from tfrank.training import train

    path = os.path.join(ali_ccp_dir, "ali_ccp_train_sample.csv")
    source = MMoE.load_data(f"aliccp:{path}")
    assert source.label == ["click", "purchase"] and len(source.frame) == 100
    assert len(source.feature_spec.categorical) == 23 and len(source.feature_spec.numeric) == 8
    valid = MMoE.load_data(f"aliccp:{os.path.join(ali_ccp_dir, 'ali_ccp_val_sample.csv')}")
    metrics = train("mmoe", data=source, validation_data=valid, epochs=1, batch_size=32,
                    output=str(tmp_path / "m"), model_config={"num_experts": 2, "expert_units": [4],
                                                        "tower_units": [4]}, verbose=0)  # fmt: skip
    assert set(metrics["validation"]["tasks"]) == {"click", "purchase"}
