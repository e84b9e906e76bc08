"""The data specs each model family reads (see `tfrank.data.data_source`).

Every family has a `synthetic[:N]` kind, its default data, with structure a
model of the family can learn; `csv:PATH` / `parquet:PATH` read a user's own
table, in the form the family needs.
"""

from __future__ import annotations

import numpy as np

from tfrank.data.avazu import AVAZU_FORMAT, avazu_feature_spec, load_avazu
from tfrank.data.behaviour_logs import load_amazon_s3rec, load_taobao_user_behavior
from tfrank.data.behaviour_samples import build_samples
from tfrank.data.census_income import TASKS as CENSUS_TASKS
from tfrank.data.census_income import census_income_feature_spec, load_census_income
from tfrank.data.criteo import CRITEO_FORMAT, criteo_feature_spec, load_criteo
from tfrank.data.data_source import DataSource, SourceKind
from tfrank.data.frames import read_shards, read_table
from tfrank.data.frappe import frappe_feature_spec, load_frappe
from tfrank.data.interaction_table import (
    id_dtype,
    implicit_feedback_from_table,
    read_interactions,
    split_ratings,
    user_item_spec,
)
from tfrank.data.movielens import load_movielens_100k, load_ncf_ml1m, movielens_feature_spec
from tfrank.data.streaming.delimited_format import DelimitedFormat
from tfrank.data.streaming.parquet_format import ParquetFormat
from tfrank.data.streaming.prepared_data import PreparedData
from tfrank.data.synthetic_behaviour import SyntheticBehaviour, behaviour_feature_spec
from tfrank.data.synthetic_cf import SyntheticCF
from tfrank.data.synthetic_ctr import SyntheticCTR
from tfrank.data.synthetic_multitask import SyntheticMultiTask
from tfrank.features.feature_spec import FeatureSpec

DEFAULT_SYNTHETIC_ROWS = 200_000
BEHAVIOUR_HISTORY = 50


def _rows(argument):
    return int(argument) if argument else DEFAULT_SYNTHETIC_ROWS


def _synthetic_ctr(argument, seed, held_out, name):
    generator = SyntheticCTR(seed=seed)
    frame = generator.sample(_rows(argument), seed=seed + 1000 if held_out else None)
    return DataSource(frame, generator.feature_spec(), group="user_id", name=name)


def _table(argument, seed, held_out, name):
    return DataSource(read_shards(argument, read_table), FeatureSpec([]), name=name)


def _criteo(argument, seed, held_out, name):
    return DataSource(read_shards(argument, load_criteo), criteo_feature_spec(), name=name)


def _avazu(argument, seed, held_out, name):
    return DataSource(read_shards(argument, load_avazu), avazu_feature_spec(), name=name)


def _prepared(argument, seed, held_out, name):
    # Encoded shards with their fitted spec (`tfrank prepare`); always streamed.
    return PreparedData(argument)


def _frappe(argument, seed, held_out, name):
    return DataSource(load_frappe(argument), frappe_feature_spec(), name=name)


def _synthetic_ratings(argument, seed, held_out, name):
    # N sets the users (30 ratings each on average); held-out rows are a
    # fixed tenth the training rows never include.
    users = max(50, int(argument) // 30) if argument else 2000
    frame = SyntheticCF(num_users=users, seed=seed).ratings_frame()
    test = np.random.default_rng(seed).random(len(frame)) < 0.1
    frame = frame[test if held_out else ~test].reset_index(drop=True)
    return DataSource(frame, movielens_feature_spec(), label="rating", group="user_id", name=name)


def _ml100k(argument, seed, held_out, name):
    folder, _, fold = argument.partition(":")
    train, test = load_movielens_100k(folder, fold or "u1")
    return DataSource(test if held_out else train, movielens_feature_spec(), label="rating",
                      group="user_id", name=name)  # fmt: skip


def _rating_table(argument, seed, held_out, name):
    frame = read_interactions(argument, required=("user_id", "item_id", "rating"))
    train, test = split_ratings(frame, seed)
    return DataSource(test if held_out else train, user_item_spec(frame), label="rating",
                      group="user_id", name=name)  # fmt: skip


def _synthetic_behaviour(argument, seed, held_out, name):
    # N sets the users (about 140 samples each); the held-out rows are every
    # user's last click and its negative.
    users = max(20, int(argument) // 140) if argument else 1500
    data = SyntheticBehaviour(num_users=users, seed=seed)
    train, test = data.samples(max_history=data.max_events)
    return DataSource(test if held_out else train, data.feature_spec(), group="user_id", name=name)


def _behaviour_samples(events, seed, held_out, name):
    train, test = build_samples(events, max_history=BEHAVIOUR_HISTORY, seed=seed)
    spec = behaviour_feature_spec(
        max_length=BEHAVIOUR_HISTORY, category="category" in events.columns,
        dtype={c: id_dtype(events[c]) for c in ("user_id", "item_id", "category") if c in events},
    )  # fmt: skip
    return DataSource(test if held_out else train, spec, group="user_id", name=name)


def _amazon(argument, seed, held_out, name):
    folder, _, dataset = argument.partition(":")
    return _behaviour_samples(load_amazon_s3rec(folder, dataset or "Beauty"), seed, held_out, name)


def _taobao(argument, seed, held_out, name):
    return _behaviour_samples(load_taobao_user_behavior(argument), seed, held_out, name)


def _event_table(argument, seed, held_out, name):
    table = read_table(argument)
    if "label" in table.columns:  # samples built elsewhere: rows as they are
        return DataSource(table, FeatureSpec([]), group="user_id", name=name)
    events = read_interactions(argument, required=("user_id", "item_id", "timestamp"))
    return _behaviour_samples(events, seed, held_out, name)


def _synthetic_multitask(argument, seed, held_out, name):
    data = SyntheticMultiTask(seed=seed)
    frame = data.sample(_rows(argument), seed=seed + 1000 if held_out else None)
    return DataSource(frame, data.feature_spec(), label=data.task_names, name=name)


def _census(argument, seed, held_out, name):
    return DataSource(load_census_income(argument), census_income_feature_spec(),
                      label=CENSUS_TASKS, name=name)  # fmt: skip


def _ali_ccp(argument, seed, held_out, name):
    from tfrank.data.ali_ccp import TASKS, ali_ccp_feature_spec, load_ali_ccp

    frame = load_ali_ccp(argument)
    return DataSource(frame, ali_ccp_feature_spec(frame), label=TASKS, name=name)


def _synthetic_implicit(argument, seed, held_out, name):
    users = int(argument) if argument else 2000
    return SyntheticCF(num_users=users, seed=seed).implicit_feedback()


def _ncf(argument, seed, held_out, name):
    return load_ncf_ml1m(argument)


def _implicit_table(argument, seed, held_out, name):
    return implicit_feedback_from_table(read_interactions(argument), seed=seed, name=name)


_TABLES = {
    "csv": SourceKind("csv:PATH", _table, stream=DelimitedFormat("csv")),
    "parquet": SourceKind("parquet:PATH", _table, stream=ParquetFormat()),
    "prepared": SourceKind("prepared:DIR", _prepared),
}

CTR_SOURCES = {
    "synthetic": SourceKind("synthetic[:ROWS]", _synthetic_ctr, needs_argument=False),
    "criteo": SourceKind(
        "criteo:PATH", _criteo, stream=CRITEO_FORMAT, feature_spec=criteo_feature_spec
    ),
    "avazu": SourceKind("avazu:PATH", _avazu, stream=AVAZU_FORMAT, feature_spec=avazu_feature_spec),
    "frappe": SourceKind("frappe:PATH", _frappe),
    **_TABLES,
}
RATING_SOURCES = {
    "synthetic": SourceKind("synthetic[:ROWS]", _synthetic_ratings, needs_argument=False),
    "ml100k": SourceKind("ml100k:PATH[:FOLD]", _ml100k),
    "csv": SourceKind("csv:PATH (user_id, item_id, rating[, timestamp])", _rating_table),
    "parquet": SourceKind("parquet:PATH", _rating_table),
}
BEHAVIOUR_SOURCES = {
    "synthetic": SourceKind("synthetic[:ROWS]", _synthetic_behaviour, needs_argument=False),
    "amazon": SourceKind("amazon:PATH[:NAME]", _amazon),
    "taobao": SourceKind("taobao:PATH", _taobao),
    "csv": SourceKind("csv:PATH (user_id, item_id, timestamp[, category])", _event_table),
    "parquet": SourceKind("parquet:PATH", _event_table),
}
MULTITASK_SOURCES = {
    "synthetic": SourceKind("synthetic[:ROWS]", _synthetic_multitask, needs_argument=False),
    "census": SourceKind("census:PATH", _census),
    "aliccp": SourceKind("aliccp:PATH", _ali_ccp),
    **_TABLES,
}
IMPLICIT_SOURCES = {
    "synthetic": SourceKind("synthetic[:USERS]", _synthetic_implicit, needs_argument=False),
    "ncf": SourceKind("ncf:PATH", _ncf),
    "csv": SourceKind("csv:PATH (user_id, item_id[, timestamp])", _implicit_table),
    "parquet": SourceKind("parquet:PATH", _implicit_table),
}
