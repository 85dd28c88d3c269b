"""cprules.testing itself: its strategies draw valid, realistic input and honour their options."""

from __future__ import annotations

import doctest
from datetime import date, timedelta
from typing import Any

import pytest
from _budget import budget
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import cprules.testing
from cprules import Case, Status, bundled_pack_ids, evaluate, load_pack, parse_case
from cprules.case import MAX_DATE, MIN_DATE
from cprules.testing import (
    EVENT_TYPES,
    as_of_dates,
    calendars,
    case_data,
    cases,
    dates,
    events,
    timelines,
)

ENGLAND = load_pack("england")
CONFERENCES = ("icpc", "transfer_in_conference")


def test_the_examples_in_the_kit_s_docstrings_hold() -> None:
    failures, tried = doctest.testmod(cprules.testing, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


@budget(60)
@given(case_data(records=None))
def test_every_drawn_case_is_valid_and_each_plan_is_opened_by_a_conference(data: dict[str, Any]) -> None:
    case = parse_case(data)
    events = case.ordered_events
    for episode in case.episodes:
        assert episode.opened_by_index is not None
        opener = events[episode.opened_by_index]
        assert opener.type in CONFERENCES  # type: ignore[attr-defined]
        assert opener.date <= events[episode.start_index].date
        if episode.end_index is not None:
            assert events[episode.start_index].date <= events[episode.end_index].date


@pytest.mark.parametrize("pack_id", bundled_pack_ids())
@budget(10)
@given(data=st.data())
def test_cases_for_a_pack_use_its_calendar_and_authorities(pack_id: str, data: st.DataObject) -> None:
    pack = load_pack(pack_id)
    case = data.draw(cases(pack=pack, records=None, shuffle=True))
    if pack_id == "peterborough_cambs":
        assert case.authority in ("peterborough", "cambridgeshire", None)
    else:
        assert case.authority is None
    assert evaluate(case, pack, as_of=date(2031, 1, 1)).findings


@budget(40)
@given(st.integers(0, 3), st.integers(0, 2), st.data())
def test_the_number_of_plans_and_enquiries_is_as_asked(plans: int, others: int, data: st.DataObject) -> None:
    case = data.draw(
        cases(
            episodes=(plans, plans),
            enquiries_without_plan=(others, others),
            start=(date(1995, 1, 1), date(2000, 1, 1)),
        )
    )
    assert len(case.episodes) == plans
    s47_outcomes = [event for event in case.events if event.type == "s47_outcome"]  # type: ignore[attr-defined]
    assert len(s47_outcomes) >= others  # every enquiry that led nowhere concluded so


@budget(40)
@given(cases(episodes=(1, 2), late_probability=0, missing_probability=0, extra_events=(0, 0)))
def test_with_nothing_late_the_national_deadlines_are_all_kept(case: Case) -> None:
    last = max(event.date for event in case.events)
    for finding in evaluate(case, ENGLAND, as_of=last).findings:
        if finding.kind in ("deadline", "interval"):
            assert finding.status not in (Status.LATE, Status.OVERDUE), finding.explanation


@budget(30)
@given(
    cases(
        episodes=(1, 1),
        enquiries_without_plan=(0, 0),
        late_probability=1,
        missing_probability=0,
        extra_events=(0, 0),
    )
)
def test_with_everything_late_the_conference_that_opens_the_plan_is_late(case: Case) -> None:
    last = max(event.date for event in case.events)
    opening = {"icpc-timescale", "transfer-in-conference"}
    statuses = {f.status for f in evaluate(case, ENGLAND, as_of=last).findings if f.rule_id in opening}
    assert Status.LATE in statuses


@budget(30)
@given(case_data(missing_probability=0, episodes=(1, 2)))
def test_with_nothing_missing_every_conference_records_its_outcome_and_quorum(data: dict[str, Any]) -> None:
    for event in data["events"]:
        if event["type"] in ("icpc", "review_conference", "transfer_in_conference"):
            assert "outcome" in event and "quorate" in event


@budget(30)
@given(case_data(ids=False, shuffle=True))
def test_without_ids_the_engine_names_events_by_type_and_date(data: dict[str, Any]) -> None:
    assert all("id" not in event for event in data["events"])
    case = parse_case(data)
    # each (type, date) of the input, counted by hand: the first is "type date", then "(2)", ...
    expected: list[str] = []
    seen: dict[str, int] = {}
    for event in data["events"]:
        base = f"{event['type']} {event['date']}"
        seen[base] = seen.get(base, 0) + 1
        expected.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    assert sorted(event.id for event in case.events) == sorted(expected)


@budget(30)
@given(case_data(records=True, episodes=(1, 2)))
def test_records_name_only_event_types_the_case_holds(data: dict[str, Any]) -> None:
    assert set(data["records"]) <= {event["type"] for event in data["events"]}
    assert parse_case(data).records == tuple(data["records"])


@budget(30)
@given(timelines(episodes=(1, 1), open_last=True))
def test_a_timeline_is_in_date_order(events_: list[dict[str, Any]]) -> None:
    days = [event["date"] for event in events_]
    assert days == sorted(days)


@budget(300)
@given(st.sampled_from(EVENT_TYPES), st.sampled_from(["all", "some", "none"]), st.data())
def test_every_event_type_can_be_drawn_valid(event_type: str, fill: Any, data: st.DataObject) -> None:
    event = data.draw(events(event_type, fill=fill, id="e1"))
    opened = [{"type": "plan_start", "date": "2015-01-01"}] if event_type == "plan_end" else []
    *_, parsed = parse_case({"case_id": "E", "events": [*opened, event]}).events
    assert (parsed.type, parsed.id) == (event_type, "e1")  # type: ignore[attr-defined]
    if fill == "none":
        assert set(event) == {"type", "date", "id"}


@budget(50)
@given(calendars())
def test_calendars_are_england_or_jersey_with_closures_in_range(calendar: cprules.WorkingCalendar) -> None:
    assert (calendar.country, calendar.subdiv) in (("GB", "ENG"), ("JE", None))
    assert all(date(2015, 1, 1) <= day <= date(2030, 12, 31) for day in calendar.closures)


@budget(50)
@given(dates(date(2024, 1, 1), date(2024, 12, 31)))
def test_dates_stay_in_their_bounds(day: date) -> None:
    assert date(2024, 1, 1) <= day <= date(2024, 12, 31)


@budget(30)
@given(data=st.data())
def test_report_dates_stay_near_the_case(data: st.DataObject) -> None:
    case = data.draw(cases(episodes=(0, 1)))
    as_of = data.draw(as_of_dates(case))
    assert MIN_DATE <= as_of <= MAX_DATE
    if case.events:
        days = [event.date for event in case.events]
        assert min(days) - timedelta(days=30) <= as_of <= max(days) + timedelta(days=400)


@pytest.mark.parametrize(
    ("make", "options"),
    [
        (case_data, {"episodes": (2, 1)}),
        (case_data, {"late_probability": 1.5}),
        (case_data, {"start": (date(2095, 1, 1), date(2099, 1, 1))}),
        (case_data, {"extra_types": ["plan_start"]}),
        (events, {"type": "vist"}),
        (dates, {"min_value": date(1985, 1, 1)}),
    ],
)
def test_bad_options_are_refused_at_once(make: Any, options: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        make(**options)
