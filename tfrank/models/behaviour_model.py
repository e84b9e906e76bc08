"""BehaviourModel: the base of the models that read behaviour histories."""

from __future__ import annotations

from tfrank.data.sources import BEHAVIOUR_SOURCES
from tfrank.models.behaviour import behaviour_ids, embedding_frequencies
from tfrank.models.ranking_model import RankingModel


class BehaviourModel(RankingModel):
    """A `RankingModel` over a spec with histories (`SequenceFeature`s).

    Its embeddings are one `EmbeddingBank` named "embeddings" shared by the
    candidate's features and the histories; with `mba_l2` set,
    `for_training` counts the training data's ids for mini-batch-aware L2.

    The behaviour family: click models whose data are samples built from
    event logs (`build_samples`: every click after a user's first is a
    positive with the clicks before it as history, plus sampled negatives;
    each user's last click is held out). It reads `synthetic` (the default,
    `SyntheticBehaviour`: interest drift and long-range re-clicks),
    `amazon:PATH[:NAME]`, `taobao:PATH`, or a user's `csv:` / `parquet:`
    event table of `user_id, item_id, timestamp[, category]` (a table with a
    `label` column is taken as samples already built).

    Example:

    >>> from tfrank.models import DIN
    >>> source = DIN.load_data("synthetic:2800")
    >>> [f.name for f in source.feature_spec.sequence]
    ['history_items', 'history_categories', 'history_times']
    >>> model = DIN(source.feature_spec.fit(source.frame), attention_units=[4], hidden_units=[4])
    >>> model.predict(source.frame.head(2), verbose=0).shape   # histories of any length
    (2, 1)
    """

    family_name = "behaviour"
    # Per-user AUC weighted by impressions (the DIN paper's) and by clicks.
    gauc_weights = ("impressions", "clicks")
    data_sources = BEHAVIOUR_SOURCES
    accepts_sequences = True

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """The model, with the id frequencies of `train_data` when `mba_l2` is set."""
        model = cls(feature_spec, **(config or {}))
        if getattr(model, "mba_l2", 0.0) and train_data is not None:
            bank = model.get_layer("embeddings")
            bank.set_frequencies(embedding_frequencies(model, train_data))
        return model

    def fit(self, x=None, y=None, *args, **kwargs):
        if not self.get_layer("embeddings").has_frequencies:
            self.count_frequencies(x, y)
        return super().fit(x, y, *args, **kwargs)

    def count_frequencies(self, x, y=None):
        """Counts each id's reads in `x` (a DataFrame, feature arrays or a
        finite dataset of batches) as mini-batch-aware L2's `n_j`."""
        features, _ = self._adapt(x, y, with_labels=True)
        if hasattr(features, "cardinality") and int(features.cardinality()) == -1:
            raise ValueError(
                "mba_l2 needs each id's training frequency, and this dataset repeats "
                "forever: call model.count_frequencies(<one pass of the training data>) "
                "before fit."
            )
        self.get_layer("embeddings").set_frequencies(embedding_frequencies(self, features))

    def embed(self, transformed):
        """The "embeddings" bank applied to transformed features: `{name:
        embedding}` of categorical features and categorical sequences."""
        ids, _ = behaviour_ids(self.feature_spec, transformed)
        return self.get_layer("embeddings")(ids)
