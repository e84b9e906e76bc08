"""Ali-CCP (click and purchase, the ESMM paper's data) in its label-encoded CSV form."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfrank.data.frames import check_file

TASKS = ["click", "purchase"]


def load_ali_ccp(path: str) -> pd.DataFrame:
    """Reads an Ali-CCP CSV with header `click,purchase,<fields>`: categorical
    fields named by their Ali-CCP field ids (`101`, `109_14`, ...: already
    label-encoded integers) and dense ones prefixed `D` (`D109_14`).

    Returns float labels `click` and `purchase` (a purchase implies a click
    in Ali-CCP; a row breaking that is an error), categorical fields as
    int64 columns `f<id>` and dense ones as float32 `d<id>`: column names
    that are valid input names.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "ali_ccp_train.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("click,purchase,101,109_14,D109_14\\n"
    ...                 "1,1,3,7,0.47\\n1,0,2,7,0\\n0,0,3,1,0.19\\n")
    >>> frame = load_ali_ccp(path)
    >>> frame.columns.tolist()
    ['click', 'purchase', 'f101', 'f109_14', 'd109_14']
    >>> frame["click"].tolist(), frame["purchase"].tolist()
    ([1.0, 1.0, 0.0], [1.0, 0.0, 0.0])
    """
    check_file(path)
    raw = pd.read_csv(path)
    missing = [t for t in TASKS if t not in raw.columns]
    if missing:
        raise ValueError(f"{path}: no {missing} column; the header must start with click,purchase.")
    out = {}
    for task in TASKS:
        values = pd.to_numeric(raw[task], errors="coerce")
        bad = ~values.isin([0, 1])
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise ValueError(f"{path}, row {row + 1}: {task} = {raw[task][row]} is not 0 or 1.")
        out[task] = values.to_numpy(np.float32)
    orphan = (out["purchase"] == 1) & (out["click"] == 0)
    if orphan.any():
        raise ValueError(f"{path}, row {int(orphan.argmax()) + 1}: a purchase without a click.")
    for column in raw.columns.drop(TASKS):
        dense = column.startswith("D")
        values = pd.to_numeric(raw[column], errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax())
            raise ValueError(f"{path}, row {row + 1}: field {column} is not a number.")
        name = f"d{column[1:]}" if dense else f"f{column}"
        out[name] = values.to_numpy(np.float32 if dense else np.int64)
    return pd.DataFrame(out)


def ali_ccp_feature_spec(frame: pd.DataFrame, embedding_dim: int = 8):
    """Every `f*` column embedded (int64 ids), every `d*` column normalized.

    Example:

    >>> frame = pd.DataFrame({"click": [1.0], "purchase": [0.0], "f101": [3], "d109_14": [0.5]})
    >>> spec = ali_ccp_feature_spec(frame, embedding_dim=4)
    >>> [(f.name, f.kind) for f in spec.features]
    [('f101', 'categorical'), ('d109_14', 'numeric')]
    """
    from tfrank.features import CategoricalFeature, FeatureSpec, NumericFeature

    features = [
        CategoricalFeature(c, dtype="int64", embedding_dim=embedding_dim)
        for c in frame.columns
        if c.startswith("f")
    ]
    features += [
        NumericFeature(c, embedding_dim=embedding_dim) for c in frame.columns if c.startswith("d")
    ]
    return FeatureSpec(features)
