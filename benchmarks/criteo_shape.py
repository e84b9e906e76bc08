"""Synthetic batches at the Criteo shape, shared by tfrank's and the peer's
throughput workers (NumPy only, so the peer's environment can import it).

13 numeric features `I1..I13` (non-negative counts, heavy-tailed like
Criteo's) and 26 categorical `C1..C26` with the cardinalities of Criteo's
Kaggle display-advertising data (up to 10.1M ids per field); ids follow a
Zipf law per field, as real ad logs do, so a batch reads few distinct rows
of the big tables. `small` caps every field at 10,000 ids (the MLP then
dominates the step). DIN adds `hist_C3`, the last `history` ids of field
C3 (10.1M ids, the "item" of this shape).
"""

import time

import numpy as np

CRITEO_CARDINALITIES = (
    1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194,
    27, 14992, 5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572,
)  # fmt: skip
NUMERIC = tuple(f"I{i}" for i in range(1, 14))
CATEGORICAL = tuple(f"C{i}" for i in range(1, 27))
HISTORY = "hist_C3"


def cardinalities(kind):
    if kind == "criteo":
        return CRITEO_CARDINALITIES
    if kind == "small":
        return tuple(min(c, 10_000) for c in CRITEO_CARDINALITIES)
    raise ValueError(f"cardinality must be 'criteo' or 'small'. Received: {kind!r}")


def make_batches(num_batches, batch_size, kind="criteo", history=0, seed=0):
    """`(features, labels)`: dict of arrays `[num_batches, batch_size, ...]`
    and float32 labels `[num_batches, batch_size]`."""
    rng = np.random.default_rng(seed)
    shape = (num_batches, batch_size)
    features = {}
    for name in NUMERIC:
        features[name] = np.floor(rng.lognormal(1.0, 1.5, size=shape)).astype("float32")
    for name, size in zip(CATEGORICAL, cardinalities(kind)):
        features[name] = (rng.zipf(1.2, size=shape) - 1) % size
    if history:
        size = cardinalities(kind)[2]
        features[HISTORY] = (rng.zipf(1.2, size=shape + (history,)) - 1) % size
    # A planted signal so the loss moves: two numerics and one field's parity.
    logit = 0.3 * np.log1p(features["I1"]) - 0.2 * np.log1p(features["I2"])
    logit += np.where(features["C1"] % 2 == 0, 0.5, -0.5) - 0.5
    labels = (rng.random(shape) < 1 / (1 + np.exp(-logit))).astype("float32")
    return features, labels


def timed_fits(model, features, labels, job, autotune=False):
    """Examples/s of `job["runs"]` timed `fit`s of `job["steps"]` steps over
    the in-memory batches, after one warm-up `fit` (tracing, first touches).
    tf.data's autotune is off unless asked: on 2 cores it competes with the
    step for the CPU."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((features, labels)).repeat()
    if not autotune:
        options = tf.data.Options()
        options.autotune.enabled = False
        dataset = dataset.with_options(options)
    steps = job["steps"]
    model.fit(dataset, epochs=1, steps_per_epoch=job["warmup_steps"], verbose=0)
    rates = []
    for _ in range(job["runs"]):
        start = time.perf_counter()
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        rates.append(steps * job["batch_size"] / (time.perf_counter() - start))
    return rates
