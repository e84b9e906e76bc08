"""AutoRec's autoencoder over rows of the rating matrix, queried one entry at a time."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from tfrank.registration import register_layer


@register_layer
class AutoRecLayer(keras.layers.Layer):
    """Reconstructs row `r` of a rating matrix and returns entry `(r, c)`.

        h(r) = g(V r + mu),   r_hat = W h(r) + b + m,   output = r_hat[c]

    with `g` = `activation` (sigmoid in the paper) and the identity output
    offset by `m` = `global_mean` (so the biases start at the mean rating
    rather than several hundred Adam steps away from it). The
    matrix of observed ratings (zeros elsewhere) is a non-trainable weight:
    it is the model's input, so it travels inside `.keras` files and
    SavedModels. Only the queried column of `W` and `b` is computed.

    The paper's objective (Sedhain et al., eq. 2) reconstructs every observed
    entry from its whole row and is fitted one observed entry `(r, c)` at a
    time here, with squared error on that entry and L2 on `V` and `W`:

        sum_{(r, c) observed} (R[r, c] - r_hat(R[r])[c])^2
            + (lambda / 2) (||W||^2 + ||V||^2)

    `mask_target=True` hides the fitted entry from its input row in training
    instead (a denoising variant; the paper does not).

    An entry whose row or column has no observed rating (an item or a user
    unseen in training, or the out-of-vocabulary id on either side)
    predicts `default_rating`, the paper's convention for new users and
    items: the row gives the encoder nothing to read, and the column's
    decoder weights were never fitted. With `rating_range`, inference
    outputs are clipped to it (training outputs are not, so gradients never
    vanish at the bounds).

    Args:
        num_rows, num_columns: int. Matrix shape (items x users for
            I-AutoRec, users x items for U-AutoRec).
        hidden_units: int. Defaults to `500`.
        activation: hidden activation. Defaults to `"sigmoid"`.
        kernel_regularizer: regularizer of `V` and `W`.
        global_mean: float. `m`. Defaults to `0.0`.
        default_rating: float. Defaults to `3.0`.
        rating_range: `(low, high)` or `None`. Defaults to `(1.0, 5.0)`.
        mask_target: bool. In training, hide the fitted entry `(r, c)` from
            the input row. Defaults to `False` (the paper's objective).

    Example:

    >>> layer = AutoRecLayer(num_rows=3, num_columns=4, hidden_units=8)
    >>> layer.set_ratings([0, 0, 1], [1, 2, 3], [5.0, 3.0, 4.0])   # rows, columns, ratings
    >>> predicted = ops.convert_to_numpy(layer(ops.array([0, 2]), ops.array([3, 0])))
    >>> predicted.shape, float(predicted[1, 0])   # row 2 has no rating: default_rating
    ((2, 1), 3.0)
    >>> float(ops.convert_to_numpy(layer(ops.array([0]), ops.array([0])))[0, 0])  # nor column 0
    3.0
    >>> bool(1.0 <= predicted[0, 0] <= 5.0)   # inference clips to rating_range
    True
    >>> tuple(layer.reconstruct(ops.array([0])).shape)   # row 0, every column
    (1, 4)

    References:
        - [Sedhain et al., 2015](https://doi.org/10.1145/2740908.2742726)
    """

    def __init__(
        self,
        num_rows,
        num_columns,
        hidden_units=500,
        activation="sigmoid",
        kernel_regularizer=None,
        global_mean=0.0,
        default_rating=3.0,
        rating_range=(1.0, 5.0),
        mask_target=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.mask_target = bool(mask_target)
        self.num_rows, self.num_columns = int(num_rows), int(num_columns)
        self.hidden_units = int(hidden_units)
        self.activation = keras.activations.get(activation)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.global_mean = float(global_mean)
        self.default_rating = float(default_rating)
        self.rating_range = tuple(float(v) for v in rating_range) if rating_range else None

    def build(self, rows_shape=None, columns_shape=None):
        self.ratings = self.add_weight(
            name="ratings", shape=(self.num_rows, self.num_columns), initializer="zeros",
            trainable=False,
        )  # fmt: skip
        self.encoder_kernel = self.add_weight(
            name="encoder_kernel", shape=(self.num_columns, self.hidden_units),
            initializer="glorot_uniform", regularizer=self.kernel_regularizer,
        )  # fmt: skip
        self.encoder_bias = self.add_weight(
            name="encoder_bias", shape=(self.hidden_units,), initializer="zeros"
        )
        # Stored transposed ([columns, hidden]) so one column is one row gather.
        self.decoder_kernel = self.add_weight(
            name="decoder_kernel", shape=(self.num_columns, self.hidden_units),
            initializer="glorot_uniform", regularizer=self.kernel_regularizer,
        )  # fmt: skip
        self.decoder_bias = self.add_weight(
            name="decoder_bias", shape=(self.num_columns,), initializer="zeros"
        )

    def call(self, rows, columns, training=None):
        observed = ops.take(self.ratings, rows, axis=0)
        if training and self.mask_target:
            # The rating being fitted is hidden from the input, as an unrated
            # pair's is at inference; else the net learns to copy it through.
            observed = observed * (1.0 - ops.one_hot(columns, self.num_columns))
        hidden = self.activation(ops.matmul(observed, self.encoder_kernel) + self.encoder_bias)
        out_kernel = ops.take(self.decoder_kernel, columns, axis=0)
        predicted = ops.sum(hidden * out_kernel, axis=-1) + ops.take(self.decoder_bias, columns)
        predicted = predicted + self.global_mean
        rated_row = ops.any(ops.not_equal(observed, 0.0), axis=-1)
        rated_column = ops.any(ops.not_equal(ops.take(self.ratings, columns, axis=1), 0.0), axis=0)
        known = ops.logical_and(rated_row, rated_column)
        predicted = ops.where(known, predicted, self.default_rating)
        if self.rating_range and not training:
            predicted = ops.clip(predicted, *self.rating_range)
        return ops.expand_dims(predicted, -1)

    def reconstruct(self, rows):
        """`[batch, num_columns]`: the whole reconstructed rows (unclipped)."""
        observed = ops.take(self.ratings, rows, axis=0)
        hidden = self.activation(ops.matmul(observed, self.encoder_kernel) + self.encoder_bias)
        decoded = ops.matmul(hidden, ops.transpose(self.decoder_kernel)) + self.decoder_bias
        return decoded + self.global_mean

    def set_ratings(self, rows, columns, values):
        """Fills the observed matrix (replacing it) from aligned index arrays."""
        matrix = np.zeros((self.num_rows, self.num_columns), np.float32)
        matrix[np.asarray(rows), np.asarray(columns)] = np.asarray(values, np.float32)
        if not self.built:
            self.build()
        self.ratings.assign(matrix)

    def compute_output_shape(self, rows_shape, columns_shape=None):
        return (*rows_shape, 1)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_rows=self.num_rows,
            num_columns=self.num_columns,
            hidden_units=self.hidden_units,
            activation=keras.activations.serialize(self.activation),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
            global_mean=self.global_mean,
            default_rating=self.default_rating,
            rating_range=list(self.rating_range) if self.rating_range else None,
            mask_target=self.mask_target,
        )
        return config
