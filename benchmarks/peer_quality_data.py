"""The rows of `peer_quality.py`'s settings, for tfrank and for the peer.

`prepare(setting, args, folder, embedding_dim)` loads and splits a setting's data as its
own benchmark does (frappe.py, behaviour_amazon.py, multi_task.py), then
writes to `folder`:

- `frames.pkl`: the raw train / validation / test frames (tfrank trains on
  these through its public API);
- `spec.json`, `meta.json`: the unfitted `FeatureSpec`, label column(s),
  GAUC group, and for the peer each input's vocabulary size and width;
- `encoded.npz`: the same rows encoded by tfrank's `FeatureTransform` with
  the spec fitted on the training rows (ids, normalised numerics, padded
  histories), under the names DeepCTR's models look for: a history that
  shares `item_id` is `hist_item_id`, its length `seq_length`, and
  `neg_hist_*` are random negative behaviours for DIEN's auxiliary loss.

tfrank's `train` fits the same spec on the same training rows, so both
libraries read the same ids.
"""

import json
import os

import numpy as np
import pandas as pd
from frappe import SPLIT_SEED

from tfrank.data import (
    DataSource,
    behaviour_feature_spec,
    build_sample_splits,
    census_income_feature_spec,
    frappe_feature_spec,
    load_amazon_s3rec,
    load_census_income,
    load_frappe,
    train_validation_test_split,
)
from tfrank.data.census_income import TASKS
from tfrank.layers import FeatureTransform

SPLITS = ("train", "validation", "test")
# The user sample of `--beauty-users` and DIEN's negative behaviours.
SAMPLE_SEED = 0
MAX_HISTORY = 50
CHUNK = 65536


def load_parts(setting, args, embedding_dim):
    """`(train, validation, test frames, unfitted spec, label, group)`, or
    None when the setting's data is not on this machine."""
    if setting == "frappe":
        if not os.path.isdir(args.frappe):
            return None
        parts = train_validation_test_split(load_frappe(args.frappe), (0.8, 0.1, 0.1),
                                            seed=SPLIT_SEED)  # fmt: skip
        return (*parts, frappe_feature_spec(embedding_dim), "label", None)
    if setting == "census":
        if not os.path.exists(args.census):
            return None
        parts = train_validation_test_split(load_census_income(args.census), (0.8, 0.1, 0.1),
                                            seed=0)  # fmt: skip
        return (*parts, census_income_feature_spec(embedding_dim), list(TASKS), None)
    if not os.path.isdir(args.amazon):
        return None
    events = load_amazon_s3rec(args.amazon, "Beauty")
    if args.beauty_users:
        users = np.sort(events["user_id"].unique())
        rng = np.random.default_rng(SAMPLE_SEED)
        keep = rng.choice(users, min(args.beauty_users, len(users)), replace=False)
        events = events[events["user_id"].isin(keep)]
    parts = build_sample_splits(events, max_history=MAX_HISTORY)
    return (*parts, behaviour_feature_spec(MAX_HISTORY, embedding_dim), "label", "user_id")


def prepare(setting, args, folder, embedding_dim):
    """Writes the setting's files to `folder`; returns `meta` (None when the
    data is absent)."""
    loaded = load_parts(setting, args, embedding_dim)
    if loaded is None:
        return None
    *frames, spec, label, group = loaded
    frames = dict(zip(SPLITS, frames))
    pd.to_pickle(frames, os.path.join(folder, "frames.pkl"))
    spec.save(os.path.join(folder, "spec.json"))
    fitted = spec.fit(frames["train"])
    transform = FeatureTransform(fitted)
    arrays = {}
    for split, frame in frames.items():
        for name, values in encode(fitted, transform, frame).items():
            arrays[f"{split}/{name}"] = values
    labels = [label] if isinstance(label, str) else label
    for split, frame in frames.items():
        for name in labels:
            arrays[f"{split}/label/{name}"] = frame[name].to_numpy(np.float32)
    if fitted.sequence:
        add_negative_histories(fitted, arrays)
    np.savez(os.path.join(folder, "encoded.npz"), **arrays)
    meta = {
        "setting": setting,
        "label": label,
        "group": group,
        "rows": {split: len(frame) for split, frame in frames.items()},
        **peer_columns(fitted),
    }
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def peer_columns(spec):
    """What the peer's feature columns need: each categorical input's
    vocabulary size and width, the numeric inputs, the histories."""
    sparse = [
        {"name": f.name, "vocabulary_size": f.vocabulary_size, "embedding_dim": f.embedding_dim}
        for f in spec.categorical
    ]
    histories = [
        {"name": f"hist_{f.shares}", "shares": f.shares, "maxlen": f.max_length}
        for f in spec.sequence
        if f.shares
    ]
    return {"sparse": sparse, "dense": [f.name for f in spec.numeric], "histories": histories}


def encode(spec, transform, frame):
    """`{input name: array}` of `frame`, encoded in chunks by `transform`."""
    parts = {}
    for start in range(0, len(frame), CHUNK):
        out = transform(spec.frame_to_arrays(frame.iloc[start : start + CHUNK]))
        for f in spec.categorical:
            parts.setdefault(f.name, []).append(np.asarray(out["ids"][f.name], np.int32))
        for i, f in enumerate(spec.numeric):
            parts.setdefault(f.name, []).append(np.asarray(out["numeric"][:, i : i + 1]))
        for f in spec.sequence:
            if not f.shares:
                continue
            ids = np.asarray(out["sequences"][f.name], np.int32)
            ids = np.pad(ids, ((0, 0), (0, f.max_length - ids.shape[1])))
            parts.setdefault(f"hist_{f.shares}", []).append(ids)
            if f.length_from is None:
                lengths = np.asarray(out["masks"][f.name]).sum(axis=1).astype(np.int32)
                parts.setdefault("seq_length", []).append(lengths)
    return {name: np.concatenate(chunks) for name, chunks in parts.items()}


def add_negative_histories(spec, arrays):
    """`neg_hist_<feature>`: per real behaviour step, an item drawn uniformly
    from the training candidates, with that item's other ids (its
    category); zero on padding, like the histories."""
    shared = [f.shares for f in spec.sequence if f.shares]
    primary = shared[0]
    train = {name: arrays[f"train/{name}"] for name in shared}
    items, first = np.unique(train[primary], return_index=True)
    rng = np.random.default_rng(SAMPLE_SEED)
    for split in SPLITS:
        history = arrays[f"{split}/hist_{primary}"]
        pick = rng.integers(0, len(items), history.shape)
        real = history > 0
        for name in shared:
            values = train[name][first][pick]
            arrays[f"{split}/neg_hist_{name}"] = np.where(real, values, 0).astype(np.int32)


def test_labels(folder, meta):
    """`{label name: test labels}` and the test rows' groups (or None)."""
    frames = pd.read_pickle(os.path.join(folder, "frames.pkl"))
    test = frames["test"]
    labels = [meta["label"]] if isinstance(meta["label"], str) else meta["label"]
    groups = test[meta["group"]].to_numpy() if meta["group"] else None
    return {name: test[name].to_numpy(np.float32) for name in labels}, groups


def data_source(frame, spec, meta, split):
    return DataSource(frame, spec, label=meta["label"], group=meta["group"],
                      name=f"{meta['setting']}-{split}")  # fmt: skip
