"""WorkingCalendar against oracles it does not share code with.

England: the gov.uk bank-holiday list (as cached by ``govuk_bank_holidays``) and numpy's
business-day functions fed with that list. Jersey: the States of Jersey list, written out
below by hand. Everything else: examples counted by hand, with the calendar in a comment,
and hypothesis properties named for the invariant they state.
"""

from __future__ import annotations

import copy
import pickle
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays
from hypothesis import given
from hypothesis import strategies as st

from cprules.calendar import LAST_SUPPORTED_DATE, WorkingCalendar
from cprules.errors import CalendarError, CalendarRangeError, CprulesError

ENGLAND = WorkingCalendar("GB", "ENG")
JERSEY = WorkingCalendar("JE", None)
ONE_DAY = timedelta(days=1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- England against gov.uk and numpy ----------------------------------------------------------


def _govuk_england() -> dict[date, str]:
    bank_holidays = BankHolidays(use_cached_holidays=True)  # the packaged copy: no network
    return {
        holiday["date"]: holiday["title"]
        for holiday in bank_holidays.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    }


GOVUK = _govuk_england()
# The cached list covers whole years (2012 to 2028 in govuk-bank-holidays 0.19); test on every
# year it covers in full.
GOVUK_FIRST_YEAR = min(GOVUK).year
GOVUK_LAST_YEAR = max(GOVUK).year
GOVUK_DAYS = _days(date(GOVUK_FIRST_YEAR, 1, 1), date(GOVUK_LAST_YEAR, 12, 31))
BUSDAYCAL = np.busdaycalendar(weekmask="1111100", holidays=np.array(sorted(GOVUK), dtype="datetime64[D]"))


def _as_date(day: np.datetime64) -> date:
    return date.fromisoformat(str(day))


def test_the_govuk_oracle_covers_the_years_the_tests_need() -> None:
    assert GOVUK_FIRST_YEAR <= 2018 and GOVUK_LAST_YEAR >= 2026
    assert date(2024, 3, 29) in GOVUK  # Good Friday 2024: the list is the one we think


def test_is_working_day_agrees_with_govuk_on_every_day() -> None:
    wrong = [
        day for day in GOVUK_DAYS if ENGLAND.is_working_day(day) != (day.weekday() < 5 and day not in GOVUK)
    ]
    assert wrong == []


def test_every_govuk_weekday_holiday_is_named_by_holidays_between() -> None:
    named = dict(ENGLAND.holidays_between(GOVUK_DAYS[0] - ONE_DAY, GOVUK_DAYS[-1]))
    assert set(named) == {day for day in GOVUK if day.weekday() < 5}


@pytest.mark.parametrize("n", [1, 3, 5, 10, 15, 25, -1, -5])
def test_add_working_days_agrees_with_numpy_for_every_start_2018_to_2025(n: int) -> None:
    starts = _days(date(2018, 1, 1), date(2025, 12, 31))
    # numpy first rolls a non-business start onto a business day, then moves n business days.
    # Our day 1 is the first working day strictly after the start, whatever the start is.
    # Rolling *backward* for n > 0 gives the same answer: no working day lies between the
    # rolled-back day and the start, so its n-th next working day is the start's. For n < 0
    # roll *forward* for the same reason.
    roll: Literal["backward", "forward"] = "backward" if n > 0 else "forward"
    expected = np.busday_offset(np.array(starts, dtype="datetime64[D]"), n, roll=roll, busdaycal=BUSDAYCAL)
    mismatches = [
        (start, n, ENGLAND.add_working_days(start, n), _as_date(want))
        for start, want in zip(starts, expected, strict=True)
        if ENGLAND.add_working_days(start, n) != _as_date(want)
    ]
    assert mismatches == []


def test_working_days_between_agrees_with_numpy_for_many_pairs() -> None:
    rng = random.Random(20240319)
    first, last = GOVUK_DAYS[0], GOVUK_DAYS[-1]
    span = (last - first).days
    pairs = [
        (first + timedelta(days=rng.randrange(span)), first + timedelta(days=rng.randrange(span)))
        for _ in range(20_000)
    ]
    # Short gaps too, where an off-by-one would show: every start in 2024 to 0..20 days on.
    pairs += [(a, a + timedelta(days=k)) for a in _days(date(2024, 1, 1), date(2024, 12, 31))
              for k in range(21)]  # fmt: skip
    # numpy counts business days in the half-open [begin, end); we count (a, b]. Shifting both
    # ends one day later turns one into the other: (a, b] == [a + 1, b + 1). numpy's count
    # for end < begin is minus (end, begin], not minus [end, begin), so it is not the mirror of
    # its own forward count; give it each pair in order and apply our antisymmetry here.
    one = np.timedelta64(1, "D")
    low = np.array([min(a, b) for a, b in pairs], dtype="datetime64[D]")
    high = np.array([max(a, b) for a, b in pairs], dtype="datetime64[D]")
    sign = np.array([1 if a <= b else -1 for a, b in pairs])
    expected = sign * np.busday_count(low + one, high + one, busdaycal=BUSDAYCAL)
    mismatches = [
        (a, b, ENGLAND.working_days_between(a, b), int(want))
        for (a, b), want in zip(pairs, expected, strict=True)
        if ENGLAND.working_days_between(a, b) != int(want)
    ]
    assert mismatches == []


# --- England, counted by hand ------------------------------------------------------------------


def test_spec_icpc_plus_10_working_days_over_easter_2024() -> None:
    # March/April 2024: Tue 19 ICPC | Wed 20 (1) Thu 21 (2) Fri 22 (3) | Mon 25 (4) Tue 26 (5)
    # Wed 27 (6) Thu 28 (7) Fri 29 Good Friday | Sat 30, Sun 31 | Mon 1 Apr Easter Monday
    # Tue 2 (8) Wed 3 (9) Thu 4 (10)
    icpc = date(2024, 3, 19)
    due = ENGLAND.add_working_days(icpc, 10)
    assert due == date(2024, 4, 4)
    assert ENGLAND.working_days_between(icpc, due) == 10
    assert ENGLAND.describe_skipped(icpc, due) == (
        "skipping Good Friday 29 March and Easter Monday 1 April (England and Wales)"
    )
    # Held Fri 5 Apr: 1 working day late; Sat 6 Apr: still 1; Mon 8 Apr: 2.
    assert ENGLAND.working_days_between(due, date(2024, 4, 5)) == 1
    assert ENGLAND.working_days_between(due, date(2024, 4, 6)) == 1
    assert ENGLAND.working_days_between(due, date(2024, 4, 8)) == 2


def test_spec_may_day_2024() -> None:
    # Wed 1 May | Thu 2 (1) Fri 3 (2) | Sat 4, Sun 5, Mon 6 Early May bank holiday | Tue 7 (3)
    assert ENGLAND.add_working_days(date(2024, 5, 1), 3) == date(2024, 5, 7)
    assert ENGLAND.holidays_between(date(2024, 5, 1), date(2024, 5, 7)) == ((date(2024, 5, 6), "May Day"),)


def test_start_on_a_saturday_counts_from_the_monday() -> None:
    # Sat 2 Mar 2024 | Mon 4 (1) .. Fri 8 (5) | Mon 11 .. Fri 15 (10) | Mon 18 .. Fri 22 (15)
    assert ENGLAND.add_working_days(date(2024, 3, 2), 1) == date(2024, 3, 4)
    assert ENGLAND.add_working_days(date(2024, 3, 2), 15) == date(2024, 3, 22)
    # Counting from the Friday before gives the same days: the weekend adds none.
    assert ENGLAND.add_working_days(date(2024, 3, 1), 15) == date(2024, 3, 22)


def test_start_on_a_bank_holiday_counts_from_the_next_working_day() -> None:
    # Mon 1 Apr 2024 Easter Monday | Tue 2 (1) Wed 3 (2) Thu 4 (3) Fri 5 (4) | Mon 8 (5)
    assert ENGLAND.add_working_days(date(2024, 4, 1), 1) == date(2024, 4, 2)
    assert ENGLAND.add_working_days(date(2024, 4, 1), 5) == date(2024, 4, 8)


def test_zero_working_days_is_the_day_itself_even_on_a_weekend() -> None:
    assert ENGLAND.add_working_days(date(2024, 3, 31), 0) == date(2024, 3, 31)  # Easter Sunday
    assert ENGLAND.add_working_days(date(2024, 3, 29), 0) == date(2024, 3, 29)  # Good Friday
    assert ENGLAND.add_working_days(date(2024, 3, 28), 0) == date(2024, 3, 28)


def test_negative_n_counts_back_from_the_day_before() -> None:
    # Thu 4 Apr 2024 - 10: Wed 3 (-1) Tue 2 (-2) | Mon 1 Easter Mon, Fri 29 Good Fri skipped |
    # Thu 28 (-3) Wed 27 (-4) Tue 26 (-5) Mon 25 (-6) | Fri 22 (-7) Thu 21 (-8) Wed 20 (-9)
    # Tue 19 (-10)
    assert ENGLAND.add_working_days(date(2024, 4, 4), -10) == date(2024, 3, 19)
    # Tue 7 May 2024 - 3: Mon 6 bank holiday | Fri 3 (-1) Thu 2 (-2) Wed 1 (-3)
    assert ENGLAND.add_working_days(date(2024, 5, 7), -3) == date(2024, 5, 1)
    # Sat 6 Apr 2024 - 1: Fri 5 Apr
    assert ENGLAND.add_working_days(date(2024, 4, 6), -1) == date(2024, 4, 5)
    assert ENGLAND.previous_working_day(date(2024, 4, 2)) == date(2024, 3, 28)
    assert ENGLAND.next_working_day(date(2024, 3, 28)) == date(2024, 4, 2)


def test_a_closure_day_is_skipped_and_named() -> None:
    # Dec 2024: Mon 23 | Tue 24 closure | Wed 25 Christmas | Thu 26 Boxing Day | Fri 27 (1)
    closed = WorkingCalendar("GB", "ENG", closures=[date(2024, 12, 24)])
    assert closed.add_working_days(date(2024, 12, 23), 1) == date(2024, 12, 27)
    assert ENGLAND.add_working_days(date(2024, 12, 23), 1) == date(2024, 12, 24)
    assert not closed.is_working_day(date(2024, 12, 24))
    assert closed.working_days_between(date(2024, 12, 20), date(2024, 12, 27)) == 2
    assert closed.holidays_between(date(2024, 12, 23), date(2024, 12, 27)) == (
        (date(2024, 12, 24), "office closure"),
        (date(2024, 12, 25), "Christmas Day"),
        (date(2024, 12, 26), "Boxing Day"),
    )
    assert closed.describe_skipped(date(2024, 12, 23), date(2024, 12, 27)) == (
        "skipping office closure 24 December, Christmas Day 25 December and "
        "Boxing Day 26 December (England and Wales)"
    )


def test_a_closure_on_a_public_holiday_keeps_the_holiday_name() -> None:
    closed = WorkingCalendar(closures=[date(2024, 12, 25)])
    assert closed.holidays_between(date(2024, 12, 24), date(2024, 12, 25)) == (
        (date(2024, 12, 25), "Christmas Day"),
    )


def test_substitute_bank_holidays_are_skipped_and_called_substitute_days() -> None:
    # Dec 2022: Fri 23 | Sat 24, Sun 25 Christmas | Mon 26 Boxing Day | Tue 27 Christmas Day
    # (substitute) | Wed 28 (1)
    assert ENGLAND.add_working_days(date(2022, 12, 23), 1) == date(2022, 12, 28)
    assert ENGLAND.holidays_between(date(2022, 12, 23), date(2022, 12, 28)) == (
        (date(2022, 12, 26), "Boxing Day"),
        (date(2022, 12, 27), "Christmas Day (substitute day)"),
    )
    # Dec 2020: Boxing Day is Sat 26 (skips nothing, so it is not listed); Mon 28 is its
    # substitute.
    assert ENGLAND.holidays_between(date(2020, 12, 24), date(2020, 12, 29)) == (
        (date(2020, 12, 25), "Christmas Day"),
        (date(2020, 12, 28), "Boxing Day (substitute day)"),
    )


def test_one_off_bank_holidays_2022_and_2023() -> None:
    # Thu 2 Jun 2022 Spring BH, Fri 3 Jun Platinum Jubilee; Mon 19 Sep 2022 the Queen's state
    # funeral; Mon 8 May 2023 the Coronation.
    assert ENGLAND.add_working_days(date(2022, 6, 1), 1) == date(2022, 6, 6)
    assert ENGLAND.add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)
    assert ENGLAND.add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)


# --- Jersey --------------------------------------------------------------------------------------

# Public holidays in Jersey, from the States of Jersey list (gov.je "Public holidays and bank
# holidays"), written out by hand; the names are for the reader and are not compared.
# `holidays` 0.109 gives exactly these weekdays for 2023-2025. Its names differ in wording
# only: "Coronation of His Majesty King Charles III", "The visit of His Majesty King Charles III
# and Queen Camilla", and "May Bank Holiday" in 2024 but "Early May Bank Holiday" in 2023 and
# 2025. Outside these years it is unchecked here: for 2020 it lists both Mon 4 May and the
# VE Day Fri 8 May, and for 2021 no Liberation Day (a Sunday) but Mon 27 Sep, the Corn Riots
# anniversary.
JERSEY_2023_TO_2025 = {
    date(2023, 1, 2): "New Year's Day (substitute day)",  # 1 Jan was a Sunday
    date(2023, 4, 7): "Good Friday",
    date(2023, 4, 10): "Easter Monday",
    date(2023, 5, 1): "Early May Bank Holiday",
    date(2023, 5, 8): "Coronation of King Charles III",  # one-off
    date(2023, 5, 9): "Liberation Day",  # Tue
    date(2023, 5, 29): "Spring Bank Holiday",
    date(2023, 8, 28): "Summer Bank Holiday",
    date(2023, 12, 25): "Christmas Day",
    date(2023, 12, 26): "Boxing Day",
    date(2024, 1, 1): "New Year's Day",
    date(2024, 3, 29): "Good Friday",
    date(2024, 4, 1): "Easter Monday",
    date(2024, 5, 6): "Early May Bank Holiday",
    date(2024, 5, 9): "Liberation Day",  # Thu
    date(2024, 5, 27): "Spring Bank Holiday",
    date(2024, 7, 15): "Royal visit of King Charles III and Queen Camilla",  # one-off
    date(2024, 8, 26): "Summer Bank Holiday",
    date(2024, 12, 25): "Christmas Day",
    date(2024, 12, 26): "Boxing Day",
    date(2025, 1, 1): "New Year's Day",
    date(2025, 4, 18): "Good Friday",
    date(2025, 4, 21): "Easter Monday",
    date(2025, 5, 5): "Early May Bank Holiday",
    date(2025, 5, 9): "Liberation Day",  # Fri
    date(2025, 5, 26): "Spring Bank Holiday",
    date(2025, 8, 25): "Summer Bank Holiday",
    date(2025, 12, 25): "Christmas Day",
    date(2025, 12, 26): "Boxing Day",
}


def test_jersey_working_days_match_the_states_list_2023_to_2025() -> None:
    wrong = [
        day
        for day in _days(date(2023, 1, 1), date(2025, 12, 31))
        if JERSEY.is_working_day(day) != (day.weekday() < 5 and day not in JERSEY_2023_TO_2025)
    ]
    assert wrong == []
    listed = JERSEY.holidays_between(date(2022, 12, 31), date(2025, 12, 31))
    assert [day for day, _ in listed] == sorted(JERSEY_2023_TO_2025)


def test_jersey_names_liberation_day_and_the_one_off_days() -> None:
    names = dict(JERSEY.holidays_between(date(2022, 12, 31), date(2025, 12, 31)))
    for year in (2023, 2024, 2025):
        assert names[date(year, 5, 9)] == "Liberation Day"
    assert "Coronation" in names[date(2023, 5, 8)]
    assert "visit" in names[date(2024, 7, 15)]


def test_jersey_counting_by_hand() -> None:
    # Wed 8 May 2024 + 1 WD: Thu 9 May is Liberation Day, so Fri 10 May. England: Thu 9 May.
    assert JERSEY.add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 10)
    assert ENGLAND.add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 9)
    # Fri 12 Jul 2024 + 1 WD: Mon 15 Jul is the royal visit holiday, so Tue 16 Jul.
    assert JERSEY.add_working_days(date(2024, 7, 12), 1) == date(2024, 7, 16)
    # Fri 5 May 2023 + 2 WD: Mon 8 Coronation, Tue 9 Liberation Day | Wed 10 (1) Thu 11 (2)
    assert JERSEY.add_working_days(date(2023, 5, 5), 2) == date(2023, 5, 11)
    # (Fri 5 May, Fri 12 May 2023]: Sat, Sun, Mon 8 H, Tue 9 H, Wed 10, Thu 11, Fri 12 = 3
    assert JERSEY.working_days_between(date(2023, 5, 5), date(2023, 5, 12)) == 3
    assert ENGLAND.working_days_between(date(2023, 5, 5), date(2023, 5, 12)) == 4
    assert JERSEY.describe_skipped(date(2024, 5, 8), date(2024, 5, 10)) == (
        "skipping Liberation Day 9 May (Jersey)"
    )


# --- properties ----------------------------------------------------------------------------------

CALENDARS = st.sampled_from(
    [
        ENGLAND,
        JERSEY,
        WorkingCalendar("GB", "SCT"),
        WorkingCalendar(closures=[date(2024, 12, 24), date(2024, 12, 27), date(2031, 5, 2)]),
    ]
)
# Inside the supported range with room for 600 working days (over two years) either side.
DATES = st.dates(min_value=date(1993, 1, 1), max_value=date(2097, 12, 31))
STEPS = st.integers(min_value=1, max_value=600)


@given(CALENDARS, DATES, STEPS)
def test_between_start_and_start_plus_n_is_n(cal: WorkingCalendar, a: date, n: int) -> None:
    assert cal.working_days_between(a, cal.add_working_days(a, n)) == n


@given(CALENDARS, DATES, DATES)
def test_between_is_antisymmetric(cal: WorkingCalendar, a: date, b: date) -> None:
    assert cal.working_days_between(b, a) == -cal.working_days_between(a, b)


@given(CALENDARS, DATES, STEPS, st.booleans())
def test_adding_then_subtracting_n_returns_to_a_working_day_and_past_a_day_off(
    cal: WorkingCalendar, d: date, steps: int, forward: bool
) -> None:
    n = steps if forward else -steps
    back = cal.add_working_days(cal.add_working_days(d, n), -n)
    # From a day off, n working days on and n back lands on the working day before it: the
    # first working day after d is day 1, so counting back n from day n passes it and stops
    # one working day earlier. Mirror image for n < 0.
    if cal.is_working_day(d):
        assert back == d
    elif forward:
        assert back == cal.previous_working_day(d)
    else:
        assert back == cal.next_working_day(d)


@given(CALENDARS, DATES, DATES, DATES)
def test_between_is_additive_over_an_intermediate_date(
    cal: WorkingCalendar, a: date, b: date, c: date
) -> None:
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


@given(CALENDARS, DATES, st.integers(min_value=-600, max_value=600).filter(bool))
def test_a_nonzero_step_always_lands_on_a_working_day(cal: WorkingCalendar, d: date, n: int) -> None:
    assert cal.is_working_day(cal.add_working_days(d, n))


@given(CALENDARS, DATES)
def test_between_the_day_before_and_a_day_is_one_exactly_on_working_days(
    cal: WorkingCalendar, d: date
) -> None:
    assert cal.working_days_between(d - ONE_DAY, d) == int(cal.is_working_day(d))


@given(CALENDARS, DATES, DATES)
def test_holidays_between_are_exactly_the_skipped_weekdays(cal: WorkingCalendar, a: date, b: date) -> None:
    a, b = min(a, b), min(max(a, b), a + timedelta(days=120))
    expected = [day for day in _days(a + ONE_DAY, b) if day.weekday() < 5 and not cal.is_working_day(day)]
    assert [day for day, _ in cal.holidays_between(a, b)] == expected


# --- the supported range -------------------------------------------------------------------------


def test_the_first_supported_day_works() -> None:
    # Mon 1 Jan 1990 is New Year's Day | Tue 2 (1) Wed 3 (2) Thu 4 (3) Fri 5 (4)
    first = date(1990, 1, 1)
    assert not ENGLAND.is_working_day(first)
    assert ENGLAND.add_working_days(first, 1) == date(1990, 1, 2)
    assert ENGLAND.working_days_between(first, date(1990, 1, 5)) == 4
    assert ENGLAND.add_working_days(date(1990, 1, 3), -1) == date(1990, 1, 2)
    assert ENGLAND.add_working_days(first, 0) == first


def test_the_last_supported_day_works() -> None:
    # Dec 2100: Fri 24 | Sat 25 Christmas, Sun 26 Boxing Day | Mon 27, Tue 28 substitutes |
    # Wed 29 (1) Thu 30 (2) Fri 31 (3)
    last = date(2100, 12, 31)
    assert last == LAST_SUPPORTED_DATE
    assert ENGLAND.add_working_days(date(2100, 12, 24), 3) == last
    assert ENGLAND.is_working_day(last)
    assert ENGLAND.working_days_between(date(2100, 12, 24), last) == 3
    assert ENGLAND.add_working_days(last, -1) == date(2100, 12, 30)
    assert ENGLAND.add_working_days(last, 0) == last


@pytest.mark.parametrize("outside", [date(1989, 12, 31), date(2101, 1, 1), date(1, 1, 1)])
def test_a_date_outside_the_range_raises_calendar_range_error(outside: date) -> None:
    inside = date(2024, 1, 2)
    calls: list[Callable[[], object]] = [
        lambda: ENGLAND.is_working_day(outside),
        lambda: ENGLAND.add_working_days(outside, 1),
        lambda: ENGLAND.add_working_days(outside, 0),
        lambda: ENGLAND.working_days_between(outside, inside),
        lambda: ENGLAND.working_days_between(inside, outside),
        lambda: ENGLAND.holidays_between(outside, inside),
        lambda: ENGLAND.describe_skipped(inside, outside),
        lambda: ENGLAND.next_working_day(outside),
    ]
    for call in calls:
        with pytest.raises(CalendarRangeError) as raised:
            call()
        message = str(raised.value)
        assert outside.isoformat() in message
        assert "1990-01-01" in message and "2100-12-31" in message
    assert issubclass(CalendarRangeError, CprulesError)


@pytest.mark.parametrize(
    ("start", "n"),
    [
        (date(2100, 12, 24), 4),  # day 4 would be Mon 3 Jan 2101
        (date(2100, 12, 31), 1),
        (date(2099, 1, 1), 1000),
        (date(1990, 1, 2), -1),  # the day before would be in 1989
        (date(1990, 6, 1), -200),
    ],
)
def test_a_result_outside_the_range_raises_calendar_range_error(start: date, n: int) -> None:
    with pytest.raises(CalendarRangeError, match="1990-01-01 to 2100-12-31"):
        ENGLAND.add_working_days(start, n)


def test_a_closure_outside_the_range_raises() -> None:
    with pytest.raises(CalendarRangeError, match="2101-01-03"):
        WorkingCalendar(closures=[date(2101, 1, 3)])


# --- value semantics ---------------------------------------------------------------------------


def test_the_calendar_is_immutable() -> None:
    cal = WorkingCalendar()
    with pytest.raises(AttributeError):
        cal.country = "JE"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        cal.closures = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del cal.subdiv
    with pytest.raises(AttributeError):
        cal.anything = 1  # mypy allows it (the class defines __setattr__); it raises
    assert (cal.country, cal.subdiv, cal.closures) == ("GB", "ENG", ())


def test_the_same_settings_give_equal_calendars_with_equal_hashes() -> None:
    one = WorkingCalendar("GB", "ENG", closures=[date(2024, 12, 27), date(2024, 12, 24)])
    two = WorkingCalendar(closures=(date(2024, 12, 24), date(2024, 12, 27), date(2024, 12, 24)))
    assert one == two and hash(one) == hash(two)
    assert one.closures == (date(2024, 12, 24), date(2024, 12, 27))
    assert len({one, two, ENGLAND}) == 2
    assert WorkingCalendar() == ENGLAND
    assert WorkingCalendar("GB", "SCT") != ENGLAND
    assert WorkingCalendar(closures=[date(2024, 12, 24)]) != ENGLAND
    assert ENGLAND != "GB-ENG"


def test_jersey_needs_no_subdivision() -> None:
    # The default subdivision is England's; Jersey has none, so it is dropped.
    assert WorkingCalendar("JE") == JERSEY
    assert JERSEY.subdiv is None


def test_codes_are_normalised() -> None:
    assert WorkingCalendar("gb", "eng") == ENGLAND
    assert WorkingCalendar("GB", "England") == ENGLAND
    assert WorkingCalendar("UK", "ENG") == ENGLAND
    assert WorkingCalendar("UK").country == "GB"


def test_unknown_jurisdictions_are_refused_with_the_fix() -> None:
    # a CprulesError, and a ValueError as the standard library would raise
    with pytest.raises(CalendarError, match="not known to the holidays package"):
        WorkingCalendar("XX")
    with pytest.raises(ValueError, match="ENG, NIR, SCT, WLS"):
        WorkingCalendar("GB", "XYZ")
    with pytest.raises(CalendarError, match="no subdivisions"):
        WorkingCalendar("JE", "XYZ")
    with pytest.raises(CalendarError, match="ISO 3166 code"):
        WorkingCalendar("")


def test_closures_must_be_dates() -> None:
    with pytest.raises(TypeError, match="argument 'closures' must hold dates"):
        WorkingCalendar(closures=[datetime(2024, 12, 24, 9, 0)])
    with pytest.raises(TypeError, match="argument 'closures' must hold dates"):
        WorkingCalendar(closures=["2024-12-24"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="argument 'closures' must be an iterable of dates"):
        WorkingCalendar(closures="2024-12-24")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: WorkingCalendar(44), "country"),
        (lambda: WorkingCalendar("GB", 3), "subdiv"),
        (lambda: WorkingCalendar(closures=5), "closures"),  # type: ignore[arg-type]
        (lambda: ENGLAND.is_working_day("2024-03-29"), "d"),  # type: ignore[arg-type]
        (lambda: ENGLAND.add_working_days("2024-03-29", 1), "d"),  # type: ignore[arg-type]
        (lambda: ENGLAND.add_working_days(None, 1), "d"),  # type: ignore[arg-type]
        (lambda: ENGLAND.add_working_days(date(2024, 3, 29), "1"), "n"),  # type: ignore[arg-type]
        (lambda: ENGLAND.add_working_days(date(2024, 3, 29), 1.5), "n"),  # type: ignore[arg-type]
        (lambda: ENGLAND.add_working_days(date(2024, 3, 29), None), "n"),  # type: ignore[arg-type]
        (lambda: ENGLAND.working_days_between("2024-03-29", date(2024, 4, 2)), "a"),  # type: ignore[arg-type]
        (lambda: ENGLAND.working_days_between(date(2024, 3, 29), 7), "b"),  # type: ignore[arg-type]
        (lambda: ENGLAND.holidays_between(date(2024, 3, 29), []), "b"),  # type: ignore[arg-type]
        (lambda: ENGLAND.describe_skipped(None, date(2024, 4, 2)), "a"),  # type: ignore[arg-type]
        (lambda: ENGLAND.next_working_day(20240329), "d"),  # type: ignore[arg-type]
    ],
)
def test_an_argument_of_the_wrong_type_is_a_type_error_naming_it(call: Any, argument: str) -> None:
    with pytest.raises(TypeError, match=f"argument '{argument}' must be"):
        call()


def test_a_count_too_long_to_print_is_refused_without_printing_it() -> None:
    # str() of an int past 4,300 digits raises ValueError: the message must not try
    with pytest.raises(CalendarRangeError, match="that many working days falls after"):
        ENGLAND.add_working_days(date(2024, 3, 29), 10**5000)
    with pytest.raises(CalendarRangeError, match="that many working days falls before"):
        ENGLAND.add_working_days(date(2024, 3, 29), -(10**5000))


def test_a_count_past_a_machine_word_is_a_range_error_not_an_overflow() -> None:
    # compiled (mypyc) code indexes with a C ssize_t: the count is bounded before it indexes
    for n in (2**63, 2**64 + 1):
        with pytest.raises(CalendarRangeError, match="falls after"):
            ENGLAND.add_working_days(date(2024, 3, 29), n)
        with pytest.raises(CalendarRangeError, match="falls before"):
            ENGLAND.add_working_days(date(2024, 3, 29), -n)
    # the first count past the end: 2100-12-31 is a Friday, so 2100-12-30 + 1 WD is the last
    # working day and + 2 WD is beyond the table
    assert ENGLAND.add_working_days(date(2100, 12, 30), 1) == date(2100, 12, 31)
    with pytest.raises(CalendarRangeError, match=r"2100-12-30 \+ 2 working days falls after"):
        ENGLAND.add_working_days(date(2100, 12, 30), 2)


class _Count:
    """A whole number that is not an int (like numpy's integers): it has ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def test_a_count_may_be_any_whole_number_type() -> None:
    # Tue 19 March 2024 + 10 WD over Easter (Good Friday, Easter Monday) = Thu 4 April
    for n in (10, np.int64(10), np.int32(10), _Count(10)):
        assert ENGLAND.add_working_days(date(2024, 3, 19), n) == date(2024, 4, 4)
    # Thu 4 April - 10 WD = Tue 19 March, back over Easter
    assert ENGLAND.add_working_days(date(2024, 4, 4), _Count(-10)) == date(2024, 3, 19)
    assert ENGLAND.add_working_days(date(2024, 3, 30), _Count(0)) == date(2024, 3, 30)


def test_repr_shows_the_settings_and_evaluates_back() -> None:
    assert repr(ENGLAND) == "WorkingCalendar(country='GB', subdiv='ENG')"
    cal = WorkingCalendar("JE", None, closures=[date(2024, 12, 24)])
    assert repr(cal) == (
        "WorkingCalendar(country='JE', subdiv=None, closures=(datetime.date(2024, 12, 24),))"
    )
    import datetime as datetime_module

    assert eval(repr(cal), {"WorkingCalendar": WorkingCalendar, "datetime": datetime_module}) == cal


def test_pickle_and_copy_keep_the_settings() -> None:
    cal = WorkingCalendar(closures=[date(2024, 12, 24)])
    cal.is_working_day(date(2024, 1, 2))  # tables built: they are not part of the value
    for clone in (pickle.loads(pickle.dumps(cal)), copy.copy(cal), copy.deepcopy(cal)):
        assert clone == cal
        assert clone.add_working_days(date(2024, 12, 23), 1) == date(2024, 12, 27)


@pytest.mark.parametrize(
    ("cal", "name"),
    [
        (ENGLAND, "England and Wales"),
        (WorkingCalendar("GB", "WLS"), "England and Wales"),
        (JERSEY, "Jersey"),
        (WorkingCalendar("GB", "SCT"), "Scotland"),
        (WorkingCalendar("US", "CA"), "US-CA"),
        (WorkingCalendar("FR", None), "FR"),
    ],
)
def test_name_says_the_jurisdiction_in_words(cal: WorkingCalendar, name: str) -> None:
    assert cal.name == name


# --- explanations ------------------------------------------------------------------------------


def test_describe_skipped_is_empty_when_nothing_is_skipped() -> None:
    # Fri 1 Mar + 15 WD, no holidays = Fri 22 Mar 2024
    assert ENGLAND.add_working_days(date(2024, 3, 1), 15) == date(2024, 3, 22)
    assert ENGLAND.describe_skipped(date(2024, 3, 1), date(2024, 3, 22)) == ""
    # A holiday on the start day itself is not in (a, b].
    assert ENGLAND.describe_skipped(date(2024, 3, 29), date(2024, 3, 30)) == ""
    assert ENGLAND.describe_skipped(date(2024, 4, 4), date(2024, 3, 19)) == ""
    assert ENGLAND.holidays_between(date(2024, 4, 4), date(2024, 3, 19)) == ()


def test_describe_skipped_gives_the_year_only_across_a_new_year() -> None:
    # Fri 20 Dec 2024 + 5 WD: Mon 23 (1) Tue 24 (2) | Wed 25, Thu 26 | Fri 27 (3) | Mon 30 (4)
    # Tue 31 (5)
    assert ENGLAND.add_working_days(date(2024, 12, 20), 5) == date(2024, 12, 31)
    assert ENGLAND.describe_skipped(date(2024, 12, 20), date(2024, 12, 31)) == (
        "skipping Christmas Day 25 December and Boxing Day 26 December (England and Wales)"
    )
    # Tue 24 Dec 2024 + 5 WD: | Wed 25, Thu 26 | Fri 27 (1) Mon 30 (2) Tue 31 (3) | Wed 1 Jan |
    # Thu 2 (4) Fri 3 (5)
    assert ENGLAND.add_working_days(date(2024, 12, 24), 5) == date(2025, 1, 3)
    assert ENGLAND.describe_skipped(date(2024, 12, 24), date(2025, 1, 3)) == (
        "skipping Christmas Day 25 December 2024, Boxing Day 26 December 2024 and "
        "New Year's Day 1 January 2025 (England and Wales)"
    )
    # Across a new year with holidays in one year only: no year.
    assert ENGLAND.describe_skipped(date(2024, 12, 27), date(2025, 1, 3)) == (
        "skipping New Year's Day 1 January (England and Wales)"
    )
