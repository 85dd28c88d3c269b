"""``age_limit``: no plan stays open past the child's 18th birthday (a deadline on the birthday).

England 2024 bank holidays used below: Good Friday 29 Mar, Easter Monday 1 Apr.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, AgeLimitRule
from cprules.rules.age_limit import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()


def _run(child: dict[str, Any], events: list[dict[str, Any]], as_of: date, age: int = 18) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python(
        {
            "id": "age-limit",
            "kind": "age_limit",
            "title": "No plan stays open past the child's 18th birthday",
            "severity": "breach",
            "citation": "Working Together to Safeguard Children 2023",
            "age": age,
        }
    )
    assert isinstance(rule, AgeLimitRule)
    case = parse_case({"case_id": "AL", "child": child, "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


BORN_2006 = {"date_of_birth": "2006-03-28"}  # 18th birthday Thu 28 Mar 2024


def _plan(start: str, end: str | None = None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"id": "ps", "type": "plan_start", "date": start}]
    if end is not None:
        events.append({"id": "pe", "type": "plan_end", "date": end, "reason": "turned_18"})
    return events


def test_no_plan_is_not_applicable() -> None:
    [finding] = _run(BORN_2006, [], date(2024, 6, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.explanation == "No plan in the timeline."


def test_ending_on_the_birthday_is_met() -> None:
    [finding] = _run(BORN_2006, _plan("2023-11-01", "2024-03-28"), date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.key == "age-limit@ps#1"
    assert finding.due == date(2024, 3, 28)
    assert finding.occurred_on == date(2024, 3, 28)
    assert finding.evidence_events == ("pe",)


def test_ending_on_the_holiday_after_the_birthday_is_late_by_no_working_day() -> None:
    # due Thu 28 Mar; Fri 29 Mar is Good Friday: 0 working days, 1 calendar day late
    [finding] = _run(BORN_2006, _plan("2023-11-01", "2024-03-29"), date(2024, 6, 1))
    assert finding.status is Status.LATE
    assert (finding.working_days_late, finding.calendar_days_late) == (0, 1)


def test_ending_after_the_easter_weekend_is_late_by_working_days() -> None:
    # due Thu 28 Mar; Fri 29 (Good Friday), Sat 30, Sun 31, Mon 1 Apr (Easter Monday), Tue 2 (1),
    # Wed 3 (2): 2 working days, 6 calendar days late
    [finding] = _run(BORN_2006, _plan("2023-11-01", "2024-04-03"), date(2024, 6, 1))
    assert finding.status is Status.LATE
    assert (finding.working_days_late, finding.calendar_days_late) == (2, 6)
    assert "18th birthday" in finding.explanation


def test_a_plan_that_ended_long_before_the_birthday_is_met() -> None:
    [finding] = _run(BORN_2006, _plan("2015-01-05", "2015-09-01"), date(2024, 6, 1))
    assert (finding.status, finding.due) == (Status.MET, date(2024, 3, 28))


def test_an_open_plan_is_due_until_the_birthday_and_overdue_after() -> None:
    child = {"date_of_birth": "2006-06-01"}  # 18th birthday Sat 1 Jun 2024
    [on_the_day] = _run(child, _plan("2024-01-05"), date(2024, 6, 1))
    assert (on_the_day.status, on_the_day.due) == (Status.DUE, date(2024, 6, 1))
    assert on_the_day.working_days_late is None
    # Sat 1 Jun -> Mon 3 Jun: 1 working day (Mon 3), 2 calendar days
    [after] = _run(child, _plan("2024-01-05"), date(2024, 6, 3))
    assert after.status is Status.OVERDUE
    assert (after.working_days_late, after.calendar_days_late) == (1, 2)


def test_a_plan_years_from_the_birthday_is_due() -> None:
    [finding] = _run({"date_of_birth": "2018-05-10"}, _plan("2024-01-05"), date(2024, 6, 1))
    assert (finding.status, finding.due) == (Status.DUE, date(2036, 5, 10))


def test_a_29_february_birthday_falls_on_28_february() -> None:
    child = {"date_of_birth": "2008-02-29"}  # 2026 is not a leap year: 18th birthday Sat 28 Feb 2026
    [open_plan] = _run(child, _plan("2025-06-02"), date(2026, 3, 2))
    # Sat 28 Feb -> Mon 2 Mar 2026: 1 working day, 2 calendar days
    assert (open_plan.status, open_plan.due) == (Status.OVERDUE, date(2026, 2, 28))
    assert (open_plan.working_days_late, open_plan.calendar_days_late) == (1, 2)
    [ended] = _run(child, _plan("2025-06-02", "2026-02-28"), date(2026, 3, 2))
    assert ended.status is Status.MET
    # Sun 1 Mar 2026 is no working day: 0 working days, 1 calendar day late
    [ended_sunday] = _run(child, _plan("2025-06-02", "2026-03-01"), date(2026, 3, 2))
    assert (ended_sunday.status, ended_sunday.working_days_late) == (Status.LATE, 0)


def test_a_missing_date_of_birth_is_undetermined() -> None:
    [finding] = _run({}, _plan("2024-01-05"), date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "date of birth" in finding.explanation


def test_an_unborn_child_is_not_applicable() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-03-01", "outcome": "plan", "prebirth": True},
        {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
    ]
    [finding] = _run({"expected_delivery_date": "2024-06-20"}, events, date(2024, 6, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert "not born yet" in finding.explanation
    assert finding.key == "age-limit@ps#1"


def test_a_recorded_birth_stands_in_for_the_date_of_birth() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        {"id": "b", "type": "birth", "date": "2024-06-18"},
    ]
    child = {"expected_delivery_date": "2024-06-20"}
    # before the birth is seen, the unborn child is not_applicable
    [before] = _run(child, events, date(2024, 6, 17))
    assert before.status is Status.NOT_APPLICABLE
    [after] = _run(child, events, date(2024, 7, 1))
    assert (after.status, after.due) == (Status.DUE, date(2042, 6, 18))


def test_each_plan_is_checked_and_a_later_plan_past_the_birthday_is_late() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ps1", "type": "plan_start", "date": "2020-01-06"},
        {"id": "pe1", "type": "plan_end", "date": "2020-09-01", "reason": "no_longer_at_risk"},
        {"id": "ps2", "type": "plan_start", "date": "2023-11-01"},
        {"id": "pe2", "type": "plan_end", "date": "2024-04-02", "reason": "turned_18"},
    ]
    findings = _run(BORN_2006, events, date(2024, 6, 1))
    # due Thu 28 Mar; Tue 2 Apr is 1 working day later (Good Friday and Easter Monday skipped)
    assert [(f.key, f.status, f.working_days_late) for f in findings] == [
        ("age-limit@ps1#1", Status.MET, None),
        ("age-limit@ps2#1", Status.LATE, 1),
    ]


def test_a_plan_end_after_as_of_is_unseen() -> None:
    events = _plan("2023-11-01", "2024-04-03")
    [before] = _run(BORN_2006, events, date(2024, 4, 2))
    assert before.status is Status.OVERDUE
    [after] = _run(BORN_2006, events, date(2024, 4, 3))
    assert after.status is Status.LATE
    [much_later] = _run(BORN_2006, events, date(2030, 1, 1))
    assert (much_later.status, much_later.working_days_late) == (after.status, after.working_days_late)


def test_another_age_limit() -> None:
    [finding] = _run(BORN_2006, _plan("2024-01-05"), date(2024, 6, 1), age=21)
    assert (finding.status, finding.due) == (Status.DUE, date(2027, 3, 28))
    assert "21st birthday" in finding.explanation
