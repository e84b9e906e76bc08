"""`tfrank train` / `evaluate` for the rating models (RMSE protocol)."""

import json

import numpy as np
import pytest

from tfrank.data.movielens import load_movielens_100k
from tfrank.models import BiasedMF
from tfrank.training import evaluate, train


def _global_mean_rmse(train_ratings, test_ratings) -> float:
    """RMSE of predicting the training ratings' mean for every test rating: what
    a model that learned nothing about users or items scores at best."""
    mean = np.mean(np.asarray(train_ratings, np.float64))
    return float(np.sqrt(np.mean((np.asarray(test_ratings, np.float64) - mean) ** 2)))


@pytest.mark.parametrize("model", ["autorec", "biased_mf"])
def test_rating_models_train_on_synthetic_ratings_by_default(model, tmp_path):
    config = {"hidden_units": 16} if model == "autorec" else {}
    # Adam's 1e-3 defaults barely leave the global mean in a few epochs of
    # these rows; 1e-2 learns the users and items within five.
    metrics = train(model, data="synthetic:3000", epochs=5, batch_size=256, output=str(tmp_path),
                    model_config=config, learning_rate=0.01, verbose=0)  # fmt: skip
    assert set(metrics["validation"]) == {"rmse", "mae", "rows"}
    assert "val_rmse" in metrics["history"]
    held_out = evaluate(str(tmp_path), "synthetic:3000")
    baseline = _global_mean_rmse(
        BiasedMF.load_data("synthetic:3000").frame["rating"],
        BiasedMF.load_data("synthetic:3000", held_out=True).frame["rating"],
    )
    # Seeds 0-2: the global mean scores 0.98-1.03, the models 0.10-0.17 less.
    assert held_out["rmse"] < baseline - 0.05 and held_out["rows"] > 0
    with open(tmp_path / "serving" / "1" / "assets.extra" / "example_request.json") as f:
        assert set(json.load(f)["inputs"]) == {"user_id", "item_id"}


def test_movielens_100k_folds(movielens_100k_dir, tmp_path):
    data = f"ml100k:{movielens_100k_dir}:u2"
    metrics = train("biased_mf", data=data, epochs=2, output=str(tmp_path), learning_rate=0.01,
                    verbose=0)  # fmt: skip
    assert metrics["rows"]["train"] + metrics["rows"]["validation"] == 80_000
    scores = evaluate(str(tmp_path))  # the training data's held-out fold by default
    base, test = load_movielens_100k(movielens_100k_dir, "u2")
    # The global mean scores 1.131 on u2; two epochs, 0.933 on seeds 0 and 1.
    baseline = _global_mean_rmse(base["rating"], test["rating"])
    assert scores["rows"] == 20_000 and scores["rmse"] < baseline - 0.1
