"""NeuMF: GMF and MLP side by side, optionally started from trained ones."""

from __future__ import annotations

import os

import keras
import numpy as np
from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.models.building_blocks import as_feature_spec, l2_regularizer, probability
from tfrank.models.gmf import GMF
from tfrank.models.implicit_model import ImplicitModel
from tfrank.models.ncf_mlp import NCFMLP
from tfrank.models.user_item import (
    check_mlp_layers,
    prediction_layer,
    user_item_embeddings,
    user_item_inputs,
)
from tfrank.registration import register_model


@register_model(
    "neumf",
    summary=(
        "GMF and MLP paths with separate embeddings, joined before the output; optionally"
        " started from trained ones (`NeuMF.from_pretrained`)"
    ),
    paper="He et al. 2017",
)
class NeuMF(ImplicitModel):
    """Neural matrix factorization: a GMF path and an MLP path with their own
    embeddings, concatenated before the output layer.

        phi_GMF = p_u^G ⊙ q_i^G,   phi_MLP = MLP([p_u^M; q_i^M])
        p(u, i) = sigmoid(h^T [phi_GMF; phi_MLP] + b)

    `NeuMF.from_pretrained(gmf, mlp, alpha)` starts from a trained `GMF` and
    `NCFMLP` (embeddings and tower copied, `h = [alpha h_GMF; (1 - alpha)
    h_MLP]`, `b = (b_GMF + b_MLP) / 2`, as in the paper's code) and compiles
    for fine-tuning with plain SGD, as the paper does. `tfrank train --model
    neumf` with `{"pretrain": true}` trains both first (or loads them from
    `gmf_model_dir` / `ncf_mlp_model_dir`).

    Args:
        feature_spec: fitted `FeatureSpec` holding exactly `user_feature` and
            `item_feature`.
        factors: int. GMF embedding width. Defaults to `8`.
        mlp_layers: list of int. The MLP path, as in `NCFMLP`. Defaults to
            `(64, 32, 16, 8)`.
        embedding_l2: float. L2 penalty on all embeddings. Defaults to `0.0`.
        optimizer_name, learning_rate: default optimizer of `compile()`.
            Defaults to Adam at `1e-3`.
        user_feature, item_feature: str. Defaults to `"user_id"`, `"item_id"`.

    Example:

    >>> from tfrank.data import SyntheticCF
    >>> data = SyntheticCF(num_users=40, num_items=30, seed=0).implicit_feedback()
    >>> spec = data.feature_spec().fit(data.vocabulary_frame())
    >>> gmf, mlp = GMF(spec, factors=4), NCFMLP(spec, mlp_layers=[8, 4])   # trained first
    >>> model = NeuMF.from_pretrained(gmf, mlp, alpha=0.5)
    >>> model.compile()                                 # fine-tuning with plain SGD
    >>> type(model.optimizer).__name__
    'SGD'
    >>> h = model.get_layer("prediction").get_weights()[0]   # [alpha h_GMF; (1 - alpha) h_MLP]
    >>> h.shape, np.allclose(h[:4], 0.5 * gmf.get_layer("prediction").get_weights()[0])
    ((8, 1), True)
    >>> model.predict(data.test.head(4), verbose=0).shape
    (4, 1)

    References:
        - [He et al., 2017](https://arxiv.org/abs/1708.05031)
    """

    def __init__(
        self,
        feature_spec,
        factors=8,
        mlp_layers=(64, 32, 16, 8),
        embedding_l2=0.0,
        optimizer_name="adam",
        learning_rate=1e-3,
        user_feature="user_id",
        item_feature="item_id",
        **kwargs,
    ):
        layers = check_mlp_layers(mlp_layers)
        spec = as_feature_spec(feature_spec)
        inputs, ids = user_item_inputs(spec, user_feature, item_feature)
        regularizer = l2_regularizer(embedding_l2)
        p_g, q_g = user_item_embeddings(
            spec, ids, factors, "gmf_embeddings", user_feature, item_feature, regularizer
        )
        p_m, q_m = user_item_embeddings(
            spec, ids, layers[0] // 2, "mlp_embeddings", user_feature, item_feature, regularizer
        )
        tower = MLPBlock(layers[1:], name="mlp")(ops.concatenate([p_m, q_m], axis=-1))
        logit = prediction_layer(ops.concatenate([p_g * q_g, tower], axis=-1))
        config = dict(
            factors=int(factors),
            mlp_layers=layers,
            **self.shared_config(
                embedding_l2, optimizer_name, learning_rate, user_feature, item_feature
            ),
        )
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)

    @classmethod
    def from_pretrained(
        cls, gmf: GMF, mlp: NCFMLP, alpha=0.5, optimizer_name="sgd", learning_rate=1e-3, **kwargs
    ) -> NeuMF:
        """A NeuMF on the two models' spec, initialized from them (see class doc)."""
        if gmf.feature_spec.to_config() != mlp.feature_spec.to_config():
            raise ValueError("The GMF and the MLP were trained on different feature specs.")
        model = cls(
            gmf.feature_spec,
            factors=gmf.factors,
            mlp_layers=mlp.mlp_layers,
            optimizer_name=optimizer_name,
            learning_rate=learning_rate,
            user_feature=gmf.user_feature,
            item_feature=gmf.item_feature,
            **kwargs,
        )
        for name, source in (("gmf_embeddings", gmf), ("mlp_embeddings", mlp), ("mlp", mlp)):
            model.get_layer(name).set_weights(source.get_layer(name).get_weights())
        (h_g, b_g), (h_m, b_m) = (m.get_layer("prediction").get_weights() for m in (gmf, mlp))
        kernel = np.concatenate([alpha * h_g, (1.0 - alpha) * h_m], axis=0)
        model.get_layer("prediction").set_weights([kernel, 0.5 * (b_g + b_m)])
        return model

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """Plain NeuMF, or with `pretrain: true` (or model dirs given) one
        started from a GMF and an MLP: loaded from `gmf_model_dir` /
        `ncf_mlp_model_dir`, else trained here for `pretrain_epochs` (10)
        with Adam. `alpha`, `fine_tune_optimizer` ("sgd") and
        `fine_tune_learning_rate` (1e-3) set the fine-tuning."""
        config = dict(config or {})
        dirs = {k: config.pop(f"{k}_model_dir", None) for k in ("gmf", "ncf_mlp")}
        pretrain = bool(config.pop("pretrain", False)) or any(dirs.values())
        epochs = int(config.pop("pretrain_epochs", 10))
        alpha = float(config.pop("alpha", 0.5))
        fine_tune = {
            "optimizer_name": config.pop("fine_tune_optimizer", "sgd"),
            "learning_rate": float(config.pop("fine_tune_learning_rate", 1e-3)),
        }
        if not pretrain:
            return cls(feature_spec, **config)
        factors = int(config.pop("factors", 8))
        layers = config.pop("mlp_layers", (64, 32, 16, 8))
        parts = {}
        for key, part_cls, args in (
            ("gmf", GMF, {"factors": factors}),
            ("ncf_mlp", NCFMLP, {"mlp_layers": layers}),
        ):
            if dirs[key]:
                part = keras.models.load_model(os.path.join(dirs[key], "model.keras"))
                if not isinstance(part, part_cls):
                    raise ValueError(f"{dirs[key]} holds a {type(part).__name__}, not {key}.")
            else:
                if train_data is None:
                    raise ValueError(f"Pretraining needs {key}_model_dir or training data.")
                part = part_cls(feature_spec, **args, **_shared(config))
                part.compile()
                part.fit(train_data, epochs=epochs, verbose=0)
            parts[key] = part
        return cls.from_pretrained(
            parts["gmf"], parts["ncf_mlp"], alpha, **fine_tune, **_shared(config)
        )


def _shared(config):
    return {k: config[k] for k in ("embedding_l2", "user_feature", "item_feature") if k in config}
