"""ImplicitModel: the base of the NCF family (implicit feedback, user and item ids)."""

from __future__ import annotations

from tfrank.models.ranking_model import RankingModel
from tfrank.models.user_item import make_optimizer


class ImplicitModel(RankingModel):
    """A `RankingModel` scoring (user, item) pairs from implicit feedback.

    `tfrank train` trains it on positives with sampled negatives and ranks
    held-out items (HR@K, NDCG@K); `compile()` uses the optimizer named by
    the constructor's `optimizer_name` and `learning_rate` (Adam 1e-3, the
    NCF paper's), so a NeuMF built for fine-tuning reloads with SGD.
    """

    task = "implicit"
    synthetic_data = "implicit"

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
