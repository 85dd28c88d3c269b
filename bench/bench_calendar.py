"""Benchmark the working-day calendar: table build time and calls a second.

Run it as a script (``python bench/bench_calendar.py``) to print the figures and write them to
``bench/results/calendar.json``, or import it and call :func:`run` from a larger benchmark.
The dates are random but seeded, spread over the whole supported range (1990 to 2100), so
runs compare. SPEC §10 aims at 1,000,000 ``add_working_days`` and ``working_days_between``
calls a second on one core.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
import timeit
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path

_SRC = Path(__file__).resolve().parents[1] / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))  # run from a checkout without installing

from cprules import calendar as calendar_module  # noqa: E402
from cprules.calendar import WorkingCalendar  # noqa: E402

__all__ = ["run"]

RESULTS = Path(__file__).resolve().parent / "results" / "calendar.json"

_SEED = 20240319
_CALLS = 200_000
_REPEATS = 5
_STEPS = (1, 3, 5, 10, 15, 20, 25, 65, -1, -5)


def _cold_build_seconds(country: str, subdiv: str | None) -> float:
    # Empty the module's memo caches (pure caches: this changes timing, never results) so the
    # build is measured from nothing, including the `holidays` computation. A calendar builds
    # its tables when it is constructed.
    calendar_module._checked_jurisdiction.cache_clear()
    calendar_module._public_holidays.cache_clear()
    calendar_module._build_tables.cache_clear()
    start = time.perf_counter()
    WorkingCalendar(country, subdiv)
    return time.perf_counter() - start


def _rate(call_all: Callable[[], None], calls: int) -> float:
    best = min(timeit.repeat(call_all, number=1, repeat=_REPEATS))
    return calls / best


def run() -> dict[str, float]:
    """Time the calendar and return the figures (seconds, and calls a second)."""
    figures: dict[str, float] = {
        "table_build_gb_eng_seconds": _cold_build_seconds("GB", "ENG"),
        "table_build_je_seconds": _cold_build_seconds("JE", None),
    }
    england = WorkingCalendar("GB", "ENG")
    rng = random.Random(_SEED)
    # Starts leave room for the largest step either side, so no call leaves the range.
    first = date(1990, 6, 1).toordinal()
    last = date(2100, 6, 1).toordinal()
    days = [date.fromordinal(rng.randint(first, last)) for _ in range(_CALLS)]
    steps = [rng.choice(_STEPS) for _ in range(_CALLS)]
    ends = days[1:] + days[:1]
    starts_and_steps = list(zip(days, steps, strict=True))
    pairs = list(zip(days, ends, strict=True))

    add = england.add_working_days
    between = england.working_days_between
    is_working = england.is_working_day

    def call_add() -> None:
        for day, n in starts_and_steps:
            add(day, n)

    def call_between() -> None:
        for start, end in pairs:
            between(start, end)

    def call_is_working() -> None:
        for day in days:
            is_working(day)

    def loop_only() -> None:
        for _day, _n in starts_and_steps:
            pass

    figures["add_working_days_per_second"] = _rate(call_add, _CALLS)
    figures["working_days_between_per_second"] = _rate(call_between, _CALLS)
    figures["is_working_day_per_second"] = _rate(call_is_working, _CALLS)
    # The same loop doing nothing, for scale: the calls above include its cost.
    figures["empty_loop_per_second"] = _rate(loop_only, _CALLS)
    return figures


def main() -> None:
    figures = run()
    for name, value in figures.items():
        shown = f"{value * 1000:10.1f} ms" if name.endswith("_seconds") else f"{value:13,.0f}/s"
        print(f"{name:36} {shown}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "figures": figures,
        "environment": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "holidays": version("holidays"),
            "machine": platform.machine(),
        },
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
