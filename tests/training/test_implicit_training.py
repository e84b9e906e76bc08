"""`tfrank train` / `evaluate` for the implicit-feedback models."""

import json
import os

import keras
import numpy as np
import pandas as pd
import pytest

from tfrank.data.implicit_feedback import ImplicitFeedback
from tfrank.data.movielens import load_ncf_ml1m
from tfrank.data.synthetic_cf import SyntheticCF
from tfrank.metrics import positive_ranks, rank_metrics
from tfrank.training import evaluate, train


def _small():
    return SyntheticCF(num_users=300, num_items=200, interactions=15, seed=0).implicit_feedback()


def _learned_hr10(data) -> float:
    """An HR@10 that needs more than chance: halfway from a random ranking's
    (10 of the 1 + 99 candidates) to ranking by training popularity's, both
    on `data`'s test users. Popularity itself is not the bar: after the few
    epochs here GMF scores 0.26-0.38 and NeuMF 0.23-0.29 where popularity
    scores 0.27-0.37 (data seeds 0-2), chance 0.1."""
    counts = data.train["item_id"].value_counts()

    def popularity(items):
        return counts.reindex(np.ravel(items), fill_value=0).to_numpy().reshape(np.shape(items))

    positives, negatives = data.test["item_id"].to_numpy(), data.test_negatives
    beaten = (popularity(negatives) >= popularity(positives)[:, None]) & (
        negatives != positives[:, None]
    )
    # Ties count against the held-out item, as in the library's ranking.
    popular = np.mean(beaten.sum(axis=1) < 10)
    chance = 10 / (1 + negatives.shape[1])
    assert popular > chance + 0.1  # the baseline itself must be informative
    return chance + (popular - chance) / 2


def test_gmf_trains_with_sampled_negatives_and_ranks_held_out_items(tmp_path):
    data = _small()
    metrics = train("gmf", data=data, epochs=2, batch_size=256, output=str(tmp_path), verbose=0)
    assert metrics["rows"]["train_per_epoch"] == 5 * metrics["rows"]["train_positives"]
    assert metrics["rows"]["train_positives"] + 300 == len(data.train)  # validation rows
    assert set(metrics["test"]) >= {"hr@10", "ndcg@10"} and metrics["test"]["users"] == 300
    assert 0 < metrics["test"]["ndcg@10"] <= metrics["test"]["hr@10"] <= 1
    bar = _learned_hr10(data)
    assert metrics["test"]["hr@10"] > bar
    assert len(metrics["history"]["val_ndcg@10"]) == metrics["epochs_run"]
    for name in ("model.keras", "metrics.json", "feature_spec.json", "serving"):
        assert os.path.exists(tmp_path / name)
    again = evaluate(str(tmp_path), data)
    assert again["hr@10"] == metrics["test"]["hr@10"]


def test_neumf_fine_tunes_from_trained_gmf_and_mlp_dirs(tmp_path):
    data = _small()
    train("gmf", data=data, epochs=1, output=str(tmp_path / "gmf"), model_config={"factors": 4},
          verbose=0)  # fmt: skip
    train("ncf_mlp", data=data, epochs=1, output=str(tmp_path / "mlp"),
          model_config={"mlp_layers": [8, 4]}, verbose=0)  # fmt: skip
    config = {"gmf_model_dir": str(tmp_path / "gmf"), "ncf_mlp_model_dir": str(tmp_path / "mlp")}
    metrics = train("neumf", data=data, epochs=1, output=str(tmp_path / "neumf"),
                    model_config=config, verbose=0)  # fmt: skip
    model = keras.models.load_model(tmp_path / "neumf" / "model.keras")
    assert model.factors == 4 and model.mlp_layers == [8, 4]
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    bar = _learned_hr10(data)
    assert metrics["test"]["hr@10"] > bar


def test_full_ranking_excludes_training_items_and_matches_brute_force(tmp_path):
    data = _small()
    train("gmf", data=data, epochs=1, output=str(tmp_path), verbose=0)
    model = keras.models.load_model(tmp_path / "model.keras")
    users = data.test["user_id"].to_numpy()[:20]
    sub = ImplicitFeedback(data.train, data.test.head(20), None, data.items)
    got = rank_metrics(model, sub, ks=(5, 50))
    assert got["protocol"] == "all items"
    frame = pd.DataFrame({"user_id": np.repeat(users, 200), "item_id": np.tile(data.items, 20)})
    scores = model.predict({k: frame[k].to_numpy() for k in frame}, verbose=0).reshape(20, 200)
    seen = data.train.groupby("user_id")["item_id"].agg(set)
    ranks = []
    for row, (user, item) in enumerate(zip(users, data.test["item_id"].head(20))):
        others = [i for i in data.items if i != item and i not in seen[user]]
        ranks.append(positive_ranks(scores[row, [item]], scores[row, others][None, :])[0])
    ranks = np.array(ranks)
    assert got["hr@50"] == np.mean(ranks < 50)
    assert np.isclose(got["ndcg@5"], np.mean(np.where(ranks < 5, 1 / np.log2(ranks + 2), 0)))


def test_gmf_trains_on_synthetic_data_by_default(tmp_path):
    metrics = train("gmf", data="synthetic:200", epochs=1, output=str(tmp_path),
                    num_negatives=2, verbose=0)  # fmt: skip
    assert metrics["rows"]["train_per_epoch"] == 3 * metrics["rows"]["train_positives"]
    assert metrics["family"] == "implicit" and "hr@10" in metrics["test"]
    with open(tmp_path / "metrics.json") as f:
        assert json.load(f)["num_negatives"] == 2


def test_ncf_data_trains_end_to_end(ncf_dir, tmp_path):
    data = load_ncf_ml1m(ncf_dir, nrows=3000)
    metrics = train("gmf", data=data, epochs=1, output=str(tmp_path), verbose=0)
    assert metrics["test"]["protocol"] == "99 negatives"
    assert metrics["test"]["users"] == len(data.test)


def test_unknown_implicit_data_spec_lists_the_family_s_specs(tmp_path):
    with pytest.raises(ValueError, match="Unknown data spec 'criteo:x.tsv' for implicit models"):
        train("neumf", data="criteo:x.tsv", output=str(tmp_path))
    with pytest.raises(ValueError, match=r"ncf:PATH, csv:PATH \(user_id, item_id"):
        train("neumf", data="criteo:x.tsv", output=str(tmp_path))
