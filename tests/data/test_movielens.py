import numpy as np
import pytest

from tfrank.data.movielens import (
    load_movielens_1m_movies,
    load_movielens_1m_users,
    load_movielens_100k,
    load_ncf_ml1m,
)


def test_ncf_split_matches_its_published_counts(ncf_dir):
    data = load_ncf_ml1m(ncf_dir)
    assert len(data.train) == 994_169 and len(data.test) == 6040
    assert data.test_negatives.shape == (6040, 99) and len(data.items) == 3706
    assert data.test["user_id"].tolist() == list(range(6040))
    # The public file's quirk: 156 users have their test item among the negatives.
    assert (data.test_negatives == data.test["item_id"].to_numpy()[:, None]).any(
        axis=1
    ).sum() == 156
    train_pairs = set(zip(data.train["user_id"], data.train["item_id"]))
    assert not any(
        (u, i) in train_pairs for u, i in zip(data.test["user_id"], data.test["item_id"])
    )


def test_ncf_nrows_keeps_the_test_users_of_the_rows_read(ncf_dir):
    data = load_ncf_ml1m(ncf_dir, nrows=1000)
    assert len(data.train) == 1000
    assert set(data.test["user_id"]) == set(data.train["user_id"])


def test_movielens_100k_folds(movielens_100k_dir):
    train, test = load_movielens_100k(movielens_100k_dir, "u1")
    assert (len(train), len(test)) == (80_000, 20_000)
    assert train["rating"].between(1, 5).all() and train["user_id"].dtype == np.int64
    with pytest.raises(FileNotFoundError, match="u9.base"):
        load_movielens_100k(movielens_100k_dir, "u9")


def test_movielens_1m_side_files(movielens_1m_dir):
    users = load_movielens_1m_users(movielens_1m_dir)
    movies = load_movielens_1m_movies(movielens_1m_dir)
    assert len(users) == 6040 and set(users["gender"]) == {"F", "M"}
    assert len(movies) == 3883 and movies.loc[0, "first_genre"] == "Animation"


def test_malformed_files_name_file_and_line(tmp_path):
    (tmp_path / "users.dat").write_text("1::F::1::10::48067\n2::M::56\n")
    with pytest.raises(ValueError, match=r"users.dat, line 2: expected 5"):
        load_movielens_1m_users(str(tmp_path))
    for name in ("ml-1m.train.implicit.tsv", "ml-1m.test.rating"):
        (tmp_path / name).write_text("0\t1\n" if "train" in name else "0\t2\t5\t1\n")
    (tmp_path / "ml-1m.test.negative").write_text("(0,2)\t3\t4\nuser0\t5\n")
    with pytest.raises(ValueError, match=r"ml-1m.test.negative, line 2"):
        load_ncf_ml1m(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="neither ml-1m.train.implicit.tsv nor"):
        load_ncf_ml1m(str(tmp_path / "nowhere"))
    (tmp_path / "ml-1m.test.negative").unlink()
    with pytest.raises(FileNotFoundError, match="ml-1m.test.negative not found"):
        load_ncf_ml1m(str(tmp_path))
