"""FNN: an MLP over embeddings initialized from a trained FM."""

from __future__ import annotations

import numpy as np
from keras import ops

from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.core.numeric_embedding import NumericEmbedding
from tfrank.models.building_blocks import (
    as_feature_spec,
    bank_features,
    field_embeddings,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.fm import FM
from tfrank.models.fm_initializable import load_or_train_fm
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "fnn",
    summary="MLP over [w_i, v_i] initialized from a trained FM (`FNN.from_fm`)",
    paper="Zhang et al. 2016",
)
class FNN(RankingModel):
    """Factorization-machine supported Neural Network.

        z_i = [w_i, v_i]                      (FM's weight and factor of field i)
        p = sigmoid(w^T MLP([z_1; ...; z_n]) + b)

    `FNN.from_fm(fm)` copies a trained `FM`'s first-order weights and
    factors into `z`, then everything is fine-tuned end to end. `tfrank
    train --model fnn` does that with the FM of `--config fm_model_dir: DIR`,
    or trains an FM on the same data first (`fm_epochs`, default 3, with the
    same early stopping).

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        hidden_units: list of int. Defaults to `(400, 400, 400)`.
        dropout: float. Defaults to `0.0`.
        batch_norm: bool. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> fm = FM(spec)
    >>> fm.compile()
    >>> _ = fm.fit(frame, epochs=1, batch_size=256, verbose=0)
    >>> model = FNN.from_fm(fm, hidden_units=[8])      # then compile and fit it as any model
    >>> factors = [m.get_layer("embeddings").get_weights()[0] for m in (model, fm)]
    >>> bool((factors[0] == factors[1]).all())         # v_i copied from the FM
    True
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Zhang et al., 2016](https://arxiv.org/abs/1601.02376)
    """

    def __init__(
        self, feature_spec, hidden_units=(400, 400, 400), dropout=0.0, batch_norm=False, **kwargs
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        transformed = transform_features(spec, inputs)
        factors = field_embeddings(spec, transformed)
        weights = []
        if spec.categorical:
            first = [dict(f, embedding_dim=1) for f in bank_features(spec)]
            weights.append(
                EmbeddingBank(first, name="first_order")(
                    {f.name: transformed["ids"][f.name] for f in spec.categorical}
                )
            )
        if spec.numeric:
            weights.append(NumericEmbedding(1, name="numeric_first_order")(transformed["numeric"]))
        weights = weights[0] if len(weights) == 1 else ops.concatenate(weights, axis=1)
        z = ops.concatenate([weights, factors], axis=-1)
        z = ops.reshape(z, (-1, z.shape[1] * z.shape[2]))
        hidden = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(z)
        config = dict(
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
        )
        super().__init__(inputs, probability(logit_layer(hidden)), spec, config=config, **kwargs)

    @classmethod
    def from_fm(cls, fm: FM, **kwargs) -> FNN:
        """An FNN on `fm`'s feature spec, with `z` initialized from `fm`."""
        model = cls(fm.feature_spec, **kwargs)
        spec = fm.feature_spec
        if spec.categorical:
            model.get_layer("embeddings").set_weights(fm.get_layer("embeddings").get_weights())
            # FM's linear table holds categorical rows first, then crosses.
            rows = model.get_layer("first_order").weights[0].shape[0]
            linear_table = fm.get_layer("linear").id_weights.numpy()
            model.get_layer("first_order").set_weights([linear_table[:rows]])
        if spec.numeric:
            model.get_layer("numeric_embeddings").set_weights(
                fm.get_layer("numeric_embeddings").get_weights()
            )
            kernel = fm.get_layer("linear").numeric_kernel.numpy()
            model.get_layer("numeric_first_order").set_weights([np.asarray(kernel)])
        return model

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        config = dict(config or {})
        fm = load_or_train_fm(
            feature_spec,
            config.pop("fm_model_dir", None),
            int(config.pop("fm_epochs", 3)),
            train_data,
            validation_data,
            needed_by="FNN",
        )
        return cls.from_fm(fm, **config)
