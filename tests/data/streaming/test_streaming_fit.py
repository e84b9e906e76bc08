"""A spec fitted in one streamed pass equals the in-memory fit on the same rows."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from tests.helpers.data import write_criteo_shards
from tfrank.data import load_criteo
from tfrank.data.criteo import CRITEO_FORMAT, criteo_feature_spec
from tfrank.data.streaming import ParquetFormat, StreamSource, held_out, list_shards, prepare_data
from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature, SequenceFeature


def assert_same_spec(streamed: FeatureSpec, in_memory: FeatureSpec):
    for a, b in zip(streamed.features, in_memory.features):
        a, b = a.to_config(), b.to_config()
        for key in ("mean", "variance"):
            if a.get(key) is not None:
                assert a.pop(key) == pytest.approx(b.pop(key), rel=1e-12), a["name"]
        assert a == b


def test_criteo_shards_csv_and_gzip_fit_like_memory(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    assert list_shards(str(tmp_path / "logs")) == shards  # one .gz among plain TSVs
    frame = pd.concat([load_criteo(p) for p in shards], ignore_index=True)
    spec = criteo_feature_spec(embedding_dim=4, min_count=2)
    capped = FeatureSpec([dataclasses.replace(f, max_vocabulary_size=20)
                          if f.kind == "categorical" else f for f in spec.features])  # fmt: skip
    train = frame[~held_out(np.arange(len(frame)), 0.1, seed=5)]
    for declared in (spec, capped):
        data = prepare_data(StreamSource(CRITEO_FORMAT, shards), declared, "label",
                            str(tmp_path / "prepared"), seed=5, verbose=0,
                            chunk_bytes=10_000)  # fmt: skip
        assert data.rows("train") == len(train) and data.manifest["spec_fit_exact"]
        assert_same_spec(data.spec, declared.fit(train))


def test_parquet_shards_with_histories_and_int_ids_fit_like_memory(tmp_path):
    rng = np.random.default_rng(0)
    frames = []
    for k in range(3):
        n = 120
        frame = pd.DataFrame({
            "label": rng.integers(0, 2, n),
            "item": rng.integers(0, 40, n),
            "site": rng.choice(["a", "b", "c", "d"], n),
            "price": rng.lognormal(0, 1, n).astype(np.float32),
            "history": [list(rng.integers(0, 60, rng.integers(0, 6))) for _ in range(n)],
        })  # fmt: skip
        frame.loc[3, "price"] = np.nan
        frame.to_parquet(tmp_path / f"part-{k}.parquet")
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    spec = FeatureSpec([
        CategoricalFeature("item", dtype="int64", min_count=2, max_vocabulary_size=30),
        CategoricalFeature("site"),
        NumericFeature("price", log_transform=True),
        SequenceFeature("history", shares="item", max_length=4),
    ])  # fmt: skip
    shards = list_shards(str(tmp_path / "part-*.parquet"))
    data = prepare_data(StreamSource(ParquetFormat(), shards), spec, ["label"],
                        str(tmp_path / "prepared"), verbose=0)  # fmt: skip
    train = frame[~held_out(np.arange(len(frame)), 0.1, seed=0)]
    assert_same_spec(data.spec, spec.fit(train))
    # Histories come back padded as in memory: the most recent entries first.
    features, _ = next(iter(data.dataset("train", batch_size=len(train))))
    expected = data.spec.frame_to_arrays(train)["history"]
    width = expected.shape[1]
    np.testing.assert_array_equal(features["history"].numpy()[:, :width], expected)
