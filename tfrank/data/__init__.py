"""Loaders, synthetic generators, data specs and tf.data pipelines."""

from tfrank.data.ali_ccp import ali_ccp_feature_spec, load_ali_ccp
from tfrank.data.avazu import avazu_feature_spec, load_avazu
from tfrank.data.behaviour_logs import load_amazon_s3rec, load_taobao_user_behavior
from tfrank.data.behaviour_samples import build_sample_splits, build_samples
from tfrank.data.census_income import census_income_feature_spec, load_census_income
from tfrank.data.criteo import criteo_feature_spec, load_criteo
from tfrank.data.data_source import DataSource, SourceKind, open_data
from tfrank.data.frames import (
    as_frame,
    read_table,
    train_validation_split,
    train_validation_test_split,
)
from tfrank.data.frappe import frappe_feature_spec, load_frappe
from tfrank.data.implicit_feedback import ImplicitFeedback, leave_one_out
from tfrank.data.interaction_table import (
    implicit_feedback_from_table,
    read_interactions,
    split_ratings,
    user_item_spec,
)
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
from tfrank.data.training_data import TrainingData

__all__ = [
    "DataSource",
    "ImplicitFeedback",
    "NegativeSampler",
    "SourceKind",
    "SyntheticBehaviour",
    "SyntheticCF",
    "SyntheticCTR",
    "SyntheticMultiTask",
    "TrainingData",
    "ali_ccp_feature_spec",
    "as_frame",
    "avazu_feature_spec",
    "behaviour_feature_spec",
    "build_sample_splits",
    "build_samples",
    "census_income_feature_spec",
    "criteo_feature_spec",
    "frappe_feature_spec",
    "implicit_feedback_from_table",
    "leave_one_out",
    "load_ali_ccp",
    "load_amazon_s3rec",
    "load_avazu",
    "load_census_income",
    "load_criteo",
    "load_frappe",
    "load_movielens_100k",
    "load_movielens_1m_movies",
    "load_movielens_1m_users",
    "load_ncf_ml1m",
    "load_taobao_user_behavior",
    "make_dataset",
    "movielens_feature_spec",
    "open_data",
    "read_interactions",
    "read_table",
    "split_ratings",
    "train_validation_split",
    "train_validation_test_split",
    "user_item_spec",
]
