"""NFM: an MLP over Bi-Interaction pooled embeddings."""

from __future__ import annotations

import keras

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.bi_interaction_pooling import BiInteractionPooling
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    linear_logit,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.fm_initializable import FMInitializable
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "nfm",
    summary=(
        "MLP (one hidden layer) over Bi-Interaction pooling Σ_{i<j} v_i ⊙ v_j; "
        "optionally started from a trained FM (`NFM.from_fm`)"
    ),
    paper="He & Chua 2017",
)
class NFM(FMInitializable, RankingModel):
    """Neural Factorization Machine.

        p = sigmoid(b + sum_f w_f + h^T MLP(BN(f_BI(V))))
        f_BI(V) = sum_{i<j} v_i ⊙ v_j

    FM's pairwise term kept as a k-vector and passed through an MLP, which
    models interactions above second order. The paper's model has one
    hidden layer as wide as the embeddings (its best depth; 64 units for
    its embedding size 64), the default here; `hidden_units=[]` is NFM-0,
    `f_BI(V)` projected straight to the logit (an FM with a weighted
    pairwise sum).

    As in the paper, the embeddings and first order can start from a
    trained FM: `NFM.from_fm(fm)`, or `tfrank train --model nfm` with
    `--config pretrain_fm: true` (or `fm_model_dir: DIR`); see
    `FMInitializable`.

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        hidden_units: list of int, or None. Defaults to `None`: one layer of
            `embedding_dim` units.
        dropout: float. Dropout after pooling and each MLP layer. Defaults to `0.0`.
        batch_norm: bool. Batch norm on the pooled vector and in the MLP
            (the paper's BN). Defaults to `True`.
        use_crossed: bool. First-order weights for the spec's hashed crossed
            features too (the paper's first order has none). Defaults to
            `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = NFM(spec)
    >>> model.get_layer("bi_interaction").output.shape   # f_BI(V): one k-vector
    (None, 4)
    >>> model.hidden_units                               # one hidden layer of k units
    [4]
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [He and Chua, 2017](https://arxiv.org/abs/1708.05027)
    """

    def __init__(
        self,
        feature_spec,
        hidden_units=None,
        dropout=0.0,
        batch_norm=True,
        use_crossed=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        embeddings = field_embeddings(spec, transformed)
        if hidden_units is None:
            hidden_units = [embeddings.shape[-1]]
        pooled = BiInteractionPooling(name="bi_interaction")(embeddings)
        if batch_norm:
            pooled = keras.layers.BatchNormalization(name="bi_interaction_bn")(pooled)
        if dropout:
            pooled = keras.layers.Dropout(dropout, name="bi_interaction_dropout")(pooled)
        hidden = pooled
        if hidden_units:
            hidden = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(
                pooled
            )
        linear = linear_logit(spec, transformed, include_crossed=use_crossed)
        logit = linear + logit_layer(hidden, name="deep_logit")
        config = dict(
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
            use_crossed=bool(use_crossed),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
