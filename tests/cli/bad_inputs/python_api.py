"""Calls of the library (`predict`, `fit`, `make_dataset`, `model.score`,
`FeatureSpec.frame_to_arrays`) with bad or unusual inputs."""

from __future__ import annotations

import numpy as np

from tests.cli.bad_inputs.harness import Cases, same_as
from tests.cli.bad_inputs.histories import history_cases
from tests.cli.bad_inputs.ids_and_exports import export_cases, num_ids_cases


def python_api_cases(frame, spec):
    from tfrank.data import make_dataset
    from tfrank.models import DeepFM

    model = DeepFM(spec, hidden_units=[4])
    model.compile()
    rows = {k: v[:2] for k, v in spec.frame_to_arrays(frame).items()}
    cases = Cases()

    def score(features):
        return np.asarray(model.predict(features, verbose=0)).reshape(-1)

    def with_(name, values):
        return {**rows, name: np.asarray(values, dtype=np.asarray(rows[name]).dtype)}

    typed = score(rows)
    given_as = "the typed arrays' scores"
    cases.attempt(
        "a pandas DataFrame",
        "frame",
        "predict on a DataFrame with an extra column",
        lambda: score(frame.head(2).assign(comment="ignored")),
        same_as(typed, given_as),
    )
    cases.attempt(
        "plain Python lists",
        "lists",
        "predict on lists",
        lambda: score({k: v.tolist() for k, v in rows.items()}),
        same_as(typed, given_as),
    )
    unicode = {k: np.asarray(v.tolist()) if v.dtype == object else v for k, v in rows.items()}
    cases.attempt(
        'NumPy arrays of any string dtype (`np.asarray(["a", "b"])`, a parsed JSON request)',
        "unicode arrays",
        "predict on np.asarray of str lists",
        lambda: score(unicode),
        same_as(typed, given_as),
    )
    dataset = make_dataset(frame.head(2), spec, label=None)
    cases.attempt(
        "a `tf.data.Dataset`, e.g. from `make_dataset`",
        "tf.data",
        "predict on make_dataset(frame)",
        lambda: score(dataset),
        same_as(typed, given_as),
    )

    row = "a feature missing from `predict` / `fit`"
    missing = {k: v for k, v in rows.items() if k != "price"}
    cases.attempt(row, "missing feature", "predict without 'price'", lambda: score(missing))
    cases.attempt(
        row,
        "missing feature",
        "fit without 'price'",
        lambda: model.fit(missing, np.zeros(2), verbose=0),
    )
    cases.attempt(
        "a DataFrame without a feature's column",
        "missing column",
        "predict on a frame without 'price'",
        lambda: score(frame.head(2).drop(columns="price")),
    )
    cases.attempt(
        "an unexpected feature",
        "unexpected feature",
        "an extra 'colour'",
        lambda: score({**rows, "colour": rows["site"]}),
    )
    row = "wrong dtype (floats for an int64 id, ints for a string)"
    cases.attempt(
        row, "wrong dtype", "'hour' as float64", lambda: score({**rows, "hour": [1.5, 2.0]})
    )
    cases.attempt(
        row, "wrong dtype", "'site' as int64", lambda: score({**rows, "site": np.array([1, 2])})
    )
    oov = score(with_("site", ["never-seen-1", "never-seen-2"]))  # unseen values

    mean = spec["price"].mean  # of log(1 + price): the raw value with that log
    at_mean = score(with_("price", [np.sign(mean) * np.expm1(abs(mean))] * 2))
    cases.attempt(
        "NaN in a numeric feature",
        "NaN numeric",
        "price = NaN (Python API)",
        lambda: score(with_("price", [np.nan] * 2)),
        same_as(at_mean, "the score at the training mean"),
    )

    row = "±inf (or a value beyond float32) in a numeric column"
    bad = frame.head(3).copy()
    bad.loc[1, "price"] = np.inf
    cases.attempt(row, "inf numeric", "price = inf in a frame", lambda: spec.frame_to_arrays(bad))
    bad = frame.head(3).astype({"price": float})
    bad.loc[1, "price"] = 1e39
    cases.attempt(
        row, "beyond float32", "price = 1e39 in a frame given to predict", lambda: score(bad)
    )
    # `age` is not log-transformed: 20,000 standard deviations out is past the clip.
    deviation = np.sqrt(spec["age"].variance)
    far = [spec["age"].mean + 2e4 * deviation, spec["age"].mean - 2e4 * deviation]
    at_clip = score(with_("age", far))
    clip = "the score at ±10,000 standard deviations (the clip)"
    cases.attempt(
        row,
        "beyond float32",
        "age = [1e39, -1e39] as a list given to predict",
        lambda: score({**rows, "age": [1e39, -1e39]}),
        same_as(at_clip, clip),
    )
    cases.attempt(
        row,
        "inf numeric",
        "age = [inf, -inf] in arrays given to predict",
        lambda: score(with_("age", [np.inf, -np.inf])),
        same_as(at_clip, clip),
    )

    bad = frame.head(3).astype({"age": object})
    bad.loc[2, "age"] = "forty"
    cases.attempt(
        "text in a numeric column",
        "text in a numeric column",
        "age = 'forty'",
        lambda: spec.frame_to_arrays(bad),
    )
    bad = frame.head(3).astype({"hour": float})
    bad.loc[2, "hour"] = 1.5
    cases.attempt(
        "fractional int ids",
        "fractional id",
        "hour = 1.5 in a frame",
        lambda: spec.frame_to_arrays(bad),
    )
    bad.loc[2, "hour"] = np.nan
    cases.attempt(
        "a missing value in an int64 id column",
        "missing id",
        "hour = NaN in a frame (int64)",
        lambda: spec.frame_to_arrays(bad),
    )

    cases.attempt(
        "a DataFrame without its label column, in `fit` / `evaluate`",
        "no label",
        "fit on a frame without 'label'",
        lambda: model.fit(frame.drop(columns="label"), verbose=0),
    )
    row = "a table without its label column, in `make_dataset` / `model.score`"
    cases.attempt(
        row,
        "no label",
        "make_dataset of a frame without 'label'",
        lambda: make_dataset(frame.drop(columns="label"), spec),
    )
    cases.attempt(
        row,
        "no label",
        "model.score of a frame without 'label'",
        lambda: model.score(frame.drop(columns="label")),
    )
    row = "a non-numeric or missing label"
    bad = frame.head(5).astype({"label": object})
    bad.loc[3, "label"] = "yes"
    cases.attempt(
        row, "bad label", "label = 'yes' at row 3 in make_dataset", lambda: make_dataset(bad, spec)
    )
    bad = frame.head(5).astype({"label": float})
    bad.loc[3, "label"] = np.nan
    cases.attempt(
        row,
        "bad label",
        "label missing at row 3, frame given to fit",
        lambda: model.fit(bad, verbose=0),
    )

    row = 'unseen categorical value, `""`, unseen or negative int id'
    cases.attempt(
        row,
        "unseen string",
        "site = ''",
        lambda: score(with_("site", ["", "never-seen-3"])),
        same_as(oov, "an unseen value's score (the OOV id)"),
    )
    hour_oov = score(with_("hour", [10**12, 10**12 + 1]))
    cases.attempt(
        row,
        "negative id",
        "hour = -5 (int64 vocabulary)",
        lambda: score(with_("hour", [-5, -6])),
        same_as(hour_oov, "an unseen id's score (the OOV id)"),
    )

    cases.extend(num_ids_cases(frame))
    cases.extend(export_cases(frame, spec, model, rows, far))
    cases.extend(history_cases())
    return cases
