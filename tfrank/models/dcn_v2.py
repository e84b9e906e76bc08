"""DCN-v2: matrix cross layers (full, low-rank or mixture), stacked or parallel."""

from __future__ import annotations

from keras import ops

from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.interaction.cross_layer import CrossLayer
from tfrank.models.building_blocks import (
    as_feature_spec,
    flat_embeddings,
    logit_layer,
    make_inputs,
    probability,
    transform_features,
)
from tfrank.models.ranking_model import RankingModel
from tfrank.registration import register_model

_STRUCTURES = ("stacked", "parallel")


@register_model(
    "dcn_v2",
    summary=(
        "cross layers x₀ ⊙ (W_l x_l + b_l) + x_l, W full rank, low rank or a gated "
        "mixture of low-rank experts x₀ ⊙ (U_i g(C_i g(V_iᵀ x_l)) + b_l); stacked or parallel"
    ),
    paper="Wang et al. 2021",
)
class DCNv2(RankingModel):
    """DCN-v2: cross layers with a weight matrix, and an MLP.

        x_{l+1} = x_0 ⊙ (W_l x_l + b_l) + x_l
        stacked:  p = sigmoid(w^T MLP(x_L) + b)
        parallel: p = sigmoid(w^T [x_L; MLP(x_0)] + b)

    `W_l` is full rank, low rank `U_l V_l^T` (`projection_dim`), or a
    gated mixture of low-rank experts (`num_experts > 1`, DCN-Mix):

        x_{l+1} = sum_i G_i(x_l) E_i(x_l) + x_l,   G = softmax(x_l W_g)
        E_i(x_l) = x_0 ⊙ (U_i g(C_i g(V_i^T x_l)) + b_l)

    with an `r × r` matrix `C_i` per expert, `g` the `expert_activation`
    and one bias `b_l` shared by the experts; see `CrossLayer`.

    Args:
        feature_spec: fitted `FeatureSpec` (embedding widths may differ).
        structure: str. `"stacked"` or `"parallel"`. Defaults to `"stacked"`.
        num_cross_layers: int. Defaults to `3`.
        projection_dim: int or None. Low rank `r`. Defaults to `None`.
        num_experts: int. Experts per cross layer. Defaults to `1`.
        expert_form: str. `"dcn_mix"` (the paper's experts, above) or
            `"low_rank"` (no `C_i`, `g` once, a bias per expert:
            `x_0 ⊙ (U_i g(V_i^T x_l) + b_i)`). Defaults to `"dcn_mix"`.
        expert_activation: str or None. `g`. Defaults to `None`: `"tanh"`
            for `"dcn_mix"` experts, linear for `"low_rank"` ones.
        hidden_units: list of int. MLP widths. Defaults to `(400, 400, 400)`.
        dropout: float. Defaults to `0.0`.
        batch_norm: bool. Defaults to `False`.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> model = DCNv2(spec, structure="parallel", num_cross_layers=2, projection_dim=2,
    ...               num_experts=2, hidden_units=[8])     # a mixture of 2 rank-2 experts
    >>> model.predict(frame.head(4), verbose=0).shape
    (4, 1)

    References:
        - [Wang et al., 2021](https://arxiv.org/abs/2008.13535)
    """

    def __init__(
        self,
        feature_spec,
        structure="stacked",
        num_cross_layers=3,
        projection_dim=None,
        num_experts=1,
        expert_form="dcn_mix",
        expert_activation=None,
        hidden_units=(400, 400, 400),
        dropout=0.0,
        batch_norm=False,
        **kwargs,
    ):
        if structure not in _STRUCTURES:
            raise ValueError(f"structure must be one of {_STRUCTURES}. Received: {structure!r}")
        spec = as_feature_spec(feature_spec)
        inputs = make_inputs(spec)
        x0 = flat_embeddings(spec, transform_features(spec, inputs))
        x = x0
        for i in range(num_cross_layers):
            x = CrossLayer(
                projection_dim=projection_dim,
                num_experts=num_experts,
                expert_form=expert_form,
                expert_activation=expert_activation,
                name=f"cross_{i}",
            )(x0, x)
        mlp = MLPBlock(hidden_units, dropout=dropout, batch_norm=batch_norm, name="mlp")
        if structure == "stacked":
            top = mlp(x)
        else:
            top = ops.concatenate([x, mlp(x0)], axis=-1)
        config = dict(
            structure=structure,
            num_cross_layers=int(num_cross_layers),
            projection_dim=projection_dim,
            num_experts=int(num_experts),
            expert_form=expert_form,
            expert_activation=expert_activation,
            hidden_units=[int(u) for u in hidden_units],
            dropout=float(dropout),
            batch_norm=bool(batch_norm),
        )
        super().__init__(inputs, probability(logit_layer(top)), spec, config=config, **kwargs)
