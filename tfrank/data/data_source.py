"""Data specs of the CLI: `synthetic[:ROWS]`, `criteo:PATH`, `avazu:PATH`, ..."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from tfrank.data.avazu import avazu_feature_spec, load_avazu
from tfrank.data.criteo import criteo_feature_spec, load_criteo
from tfrank.data.frames import read_table
from tfrank.data.frappe import frappe_feature_spec, load_frappe
from tfrank.data.synthetic_ctr import SyntheticCTR
from tfrank.features.feature_spec import FeatureSpec

DEFAULT_SYNTHETIC_ROWS = 200_000


@dataclasses.dataclass
class DataSource:
    """A loaded table with what the CLI needs to train on it.

    Attributes:
        frame: the rows (label + raw feature columns).
        feature_spec: unfitted default `FeatureSpec` for this data.
        label: name of the label column (a list for multi-task data).
        group: column to compute GAUC over (a user id), or `None`.
        name: the spec string it came from.
    """

    frame: pd.DataFrame
    feature_spec: FeatureSpec
    label: str | list[str] = "label"
    group: str | None = None
    name: str = ""


def load_data(
    spec: str, synthetic: str = "ctr", seed: int = 0, nrows=None, held_out=False
) -> DataSource:
    """Loads a data spec string.

    - `synthetic` or `synthetic:ROWS`: the generator the model asks for
      (`synthetic`, e.g. `"ctr"` for `SyntheticCTR`), seeded by `seed`;
      `held_out=True` draws fresh rows from the same generator (evaluation);
    - `criteo:PATH`, `avazu:PATH`: the public CTR logs' formats;
    - `frappe:PATH`: Frappe's libFM files (a file, or a folder of them);
    - `ml100k:PATH[:FOLD]`: a MovieLens-100K split's ratings (`u1`..`u5`,
      `ua`, `ub`; default `u1`): its `.base` file, or `.test` when `held_out`;
    - `amazon:PATH[:NAME]`: S3-Rec's Amazon sequences (`Beauty`, default,
      or `Toys_and_Games`), `taobao:PATH`: a Taobao UserBehavior CSV; both
      as behaviour samples (history of the 50 latest events, one sampled
      negative per click; `held_out` gives each user's last click);
    - `census:PATH`: UCI census-income (KDD), two tasks `income` and
      `never_married` (multi-task models); `aliccp:PATH`: an Ali-CCP CSV,
      tasks `click` and `purchase`;
    - `csv:PATH`, `parquet:PATH`: any table with a `label` column (needs a
      feature spec file).
    """
    kind, _, arg = spec.partition(":")
    if kind == "synthetic":
        rows = int(arg) if arg else DEFAULT_SYNTHETIC_ROWS
        if synthetic not in SYNTHETIC_SOURCES:
            raise ValueError(f"No synthetic data named {synthetic!r}.")
        return SYNTHETIC_SOURCES[synthetic](rows, seed, spec, held_out)
    if not arg:
        raise ValueError(f"Data spec {spec!r} needs a path: '{kind}:PATH'.")
    if kind == "criteo":
        return DataSource(load_criteo(arg, nrows), criteo_feature_spec(), name=spec)
    if kind == "avazu":
        return DataSource(load_avazu(arg, nrows), avazu_feature_spec(), name=spec)
    if kind == "frappe":
        frame = load_frappe(arg)
        return DataSource(frame.head(nrows) if nrows else frame, frappe_feature_spec(), name=spec)
    if kind == "ml100k":
        from tfrank.data.movielens import load_movielens_100k, movielens_feature_spec

        folder, _, fold = arg.partition(":")
        train, test = load_movielens_100k(folder, fold or "u1")
        frame = test if held_out else train
        return DataSource(frame.head(nrows) if nrows else frame, movielens_feature_spec(),
                          label="rating", group="user_id", name=spec)  # fmt: skip
    if kind == "census":
        from tfrank.data.census_income import TASKS, census_income_feature_spec, load_census_income

        frame = load_census_income(arg)
        return DataSource(frame.head(nrows) if nrows else frame, census_income_feature_spec(),
                          label=TASKS, name=spec)  # fmt: skip
    if kind == "aliccp":
        from tfrank.data.ali_ccp import TASKS, ali_ccp_feature_spec, load_ali_ccp

        frame = load_ali_ccp(arg)
        return DataSource(frame.head(nrows) if nrows else frame, ali_ccp_feature_spec(frame),
                          label=TASKS, name=spec)  # fmt: skip
    if kind in ("amazon", "taobao"):
        return _behaviour_log(kind, arg, seed, spec, held_out, nrows)
    if kind in ("csv", "parquet", "table"):
        return DataSource(read_table(arg, nrows), FeatureSpec([]), name=spec)
    raise ValueError(
        f"Unknown data spec {spec!r}: use synthetic[:ROWS], criteo:PATH, avazu:PATH, "
        "frappe:PATH, ml100k:PATH[:FOLD], amazon:PATH[:NAME], taobao:PATH, census:PATH, "
        "aliccp:PATH, csv:PATH or parquet:PATH."
    )


def _synthetic_ctr(rows, seed, name, held_out):
    generator = SyntheticCTR(seed=seed)
    frame = generator.sample(rows, seed=seed + 1000 if held_out else None)
    return DataSource(frame, generator.feature_spec(), group="user_id", name=name)


def load_implicit(spec: str, seed: int = 0):
    """Implicit-feedback data of the collaborative-filtering models:

    - `synthetic` or `synthetic:USERS`: `SyntheticCF` (planted user and
      item factors), leave-one-out with 99 sampled negatives;
    - `ncf:PATH`: NCF's MovieLens-1M split (`load_ncf_ml1m`).
    """
    from tfrank.data.movielens import load_ncf_ml1m
    from tfrank.data.synthetic_cf import SyntheticCF

    kind, _, arg = spec.partition(":")
    if kind == "synthetic":
        users = int(arg) if arg else 2000
        return SyntheticCF(num_users=users, seed=seed).implicit_feedback()
    if kind == "ncf" and arg:
        return load_ncf_ml1m(arg)
    raise ValueError(
        f"Unknown implicit-feedback data spec {spec!r}: use synthetic[:USERS] or ncf:PATH."
    )


def _synthetic_ratings(rows, seed, name, held_out):
    from tfrank.data.movielens import movielens_feature_spec
    from tfrank.data.synthetic_cf import SyntheticCF

    # ROWS sets the users (30 ratings each on average); held-out rows are a
    # fixed tenth the training rows never include.
    users = max(50, rows // 30) if rows != DEFAULT_SYNTHETIC_ROWS else 2000
    frame = SyntheticCF(num_users=users, seed=seed).ratings_frame()
    test = np.random.default_rng(seed).random(len(frame)) < 0.1
    frame = frame[test if held_out else ~test].reset_index(drop=True)
    return DataSource(frame, movielens_feature_spec(), label="rating", group="user_id", name=name)


def _behaviour_log(kind, arg, seed, name, held_out, nrows, max_history=50):
    from tfrank.data.behaviour_logs import load_amazon_s3rec, load_taobao_user_behavior
    from tfrank.data.behaviour_samples import build_samples
    from tfrank.data.synthetic_behaviour import behaviour_feature_spec

    if kind == "amazon":
        folder, _, dataset = arg.partition(":")
        events = load_amazon_s3rec(folder, dataset or "Beauty")
    else:
        events = load_taobao_user_behavior(arg)
    train, test = build_samples(events, max_history=max_history, seed=seed)
    frame = test if held_out else train
    frame = frame.head(nrows) if nrows else frame
    spec = behaviour_feature_spec(max_length=max_history)
    return DataSource(frame, spec, group="user_id", name=name)


def _synthetic_behaviour(rows, seed, name, held_out):
    from tfrank.data.synthetic_behaviour import SyntheticBehaviour

    # ROWS sets the users (about 140 samples each); the held-out rows are
    # every user's last click and its negative.
    users = max(20, rows // 140) if rows != DEFAULT_SYNTHETIC_ROWS else 1500
    data = SyntheticBehaviour(num_users=users, seed=seed)
    train, test = data.samples(max_history=data.max_events)
    return DataSource(test if held_out else train, data.feature_spec(), group="user_id", name=name)


def _synthetic_multitask(rows, seed, name, held_out):
    from tfrank.data.synthetic_multitask import SyntheticMultiTask

    data = SyntheticMultiTask(seed=seed)
    frame = data.sample(rows, seed=seed + 1000 if held_out else None)
    return DataSource(frame, data.feature_spec(), label=data.task_names, name=name)


# Later model families register the generator their models train on by default.
SYNTHETIC_SOURCES = {
    "ctr": _synthetic_ctr,
    "ratings": _synthetic_ratings,
    "behaviour": _synthetic_behaviour,
    "multitask": _synthetic_multitask,
}
