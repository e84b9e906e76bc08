"""What the benchmark scripts share: the repository root on `sys.path` (so
`tests.helpers` imports when a script runs as `python benchmarks/NAME.py`),
and the test helpers they use.

    from common import free_ports, shared_data_path
"""

import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)

from tests.helpers.data import shared_data_path  # noqa: E402
from tests.helpers.processes import free_ports, kill_mid_epoch, tfrank_process  # noqa: E402

__all__ = ["ROOT", "free_ports", "kill_mid_epoch", "shared_data_path", "tfrank_process"]


def site_price_data(rows, sites, embedding_dim):
    """`(frame, fitted spec)`: a tiny click table whose label is the parity of
    `site`, for checks of where a model's variables live. tfrank is imported
    here, not at the top, so a caller can configure TensorFlow first."""
    import numpy as np
    import pandas as pd

    from tfrank import CategoricalFeature, FeatureSpec, NumericFeature

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"site": rng.integers(0, sites, rows), "price": rng.random(rows)})
    frame["label"] = (frame["site"] % 2).astype("float32")
    spec = FeatureSpec(
        [
            CategoricalFeature("site", dtype="int64", embedding_dim=embedding_dim),
            NumericFeature("price", embedding_dim=embedding_dim),
        ]
    ).fit(frame)
    return frame, spec
