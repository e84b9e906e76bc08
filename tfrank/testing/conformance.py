"""The conformance check every tfrank model passes, for models of your own too."""

from __future__ import annotations

import dataclasses
import inspect
import os
import pickle
import subprocess
import sys
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfrank.data.pipeline import make_dataset
from tfrank.data.training_data import TrainingData
from tfrank.export.serving_export import export_for_serving
from tfrank.export.tensorflow_only import SERVE_SCRIPT

EXAMPLE_ROWS = 8
# Values training never saw, sent to the export beside the example rows.
UNSEEN_STRINGS = ("never-seen value", "", "ünïcødé " * 8)
UNSEEN_IDS = (10**15, -7, 2**63 - 1, -(2**63))
NUMBERS = (float("nan"), 0.0, -3.0, 1e6)
UNKNOWN_INPUT = "not_a_feature"
# The dtypes a malformed request sends instead of each feature's own: ids
# as floats, numbers as ints or as NumPy's default float64.
WRONG_DTYPES = {"string": ("float32",), "int64": ("float32",), "float32": ("int64", "float64")}
# TensorFlow's names of these dtypes, as its error messages write them.
_TF_NAMES = {"string": "string", "int64": "int64", "float32": "float", "float64": "double"}


@dataclasses.dataclass
class ConformanceRun:
    """A model fitted a few steps, saved, reloaded and exported (see `fit_and_export`)."""

    model: keras.Model
    reloaded: keras.Model
    spec: object
    frame: object
    example: dict
    before: list
    history: dict
    version: str

    @property
    def request(self) -> str:
        """The export's example request (a TF Serving REST body)."""
        return os.path.join(self.version, "assets.extra", "example_request.json")


def fit_and_export(
    model_cls, config=None, data="synthetic:512", workdir=None, epochs=2, batch_size=64, seed=1
) -> ConformanceRun:
    """Builds `model_cls` as training does, fits it, saves, reloads and exports it.

    `data` is a data spec of the model's family (default: a small draw of
    its synthetic data), a `(feature_spec, frame, label)` tuple, or a
    `TrainingData` (from `prepare_training`).
    """
    if isinstance(data, str):
        data = model_cls.prepare_training(data, batch_size=batch_size, seed=seed)
    elif isinstance(data, tuple):
        spec, frame, label = data
        data = TrainingData.from_frame(frame, spec, label, batch_size)
    workdir = workdir or tempfile.mkdtemp(prefix="tfrank-conformance-")
    os.makedirs(workdir, exist_ok=True)
    frame = data.example_frame
    example = {k: v[:EXAMPLE_ROWS] for k, v in data.spec.frame_to_arrays(frame).items()}
    keras.utils.set_random_seed(seed)
    model = model_cls.for_training(data.spec, config, data.train, data.validation)
    model.compile()
    before = [v.numpy().copy() for v in model.trainable_variables]
    history = model.fit(data.train, epochs=epochs, verbose=0)
    path = os.path.join(workdir, "model.keras")
    model.save(path)
    version = export_for_serving(model, os.path.join(workdir, "serving"), example)
    reloaded = keras.models.load_model(path, safe_mode=True)
    return ConformanceRun(model, reloaded, data.spec, frame, example, before, history.history,
                          version)  # fmt: skip


def check_training(run: ConformanceRun) -> None:
    """The fit steps lowered the loss and changed every trainable weight."""
    losses = run.history["loss"]
    assert np.all(np.isfinite(losses)), f"non-finite losses {losses}"
    assert losses[-1] < losses[0], f"the loss did not go down: {losses}"
    after = [v.numpy() for v in run.model.trainable_variables]
    frozen = [v.path for v, a, b in zip(run.model.trainable_variables, after, run.before)
              if np.array_equal(a, b)]  # fmt: skip
    assert not frozen, f"trainable weights that never changed: {frozen}"


def check_round_trip(run: ConformanceRun) -> None:
    """The `.keras` file reloads as the same class, optimizer and predictions."""
    # All rows in one batch, called eagerly: `predict` traces the model again
    # for each batch of another history width, which dominated this check.
    rows = make_dataset(run.frame, run.spec, label=None, batch_size=len(run.frame))
    features = next(iter(rows))
    expected = keras.tree.flatten(run.model(features, training=False))
    got = keras.tree.flatten(run.reloaded(features, training=False))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    assert type(run.reloaded) is type(run.model)
    assert type(run.reloaded.optimizer) is type(run.model.optimizer)


def serving_requests(spec, example: dict, seed: int = 0) -> dict:
    """Raw requests an export must score as the Keras model does, by name.

    `"rows"`: the example rows, then as many rows of values training never
    saw: unknown strings and ids, ids in and outside a `num_ids` feature's
    range, NaN and large numbers, and histories that are empty, one step
    long, or longer than `max_length` (up to twice it, plus one), with
    unknown ids among their steps. `"empty_histories"` (specs with
    sequences): the same rows with every history `[batch, 0]`.
    """
    rng = np.random.default_rng(seed)
    added = len(next(iter(example.values())))
    rows = {}
    for f in spec.raw_features:
        if f.kind != "sequence":
            values = _unseen_values(spec, f)
            column = np.asarray(example[f.name])
            more = np.asarray([values[j % len(values)] for j in range(added)], dtype=column.dtype)
            rows[f.name] = np.concatenate([column, more])
    lengths = {}
    for f in sorted(spec.sequence, key=lambda f: f.length_from is not None):
        column = np.asarray(example[f.name])
        source = spec[f.length_from or f.name]
        if f.length_from is None:
            width = max(2 * f.max_length + 1, column.shape[1])
            lengths[f.name] = [0, width, 1, f.max_length, width - 1, f.max_length + 1, 2, 0]
        length = lengths[source.name]
        width = max(length)
        history = np.full((2 * added, width), f.pad, dtype=column.dtype)
        history[:added, : column.shape[1]] = column
        pool = list(column[~_is_pad(column, f.pad)])
        if f.shares is not None:
            pool += [v for v in _unseen_values(spec, f) if not _is_pad(np.asarray(v), f.pad)]
        pool = np.asarray(pool or [0.0], dtype=column.dtype)  # [0.0]: times of no example
        for j in range(added):
            n = length[j % len(length)]
            history[added + j, :n] = rng.choice(pool, n)
        rows[f.name] = history
    requests = {"rows": rows}
    if spec.sequence:
        empty = {f.name: rows[f.name][:, :0] for f in spec.sequence}
        requests["empty_histories"] = {**rows, **empty}
    return requests


def malformed_requests(spec, good: dict) -> dict:
    """Requests an export must reject, each one fault away from `good`:
    `{case: (inputs, exception type name, fragment of its message)}`.

    Per input: each dtype of `WRONG_DTYPES`, the input left out, one rank
    more and one less, a batch of one row (the others keep theirs), and for
    histories aligned by `length_from`, one step more than the others; and
    one request with an input the model does not take. The fragments are
    what TensorFlow's signature (dtypes, names) and the export's shape
    checks (`checked_request`) say, naming the input.
    """
    cases = {}

    def case(name, inputs, error, fragment):
        cases[name] = (inputs, error, fragment)

    # The signature's inputs are flattened in key order; dtype errors number them so.
    order = sorted(spec.input_names)
    first = spec.input_names[0]
    aligned = {f.name for f in spec.sequence if f.length_from}
    aligned |= {f.length_from for f in spec.sequence if f.length_from}
    for f in spec.raw_features:
        x = np.asarray(good[f.name])
        for dtype in WRONG_DTYPES[f.dtype]:
            wanted, got = _TF_NAMES[f.dtype], _TF_NAMES[dtype]
            case(f"{f.name} as {dtype}", {**good, f.name: np.zeros(x.shape, dtype)},
                 "InvalidArgumentError", f"input #{order.index(f.name)}(zero-based) was "
                 f"expected to be a {wanted} tensor but is a {got} tensor")  # fmt: skip
        missing = {k: v for k, v in good.items() if k != f.name}
        case(f"{f.name} missing", missing, "TypeError", f"missing a required argument: '{f.name}'")
        expected = "[" + ",".join("?" * x.ndim) + "]"
        for bad in (x[..., None], np.asarray(x[0], x.dtype)):
            dims = "[" + ",".join(str(d) for d in bad.shape) + "]"
            case(f"{f.name} of rank {bad.ndim}", {**good, f.name: bad}, "InvalidArgumentError",
                 f"Shape of tensor {f.name} {dims} is not compatible with expected shape "
                 f"{expected}")  # fmt: skip
        # One row of the first input leaves every other one disagreeing with
        # it, and which check fires first is TensorFlow's choice.
        other = f"Batch size of input {f.name} " if f.name != first else ""
        case(f"{f.name} of batch size 1", {**good, f.name: x[:1]}, "InvalidArgumentError",
             f"{other}differs from that of input {first}")  # fmt: skip
        if f.name in aligned:
            wider = np.concatenate([x, np.full((len(x), 1), f.pad, x.dtype)], axis=1)
            other = f"Steps of input {f.name} " if f.length_from else ""
            case(f"{f.name} one step wider", {**good, f.name: wider}, "InvalidArgumentError",
                 f"{other}differ from those of input {f.length_from or f.name}")  # fmt: skip
    unknown = np.asarray(["red"] * len(next(iter(good.values()))), dtype=object)
    case("unknown input", {**good, UNKNOWN_INPUT: unknown}, "TypeError",
         f"got an unexpected keyword argument '{UNKNOWN_INPUT}'")  # fmt: skip
    return cases


def serve_in_tensorflow_only(runs, timeout: float = 900) -> dict:
    """Sends each run's requests to its export in one fresh process where
    importing Keras or tfrank fails, as a model server would: the example
    request (`run.request`, a REST body parsed into the signature's dtypes),
    then `serving_requests`, every one of `malformed_requests` and the good
    requests again, all as raw tensors of their own dtypes to the loaded
    `serving_default` signature.

    Returns `{"reports": {version: report}, "blocked_modules_loaded": [...]}`
    for `check_serving`.
    """
    jobs = []
    for run in runs:
        malformed = malformed_requests(run.spec, run.example)
        jobs.append({
            "version": run.version,
            "request": run.request,
            "requests": serving_requests(run.spec, run.example),
            "malformed": {case: inputs for case, (inputs, _, _) in malformed.items()},
        })  # fmt: skip
    code = inspect.getsource(_serve_jobs) + "\n_serve_jobs(*__import__('sys').argv[1:])\n"
    with tempfile.TemporaryDirectory() as tmp:
        job_path, out_path = os.path.join(tmp, "jobs.pickle"), os.path.join(tmp, "out.pickle")
        with open(job_path, "wb") as f:
            pickle.dump(jobs, f)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        result = subprocess.run(
            [sys.executable, "-c", code, SERVE_SCRIPT, job_path, out_path],
            capture_output=True, text=True, timeout=timeout, env=env,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"TensorFlow-only serving failed:\n{result.stderr[-3000:]}")
        with open(out_path, "rb") as f:
            return pickle.load(f)


def _serve_jobs(serve_script, job_path, out_path):
    """The TensorFlow-only side of `serve_in_tensorflow_only`. Its source is
    run by `python -c`, so that process never imports this module."""
    import importlib.util
    import json
    import pickle
    import sys

    loader = importlib.util.spec_from_file_location("serve_requests", serve_script)
    serve_requests = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(serve_requests)
    serve_requests.block_imports()
    import numpy as np
    import tensorflow as tf

    def call(signature, inputs):
        # Made outside `try`: a request this process cannot even build is a
        # failure of the check, never a rejection by the export.
        tensors = {name: tf.constant(values) for name, values in inputs.items()}
        try:
            outputs = signature(**tensors)
        except Exception as error:  # the type is the checked answer
            return {"error": type(error).__name__, "message": str(error)[:4000]}
        return {"outputs": {name: value.numpy() for name, value in outputs.items()}}

    with open(job_path, "rb") as f:
        jobs = pickle.load(f)
    reports = {}
    for job in jobs:
        loaded = tf.saved_model.load(job["version"])
        with open(job["request"]) as f:
            body = json.load(f)
        signature = loaded.signatures[body.get("signature_name", "serving_default")]
        specs = signature.structured_input_signature[1]
        rest = {
            name: np.asarray(values, dtype=specs[name].dtype.as_numpy_dtype)
            for name, values in body["inputs"].items()
        }
        flat = tf.nest.flatten(signature.structured_input_signature)
        report = {
            "inputs": [(s.name, s.dtype.name, s.shape.as_list()) for s in flat],
            "outputs": sorted(signature.structured_outputs),
            "example_request": call(signature, rest),
        }
        # The good requests again after the malformed ones: same scores.
        for part in ("requests", "malformed", "after"):
            requests = job["malformed" if part == "malformed" else "requests"]
            report[part] = {name: call(signature, inputs) for name, inputs in requests.items()}
        reports[job["version"]] = report
    blocked = sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "tf_keras", "tfrank"))
    with open(out_path, "wb") as f:
        pickle.dump({"reports": reports, "blocked_modules_loaded": blocked}, f)


def check_serving(run: ConformanceRun, served: dict | None = None, atol: float = 1e-5) -> None:
    """The export, served by a TensorFlow-only process (`served`, from
    `serve_in_tensorflow_only`; served here if it lacks the run), takes each
    raw feature by name, dtype and rank; gives the Keras model's outputs
    (finite, within `atol`) on the example request and on every one of
    `serving_requests`; rejects every one of `malformed_requests` with the
    expected exception and message; and then still scores good requests."""
    if served is None or run.version not in served.get("reports", {}):
        served = serve_in_tensorflow_only([run])
    assert served["blocked_modules_loaded"] == [], "the export needed Keras or tfrank"
    report = served["reports"][run.version]
    _check_signature(run, report)
    _check_parity(run, report, atol)
    _check_rejections(run, report)


def _check_signature(run: ConformanceRun, report: dict) -> None:
    specs = {name: (dtype, shape) for name, dtype, shape in report["inputs"]}
    assert set(specs) == set(run.spec.input_names)
    for feature in run.spec.raw_features:
        dtype, shape = specs[feature.name]
        assert dtype == feature.dtype, f"{feature.name}: the signature takes {dtype}"
        # Histories: a padded [batch, width] tensor of any width.
        rank = 2 if feature.kind == "sequence" else 1
        assert shape == [None] * rank, f"{feature.name}: the signature takes shape {shape}"


def _check_parity(run: ConformanceRun, report: dict, atol: float) -> None:
    expected = _keras_outputs(run.model, run.example)
    assert report["outputs"] == sorted(expected)
    _check_scores("the example request", report["example_request"], expected, atol)
    for name, inputs in serving_requests(run.spec, run.example).items():
        expected = _keras_outputs(run.model, inputs)
        _check_scores(f"request {name!r}", report["requests"][name], expected, atol)


def _check_rejections(run: ConformanceRun, report: dict) -> None:
    for case, (_, error, fragment) in malformed_requests(run.spec, run.example).items():
        reply = report["malformed"][case]
        assert "error" in reply, f"the export scored a malformed request ({case}), not rejected"
        got = f"{reply['error']}: {reply['message'][:600]}"
        assert reply["error"] == error and fragment in reply["message"], (
            f"malformed request ({case}): expected {error} saying {fragment!r}; got {got}"
        )
    for name, reply in report["after"].items():
        assert "outputs" in reply, f"request {name!r} after the malformed ones: {reply}"
        for output, values in report["requests"][name]["outputs"].items():
            np.testing.assert_array_equal(reply["outputs"][output], values, err_msg=name)


def _keras_outputs(model, inputs: dict) -> dict:
    tensors = {name: tf.constant(values) for name, values in inputs.items()}
    outputs = model.serving_outputs(model(tensors, training=False))
    return {name: np.asarray(values) for name, values in outputs.items()}


def _check_scores(what: str, reply: dict, expected: dict, atol: float) -> None:
    assert "outputs" in reply, f"the export rejected {what}: {reply}"
    assert set(reply["outputs"]) == set(expected), what
    rows = len(next(iter(expected.values())))
    for output, values in expected.items():
        got = np.asarray(reply["outputs"][output])
        assert got.shape == (rows, 1), f"{what}, {output}: shape {got.shape}"
        assert np.all(np.isfinite(got)), f"{what}, {output}: non-finite scores {got[:, 0]}"
        np.testing.assert_allclose(got, values, atol=atol, rtol=0, err_msg=f"{what}, {output}")


def _unseen_values(spec, feature) -> tuple:
    """Values of `feature` (a history: of the table it reads) that training
    never saw; for a `num_ids` feature, the range's ends and beyond them."""
    if feature.kind == "numeric":
        return NUMBERS
    if feature.kind == "sequence":
        feature = spec[spec.owner_of(feature.name)]
    if feature.dtype == "string":
        return UNSEEN_STRINGS
    if feature.num_ids is not None:
        return (0, feature.num_ids - 1, feature.num_ids, -1, *UNSEEN_IDS)
    return UNSEEN_IDS


def _is_pad(values: np.ndarray, pad) -> np.ndarray:
    if isinstance(pad, float) and np.isnan(pad):
        return np.isnan(values.astype(np.float64))
    return values == pad


def check_model(model_cls, config=None, data="synthetic:512", workdir=None) -> ConformanceRun:
    """tfrank's conformance check, for any model class built on a tfrank family.

    Builds the model as training does (`for_training`), then checks that
    (1) a few `fit` steps lower the loss and change every trainable weight,
    (2) the `.keras` file reloads as the same class and optimizer with equal
    predictions, and (3) the SavedModel export, served by a separate process
    that can import TensorFlow but not Keras or tfrank, returns the Keras
    model's outputs on raw features, values training never saw among them
    (`serving_requests`), and rejects malformed requests, naming the input
    (`malformed_requests`). A failure is an `AssertionError` that says which.

    Args:
        model_cls: the model class (registered with Keras for `.keras`
            loading, e.g. by `keras.saving.register_keras_serializable`).
        config: dict of constructor arguments (keep the model small).
        data: a data spec of the model's family (default: a small draw of
            its synthetic data), `(feature_spec, frame, label)` or a
            `TrainingData`.
        workdir: where to write the files (default: a temporary folder).

    Example:

    >>> import keras
    >>> from tfrank.models import RankingModel
    >>> from tfrank.models.building_blocks import (
    ...     as_feature_spec, linear_logit, make_inputs, probability, transform_features)
    >>> @keras.saving.register_keras_serializable(package="my_models")
    ... class MyLinear(RankingModel):
    ...     def __init__(self, feature_spec, **kwargs):
    ...         spec = as_feature_spec(feature_spec)
    ...         inputs = make_inputs(spec)
    ...         logit = linear_logit(spec, transform_features(spec, inputs))
    ...         super().__init__(inputs, probability(logit), spec, **kwargs)
    >>> run = check_model(MyLinear)   # raises AssertionError if anything fails
    >>> run.history["loss"][-1] < run.history["loss"][0]
    True
    """
    run = fit_and_export(model_cls, config, data, workdir)
    check_training(run)
    check_round_trip(run)
    check_serving(run)
    return run
