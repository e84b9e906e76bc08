"""LeaveOneOutValidation: HR@K and NDCG@K in the epoch logs."""

from __future__ import annotations

import keras

from tfrank.metrics.leave_one_out import rank_metrics


class LeaveOneOutValidation(keras.callbacks.Callback):
    """Adds `val_hr@K` and `val_ndcg@K` of `data` to each epoch's logs.

    `data` is an `ImplicitFeedback` whose test items are ranked by
    `rank_metrics` after every epoch; list this callback before early
    stopping or checkpoints that read those logs.

    Args:
        data: `ImplicitFeedback` to rank (e.g. the validation part of
            `ImplicitFeedback.validation_split`).
        ks: tuple of int. The cut-offs K. Defaults to `(10,)`.

    Example:

    >>> from tfrank.data import NegativeSampler, SyntheticCF
    >>> from tfrank.models import GMF
    >>> data = SyntheticCF(num_users=40, num_items=30, seed=0).implicit_feedback()
    >>> rest, validation = data.validation_split(seed=0)
    >>> spec = data.feature_spec().fit(data.vocabulary_frame())
    >>> model = GMF(spec, factors=4)
    >>> model.compile()
    >>> history = model.fit(NegativeSampler(rest.train, data.items).dataset(spec),
    ...                     callbacks=[LeaveOneOutValidation(validation, ks=(5,))], verbose=0)
    >>> sorted(k for k in history.history if k.startswith("val_"))
    ['val_hr@5', 'val_ndcg@5']
    """

    def __init__(self, data, ks=(10,)):
        super().__init__()
        self.data, self.ks = data, tuple(ks)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for key, value in rank_metrics(self.model, self.data, self.ks).items():
            if "@" in key:
                logs[f"val_{key}"] = value
