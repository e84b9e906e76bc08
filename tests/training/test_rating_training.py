"""`tfrank train` / `evaluate` for the rating models (RMSE protocol)."""

import json

import pytest

from tfrank.training import evaluate, train


@pytest.mark.parametrize("model", ["autorec", "biased_mf"])
def test_rating_models_train_on_synthetic_ratings_by_default(model, tmp_path):
    config = {"hidden_units": 16} if model == "autorec" else {}
    metrics = train(model, data="synthetic:3000", epochs=2, batch_size=256, output=str(tmp_path),
                    model_config=config, verbose=0)  # fmt: skip
    assert set(metrics["validation"]) == {"rmse", "mae", "rows"}
    assert "val_rmse" in metrics["history"]
    held_out = evaluate(str(tmp_path), "synthetic:3000")
    assert 0.3 < held_out["rmse"] < 1.5 and held_out["rows"] > 0
    with open(tmp_path / "serving" / "1" / "assets.extra" / "example_request.json") as f:
        assert set(json.load(f)["inputs"]) == {"user_id", "item_id"}


def test_movielens_100k_folds(movielens_100k_dir, tmp_path):
    data = f"ml100k:{movielens_100k_dir}:u2"
    metrics = train("biased_mf", data=data, epochs=1, output=str(tmp_path), verbose=0)
    assert metrics["rows"]["train"] + metrics["rows"]["validation"] == 80_000
    scores = evaluate(str(tmp_path))  # the training data's held-out fold by default
    assert scores["rows"] == 20_000 and scores["rmse"] < 1.3
