"""Behaviour histories: ragged, empty, over-long, given as text, or holding
their padding value."""

from __future__ import annotations

import numpy as np

from tests.cli.bad_inputs.harness import Cases, same_as


def history_cases():
    from tests.helpers.data import tiny_behaviour_data
    from tfrank.data import make_dataset
    from tfrank.models import DIN

    behaviour_spec, behaviour = tiny_behaviour_data()
    din = DIN(behaviour_spec, attention_units=[4], hidden_units=[4])
    sample = {k: v[:2] for k, v in behaviour_spec.frame_to_arrays(behaviour).items()}
    width = behaviour_spec["history_items"].max_length
    cases = Cases()

    def din_score(features):
        return np.asarray(din.predict(features, verbose=0)).reshape(-1)

    rows = behaviour.iloc[np.argsort([-len(h) for h in behaviour["history_items"]])[:4]]

    def histories(steps, keep=None):
        """The candidates of `sample` with histories of `steps` entries (one
        row's history after another's), or only their latest `keep`."""
        out = dict(sample)
        for f in behaviour_spec.sequence:
            lists = [(list(a) + list(b))[-steps:] if steps else [] for a, b in
                     zip(rows[f.name].iloc[:2], rows[f.name].iloc[2:])]  # fmt: skip
            lists = [x[-keep:] for x in lists] if keep else lists
            array = np.full((2, max(map(len, lists))), f.pad, dtype=sample[f.name].dtype)
            for i, x in enumerate(lists):
                array[i, : len(x)] = x
            out[f.name] = array
        return out

    head = behaviour.head(6)
    lists = {name: [list(v) for v in head[name]] if behaviour_spec[name].kind == "sequence"
             else head[name].tolist() for name in behaviour_spec.input_names}  # fmt: skip
    cases.attempt("lists of histories of different lengths", "ragged lists",
                  f"histories of {sorted({len(h) for h in lists['history_items']})} steps",
                  lambda: din_score(lists),
                  same_as(din_score(behaviour_spec.frame_to_arrays(head)),
                          "the padded arrays' scores"))  # fmt: skip
    cases.attempt("empty history (a `[batch, 0]` tensor)", "empty history",
                  "history of 0 steps ([2, 0] tensor)", lambda: din_score(histories(0)),
                  lambda got: f"scores {np.round(got, 4).tolist()}" if np.isfinite(got).all()
                  else f"NOT FINITE: {got}")  # fmt: skip
    row = "a history longer than `max_length`"
    latest = din_score(histories(2 * width, keep=width))
    cases.attempt(
        row,
        "over-long history",
        f"{2 * width} steps, max_length {width}",
        lambda: din_score(histories(2 * width)),
        same_as(latest, f"the score of its latest {width} steps"),
    )
    long = behaviour.head(2).copy()
    long["history_items"] = [list(range(1, 2 * width + 1))] * 2
    long["history_categories"] = [list(range(1, 2 * width + 1))] * 2

    def first_batch():
        return next(iter(make_dataset(long, behaviour_spec, batch_size=2)))[0]["history_items"]

    cases.attempt(row, "over-long history", f"{2 * width} steps in make_dataset", first_batch,
                  lambda got: f"keeps the latest {width} entries" if
                  np.asarray(got).tolist() == [list(range(width + 1, 2 * width + 1))] * 2
                  else f"KEEPS {np.asarray(got).tolist()}")  # fmt: skip
    text = behaviour.head(2).copy()
    text["history_items"] = ["1 2 3", "4"]
    cases.attempt(
        "a history given as a string",
        "history as text",
        "history_items = '1 2 3'",
        lambda: behaviour_spec.frame_to_arrays(text),
    )
    with_pad = behaviour.head(2).copy()
    with_pad["history_items"] = [[3, -1, 4], [5]]
    cases.attempt(
        "a history containing its padding value",
        "history with its padding value",
        "history_items = [3, -1, 4]",
        lambda: behaviour_spec.frame_to_arrays(with_pad),
    )
    return cases
