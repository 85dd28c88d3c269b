"""Working-day arithmetic round trips (SPEC §5), on England and Jersey calendars with closures."""

from __future__ import annotations

from datetime import date

from _budget import budget
from hypothesis import given
from hypothesis import strategies as st

from cprules import WorkingCalendar
from cprules.testing import calendars, dates

# far enough from 1990 and 2100 that 400 working days either way stay in range
DAYS = dates(date(1992, 1, 1), date(2098, 12, 31))
COUNTS = st.integers(1, 400)


@budget(40)
@given(calendars(), DAYS, COUNTS)
def test_working_days_between_undoes_add_working_days(calendar: WorkingCalendar, day: date, n: int) -> None:
    assert calendar.working_days_between(day, calendar.add_working_days(day, n)) == n


@budget(40)
@given(calendars(), DAYS, COUNTS)
def test_add_working_days_lands_on_a_working_day_after_the_start(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    later = calendar.add_working_days(day, n)
    assert later > day
    assert calendar.is_working_day(later)
    earlier = calendar.add_working_days(day, -n)
    assert earlier < day
    assert calendar.is_working_day(earlier)


@budget(40)
@given(calendars(), DAYS)
def test_adding_zero_working_days_is_the_same_day(calendar: WorkingCalendar, day: date) -> None:
    assert calendar.add_working_days(day, 0) == day


@budget(40)
@given(calendars(), DAYS, COUNTS)
def test_counting_back_returns_to_a_working_day(calendar: WorkingCalendar, day: date, n: int) -> None:
    start = day if calendar.is_working_day(day) else calendar.next_working_day(day)
    assert calendar.add_working_days(calendar.add_working_days(start, n), -n) == start


@budget(40)
@given(calendars(), DAYS, COUNTS)
def test_counting_back_n_working_days_spans_n_less_the_start_if_not_working(
    calendar: WorkingCalendar, day: date, n: int
) -> None:
    # day -1 is the last working day before `day`; (earlier, day] holds days -(n-1)..-1, and
    # `day` itself when it is a working day
    earlier = calendar.add_working_days(day, -n)
    assert calendar.working_days_between(earlier, day) == n - 1 + calendar.is_working_day(day)


@budget(40)
@given(calendars(), DAYS, DAYS)
def test_working_days_between_is_antisymmetric(calendar: WorkingCalendar, a: date, b: date) -> None:
    assert calendar.working_days_between(b, a) == -calendar.working_days_between(a, b)


@budget(40)
@given(calendars(), DAYS, DAYS, DAYS)
def test_working_days_between_adds_up_over_consecutive_spans(
    calendar: WorkingCalendar, a: date, b: date, c: date
) -> None:
    assert calendar.working_days_between(a, b) + calendar.working_days_between(
        b, c
    ) == calendar.working_days_between(a, c)


@budget(40)
@given(calendars(), DAYS, COUNTS)
def test_a_closure_is_never_a_working_day(calendar: WorkingCalendar, day: date, n: int) -> None:
    for closed in calendar.closures:
        assert not calendar.is_working_day(closed)
