"""Periods and selectors of the pack format, against python-dateutil as an oracle."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.pack.model import Offset, Period, Selector, add_months

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(DATES, st.integers(min_value=-24, max_value=24))
def test_add_months_agrees_with_relativedelta(start: date, months: int) -> None:
    assert add_months(start, months) == start + relativedelta(months=months)


@given(DATES, st.integers(min_value=1, max_value=400), st.sampled_from(["days", "weeks", "months"]))
def test_calendar_periods_agree_with_relativedelta(start: date, amount: int, unit: str) -> None:
    period = Period.model_validate({unit: amount})
    calendar = WorkingCalendar()
    assert period.add(start, calendar) == start + relativedelta(**{unit: amount})
    assert period.subtract(start, calendar) == start - relativedelta(**{unit: amount})


def test_working_day_periods_use_the_calendar() -> None:
    # Tue 19 Mar 2024 + 10 WD skipping Good Friday 29 Mar and Easter Monday 1 Apr = Thu 4 Apr
    assert Period(working_days=10).add(date(2024, 3, 19), WorkingCalendar()) == date(2024, 4, 4)
    assert Period(working_days=10).subtract(date(2024, 4, 4), WorkingCalendar()) == date(2024, 3, 19)


def test_descriptions() -> None:
    assert Period(working_days=1).describe() == "1 working day"
    assert Period(months=3).describe() == "3 months"
    assert Offset(weeks=16, direction="before").describe() == "16 weeks before"
    # 16 weeks before an expected delivery date of Fri 20 Sep 2024 is Fri 31 May 2024
    assert Offset(weeks=16, direction="before").apply(date(2024, 9, 20), WorkingCalendar()) == date(
        2024, 5, 31
    )


def test_selector_match_is_three_valued() -> None:
    selector = Selector.model_validate({"event": "core_group", "where": {"status": "held"}})
    case = parse_case(
        {
            "case_id": "S",
            "events": [
                {"id": "a", "type": "core_group", "date": "2024-01-01", "status": "held"},
                {"id": "b", "type": "core_group", "date": "2024-01-02", "status": "cancelled"},
                {"id": "c", "type": "core_group", "date": "2024-01-03"},
                {"id": "d", "type": "visit", "date": "2024-01-03", "outcome": "seen"},
            ],
        }
    )
    assert [selector.match(e) for e in case.events] == [True, False, None, False]
    not_cancelled = Selector.model_validate(
        {"event": "core_group", "where": {"status": {"not_one_of": ["cancelled"]}}}
    )
    # an empty field is not one of the values named
    assert [not_cancelled.match(e) for e in case.events] == [True, False, True, False]


def test_child_under_keeps_events_before_the_age() -> None:
    infant = Selector.model_validate({"event": "visit", "child_under": {"months": 12}})
    case = parse_case(
        {
            "case_id": "S",
            "events": [
                {"id": "a", "type": "visit", "date": "2024-05-09"},
                {"id": "b", "type": "visit", "date": "2024-05-10"},
            ],
        }
    )
    born = date(2023, 5, 10)  # one on 10 May 2024
    assert [infant.match(e, born) for e in case.events] == [True, False]
    assert infant.match(case.events[0], None) is None
