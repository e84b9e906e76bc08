"""The bad inputs tfrank is tested against, and what each one gets.

`bad_input_cases(workdir)` tries each case (Python API, data files, the
command line) and returns `[{"case", "input", "outcome", "message"}]`:
`outcome` is `"error"` with the message a user sees, or `"scores"` when the
input is a documented, valid way to say "unknown" or "missing" and the model
scores it normally (`message` then says what it equals). The test suite checks
every case; `python benchmarks/reliability.py --part bad_inputs` prints them.
"""

from __future__ import annotations

import contextlib
import io
import os

import keras
import numpy as np
import pandas as pd


def bad_input_cases(workdir: str) -> list[dict]:
    from tests.helpers.data import tiny_behaviour_data, tiny_ctr_frame, tiny_feature_spec
    from tfrank.features import CategoricalFeature, FeatureSpec
    from tfrank.models import DIN, DeepFM

    frame = tiny_ctr_frame(64)
    spec = tiny_feature_spec().fit(frame)
    keras.utils.set_random_seed(0)
    model = DeepFM(spec, hidden_units=[4])
    rows = {k: v[:2] for k, v in spec.frame_to_arrays(frame).items()}
    cases = []

    def case(name, given, attempt, expect=None):
        try:
            result = attempt()
        except (ValueError, FileNotFoundError, TypeError) as error:
            cases.append(_row(name, given, "error", f"{type(error).__name__}: {error}"))
            return
        cases.append(_row(name, given, "scores", expect(result) if expect else str(result)))

    def score(features):
        return np.asarray(model.predict(features, verbose=0)).reshape(-1)

    def with_(name, values):
        return {**rows, name: np.asarray(values, dtype=np.asarray(rows[name]).dtype)}

    def same_as(reference, what="the reference score"):
        return lambda got: (
            f"equal to {what}" if np.allclose(got, reference, atol=1e-5) else
            f"DIFFERENT from {what}: {got} vs {reference}"
        )  # fmt: skip

    missing = {k: v for k, v in rows.items() if k != "price"}
    case("missing feature", "predict without 'price'", lambda: score(missing))
    case("unexpected feature", "an extra 'colour'", lambda: score({**rows, "colour": rows["site"]}))
    case("wrong dtype", "'hour' as float64", lambda: score({**rows, "hour": [1.5, 2.0]}))
    case("wrong dtype", "'site' as int64", lambda: score({**rows, "site": np.array([1, 2])}))
    oov = score(with_("site", ["never-seen-1", "never-seen-2"]))  # unseen values

    mean = spec["price"].mean  # of log(1 + price): the raw value with that log
    at_mean = score(with_("price", [np.sign(mean) * np.expm1(abs(mean))] * 2))
    case("NaN numeric", "price = NaN (Python API)", lambda: score(with_("price", [np.nan] * 2)),
         same_as(at_mean, "the score at the training mean"))  # fmt: skip
    bad = frame.head(3).copy()
    bad.loc[1, "price"] = np.inf
    case("inf numeric", "price = inf in a frame", lambda: spec.frame_to_arrays(bad))
    bad = frame.head(3).astype({"age": object})
    bad.loc[2, "age"] = "forty"
    case("text in a numeric column", "age = 'forty'", lambda: spec.frame_to_arrays(bad))
    bad = frame.head(3).astype({"hour": float})
    bad.loc[2, "hour"] = 1.5
    case("fractional id", "hour = 1.5 in a frame", lambda: spec.frame_to_arrays(bad))
    bad.loc[2, "hour"] = np.nan
    case("missing id", "hour = NaN in a frame (int64)", lambda: spec.frame_to_arrays(bad))
    case("unseen string", "site = ''", lambda: score(with_("site", ["", "never-seen-3"])),
         same_as(oov, "an unseen value's score (the OOV id)"))  # fmt: skip
    hour_oov = score(with_("hour", [10**12, 10**12 + 1]))
    case("negative id", "hour = -5 (int64 vocabulary)", lambda: score(with_("hour", [-5, -6])),
         same_as(hour_oov, "an unseen id's score (the OOV id)"))  # fmt: skip

    ranged = FeatureSpec([CategoricalFeature("ad_id", dtype="int64", num_ids=1000)]).fit(
        pd.DataFrame({"ad_id": [1, 2]})
    )
    case("id outside num_ids", "ad_id = 1000 in a frame (num_ids=1000)",
         lambda: ranged.frame_to_arrays(pd.DataFrame({"ad_id": [5, 1000]})))  # fmt: skip

    behaviour_spec, behaviour = tiny_behaviour_data()
    din = DIN(behaviour_spec, attention_units=[4], hidden_units=[4])
    sample = {k: v[:2] for k, v in behaviour_spec.frame_to_arrays(behaviour).items()}
    width = behaviour_spec["history_items"].max_length

    def din_score(features):
        return np.asarray(din.predict(features, verbose=0)).reshape(-1)

    rows = behaviour.iloc[np.argsort([-len(h) for h in behaviour["history_items"]])[:4]]

    def histories(steps, keep=None):
        """The candidates of `sample` with histories of `steps` entries (one
        row's history after another's), or only their latest `keep`."""
        out = dict(sample)
        for f in behaviour_spec.sequence:
            lists = [(list(a) + list(b))[-steps:] if steps else [] for a, b in
                     zip(rows[f.name].iloc[:2], rows[f.name].iloc[2:])]  # fmt: skip
            lists = [x[-keep:] for x in lists] if keep else lists
            array = np.full((2, max(map(len, lists))), f.pad, dtype=sample[f.name].dtype)
            for i, x in enumerate(lists):
                array[i, : len(x)] = x
            out[f.name] = array
        return out

    case("empty history", "history of 0 steps ([2, 0] tensor)", lambda: din_score(histories(0)),
         lambda got: f"scores {np.round(got, 4).tolist()}")  # fmt: skip
    latest = din_score(histories(2 * width, keep=width))
    case("over-long history", f"{2 * width} steps, max_length {width}",
         lambda: din_score(histories(2 * width)),
         same_as(latest, f"the score of its latest {width} steps"))  # fmt: skip
    text = behaviour.head(2).copy()
    text["history_items"] = ["1 2 3", "4"]
    case("history as text", "history_items = '1 2 3'",
         lambda: behaviour_spec.frame_to_arrays(text))  # fmt: skip
    padded = behaviour.head(2).copy()
    padded["history_items"] = [[3, -1, 4], [5]]
    case("history with its padding value", "history_items = [3, -1, 4]",
         lambda: behaviour_spec.frame_to_arrays(padded))  # fmt: skip
    cases.extend(_file_cases(workdir, frame, spec))
    return cases


def _file_cases(workdir, frame, spec):
    from tfrank.cli.main import main

    def cli(name, given, argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        message = err.getvalue().strip().splitlines()
        return _row(name, given, "error" if code else "scores", f"exit {code}: {message[-1]}")

    def path(name, text):
        full = os.path.join(workdir, name)
        with open(full, "w") as f:
            f.write(text)
        return full

    features = os.path.join(workdir, "spec.json")
    spec.save(features)
    good = path("good.csv", frame.to_csv(index=False))
    train = ["train", "--model", "fm", "--epochs", "1", "--output", os.path.join(workdir, "out")]
    marker = os.path.join(workdir, "PWNED")
    evil = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    keras_dir = os.path.join(workdir, "lambda_model")
    _lambda_model(os.path.join(keras_dir, "model.keras"))
    tables = {
        "empty": "",
        "header": "site,app,label\n",
        "columns": frame.drop(columns=["price", "age"]).to_csv(index=False),
        "ragged": "site,label\na,1\nb,0,7,8\n",
        "unlabelled": frame.drop(columns="label").to_csv(index=False),
    }
    data = {k: ["--data", f"csv:{path(k + '.csv', v)}", "--features", features]
            for k, v in tables.items()}  # fmt: skip
    with_good = [*train, "--data", f"csv:{good}"]
    return [
        cli("empty file", "a 0-byte CSV", train + data["empty"]),
        cli("header only", "a CSV without rows", train + data["header"]),
        cli("wrong columns", "a CSV without 'price' and 'age'", train + data["columns"]),
        cli("ragged CSV", "a row with extra fields", train + data["ragged"]),
        cli("missing label", "a CSV without 'label'", train + data["unlabelled"]),
        cli("YAML that runs code", "--config with !!python/object/apply",
            [*with_good, "--features", features, "--config", path("evil.yaml", evil)]),
        cli("YAML that runs code", "--features with !!python/object/apply",
            [*with_good, "--features", path("evil_spec.yaml", evil)]),
        cli("bad JSON", "--config with a syntax error",
            [*with_good, "--features", features, "--config", path("bad.json", '{"units": [8,')]),
        cli(".keras with a Python lambda", "tfrank export of such a model",
            ["export", "--model-dir", keras_dir]),
    ]  # fmt: skip


def _lambda_model(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(path)


def _row(case, given, outcome, message):
    return {"case": case, "input": given, "outcome": outcome, "message": message}
