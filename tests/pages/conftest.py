"""Fixtures for the page tests: a headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it)
and a two-year, two-plan case of 120 events."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, find_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        message = "the page tests need Chromium: apt-get install -y chromium (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a skip would hide that the pages were never opened
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    instance = Browser(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.close()


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def long_case_as_of() -> date:
    """The as-at date of the long case: Mon 2 Mar 2026, after its last event."""
    return date(2026, 3, 2)


@pytest.fixture
def long_case() -> dict[str, Any]:
    """Two plans over two years, 120 events: the picture a manager must read at a glance.

    Plan 1 from Tue 19 Mar 2024 (ICPC the same day) to Wed 30 Apr 2025, closed by a review;
    plan 2 from Mon 2 Jun 2025 after a second enquiry, open at the as-at date (Mon 2 Mar 2026).
    Core groups about monthly (one late), visits every 10 days or so (some no access), reviews.
    """
    events: list[dict[str, Any]] = []

    def add(kind: str, day: date, **fields: Any) -> str:
        event_id = f"e{len(events) + 1}"
        events.append({"id": event_id, "type": kind, "date": day.isoformat(), **fields})
        return event_id

    # plan 1. Mon 4 Mar + 15 WD = Mon 25 Mar: the ICPC on Tue 19 Mar is on time
    add("strategy_discussion", date(2024, 3, 4), s47=True)
    add("visit", date(2024, 3, 6), outcome="seen", seen_alone=True, by="lead_social_worker")
    add("icpc", date(2024, 3, 19), outcome="plan", quorate=True, categories=["neglect"])
    add("plan_start", date(2024, 3, 19), categories=["neglect"])
    # Tue 19 Mar + 10 WD, skipping Good Friday 29 Mar and Easter Monday 1 Apr = Thu 4 Apr; Fri 5 Apr is late
    day = date(2024, 4, 5)
    while day < date(2025, 4, 20):
        add(
            "core_group", day, status="held", minutes_circulated=_weekday(day + timedelta(days=2)).isoformat()
        )
        day = _weekday(day + timedelta(days=28))
    for n, day in enumerate(_every(date(2024, 3, 22), date(2025, 4, 25), 10)):
        outcome = "no_access" if n % 9 == 4 else "seen"
        add(
            "visit",
            day,
            outcome=outcome,
            seen_alone=outcome == "seen" and n % 2 == 0,
            by="lead_social_worker",
        )
        if outcome == "no_access" and n % 2 == 0:  # some are taken to the line manager, a day later
            add("escalation", _weekday(day + timedelta(days=1)), to="line_manager")
    add("review_conference", date(2024, 6, 18), outcome="continue", quorate=True)
    add("review_conference", date(2024, 12, 10), outcome="continue", quorate=True)
    closing = add("review_conference", date(2025, 4, 30), outcome="cease", quorate=True)
    add("plan_end", date(2025, 4, 30), reason="no_longer_at_risk", decided_at=closing,
        notifications_sent="2025-05-02")  # fmt: skip
    # plan 2
    add("strategy_discussion", date(2025, 5, 12), s47=True)
    add("icpc", date(2025, 6, 2), outcome="plan", quorate=True, categories=["emotional"])
    add("plan_start", date(2025, 6, 2), categories=["emotional"])
    day = date(2025, 6, 13)
    while day < date(2026, 2, 20):
        add(
            "core_group", day, status="held", minutes_circulated=_weekday(day + timedelta(days=3)).isoformat()
        )
        day = _weekday(day + timedelta(days=30))
    add("review_conference", date(2025, 9, 1), outcome="continue", quorate=True)
    # visits twice a week or so in plan 2 make up the 120 events (the last on Mon 22 Dec 2025)
    for n, day in enumerate(_every(date(2025, 6, 5), date(2026, 2, 27), 4)):
        if len(events) == 120:
            break
        add("visit", day, outcome="seen", seen_alone=n % 3 == 0, by="lead_social_worker")
    return {"case_id": "LONG-120", "child": {"date_of_birth": "2016-02-11"}, "events": events}


def _every(start: date, end: date, days: int) -> Iterator[date]:
    day = start
    while day <= end:
        yield _weekday(day)
        day = _weekday(day) + timedelta(days=days)


@pytest.fixture
def page_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(name: str, html: str) -> Path:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def bank_holidays() -> dict[date, str]:
    """England and Wales bank holidays from the gov.uk list (cached in govuk_bank_holidays): an
    oracle independent of the holidays package the calendar uses."""
    from govuk_bank_holidays.bank_holidays import BankHolidays

    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return {entry["date"]: entry["title"] for entry in holidays}
