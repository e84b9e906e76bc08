"""DLRM: bottom MLP, dot interactions, top MLP."""

from __future__ import annotations

from keras import ops

from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.dot_interaction import DotInteraction
from tfrank.models.building_blocks import (
    as_feature_spec,
    bank_features,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "dlrm",
    summary="bottom MLP on numerics, pairwise dot products with the embeddings, top MLP",
    paper="Naumov et al. 2019",
)
class DLRM(RankingModel):
    """Deep Learning Recommendation Model.

        b = MLP_bottom(x_num)                      (last width = embedding dim k)
        i = [<u, w>] over pairs of {b, e_1, ..., e_n}   (DotInteraction)
        p = sigmoid(w^T MLP_top([b; i]) + c)

    Args:
        feature_spec: fitted `FeatureSpec`; categorical features share one
            `embedding_dim` (numeric ones reach the interaction through the
            bottom MLP).
        bottom_units: list of int. Bottom MLP widths before the final
            `k`-wide layer. Defaults to `(512, 256)`.
        top_units: list of int. Defaults to `(512, 256)`.
        self_interaction: bool. Include `<v, v>` terms. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)                   # 12 categorical fields, 4 numerics
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = DLRM(spec, bottom_units=[8], top_units=[8])
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)
    >>> model.get_layer("interaction").output.shape   # 13 vectors (b and 12 e_f): 13*12/2 pairs
    (None, 78)

    References:
        - [Naumov et al., 2019](https://arxiv.org/abs/1906.00091)
    """

    def __init__(
        self,
        feature_spec,
        bottom_units=(512, 256),
        top_units=(512, 256),
        self_interaction=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        vectors, dense = [], None
        if spec.categorical:
            width = spec.categorical[0].embedding_dim
            bank = EmbeddingBank(bank_features(spec), name="embeddings")
            vectors.append(bank({f.name: transformed["ids"][f.name] for f in spec.categorical}))
        else:
            width = spec.numeric[0].embedding_dim
        if spec.numeric:
            dense = MLPBlock(list(bottom_units) + [width], name="bottom_mlp")(
                transformed["numeric"]
            )
            vectors.insert(0, ops.expand_dims(dense, 1))
        stacked = vectors[0] if len(vectors) == 1 else ops.concatenate(vectors, axis=1)
        interactions = DotInteraction(self_interaction, name="interaction")(stacked)
        top = interactions if dense is None else ops.concatenate([dense, interactions], -1)
        top = MLPBlock(top_units, name="top_mlp")(top)
        config = dict(
            bottom_units=[int(u) for u in bottom_units],
            top_units=[int(u) for u in top_units],
            self_interaction=bool(self_interaction),
        )
        super().__init__(inputs, probability(logit_layer(top)), spec, config=config, **kwargs)
