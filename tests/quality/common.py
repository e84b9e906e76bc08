"""What the quality checks share: models fitted alike, scored on held-out rows."""

from __future__ import annotations

import keras
import pandas as pd
import pytest

from tfrank.metrics import auc


def seeds(in_ci, tried):
    """`tried` as parameters; those not `in_ci` run only with `-m slow`
    (every seed tried while the margins were set stays runnable)."""
    return [s if s in in_ci else pytest.param(s, marks=pytest.mark.slow) for s in tried]


def fitted_auc(build, train, test, seed, epochs, batch_size, learning_rate) -> float:
    """Test AUC of `build()` fitted on `train` (Adam, fixed epochs: no early
    stopping, so a model cannot stop on a lucky epoch)."""
    keras.utils.set_random_seed(seed)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    model.fit(train, epochs=epochs, batch_size=batch_size, verbose=0)
    scores = model.predict(test, batch_size=4096, verbose=0).reshape(-1)
    return auc(test["label"], scores)


def latest_targets(samples: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`(earlier, latest)`: each user's `k` latest targets (a click and its
    sampled non-clicks share a timestamp) held out, so the test set has `k`
    clicks per user instead of `build_samples`' one."""
    order = samples.groupby("user_id")["timestamp"].rank(method="dense", ascending=False)
    latest = order <= k
    return samples[~latest].reset_index(drop=True), samples[latest].reset_index(drop=True)
