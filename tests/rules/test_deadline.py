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
    # the core group in plan 2 does not count for plan 1, which ended (Fri 12 Jan) before its
    # first core group fell due (Mon 8 Jan + 10 WD = Mon 22 Jan): nothing was owed
    assert (first.trigger_event, first.status) == ("ic1", Status.NOT_APPLICABLE)
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
    # 19 Mar + 3 months = Wed 19 Jun, missed before the plan ended on Wed 10 Jul: missed, late by
    # Thu 20, Fri 21 (2), 24-28 Jun (7), 1-5 Jul (12), Mon 8, Tue 9, Wed 10 (15) working days
    assert (late.status, late.due, late.working_days_late, late.calendar_days_late) == (
        Status.MISSED,
        date(2024, 6, 19),
        15,
        21,
    )


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


#: minutes within 3 working days of each core group held (a follow-up date on the trigger)
MINUTES = {
    "id": "core-group-minutes",
    "kind": "deadline",
    "title": "t",
    "severity": "breach",
    "citation": "c",
    "trigger": {"event": "core_group", "where": {"status": "held"}},
    "expect": {"field": "minutes_circulated"},
    "within": {"working_days": 3},
}


def test_a_follow_up_dated_before_the_event_it_follows_is_not_taken_on_trust() -> None:
    rule = MINUTES
    early = {**held("2024-05-08", "cg"), "minutes_circulated": "2024-05-03"}
    [finding] = run(rule, [early], date(2024, 5, 31))
    # minutes dated Fri 3 May for a meeting on Wed 8 May: not 'met', and never a breach
    assert (finding.status, finding.due, finding.occurred_on) == (Status.UNDETERMINED, None, None)
    assert "2024-05-03, before the core group cg on 2024-05-08" in finding.explanation
    # the meeting's own day is not a contradiction: Wed 8 May + 3 WD = Mon 13 May
    same_day = {**held("2024-05-08", "cg"), "minutes_circulated": "2024-05-08"}
    [finding] = run(rule, [same_day], date(2024, 5, 31))
    assert (finding.status, finding.due) == (Status.MET, date(2024, 5, 13))


def test_first_in_episode_a_blank_trigger_after_the_plans_first_sets_nothing() -> None:
    second_core_group = {
        **FIRST_CORE_GROUP,
        "trigger": {"event": "core_group", "where": {"status": "held"}},
        "within": {"weeks": 6},
        "occurrence": "first_in_episode",
        "scope": "episode",
    }
    blank = {"id": "cgx", "type": "core_group", "date": "2024-06-20"}
    after = plan("2024-06-03", held("2024-06-10", "cg1"), blank, held("2024-07-15", "cg2"))
    # Mon 10 Jun + 6 weeks = Mon 22 Jul: cg2 Mon 15 Jul on time. cgx (no status) comes after the
    # plan's first core group held, so it cannot be the one that starts the six weeks.
    findings = run(second_core_group, after, date(2024, 9, 30))
    assert [(f.trigger_event, f.status, f.due) for f in findings] == [("cg1", Status.MET, date(2024, 7, 22))]
    # before the plan's first core group held, a blank one may have been the first: unknown
    before = plan("2024-06-03", {**blank, "date": "2024-06-05"}, held("2024-06-10", "cg1"))
    findings = run(second_core_group, before, date(2024, 6, 11))
    assert [(f.trigger_event, f.status) for f in findings] == [
        ("cgx", Status.UNDETERMINED),
        ("cg1", Status.DUE),
    ]


def test_follow_up_date_on_the_trigger() -> None:
    rule = MINUTES
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
    assert "The minutes were circulated on 2024-05-08: 1 working day late" in finding.explanation


# --- when an obligation ends (SPEC §3) -----------------------------------------------------------


def ended(day: str, reason: str = "moved_out") -> dict[str, Any]:
    return {"id": "pe", "type": "plan_end", "date": day, "reason": reason}


def test_a_plan_that_ends_before_the_first_core_group_falls_due_owes_none() -> None:
    # Mon 3 Jun + 10 WD = Mon 17 Jun; the plan ended Thu 6 Jun, before it fell due
    [finding] = run(FIRST_CORE_GROUP, plan("2024-06-03", ended("2024-06-06")), date(2025, 6, 1))
    assert (finding.status, finding.due, finding.working_days_late) == (Status.NOT_APPLICABLE, None, None)
    assert finding.explanation.startswith(
        "The plan ended on 2024-06-06 (plan end pe), before the first core group held fell due on "
        "2024-06-17"
    )


def test_a_plan_that_ends_on_the_due_date_owes_nothing_either() -> None:
    [finding] = run(FIRST_CORE_GROUP, plan("2024-06-03", ended("2024-06-17")), date(2024, 7, 1))
    assert finding.status is Status.NOT_APPLICABLE


def test_a_plan_that_ends_after_the_due_date_leaves_it_missed_and_the_lateness_frozen() -> None:
    # due Mon 17 Jun; ended Fri 21 Jun: Tue 18 .. Fri 21 = 4 WD, 4 calendar days, at any later as_of
    events = plan("2024-06-03", ended("2024-06-21"))
    for as_of in (date(2024, 6, 21), date(2024, 7, 1), date(2025, 6, 1)):
        [finding] = run(FIRST_CORE_GROUP, events, as_of)
        assert (finding.status, finding.due, finding.working_days_late, finding.calendar_days_late) == (
            Status.MISSED,
            date(2024, 6, 17),
            4,
            4,
        ), as_of
        assert finding.occurred_on is None and finding.evidence_events == ("pe",)
        assert "No core group held by the time the plan ended on 2024-06-21" in finding.explanation
    # before the plan ended it was overdue, and open
    [before] = run(FIRST_CORE_GROUP, events, date(2024, 6, 20))
    assert (before.status, before.working_days_late) == (Status.OVERDUE, 3)


def test_a_core_group_held_late_before_the_plan_ended_is_late_not_missed() -> None:
    # due Mon 17 Jun; held Wed 19 Jun, the plan ended Fri 21 Jun: 2 WD late
    events = plan("2024-06-03", held("2024-06-19"), ended("2024-06-21"))
    [finding] = run(FIRST_CORE_GROUP, events, date(2024, 7, 1))
    assert (finding.status, finding.working_days_late) == (Status.LATE, 2)


def test_minutes_owed_for_a_meeting_of_the_plan_end_with_the_plan() -> None:
    # core group Mon 10 Jun, minutes due Thu 13 Jun; the plan ended Tue 11 Jun: nothing owed
    events = plan("2024-06-03", held("2024-06-10"), ended("2024-06-11"))
    [finding] = run(MINUTES, events, date(2024, 7, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.explanation.startswith(
        "The plan ended on 2024-06-11 (plan end pe), before the minutes fell due"
    )
    # minutes circulated after the end but by the due date still count: met
    sent = held("2024-06-10") | {"minutes_circulated": "2024-06-13"}
    on_time = plan("2024-06-03", sent, ended("2024-06-11"))
    [finding] = run(MINUTES, on_time, date(2024, 7, 1))
    assert (finding.status, finding.occurred_on) == (Status.MET, date(2024, 6, 13))


def test_minutes_circulated_after_the_window_closed_do_not_make_a_missed_act_late() -> None:
    # due Thu 13 Jun; the plan ended Mon 17 Jun (2 WD after: Fri 14, Mon 17); the minutes went
    # out Wed 19 Jun, after the plan had ended: missed, frozen at 2 WD, whatever as_of
    events = plan(
        "2024-06-03", held("2024-06-10") | {"minutes_circulated": "2024-06-19"}, ended("2024-06-17")
    )
    for as_of in (date(2024, 6, 18), date(2024, 7, 1)):
        [finding] = run(MINUTES, events, as_of)
        assert (finding.status, finding.working_days_late, finding.occurred_on) == (Status.MISSED, 2, None)


def test_a_rule_that_outlives_the_plan_stays_overdue() -> None:
    rule = {**MINUTES, "outlives_plan": True}
    events = plan("2024-06-03", held("2024-06-10"), ended("2024-06-11"))
    [finding] = run(rule, events, date(2024, 6, 18))
    # due Thu 13 Jun; as at Tue 18 Jun: Fri 14, Mon 17, Tue 18 = 3 WD
    assert (finding.status, finding.working_days_late) == (Status.OVERDUE, 3)


ICPC_TIMESCALE = {
    "id": "icpc-timescale",
    "kind": "deadline",
    "title": "t",
    "severity": "breach",
    "citation": "c",
    "trigger": {"event": "strategy_discussion", "where": {"s47": True}},
    "expect": {"event": "icpc"},
    "within": {"working_days": 15},
    "occurrence": "first",
}


def run_child(
    rule: dict[str, Any], child: dict[str, Any], events: list[dict[str, Any]], as_of: date
) -> list[Finding]:
    parsed = RULE_ADAPTER.validate_python(rule)
    case = parse_case({"case_id": "D", "child": child, "events": events})
    timeline = Timeline.build(case, as_of, WorkingCalendar())
    return evaluate(parsed, timeline, Verdicts(parsed, timeline))


def test_turning_18_closes_an_obligation_outside_a_plan() -> None:
    # strategy discussion Mon 3 Jun 2024 + 15 WD = Mon 24 Jun. Born 10 Jun 2006: 18 on Mon 10 Jun,
    # before it fell due; born 1 Jul 2006: 18 on Mon 1 Jul, 5 WD after it (25-28 Jun, 1 Jul)
    sd = [{"id": "sd", "type": "strategy_discussion", "date": "2024-06-03", "s47": True}]
    [lapsed] = run_child(ICPC_TIMESCALE, {"date_of_birth": "2006-06-10"}, sd, date(2024, 9, 1))
    assert lapsed.status is Status.NOT_APPLICABLE
    assert lapsed.explanation.startswith("The child turned 18 on 2024-06-10, before the first ICPC fell due")
    [missed] = run_child(ICPC_TIMESCALE, {"date_of_birth": "2006-07-01"}, sd, date(2024, 9, 1))
    assert (missed.status, missed.due, missed.working_days_late) == (Status.MISSED, date(2024, 6, 24), 5)


def test_a_permanent_move_out_closes_an_obligation_outside_a_plan() -> None:
    events = [
        {"id": "sd", "type": "strategy_discussion", "date": "2024-06-03", "s47": True},
        {"id": "mn", "type": "move_notified", "date": "2024-06-12", "permanent": True, "direction": "out"},
    ]
    [finding] = run_child(ICPC_TIMESCALE, {"date_of_birth": "2015-01-01"}, events, date(2024, 9, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.explanation.startswith(
        "The child moved away permanently (the notice of a move mn was received"
    )
    # a temporary move closes nothing
    temporary = [events[0], {**events[1], "permanent": False}]
    [open_one] = run_child(ICPC_TIMESCALE, {"date_of_birth": "2015-01-01"}, temporary, date(2024, 9, 1))
    assert open_one.status is Status.OVERDUE


def test_a_due_date_on_a_bank_holiday_says_so() -> None:
    # Wed 25 Sep 2024 + 3 months = Wed 25 Dec 2024, Christmas Day (a calendar period is not moved)
    rule = {
        **FIRST_CORE_GROUP,
        "id": "first-review",
        "expect": {"event": "review_conference"},
        "within": {"months": 3},
    }
    [finding] = run(rule, plan("2024-09-25"), date(2024, 12, 1))
    assert finding.due == date(2024, 12, 25)
    assert finding.explanation.startswith(
        "Due 2024-12-25 (Christmas Day, not a working day in England and Wales): 3 months after the ICPC"
    )


# -- due_at: a follow-up due on the day of an event (the ICPC's record by the first core group) --

BY_FIRST_CORE_GROUP: dict[str, Any] = {
    "id": "icpc-record",
    "kind": "deadline",
    "title": "t",
    "severity": "warning",
    "citation": "c",
    "trigger": {"event": "icpc", "where": {"outcome": "plan"}},
    "expect": {"field": "minutes_circulated", "or_field": "outline_plan_circulated"},
    "due_at": {"event": "core_group", "where": {"status": "held"}},
    "scope": "episode",
}


def test_due_at_is_the_first_such_event_and_the_earlier_document_counts() -> None:
    events = plan("2024-06-03", held("2024-06-13", "cg1"), held("2024-06-20", "cg2"))
    events[0] |= {"minutes_circulated": "2024-06-14", "outline_plan_circulated": "2024-06-12"}
    [finding] = run(BY_FIRST_CORE_GROUP, events, date(2024, 7, 1))
    # due Thu 13 Jun, the first core group held; the outline plan Wed 12 Jun is the earlier
    assert (finding.status, finding.due, finding.occurred_on) == (
        Status.MET,
        date(2024, 6, 13),
        date(2024, 6, 12),
    )
    events[0] |= {"outline_plan_circulated": None}
    [late] = run(BY_FIRST_CORE_GROUP, events, date(2024, 7, 1))
    # the minutes Fri 14 Jun: 1 working day, 1 calendar day after Thu 13 Jun
    assert (late.status, late.working_days_late, late.calendar_days_late) == (Status.LATE, 1, 1)


def test_due_at_not_yet_held_is_not_due_and_a_follow_up_after_as_of_is_not_seen() -> None:
    events = plan("2024-06-03")
    events[0] |= {"minutes_circulated": "2024-06-20"}
    [finding] = run(BY_FIRST_CORE_GROUP, events, date(2024, 6, 10))
    assert finding.status is Status.NOT_APPLICABLE and finding.explanation.startswith("Not yet due")
    [done] = run(BY_FIRST_CORE_GROUP, events, date(2024, 6, 21))
    assert (done.status, done.occurred_on) == (Status.MET, date(2024, 6, 20))


def test_a_deadline_needs_within_or_due_at_and_due_at_needs_a_follow_up_date() -> None:
    import pytest
    from pydantic import ValidationError

    both = {**BY_FIRST_CORE_GROUP, "within": {"working_days": 10}}
    neither = {k: v for k, v in BY_FIRST_CORE_GROUP.items() if k != "due_at"}
    with pytest.raises(ValidationError, match="write within or due_at, not both"):
        RULE_ADAPTER.validate_python(both)
    with pytest.raises(ValidationError, match=r"needs within \(a period after the trigger"):
        RULE_ADAPTER.validate_python(neither)
    with pytest.raises(ValidationError, match="due_at works with expect"):
        RULE_ADAPTER.validate_python({**FIRST_CORE_GROUP, "within": None, "due_at": {"event": "core_group"}})
    with pytest.raises(ValidationError, match="'outline_plan' is not a date field of icpc"):
        RULE_ADAPTER.validate_python(
            {**BY_FIRST_CORE_GROUP, "expect": {"field": "minutes_circulated", "or_field": "outline_plan"}}
        )
