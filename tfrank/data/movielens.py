"""MovieLens loaders: NCF's ML-1M leave-one-out split, ML-100K folds, ML-1M side files."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from tfrank.data.implicit_feedback import ImplicitFeedback

NCF_FILES = ("ml-1m.train.implicit.tsv", "ml-1m.test.rating", "ml-1m.test.negative")


def load_ncf_ml1m(path: str, nrows: int | None = None) -> ImplicitFeedback:
    """NCF's MovieLens-1M split (He et al., 2017): training pairs, each user's
    latest rating as the test item, and its 99 sampled negatives.

    `path` is the folder holding `ml-1m.train.implicit.tsv` (or NCF's own
    `ml-1m.train.rating`), `ml-1m.test.rating` and `ml-1m.test.negative`.
    Ids are NCF's 0-based int64 user and item ids; the catalogue is every
    item of the three files. `nrows` keeps the first training rows and the
    test rows of their users (smoke tests).

    A negative equal to the user's own test item (156 users in the public
    file) is kept in `test_negatives`; the ranking metrics ignore it, as
    NCF's evaluation, which scores items by id, effectively does.
    """
    train_file = os.path.join(path, NCF_FILES[0])
    if not os.path.isfile(train_file):
        train_file = os.path.join(path, "ml-1m.train.rating")
    if not os.path.isfile(train_file):
        raise FileNotFoundError(
            f"NCF ML-1M training file not found: neither {NCF_FILES[0]} nor "
            f"ml-1m.train.rating in {path}."
        )
    for file in (os.path.join(path, f) for f in NCF_FILES[1:]):
        if not os.path.isfile(file):
            raise FileNotFoundError(f"NCF ML-1M file {file} not found.")
    train = _read_pairs(train_file, nrows)
    test = _read_pairs(os.path.join(path, NCF_FILES[1]))
    negatives = _read_negatives(os.path.join(path, NCF_FILES[2]), test)
    if nrows is not None:
        keep = test["user_id"].isin(train["user_id"]).to_numpy()
        test, negatives = test[keep].reset_index(drop=True), negatives[keep]
    items = np.unique(np.concatenate([train["item_id"], test["item_id"], negatives.ravel()]))
    return ImplicitFeedback(train, test, negatives, items, name=f"ncf:{path}")


def _read_pairs(file, nrows=None):
    frame = pd.read_csv(
        file, sep="\t", header=None, usecols=[0, 1], nrows=nrows, dtype=np.int64,
        names=["user_id", "item_id"], on_bad_lines="error",
    )  # fmt: skip
    return frame


def _read_negatives(file, test):
    rows = []
    with open(file) as f:
        for line_number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            try:
                user, item = (int(v) for v in fields[0].strip("()").split(","))
                rows.append((user, item, [int(v) for v in fields[1:] if v]))
            except ValueError as error:
                raise ValueError(
                    f"{file}, line {line_number}: expected '(user,item)\\tneg...': {error}"
                ) from None
    by_pair = {(u, i): negs for u, i, negs in rows}
    widths = {len(n) for n in by_pair.values()}
    if len(widths) != 1:
        raise ValueError(
            f"{file}: every line needs the same number of negatives; saw {sorted(widths)}."
        )
    out = []
    for user, item in zip(test["user_id"], test["item_id"]):
        if (user, item) not in by_pair:
            raise ValueError(f"{file} has no negatives for test pair ({user},{item}).")
        out.append(by_pair[(user, item)])
    return np.asarray(out, dtype=np.int64)


def load_movielens_100k(path: str, fold: str = "u1") -> tuple[pd.DataFrame, pd.DataFrame]:
    """`(train, test)` of an official ML-100K split (`u1`..`u5`, `ua`, `ub`):
    columns `user_id`, `item_id` (int64), `rating` (float32), `timestamp`."""
    parts = []
    for suffix in ("base", "test"):
        file = os.path.join(path, f"{fold}.{suffix}")
        if not os.path.isfile(file):
            raise FileNotFoundError(f"MovieLens-100K file {file} not found.")
        frame = pd.read_csv(
            file, sep="\t", header=None, names=["user_id", "item_id", "rating", "timestamp"],
            dtype={"user_id": np.int64, "item_id": np.int64, "rating": np.float32,
                   "timestamp": np.int64},
        )  # fmt: skip
        parts.append(frame)
    return parts[0], parts[1]


def movielens_feature_spec(embedding_dim: int = 8):
    """int64 `user_id` and `item_id` features (unfitted), for rating models."""
    from tfrank.features import CategoricalFeature, FeatureSpec

    return FeatureSpec(
        [
            CategoricalFeature("user_id", dtype="int64", embedding_dim=embedding_dim),
            CategoricalFeature("item_id", dtype="int64", embedding_dim=embedding_dim),
        ]
    )


def load_movielens_1m_users(path: str) -> pd.DataFrame:
    """ML-1M `users.dat`: user_id, gender, age, occupation, zip_code."""
    return _read_dat(
        os.path.join(path, "users.dat"), ["user_id", "gender", "age", "occupation", "zip_code"],
        {"user_id": np.int64, "gender": str, "age": np.int64, "occupation": np.int64,
         "zip_code": str},
    )  # fmt: skip


def load_movielens_1m_movies(path: str) -> pd.DataFrame:
    """ML-1M `movies.dat` (latin-1): item_id, title, genres (`|`-separated),
    and `first_genre`."""
    movies = _read_dat(
        os.path.join(path, "movies.dat"), ["item_id", "title", "genres"],
        {"item_id": np.int64, "title": str, "genres": str},
    )  # fmt: skip
    movies["first_genre"] = movies["genres"].str.split("|").str[0]
    return movies


def _read_dat(file, names, dtypes):
    if not os.path.isfile(file):
        raise FileNotFoundError(f"MovieLens file {file} not found.")
    rows = []
    with open(file, encoding="latin-1") as f:
        for line_number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("::")
            if len(fields) != len(names):
                raise ValueError(
                    f"{file}, line {line_number}: expected {len(names)} '::'-separated "
                    f"fields ({', '.join(names)}), found {len(fields)}."
                )
            rows.append(fields)
    return pd.DataFrame(rows, columns=names).astype(dtypes)
