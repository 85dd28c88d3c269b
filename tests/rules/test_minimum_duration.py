"""``minimum_duration``: edges counted by hand (calendar months, never moved to a working day).

Stoke C06:07: "The decision to cease a Child Protection Plan should not be considered for at
least six months after the decision to create a Child Protection Plan, unless there are
exceptional circumstances, e.g. the child dies, the child has moved from Stoke-on-Trent and the
child is subject of an Interim Care Order, not living with the family and there is no
unsupervised contact with the alleged abuser."
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, MinimumDurationRule
from cprules.rules.minimum_duration import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()

STOKE: dict[str, Any] = {
    "id": "minimum-duration",
    "kind": "minimum_duration",
    "title": "No cessation within six months of the decision to make the plan",
    "severity": "breach",
    "citation": "Stoke-on-Trent SCB, C06, v8 (2017), C06:07",
    "at_least": {"months": 6},
    "unless_reasons": ["died", "moved_out"],
    "unless": [
        {
            "event": "looked_after",
            "where": {
                "basis": "interim_care_order",
                "living_with_family": False,
                "unsupervised_contact_with_risk": False,
            },
        }
    ],
}


def _run(events: list[dict[str, Any]], as_of: date, **changes: Any) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python({**STOKE, **changes})
    assert isinstance(rule, MinimumDurationRule)
    case = parse_case({"case_id": "MD", "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _plan(icpc: str, end: str | None = None, reason: str | None = None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": icpc, "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": icpc, "categories": ["neglect"]},
    ]
    if end is not None:
        events.append({"id": "pe", "type": "plan_end", "date": end, "reason": reason})
    return events


def test_no_plan_is_not_applicable() -> None:
    [finding] = _run([{"id": "sd", "type": "strategy_discussion", "date": "2024-01-02"}], date(2024, 6, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.key == "minimum-duration@-#1"
    assert "No plan" in finding.explanation


def test_open_plan_is_not_applicable_and_says_when_it_may_end() -> None:
    # Fri 5 Jan 2024 + 6 calendar months = Fri 5 Jul 2024
    [finding] = _run(_plan("2024-01-05"), date(2024, 6, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.key == "minimum-duration@ps#1"
    assert finding.due == date(2024, 7, 5)
    assert "still open" in finding.explanation
    assert "2024-07-05" in finding.explanation


def test_ending_on_the_boundary_is_met() -> None:
    # Fri 5 Jan 2024 + 6 months = Fri 5 Jul 2024: ending that day is allowed
    [finding] = _run(_plan("2024-01-05", "2024-07-05", "no_longer_at_risk"), date(2024, 8, 1))
    assert finding.status is Status.MET
    assert finding.key == "minimum-duration@pe#1"
    assert finding.due == date(2024, 7, 5)
    assert finding.occurred_on == date(2024, 7, 5)


def test_ending_one_day_before_the_boundary_is_violated_with_the_arithmetic() -> None:
    # boundary Fri 5 Jul 2024; Thu 4 Jul is 5 months (to 5 Jun) and 29 days (to 4 Jul) after 5 Jan
    [finding] = _run(_plan("2024-01-05", "2024-07-04", "no_longer_at_risk"), date(2024, 8, 1))
    assert finding.status is Status.VIOLATED
    assert finding.due == date(2024, 7, 5)
    assert finding.occurred_on == date(2024, 7, 4)
    assert finding.working_days_late is None
    assert "5 months and 29 days after the ICPC ic on 2024-01-05" in finding.explanation
    assert "before 2024-07-05, the earliest it could end (6 months after)" in finding.explanation


def test_boundary_on_a_weekend_is_not_moved_to_a_working_day() -> None:
    # Fri 8 Mar 2024 + 6 months = Sun 8 Sep 2024 (calendar periods are never moved)
    early = _run(_plan("2024-03-08", "2024-09-06", "no_longer_at_risk"), date(2024, 10, 1))
    assert [(f.status, f.due) for f in early] == [(Status.VIOLATED, date(2024, 9, 8))]
    # Mon 9 Sep is after Sun 8 Sep
    later = _run(_plan("2024-03-08", "2024-09-09", "no_longer_at_risk"), date(2024, 10, 1))
    assert [(f.status, f.due) for f in later] == [(Status.MET, date(2024, 9, 8))]


def test_measured_from_the_decision_not_the_recorded_plan_start() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-10"},
        {"id": "pe", "type": "plan_end", "date": "2024-07-08", "reason": "no_longer_at_risk"},
    ]
    # decision Fri 5 Jan + 6 months = Fri 5 Jul; Mon 8 Jul is after it
    [by_decision] = _run(events, date(2024, 8, 1))
    assert (by_decision.status, by_decision.due) == (Status.MET, date(2024, 7, 5))
    # plan start Wed 10 Jan + 6 months = Wed 10 Jul; Mon 8 Jul is before it
    [by_start] = _run(events, date(2024, 8, 1), measured_from="plan_start")
    assert (by_start.status, by_start.due) == (Status.VIOLATED, date(2024, 7, 10))
    assert "the plan start ps on 2024-01-10" in by_start.explanation


def test_without_an_opening_conference_the_plan_start_counts_and_month_ends_clip() -> None:
    # Sat 31 Aug 2024 + 6 months = 28 Feb 2025 (February 2025 has 28 days)
    on_time = [
        {"id": "ps", "type": "plan_start", "date": "2024-08-31"},
        {"id": "pe", "type": "plan_end", "date": "2025-02-28", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(on_time, date(2025, 3, 31))
    assert (finding.status, finding.due) == (Status.MET, date(2025, 2, 28))
    early = [on_time[0], {**on_time[1], "date": "2025-02-27"}]
    [finding] = _run(early, date(2025, 3, 31))
    assert (finding.status, finding.due) == (Status.VIOLATED, date(2025, 2, 28))


def test_an_allowed_reason_excuses_an_early_end() -> None:
    [finding] = _run(_plan("2024-01-05", "2024-03-01", "died"), date(2024, 6, 1))
    assert finding.status is Status.MET
    assert "exception" in finding.explanation
    assert finding.due == date(2024, 7, 5)


def test_a_reason_not_listed_does_not_excuse_it() -> None:
    [finding] = _run(_plan("2024-01-05", "2024-03-01", "looked_after"), date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_an_interim_care_order_in_the_plan_excuses_an_early_end() -> None:
    events: list[dict[str, Any]] = [
        *_plan("2024-01-05", "2024-03-01", "looked_after"),
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2024-02-20",
            "basis": "interim_care_order",
            "living_with_family": False,
            "unsupervised_contact_with_risk": False,
        },
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET
    assert "ico" in finding.evidence_events
    assert "the start of care ico on 2024-02-20" in finding.explanation


def test_an_interim_care_order_on_the_day_the_plan_ends_counts() -> None:
    # on one day the plan_end comes last, so the looked_after event is before it
    events: list[dict[str, Any]] = [
        *_plan("2024-01-05", "2024-03-01", None),
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2024-03-01",
            "basis": "interim_care_order",
            "living_with_family": False,
            "unsupervised_contact_with_risk": False,
        },
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET


def test_an_interim_care_order_after_the_end_does_not_count() -> None:
    events: list[dict[str, Any]] = [
        *_plan("2024-01-05", "2024-03-01", "looked_after"),
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2024-03-04",
            "basis": "interim_care_order",
            "living_with_family": False,
            "unsupervised_contact_with_risk": False,
        },
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_a_child_living_with_the_family_is_no_exception() -> None:
    events: list[dict[str, Any]] = [
        *_plan("2024-01-05", "2024-03-01", "looked_after"),
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2024-02-20",
            "basis": "interim_care_order",
            "living_with_family": True,
            "unsupervised_contact_with_risk": False,
        },
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_an_unknown_fact_on_the_exception_is_undetermined_not_violated() -> None:
    events: list[dict[str, Any]] = [
        *_plan("2024-01-05", "2024-03-01", "looked_after"),
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2024-02-20",
            "basis": "interim_care_order",
            "unsupervised_contact_with_risk": False,
        },
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "whether the child lived in the family home" in finding.explanation
    assert finding.due == date(2024, 7, 5)


def test_an_early_end_with_no_reason_is_undetermined() -> None:
    [finding] = _run(_plan("2024-01-05", "2024-03-01", None), date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "does not say why" in finding.explanation


def test_a_late_enough_end_with_no_reason_is_met() -> None:
    [finding] = _run(_plan("2024-01-05", "2024-08-01", None), date(2024, 9, 1))
    assert finding.status is Status.MET


def test_a_second_plan_restarts_the_period() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic1", "type": "icpc", "date": "2023-01-05", "outcome": "plan"},
        {"id": "ps1", "type": "plan_start", "date": "2023-01-05"},
        {"id": "pe1", "type": "plan_end", "date": "2023-08-01", "reason": "no_longer_at_risk"},
        {"id": "ic2", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-01-05"},
        {"id": "pe2", "type": "plan_end", "date": "2024-03-01", "reason": "no_longer_at_risk"},
    ]
    findings = _run(events, date(2024, 6, 1))
    # plan 1: 5 Jan 2023 + 6 months = 5 Jul 2023; plan 2: 5 Jan 2024 + 6 months = 5 Jul 2024
    assert [(f.key, f.status, f.due) for f in findings] == [
        ("minimum-duration@pe1#1", Status.MET, date(2023, 7, 5)),
        ("minimum-duration@pe2#1", Status.VIOLATED, date(2024, 7, 5)),
    ]


def test_an_exception_in_an_earlier_plan_does_not_excuse_a_later_one() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic1", "type": "icpc", "date": "2023-01-05", "outcome": "plan"},
        {"id": "ps1", "type": "plan_start", "date": "2023-01-05"},
        {
            "id": "ico",
            "type": "looked_after",
            "date": "2023-02-01",
            "basis": "interim_care_order",
            "living_with_family": False,
            "unsupervised_contact_with_risk": False,
        },
        {"id": "pe1", "type": "plan_end", "date": "2023-03-01", "reason": "looked_after"},
        {"id": "ic2", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-01-05"},
        {"id": "pe2", "type": "plan_end", "date": "2024-03-01", "reason": "looked_after"},
    ]
    assert [f.status for f in _run(events, date(2024, 6, 1))] == [Status.MET, Status.VIOLATED]


def test_a_plan_end_after_as_of_is_unseen() -> None:
    events = _plan("2024-01-05", "2024-05-02", "no_longer_at_risk")
    [before] = _run(events, date(2024, 5, 1))
    assert before.status is Status.NOT_APPLICABLE
    assert before.key == "minimum-duration@ps#1"
    [after] = _run(events, date(2024, 5, 2))
    assert after.status is Status.VIOLATED
    # a violation stays a violation at any later as_of
    [much_later] = _run(events, date(2026, 1, 1))
    assert (much_later.key, much_later.status, much_later.explanation) == (
        after.key,
        after.status,
        after.explanation,
    )


# --- a reason the timeline refutes is no exception (SPEC §4) ----------------------------------------


def _with_child(
    events: list[dict[str, Any]], child: dict[str, Any], as_of: date, **changes: Any
) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python({**STOKE, **changes})
    case = parse_case({"case_id": "MD", "child": child, "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def test_turned_18_for_a_ten_year_old_is_not_the_exception_it_claims() -> None:
    # ICPC Fri 5 Jan 2024 + 6 months = Fri 5 Jul; ended Fri 1 Mar "turned 18"; born 2014-01-20
    events = _plan("2024-01-05", "2024-03-01", "turned_18")
    [finding] = _with_child(
        events, {"date_of_birth": "2014-01-20"}, date(2024, 6, 1), unless_reasons=["died", "turned_18"]
    )
    assert (finding.status, finding.due) == (Status.VIOLATED, date(2024, 7, 5))
    assert "the timeline refutes it" in finding.explanation
    assert "shows the child was 10 that day" in finding.explanation
    # a child who did turn 18 that day: the exception stands
    [adult] = _with_child(
        events, {"date_of_birth": "2006-03-01"}, date(2024, 6, 1), unless_reasons=["died", "turned_18"]
    )
    assert adult.status is Status.MET


def test_died_then_seen_is_no_exception_and_moved_out_needs_a_move() -> None:
    seen = {"id": "v", "type": "visit", "date": "2024-03-08", "outcome": "seen"}
    died = [*_plan("2024-01-05", "2024-03-01", "died"), seen]
    [finding] = _run(died, date(2024, 6, 1))
    assert (finding.status, finding.evidence_events) == (Status.VIOLATED, ("ic", "v"))
    [moved] = _run(_plan("2024-01-05", "2024-03-01", "moved_out"), date(2024, 6, 1))
    assert moved.status is Status.VIOLATED and "no move is recorded" in moved.explanation
    notice = {"id": "mn", "type": "move_notified", "date": "2024-02-20", "permanent": True}
    notice["direction"] = "out"
    [stands] = _run([*_plan("2024-01-05", "2024-03-01", "moved_out"), notice], date(2024, 6, 1))
    assert stands.status is Status.MET
