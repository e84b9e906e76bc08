"""LinearTerm: the first-order (wide) part of a ranking model."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.registration import register_layer


@register_layer
class LinearTerm(keras.layers.Layer):
    """First-order term over categorical ids and numeric values.

        y = b + sum_f w_f[id_f] + sum_j u_j x_j

    The per-id weights are one fused `[sum(sizes), 1]` table (an
    `EmbeddingBank` of width 1), gathered once for all features.

    Args:
        features: list of dicts with `name` and `vocabulary_size` (and
            optionally `share_with`), the categorical and crossed features.
        num_numeric: int. Number of numeric inputs. Defaults to `0`.
        use_bias: bool. Defaults to `True`.
        kernel_regularizer: optional regularizer of the per-id and numeric
            weights (not of the bias).

    Call arguments:
        ids: dict of int ids `[batch]`.
        numeric: `[batch, num_numeric]` float tensor or `None`.

    Returns:
        `[batch, 1]` logits.

    Example:

    >>> term = LinearTerm([{"name": "site", "vocabulary_size": 3}], num_numeric=2)
    >>> ids, x = {"site": ops.array([1, 2])}, ops.array([[1.0, 1.0], [2.0, 0.0]])
    >>> ops.convert_to_numpy(term(ids, x)).tolist()   # every weight starts at zero
    [[0.0], [0.0]]
    >>> _ = term.id_weights.assign([[0.0], [1.0], [2.0]])   # w_site[id] = id
    >>> _ = term.numeric_kernel.assign([[0.5], [0.5]])
    >>> ops.convert_to_numpy(term(ids, x)).tolist()   # 1 + 0.5 (1 + 1), 2 + 0.5 * 2
    [[2.0], [3.0]]
    """

    def __init__(self, features, num_numeric=0, use_bias=True, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.features = [dict(f, embedding_dim=1) for f in features]
        self.num_numeric = int(num_numeric)
        self.use_bias = bool(use_bias)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._bank = None
        if self.features:
            self._bank = EmbeddingBank(
                self.features,
                embeddings_initializer="zeros",
                embeddings_regularizer=self.kernel_regularizer,
                name="weights",
            )

    def build(self, ids_shape=None, numeric_shape=None):
        if self._bank is not None:
            self._bank.build()
        if self.num_numeric:
            self.numeric_kernel = self.add_weight(
                name="numeric_kernel",
                shape=(self.num_numeric, 1),
                initializer="zeros",
                regularizer=self.kernel_regularizer,
            )
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(1,), initializer="zeros")

    @property
    def id_weights(self):
        """The fused `[sum(sizes), 1]` per-id weight table (rows in `features`
        order), or `None` without categorical features."""
        return None if self._bank is None else self._bank.tables["1"]

    def call(self, ids, numeric=None):
        terms = []
        if self._bank is not None:
            terms.append(ops.sum(self._bank(ids), axis=1))
        if self.num_numeric:
            if numeric is None:
                raise ValueError(f"LinearTerm expects {self.num_numeric} numeric inputs.")
            terms.append(ops.matmul(numeric, self.numeric_kernel))
        if not terms:
            raise ValueError("LinearTerm has neither categorical nor numeric inputs.")
        y = terms[0]
        for term in terms[1:]:
            y = y + term
        return y + self.bias if self.use_bias else y

    def compute_output_spec(self, ids, numeric=None):
        batch = next(iter(ids.values())).shape[0] if ids else numeric.shape[0]
        return keras.KerasTensor((batch, 1))

    def get_config(self):
        config = super().get_config()
        config.update(
            features=[{k: v for k, v in f.items() if k != "embedding_dim"} for f in self.features],
            num_numeric=self.num_numeric,
            use_bias=self.use_bias,
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
