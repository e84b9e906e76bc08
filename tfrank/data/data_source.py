"""Data specs (`synthetic[:ROWS]`, `criteo:PATH`, `csv:PATH`, ...) and what they load.

A data spec is `KIND[:ARGUMENT]`. Which kinds a model takes is up to its
family (`RankingModel.data_sources` and the families' overrides): the
tables of `tfrank.data.sources` map each kind to a `SourceKind`, whose
loader turns the argument into a `DataSource` (labelled rows) or an
`ImplicitFeedback` (collaborative filtering).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import pandas as pd

from tfrank.features.feature_spec import FeatureSpec


@dataclasses.dataclass
class DataSource:
    """A loaded table with what training needs to know about it.

    Attributes:
        frame: the rows (label(s) + raw feature columns).
        feature_spec: unfitted default `FeatureSpec` for this data (empty
            when the data has no default features).
        label: name of the label column (a list for multi-task data).
        group: column to compute GAUC over (a user id), or `None`.
        name: the data spec it came from.
    """

    frame: pd.DataFrame
    feature_spec: FeatureSpec
    label: str | list[str] = "label"
    group: str | None = None
    name: str = ""


@dataclasses.dataclass(frozen=True)
class SourceKind:
    """One kind of data spec.

    Attributes:
        usage: how the spec is written, e.g. `"criteo:PATH"`.
        load: `load(argument, seed=, held_out=, name=)` -> the loaded data;
            `held_out=True` asks for the evaluation part (fresh synthetic
            rows, a test fold, each user's last click...).
        needs_argument: whether `KIND` alone is an error.
        stream: how to read the argument's files in bounded chunks (a
            `tfrank.data.streaming` format), for data larger than memory;
            None when the kind is read only in memory.
        feature_spec: `feature_spec()` -> the kind's default unfitted spec,
            for streamed data (which is not loaded to find it); None when
            the kind has no default features.
    """

    usage: str
    load: Callable
    needs_argument: bool = True
    stream: object = None
    feature_spec: Callable | None = None


def open_data(
    spec: str, kinds: Mapping[str, SourceKind], seed: int = 0, held_out: bool = False,
    family: str = "",
):  # fmt: skip
    """Loads the data spec `spec` with the loader of its kind in `kinds`.

    An unknown kind, or a kind without its argument, is an error that lists
    the specs `kinds` accepts (for `family` models).
    """
    if not isinstance(spec, str):
        raise ValueError(f"A data spec is a string such as 'csv:PATH'. Received: {spec!r}")
    kind, _, argument = spec.partition(":")
    usage = ", ".join(k.usage for k in kinds.values())
    if kind not in kinds:
        for_whom = f" for {family} models" if family else ""
        raise ValueError(f"Unknown data spec {spec!r}{for_whom}: use {usage}.")
    source = kinds[kind]
    if source.needs_argument and not argument:
        raise ValueError(f"Data spec {spec!r} needs a path: '{source.usage}'.")
    return source.load(argument, seed=seed, held_out=held_out, name=spec)
