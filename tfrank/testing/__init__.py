"""The conformance check of tfrank's models, for your own models too.

`check_model(MyModel, config)` runs what every registered tfrank model
passes: fit steps, `.keras` round trip, and TensorFlow-only serving parity
on raw features. The pieces (`fit_and_export`, `check_training`,
`check_round_trip`, `check_serving`) run one aspect each.
"""

from tfrank.testing.conformance import (
    ConformanceRun,
    check_model,
    check_round_trip,
    check_serving,
    check_training,
    fit_and_export,
)

__all__ = [
    "ConformanceRun",
    "check_model",
    "check_round_trip",
    "check_serving",
    "check_training",
    "fit_and_export",
]
