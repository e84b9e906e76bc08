"""`tfrank` commands given bad files, flags, configs and models."""

from __future__ import annotations

import os

import keras
import numpy as np
import pandas as pd

from tests.cli.bad_inputs.harness import case_row


def command_cases(workdir, frame, spec, command):
    from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature

    cases = []

    def cli(row, name, given, argv, expected=None):
        code, stderr = command(argv)
        outcome = "error" if code else "scores"
        row = case_row(row, name, given, outcome, f"exit {code}: {stderr.strip()}")
        cases.append({**row, "command": argv, "exit_code": code, "stderr": stderr})

    def path(name, text):
        full = os.path.join(workdir, name)
        with open(full, "w") as f:
            f.write(text)
        return full

    os.makedirs(os.path.join(workdir, "spec"), exist_ok=True)
    features = os.path.join(workdir, "spec.json")
    spec.save(features)
    good = path("clicks.csv", frame.to_csv(index=False))
    out = os.path.join(workdir, "out")
    train = ["train", "--model", "fm", "--epochs", "1", "--output", out]
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
    absent = os.path.join(workdir, "absent")
    cli(
        "absent file",
        "absent file",
        "--data csv: of a file that is not there",
        [*train, "--data", f"csv:{absent}/clicks.csv", "--features", features],
    )
    cli("0-byte file", "empty file", "a 0-byte CSV", train + data["empty"])
    cli(
        "CSV with a header and no rows", "header only", "a CSV without rows", train + data["header"]
    )
    cli(
        "CSV without some feature columns",
        "wrong columns",
        "a CSV without 'price' and 'age'",
        train + data["columns"],
    )
    cli("ragged CSV", "ragged CSV", "a row with extra fields", train + data["ragged"])
    cli(
        "CSV without the label",
        "missing label",
        "a CSV without 'label'",
        train + data["unlabelled"],
    )
    cli(
        "a plain table without `--features`",
        "no feature spec",
        "a CSV without --features",
        with_good,
    )
    row = "absent `--features` / `--config` file"
    cli(
        row,
        "absent spec file",
        "--features of a file that is not there",
        [*with_good, "--features", f"{absent}/spec.yaml"],
    )
    cli(
        row,
        "absent config file",
        "--config of a file that is not there",
        [*with_good, "--features", features, "--config", f"{absent}/config.json"],
    )
    row = "`--config` / `--features` YAML with a `!!python/...` tag"
    cli(
        row,
        "YAML that runs code",
        "--config with !!python/object/apply",
        [*with_good, "--features", features, "--config", path("evil.yaml", evil)],
    )
    cli(
        row,
        "YAML that runs code",
        "--features with !!python/object/apply",
        [*with_good, "--features", path(os.path.join("spec", "evil.yaml"), evil)],
    )
    cli(
        "`--config` with broken JSON",
        "bad JSON",
        "--config with a syntax error",
        [*with_good, "--features", features, "--config", path("bad.json", '{"units": [8,')],
    )
    cli(
        "a `.keras` file holding a Python lambda",
        ".keras with a Python lambda",
        "tfrank export of such a model",
        ["export", "--model-dir", keras_dir],
    )
    cli(
        "a model directory without `model.keras`",
        "no model",
        "tfrank evaluate of an empty directory",
        ["evaluate", "--model-dir", os.path.join(workdir, "run")],
    )
    cli("unknown model", "unknown model", "--model nope", ["train", "--model", "nope"])
    cli(
        "data spec without a path",
        "data spec without a path",
        "--data criteo",
        [*train, "--data", "criteo"],
    )
    cli(
        "a strategy the family cannot train under",
        "strategy",
        "gmf with --strategy mirrored",
        ["train", "--model", "gmf", "--strategy", "mirrored", "--output", out],
    )

    ranged = FeatureSpec([CategoricalFeature("ad_id", dtype="int64", num_ids=1000, embedding_dim=4),
                          NumericFeature("price", embedding_dim=4)])  # fmt: skip
    ranged_spec = os.path.join(workdir, "ranged.json")
    ranged.save(ranged_spec)
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"ad_id": rng.integers(0, 1000, 200), "price": rng.normal(size=200),
                          "label": rng.integers(0, 2, 200)})  # fmt: skip
    # Row 1 of 200: the training split shuffles rows; the error names the row of the file.
    table.loc[1, "ad_id"] = 1000
    cli("a negative or too large id of a `num_ids` feature", "id outside num_ids",
        "ad_id = 1000 at row 1 of a CSV given to tfrank train",
        [*train, "--data", f"csv:{path('ids.csv', table.to_csv(index=False))}",
         "--features", ranged_spec])  # fmt: skip
    table.loc[1, "ad_id"] = 5
    table.loc[1, "price"] = 1e39
    cli("±inf (or a value beyond float32) in a numeric column", "beyond float32",
        "price = 1e39 at row 1 of a CSV given to tfrank train",
        [*train, "--data", f"csv:{path('huge.csv', table.to_csv(index=False))}",
         "--features", ranged_spec])  # fmt: skip

    # A learning rate that makes the loss NaN within a few steps; the steps
    # before it are checkpointed, and the run started again with another
    # seed meets that checkpoint.
    diverging = ["train", "--model", "fm", "--data", "synthetic:2000", "--epochs", "1",
                 "--batch-size", "256", "--learning-rate", "1e30", "--checkpoint-every", "1",
                 "--output", os.path.join(workdir, "diverged")]  # fmt: skip
    cli(
        "a loss that becomes NaN or infinite (exit code 1)",
        "loss became NaN",
        "--learning-rate 1e30",
        diverging,
    )
    cli(
        "a checkpoint written with other settings",
        "checkpoint of another run",
        "the same command with --seed 1",
        [*diverging, "--seed", "1"],
    )
    return cases


def _lambda_model(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(path)
