from tfrank.layers.core.embedding_bank import EmbeddingBank
from tfrank.layers.core.linear_term import LinearTerm
from tfrank.layers.core.mlp_block import MLPBlock
from tfrank.layers.core.numeric_embedding import NumericEmbedding
from tfrank.layers.core.residual_unit import ResidualUnit

__all__ = ["EmbeddingBank", "LinearTerm", "MLPBlock", "NumericEmbedding", "ResidualUnit"]
