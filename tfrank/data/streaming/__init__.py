"""Data larger than memory: shards read in chunks, a spec fitted in one pass,
rows encoded once into TFRecord shards and read back by tf.data."""

from tfrank.data.streaming.chunk import BadRows, Chunk
from tfrank.data.streaming.delimited_format import DelimitedFormat
from tfrank.data.streaming.parquet_format import ParquetFormat
from tfrank.data.streaming.prepare import StreamSource, cache_key, held_out, prepare_data
from tfrank.data.streaming.prepared_data import PreparedData
from tfrank.data.streaming.shards import list_shards, total_bytes
from tfrank.data.streaming.streaming_fit import StreamingFit
from tfrank.data.streaming.streaming_training import StreamSettings, prepare_files
from tfrank.data.streaming.value_counter import Moments, ValueCounter

__all__ = [
    "BadRows",
    "Chunk",
    "DelimitedFormat",
    "Moments",
    "ParquetFormat",
    "PreparedData",
    "StreamSettings",
    "StreamSource",
    "StreamingFit",
    "ValueCounter",
    "cache_key",
    "held_out",
    "list_shards",
    "prepare_data",
    "prepare_files",
    "total_bytes",
]
