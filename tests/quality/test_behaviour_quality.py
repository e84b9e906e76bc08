"""DIN and SIM learn from the history what their base models cannot."""

import pytest

from tests.quality.common import fitted_auc, latest_targets, seeds
from tfrank.data import SyntheticBehaviour, behaviour_feature_spec
from tfrank.models import DIN, SIM, SeqBase

SMALL = {"attention_units": [16], "hidden_units": [32, 16], "activation": "prelu",
         "attention_activation": "prelu"}  # fmt: skip
FIT = {"batch_size": 256, "learning_rate": 3e-3}


def _spec(samples, max_length, target_time=False):
    # No user id: with few clicks per user its embedding only memorizes;
    # what is checked is what the models read from the history.
    spec = behaviour_feature_spec(max_length, 8, user=False, target_time=target_time)
    return spec.fit(samples)


@pytest.mark.parametrize("seed", seeds(in_ci=[0], tried=[0, 1, 2]))
def test_din_above_its_pooled_history_base(seed):
    """SyntheticBehaviour's defaults for 800 users, random non-clicks; the
    last 20 clicks per user as targets, the latest 5 of them tested (8,000
    rows); histories of 60; 3 epochs.

    A random non-click is mostly of a category the user never clicks: the
    candidate-aware attention counts the history's behaviours of the
    candidate's category, which a mean of the history blurs. Seeds 0-2
    tried; DIN - seq_base AUC: seed 0 +0.069, seed 1 +0.056, seed 2 +0.079
    (with 500 users: +0.034, +0.034, +0.027). With uniform attention weights
    DIN is a sum-pooled base.
    """
    data = SyntheticBehaviour(num_users=800, seed=seed)
    samples, _ = data.samples(max_history=60, targets_per_user=20)
    train, test = latest_targets(samples, 5)
    spec = _spec(train, 60)
    base = fitted_auc(lambda: SeqBase(spec, hidden_units=[32, 16]), train, test, seed,
                      epochs=3, **FIT)  # fmt: skip
    din = fitted_auc(lambda: DIN(spec, **SMALL), train, test, seed, epochs=3, **FIT)
    assert din > base + 0.03, {"din": din, "seq_base": base}


@pytest.mark.parametrize("seed", seeds(in_ci=[0], tried=[0, 1, 2]))
def test_sim_hard_search_above_din_on_the_last_50(seed):
    """Users with 8 interests and sessions of about 50 clicks (drift 0.02),
    150-300 clicks, a fifth of them re-clicks of an item clicked at least
    100 clicks earlier; random non-clicks. The last 50 behaviours show one
    or two of the user's interests, so a re-click from another one looks
    like a random non-click to DIN there; SIM's search by the candidate's
    category finds the earlier click anywhere in the history. 200 users,
    the last 25 clicks per user as targets, the latest 5 tested (2,000 rows);
    2 epochs.

    Seeds 0-2 tried; SIM (hard) - DIN AUC: seed 0 +0.142, seed 1 +0.133,
    seed 2 +0.153. Soft search is not checked: in
    `benchmarks/long_histories.py` it does not beat DIN on every seed, nor
    did it on this data (300 users, seed 0, SIM (soft) - DIN after epochs
    1-3: +0.006, -0.020, -0.008). A search that returns the latest
    behaviours sees DIN's window: it fails this check.
    """
    data = SyntheticBehaviour(
        num_users=200, interests=8, drift=0.02, min_events=150, max_events=300,
        revisit=0.2, revisit_gap=100, seed=seed,
    )  # fmt: skip
    samples, _ = data.samples(max_history=300, targets_per_user=25)
    train, test = latest_targets(samples, 5)
    last_50, whole = _spec(train, 50), _spec(train, 300, target_time=True)
    din = fitted_auc(lambda: DIN(last_50, **SMALL), train, test, seed, epochs=2, **FIT)
    sim = fitted_auc(lambda: SIM(whole, search="hard", top_k=50, short_length=50, **SMALL),
                     train, test, seed, epochs=2, **FIT)  # fmt: skip
    assert sim > din + 0.06, {"sim (hard)": sim, "din (last 50)": din}
