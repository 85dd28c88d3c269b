"""The compiled (mypyc) modules give the same reports as the same code run as pure Python.

Runs where compiled modules are loaded (a wheel built with ``CPRULES_COMPILE=1``, or a
checkout compiled by ``bench/compile.py``) and skips elsewhere, except that with
``CPRULES_REQUIRE_COMPILED=1`` (CI's compiled run) a pure install fails the test instead.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

import cprules
from cprules._compiled import COMPILED_CANDIDATES, compiled_modules

BENCH = Path(__file__).resolve().parents[1] / "bench"
REQUIRED = os.environ.get("CPRULES_REQUIRE_COMPILED") == "1"


def _needs_compiled() -> None:
    if compiled_modules():
        return
    if REQUIRED:
        pytest.fail("CPRULES_REQUIRE_COMPILED=1 but no cprules module is compiled (pure install)")
    pytest.skip("cprules is installed pure (no compiled modules); CPRULES_COMPILE=1 builds them")


def test_compiled_modules_names_only_candidates() -> None:
    assert set(compiled_modules()) <= set(COMPILED_CANDIDATES)
    assert cprules.compiled_modules is compiled_modules


def test_every_candidate_is_compiled_when_any_is() -> None:
    # one mypyc group builds them all: a half-compiled install means a stale or broken build
    _needs_compiled()
    assert compiled_modules() == COMPILED_CANDIDATES
    import cprules.timeline

    assert cprules.timeline.__file__ is not None
    assert not cprules.timeline.__file__.endswith(".py")


def test_compiled_calendar_is_still_immutable() -> None:
    _needs_compiled()
    calendar = cprules.WorkingCalendar("GB", "ENG")
    with pytest.raises(AttributeError, match="immutable"):
        calendar._country = "JE"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del calendar._subdiv  # type: ignore[misc]
    # Easter 2024: Good Friday 29 March and Easter Monday 1 April are skipped, so ten working
    # days after Tue 19 March are 20,21,22,25,26,27,28, 2,3,4 April -> Thu 4 April
    assert calendar.add_working_days(date(2024, 3, 19), 10) == date(2024, 4, 4)


def test_compiled_and_pure_give_byte_identical_reports(tmp_path: Path) -> None:
    """Every bundled pack, two as_of dates, generated cases, one job and two."""
    _needs_compiled()
    sys.path.insert(0, str(BENCH))
    try:
        import same_reports
    finally:
        sys.path.remove(str(BENCH))
    compiled = same_reports.run_child(None, 40)
    pure = same_reports.run_child(same_reports.pure_copy(tmp_path), 40)
    assert compiled["compiled"], "the compiled side ran no compiled module"
    assert pure["compiled"] == [], "the pure side loaded a compiled module"
    assert str(tmp_path) in pure["file"]
    assert set(compiled["digests"]) == set(cprules.bundled_pack_ids())
    assert len(compiled["digests"]) == 6
    assert compiled["digests"] == pure["digests"]
