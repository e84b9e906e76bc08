"""Records what a model class's `fit` calls started from and ended with, for
tests of models that are built from another model trained out of sight."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FitRecord:
    """One `fit` call: the model, its weights per layer name before and after
    the call, and the call's `History.history`."""

    model: object
    before: dict = field(repr=False)
    after: dict = field(default_factory=dict, repr=False)
    history: dict = field(default_factory=dict)

    def moved(self, layer: str) -> float:
        """The largest change of any weight of `layer` during the fit."""
        pairs = zip(self.before[layer], self.after[layer], strict=True)
        return max(float(np.max(np.abs(a - b))) for a, b in pairs)


def layer_weights(model) -> dict:
    """`{layer name: [copies of its weights]}`, a snapshot that later training
    does not change."""
    return {layer.name: [np.array(w) for w in layer.get_weights()] for layer in model.layers}


def record_fits(monkeypatch, model_cls) -> list[FitRecord]:
    """Wraps `model_cls.fit` (for the test's duration) so that each call is
    appended to the returned list as a `FitRecord`."""
    records = []
    original = model_cls.fit

    def fit(self, *args, **kwargs):
        record = FitRecord(self, layer_weights(self))
        history = original(self, *args, **kwargs)
        record.after, record.history = layer_weights(self), dict(history.history)
        records.append(record)
        return history

    monkeypatch.setattr(model_cls, "fit", fit)
    return records


def fm_weights_for_fnn(fm, snapshot: dict) -> dict:
    """What `FNN.from_fm` must copy, from a `layer_weights` snapshot of `fm`:
    `{FNN layer name: [arrays]}`. The FM's per-id first-order table holds
    the categorical rows first, so the FNN's `first_order` is its head."""
    linear = fm.get_layer("linear")
    spec = fm.feature_spec
    expected = {}
    if spec.categorical:
        index = next(i for i, v in enumerate(linear.weights) if v is linear.id_weights)
        rows = sum(f.vocabulary_size for f in spec.categorical)
        expected["embeddings"] = snapshot["embeddings"]
        expected["first_order"] = [snapshot["linear"][index][:rows]]
    if spec.numeric:
        index = next(i for i, v in enumerate(linear.weights) if v is linear.numeric_kernel)
        expected["numeric_embeddings"] = snapshot["numeric_embeddings"]
        expected["numeric_first_order"] = [snapshot["linear"][index]]
    return expected


def assert_fnn_starts_from(fnn_snapshot: dict, fm, fm_snapshot: dict) -> None:
    """Every table `FNN.from_fm` copies equals the FM's in `fm_snapshot`."""
    for name, arrays in fm_weights_for_fnn(fm, fm_snapshot).items():
        assert len(fnn_snapshot[name]) == len(arrays), name
        for got, want in zip(fnn_snapshot[name], arrays):
            np.testing.assert_array_equal(got, want, err_msg=name)
