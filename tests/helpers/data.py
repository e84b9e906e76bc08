"""Small tables and specs for tests, and the per-model settings that keep them fast."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from tfrank.data import SyntheticBehaviour, TrainingData
from tfrank.features import CategoricalFeature, CrossedFeature, FeatureSpec, NumericFeature
from tfrank.models import BehaviourModel, ImplicitModel, MultiTaskModel, RankingModel, RatingModel

SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")

# Constructor arguments that keep each registered model small.
SMALL_CONFIGS = {
    "adatt": {"tasks": ["label", "label_2"], "tower_units": [4], "task_experts": 1,
              "shared_experts": 1, "expert_units": [4]},
    "afm": {"attention_units": 4},
    "autorec": {"hidden_units": 6},
    "biased_mf": {"factors": 4},
    "dcn": {"num_cross_layers": 2, "hidden_units": [8]},
    "dcn_v2": {"num_cross_layers": 2, "projection_dim": 3, "num_experts": 2,
               "hidden_units": [8]},
    "deep_crossing": {"residual_units": [8, 8]},
    "deepfm": {"hidden_units": [8, 4]},
    "dien": {"attention_units": [4], "auxiliary_units": [4], "hidden_units": [8]},
    "din": {"attention_units": [4], "hidden_units": [8]},
    "dlrm": {"bottom_units": [8], "top_units": [8]},
    "fm": {},
    "fnn": {"hidden_units": [8]},
    "gmf": {"factors": 4},
    "logistic_regression": {},
    "mmoe": {"tasks": ["label", "label_2"], "tower_units": [4], "num_experts": 2,
             "expert_units": [4]},
    "ncf_mlp": {"mlp_layers": [8, 4]},
    "neumf": {"factors": 4, "mlp_layers": [8, 4]},
    "nfm": {"hidden_units": [8]},
    "pnn": {"product": "both", "product_units": 8, "hidden_units": [4]},
    "ple": {"tasks": ["label", "label_2"], "tower_units": [4], "task_experts": 1,
            "shared_experts": 1, "expert_units": [4]},
    "seq_base": {"hidden_units": [8]},
    "shared_bottom": {"tasks": ["label", "label_2"], "tower_units": [4], "bottom_units": [8]},
    "sim": {"top_k": 3, "short_length": 2, "attention_units": [4], "hidden_units": [8],
            "time_buckets": 4},
    "wide_and_deep": {"hidden_units": [8, 4]},
}  # fmt: skip


def small_config(name: str) -> dict:
    return dict(SMALL_CONFIGS[name])


def shared_data_path(*parts) -> str:
    """Path under the public-data folder beside the checkout (may not exist).
    `$TFRANK_SHARED_DATA` overrides."""
    base = os.environ.get("TFRANK_SHARED_DATA") or SHARED_DATA
    return os.path.normpath(os.path.join(base, *parts))


def tiny_ctr_frame(rows: int = 256, seed: int = 0) -> pd.DataFrame:
    """Small mixed-type table: strings, int ids, counts with NaN, a label."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "site": rng.choice(["a", "b", "c", "d", "e"], rows),
            "app": rng.choice(["x", "y", "z"], rows),
            "hour": rng.integers(0, 24, rows).astype(np.int64),
            "price": rng.lognormal(1.0, 1.0, rows).astype(np.float32),
            "age": rng.normal(40, 10, rows).astype(np.float32),
        }
    )
    frame.loc[::9, "price"] = np.nan
    logit = (frame["site"] == "a") * 1.5 - (frame["app"] == "z") + 0.05 * (frame["hour"] - 12)
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return frame


def tiny_feature_spec(embedding_dim: int = 4) -> FeatureSpec:
    return FeatureSpec(
        [
            CategoricalFeature("site", embedding_dim=embedding_dim),
            CategoricalFeature("app", embedding_dim=embedding_dim, hash_buckets=7),
            CategoricalFeature("hour", dtype="int64", embedding_dim=embedding_dim),
            NumericFeature("price", log_transform=True, embedding_dim=embedding_dim),
            NumericFeature("age", embedding_dim=embedding_dim),
            CrossedFeature("site_x_hour", ["site", "hour"], hash_buckets=50),
        ]
    )


def tiny_implicit_frame(rows: int = 256, seed: int = 0) -> pd.DataFrame:
    """(user_id, item_id, label) rows of 30 users and 40 items: positives
    from a planted affinity, and as many negatives."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, 30, rows).astype(np.int64)
    items = rng.integers(0, 40, rows).astype(np.int64)
    affinity = np.cos(users * 0.7) * np.sin(items * 0.3)
    label = (rng.random(rows) < 1 / (1 + np.exp(-4 * affinity))).astype(np.int64)
    return pd.DataFrame({"user_id": users, "item_id": items, "label": label})


def tiny_implicit_spec(frame: pd.DataFrame | None = None) -> FeatureSpec:
    """A fitted user/item spec for `tiny_implicit_frame`."""
    spec = FeatureSpec(
        [CategoricalFeature("user_id", dtype="int64"), CategoricalFeature("item_id", dtype="int64")]
    )
    return spec.fit(tiny_implicit_frame() if frame is None else frame)


def tiny_behaviour_data():
    """`(spec, frame)`: a few hundred behaviour samples (histories up to 12
    kept 8 deep, empty ones included), for sequence models' tests."""
    data = SyntheticBehaviour(
        num_users=30, num_items=60, num_categories=5, min_events=1, max_events=12,
        revisit_gap=4, seed=0,
    )  # fmt: skip
    train, _ = data.samples(max_history=12, min_history=0)
    return data.feature_spec(max_length=8, embedding_dim=4).fit(train), train


# Ids encoded upstream (`num_ids`): a column of them joins every family's
# conformance rows, so that each export maps ids outside the range as Keras does.
CONFORMANCE_NUM_IDS = 6


def _with_num_ids(spec, frame, name="device"):
    frame = frame.copy()
    rng = np.random.default_rng(3)
    frame[name] = rng.integers(0, CONFORMANCE_NUM_IDS, len(frame)).astype(np.int64)
    feature = CategoricalFeature(name, dtype="int64", num_ids=CONFORMANCE_NUM_IDS, embedding_dim=4)
    return FeatureSpec([*spec.features, feature]), frame


def _ctr(spec, frame):
    return *_with_num_ids(spec, frame), "label"


def _behaviour(spec, frame):
    return *_with_num_ids(*tiny_behaviour_data()), "label"


def _multi_task(spec, frame):
    spec, frame = _with_num_ids(spec, frame)
    flip = np.random.default_rng(2).random(len(frame)) < 0.3
    frame["label_2"] = np.where(flip, 1 - frame["label"], frame["label"]).astype(np.float32)
    return spec, frame, ["label", "label_2"]


def _user_item_spec(frame):
    # Collaborative models take exactly a user and an item: the items (ids
    # 0..39) are the `num_ids` feature.
    users = tiny_implicit_spec(frame)["user_id"]
    return FeatureSpec([users, CategoricalFeature("item_id", dtype="int64", num_ids=40)])


def _implicit(spec, frame):
    frame = tiny_implicit_frame()
    return _user_item_spec(frame), frame, "label"


def _rating(spec, frame):
    frame = tiny_implicit_frame()
    rng = np.random.default_rng(1)
    frame["label"] = (2 + 2 * frame["label"] + rng.integers(0, 2, len(frame))).astype(np.float32)
    return _user_item_spec(frame), frame, "label"


# The conformance data of each family, keyed by the family's base class.
FAMILY_DATA = {
    RankingModel: _ctr,
    BehaviourModel: _behaviour,
    MultiTaskModel: _multi_task,
    ImplicitModel: _implicit,
    RatingModel: _rating,
}


def conformance_data(model_cls, ctr_spec, ctr_frame) -> TrainingData:
    """The rows a registered model trains on in the conformance test: the
    CTR table, behaviour samples for models that read histories, user/item
    rows for implicit-feedback models, the same rows with 1..5 ratings as
    `label` for rating models, or the CTR table with a second, correlated
    label `label_2` for multi-task models. Every family's spec has a
    `num_ids` feature: a `device` column of ids in `[0, CONFORMANCE_NUM_IDS)`
    beside the others, or the item ids of user/item models."""
    spec, frame, label = FAMILY_DATA[model_cls.family_base()](ctr_spec, ctr_frame)
    wanted = model_cls.default_feature_spec(spec, frame, {})
    if wanted is not spec:  # a column the model reads beyond the family's spec
        spec = wanted.fit(frame)
    return TrainingData.from_frame(frame, spec, label, batch_size=64)


def criteo_lines(rows: int, seed: int = 0, vocabulary: int = 300) -> list[str]:
    """Criteo-format TSV lines (label, I1-I13, C1-C26) with missing fields,
    Zipf-like categories and a click signal in C1 and I1."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 500, (rows, 13))
    ranks = np.minimum(rng.zipf(1.3, (rows, 26)), vocabulary)
    missing_counts = rng.random((rows, 13)) < 0.2
    missing_categories = rng.random((rows, 26)) < 0.1
    logit = -1.0 + 0.8 * (ranks[:, 0] % 3 == 0) + 0.3 * np.log1p(counts[:, 0]) / 6
    labels = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    lines = []
    for r in range(rows):
        ints = ["" if missing_counts[r, i] else str(counts[r, i]) for i in range(13)]
        cats = ["" if missing_categories[r, i] else f"{(ranks[r, i] * 2654435761 + i) % 2**32:08x}"
                for i in range(26)]  # fmt: skip
        lines.append("\t".join([str(labels[r]), *ints, *cats]))
    return lines


def write_criteo_shards(folder, rows_per_shard=(300, 250, 200), seed=0, gzip_index=1) -> list:
    """Writes Criteo shards `part-K.tsv` (`part-K.tsv.gz` for `gzip_index`);
    returns their paths in order."""
    import gzip

    os.makedirs(folder, exist_ok=True)
    paths = []
    for k, rows in enumerate(rows_per_shard):
        text = "\n".join(criteo_lines(rows, seed + k)) + "\n"
        if k == gzip_index:
            path = os.path.join(folder, f"part-{k}.tsv.gz")
            with gzip.open(path, "wt") as f:
                f.write(text)
        else:
            path = os.path.join(folder, f"part-{k}.tsv")
            with open(path, "w") as f:
                f.write(text)
        paths.append(path)
    return paths
