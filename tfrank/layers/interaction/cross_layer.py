"""CrossLayer: one explicit feature-crossing layer of DCN and DCN-v2."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer

_KINDS = ("v1", "v2")
_EXPERT_FORMS = ("dcn_mix", "low_rank")


@register_layer
class CrossLayer(keras.layers.Layer):
    """x_{l+1} = x_0 ⊙ f(x_l) + x_l, with `f` from DCN or DCN-v2.

    - `kind="v1"` (DCN): `f(x) = x^T w + b` broadcast, i.e.
      `x_{l+1} = x_0 (x_l^T w_l) + b_l + x_l` (rank one, `2d` weights).
    - `kind="v2"`, full rank: `x_{l+1} = x_0 ⊙ (W_l x_l + b_l) + x_l`.
    - `kind="v2"`, `projection_dim=r`: low rank `W = U V^T` (`2dr` weights).
    - `kind="v2"`, `num_experts=K > 1`: a mixture of low-rank experts
      (DCN-Mix), `x_{l+1} = sum_i G_i(x_l) E_i(x_l) + x_l` with
      `G = softmax(x_l W_g)` (gates sum to 1 per example) and, for
      `expert_form="dcn_mix"` (the paper's equation),
      `E_i(x_l) = x_0 ⊙ (U_i g(C_i g(V_i^T x_l)) + b_l)`: `V_i^T`
      projects to `r` dimensions, the `r × r` matrix `C_i` transforms
      there between two nonlinearities `g`, `U_i` projects back, and the
      bias `b_l` is shared by the experts. `expert_form="low_rank"` is the
      earlier form without `C_i`, `g` applied once and one bias per
      expert: `E_i(x_l) = x_0 ⊙ (U_i g(V_i^T x_l) + b_i)`.

    The weights are stored row-major: `u_kernel[i]` is `V_i` (`d × r`, the
    down projection), `c_kernel[i]` is `C_i^T` and `v_kernel[i]` is
    `U_i^T` (`r × d`), so the single-expert low rank reads
    `x_0 ⊙ (x_l u v + b) + x_l` as keras-rs' `FeatureCross` does.

    Args:
        kind: str. `"v1"` or `"v2"`. Defaults to `"v2"`.
        projection_dim: int or None. Rank `r` of `W` (v2). Defaults to `None`
            (full rank); required when `num_experts > 1`.
        num_experts: int. Low-rank experts (v2). Defaults to `1`.
        expert_form: str. `"dcn_mix"` or `"low_rank"`, the experts of a
            mixture (see above). Defaults to `"dcn_mix"`.
        expert_activation: activation `g` in the projected space. Defaults
            to `None`: `"tanh"` for `"dcn_mix"` experts (the paper leaves
            `g` open; tanh as in DeepCTR-Torch's and FuxiCTR's DCN-Mix,
            torchrec uses relu), linear otherwise (plain low rank,
            `"low_rank"` experts).
        use_bias: bool. Defaults to `True`.
        kernel_initializer: Defaults to `"glorot_uniform"`.
        kernel_regularizer: optional regularizer of the kernels.

    Call arguments:
        x0: `[batch, d]`, the cross network's input.
        x: `[batch, d]`, the previous layer's output (defaults to `x0`).

    Example:

    >>> x0 = ops.array([[1.0, 2.0, 3.0]])
    >>> x1 = CrossLayer(kernel_initializer="ones")(x0)   # W x0 = (6, 6, 6), b = 0
    >>> ops.convert_to_numpy(x1).tolist()   # x0 * 6 + x0
    [[7.0, 14.0, 21.0]]
    >>> x2 = CrossLayer(projection_dim=2, kernel_initializer="ones")(x0, x1)
    >>> ops.convert_to_numpy(x2).tolist()   # U^T x1 = (42, 42), V (42, 42) = 84: x0 * 84 + x1
    [[91.0, 182.0, 273.0]]
    >>> mixture = CrossLayer(projection_dim=2, num_experts=3)
    >>> tuple(mixture(x0).shape), round(float(ops.sum(mixture.gates(x0))), 5)   # gates sum to 1
    ((1, 3), 1.0)

    References:
        - [Wang et al., 2017 (DCN)](https://arxiv.org/abs/1708.05123)
        - [Wang et al., 2021 (DCN-v2)](https://arxiv.org/abs/2008.13535)
    """

    def __init__(
        self,
        kind="v2",
        projection_dim=None,
        num_experts=1,
        expert_form="dcn_mix",
        expert_activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}. Received: kind={kind!r}")
        if expert_form not in _EXPERT_FORMS:
            raise ValueError(
                f"expert_form must be one of {_EXPERT_FORMS}. Received: expert_form={expert_form!r}"
            )
        if num_experts < 1:
            raise ValueError(f"num_experts must be >= 1. Received: {num_experts}")
        if kind == "v1" and (projection_dim or num_experts > 1):
            raise ValueError("projection_dim and num_experts apply to kind='v2' only.")
        if num_experts > 1 and not projection_dim:
            raise ValueError("A mixture of experts needs projection_dim (low-rank experts).")
        self.kind = kind
        self.projection_dim = projection_dim
        self.num_experts = int(num_experts)
        self.expert_form = expert_form
        if expert_activation is None and self._dcn_mix:
            expert_activation = "tanh"
        self.expert_activation = keras.activations.get(expert_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, x0_shape, x_shape=None):
        d = int(x0_shape[-1])
        experts, rank = self.num_experts, self.projection_dim

        def weight(name, shape, initializer=None):
            return self.add_weight(
                name=name,
                shape=shape,
                initializer=initializer or self.kernel_initializer,
                regularizer=self.kernel_regularizer if initializer is None else None,
            )

        if self.kind == "v1":
            self.kernel = weight("kernel", (d, 1))
        elif rank is None:
            self.kernel = weight("kernel", (d, d))
        else:
            self.u_kernel = weight("u_kernel", (experts, d, rank))
            self.v_kernel = weight("v_kernel", (experts, rank, d))
            if self._dcn_mix:
                self.c_kernel = weight("c_kernel", (experts, rank, rank))
            if experts > 1:
                self.gate_kernel = weight("gate_kernel", (d, experts))
        if self.use_bias:
            per_expert = experts > 1 and not self._dcn_mix
            self.bias = weight("bias", (experts, d) if per_expert else (d,), "zeros")

    @property
    def _dcn_mix(self):
        return self.num_experts > 1 and self.expert_form == "dcn_mix"

    def call(self, x0, x=None):
        x = x0 if x is None else x
        if self.kind == "v1":
            y = x0 * ops.matmul(x, self.kernel)
            return y + self.bias + x if self.use_bias else y + x
        if self.num_experts > 1:
            return self._mixture(x0, x) + x
        if self.projection_dim is None:
            projected = ops.matmul(x, self.kernel)
        else:
            hidden = self.expert_activation(ops.matmul(x, self.u_kernel[0]))
            projected = ops.matmul(hidden, self.v_kernel[0])
        if self.use_bias:
            projected = projected + self.bias
        return x0 * projected + x

    def _mixture(self, x0, x):
        hidden = self.expert_activation(ops.einsum("bd,edr->ber", x, self.u_kernel))
        if self._dcn_mix:
            hidden = self.expert_activation(ops.einsum("ber,ers->bes", hidden, self.c_kernel))
        projected = ops.einsum("ber,erd->bed", hidden, self.v_kernel)
        if self.use_bias:
            projected = projected + self.bias
        experts = ops.expand_dims(x0, 1) * projected
        return ops.einsum("be,bed->bd", self.gates(x), experts)

    def gates(self, x):
        """`[batch, num_experts]` softmax gate weights (mixture only)."""
        if self.num_experts == 1:
            raise ValueError("gates() exists only for num_experts > 1.")
        return ops.softmax(ops.matmul(x, self.gate_kernel), axis=-1)

    def compute_output_shape(self, x0_shape, x_shape=None):
        return tuple(x0_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            kind=self.kind,
            projection_dim=self.projection_dim,
            num_experts=self.num_experts,
            expert_form=self.expert_form,
            expert_activation=keras.activations.serialize(self.expert_activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
