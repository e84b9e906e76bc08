"""The conformance check every tfrank model passes, for models of your own too."""

from __future__ import annotations

import dataclasses
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfrank.data.pipeline import make_dataset
from tfrank.data.training_data import TrainingData
from tfrank.export.serving_export import export_for_serving
from tfrank.export.tensorflow_only import score_in_tensorflow_only

EXAMPLE_ROWS = 8


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
    features = make_dataset(run.frame, run.spec, label=None, batch_size=100)
    expected = keras.tree.flatten(run.model.predict(features, verbose=0))
    got = keras.tree.flatten(run.reloaded.predict(features, verbose=0))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    assert type(run.reloaded) is type(run.model)
    assert type(run.reloaded.optimizer) is type(run.model.optimizer)


def check_serving(run: ConformanceRun, served: dict, atol: float = 1e-5) -> None:
    """The export, scored by a TensorFlow-only process (`served`, from
    `score_in_tensorflow_only`), gives the Keras model's outputs on the raw
    example rows; its signature takes each raw feature by name and dtype."""
    assert served["__blocked_modules_loaded__"] == [], "the export needed Keras or tfrank"
    inputs = {k: tf.constant(v) for k, v in run.example.items()}
    expected = run.model.serving_outputs(run.model(inputs, training=False))
    assert set(served[run.version]) == set(expected)
    for output, values in expected.items():
        got = np.asarray(served[run.version][output])
        assert got.shape == (len(next(iter(run.example.values()))), 1)
        np.testing.assert_allclose(got, np.asarray(values), atol=atol, rtol=0)
    signature = tf.saved_model.load(run.version).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    dtypes = {"string": tf.string, "int64": tf.int64, "float32": tf.float32}
    assert set(specs) == set(run.spec.input_names)
    for feature in run.spec.raw_features:
        assert specs[feature.name].dtype == dtypes[feature.dtype], feature.name
        # Histories: a padded [batch, width] tensor of any width.
        rank = 2 if feature.kind == "sequence" else 1
        assert specs[feature.name].shape.as_list() == [None] * rank, feature.name
    assert sorted(signature.structured_outputs) == sorted(expected)


def check_model(model_cls, config=None, data="synthetic:512", workdir=None) -> ConformanceRun:
    """tfrank's conformance check, for any model class built on a tfrank family.

    Builds the model as training does (`for_training`), then checks that
    (1) a few `fit` steps lower the loss and change every trainable weight,
    (2) the `.keras` file reloads as the same class and optimizer with equal
    predictions, and (3) the SavedModel export, scored in a separate process
    that can import TensorFlow but not Keras or tfrank, returns the Keras
    model's outputs on raw features. A failure is an `AssertionError` that
    says which.

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
    check_serving(run, score_in_tensorflow_only([(run.version, run.request)]))
    return run
