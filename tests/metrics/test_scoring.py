"""Scoring: GAUC per weighting, from predictions and from a model."""

import numpy as np
import pytest

from tfrank.data import SyntheticCTR
from tfrank.metrics import gauc, score_frame, score_predictions
from tfrank.models import LogisticRegression

LABELS = [0, 1, 0, 1, 1, 1, 0, 0, 1]
SCORES = [0.2, 0.8, 0.9, 0.3, 0.1, 0.5, 0.3, 0.6, 0.4]
USERS = ["a", "a", "b", "b", "b", "b", "d", "d", "d"]


def test_score_predictions_reports_gauc_per_weighting():
    # a: AUC 1 (2 rows, 1 click), b: 0 (4 rows, 3 clicks), d: 0.5 (3 rows, 1 click)
    both = score_predictions(LABELS, SCORES, groups=USERS, gauc_weights=("impressions", "clicks"))
    assert both["gauc"] == pytest.approx(3.5 / 9)
    assert both["gauc_clicks"] == pytest.approx(1.5 / 5)
    assert sorted(score_predictions(LABELS, SCORES, groups=USERS)) == ["auc", "gauc", "logloss"]
    with pytest.raises(ValueError, match="weight must be one of"):
        score_predictions(LABELS, SCORES, groups=USERS, gauc_weights=("users",))


def test_score_frame_reports_the_weightings_a_model_lists():
    data = SyntheticCTR(seed=0)
    frame = data.sample(300)
    model = LogisticRegression(data.feature_spec().fit(frame))
    predicted = np.random.default_rng(0).random(len(frame))

    def predict(model, dataset):
        return predicted

    assert "gauc_clicks" not in score_frame(model, frame, group="user_id", predict=predict)
    model.gauc_weights = ("impressions", "clicks")
    result = score_frame(model, frame, group="user_id", predict=predict)
    expected = gauc(frame["label"], predicted, frame["user_id"], weight="clicks")
    assert result["gauc_clicks"] == pytest.approx(expected)
    assert not np.isclose(result["gauc_clicks"], result["gauc"])
