"""RankingModel: the base every tfrank model is built on, and the CTR family."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import pandas as pd
import tensorflow as tf

from tfrank.data.data_source import DataSource, open_data
from tfrank.data.frames import as_feature_arrays, train_validation_split
from tfrank.data.pipeline import label_values, make_dataset
from tfrank.data.sources import CTR_SOURCES
from tfrank.data.streaming.stream_scoring import score_files
from tfrank.data.streaming.streaming_training import StreamSettings, prepare_streaming
from tfrank.data.training_data import TrainingData
from tfrank.errors import MissingFeatureSpec
from tfrank.features.feature_spec import FeatureSpec
from tfrank.metrics.scoring import score_frame
from tfrank.optimizers.lazy_adam import adam_for


class RankingModel(keras.Model):
    """A functional Keras model from named raw features to a click probability.

    Subclasses build their graph in `__init__` from the pieces in
    `tfrank.models.building_blocks`, then hand inputs and outputs to this
    constructor. The result:

    - takes a dict of raw features named and typed as in the `FeatureSpec`
      (`[batch]` strings, int64 ids or float32 values), so the exported
      signature is the same dict; `fit`, `predict` and `evaluate` also take
      a pandas DataFrame (labels from its label column), plain lists and
      NumPy arrays of any string dtype;
    - checks every call: a missing, unexpected or wrongly typed feature is a
      `ValueError` that names it;
    - returns `[batch, 1]` probabilities (layer `"probability"`);
    - compiles with sensible defaults: `model.compile()` alone is enough.

    It is also the click-through-rate (CTR) family: the class answers for
    its models what training needs to know — the data specs they read
    (`data_sources`, `load_data`, default `synthetic`: `SyntheticCTR`), how
    a run lays that data out (`prepare_training`), how they are scored
    (`score`, `output_kinds`) and what early stopping watches
    (`early_stopping`). The other families (`RatingModel`, `ImplicitModel`,
    `BehaviourModel`, `MultiTaskModel`) override what differs.

    Args:
        inputs: dict of `keras.Input`, from `make_inputs`.
        outputs: the probability tensor.
        feature_spec: the fitted `FeatureSpec`.
        config: dict of the subclass's constructor arguments; each becomes a
            public attribute and part of `get_config()`.

    Example:

    >>> from tfrank.models import DeepFM
    >>> DeepFM.family_base() is RankingModel, DeepFM.family_name, DeepFM.early_stopping(None)
    (True, 'ctr', ('val_auc', 'max'))
    >>> data = DeepFM.prepare_training("synthetic:2000", batch_size=500)
    >>> data.rows, data.validation_name
    ({'train': 1800, 'validation': 200}, '10% split of data')
    >>> model = DeepFM(data.spec, hidden_units=[8])
    >>> model.predict(data.example_frame.head(3), verbose=0).shape   # raw rows in
    (3, 1)
    >>> sorted(model.score(data.example_frame, group="user_id"))
    ['auc', 'gauc', 'logloss', 'rows']
    """

    family_name = "ctr"
    # Data specs the family reads (`tfrank.data.sources`).
    data_sources = CTR_SOURCES
    # Label column of `fit(frame)` / `score(frame)` for one-output models.
    default_label = "label"
    # `tfrank.training` strategies the family trains under.
    strategies = ("default", "mirrored", "multi_worker")
    # Name of the exported signature's output (rating models: "rating").
    output_name = "probability"
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
        x, y = self._adapt(x, y, with_labels=True)
        if shuffle is None:
            shuffle = not hasattr(x, "element_spec")
        return super().fit(x, y, *args, shuffle=shuffle, **kwargs)

    def predict(self, x, *args, **kwargs):
        x, _ = self._adapt(x)
        return super().predict(x, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        x, y = self._adapt(x, y, with_labels=True)
        return super().evaluate(x, y, *args, **kwargs)

    def _adapt(self, x, y=None, with_labels=False):
        """The inputs people have, in the form Keras takes, checked first.

        A DataFrame becomes typed arrays of the spec's columns (values
        validated; other columns ignored) and, for `fit` / `evaluate`
        without `y`, labels from its label column(s) (`y` may also name
        them); lists and NumPy string arrays become arrays Keras accepts.
        Names and dtypes are checked before Keras adapts the data, so a
        mistake is one message naming the feature, not a trace from Keras.
        """
        if isinstance(x, pd.DataFrame):
            if with_labels and (y is None or isinstance(y, (str, list))):
                y = self._frame_labels(x, y)
            x = self.feature_spec.frame_to_arrays(x)
        elif isinstance(x, Mapping):
            x = as_feature_arrays(x, self.feature_spec)
        features = getattr(x, "element_spec", x)
        if isinstance(features, tuple) and features:
            features = features[0]
        if isinstance(features, Mapping):
            self.feature_spec.check_inputs(features)
        return x, y

    def _frame_labels(self, frame, columns=None):
        kinds = self.output_kinds
        if columns is None:
            columns = list(kinds) if len(kinds) > 1 else self.default_label
        names = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise ValueError(
                f"The frame has no label column(s) {missing}; columns: {list(frame.columns)}. "
                "Pass y= (a column name or an array)."
            )
        values = {c: label_values(frame, c) for c in names}
        return values[names[0]] if isinstance(columns, str) else values

    # The family: data, training layout, scoring, early stopping.

    @classmethod
    def family_base(cls) -> type:
        """The base class of this model's family (`RankingModel` for CTR models)."""
        return next(k for k in cls.__mro__ if "family_name" in vars(k))

    @classmethod
    def load_data(cls, spec: str, seed: int = 0, held_out: bool = False):
        """Loads a data spec the way this family reads it (see `data_sources`).

        `held_out=True` gives the evaluation part: fresh rows of the
        synthetic generator, a test fold, each user's last click...
        """
        return open_data(spec, cls.data_sources, seed, held_out, family=cls.family_name)

    @classmethod
    def prepare_training(
        cls, data, validation_data=None, features=None, config=None, batch_size=1024, seed=0,
        num_negatives=4, stream=None,
    ) -> TrainingData:  # fmt: skip
        """Labelled rows: `data` (a spec or `DataSource`) for training, the
        rows of `validation_data` (or 10% of `data`, by `seed`) for early
        stopping and the reported scores; the spec (`features`: a
        `FeatureSpec`, a spec file, or the data's default) fitted on the
        training rows; each epoch's order a function of `(seed, epoch)`.

        Files larger than memory stream (`stream`, a `StreamSettings`:
        by default above 256 MB): they are read once in chunks to fit the
        spec and encode the rows (cached), the validation rows are a hashed
        10% of rows, and batches come from the encoded shards; `prepared:DIR`
        (made by `tfrank prepare`) always streams."""
        stream = stream if stream is not None else StreamSettings()
        if isinstance(data, str) and cls._streams(data, stream):
            return prepare_streaming(cls, data, validation_data, features, config, batch_size,
                                     seed, stream)  # fmt: skip
        source = cls.load_data(data, seed) if isinstance(data, str) else data
        spec = _feature_spec(features, source)
        if features is None:
            spec = cls.default_feature_spec(spec, source.frame, config or {})
        label = cls.label_of(source, config)
        _check_table(source, spec, label)
        if validation_data is not None:
            held = validation_data
            if isinstance(held, str):
                held = cls.load_data(held, seed, held_out=True)
            _check_table(held, spec, label)
            train_frame, valid_frame = source.frame, held.frame
            validation_name = held.name
        else:
            train_frame, valid_frame = train_validation_split(source.frame, 0.1, seed)
            validation_name = "10% split of data"
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)

        def train_from(rows=0):
            return make_dataset(train_frame, spec, label, batch_size, shuffle=True, seed=seed,
                                shuffle_epoch=epoch, skip_rows=rows)  # fmt: skip

        try:
            spec = spec.fit(train_frame)
            train, validation = train_from(0), make_dataset(valid_frame, spec, label, batch_size)
        except ValueError:
            if validation_data is None:
                # The split shuffled the rows: find the bad value again in the
                # data as read, so that the error names its row there.
                _check_values(source.frame, spec, label)
            raise

        def evaluate(model, predict=None):
            scores = model.score(valid_frame, label, source.group, batch_size, predict)
            return {"validation": scores}

        return TrainingData(
            spec=spec, train=train, validation=validation,
            data_epoch=epoch, evaluate=evaluate, example_frame=valid_frame,
            rows={"train": len(train_frame), "validation": len(valid_frame)},
            examples_per_epoch=len(train_frame), name=source.name,
            validation_name=validation_name, labelled_rows=(train_frame, label),
            train_from=train_from,
        )  # fmt: skip

    @classmethod
    def default_feature_spec(cls, spec: FeatureSpec, frame, config: dict) -> FeatureSpec:
        """The data's default spec as this model, with `config`, reads it
        (a model that needs a column the default leaves out adds it)."""
        return spec

    @classmethod
    def _streams(cls, data: str, stream) -> bool:
        kind_name, _, argument = data.partition(":")
        kind = cls.data_sources.get(kind_name)
        if kind is None or not argument:
            return False
        return kind_name == "prepared" or stream.streams(kind, argument)

    @classmethod
    def label_of(cls, source: DataSource, config=None):
        """The label column(s) a run trains on: the data's."""
        return source.label

    def score(self, data, label=None, group=None, batch_size=4096, predict=None) -> dict:
        """Offline metrics on labelled data: a `DataSource`, a DataFrame or
        a dict of columns (see `tfrank.metrics.score_frame`)."""
        if isinstance(data, DataSource):
            label = label or data.label
            group = group or data.group
            data = data.frame
        label = label if isinstance(label, str) else None
        return score_frame(self, data, label, group, batch_size, predict)

    def score_files(self, data: str, stream=None) -> dict | None:
        """Scores a data spec of files too large for memory by streaming
        them (all rows; `prepared:DIR`: its validation rows), or None when
        `data` is read in memory (`stream`: `StreamSettings`)."""
        stream = stream if stream is not None else StreamSettings()
        if not self._streams(data, stream):
            return None
        return score_files(self, data, self.data_sources, stream)

    @property
    def output_kinds(self) -> dict:
        """`{output name: "probability" | "value"}`: how each output is scored."""
        return {self.output_name: "probability"}

    def serving_outputs(self, outputs) -> dict:
        """Named outputs of the exported `serving_default` signature."""
        return {self.output_name: outputs}

    def early_stopping(self) -> tuple[str, str]:
        """`(logged metric, "max" | "min")` that training stops early on."""
        return "val_auc", "max"

    def training_callbacks(self) -> list:
        """Callbacks training runs before early stopping."""
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
        """The model a training run fits: `cls(feature_spec, **config)`.

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
        return parts[0] if len(parts) == 1 else keras.ops.concatenate(parts, axis=1)

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


def _feature_spec(features, source) -> FeatureSpec:
    if isinstance(features, FeatureSpec):
        spec = features
    else:
        spec = FeatureSpec.load(features) if features else source.feature_spec
    if not spec.features:
        raise MissingFeatureSpec(source.name)
    return spec


def _check_values(frame: pd.DataFrame, spec: FeatureSpec, label) -> None:
    """Converts `frame`'s features and labels as training does: a bad value
    raises the error that names its row of `frame`."""
    spec.frame_to_arrays(frame)
    for name in [label] if isinstance(label, str) else list(label or []):
        label_values(frame, name)


def _check_table(source: DataSource, spec: FeatureSpec, label) -> None:
    """Columns of a data source checked up front, naming the source."""
    spec.check_columns(source.frame, where=f"data {source.name!r}")
    labels = [label] if isinstance(label, str) else list(label or [])
    missing = [name for name in labels if name not in source.frame.columns]
    if missing:
        raise ValueError(
            f"The data {source.name!r} has no label column(s) {missing}; "
            f"columns: {list(source.frame.columns)}"
        )
