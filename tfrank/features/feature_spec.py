"""FeatureSpec: the one declaration of a model's raw inputs."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from tfrank.features.categorical_feature import CategoricalFeature, coerce_categorical
from tfrank.features.crossed_feature import CrossedFeature
from tfrank.features.numeric_feature import NumericFeature, coerce_numeric
from tfrank.features.sequence_feature import (
    SequenceFeature,
    flatten_sequences,
    pad_sequences,
)

FEATURE_KINDS = {
    "categorical": CategoricalFeature,
    "numeric": NumericFeature,
    "crossed": CrossedFeature,
    "sequence": SequenceFeature,
}

_NUMPY_DTYPES = {"string": object, "int64": np.int64, "float32": np.float32}


class FeatureSpec:
    """An ordered set of features: what the model takes and how it encodes it.

    Declared once in Python or a JSON/YAML file, fitted on training data
    (vocabularies, normalization statistics), then stored inside every model,
    so that the exported model takes raw values and nothing else.

    Args:
        features: iterable of `CategoricalFeature`, `NumericFeature`,
            `CrossedFeature` and `SequenceFeature`. Order is kept: it is the
            field order of models.

    Example:

    >>> spec = FeatureSpec([
    ...     CategoricalFeature("site"), NumericFeature("price", log_transform=True),
    ...     CrossedFeature("site_x_hour", ["site", "hour"], hash_buckets=1000),
    ...     CategoricalFeature("hour", dtype="int64", embedding_dim=8),
    ... ])
    >>> train_frame = pd.DataFrame(
    ...     {"site": ["a", "b", "a"], "price": [1.0, 10.0, None], "hour": [0, 13, 13]})
    >>> spec = spec.fit(train_frame)
    >>> spec.input_names                  # the cross is derived inside the model
    ['site', 'price', 'hour']
    >>> spec["site"].vocabulary, spec["hour"].vocabulary, spec.is_fitted
    (['a', 'b'], [13, 0], True)
    >>> spec.frame_to_arrays(train_frame)["price"].tolist()    # typed, validated inputs
    [1.0, 10.0, nan]
    >>> FeatureSpec.from_config(spec.to_config())["hour"].vocabulary
    [13, 0]
    """

    def __init__(self, features: Iterable):
        self.features = list(features)
        names = [f.name for f in self.features]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"Feature names must be unique; repeated: {duplicates}")
        by_name = {f.name: f for f in self.features}
        for f in self.crossed:
            for part in f.features:
                if not isinstance(by_name.get(part), CategoricalFeature):
                    raise ValueError(
                        f"Crossed feature '{f.name}' names '{part}', which is "
                        "not a categorical feature of this spec."
                    )
        for f in self.categorical:
            target = f.share_embedding_with
            if target is None:
                continue
            source = by_name.get(target)
            if not isinstance(source, CategoricalFeature) or source.share_embedding_with:
                raise ValueError(
                    f"Feature '{f.name}' shares the embedding of '{target}', "
                    "which must be a categorical feature that owns its table."
                )
            if (source.dtype, source.embedding_dim) != (f.dtype, f.embedding_dim):
                raise ValueError(
                    f"Feature '{f.name}' shares '{target}''s embedding, so dtype "
                    f"and embedding_dim must match: ({f.dtype}, {f.embedding_dim}) "
                    f"vs ({source.dtype}, {source.embedding_dim})."
                )
        self._check_sequences(by_name)

    def _check_sequences(self, by_name):
        for i, f in enumerate(self.features):
            if f.kind != "sequence" or f.shares is None:
                continue
            source = by_name.get(f.shares)
            if not isinstance(source, CategoricalFeature):
                raise ValueError(
                    f"Sequence feature '{f.name}' shares '{f.shares}', which is not "
                    "a categorical feature of this spec."
                )
            owner = by_name[source.share_embedding_with or source.name]
            if f.dtype is None:
                f = self.features[i] = dataclasses.replace(f, dtype=owner.dtype)
            if f.dtype != owner.dtype:
                raise ValueError(
                    f"Sequence feature '{f.name}' is {f.dtype} but shares "
                    f"'{f.shares}', which is {owner.dtype}."
                )
        for f in self.sequence:
            if f.length_from is None:
                continue
            source = by_name.get(f.length_from)
            if (
                not isinstance(source, SequenceFeature)
                or source.length_from is not None
                or source.max_length != f.max_length
            ):
                raise ValueError(
                    f"Sequence feature '{f.name}' takes its lengths from "
                    f"'{f.length_from}', which must be a sequence feature with the "
                    f"same max_length ({f.max_length}) and its own lengths."
                )

    def __getitem__(self, name: str):
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(f"No feature named '{name}' in this spec.")

    def __repr__(self):
        return f"FeatureSpec({[f.name for f in self.features]})"

    @property
    def categorical(self) -> list[CategoricalFeature]:
        return [f for f in self.features if f.kind == "categorical"]

    @property
    def numeric(self) -> list[NumericFeature]:
        return [f for f in self.features if f.kind == "numeric"]

    @property
    def crossed(self) -> list[CrossedFeature]:
        return [f for f in self.features if f.kind == "crossed"]

    @property
    def sequence(self) -> list[SequenceFeature]:
        return [f for f in self.features if f.kind == "sequence"]

    def owner_of(self, name: str) -> str:
        """The categorical feature whose vocabulary and embedding `name` uses."""
        f = self[name]
        if f.kind == "sequence":
            f = self[f.shares]
        return f.share_embedding_with or f.name

    @property
    def raw_features(self) -> list:
        """Features that are model inputs (crosses are derived in-graph)."""
        return [f for f in self.features if f.kind != "crossed"]

    @property
    def input_names(self) -> list[str]:
        return [f.name for f in self.raw_features]

    @property
    def input_dtypes(self) -> dict[str, str]:
        return {f.name: f.dtype for f in self.raw_features}

    @property
    def is_fitted(self) -> bool:
        return all(f.is_fitted for f in self.features)

    def fit(self, frame: pd.DataFrame) -> FeatureSpec:
        """Returns a copy fitted on `frame` (training rows only, to avoid leaks)."""
        self.check_columns(frame)
        fitted = []
        for f in self.features:
            if f.kind == "crossed":
                fitted.append(f)
                continue
            column = frame[f.name]
            # A table shared with histories gets the histories' values too:
            # most items are only ever seen in them.
            histories = [
                s.name for s in self.sequence if s.shares and self.owner_of(s.name) == f.name
            ]
            if histories:
                flat = [column] + [
                    pd.Series(flatten_sequences(frame[h], self[h])[0]) for h in histories
                ]
                column = pd.concat(flat, ignore_index=True)
            fitted.append(f.fit(column))
        return FeatureSpec(fitted)

    def check_columns(self, frame: pd.DataFrame, where: str = "data") -> None:
        missing = [n for n in self.input_names if n not in frame.columns]
        if missing:
            raise ValueError(
                f"The {where} has no column for feature(s) {missing}; "
                f"columns present: {list(frame.columns)}"
            )

    def frame_to_arrays(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Raw columns -> NumPy arrays of each input's dtype (validated)."""
        self.check_columns(frame)
        arrays = {}
        for f in self.raw_features:
            if f.kind == "numeric":
                arrays[f.name] = coerce_numeric(frame[f.name], f)
            elif f.kind == "sequence":
                arrays[f.name] = pad_sequences(frame[f.name], f)
            else:
                arrays[f.name] = coerce_categorical(frame[f.name], f)
        return arrays

    def check_inputs(self, inputs: Mapping[str, Any]) -> None:
        """Raises a ValueError naming the feature if `inputs` do not fit the spec.

        Checks names and dtypes (anything with a `.dtype`: tensors, arrays).
        """
        if not isinstance(inputs, Mapping):
            raise ValueError(
                "Models take a dict of named raw features "
                f"{self.input_names}; received {type(inputs).__name__}."
            )
        expected = self.input_dtypes
        missing = [n for n in expected if n not in inputs]
        if missing:
            raise ValueError(
                f"Missing feature(s) {missing}: expected "
                + ", ".join(f"'{n}' ({expected[n]})" for n in missing)
                + f". Received features: {sorted(inputs)}"
            )
        unexpected = [n for n in inputs if n not in expected]
        if unexpected:
            raise ValueError(
                f"Unexpected feature(s) {sorted(unexpected)}: this model takes {list(expected)}."
            )
        for name, dtype in expected.items():
            got = _dtype_name(inputs[name])
            if got is not None and not _dtype_compatible(got, dtype):
                raise ValueError(f"Feature '{name}' must be {dtype}; received {got}.")
        for f in self.sequence:
            shape = getattr(inputs[f.name], "shape", None)
            if shape is not None and len(shape) != 2:
                raise ValueError(
                    f"Sequence feature '{f.name}' must be a padded [batch, steps] tensor; "
                    f"received shape {tuple(shape)}."
                )

    def to_config(self) -> dict[str, Any]:
        return {"features": [f.to_config() for f in self.features]}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FeatureSpec:
        features = []
        for item in config["features"]:
            kind = item.get("kind")
            if kind not in FEATURE_KINDS:
                raise ValueError(
                    f"Feature '{item.get('name')}': unknown kind {kind!r}; "
                    f"expected one of {sorted(FEATURE_KINDS)}."
                )
            features.append(FEATURE_KINDS[kind].from_config(item))
        return cls(features)

    def save(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump(self.to_config(), f, indent=1)

    @classmethod
    def load(cls, path: str) -> FeatureSpec:
        """Reads a spec from JSON or YAML (parsed as data, never executed)."""
        config = read_data_file(path)
        if isinstance(config, list):
            config = {"features": config}
        if not isinstance(config, Mapping) or not isinstance(config.get("features"), list):
            raise ValueError(f"{path}: expected a list of features, or a mapping with 'features'.")
        return cls.from_config(config)


def _dtype_name(value) -> str | None:
    dtype = getattr(value, "dtype", None)
    if dtype is None and isinstance(value, (list, tuple)):
        dtype = np.asarray(value).dtype  # what Keras would make of a plain list
    if dtype is None:
        return None
    name = getattr(dtype, "name", str(dtype))
    if name == "object" or name.startswith("<U") or name.startswith("str"):
        return "string"
    return name


def _dtype_compatible(got: str, expected: str) -> bool:
    if expected == "string":
        return got == "string"
    if expected == "int64":
        return got in ("int64", "int32", "int16", "int8", "uint8", "uint16", "uint32")
    return got.startswith("float") or got.startswith("bfloat") or got.startswith("int")


def read_data_file(path: str):
    """The content of a JSON or YAML file (by extension), parsed as data only:
    YAML with `yaml.safe_load`, so tags such as `!!python/object` are an
    error, never code run. A syntax error names the file and line."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such file: {path!r}")
    with open(path) as f:
        text = f.read()
    if os.path.splitext(path)[1].lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not plain YAML data ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: invalid JSON ({error})") from None
