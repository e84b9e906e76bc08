"""Loaders, synthetic generators and tf.data pipelines."""

from tfrank.data.avazu import avazu_feature_spec, load_avazu
from tfrank.data.behaviour_logs import load_amazon_s3rec, load_taobao_user_behavior
from tfrank.data.behaviour_samples import build_sample_splits, build_samples
from tfrank.data.criteo import criteo_feature_spec, load_criteo
from tfrank.data.data_source import DataSource, load_data
from tfrank.data.frames import read_table, train_validation_split, train_validation_test_split
from tfrank.data.frappe import frappe_feature_spec, load_frappe
from tfrank.data.implicit_feedback import ImplicitFeedback, leave_one_out
from tfrank.data.movielens import (
    load_movielens_1m_movies,
    load_movielens_1m_users,
    load_movielens_100k,
    load_ncf_ml1m,
    movielens_feature_spec,
)
from tfrank.data.negative_sampler import NegativeSampler
from tfrank.data.pipeline import make_dataset
from tfrank.data.synthetic_behaviour import SyntheticBehaviour, behaviour_feature_spec
from tfrank.data.synthetic_cf import SyntheticCF
from tfrank.data.synthetic_ctr import SyntheticCTR
from tfrank.data.synthetic_multitask import SyntheticMultiTask

__all__ = [
    "DataSource",
    "ImplicitFeedback",
    "NegativeSampler",
    "SyntheticBehaviour",
    "SyntheticCF",
    "SyntheticCTR",
    "SyntheticMultiTask",
    "avazu_feature_spec",
    "behaviour_feature_spec",
    "build_sample_splits",
    "build_samples",
    "criteo_feature_spec",
    "frappe_feature_spec",
    "leave_one_out",
    "load_amazon_s3rec",
    "load_frappe",
    "load_movielens_100k",
    "load_movielens_1m_movies",
    "load_movielens_1m_users",
    "load_ncf_ml1m",
    "load_taobao_user_behavior",
    "movielens_feature_spec",
    "load_avazu",
    "load_criteo",
    "load_data",
    "make_dataset",
    "read_table",
    "train_validation_split",
    "train_validation_test_split",
]
