"""FeatureTransform: raw named features -> ids and normalized numerics."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.registry import register_layer


@register_layer
class FeatureTransform(keras.layers.Layer):
    """Encodes raw features in-graph, with the state a `FeatureSpec` learned.

    - categorical: vocabulary lookup (OOV values share the first
      `num_oov_buckets` ids) or hashing; a feature that shares another's
      embedding uses that feature's lookup, so equal values get equal ids;
    - numeric: `z = (t - mean) / sqrt(var + 1e-12)` with `t` the optionally
      log-transformed value and missing (NaN) values set to `mean`;
    - crossed: chained pairwise hashed crosses of raw values.

    String lookup and hashing use Keras' own preprocessing layers (strings
    have no `keras.ops`); the numeric path is plain `keras.ops`.

    Args:
        feature_spec: `FeatureSpec` (fitted) or its config dict.

    Call arguments:
        inputs: dict of raw tensors of shape `[batch]`, one per input feature.

    Returns:
        dict with `"ids"` (feature name -> int ids `[batch]`, categorical and
        crossed) and, when the spec has numeric features, `"numeric"`
        (`[batch, n_numeric]` float).

    Example:

    >>> transform = FeatureTransform(spec)
    >>> out = transform({"site": ["a", "zz"], "price": [3.0, float("nan")]})
    >>> out["ids"]["site"], out["numeric"]
    """

    def __init__(self, feature_spec, **kwargs):
        super().__init__(**kwargs)
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
        if not spec.numeric:
            return {"ids": ids}
        x = ops.stack([ops.cast(inputs[f.name], "float32") for f in spec.numeric], axis=-1)
        logged = ops.sign(x) * ops.log1p(ops.abs(x))
        x = ops.where(ops.convert_to_tensor(self._log_mask) > 0, logged, x)
        means = ops.convert_to_tensor(self._means)
        x = ops.where(ops.isnan(x), means, x)
        numeric = (x - means) * ops.convert_to_tensor(self._scales)
        return {"ids": ids, "numeric": numeric}

    def compute_output_spec(self, inputs):
        batch = next(iter(inputs.values())).shape[0]
        ids = {
            f.name: keras.KerasTensor((batch,), dtype="int32")
            for f in self.feature_spec.categorical + self.feature_spec.crossed
        }
        if not self.feature_spec.numeric:
            return {"ids": ids}
        numeric = keras.KerasTensor((batch, len(self.feature_spec.numeric)))
        return {"ids": ids, "numeric": numeric}

    def get_config(self):
        config = super().get_config()
        config["feature_spec"] = self.feature_spec.to_config()
        return config


def _make_lookup(feature):
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
