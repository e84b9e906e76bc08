"""ProductLayer: PNN's product layer (inner, outer, or both)."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.layers.interaction.dot_interaction import DotInteraction
from tfrank.registration import register_layer

_PRODUCTS = ("inner", "outer", "both")


@register_layer
class ProductLayer(keras.layers.Layer):
    """Linear signal plus product signal of field embeddings, `units` wide.

        l = W_z · z + W_p · p + b        (z = [f_1; ...; f_n], the linear signal)

    - inner (IPNN): `p = [<f_i, f_j>]_{i<j}`, the `n(n-1)/2` inner products;
    - outer (OPNN, the paper's tractable form): `p = f_Σ f_Σ^T` with
      `f_Σ = sum_i f_i` (sum-pooled outer products, `k × k`);
    - both (PNN*): the two product signals, each with its own weights.

    No activation is applied: PNN feeds `relu(l)` to its MLP.

    Args:
        units: int. Output width `D_1`.
        product: str. `"inner"`, `"outer"` or `"both"`. Defaults to `"inner"`.
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

    References:
        - [Qu et al., 2016 (PNN)](https://arxiv.org/abs/1611.00144)
    """

    def __init__(
        self,
        units,
        product="inner",
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if product not in _PRODUCTS:
            raise ValueError(f"product must be one of {_PRODUCTS}. Received: {product!r}")
        self.units = int(units)
        self.product = product
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self._dots = DotInteraction(name="inner_products")

    def build(self, input_shape):
        n, k = int(input_shape[1]), int(input_shape[2])

        def kernel(name, rows):
            return self.add_weight(
                name=name,
                shape=(rows, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
            )

        self.linear_kernel = kernel("linear_kernel", n * k)
        if self.product in ("inner", "both"):
            self.inner_kernel = kernel("inner_kernel", n * (n - 1) // 2)
        if self.product in ("outer", "both"):
            self.outer_kernel = kernel("outer_kernel", k * k)
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
        return out

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            product=self.product,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            kernel_regularizer=keras.regularizers.serialize(self.kernel_regularizer),
        )
        return config
