"""Hypothesis profiles for the whole suite, picked by the HYPOTHESIS_PROFILE environment variable.

- ``ci`` (the default): quick. Property tests that build whole cases ask for fewer examples
  through ``tests/properties``' ``budget()``, so the suite's property tests take about a minute
  on a two-core machine.
- ``thorough``: at least 10,000 examples for every property (run it before a release, or after
  changing a rule kind): ``HYPOTHESIS_PROFILE=thorough python -m pytest tests/properties``.

Neither profile has a deadline: one example evaluates a whole case under a whole pack, and a
slow machine must not turn that into a flaky failure.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
