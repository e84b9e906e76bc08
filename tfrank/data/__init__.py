"""Loaders, synthetic generators and tf.data pipelines."""

from tfrank.data.avazu import avazu_feature_spec, load_avazu
from tfrank.data.criteo import criteo_feature_spec, load_criteo
from tfrank.data.data_source import DataSource, load_data
from tfrank.data.frames import read_table, train_validation_split, train_validation_test_split
from tfrank.data.frappe import frappe_feature_spec, load_frappe
from tfrank.data.pipeline import make_dataset
from tfrank.data.synthetic_ctr import SyntheticCTR

__all__ = [
    "DataSource",
    "SyntheticCTR",
    "avazu_feature_spec",
    "criteo_feature_spec",
    "frappe_feature_spec",
    "load_frappe",
    "load_avazu",
    "load_criteo",
    "load_data",
    "make_dataset",
    "read_table",
    "train_validation_split",
    "train_validation_test_split",
]
