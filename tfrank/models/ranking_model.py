"""RankingModel: the base every tfrank CTR model is built on."""

from __future__ import annotations

from collections.abc import Mapping

import keras
from keras import ops

from tfrank.features.feature_spec import FeatureSpec
from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.core.linear_term import LinearTerm
from tfrank.layers.core.numeric_embedding import NumericEmbedding
from tfrank.layers.preprocessing.feature_transform import FeatureTransform
from tfrank.optimizers.lazy_adam import adam_for


class RankingModel(keras.Model):
    """A functional Keras model from named raw features to a click probability.

    Subclasses build their graph in `__init__` from the pieces below, then
    hand inputs and outputs to this constructor. The result:

    - takes a dict of raw features named and typed as in the `FeatureSpec`
      (`[batch]` strings, int64 ids or float32 values), so the exported
      signature is the same dict;
    - checks every call: a missing, unexpected or wrongly typed feature is a
      `ValueError` that names it;
    - returns `[batch, 1]` probabilities (layer `"probability"`);
    - compiles with sensible defaults: `model.compile()` alone is enough.

    Args:
        inputs: dict of `keras.Input`, from `make_inputs`.
        outputs: the probability tensor.
        feature_spec: the fitted `FeatureSpec`.
        config: dict of the subclass's constructor arguments; each becomes a
            public attribute and part of `get_config()`.
    """

    # Default data of `tfrank train` for this model (see tfrank.data.load_data).
    synthetic_data = "ctr"
    # Training protocol of `tfrank train`: "ctr" (labelled rows, AUC),
    # "implicit" (positives + sampled negatives, leave-one-out HR/NDCG) or
    # "rating" (explicit ratings, RMSE).
    task = "ctr"
    # Name of the exported signature's output (rating models: "rating").
    output_name = "probability"
    # Constructor arguments that keep the model small (conformance tests).
    small_config: dict = {}
    # Whether the model reads sequence features (behaviour histories).
    accepts_sequences = False

    def __init__(self, inputs, outputs, feature_spec, config=None, **kwargs):
        if feature_spec.sequence and not self.accepts_sequences:
            raise ValueError(
                f"{type(self).__name__} does not read sequence features; the spec has "
                f"{[f.name for f in feature_spec.sequence]}. Drop them from its spec "
                "or use a behaviour-sequence model."
            )
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.feature_spec = feature_spec
        self._model_args = dict(config or {})
        for name, value in self._model_args.items():
            setattr(self, name, value)

    def call(self, inputs, training=None, mask=None):
        self.feature_spec.check_inputs(inputs)
        return super().call(inputs, training=training, mask=mask)

    def fit(self, x=None, y=None, *args, shuffle=None, **kwargs):
        # A tf.data pipeline shuffles itself (`make_dataset(shuffle=True)`);
        # Keras' own shuffle flag only warns about it.
        if shuffle is None:
            shuffle = not hasattr(x, "element_spec")
        self._check_data(x)
        return super().fit(x, y, *args, shuffle=shuffle, **kwargs)

    def predict(self, x, *args, **kwargs):
        self._check_data(x)
        return super().predict(x, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        self._check_data(x)
        return super().evaluate(x, y, *args, **kwargs)

    def _check_data(self, x):
        """Feature names and dtypes checked before Keras adapts the data, so
        a mistake is one message naming the feature, not a trace from Keras."""
        features = getattr(x, "element_spec", x)
        if isinstance(features, tuple) and features:
            features = features[0]
        if isinstance(features, Mapping):
            self.feature_spec.check_inputs(features)

    def serving_outputs(self, outputs) -> dict:
        """Named outputs of the exported `serving_default` signature."""
        return {self.output_name: outputs}

    def early_stopping(self) -> tuple[str, str]:
        """`(logged metric, "max" | "min")` that `tfrank train` stops early on."""
        return "val_auc", "max"

    def training_callbacks(self) -> list:
        """Callbacks `tfrank train` runs before early stopping."""
        return []

    def default_optimizer(self) -> keras.optimizers.Optimizer:
        return adam_for(self.feature_spec, learning_rate=1e-3)

    def compile(self, optimizer=None, loss=None, metrics=None, **kwargs):
        """`keras.Model.compile` with defaults for CTR: the model's preferred
        optimizer, binary cross-entropy and AUC."""
        super().compile(
            optimizer=optimizer if optimizer is not None else self.default_optimizer(),
            loss=loss if loss is not None else "binary_crossentropy",
            metrics=metrics if metrics is not None else [keras.metrics.AUC(name="auc")],
            **kwargs,
        )

    def compile_from_config(self, config):
        # Our compile() has defaults, so a saved compile config replays as is.
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """The model `tfrank train` fits: `cls(feature_spec, **config)`.

        Models that start from another trained model (FNN from FM) override
        this to load or train that model first.
        """
        return cls(feature_spec, **(config or {}))

    def embed_fields(self, features):
        """`[batch, n_fields, k]` field embeddings of raw `features`, for
        models built with `field_embeddings` (fields: categorical, then
        numeric, in spec order)."""
        transformed = self.get_layer("features")(features)
        spec = self.feature_spec
        parts = []
        if spec.categorical:
            ids = {f.name: transformed["ids"][f.name] for f in spec.categorical}
            parts.append(self.get_layer("embeddings")(ids))
        if spec.numeric:
            parts.append(self.get_layer("numeric_embeddings")(transformed["numeric"]))
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=1)

    @property
    def field_names(self) -> list[str]:
        """Field order of `embed_fields`."""
        return [f.name for f in self.feature_spec.categorical + self.feature_spec.numeric]

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "feature_spec": self.feature_spec.to_config(),
            **self._model_args,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def as_feature_spec(feature_spec) -> FeatureSpec:
    if isinstance(feature_spec, FeatureSpec):
        return feature_spec
    return FeatureSpec.from_config(feature_spec)


def make_inputs(spec: FeatureSpec) -> dict:
    """One named, typed input per raw feature: `[batch]`, or `[batch, None]`
    for sequences."""
    return {
        f.name: keras.Input(
            shape=(None,) if f.kind == "sequence" else (), dtype=f.dtype, name=f.name
        )
        for f in spec.raw_features
    }


def transform_features(spec: FeatureSpec, inputs: dict) -> dict:
    return FeatureTransform(spec, name="features")(inputs)


def bank_features(spec: FeatureSpec, include_crossed: bool = False) -> list[dict]:
    """EmbeddingBank / LinearTerm feature descriptions for a spec."""
    features = [
        {
            "name": f.name,
            "vocabulary_size": 0 if f.share_embedding_with else f.vocabulary_size,
            "embedding_dim": f.embedding_dim,
            "share_with": f.share_embedding_with,
        }
        for f in spec.categorical
    ]
    if include_crossed:
        features += [
            {"name": f.name, "vocabulary_size": f.vocabulary_size, "embedding_dim": 1}
            for f in spec.crossed
        ]
    return features


def field_embeddings(spec: FeatureSpec, transformed: dict, regularizer=None):
    """`[batch, n_fields, k]`: categorical embeddings then numeric `x_j v_j`.

    Models that interact every pair of fields (FM, DeepFM) need one width
    `k`; a spec with several widths is an error that lists them.
    """
    widths = {f.name: f.embedding_dim for f in spec.categorical + spec.numeric}
    if len(set(widths.values())) > 1:
        raise ValueError(
            "This model interacts all fields, so every categorical and numeric "
            f"feature needs the same embedding_dim; received {widths}."
        )
    parts = []
    if spec.categorical:
        bank = EmbeddingBank(
            bank_features(spec), embeddings_regularizer=regularizer, name="embeddings"
        )
        parts.append(bank({f.name: transformed["ids"][f.name] for f in spec.categorical}))
    if spec.numeric:
        width = spec.numeric[0].embedding_dim
        parts.append(NumericEmbedding(width, name="numeric_embeddings")(transformed["numeric"]))
    if not parts:
        raise ValueError("The feature spec has no categorical or numeric features.")
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=1)


def flat_embeddings(spec: FeatureSpec, transformed: dict):
    """`[batch, sum(embedding_dim) + n_numeric]`: every categorical embedding
    (widths may differ) and the normalized numerics, side by side (the
    input `x_0` of DCN, Deep Crossing and Wide & Deep's deep part)."""
    parts = []
    if spec.categorical:
        embedded = EmbeddingBank(bank_features(spec), output_mode="dict", name="embeddings")(
            {f.name: transformed["ids"][f.name] for f in spec.categorical}
        )
        parts += [embedded[f.name] for f in spec.categorical]
    if spec.numeric:
        parts.append(transformed["numeric"])
    return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)


def logit_layer(inputs, name="logit"):
    return keras.layers.Dense(1, name=name)(inputs)


def linear_logit(spec: FeatureSpec, transformed: dict, name="linear", regularizer=None):
    """`[batch, 1]` first-order term over categorical, crossed and numeric features."""
    return LinearTerm(
        bank_features(spec, include_crossed=True),
        num_numeric=len(spec.numeric),
        kernel_regularizer=regularizer,
        name=name,
    )(transformed["ids"], transformed.get("numeric"))


def l2_regularizer(strength):
    return keras.regularizers.L2(strength) if strength else None


def probability(logit):
    return keras.layers.Activation("sigmoid", name="probability")(logit)
