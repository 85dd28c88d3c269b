"""``interval``: consecutive qualifying events of a plan never further apart than a period.

The rules it carries: review conferences at most 6 months apart after the first review
(Working Together 2023); Stoke core groups monthly from the first, "or as agreed at the ICPC";
Jersey core groups four-weekly, and visits at least every 2 weeks from the plan start unless a
conference set another frequency with reasons. Expected dates are counted by hand in the
comments (England and Wales 2024: Good Friday 29 Mar, Easter Monday 1 Apr, 6 May, 27 May,
26 Aug, 25 and 26 Dec).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, IntervalRule
from cprules.rules.interval import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()

CORE_GROUPS: dict[str, Any] = {
    "id": "core-group-interval",
    "title": "Core groups at least monthly",
    "event": {"event": "core_group", "where": {"status": "held"}},
    "every": {"months": 1},
}
VISITS: dict[str, Any] = {
    "id": "visit-frequency",
    "title": "Visits at least every 2 weeks from the plan start",
    "event": {"event": "visit", "where": {"outcome": "seen"}},
    "anchor": "plan_start",
    "every": {"weeks": 2},
    "override_field": "visit_interval_days",
    "override_requires": "visit_interval_reason",
}


def _rule(params: dict[str, Any]) -> IntervalRule:
    rule = RULE_ADAPTER.validate_python(
        {"kind": "interval", "severity": "breach", "citation": "test procedure, para 1", **params}
    )
    assert isinstance(rule, IntervalRule)
    return rule


def _run(params: dict[str, Any], events: list[dict[str, Any]], as_of: date) -> list[Finding]:
    rule = _rule(params)
    timeline = Timeline.build(parse_case({"case_id": "IN", "events": events}), as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _cg(id_: str, day: str, status: str | None = "held") -> dict[str, Any]:
    return {"id": id_, "type": "core_group", "date": day, "status": status}


def _visit(id_: str, day: str, outcome: str | None = "seen") -> dict[str, Any]:
    return {"id": id_, "type": "visit", "date": day, "outcome": outcome}


def _summary(findings: list[Finding]) -> list[tuple[str, str, date | None]]:
    return [(f.key, f.status.value, f.due) for f in findings]


OPENING = [
    {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
    {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
]


# -- gaps: met, late, on the due date, weekends and bank holidays --------------------------------


def test_each_gap_is_one_finding_keyed_on_the_event_that_opens_it() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28"), _cg("cg2", "2024-04-26"), _cg("cg3", "2024-05-28")]
    findings = _run(CORE_GROUPS, events, date(2024, 6, 3))
    # Thu 28 Mar + 1 month = Sun 28 Apr: cg2 Fri 26 Apr is on time.
    # Fri 26 Apr + 1 month = Sun 26 May: cg3 Tue 28 May is late; Mon 27 May is a bank holiday,
    # so it is 1 working day (Tue 28) and 2 calendar days late.
    # Tue 28 May + 1 month = Fri 28 Jun: still open on 3 Jun.
    assert _summary(findings) == [
        ("core-group-interval@cg1#1", "met", date(2024, 4, 28)),
        ("core-group-interval@cg2#1", "late", date(2024, 5, 26)),
        ("core-group-interval@cg3#1", "due", date(2024, 6, 28)),
    ]
    late = findings[1]
    assert (late.occurred_on, late.working_days_late, late.calendar_days_late) == (date(2024, 5, 28), 1, 2)
    assert late.trigger_event == "cg2" and late.evidence_events == ("cg3",)
    assert "1 month after the core group cg2 on 2024-04-26" in late.explanation
    assert (
        "The core group cg3 was held on 2024-05-28: 1 working day late (2 calendar days)"
        in late.explanation
    )


def test_on_the_due_date_is_met_and_a_day_after_is_one_working_day_late() -> None:
    events = [
        {"id": "ps", "type": "plan_start", "date": "2024-03-04"},
        _visit("v1", "2024-03-18"),
        _visit("v2", "2024-04-02"),
    ]
    findings = _run(VISITS, events, date(2024, 4, 5))
    # Mon 4 Mar + 2 weeks = Mon 18 Mar: v1 that day is on time.
    # Mon 18 Mar + 2 weeks = Mon 1 Apr (Easter Monday: calendar periods are not moved to a
    # working day); v2 Tue 2 Apr is 1 working day late.
    assert _summary(findings)[:2] == [
        ("visit-frequency@ps#1", "met", date(2024, 3, 18)),
        ("visit-frequency@v1#1", "late", date(2024, 4, 1)),
    ]
    assert findings[1].working_days_late == 1 and findings[1].calendar_days_late == 1


def test_due_on_a_weekend_and_held_the_next_day_is_zero_working_days_late() -> None:
    events = [
        {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        _visit("v1", "2024-03-02"),
        _visit("v2", "2024-03-17"),
    ]
    findings = _run(VISITS, events, date(2024, 3, 20))
    # Sat 2 Mar + 2 weeks = Sat 16 Mar; v2 on Sun 17 Mar: 1 calendar day, 0 working days late.
    gap = findings[1]
    assert (gap.key, gap.status, gap.due) == ("visit-frequency@v1#1", Status.LATE, date(2024, 3, 16))
    assert (gap.working_days_late, gap.calendar_days_late) == (0, 1)


def test_a_working_day_period_skips_the_easter_bank_holidays_and_says_so() -> None:
    params = {**CORE_GROUPS, "every": {"working_days": 10}}
    events = [*OPENING, _cg("cg1", "2024-03-19"), _cg("cg2", "2024-04-05")]
    findings = _run(params, events, date(2024, 4, 8))
    # Tue 19 Mar + 10 WD: Wed 20, Thu 21, Fri 22, Mon 25, Tue 26, Wed 27, Thu 28, (Good Friday
    # 29, Easter Monday 1 Apr), Tue 2, Wed 3, Thu 4 Apr. cg2 on Fri 5 Apr: 1 working day late.
    gap = findings[0]
    assert (gap.status, gap.due, gap.working_days_late) == (Status.LATE, date(2024, 4, 4), 1)
    assert "Good Friday 29 March and Easter Monday 1 April" in gap.explanation


# -- the open gap after the last event -----------------------------------------------------------


def test_the_last_gap_is_due_up_to_its_due_date_and_overdue_the_day_after() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28")]
    # Thu 28 Mar + 1 month = Sun 28 Apr.
    [due] = _run(CORE_GROUPS, events, date(2024, 4, 28))
    assert (due.status, due.due, due.working_days_late) == (Status.DUE, date(2024, 4, 28), None)
    [overdue] = _run(CORE_GROUPS, events, date(2024, 4, 29))
    # as at Mon 29 Apr: overdue by 1 working day (Mon 29) and 1 calendar day.
    assert (overdue.status, overdue.working_days_late, overdue.calendar_days_late) == (Status.OVERDUE, 1, 1)
    assert "No core group held by 2024-04-29: overdue by 1 working day" in overdue.explanation


def test_an_event_after_as_of_is_not_seen() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28"), _cg("cg2", "2024-05-10")]
    # as at Fri 3 May cg2 (10 May) has not happened: the gap from cg1 (due Sun 28 Apr) is
    # overdue by Mon 29, Tue 30, Wed 1, Thu 2, Fri 3 = 5 working days.
    [finding] = _run(CORE_GROUPS, events, date(2024, 5, 3))
    assert (finding.key, finding.status, finding.working_days_late) == (
        "core-group-interval@cg1#1",
        Status.OVERDUE,
        5,
    )
    later = _run(CORE_GROUPS, events, date(2024, 5, 10))
    assert _summary(later)[0] == ("core-group-interval@cg1#1", "late", date(2024, 4, 28))


def test_a_plan_that_ended_before_the_next_event_fell_due_lapses_the_gap() -> None:
    events = [
        *OPENING,
        _cg("cg1", "2024-03-28"),
        {"id": "pe", "type": "plan_end", "date": "2024-04-28", "reason": "no_longer_at_risk"},
    ]
    # cg1 + 1 month = Sun 28 Apr, the day the plan ended: the plan ended first (due >= end).
    [finding] = _run(CORE_GROUPS, events, date(2024, 6, 1))
    assert (finding.key, finding.status) == ("core-group-interval@cg1#1", Status.NOT_APPLICABLE)
    # the same day: not "before it fell due on 2024-04-28"
    assert finding.explanation.startswith(
        "The plan ended on 2024-04-28 (plan end pe), on the day the next core group held fell due ("
    )


def test_a_plan_that_ended_after_the_next_event_fell_due_leaves_it_missed() -> None:
    events = [
        *OPENING,
        _cg("cg1", "2024-03-28"),
        {"id": "pe", "type": "plan_end", "date": "2024-04-29", "reason": "no_longer_at_risk"},
    ]
    # due Sun 28 Apr, plan ended Mon 29 Apr with no core group after cg1: missed, 1 WD (Mon 29)
    # and 1 calendar day after the due date, frozen there at any later as_of
    for as_of in (date(2024, 5, 31), date(2025, 5, 31)):
        [finding] = _run(CORE_GROUPS, events, as_of)
        assert (finding.status, finding.due, finding.working_days_late, finding.calendar_days_late) == (
            Status.MISSED,
            date(2024, 4, 28),
            1,
            1,
        )
        assert "No core group held by the time the plan ended on 2024-04-29" in finding.explanation


def test_a_core_group_on_the_day_the_plan_ends_belongs_to_the_plan() -> None:
    events = [
        *OPENING,
        _cg("cg1", "2024-03-28"),
        _cg("cg2", "2024-04-26"),
        {"id": "pe", "type": "plan_end", "date": "2024-04-26", "reason": "no_longer_at_risk"},
    ]
    findings = _run(CORE_GROUPS, events, date(2024, 6, 1))
    # cg1 -> cg2 met (due Sun 28 Apr); cg2 + 1 month = Sun 26 May, after the end: lapsed.
    assert [(f.key, f.status.value) for f in findings] == [
        ("core-group-interval@cg1#1", "met"),
        ("core-group-interval@cg2#1", "not_applicable"),
    ]


# -- episodes and anchors ------------------------------------------------------------------------


def test_a_second_plan_starts_its_own_chain() -> None:
    events = [
        *OPENING,
        _cg("cg1", "2024-03-28"),
        {"id": "pe", "type": "plan_end", "date": "2024-04-10", "reason": "no_longer_at_risk"},
        {"id": "ic2", "type": "icpc", "date": "2024-07-01", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-07-01"},
        _cg("cg2", "2024-07-09"),
        _cg("cg3", "2024-08-09"),
    ]
    findings = _run(CORE_GROUPS, events, date(2024, 8, 12))
    # plan 1: cg1 + 1 month = 28 Apr, after the end on 10 Apr: lapsed, never "late" at cg2.
    # plan 2: Tue 9 Jul + 1 month = Fri 9 Aug: cg3 that day is on time; then due Mon 9 Sep.
    assert _summary(findings) == [
        ("core-group-interval@cg1#1", "not_applicable", None),
        ("core-group-interval@cg2#1", "met", date(2024, 8, 9)),
        ("core-group-interval@cg3#1", "due", date(2024, 9, 9)),
    ]


def test_the_first_gap_runs_from_the_anchor() -> None:
    events = [{"id": "ps", "type": "plan_start", "date": "2024-03-04"}]
    # no visit yet: Mon 4 Mar + 2 weeks = Mon 18 Mar; as at Tue 19 Mar, 1 working day overdue.
    [finding] = _run(VISITS, events, date(2024, 3, 19))
    assert (finding.key, finding.status, finding.due, finding.working_days_late) == (
        "visit-frequency@ps#1",
        Status.OVERDUE,
        date(2024, 3, 18),
        1,
    )


def test_a_missing_anchor_is_not_applicable_for_that_plan() -> None:
    params = {
        "id": "review-interval",
        "title": "Review conferences at most 6 months apart",
        "event": "review_conference",
        "anchor": "review_conference",
        "every": {"months": 6},
    }
    events = [
        *OPENING,
        {"id": "rc1", "type": "review_conference", "date": "2024-06-10", "outcome": "continue"},
    ]
    [none_yet] = _run(params, events, date(2024, 5, 1))
    assert (none_yet.key, none_yet.status) == ("review-interval@ps#1", Status.NOT_APPLICABLE)
    assert none_yet.explanation == "No review conference yet in plan 1: the interval runs from the first one."
    # from the first review: Mon 10 Jun + 6 months = Tue 10 Dec.
    [first] = _run(params, events, date(2024, 7, 1))
    assert (first.key, first.status, first.due) == ("review-interval@rc1#1", Status.DUE, date(2024, 12, 10))


def test_no_plan_is_not_applicable() -> None:
    [finding] = _run(CORE_GROUPS, [_cg("cg1", "2024-03-28")], date(2024, 6, 1))
    assert (finding.status, finding.explanation) == (Status.NOT_APPLICABLE, "No plan in the timeline.")


def test_a_plan_without_any_qualifying_event_is_not_applicable() -> None:
    [finding] = _run(CORE_GROUPS, [*OPENING, _cg("x", "2024-03-28", "cancelled")], date(2024, 6, 1))
    assert (finding.key, finding.status) == ("core-group-interval@ps#1", Status.NOT_APPLICABLE)


# -- frequencies set by a conference -------------------------------------------------------------


def _opening(**fields: Any) -> list[dict[str, Any]]:
    return [
        {"id": "ic", "type": "icpc", "date": "2024-03-04", "outcome": "plan", **fields},
        {"id": "ps", "type": "plan_start", "date": "2024-03-04"},
    ]


def test_a_frequency_set_with_reasons_replaces_the_standard_one() -> None:
    events = [*_opening(visit_interval_days=7, visit_interval_reason="infant"), _visit("v1", "2024-03-12")]
    [gap, last] = _run(VISITS, events, date(2024, 3, 13))
    # Mon 4 Mar + 7 days = Mon 11 Mar: v1 Tue 12 Mar is late (1 working day).
    assert (gap.status, gap.due, gap.working_days_late) == (Status.LATE, date(2024, 3, 11), 1)
    assert "7 days after the plan start ps on 2024-03-04, the frequency set by the ICPC ic" in gap.explanation
    # Tue 12 Mar + 7 days = Tue 19 Mar.
    assert (last.status, last.due) == (Status.DUE, date(2024, 3, 19))


def test_a_frequency_set_without_reasons_does_not_count_and_the_explanation_says_so() -> None:
    events = [*_opening(visit_interval_days=28), _visit("v1", "2024-03-25")]
    [gap, _] = _run(VISITS, events, date(2024, 3, 26))
    # the standard 2 weeks: Mon 4 Mar + 14 days = Mon 18 Mar; v1 Mon 25 Mar: 5 working days late.
    assert (gap.status, gap.due, gap.working_days_late) == (Status.LATE, date(2024, 3, 18), 5)
    assert (
        "2 weeks after the plan start ps on 2024-03-04 (the ICPC ic on 2024-03-04 set 28 days but "
        in gap.explanation
    )
    assert "recorded no reasons, so that does not count)" in gap.explanation


def test_a_later_conference_changes_the_frequency_for_gaps_opening_from_its_date() -> None:
    events = [
        *_opening(),
        _visit("v1", "2024-03-15"),
        {
            "id": "rc",
            "type": "review_conference",
            "date": "2024-03-20",
            "outcome": "continue",
            "visit_interval_days": 28,
            "visit_interval_reason": "stable placement",
        },
        _visit("v2", "2024-03-29"),
        _visit("v3", "2024-04-26"),
    ]
    findings = _run(VISITS, events, date(2024, 4, 26))
    # ps Mon 4 Mar + 2 weeks = Mon 18 Mar: v1 Fri 15 Mar met.
    # v1 Fri 15 Mar opened before the review: 2 weeks = Fri 29 Mar: v2 that day met.
    # v2 Fri 29 Mar opened after the review (Wed 20 Mar): 28 days = Fri 26 Apr: v3 met.
    assert _summary(findings) == [
        ("visit-frequency@ps#1", "met", date(2024, 3, 18)),
        ("visit-frequency@v1#1", "met", date(2024, 3, 29)),
        ("visit-frequency@v2#1", "met", date(2024, 4, 26)),
        ("visit-frequency@v3#1", "due", date(2024, 5, 24)),
    ]


def test_an_unreasoned_change_leaves_the_earlier_reasoned_frequency_standing() -> None:
    events = [
        *_opening(visit_interval_days=7, visit_interval_reason="infant"),
        {"id": "rc", "type": "review_conference", "date": "2024-03-06", "visit_interval_days": 21},
        _visit("v1", "2024-03-11"),
    ]
    [_, last] = _run(VISITS, events, date(2024, 3, 12))
    # from v1 Mon 11 Mar the ICPC's 7 days still hold: Mon 18 Mar.
    assert last.due == date(2024, 3, 18)
    assert "7 days after the visit v1 on 2024-03-11, the frequency set by the ICPC ic" in last.explanation
    assert "the review conference rc on 2024-03-06 set 21 days but recorded no reasons" in last.explanation


def test_a_core_group_frequency_agreed_at_the_icpc_needs_no_reasons() -> None:
    params = {**CORE_GROUPS, "override_field": "core_group_interval_days"}
    events = [*_opening(core_group_interval_days=42), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-04-25")]
    findings = _run(params, events, date(2024, 4, 26))
    # Thu 14 Mar + 42 days = Thu 25 Apr: cg2 that day is on time.
    assert _summary(findings)[0] == ("core-group-interval@cg1#1", "met", date(2024, 4, 25))


def test_a_conference_of_another_plan_sets_nothing() -> None:
    events = [
        *_opening(visit_interval_days=7, visit_interval_reason="infant"),
        {"id": "pe", "type": "plan_end", "date": "2024-03-05", "reason": "moved_out"},
        {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
    ]
    findings = _run(VISITS, events, date(2024, 6, 4))
    # plan 2 (no conference): Mon 3 Jun + 2 weeks = Mon 17 Jun.
    assert _summary(findings)[-1] == ("visit-frequency@ps2#1", "due", date(2024, 6, 17))


@pytest.mark.parametrize("outcome", ["postponed", "adjourned"])
def test_a_conference_that_did_not_sit_or_decide_sets_nothing(outcome: str) -> None:
    events = [
        *_opening(),
        _visit("v1", "2024-03-12"),
        {
            "id": "rc",
            "type": "review_conference",
            "date": "2024-03-13",
            "outcome": outcome,
            "visit_interval_days": 7,
            "visit_interval_reason": "weekly while the baby is unwell",
        },
        _visit("v2", "2024-03-26"),
    ]
    findings = _run(VISITS, events, date(2024, 3, 27))
    # the fortnight governs: Tue 12 Mar + 14 days = Tue 26 Mar (v2 on time); Tue 26 Mar + 14 days
    # = Tue 9 Apr. The postponed or adjourned review's 7 days would have made v2 late.
    assert _summary(findings)[1:] == [
        ("visit-frequency@v1#1", "met", date(2024, 3, 26)),
        ("visit-frequency@v2#1", "due", date(2024, 4, 9)),
    ]
    assert all("the review conference rc" not in f.explanation for f in findings)


# -- a frequency only a conference sets (no every) -------------------------------------------------

SET_ONLY: dict[str, Any] = {
    "id": "core-group-frequency",
    "title": "Core groups at the frequency the conference agreed",
    "event": {"event": "core_group", "where": {"status": "held"}},
    "override_field": "core_group_interval_days",
}


def test_without_every_a_gap_no_conference_set_a_frequency_for_is_not_applicable() -> None:
    events = [*_opening(), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-06-20")]
    findings = _run(SET_ONLY, events, date(2024, 6, 21))
    # 14 weeks between them, but the procedure sets no frequency and no conference set one: no
    # gap is checked, and the rule says so once (not once per core group of an ordinary case)
    assert [f.status for f in findings] == [Status.NOT_APPLICABLE]
    explanation = findings[0].explanation
    assert explanation.startswith("No conference set a frequency for core groups")
    assert "procedure sets none of its own" in explanation
    assert "None" not in explanation and "_" not in explanation


def test_without_every_the_frequency_the_icpc_set_governs() -> None:
    events = [*_opening(core_group_interval_days=21), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-04-05")]
    [gap, last] = _run(SET_ONLY, events, date(2024, 4, 8))
    # Thu 14 Mar + 21 days = Thu 4 Apr; cg2 Fri 5 Apr is 1 working day (1 calendar day) late.
    assert (gap.status, gap.due, gap.working_days_late) == (Status.LATE, date(2024, 4, 4), 1)
    assert "21 days after the core group cg1 on 2024-03-14, the frequency set by the ICPC ic" in (
        gap.explanation
    )
    # Fri 5 Apr + 21 days = Fri 26 Apr: still open on Mon 8 Apr.
    assert (last.status, last.due) == (Status.DUE, date(2024, 4, 26))


def test_without_every_a_review_setting_a_frequency_applies_from_its_date() -> None:
    events = [
        *_opening(),
        _cg("cg1", "2024-03-14"),
        {"id": "rc", "type": "review_conference", "date": "2024-05-30", "outcome": "continue",
         "core_group_interval_days": 28},
        _cg("cg2", "2024-06-03"),
    ]
    findings = _run(SET_ONLY, events, date(2024, 7, 2))
    # cg1 opened before any frequency was set: not checked, no finding.
    # cg2 Mon 3 Jun opened after the review set 28 days: due Mon 1 Jul; overdue on Tue 2 Jul.
    assert _summary(findings) == [("core-group-frequency@cg2#1", "overdue", date(2024, 7, 1))]


def test_every_may_be_left_out_only_with_override_field() -> None:
    with pytest.raises(ValidationError, match="an interval needs every"):
        _rule({k: v for k, v in SET_ONLY.items() if k != "override_field"})


# -- a conference may only shorten the frequency (override_only_shortens) -------------------------

FOUR_WEEKLY: dict[str, Any] = {
    "id": "core-group-interval",
    "title": "Core groups at least four-weekly",
    "event": {"event": "core_group", "where": {"status": "held"}},
    "every": {"weeks": 4},
    "override_field": "core_group_interval_days",
    "override_only_shortens": True,
}


def test_a_shorter_set_frequency_applies() -> None:
    events = [*_opening(core_group_interval_days=14), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-03-29")]
    [gap, _] = _run(FOUR_WEEKLY, events, date(2024, 4, 1))
    # Thu 14 Mar + 14 days = Thu 28 Mar; cg2 Fri 29 Mar is 1 calendar day late and 0 working
    # days late (Good Friday, the only day after the due date, is not a working day).
    assert (gap.status, gap.due, gap.working_days_late, gap.calendar_days_late) == (
        Status.LATE,
        date(2024, 3, 28),
        0,
        1,
    )
    assert "the frequency set by the ICPC ic" in gap.explanation


def test_a_longer_set_frequency_is_not_applied_and_the_four_weeks_govern() -> None:
    events = [*_opening(core_group_interval_days=42), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-04-25")]
    [gap, _] = _run(FOUR_WEEKLY, events, date(2024, 4, 26))
    # the ICPC set 42 days, but only a shorter frequency counts: Thu 14 Mar + 4 weeks = Thu 11 Apr.
    # cg2 Thu 25 Apr is 10 working days late (Fri 12 .. Thu 25 Apr, no holidays) and 14 calendar days.
    assert (gap.status, gap.due, gap.working_days_late, gap.calendar_days_late) == (
        Status.LATE,
        date(2024, 4, 11),
        10,
        14,
    )
    assert (
        "4 weeks after the core group cg1 on 2024-03-14 (the ICPC ic on 2024-03-04 set 42 days, longer "
        "than the 4 weeks the procedure allows; a conference may only shorten it, so the 4 weeks apply)"
        in gap.explanation
    )


def test_a_set_frequency_equal_to_the_four_weeks_is_accepted() -> None:
    events = [*_opening(core_group_interval_days=28), _cg("cg1", "2024-03-14"), _cg("cg2", "2024-04-11")]
    [gap, _] = _run(FOUR_WEEKLY, events, date(2024, 4, 12))
    # Thu 14 Mar + 28 days = Thu 11 Apr either way: met, and credited to the ICPC's frequency.
    assert (gap.status, gap.due) == (Status.MET, date(2024, 4, 11))
    assert "the frequency set by the ICPC ic" in gap.explanation


def test_only_shortens_needs_every_and_override_field() -> None:
    with pytest.raises(ValidationError, match="override_only_shortens compares"):
        _rule({**SET_ONLY, "override_only_shortens": True})


# -- missing facts ------------------------------------------------------------------------------


def test_an_event_with_an_empty_tested_field_in_a_late_gap_is_undetermined() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28"), _cg("cgx", "2024-04-20", None), _cg("cg2", "2024-05-10")]
    findings = _run(CORE_GROUPS, events, date(2024, 5, 13))
    # cg1 -> cg2 would be late (due Sun 28 Apr), but cgx on 20 Apr may have been held.
    assert (findings[0].key, findings[0].status, findings[0].due) == (
        "core-group-interval@cg1#1",
        Status.UNDETERMINED,
        date(2024, 4, 28),
    )
    assert (
        "the core group cgx on 2024-04-20 does not record whether the meeting was held"
        in findings[0].explanation.lower()
    )
    # the open gap after the last sure one continues: cg2 Fri 10 May + 1 month = Mon 10 Jun.
    assert _summary(findings)[1] == ("core-group-interval@cg2#1", "due", date(2024, 6, 10))


def test_an_empty_field_after_the_due_date_changes_nothing() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28"), _cg("cgx", "2024-05-01", None), _cg("cg2", "2024-05-10")]
    findings = _run(CORE_GROUPS, events, date(2024, 5, 13))
    assert findings[0].status is Status.LATE


def test_an_empty_field_in_an_open_overdue_gap_is_undetermined() -> None:
    events = [*OPENING, _cg("cg1", "2024-03-28"), _cg("cgx", "2024-04-20", None)]
    [finding] = _run(CORE_GROUPS, events, date(2024, 5, 13))
    assert (finding.status, finding.due) == (Status.UNDETERMINED, date(2024, 4, 28))


def test_a_first_event_with_an_empty_field_leaves_the_start_undetermined() -> None:
    [finding] = _run(CORE_GROUPS, [*OPENING, _cg("cgx", "2024-03-28", None)], date(2024, 6, 1))
    assert (finding.key, finding.status) == ("core-group-interval@cgx#1", Status.UNDETERMINED)


# -- invariants -----------------------------------------------------------------------------------

START = date(2024, 1, 1)


@st.composite
def _timelines(draw: st.DrawFn) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"id": "ps", "type": "plan_start", "date": START.isoformat()}]
    day = START
    for n in range(draw(st.integers(0, 8))):
        day += timedelta(days=draw(st.integers(0, 25)))
        outcome = draw(st.sampled_from(["seen", "seen", "no_access", None]))
        events.append(_visit(f"v{n}", day.isoformat(), outcome))
    if draw(st.booleans()):
        day += timedelta(days=draw(st.integers(0, 20)))
        events.append({"id": "pe", "type": "plan_end", "date": day.isoformat()})
    return events


@settings(max_examples=150, deadline=None)
@given(_timelines(), st.integers(0, 200), st.integers(0, 200))
def test_met_late_and_overdue_findings_keep_their_status_at_a_later_as_of(
    events: list[dict[str, Any]], first: int, more: int
) -> None:
    earlier = {f.key: f for f in _run(VISITS, events, START + timedelta(days=first))}
    later = {f.key: f for f in _run(VISITS, events, START + timedelta(days=first + more))}
    for key, finding in earlier.items():
        if finding.status in (Status.MET, Status.LATE):
            assert (later[key].status, later[key].due, later[key].occurred_on) == (
                finding.status,
                finding.due,
                finding.occurred_on,
            )
        if finding.status is Status.OVERDUE:
            assert later[key].status in (Status.OVERDUE, Status.LATE, Status.MISSED)
        if finding.status is Status.MISSED:  # final, its lateness frozen at the plan's end
            frozen = (Status.MISSED, finding.working_days_late)
            assert (later[key].status, later[key].working_days_late) == frozen
    assert earlier and later  # every evaluation reports
