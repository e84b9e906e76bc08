"""EmbeddingBank: every categorical feature's embedding in fused tables."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfrank.registration import register_layer


@register_layer
class EmbeddingBank(keras.layers.Layer):
    """Embeddings of many categorical features, one gather per table.

    Features with the same embedding width live in one fused table of
    `sum(vocabulary sizes)` rows; feature `f` owns rows
    `[offset_f, offset_f + size_f)`. A batch of all features' ids is shifted
    by the offsets and gathered once, instead of one lookup per feature.
    A feature that shares another's table reads the owner's rows.

    Args:
        features: list of dicts with keys `name`, `vocabulary_size`,
            `embedding_dim` and optionally `share_with` (owner's name).
        output_mode: str. `"stacked"` returns `[batch, n_features, dim]` in
            the order of `features` (all widths must be equal); `"dict"`
            returns `{name: [batch, dim]}`. Defaults to `"stacked"`.
        embeddings_initializer: initializer of the tables. Defaults to
            `RandomNormal(stddev=0.01)`.
        embeddings_regularizer: optional regularizer of the tables.
        mba_l2: float. Mini-batch-aware L2 (DIN paper, eq. 4): in training,
            adds `mba_l2 * sum_j ||w_j||^2 / n_j` over the rows `j` the
            batch reads (each once, however often it occurs), `n_j` the
            row's training frequency (`set_frequencies`; the behaviour
            models count them before their first `fit`). A full-table L2
            would touch every row every step; this touches the rows in the
            batch (its cost grows with the batch, not the table) and shrinks
            rare ones hardest. Defaults to `0.0`.

    Call arguments:
        ids: dict of int ids, each `[batch]` (more trailing dims allowed in
            `"dict"` mode), valid in `[0, vocabulary_size)`.
        masks: optional dict of bool masks shaped like some of `ids`
            (sequences); masked entries are not "read" by `mba_l2`.

    Example:

    >>> import pandas as pd
    >>> from tfrank.features import CategoricalFeature, FeatureSpec
    >>> spec = FeatureSpec([CategoricalFeature("site", embedding_dim=4),
    ...                     CategoricalFeature("app", embedding_dim=4)])
    >>> spec = spec.fit(pd.DataFrame({"site": ["a", "b", "a"], "app": ["x", "y", "z"]}))
    >>> bank = EmbeddingBank([{"name": f.name, "vocabulary_size": f.vocabulary_size,
    ...                        "embedding_dim": f.embedding_dim} for f in spec.categorical])
    >>> bank.offsets(["site", "app"]).tolist()   # site owns rows 0-2 (OOV + 2), app 3-6
    [0, 3]
    >>> out = bank({"site": ops.array([1, 2]), "app": ops.array([3, 0])})
    >>> tuple(out.shape), tuple(bank.tables["4"].shape)   # one gather from one table
    ((2, 2, 4), (7, 4))
    >>> bool(ops.all(out[0, 1] == bank.tables["4"][3 + 3]))   # app id 3 is row 3 + 3
    True
    """

    def __init__(
        self,
        features,
        output_mode="stacked",
        embeddings_initializer=None,
        embeddings_regularizer=None,
        mba_l2=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.mba_l2 = float(mba_l2)
        if output_mode not in ("stacked", "dict"):
            raise ValueError(f"output_mode must be 'stacked' or 'dict'. Received: {output_mode!r}")
        self.features = [dict(f) for f in features]
        if not self.features:
            raise ValueError("EmbeddingBank needs at least one feature.")
        self.output_mode = output_mode
        self.embeddings_initializer = keras.initializers.get(
            embeddings_initializer or keras.initializers.RandomNormal(stddev=0.01)
        )
        self.embeddings_regularizer = keras.regularizers.get(embeddings_regularizer)
        owners = {f["name"]: f for f in self.features if not f.get("share_with")}
        widths = sorted({f["embedding_dim"] for f in self.features})
        if output_mode == "stacked" and len(widths) > 1:
            raise ValueError(
                "output_mode='stacked' needs one embedding_dim for all features; "
                f"received widths {widths}: "
                + ", ".join(f"{f['name']}={f['embedding_dim']}" for f in self.features)
            )
        # Row offsets: owners get consecutive ranges per width; sharers reuse them.
        self._offsets, self._table_rows = {}, {w: 0 for w in widths}
        for f in self.features:
            if f["name"] in owners:
                self._offsets[f["name"]] = self._table_rows[f["embedding_dim"]]
                self._table_rows[f["embedding_dim"]] += int(f["vocabulary_size"])
        for f in self.features:
            if f.get("share_with"):
                if f["share_with"] not in owners:
                    raise ValueError(
                        f"Feature '{f['name']}' shares '{f['share_with']}', which "
                        "is not a feature of this bank that owns a table."
                    )
                self._offsets[f["name"]] = self._offsets[f["share_with"]]
        # Tuples, not int-keyed dicts: TF's tracking can't save the latter.
        self._groups = tuple(
            (w, tuple(f["name"] for f in self.features if f["embedding_dim"] == w)) for w in widths
        )
        self._table_rows = tuple(self._table_rows.items())

    def build(self, input_shape=None):
        self.tables = {}
        for width, rows in self._table_rows:
            self.tables[str(width)] = self.add_weight(
                name=f"table_{width}",
                shape=(rows, width),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                # Rows are cast after the gather; autocasting would cast the table.
                autocast=False,
            )
        self.frequencies = {}
        if self.mba_l2:
            for width, rows in self._table_rows:
                self.frequencies[str(width)] = self.add_weight(
                    name=f"frequencies_{width}", shape=(rows,), initializer="ones",
                    trainable=False,
                )  # fmt: skip
            # Saved with the model, so a reloaded model is not counted again.
            self.frequencies_counted = self.add_weight(
                name="frequencies_counted", shape=(), initializer="zeros", trainable=False
            )

    @property
    def has_frequencies(self) -> bool:
        """Whether `set_frequencies` gave this bank its `n_j` (always true
        without `mba_l2`, which is the only reader of them)."""
        if not self.mba_l2:
            return True
        return self.built and bool(ops.convert_to_numpy(self.frequencies_counted))

    def offsets(self, names):
        return np.array([self._offsets[n] for n in names], dtype="int32")

    def set_frequencies(self, counts):
        """`counts`: `{feature: per-id training counts}` (NumPy, length of
        the feature's vocabulary); features sharing a table add up."""
        for width, names in self._groups:
            key = str(width)
            if key not in self.frequencies:
                continue
            total = np.zeros(self.frequencies[key].shape, "float32")
            for name in names:
                if name in counts:
                    c = np.asarray(counts[name], "float32")
                    start = self._offsets[name]
                    total[start : start + len(c)] += c
            self.frequencies[key].assign(np.maximum(total, 1.0))
        if self.mba_l2:
            self.frequencies_counted.assign(1.0)

    def call(self, ids, masks=None, training=None):
        if training and self.mba_l2:
            self.add_loss(self._mba_penalty(ids, masks or {}))
        if self.output_mode == "stacked":
            width, names = self._groups[0]
            return self._gather_group(ids, width, names)
        outputs = {}
        for width, names in self._groups:
            flat = [n for n in names if len(ids[n].shape) == 1]
            if flat:
                stacked = self._gather_group(ids, width, flat)
                for i, name in enumerate(flat):
                    outputs[name] = stacked[:, i, :]
            for name in names:
                if name not in outputs:  # sequences: their own gather, same table
                    rows = ops.cast(ids[name], "int32") + self._offsets[name]
                    outputs[name] = self._rows(self.tables[str(width)], rows)
        return outputs

    def _mba_penalty(self, ids, masks):
        penalty = 0.0
        for width, names in self._groups:
            present = [n for n in names if n in ids]
            if not present:
                continue
            rows = ops.concatenate(
                [ops.reshape(ops.cast(ids[n], "int32") + self._offsets[n], (-1,)) for n in present]
            )
            read = ops.concatenate(
                [
                    ops.reshape(ops.cast(masks[n], "float32"), (-1,))
                    if n in masks
                    else ops.ones((ops.size(ids[n]),))
                    for n in present
                ]
            )
            table, frequency = self.tables[str(width)], self.frequencies[str(width)]
            # Each row read k times in the batch counts 1/k per read: once in
            # all. k comes from the sorted reads (O(reads log reads)), not from
            # a table-sized scatter; unread entries sort apart as row -1.
            keyed = ops.where(read > 0, rows, -1)
            ordered = ops.sort(keyed)
            times = ops.searchsorted(ordered, keyed, side="right") - ops.searchsorted(
                ordered, keyed, side="left"
            )
            times = ops.maximum(ops.cast(times, "float32"), 1.0)
            share = read / (times * gather_rows(frequency, rows))
            norms = ops.sum(ops.square(gather_rows(table, rows)), axis=-1)
            penalty = penalty + ops.sum(share * norms)
        return self.mba_l2 * penalty

    def _gather_group(self, ids, width, names):
        stacked = ops.stack([ops.cast(ids[n], "int32") for n in names], axis=1)
        rows = stacked + ops.convert_to_tensor(self.offsets(names))
        return self._rows(self.tables[str(width)], rows)

    def _rows(self, table, rows):
        return ops.cast(gather_rows(table, rows), self.compute_dtype)

    def compute_output_spec(self, ids, masks=None, training=None):
        batch = next(iter(ids.values())).shape[0]
        if self.output_mode == "stacked":
            width = self.features[0]["embedding_dim"]
            return keras.KerasTensor((batch, len(self.features), width))
        return {
            f["name"]: keras.KerasTensor(tuple(ids[f["name"]].shape) + (f["embedding_dim"],))
            for f in self.features
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            features=self.features,
            output_mode=self.output_mode,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
            embeddings_regularizer=keras.regularizers.serialize(self.embeddings_regularizer),
            mba_l2=self.mba_l2,
        )
        return config


def gather_rows(variable, rows):
    """`variable[rows]` without reading the rest of it.

    On TensorFlow, `ops.take` reads the whole variable and then gathers; when
    a sparse optimizer update of the same variable follows in the step, the
    runtime must copy the whole table to keep that read intact (at Criteo's
    34M rows this costs more than the model). A gather on the variable
    itself reads only the rows. Other backends take the portable path.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.gather(variable.value, rows)
    return ops.take(variable, rows, axis=0)
