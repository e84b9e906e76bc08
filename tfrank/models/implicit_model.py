"""ImplicitModel: the base of the NCF family (implicit feedback, user and item ids)."""

from __future__ import annotations

import tensorflow as tf

from tfrank.data.implicit_feedback import ImplicitFeedback
from tfrank.data.negative_sampler import NegativeSampler
from tfrank.data.sources import IMPLICIT_SOURCES
from tfrank.data.training_data import TrainingData
from tfrank.metrics.leave_one_out import rank_metrics
from tfrank.metrics.leave_one_out_validation import LeaveOneOutValidation
from tfrank.models.ranking_model import RankingModel
from tfrank.models.user_item import make_optimizer

K = 10


class ImplicitModel(RankingModel):
    """A `RankingModel` scoring (user, item) pairs from implicit feedback.

    The implicit-feedback family. Its data is an `ImplicitFeedback`
    (`synthetic[:USERS]` planted factors by default, `ncf:PATH`, or a user's
    `csv:` / `parquet:` table of `user_id, item_id[, timestamp]` whose latest
    interaction per user is held out and ranked against 99 sampled items).
    Training pairs every positive with `num_negatives` items the user never
    interacted with, drawn anew each epoch; one training interaction per user
    is held out for early stopping on NDCG@10; `score` ranks held-out items
    (HR@K, NDCG@K). `compile()` uses the optimizer named by the constructor's
    `optimizer_name` and `learning_rate` (Adam 1e-3, the NCF paper's), so a
    NeuMF built for fine-tuning reloads with SGD.

    Example:

    >>> from tfrank.models import GMF
    >>> data = GMF.prepare_training("synthetic:60", batch_size=512, num_negatives=2)
    >>> data.rows["train_per_epoch"] == 3 * data.rows["train_positives"], data.validation
    (True, None)
    >>> model = GMF(data.spec, factors=4)
    >>> model.compile()
    >>> history = model.fit(data.train, callbacks=data.callbacks, verbose=0)
    >>> sorted(k for k in history.history if k.startswith("val_"))   # leave-one-out validation
    ['val_hr@10', 'val_ndcg@10']
    >>> scores = model.score(GMF.load_data("synthetic:60"))
    >>> scores["protocol"], scores["users"]
    ('99 negatives', 60)
    """

    family_name = "implicit"
    data_sources = IMPLICIT_SOURCES
    # The sampled negatives are drawn per process: no data-parallel loop.
    strategies = ("default",)

    @classmethod
    def prepare_training(
        cls, data, validation_data=None, features=None, config=None, batch_size=1024, seed=0,
        num_negatives=4, stream=None,
    ) -> TrainingData:  # fmt: skip
        """Positives of `data` (a spec or `ImplicitFeedback`) with sampled
        negatives, one training interaction per user held out (with 99
        sampled negatives) for validation; `validation_data` and `features`
        are not used (the spec is the user and item ids)."""
        if validation_data is not None:
            raise ValueError(
                f"{cls.__name__} validates on one held-out interaction per user of its "
                "training data; it takes no separate validation data."
            )
        source = cls.load_data(data, seed) if isinstance(data, str) else data
        fit_part, validation = source.validation_split(seed)
        spec = source.feature_spec().fit(source.vocabulary_frame())
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        sampler = NegativeSampler(fit_part.train, source.items, num_negatives, seed)

        def evaluate(model, predict=None):
            return {"validation": model.score(validation), "test": model.score(source)}

        rows = len(fit_part.train) * (1 + num_negatives)
        return TrainingData(
            spec=spec, train=sampler.dataset(spec, batch_size, epoch=epoch), validation=None,
            data_epoch=epoch, evaluate=evaluate, example_frame=validation.test,
            rows={"train_positives": len(fit_part.train), "train_per_epoch": rows,
                  "validation_users": len(validation.test), "test_users": len(source.test)},
            examples_per_epoch=rows, name=source.name, validation_name=validation.name,
            callbacks=[LeaveOneOutValidation(validation, (K,))],
        )  # fmt: skip

    def score(self, data: ImplicitFeedback, ks=(K,), full=None) -> dict:
        """HR@K and NDCG@K of `data`'s held-out items (`tfrank.metrics.rank_metrics`)."""
        return rank_metrics(self, data, ks, full)

    def early_stopping(self) -> tuple[str, str]:
        return f"val_ndcg@{K}", "max"

    def default_optimizer(self):
        return make_optimizer(self.optimizer_name, self.learning_rate)

    @staticmethod
    def shared_config(embedding_l2, optimizer_name, learning_rate, user_feature, item_feature):
        """The constructor arguments every model of the family stores."""
        return dict(
            embedding_l2=float(embedding_l2),
            optimizer_name=str(optimizer_name),
            learning_rate=float(learning_rate),
            user_feature=user_feature,
            item_feature=item_feature,
        )
