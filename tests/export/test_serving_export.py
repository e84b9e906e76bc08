import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf

from tfrank.export import example_request, export_for_serving, serving_export
from tfrank.models import LogisticRegression


@pytest.fixture(scope="module")
def model_and_example(tiny_spec, tiny_frame):
    model = LogisticRegression(tiny_spec)
    example = {k: v[:8] for k, v in tiny_spec.frame_to_arrays(tiny_frame).items()}
    return model, example


def test_versions_increase_and_never_overwrite(model_and_example, tmp_path):
    model, example = model_and_example
    base = str(tmp_path / "serving")
    assert export_for_serving(model, base, example) == os.path.join(base, "1")
    os.makedirs(os.path.join(base, "7"))
    (tmp_path / "serving" / "7" / "keep.txt").write_text("mine")
    assert export_for_serving(model, base, example) == os.path.join(base, "8")
    assert (tmp_path / "serving" / "7" / "keep.txt").read_text() == "mine"
    assert sorted(os.listdir(base)) == ["1", "7", "8"]


def test_failed_export_leaves_no_version_and_no_temporary(model_and_example, tmp_path, monkeypatch):
    model, example = model_and_example
    base = str(tmp_path / "serving")
    export_for_serving(model, base, example)

    def broken(model, path):
        os.makedirs(os.path.join(path, "variables"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(serving_export, "_write_saved_model", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_for_serving(model, base, example)
    assert os.listdir(base) == ["1"]


def test_leftovers_of_killed_exports_are_removed(model_and_example, tmp_path):
    model, example = model_and_example
    base = tmp_path / "serving"
    dead = base / ".tmp-export-999999999-deadbeef"
    dead.mkdir(parents=True)
    (dead / "saved_model.pb").write_text("half")
    export_for_serving(model, str(base), example)
    assert sorted(os.listdir(base)) == ["1"]


def test_warmup_records_decode_as_tf_serving_prediction_logs(model_and_example, tmp_path):
    prediction_log_pb2 = pytest.importorskip("tensorflow_serving.apis.prediction_log_pb2")
    model, example = model_and_example
    version = export_for_serving(model, str(tmp_path / "serving"), example)
    path = os.path.join(version, "assets.extra", "tf_serving_warmup_requests")
    records = list(tf.data.TFRecordDataset(path).as_numpy_iterator())
    assert len(records) == 2
    signature = tf.saved_model.load(version).signatures["serving_default"]
    for record, batch in zip(records, (1, 8)):
        log = prediction_log_pb2.PredictionLog.FromString(record)
        request = log.predict_log.request
        assert request.model_spec.signature_name == "serving_default"
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        assert set(inputs) == set(example) and all(len(v) == batch for v in inputs.values())
        np.testing.assert_array_equal(inputs["site"], example["site"][:batch].astype(bytes))
        outputs = signature(**{k: tf.constant(v) for k, v in inputs.items()})
        assert outputs["probability"].shape == (batch, 1)


def test_the_signature_rejects_a_wrong_rank_or_batch_size_naming_the_input(
    model_and_example, tmp_path
):
    # The graph alone would broadcast such inputs and score them.
    model, example = model_and_example
    version = export_for_serving(model, str(tmp_path / "serving"), example)
    signature = tf.saved_model.load(version).signatures["serving_default"]
    good = {k: tf.constant(v) for k, v in example.items()}
    faults = [
        ("price", good["price"][:, None], "Shape of tensor price [8,1] is not compatible with "
         "expected shape [?]"),
        ("site", good["site"][0], "Shape of tensor site [] is not compatible"),
        ("hour", good["hour"][:1], "Batch size of input hour differs from that of input site"),
    ]  # fmt: skip
    for name, bad, message in faults:
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
            signature(**{**good, name: bad})
    assert signature(**good)["probability"].shape == (8, 1)


def test_example_request_is_a_rest_body_with_raw_values(model_and_example, tmp_path):
    model, example = model_and_example
    version = export_for_serving(model, str(tmp_path / "serving"), example)
    with open(os.path.join(version, "assets.extra", "example_request.json")) as f:
        body = json.load(f)
    assert body == json.loads(json.dumps(example_request(example)))
    assert body["inputs"]["site"] == list(example["site"])
    assert body["inputs"]["hour"] == [int(v) for v in example["hour"]]
    price = body["inputs"]["price"]
    assert any(np.isnan(price)) and all(isinstance(v, float) for v in price)


def test_export_killed_mid_write_leaves_previous_version_servable(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from tfrank.export import score_in_tensorflow_only
    from tfrank.training import export, train

    out = str(tmp_path / "run")
    train("deepfm", data="synthetic:2000", epochs=1, batch_size=256, output=out, verbose=0)
    serving = os.path.join(out, "serving")
    victim = subprocess.Popen(
        [sys.executable, "-m", "tfrank", "export", "--model-dir", out],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline, written = time.time() + 120, []
    while not written and victim.poll() is None and time.time() < deadline:
        temporary = [n for n in os.listdir(serving) if n.startswith(".")]
        written = [f for t in temporary for f in os.listdir(os.path.join(serving, t))]
        time.sleep(0.002)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the export finished before it was killed"
    names = os.listdir(serving)
    assert [n for n in names if not n.startswith(".")] == ["1"]  # no partial version
    assert len(names) == 2  # the killed export's hidden leftover
    request = os.path.join(serving, "1", "assets.extra", "example_request.json")
    served = score_in_tensorflow_only([(os.path.join(serving, "1"), request)])
    assert np.isfinite(served[os.path.join(serving, "1")]["probability"]).all()

    assert export(out) == os.path.join(serving, "2")
    assert sorted(os.listdir(serving)) == ["1", "2"]  # leftovers cleaned
