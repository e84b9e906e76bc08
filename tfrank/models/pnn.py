"""PNN: a product layer between embeddings and the MLP."""

from __future__ import annotations

import keras

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.product_layer import ProductLayer
from tfrank.models.building_blocks import (
    as_feature_spec,
    field_embeddings,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model


@register_model(
    "pnn",
    summary=(
        "product layer (inner products, sum-pooled outer product, both, or kernel products "
        "f_iᵀ W_ij f_j) before the MLP"
    ),
    paper="Qu et al. 2016",
)
class PNN(RankingModel):
    """Product-based Neural Network (IPNN, OPNN, PNN*, KPNN).

        l_1 = relu(W_z z + W_p p + b_1)          (ProductLayer, D_1 units)
        p = sigmoid(w^T MLP(l_1) + b)

    with `z` the field embeddings and `p` their inner products (IPNN),
    sum-pooled outer product (OPNN), both (PNN*), or kernel products
    `f_i^T W_ij f_j` with a learned kernel per field pair (KPNN, the
    journal version's outer product with a kernel).

    Args:
        feature_spec: fitted `FeatureSpec`; one `embedding_dim` for all fields.
        product: str. `"inner"`, `"outer"`, `"both"` or `"kernel"`.
            Defaults to `"inner"`.
        kernel_type: str. The kernels `W_ij` of `product="kernel"`: `"mat"`
            (`k × k`), `"vec"` (diagonal) or `"num"` (scalar). Defaults to
            `"mat"`.
        product_units: int. `D_1`. Defaults to `400`.
        hidden_units: list of int. MLP widths after the product layer.
            Defaults to `(400, 400)`.
        dropout: float. Defaults to `0.0`.
        batch_norm: bool. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = PNN(spec, product="outer", product_units=8, hidden_units=[8])
    >>> model.get_layer("product").output.shape      # l_1: D_1 units
    (None, 8)
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Qu et al., 2016](https://arxiv.org/abs/1611.00144)
        - [Qu et al., 2018](https://arxiv.org/abs/1807.00311)
    """

    def __init__(
        self,
        feature_spec,
        product="inner",
        kernel_type="mat",
        product_units=400,
        hidden_units=(400, 400),
        dropout=0.0,
        batch_norm=False,
        **kwargs,
    ):
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        embeddings = field_embeddings(spec, transform_features(spec, inputs))
        products = ProductLayer(
            product_units, product=product, kernel_type=kernel_type, name="product"
        )(embeddings)
        hidden = keras.layers.Activation("relu", name="product_relu")(products)
        if hidden_units:
            hidden = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")(
                hidden
            )
        config = dict(
            product=product,
            kernel_type=kernel_type,
            product_units=int(product_units),
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
        )
        super().__init__(inputs, probability(logit_layer(hidden)), spec, config=config, **kwargs)
