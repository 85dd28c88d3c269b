"""The deadline kind: due dates by hand, the edges of met/late/due/overdue, scope, lapsing."""

from __future__ import annotations

from datetime import date
from typing import Any

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER
from cprules.rules.deadline import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

FIRST_CORE_GROUP: dict[str, Any] = {
    "id": "first-core-group",
    "kind": "deadline",
    "title": "t",
    "severity": "breach",
    "citation": "c",
    "trigger": {"event": "icpc", "where": {"outcome": "plan"}},
    "expect": {"event": "core_group", "where": {"status": "held"}},
    "within": {"working_days": 10},
    "scope": "episode",
}


def run(rule: dict[str, Any], events: list[dict[str, Any]], as_of: date) -> list[Finding]:
    parsed = RULE_ADAPTER.validate_python(rule)
    timeline = Timeline.build(parse_case({"case_id": "D", "events": events}), as_of, WorkingCalendar())
    return evaluate(parsed, timeline, Verdicts(parsed, timeline))


def plan(icpc_day: str, *more: dict[str, Any], outcome: str | None = "plan") -> list[dict[str, Any]]:
    icpc: dict[str, Any] = {"id": "ic", "type": "icpc", "date": icpc_day}
    if outcome is not None:
        icpc["outcome"] = outcome
    return [icpc, {"id": "ps", "type": "plan_start", "date": icpc_day}, *more]


def held(day: str, event_id: str = "cg") -> dict[str, Any]:
    return {"id": event_id, "type": "core_group", "date": day, "status": "held"}


def test_on_the_due_date_is_met_and_a_day_after_is_one_late() -> None:
    # Mon 3 Jun 2024 + 10 WD: 4-7 Jun (4), 10-14 (9), 17 (10) = Mon 17 Jun
    [on_time] = run(FIRST_CORE_GROUP, plan("2024-06-03", held("2024-06-17")), date(2024, 7, 1))
    [late] = run(FIRST_CORE_GROUP, plan("2024-06-03", held("2024-06-18")), date(2024, 7, 1))
    assert (on_time.status, on_time.due, on_time.working_days_late) == (Status.MET, date(2024, 6, 17), None)
    assert (late.status, late.working_days_late, late.calendar_days_late) == (Status.LATE, 1, 1)


def test_held_on_a_saturday_after_the_due_friday_is_zero_working_days_late() -> None:
    # Fri 31 May 2024 + 10 WD: 3-7 Jun (5), 10-14 (10) = Fri 14 Jun; held Sat 15 Jun
    [finding] = run(FIRST_CORE_GROUP, plan("2024-05-31", held("2024-06-15")), date(2024, 7, 1))
    assert (finding.status, finding.due, finding.working_days_late, finding.calendar_days_late) == (
        Status.LATE,
        date(2024, 6, 14),
        0,
        1,
    )


def test_trigger_on_a_bank_holiday_counts_from_the_next_working_day() -> None:
    # Mon 26 Aug 2024 (bank holiday) + 10 WD: 27-30 Aug (4), 2-6 Sep (9), 9 Sep (10) = Mon 9 Sep
    [finding] = run(FIRST_CORE_GROUP, plan("2024-08-26"), date(2024, 9, 1))
    assert (finding.status, finding.due) == (Status.DUE, date(2024, 9, 9))


def test_due_on_as_of_is_due_and_the_day_after_is_overdue() -> None:
    [today] = run(FIRST_CORE_GROUP, plan("2024-06-03"), date(2024, 6, 17))
    [tomorrow] = run(FIRST_CORE_GROUP, plan("2024-06-03"), date(2024, 6, 18))
    assert today.status is Status.DUE
    assert (tomorrow.status, tomorrow.working_days_late) == (Status.OVERDUE, 1)


def test_events_after_as_of_are_unseen() -> None:
    [finding] = run(FIRST_CORE_GROUP, plan("2024-06-03", held("2024-06-20")), date(2024, 6, 19))
    assert (finding.status, finding.occurred_on) == (Status.OVERDUE, None)


def test_a_second_plan_restarts_the_deadline() -> None:
    events = [
        {"id": "ic1", "type": "icpc", "date": "2024-01-08", "outcome": "plan"},
        {"id": "ps1", "type": "plan_start", "date": "2024-01-08"},
        {"id": "pe1", "type": "plan_end", "date": "2024-01-12", "reason": "died"},
        {"id": "ic2", "type": "icpc", "date": "2024-06-03", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
        held("2024-06-10"),
    ]
    first, second = run(FIRST_CORE_GROUP, events, date(2024, 7, 1))
    # the core group in plan 2 does not count for plan 1, which ended without one
    assert (first.trigger_event, first.status) == ("ic1", Status.OVERDUE)
    assert (second.trigger_event, second.status, second.evidence_events) == ("ic2", Status.MET, ("cg",))


def test_a_trigger_with_its_fact_missing_is_undetermined() -> None:
    [finding] = run(FIRST_CORE_GROUP, plan("2024-06-03", outcome=None), date(2024, 7, 1))
    assert finding.status is Status.UNDETERMINED and "outcome" in finding.explanation


def test_no_trigger_is_not_applicable() -> None:
    [finding] = run(FIRST_CORE_GROUP, plan("2024-06-03", outcome="no_plan"), date(2024, 7, 1))
    assert finding.status is Status.NOT_APPLICABLE


def test_scope_episode_ignores_triggers_outside_a_plan() -> None:
    rule = {**FIRST_CORE_GROUP, "trigger": {"event": "looked_after"}, "expect": {"event": "case_discussion"}}
    events = [{"id": "la", "type": "looked_after", "date": "2023-11-06"}, *plan("2024-01-08")]
    [finding] = run(rule, events, date(2024, 4, 30))
    assert finding.status is Status.NOT_APPLICABLE and "during a plan" in finding.explanation


def test_lapsing_only_before_the_due_date() -> None:
    rule = {
        **FIRST_CORE_GROUP,
        "id": "first-review",
        "expect": {"event": "review_conference"},
        "within": {"months": 3},
        "lapses_on": [{"event": "plan_end"}],
    }
    ended_early = plan("2024-03-19", {"id": "pe", "type": "plan_end", "date": "2024-05-10", "reason": "died"})
    ended_late = plan("2024-03-19", {"id": "pe", "type": "plan_end", "date": "2024-07-10", "reason": "died"})
    [early] = run(rule, ended_early, date(2024, 8, 1))
    [late] = run(rule, ended_late, date(2024, 8, 1))
    assert early.status is Status.NOT_APPLICABLE
    # 19 Mar + 3 months = 19 Jun, missed before the plan ended on 10 Jul: still overdue
    assert (late.status, late.due) == (Status.OVERDUE, date(2024, 6, 19))


def test_occurrence_first_latest_and_first_in_episode() -> None:
    base = {
        "id": "icpc-timescale",
        "kind": "deadline",
        "title": "t",
        "severity": "breach",
        "citation": "c",
        "trigger": {"event": "strategy_discussion", "where": {"s47": True}},
        "expect": {"event": "icpc"},
        "within": {"working_days": 15},
    }
    events = [
        {"id": "sd1", "type": "strategy_discussion", "date": "2024-03-01", "s47": True},
        {"id": "sd2", "type": "strategy_discussion", "date": "2024-03-08", "s47": True},
        {"id": "ic", "type": "icpc", "date": "2024-03-26"},
    ]
    # from sd1 (Fri 1 Mar + 15 WD = Fri 22 Mar): 2 WD late; from sd2 (Fri 8 Mar + 15 WD = Fri 29 Mar,
    # Good Friday, so day 15 is Tue 2 Apr... counted: 11-15 (5), 18-22 (10), 25-28 (14), 2 Apr (15))
    [first] = run({**base, "occurrence": "first"}, events, date(2024, 4, 30))
    [latest] = run({**base, "occurrence": "latest"}, events, date(2024, 4, 30))
    each = run({**base, "occurrence": "each"}, events, date(2024, 4, 30))
    assert (first.trigger_event, first.status, first.working_days_late) == ("sd1", Status.LATE, 2)
    assert (latest.trigger_event, latest.status, latest.due) == ("sd2", Status.MET, date(2024, 4, 2))
    assert [f.trigger_event for f in each] == ["sd1", "sd2"]
    second_core_group = {
        **FIRST_CORE_GROUP,
        "trigger": {"event": "core_group", "where": {"status": "held"}},
        "within": {"weeks": 4},
        "occurrence": "first_in_episode",
    }
    events = plan(
        "2024-06-03", held("2024-06-10", "cg1"), held("2024-07-05", "cg2"), held("2024-08-30", "cg3")
    )
    [only] = run(second_core_group, events, date(2024, 9, 30))
    # Mon 10 Jun + 4 weeks = Mon 8 Jul; cg2 on Fri 5 Jul is on time; the later gap is not this rule's
    assert (only.trigger_event, only.status, only.due) == ("cg1", Status.MET, date(2024, 7, 8))


def test_follow_up_date_on_the_trigger() -> None:
    rule = {
        "id": "core-group-minutes",
        "kind": "deadline",
        "title": "t",
        "severity": "breach",
        "citation": "c",
        "trigger": {"event": "core_group", "where": {"status": "held"}},
        "expect": {"field": "minutes_circulated"},
        "within": {"working_days": 3},
    }
    events = [
        {
            "id": "cg",
            "type": "core_group",
            "date": "2024-05-01",
            "status": "held",
            "minutes_circulated": "2024-05-08",
        }
    ]
    # Wed 1 May + 3 WD: Thu 2, Fri 3, (Mon 6 bank holiday) Tue 7; sent Wed 8: 1 late
    [finding] = run(rule, events, date(2024, 5, 31))
    assert (finding.status, finding.due, finding.working_days_late) == (Status.LATE, date(2024, 5, 7), 1)
    assert "Minutes circulated 2024-05-08" in finding.explanation
