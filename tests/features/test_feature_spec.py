import numpy as np
import pandas as pd
import pytest

from tfrank.features import CategoricalFeature, CrossedFeature, FeatureSpec, NumericFeature


def test_vocabulary_by_frequency_with_min_count_and_cap():
    column = pd.Series(["b", "a", "a", "c", "c", "c", "d", "b"])
    f = CategoricalFeature("x", min_count=2).fit(column)
    assert f.vocabulary == ["c", "a", "b"]  # by count, ties by value
    assert f.vocabulary_size == 4  # + one OOV id
    capped = CategoricalFeature("x", max_vocabulary_size=2, num_oov_buckets=3).fit(column)
    assert capped.vocabulary == ["c", "a"] and capped.vocabulary_size == 5


def test_empty_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="'x': no value occurs min_count=3 times"):
        CategoricalFeature("x", min_count=3).fit(pd.Series(["a", "b", "a"]))


def test_integer_vocabulary_and_float_columns_of_ids():
    f = CategoricalFeature("hour", dtype="int64").fit(pd.Series([3, 3, 7]))
    assert f.vocabulary == [3, 7]
    # Criteo-style ids read as floats because of NaN keep their integer text.
    s = CategoricalFeature("c").fit(pd.Series([1.0, np.nan, 1.0]))
    assert s.vocabulary == ["1", ""]


def test_integer_feature_rejects_missing_and_fractional_values():
    with pytest.raises(ValueError, match="'hour'.*missing"):
        CategoricalFeature("hour", dtype="int64").fit(pd.Series([1, None]))
    with pytest.raises(ValueError, match="'hour' expects int64"):
        CategoricalFeature("hour", dtype="int64").fit(pd.Series([1.5, 2.0]))


def test_numeric_statistics_after_signed_log():
    values = pd.Series([0.0, 9.0, -3.0, np.nan])
    f = NumericFeature("n", log_transform=True).fit(values)
    t = np.sign([0.0, 9.0, -3.0]) * np.log1p(np.abs([0.0, 9.0, -3.0]))
    assert f.mean == pytest.approx(t.mean())
    assert f.variance == pytest.approx(t.var())
    constant = NumericFeature("k").fit(pd.Series([2.0, 2.0]))
    assert (constant.mean, constant.variance) == (2.0, 1.0)


def test_numeric_column_with_text_names_feature_and_row():
    with pytest.raises(ValueError, match="'price' expects numbers; found 'abc' at row 1"):
        NumericFeature("price").fit(pd.Series(["1.5", "abc"]))


def test_spec_validation_errors_name_features():
    with pytest.raises(ValueError, match="unique.*'a'"):
        FeatureSpec([CategoricalFeature("a"), NumericFeature("a")])
    with pytest.raises(ValueError, match="'ab' names 'z'"):
        FeatureSpec([CategoricalFeature("a"), CrossedFeature("ab", ["a", "z"])])
    with pytest.raises(ValueError, match="'b' shares the embedding of 'a'"):
        FeatureSpec([NumericFeature("a"), CategoricalFeature("b", share_embedding_with="a")])
    with pytest.raises(ValueError, match="embedding_dim must match"):
        FeatureSpec(
            [
                CategoricalFeature("a", embedding_dim=8),
                CategoricalFeature("b", embedding_dim=4, share_embedding_with="a"),
            ]
        )
    with pytest.raises(ValueError, match="dtype must be one of"):
        CategoricalFeature("a", dtype="float32")


def test_fit_reports_missing_columns(tiny_frame):
    spec = FeatureSpec([CategoricalFeature("site"), NumericFeature("nope")])
    with pytest.raises(ValueError, match=r"no column for feature\(s\) \['nope'\]"):
        spec.fit(tiny_frame)


def test_check_inputs_names_the_feature(tiny_spec):
    good = {
        "site": np.array(["a"], dtype=object),
        "app": np.array(["x"], dtype=object),
        "hour": np.array([1], dtype=np.int64),
        "price": np.array([1.0], dtype=np.float32),
        "age": np.array([30.0], dtype=np.float32),
    }
    tiny_spec.check_inputs(good)
    with pytest.raises(
        ValueError, match=r"Missing feature\(s\) \['hour'\]: expected 'hour' \(int64\)"
    ):
        tiny_spec.check_inputs({k: v for k, v in good.items() if k != "hour"})
    with pytest.raises(ValueError, match="Feature 'hour' must be int64; received float64"):
        tiny_spec.check_inputs({**good, "hour": np.array([1.5])})
    with pytest.raises(ValueError, match="Feature 'site' must be string; received int64"):
        tiny_spec.check_inputs({**good, "site": np.array([3])})
    with pytest.raises(ValueError, match=r"Unexpected feature\(s\) \['extra'\]"):
        tiny_spec.check_inputs({**good, "extra": np.array([1])})


def test_config_json_and_yaml_round_trip(tiny_spec, tmp_path):
    path = tmp_path / "spec.json"
    tiny_spec.save(str(path))
    assert FeatureSpec.load(str(path)).to_config() == tiny_spec.to_config()
    yaml_path = tmp_path / "spec.yaml"
    yaml_path.write_text(
        "features:\n"
        "  - {kind: categorical, name: site, embedding_dim: 8, min_count: 2}\n"
        "  - {kind: numeric, name: price, log_transform: true}\n"
    )
    spec = FeatureSpec.load(str(yaml_path))
    assert spec["site"].min_count == 2 and spec["price"].log_transform
    bad = tmp_path / "bad.yaml"
    bad.write_text("features:\n  - {kind: sequence_of_doom, name: x}\n")
    with pytest.raises(ValueError, match="'x': unknown kind 'sequence_of_doom'"):
        FeatureSpec.load(str(bad))


def test_yaml_is_parsed_as_data_never_executed(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("features: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(Exception, match="could not determine a constructor"):
        FeatureSpec.load(str(evil))
