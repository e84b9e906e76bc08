"""ProductLayer: PNN's product layer (inner, outer, both, or kernel)."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.interaction.dot_interaction import DotInteraction
from tfrank.layers.interaction.field_pairs import field_pairs
from tfrank.registration import register_layer

_PRODUCTS = ("inner", "outer", "both", "kernel")
_KERNEL_TYPES = ("mat", "vec", "num")


@register_layer
class ProductLayer(keras.layers.Layer):
    """Linear signal plus product signal of field embeddings, `units` wide.

        l = W_z · z + W_p · p + b        (z = [f_1; ...; f_n], the linear signal)

    - inner (IPNN): `p = [<f_i, f_j>]_{i<j}`, the `n(n-1)/2` inner products;
    - outer (OPNN, the paper's tractable form): `p = f_Σ f_Σ^T` with
      `f_Σ = sum_i f_i` (sum-pooled outer products, `k × k`);
    - both (PNN*): the two product signals, each with its own weights;
    - kernel (KPNN, the journal version's kernel product):
      `p = [f_i^T W_ij f_j]_{i<j}`, a learned kernel per field pair: a
      `k × k` matrix (`kernel_type="mat"`), a diagonal, i.e.
      `sum(f_i ⊙ w_ij ⊙ f_j)` (`"vec"`), or a scalar, `w_ij <f_i, f_j>`
      (`"num"`).

    No activation is applied: PNN feeds `relu(l)` to its MLP.

    Args:
        units: int. Output width `D_1`.
        product: str. `"inner"`, `"outer"`, `"both"` or `"kernel"`.
            Defaults to `"inner"`.
        kernel_type: str. The pair kernels `W_ij` of `product="kernel"`:
            `"mat"`, `"vec"` or `"num"`. Defaults to `"mat"`.
        kernel_initializer: Defaults to `"glorot_uniform"`.
        kernel_regularizer: optional regularizer of the kernels.

    Call arguments:
        inputs: `[batch, n_fields, k]`.

    Example:

    >>> v = ops.convert_to_tensor([[[1.0, 2.0], [3.0, 4.0]]])   # n = 2 fields, k = 2
    >>> inner = ProductLayer(2, kernel_initializer="ones")   # all W = 1, so l sums z and p
    >>> ops.convert_to_numpy(inner(v)).tolist()   # z: 1+2+3+4, p: <f_1, f_2> = 3+8
    [[21.0, 21.0]]
    >>> both = ProductLayer(2, product="both", kernel_initializer="ones")
    >>> ops.convert_to_numpy(both(v)).tolist()   # + f_Σ f_Σ^T, f_Σ = (4, 6): (4+6)^2
    [[121.0, 121.0]]
    >>> kernel = ProductLayer(2, product="kernel", kernel_initializer="ones")
    >>> ops.convert_to_numpy(kernel(v)).tolist()   # z: 10, f_1^T 1 f_2 = (1+2)(3+4) = 21
    [[31.0, 31.0]]

    References:
        - [Qu et al., 2016 (PNN)](https://arxiv.org/abs/1611.00144)
        - [Qu et al., 2018 (PNN, kernel product)](https://arxiv.org/abs/1807.00311)
    """

    def __init__(
        self,
        units,
        product="inner",
        kernel_type="mat",
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if product not in _PRODUCTS:
            raise ValueError(f"product must be one of {_PRODUCTS}. Received: {product!r}")
        if kernel_type not in _KERNEL_TYPES:
            raise ValueError(
                f"kernel_type must be one of {_KERNEL_TYPES}. Received: {kernel_type!r}"
            )
        self.units = int(units)
        self.product = product
        self.kernel_type = kernel_type
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._dots = DotInteraction(name="inner_products")

    def build(self, input_shape):
        n, k = int(input_shape[1]), int(input_shape[2])

        def kernel(name, rows, shape=None):
            return self.add_weight(
                name=name,
                shape=shape or (rows, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
            )

        self.linear_kernel = kernel("linear_kernel", n * k)
        if self.product in ("inner", "both"):
            self.inner_kernel = kernel("inner_kernel", n * (n - 1) // 2)
        if self.product in ("outer", "both"):
            self.outer_kernel = kernel("outer_kernel", k * k)
        if self.product == "kernel":
            pairs = n * (n - 1) // 2
            shapes = {"mat": (pairs, k, k), "vec": (pairs, k), "num": (pairs,)}
            self.pair_kernel = kernel("pair_kernel", None, shapes[self.kernel_type])
            self.kernel_product_kernel = kernel("kernel_product_kernel", pairs)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        n, k = inputs.shape[1], inputs.shape[2]
        out = ops.matmul(ops.reshape(inputs, (-1, n * k)), self.linear_kernel) + self.bias
        if self.product in ("inner", "both"):
            out = out + ops.matmul(self._dots(inputs), self.inner_kernel)
        if self.product in ("outer", "both"):
            pooled = ops.sum(inputs, axis=1)
            outer = ops.expand_dims(pooled, 2) * ops.expand_dims(pooled, 1)
            out = out + ops.matmul(ops.reshape(outer, (-1, k * k)), self.outer_kernel)
        if self.product == "kernel":
            out = out + ops.matmul(self._kernel_products(inputs), self.kernel_product_kernel)
        return out

    def _kernel_products(self, inputs):
        """`[batch, n_pairs]`: `f_i^T W_ij f_j` for the pairs `i < j`."""
        rows, cols = field_pairs(inputs.shape[1])
        left, right = ops.take(inputs, rows, axis=1), ops.take(inputs, cols, axis=1)
        if self.kernel_type == "mat":
            left = ops.einsum("bpk,pkl->bpl", left, self.pair_kernel)
        elif self.kernel_type == "vec":
            left = left * self.pair_kernel
        products = ops.sum(left * right, axis=-1)
        return products * self.pair_kernel if self.kernel_type == "num" else products

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            product=self.product,
            kernel_type=self.kernel_type,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
