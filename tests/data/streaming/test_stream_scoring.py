"""Scoring files chunk by chunk gives the scores of the same rows in memory."""

import pandas as pd
import pytest

from tests.helpers.data import write_criteo_shards
from tfrank.data import load_criteo
from tfrank.data.criteo import criteo_feature_spec
from tfrank.data.streaming import StreamSettings
from tfrank.models import DeepFM


def test_streamed_scores_equal_in_memory_scores(tmp_path):
    shards = write_criteo_shards(str(tmp_path / "logs"))
    frame = pd.concat([load_criteo(p) for p in shards], ignore_index=True)
    model = DeepFM(criteo_feature_spec(4).fit(frame), hidden_units=[8])
    streamed = model.score_files(f"criteo:{tmp_path / 'logs'}", StreamSettings("always", verbose=0))
    in_memory = model.score(frame)
    assert streamed["rows"] == in_memory["rows"] == len(frame)
    assert streamed["auc"] == pytest.approx(in_memory["auc"], abs=1e-9)
    assert streamed["logloss"] == pytest.approx(in_memory["logloss"], rel=1e-6)
    # Small files are read in memory by default: nothing to stream.
    assert model.score_files(f"criteo:{tmp_path / 'logs'}") is None
