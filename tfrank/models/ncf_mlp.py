"""NCF's MLP: user and item embeddings concatenated through a tower."""

from __future__ import annotations

from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.models.building_blocks import as_feature_spec, l2_regularizer, probability
from tfrank.models.implicit_model import ImplicitModel
from tfrank.models.user_item import (
    check_mlp_layers,
    prediction_layer,
    user_item_embeddings,
    user_item_inputs,
)
from tfrank.registration import register_model


@register_model(
    "ncf_mlp",
    summary="MLP over [p_u; q_i] (`mlp_layers`, e.g. 64-32-16-8)",
    paper="He et al. 2017",
)
class NCFMLP(ImplicitModel):
    """Multi-layer perceptron over concatenated user and item embeddings.

        z_0 = [p_u; q_i],  z_l = ReLU(W_l z_{l-1} + b_l),
        p(u, i) = sigmoid(h^T z_L + b)

    `mlp_layers[0]` is the width of `z_0` (each embedding `layers[0] / 2`),
    the rest are the tower; the last is the predictive factors. The paper's
    tower halves each layer: `(64, 32, 16, 8)` for 8 factors.

    Args:
        feature_spec: fitted `FeatureSpec` holding exactly `user_feature` and
            `item_feature`.
        mlp_layers: list of int. Defaults to `(64, 32, 16, 8)`.
        embedding_l2: float. L2 penalty on the embeddings. Defaults to `0.0`.
        optimizer_name, learning_rate: default optimizer of `compile()`.
            Defaults to Adam at `1e-3`.
        user_feature, item_feature: str. Defaults to `"user_id"`, `"item_id"`.

    Example:

    >>> from tfrank.data import SyntheticCF
    >>> data = SyntheticCF(num_users=40, num_items=30, seed=0).implicit_feedback()
    >>> spec = data.feature_spec().fit(data.vocabulary_frame())
    >>> model = NCFMLP(spec, mlp_layers=[8, 4])      # z_0 = [p_u; q_i], 4 + 4 wide
    >>> model.get_layer("mlp_embeddings").weights[0].shape[-1]
    4
    >>> model.predict(data.test.head(4), verbose=0).shape
    (4, 1)

    References:
        - [He et al., 2017](https://arxiv.org/abs/1708.05031)
    """

    def __init__(
        self,
        feature_spec,
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
        p_u, q_i = user_item_embeddings(
            spec, ids, layers[0] // 2, "mlp_embeddings", user_feature, item_feature,
            l2_regularizer(embedding_l2),
        )  # fmt: skip
        tower = MLPBlock(layers[1:], name="mlp")(ops.concatenate([p_u, q_i], axis=-1))
        config = dict(
            mlp_layers=layers,
            **self.shared_config(
                embedding_l2, optimizer_name, learning_rate, user_feature, item_feature
            ),
        )
        logit = prediction_layer(tower)
        super().__init__(inputs, probability(logit), spec, config=config, **kwargs)
