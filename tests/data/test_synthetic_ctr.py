import numpy as np

from tfrank.data import SyntheticCTR
from tfrank.metrics import auc


def test_seeded_rows_are_reproducible_and_typed():
    a = SyntheticCTR(seed=3).sample(500)
    b = SyntheticCTR(seed=3).sample(500)
    assert a.equals(b)
    assert not a.equals(SyntheticCTR(seed=4).sample(500))
    assert a["user_id"].iloc[0].startswith("u") and a["c1"].iloc[0].startswith("c1_")
    assert a["n0"].dtype == np.float32 and set(a["label"].unique()) <= {0, 1}


def test_click_rate_is_calibrated_and_structure_is_planted():
    gen = SyntheticCTR(seed=0, click_rate=0.2)
    frame = gen.sample(20_000, with_probability=True)
    assert abs(frame["label"].mean() - 0.2) < 0.02
    assert len(gen.planted_pairs) == 6 and len(gen.planted_triples) == 2
    # The true probabilities rank far better than chance: there is signal.
    assert auc(frame["label"], frame["true_probability"]) > 0.8


def test_pair_terms_carry_signal_first_order_cannot_see():
    gen = SyntheticCTR(seed=0, num_triples=0)
    ids, counts = gen._draw(np.random.default_rng(0), 5000)
    full = gen._logits(ids, counts)
    gen.cross_strength = 0.0
    without_pairs = gen._logits(ids, counts)
    assert np.std(full - without_pairs) > 0.5


def test_feature_spec_covers_every_column():
    gen = SyntheticCTR(seed=0)
    spec = gen.feature_spec(embedding_dim=8)
    frame = gen.sample(100)
    assert set(spec.input_names) == set(frame.columns) - {"label"}
    assert all(f.embedding_dim == 8 for f in spec.categorical)


def test_gaussian_triples_are_smooth_products():
    gen = SyntheticCTR(seed=0, num_triples=3, triple_values="gaussian")
    values = np.concatenate(gen._signs)
    assert len(np.unique(values)) > 100 and abs(values.mean()) < 0.1
    assert set(np.concatenate(SyntheticCTR(seed=0)._signs)) == {-1.0, 1.0}
    import pytest

    with pytest.raises(ValueError, match="triple_values must be"):
        SyntheticCTR(triple_values="cubic")
