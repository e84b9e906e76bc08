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
