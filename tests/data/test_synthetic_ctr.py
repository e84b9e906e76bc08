import numpy as np
import pytest

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
    assert set(np.concatenate(SyntheticCTR(seed=0)._signs).ravel()) == {-1.0, 1.0}
    with pytest.raises(ValueError, match="triple_values must be"):
        SyntheticCTR(triple_values="cubic")


def _triple_logit(gen, ids, counts):
    """The triple terms alone: full logit minus the logit without them."""
    full = gen._logits(ids, counts)
    strength, gen.triple_strength = gen.triple_strength, 0.0
    rest = gen._logits(ids, counts)
    gen.triple_strength = strength
    return full - rest


def test_rank_r_triples_are_trilinear_forms():
    gen = SyntheticCTR(seed=1, num_triples=2, triple_values="gaussian", triple_rank=3)
    ids, counts = gen._draw(np.random.default_rng(0), 4)
    expected = np.zeros(4)
    for f, g, h in gen.planted_triples:
        s_f, s_g, s_h = (gen._signs[k][ids[:, k]] for k in (f, g, h))
        expected += gen.triple_strength * np.einsum("bk,bk,bk->b", s_f, s_g, s_h) / np.sqrt(3)
    np.testing.assert_allclose(_triple_logit(gen, ids, counts), expected, rtol=1e-9)


def test_numeric_triples_multiply_standardized_counts():
    gen = SyntheticCTR(seed=2, num_numeric=5, num_triples=4, triple_inputs="numeric")
    assert len(set(gen.planted_triples)) == 4
    assert all(max(t) < 5 for t in gen.planted_triples)
    ids, counts = gen._draw(np.random.default_rng(0), 1000)
    z = np.log1p(counts)
    z = (z - z.mean(axis=0)) / (z.std(axis=0) + 1e-9)
    expected = sum(
        gen.triple_strength * z[:, a] * z[:, b] * z[:, c] for a, b, c in gen.planted_triples
    )
    np.testing.assert_allclose(_triple_logit(gen, ids, counts), expected, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="exceeds the 4 distinct triples"):
        SyntheticCTR(num_numeric=4, num_triples=5, triple_inputs="numeric")
    with pytest.raises(ValueError, match="needs at least 3 numeric"):
        SyntheticCTR(num_numeric=2, num_triples=1, triple_inputs="numeric")
    with pytest.raises(ValueError, match="triple_inputs must be"):
        SyntheticCTR(triple_inputs="sparse")
