"""NumericEmbedding: one learned vector per numeric field, scaled by its value."""

from __future__ import annotations

import keras
from keras import ops

from tfrank.registration import register_layer


@register_layer
class NumericEmbedding(keras.layers.Layer):
    """Embeds numeric fields so they join categorical fields in interactions.

        e_j = x_j * v_j        (x: [batch, n], v: [n, k], e: [batch, n, k])

    Args:
        embedding_dim: int. Width `k` of each field's vector.
        embeddings_initializer: Defaults to `RandomNormal(stddev=0.01)`.

    Example:

    >>> embed = NumericEmbedding(2, embeddings_initializer="ones")   # v_j = (1, 1)
    >>> ops.convert_to_numpy(embed(ops.array([[1.0, 3.0]]))).tolist()
    [[[1.0, 1.0], [3.0, 3.0]]]
    """

    def __init__(self, embedding_dim, embeddings_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = int(embedding_dim)
        self.embeddings_initializer = keras.initializers.get(
            embeddings_initializer or keras.initializers.RandomNormal(stddev=0.01)
        )

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(input_shape[-1], self.embedding_dim),
            initializer=self.embeddings_initializer,
        )

    def call(self, inputs):
        return ops.expand_dims(inputs, -1) * self.embeddings

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.embedding_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            embedding_dim=self.embedding_dim,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
        )
        return config
