"""UCI Census-Income (KDD) as the MMoE paper's two-task data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfrank.data.frames import check_file

# The 42 fields of census-income.{data,test}, in file order (UCI's names, snake_case).
COLUMNS = [
    "age", "class_of_worker", "detailed_industry_recode", "detailed_occupation_recode",
    "education", "wage_per_hour", "enroll_in_edu_inst_last_wk", "marital_stat",
    "major_industry_code", "major_occupation_code", "race", "hispanic_origin", "sex",
    "member_of_a_labor_union", "reason_for_unemployment", "full_or_part_time_employment_stat",
    "capital_gains", "capital_losses", "dividends_from_stocks", "tax_filer_stat",
    "region_of_previous_residence", "state_of_previous_residence",
    "detailed_household_and_family_stat", "detailed_household_summary_in_household",
    "instance_weight", "migration_code_change_in_msa", "migration_code_change_in_reg",
    "migration_code_move_within_reg", "live_in_this_house_1_year_ago",
    "migration_prev_res_in_sunbelt", "num_persons_worked_for_employer",
    "family_members_under_18", "country_of_birth_father", "country_of_birth_mother",
    "country_of_birth_self", "citizenship", "own_business_or_self_employed",
    "fill_inc_questionnaire_for_veterans_admin", "veterans_benefits", "weeks_worked_in_year",
    "year", "income_class",
]  # fmt: skip
NUMERIC = [
    "age", "wage_per_hour", "capital_gains", "capital_losses", "dividends_from_stocks",
    "num_persons_worked_for_employer", "weeks_worked_in_year",
]  # fmt: skip
# The labels' source columns, and the survey weight (not a property of the person).
_NOT_FEATURES = {"income_class", "marital_stat", "instance_weight"}
CATEGORICAL = [c for c in COLUMNS if c not in NUMERIC and c not in _NOT_FEATURES]
TASKS = ["income", "never_married"]


def load_census_income(path: str) -> pd.DataFrame:
    """Reads `census-income.data[.gz]` / `census-income.test[.gz]`.

    Returns the MMoE paper's two tasks as float labels, `income` (income
    class "50000+") and `never_married` (marital status "Never married"),
    the 7 numeric columns as float32 and the other 32 fields as strings
    (`"?"`, missing, is a value of its own). The label sources and the
    survey's instance weight are dropped from the features.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "census-income.test")
    >>> row = {c: "0" if c in NUMERIC else "?" for c in COLUMNS}    # the 42 fields
    >>> row.update(age="38", marital_stat="Never married", income_class="50000+.")
    >>> with open(path, "w") as f:
    ...     _ = f.write(", ".join(row.values()) + "\\n")
    >>> frame = load_census_income(path)
    >>> frame[TASKS + ["age"]].values.tolist(), len(CATEGORICAL)
    ([[1.0, 1.0, 38.0]], 32)
    """
    check_file(path)
    frame = pd.read_csv(path, header=None, sep=",", skipinitialspace=True, dtype=str,
                        keep_default_na=False, compression="infer")  # fmt: skip
    if frame.shape[1] != len(COLUMNS):
        raise ValueError(
            f"{path}: expected {len(COLUMNS)} comma-separated fields per line (census-income "
            f"format), found {frame.shape[1]}."
        )
    frame.columns = COLUMNS
    income = frame["income_class"].str.rstrip(".").str.strip()
    known = income.isin(["- 50000", "50000+"])
    if not known.all():
        row = int(np.argmin(known.to_numpy()))
        raise ValueError(f"{path}, line {row + 1}: income class {income[row]!r} is not a class.")
    out = {
        "income": (income == "50000+").to_numpy(np.float32),
        "never_married": (frame["marital_stat"].str.strip() == "Never married").to_numpy(
            np.float32
        ),
    }
    for name in NUMERIC:
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax())
            raise ValueError(
                f"{path}, line {row + 1}: {name} = {frame[name][row]!r} is not a number."
            )
        out[name] = values.to_numpy(np.float32)
    for name in CATEGORICAL:
        out[name] = frame[name].str.strip().to_numpy(object)
    return pd.DataFrame(out)


def census_income_feature_spec(embedding_dim: int = 8):
    """Every categorical field embedded, the numerics log-transformed (counts
    and amounts with long tails) and normalized."""
    from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature

    features = [CategoricalFeature(n, embedding_dim=embedding_dim) for n in CATEGORICAL]
    features += [
        NumericFeature(n, log_transform=True, embedding_dim=embedding_dim) for n in NUMERIC
    ]
    return FeatureSpec(features)
