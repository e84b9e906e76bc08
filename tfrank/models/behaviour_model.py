"""BehaviourModel: the base of the models that read behaviour histories."""

from __future__ import annotations

from tfrank.models.behaviour import behaviour_ids, embedding_frequencies
from tfrank.models.ranking_model import RankingModel


class BehaviourModel(RankingModel):
    """A `RankingModel` over a spec with histories (`SequenceFeature`s).

    Its embeddings are one `EmbeddingBank` named "embeddings" shared by the
    candidate's features and the histories; with `mba_l2` set,
    `for_training` counts the training data's ids for mini-batch-aware L2.
    By default `tfrank train` gives these models `SyntheticBehaviour` data.
    """

    accepts_sequences = True
    synthetic_data = "behaviour"

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """The model, with the id frequencies of `train_data` when `mba_l2` is set."""
        model = cls(feature_spec, **(config or {}))
        if getattr(model, "mba_l2", 0.0) and train_data is not None:
            bank = model.get_layer("embeddings")
            bank.set_frequencies(embedding_frequencies(model, train_data))
        return model

    def embed(self, transformed):
        """The "embeddings" bank applied to transformed features: `{name:
        embedding}` of categorical features and categorical sequences."""
        ids, _ = behaviour_ids(self.feature_spec, transformed)
        return self.get_layer("embeddings")(ids)
