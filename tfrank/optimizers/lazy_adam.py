"""LazyAdam: Adam that touches only the embedding rows a batch reads."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class LazyAdam(keras.optimizers.Adam):
    """Adam whose sparse updates read and write only the rows in the batch.

    An embedding table's gradient is sparse (`tf.IndexedSlices`): only the
    rows the batch looked up are non-zero. Keras' Adam turns it dense and
    decays both moments of every row every step, so one step over a table of
    millions of rows costs far more than the model itself. (It also squares
    each slice before duplicates are summed, so an id read twice in a batch
    gets a smaller `v` than its summed gradient would give.) Here, for the
    rows `j` in the batch (duplicates summed first):

        m_j <- b1 m_j + (1 - b1) g_j
        v_j <- b2 v_j + (1 - b2) g_j^2
        w_j <- w_j - lr sqrt(1 - b2^t) / (1 - b1^t) * m_j / (sqrt(v_j) + eps)

    and every other row, with its moments, is left as it is. Dense
    gradients (MLP kernels) get Keras' Adam unchanged. The only difference
    from Adam on the dense gradient is that a row's moments do not decay in
    steps that don't read it, which is what one wants for rare ids (the
    `LazyAdam` of TensorFlow Addons, and PyTorch's `SparseAdam`). Row
    updates use the TensorFlow backend's sparse assignments; on other
    backends gradients are dense and this is plain Adam.

    Args:
        learning_rate, beta_1, beta_2, epsilon: as `keras.optimizers.Adam`.
        **kwargs: other `keras.optimizers.Optimizer` arguments
            (`amsgrad` is not supported).

    Example:

    One step reads rows 0 and 2 of a zero table, the next only row 2. Both
    optimizers move a row that is read by about `lr`; Adam then moves row 0
    again by its momentum, LazyAdam leaves it (neither moves rows 1 and 3,
    whose moments are zero):

    >>> import numpy as np, tensorflow as tf
    >>> def train(optimizer, batches):
    ...     table = keras.layers.Embedding(4, 1, embeddings_initializer="zeros")
    ...     table.build()
    ...     for rows in batches:
    ...         with tf.GradientTape() as tape:
    ...             loss = ops.sum(table(np.array(rows)))
    ...         optimizer.apply(tape.gradient(loss, table.trainable_variables),
    ...                         table.trainable_variables)
    ...     return ops.convert_to_numpy(table.embeddings)[:, 0].astype(float).round(3).tolist()
    >>> train(LazyAdam(learning_rate=0.1), [[0, 2], [2]])
    [-0.1, 0.0, -0.2, 0.0]
    >>> train(keras.optimizers.Adam(learning_rate=0.1), [[0, 2], [2]])
    [-0.167, 0.0, -0.2, 0.0]

    In a model: `model.compile(optimizer=LazyAdam(learning_rate=1e-3))`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        name="lazy_adam",
        **kwargs,
    ):
        if kwargs.pop("amsgrad", False):
            raise ValueError("LazyAdam does not support amsgrad=True.")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            name=name,
            **kwargs,
        )

    def update_step(self, gradient, variable, learning_rate):
        rows = _sparse_rows(gradient)
        if rows is None:
            return super().update_step(gradient, variable, learning_rate)
        indices, values = rows
        lr = ops.cast(learning_rate, variable.dtype)
        values = ops.cast(values, variable.dtype)
        step = ops.cast(self.iterations + 1, variable.dtype)
        beta_1 = ops.cast(self.beta_1, variable.dtype)
        beta_2 = ops.cast(self.beta_2, variable.dtype)
        alpha = lr * ops.sqrt(1 - ops.power(beta_2, step)) / (1 - ops.power(beta_1, step))
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m_rows = beta_1 * _gather(m, indices) + (1 - beta_1) * values
        v_rows = beta_2 * _gather(v, indices) + (1 - beta_2) * ops.square(values)
        self.assign(m, _slices(m_rows, indices, m))
        self.assign(v, _slices(v_rows, indices, v))
        self.assign_sub(
            variable, _slices(alpha * m_rows / (ops.sqrt(v_rows) + self.epsilon), indices, variable)
        )

    def get_config(self):
        config = super().get_config()
        config.pop("amsgrad", None)
        return config


def _sparse_rows(gradient):
    """`(unique row indices, summed row gradients)` of a TensorFlow sparse
    gradient, or None for a dense one."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    if not isinstance(gradient, tf.IndexedSlices):
        return None
    # Rows read several times in a batch have one gradient slice each.
    unique, position = tf.unique(gradient.indices)
    summed = tf.math.unsorted_segment_sum(gradient.values, position, tf.shape(unique)[0])
    return unique, summed


def _gather(variable, indices):
    import tensorflow as tf

    # A gather on the variable itself: `ops.take` would first read the whole
    # table, and the scatter that follows would then have to copy it.
    return tf.gather(variable.value, indices)


def _slices(values, indices, variable):
    import tensorflow as tf

    # A static shape: `tf.shape(variable)` would read the whole table, and
    # the scatter after it would then copy it.
    return tf.IndexedSlices(values, indices, dense_shape=tuple(variable.shape))


# Above this many embedding rows, Adam's dense moment updates dominate a
# step: DeepFM at Criteo's 34M rows trains 41,251 examples/s with LazyAdam
# against 2,147 with Adam on 2 cores, 19x (benchmarks/README.md, "Training
# throughput: levers"; benchmarks/results/training_throughput_levers.json).
# At 10,000 ids per field the same section has them within the runs'
# spread (42,806 vs 43,546), so small models, with nothing to gain, keep
# Adam, whose moments decay every step.
LAZY_ADAM_MIN_ROWS = 1_000_000


def adam_for(feature_spec, learning_rate=1e-3):
    """The default optimizer of a model over `feature_spec`: `LazyAdam` when
    its embedding tables hold at least `LAZY_ADAM_MIN_ROWS` rows, else Adam."""
    rows = sum(f.vocabulary_size for f in feature_spec.categorical if not f.share_embedding_with)
    if rows >= LAZY_ADAM_MIN_ROWS:
        return LazyAdam(learning_rate=learning_rate)
    return keras.optimizers.Adam(learning_rate=learning_rate)
