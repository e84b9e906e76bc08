"""FeatureTransform: raw named features -> ids and normalized numerics."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.layers.preprocessing.id_range import IdRange
from tfrank.registration import register_layer

# Bound of normalized numerics, in standard deviations.
NUMERIC_CLIP = 1e4


@register_layer
class FeatureTransform(keras.layers.Layer):
    """Encodes raw features in-graph, with the state a `FeatureSpec` learned.

    - categorical: vocabulary lookup (OOV values share the first
      `num_oov_buckets` ids) or hashing; a feature that shares another's
      embedding uses that feature's lookup, so equal values get equal ids;
    - numeric: `z = clip((t - mean) / sqrt(var + 1e-12), -1e4, 1e4)` with
      `t` the optionally log-transformed value and missing (NaN) values set
      to `mean`; the clip (10,000 standard deviations, never reached by
      data like the training rows) keeps ±inf and values near the float32
      limit from overflowing the network into NaN scores;
    - crossed: chained pairwise hashed crosses of raw values;
    - sequence: `[batch, width]` raw histories, valid entries first. A
      request whose rows all fit in `max_length` keeps its width; otherwise
      each row keeps its `max_length` most recent entries (a `[batch, 0]`
      request becomes one masked step). Entries are looked up like the
      feature they share; padded steps get id 0 (value 0.0 for float
      sequences) and `False` in the mask.

    String lookup and hashing use Keras' own preprocessing layers (strings
    have no `keras.ops`); the numeric path is plain `keras.ops`.

    Args:
        feature_spec: `FeatureSpec` (fitted) or its config dict.
        lookup_sequences: bool. With `False`, categorical sequences come out
            as raw values (truncated and masked, 0 on padding) for a model
            that looks up only the steps it reads (`lookup(name, raw)`), as
            SIM does with histories of thousands. Defaults to `True`.

    Call arguments:
        inputs: dict of raw tensors of shape `[batch]` (sequences `[batch, width]`),
            one per input feature.

    Returns:
        dict with `"ids"` (feature name -> int ids `[batch]`, categorical and
        crossed), when the spec has numeric features `"numeric"`
        (`[batch, n_numeric]` float), and when it has sequence features
        `"sequences"` (name -> `[batch, steps]` int32 ids or float values)
        and `"masks"` (name -> `[batch, steps]` bool, True on real entries).

    Example:

    >>> import pandas as pd
    >>> from tfrank.features import CategoricalFeature, NumericFeature
    >>> spec = FeatureSpec([CategoricalFeature("site"), NumericFeature("price")]).fit(
    ...     pd.DataFrame({"site": ["a", "b", "a"], "price": [1.0, 3.0, None]}))
    >>> spec["site"].vocabulary, spec["price"].mean, spec["price"].variance
    (['a', 'b'], 2.0, 1.0)
    >>> request = pd.DataFrame({"site": ["a", "zz"], "price": [3.0, None]})
    >>> out = FeatureTransform(spec)(spec.frame_to_arrays(request))   # typed raw arrays
    >>> ops.convert_to_numpy(out["ids"]["site"]).tolist()   # "a" -> 1; unseen "zz" -> OOV 0
    [1, 0]
    >>> ops.convert_to_numpy(out["numeric"]).tolist()   # (3 - 2) / 1; missing -> the mean
    [[1.0], [0.0]]

    A request history longer than `max_length` keeps its latest entries:

    >>> import numpy as np
    >>> from tfrank.features import SequenceFeature
    >>> spec = FeatureSpec([CategoricalFeature("item", dtype="int64"),
    ...                     SequenceFeature("history", shares="item", max_length=2)])
    >>> spec = spec.fit(pd.DataFrame({"item": [3, 5], "history": [[1, 2, 3], [4]]}))
    >>> spec["item"].vocabulary   # ids 1..5 (0: OOV), histories included
    [3, 1, 2, 4, 5]
    >>> request = {"item": np.array([3, 5]), "history": np.array([[1, 2, 3], [4, -1, -1]])}
    >>> out = FeatureTransform(spec)(request)
    >>> ops.convert_to_numpy(out["sequences"]["history"]).tolist()   # [2, 3] and [4]
    [[3, 1], [4, 0]]
    >>> ops.convert_to_numpy(out["masks"]["history"]).tolist()
    [[True, True], [True, False]]
    """

    def __init__(self, feature_spec, lookup_sequences=True, **kwargs):
        super().__init__(**kwargs)
        self.lookup_sequences = bool(lookup_sequences)
        if not isinstance(feature_spec, FeatureSpec):
            feature_spec = FeatureSpec.from_config(feature_spec)
        unfitted = [f.name for f in feature_spec.features if not f.is_fitted]
        if unfitted:
            raise ValueError(
                f"Features {unfitted} are not fitted: call FeatureSpec.fit() on "
                "training data before building a model."
            )
        self.feature_spec = feature_spec
        self._lookups = {}
        for f in feature_spec.categorical:
            if f.share_embedding_with is None:
                self._lookups[f.name] = _make_lookup(f)
        self._crosses = {
            f.name: [
                keras.layers.HashedCrossing(f.hash_buckets, name=f"{f.name}_cross_{i}")
                for i in range(len(f.features) - 1)
            ]
            for f in feature_spec.crossed
        }
        numeric = feature_spec.numeric
        self._log_mask = [float(f.log_transform) for f in numeric]
        self._means = [float(f.mean) for f in numeric]
        self._scales = [float((f.variance + 1e-12) ** -0.5) for f in numeric]

    def call(self, inputs):
        spec = self.feature_spec
        ids = {}
        for f in spec.categorical:
            owner = f.share_embedding_with or f.name
            ids[f.name] = ops.cast(self._lookups[owner](inputs[f.name]), "int32")
        for f in spec.crossed:
            crossed = inputs[f.features[0]]
            for layer, part in zip(self._crosses[f.name], f.features[1:]):
                crossed = layer((crossed, inputs[part]))
            ids[f.name] = ops.cast(ops.reshape(crossed, (-1,)), "int32")
        out = {"ids": ids}
        if spec.sequence:
            out["sequences"], out["masks"] = self._sequences(inputs)
        if not spec.numeric:
            return out
        x = ops.stack([ops.cast(inputs[f.name], "float32") for f in spec.numeric], axis=-1)
        logged = ops.sign(x) * ops.log1p(ops.abs(x))
        x = ops.where(ops.convert_to_tensor(self._log_mask) > 0, logged, x)
        means = ops.convert_to_tensor(self._means)
        x = ops.where(ops.isnan(x), means, x)
        z = (x - means) * ops.convert_to_tensor(self._scales)
        out["numeric"] = ops.clip(z, -NUMERIC_CLIP, NUMERIC_CLIP)
        return out

    def _sequences(self, inputs):
        values, masks, cuts = {}, {}, {}
        ordered = sorted(self.feature_spec.sequence, key=lambda f: f.length_from is not None)
        for f in ordered:
            raw = inputs[f.name]
            if f.dtype == "float32":
                raw = ops.cast(raw, "float32")
            if f.length_from is None:
                cuts[f.name] = self._cut_plan(raw, f)
            fits, valid, cut = cuts[f.length_from or f.name]
            # Requests within max_length (the usual case) pass through
            # untouched: no copy or gather of long histories.
            x = ops.cond(fits, lambda raw=raw: raw, lambda raw=raw, f=f: cut(raw, f.pad))
            mask = ops.cond(fits, lambda: valid, lambda: cut(valid, False))
            if f.dtype != "float32" and self.lookup_sequences:
                x = self.lookup(f.name, x)
            # Raw values keep their padding value; ids and numbers get 0.
            raw_out = f.dtype != "float32" and not self.lookup_sequences
            values[f.name] = x if raw_out else ops.where(mask, x, ops.zeros_like(x))
            masks[f.name] = mask
        return values, masks

    @staticmethod
    def _cut_plan(raw, feature):
        """`(fits, valid, cut)`: whether every row fits in `max_length` (and
        the request has a step), the real entries, and the function keeping
        each row's `max_length` latest entries of an aligned tensor (one
        padded step more when the request has none)."""
        if feature.dtype == "float32" and _is_nan(feature.pad):
            valid = ops.logical_not(ops.isnan(raw))
        else:
            valid = ops.not_equal(raw, feature.pad)
        lengths = ops.sum(ops.cast(valid, "int32"), axis=1)
        width = ops.shape(raw)[1]
        fits = ops.logical_and(width > 0, ops.max(lengths, initial=0) <= feature.max_length)

        def cut(x, pad):
            x = ops.concatenate([x, ops.full((ops.shape(x)[0], 1), pad, dtype=x.dtype)], axis=1)
            steps = ops.minimum(ops.shape(x)[1], feature.max_length)
            start = ops.maximum(lengths - steps, 0)
            offsets = ops.expand_dims(ops.arange(steps), 0)
            if x.dtype == "bool":  # the mask: True on the kept real entries
                return offsets < ops.expand_dims(lengths - start, 1)
            return ops.take_along_axis(x, ops.expand_dims(start, 1) + offsets, axis=1)

        return fits, valid, cut

    def compute_output_spec(self, inputs):
        batch = next(iter(inputs.values())).shape[0]
        ids = {
            f.name: keras.KerasTensor((batch,), dtype="int32")
            for f in self.feature_spec.categorical + self.feature_spec.crossed
        }
        out = {"ids": ids}
        if self.feature_spec.sequence:
            out["sequences"] = {
                f.name: keras.KerasTensor(
                    (batch, None), dtype=_sequence_dtype(f, self.lookup_sequences)
                )
                for f in self.feature_spec.sequence
            }
            out["masks"] = {
                f.name: keras.KerasTensor((batch, None), dtype="bool")
                for f in self.feature_spec.sequence
            }
        if self.feature_spec.numeric:
            out["numeric"] = keras.KerasTensor((batch, len(self.feature_spec.numeric)))
        return out

    def lookup(self, name, raw):
        """int32 ids of raw values of categorical feature or sequence `name`
        (any shape), through the vocabulary its embedding uses."""
        return ops.cast(self._lookups[self.feature_spec.owner_of(name)](raw), "int32")

    def get_config(self):
        config = super().get_config()
        config["feature_spec"] = self.feature_spec.to_config()
        config["lookup_sequences"] = self.lookup_sequences
        return config


def _sequence_dtype(feature, lookup_sequences):
    if feature.dtype == "float32":
        return "float32"
    return "int32" if lookup_sequences else feature.dtype


def _is_nan(value):
    return isinstance(value, float) and value != value


def _make_lookup(feature):
    if feature.num_ids is not None:
        return IdRange(feature.num_ids, name=f"{feature.name}_ids")
    if feature.hash_buckets is not None:
        return keras.layers.Hashing(feature.hash_buckets, name=f"{feature.name}_hash")
    lookup_cls = (
        keras.layers.StringLookup if feature.dtype == "string" else keras.layers.IntegerLookup
    )
    return lookup_cls(
        vocabulary=list(feature.vocabulary),
        num_oov_indices=feature.num_oov_buckets,
        mask_token=None,
        name=f"{feature.name}_lookup",
    )
