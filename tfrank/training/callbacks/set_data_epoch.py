"""SetDataEpoch: each epoch's data order as a function of the epoch number."""

from __future__ import annotations

import keras


class SetDataEpoch(keras.callbacks.Callback):
    """Sets an int64 variable to the epoch number at each epoch's start.

    Datasets that read the variable when a pass begins
    (`make_dataset(shuffle_epoch=...)`, `NegativeSampler.dataset(epoch=...)`)
    then order (or sample) each epoch as a function of `(seed, epoch)`
    alone, so a run resumed at epoch k reads what an uninterrupted one read.

    Args:
        variable: `tf.Variable` of dtype int64.

    Example:

    >>> import tensorflow as tf
    >>> from tfrank.data import SyntheticCTR, make_dataset
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(512)
    >>> spec = data.feature_spec().fit(frame)
    >>> epoch = tf.Variable(0, dtype=tf.int64)
    >>> dataset = make_dataset(frame, spec, batch_size=512, shuffle=True, shuffle_epoch=epoch)
    >>> setter = SetDataEpoch(epoch)
    >>> setter.on_epoch_begin(3)
    >>> first = next(iter(dataset))[1].numpy()
    >>> setter.on_epoch_begin(3)
    >>> bool((next(iter(dataset))[1].numpy() == first).all())   # epoch 3's order again
    True
    """

    def __init__(self, variable):
        super().__init__()
        self.variable = variable

    def on_epoch_begin(self, epoch, logs=None):
        self.variable.assign(epoch)
