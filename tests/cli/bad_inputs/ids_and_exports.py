"""Ids outside a feature's `num_ids`, and requests to an export."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd

from tests.cli.bad_inputs.harness import Cases, same_as


def num_ids_cases(frame):
    from tfrank.data import make_dataset
    from tfrank.features import CategoricalFeature, FeatureSpec
    from tfrank.models import DeepFM

    row = "a negative or too large id of a `num_ids` feature"
    spec = FeatureSpec([CategoricalFeature("ad_id", dtype="int64", num_ids=1000, embedding_dim=4)])
    cases = Cases()
    data = pd.DataFrame({"ad_id": [5, 1000, -1], "label": [0, 1, 0]})
    cases.attempt(
        row,
        "id outside num_ids",
        "ad_id = 1000 in a frame (num_ids=1000)",
        lambda: spec.frame_to_arrays(data),
    )
    cases.attempt(
        row, "id outside num_ids", "ad_id = 1000 in make_dataset", lambda: make_dataset(data, spec)
    )
    model = DeepFM(spec, hidden_units=[4])
    oov = np.asarray(model.predict({"ad_id": np.array([1000, 1000])}, verbose=0))
    cases.attempt(
        row,
        "id outside num_ids",
        "ad_id = [-5, 10**12] given to predict",
        lambda: model.predict({"ad_id": np.array([-5, 10**12])}, verbose=0),
        same_as(oov, "the OOV row's score"),
    )
    return cases


def export_cases(frame, spec, model, rows, far):
    """Requests to an export of `model` and of a `num_ids` model, scored by
    the SavedModel's serving signature as TF Serving would."""
    import tensorflow as tf

    from tfrank.export import export_for_serving
    from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature
    from tfrank.models import DeepFM

    ids = FeatureSpec([CategoricalFeature("ad_id", dtype="int64", num_ids=1000, embedding_dim=4),
                       NumericFeature("price", embedding_dim=4)])  # fmt: skip
    ids = ids.fit(pd.DataFrame({"ad_id": [1, 2], "price": [1.0, 3.0]}))
    id_model = DeepFM(ids, hidden_units=[4])
    id_rows = {"ad_id": np.array([1, 2]), "price": np.array([1.0, 2.0], np.float32)}
    cases = Cases()
    with tempfile.TemporaryDirectory() as folder:
        signatures = {}
        for name, exported, example in (("ctr", model, rows), ("ids", id_model, id_rows)):
            version = export_for_serving(exported, os.path.join(folder, name), example)
            signatures[name] = tf.saved_model.load(version).signatures["serving_default"]

        def served(name, features):
            inputs = {k: tf.constant(v) for k, v in features.items()}
            return signatures[name](**inputs)["probability"].numpy().reshape(-1)

        def typed(values):
            with np.errstate(over="ignore"):
                return np.asarray(values, np.float32)

        at_clip = served("ctr", {**rows, "age": typed(far)})
        clip = "the score at ±10,000 standard deviations (the clip)"
        cases.attempt(
            "±inf (or a value beyond float32) in a numeric column",
            "inf numeric",
            "age = [inf, -1e39] in a request to an export",
            lambda: served("ctr", {**rows, "age": typed([np.inf, -1e39])}),
            same_as(at_clip, clip),
        )
        oov = served("ids", {**id_rows, "ad_id": np.array([1000, 1000])})
        cases.attempt(
            "a negative or too large id of a `num_ids` feature",
            "id outside num_ids",
            "ad_id = [-5, 10**12] in a request to an export",
            lambda: served("ids", {**id_rows, "ad_id": np.array([-5, 10**12])}),
            same_as(oov, "the OOV row's score"),
        )
    return cases
