"""How many examples a property test of this folder asks for, by Hypothesis profile.

The ``ci`` profile (tests/conftest.py) keeps the suite quick, so a test that builds and
evaluates whole cases asks for ``budget(n)`` examples; any other profile (``thorough``: 10,000)
decides for itself.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import Phase, settings

#: for a strict-xfail test of a known bug: find a failing example, do not spend time shrinking it
KNOWN_BUG_PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


def budget(ci_examples: int, **options: Any) -> settings:
    """``ci_examples`` examples under the ``ci`` profile; the profile's own number otherwise.
    ``options`` are other settings for the test (e.g. ``phases``)."""
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        return settings(max_examples=ci_examples, **options)
    return settings(**options)
