"""``escalation``: k consecutive failed events of a plan require an escalation within a period.

The rules it carries: Jersey (Implementing Child Protection Plans v18), two consecutive visits
without access: the lead social worker is informed; Stoke (C06), a child who refuses or avoids
contact and remains unseen: an immediate discussion with the line manager (count 1). Dates are
counted by hand in the comments (England and Wales 2024: Good Friday 29 Mar, Easter Monday
1 Apr, 6 May, 27 May).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, EscalationRule
from cprules.rules.escalation import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()

NO_ACCESS: dict[str, Any] = {
    "id": "no-access-escalation",
    "title": "Two visits in a row without access: the lead social worker is informed",
    "event": "visit",
    "failure": {"outcome": "no_access"},
    "count": 2,
    "expect": {"event": "escalation", "where": {"to": "lead_social_worker"}},
    "within": {"working_days": 1},
}
UNSEEN: dict[str, Any] = {
    "id": "unseen-escalation",
    "title": "A child who refuses contact and stays unseen: discussed with the line manager",
    "event": "visit",
    "failure": {"outcome": "refused"},
    "count": 1,
    "expect": {"event": "escalation", "where": {"to": "line_manager"}},
    "within": {"working_days": 1},
}
PLAN = {"id": "ps", "type": "plan_start", "date": "2024-02-05"}


def _run(params: dict[str, Any], events: list[dict[str, Any]], as_of: date) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python(
        {"kind": "escalation", "severity": "breach", "citation": "test procedure, para 2", **params}
    )
    assert isinstance(rule, EscalationRule)
    timeline = Timeline.build(parse_case({"case_id": "ES", "events": events}), as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _visit(id_: str, day: str, outcome: str | None = "no_access") -> dict[str, Any]:
    return {"id": id_, "type": "visit", "date": day, "outcome": outcome}


def _told(id_: str, day: str, to: str = "lead_social_worker") -> dict[str, Any]:
    return {"id": id_, "type": "escalation", "date": day, "to": to}


def _summary(findings: list[Finding]) -> list[tuple[str, str, date | None]]:
    return [(f.key, f.status.value, f.due) for f in findings]


AS_OF = date(2024, 6, 3)


def test_on_the_due_date_after_easter_is_met() -> None:
    events = [PLAN, _visit("v1", "2024-03-14"), _visit("v2", "2024-03-28"), _told("x", "2024-04-02")]
    # Thu 28 Mar + 1 WD: (Good Friday 29 Mar, weekend, Easter Monday 1 Apr) Tue 2 Apr.
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.key, finding.status, finding.due, finding.occurred_on) == (
        "no-access-escalation@v2#1",
        Status.MET,
        date(2024, 4, 2),
        date(2024, 4, 2),
    )
    assert finding.evidence_events == ("v1", "v2", "x")
    assert "skipping Good Friday 29 March and Easter Monday 1 April" in finding.explanation
    assert (
        "the 2nd visit in a row at which no access was gained (after the visit v1 on 2024-03-14)"
        in finding.explanation
    )


def test_a_working_day_after_the_due_date_is_one_working_day_late() -> None:
    events = [PLAN, _visit("v1", "2024-03-14"), _visit("v2", "2024-03-28"), _told("x", "2024-04-03")]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.status, finding.due, finding.working_days_late, finding.calendar_days_late) == (
        Status.LATE,
        date(2024, 4, 2),
        1,
        1,
    )


def test_a_run_completed_on_a_saturday_is_due_on_the_monday() -> None:
    events = [PLAN, _visit("v1", "2024-03-01"), _visit("v2", "2024-03-02"), _told("x", "2024-03-04")]
    # Sat 2 Mar + 1 WD = Mon 4 Mar.
    assert _summary(_run(NO_ACCESS, events, AS_OF)) == [
        ("no-access-escalation@v2#1", "met", date(2024, 3, 4))
    ]


def test_due_then_overdue_around_as_of() -> None:
    events = [PLAN, _visit("v1", "2024-02-26"), _visit("v2", "2024-03-04")]
    # Mon 4 Mar + 1 WD = Tue 5 Mar.
    [due] = _run(NO_ACCESS, events, date(2024, 3, 5))
    assert (due.status, due.due) == (Status.DUE, date(2024, 3, 5))
    [overdue] = _run(NO_ACCESS, events, date(2024, 3, 8))
    # as at Fri 8 Mar: Wed 6, Thu 7, Fri 8 = 3 working days overdue
    assert (overdue.status, overdue.working_days_late) == (Status.OVERDUE, 3)


def test_an_escalation_the_same_day_counts_whatever_the_ids() -> None:
    # "a-call" sorts before "v2", so it comes first in the timeline on that day
    events = [PLAN, _visit("v1", "2024-02-26"), _visit("v2", "2024-03-04"), _told("a-call", "2024-03-04")]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.status, finding.occurred_on) == (Status.MET, date(2024, 3, 4))


def test_an_escalation_before_the_run_is_complete_does_not_count() -> None:
    events = [PLAN, _visit("v1", "2024-02-26"), _told("early", "2024-02-27"), _visit("v2", "2024-03-04")]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert finding.status is Status.OVERDUE


def test_an_escalation_to_someone_else_does_not_count() -> None:
    events = [
        PLAN,
        _visit("v1", "2024-02-26"),
        _visit("v2", "2024-03-04"),
        _told("x", "2024-03-04", "line_manager"),
    ]
    assert _run(NO_ACCESS, events, AS_OF)[0].status is Status.OVERDUE


# -- runs -----------------------------------------------------------------------------------------


def test_a_visit_with_access_ends_the_run() -> None:
    events = [
        PLAN,
        _visit("v1", "2024-02-26"),
        _visit("v2", "2024-03-04", "seen"),
        _visit("v3", "2024-03-11"),
    ]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.status, finding.explanation) == (
        Status.NOT_APPLICABLE,
        "No 2 consecutive visits at which no access was gained in a plan.",
    )


def test_the_count_starts_again_after_each_run() -> None:
    days = ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]
    events = [PLAN, *(_visit(f"v{n}", day) for n, day in enumerate(days, start=1))]
    # v1-v2 is one run, v3-v4 another; v5 alone is not yet a run
    assert [f.key for f in _run(NO_ACCESS, events, AS_OF)] == [
        "no-access-escalation@v2#1",
        "no-access-escalation@v4#1",
    ]


def test_count_one_triggers_on_each_failure() -> None:
    events = [
        PLAN,
        _visit("v1", "2024-03-04", "refused"),
        _told("lm", "2024-03-04", "line_manager"),
        _visit("v2", "2024-03-11", "seen"),
        _visit("v3", "2024-05-24", "refused"),
    ]
    # v3 Fri 24 May + 1 WD = Tue 28 May (Mon 27 May is a bank holiday); none by 3 Jun
    assert _summary(_run(UNSEEN, events, AS_OF)) == [
        ("unseen-escalation@v1#1", "met", date(2024, 3, 5)),
        ("unseen-escalation@v3#1", "overdue", date(2024, 5, 28)),
    ]


def test_a_run_does_not_cross_from_one_plan_to_the_next() -> None:
    events = [
        PLAN,
        _visit("v1", "2024-02-26"),
        {"id": "pe", "type": "plan_end", "date": "2024-03-01", "reason": "no_longer_at_risk"},
        {"id": "ps2", "type": "plan_start", "date": "2024-04-01"},
        _visit("v2", "2024-04-08"),
    ]
    assert _run(NO_ACCESS, events, AS_OF)[0].status is Status.NOT_APPLICABLE


def test_the_escalation_is_looked_for_in_the_same_plan() -> None:
    events = [
        PLAN,
        _visit("v1", "2024-02-26"),
        _visit("v2", "2024-02-27"),
        {"id": "pe", "type": "plan_end", "date": "2024-03-01", "reason": "no_longer_at_risk"},
        {"id": "ps2", "type": "plan_start", "date": "2024-04-01"},
        _told("x", "2024-04-02"),
    ]
    # Tue 27 Feb + 1 WD = Wed 28 Feb; the plan ended Fri 1 Mar with none: missed, 2 WD after the
    # due date (Thu 29 Feb, Fri 1 Mar); the escalation in the next plan, long after, is not this one's
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.key, finding.status, finding.due, finding.working_days_late) == (
        "no-access-escalation@v2#1",
        Status.MISSED,
        date(2024, 2, 28),
        2,
    )


def test_an_escalation_after_the_plan_ended_counts_when_made_in_time() -> None:
    # the plan ends on the day of the second visit without access (Tue 27 Feb); the lead social
    # worker is told the next working day, Wed 28 Feb, the due date: met
    ends = {"id": "pe", "type": "plan_end", "date": "2024-02-27", "reason": "moved_out"}
    events = [PLAN, _visit("v1", "2024-02-26"), _visit("v2", "2024-02-27"), ends, _told("x", "2024-02-28")]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.status, finding.occurred_on) == (Status.MET, date(2024, 2, 28))
    # with no escalation at all, the plan ended before it fell due: nothing is owed
    [lapsed] = _run(NO_ACCESS, events[:-1], AS_OF)
    assert lapsed.status is Status.NOT_APPLICABLE
    assert lapsed.explanation.startswith("The plan ended on 2024-02-27 (plan end pe), before")


# -- missing facts, nothing triggered, as_of -------------------------------------------------------


def test_an_empty_failure_field_that_could_complete_a_run_is_undetermined() -> None:
    events = [PLAN, _visit("v1", "2024-02-26"), _visit("v2", "2024-03-04", None), _told("x", "2024-03-20")]
    [finding] = _run(NO_ACCESS, events, AS_OF)
    assert (finding.key, finding.status) == ("no-access-escalation@v2#1", Status.UNDETERMINED)
    assert finding.explanation == (
        "The visit v2 on 2024-03-04 may complete 2 consecutive visits at which no access was gained, "
        "which need an escalation to the lead social worker within 1 working day, but it does not "
        "record the outcome of the visit."
    )


def test_an_empty_failure_field_never_leads_to_a_breach_built_on_a_guess() -> None:
    # v1 unknown, v2 and v3 without access: v2 may have completed a run with v1 (undetermined),
    # after which v3 starts a new run; no obligation is asserted from v3
    events = [
        PLAN,
        _visit("v1", "2024-02-26", None),
        _visit("v2", "2024-03-04"),
        _visit("v3", "2024-03-11"),
    ]
    assert _summary(_run(NO_ACCESS, events, AS_OF)) == [("no-access-escalation@v2#1", "undetermined", None)]


def test_an_empty_field_followed_by_access_decides_nothing_when_no_run_could_form() -> None:
    events = [PLAN, _visit("v1", "2024-02-26", None), _visit("v2", "2024-03-04", "seen")]
    assert _run(NO_ACCESS, events, AS_OF)[0].status is Status.NOT_APPLICABLE


def test_count_one_with_an_empty_outcome_is_undetermined() -> None:
    [finding] = _run(UNSEEN, [PLAN, _visit("v1", "2024-03-04", None)], AS_OF)
    assert (finding.key, finding.status) == ("unseen-escalation@v1#1", Status.UNDETERMINED)


def test_a_plan_with_no_failure_says_so_in_words() -> None:
    # count 1: "No visit at which ...", never the "a" form ("No a visit at which ...")
    [finding] = _run(UNSEEN, [PLAN, _visit("v1", "2024-03-04", "seen")], AS_OF)
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.explanation.startswith("No visit at which")
    assert "No a " not in finding.explanation
    # count 2: the run in words
    [finding] = _run(NO_ACCESS, [PLAN, _visit("v1", "2024-03-04", "seen")], AS_OF)
    assert finding.explanation.startswith("No 2 consecutive visits at which"), finding.explanation


def test_an_empty_outcome_is_named_in_the_procedure_s_words() -> None:
    [finding] = _run(UNSEEN, [PLAN, _visit("v1", "2024-03-04", None)], AS_OF)
    assert "does not record whether the child was seen" in finding.explanation or (
        "does not record the outcome" in finding.explanation
    ), finding.explanation
    assert "outcome is" not in finding.explanation and "None" not in finding.explanation


def test_no_plan_is_not_applicable() -> None:
    [finding] = _run(NO_ACCESS, [_visit("v1", "2024-02-26"), _visit("v2", "2024-03-04")], AS_OF)
    assert (finding.status, finding.explanation) == (Status.NOT_APPLICABLE, "No plan in the timeline.")


def test_events_after_as_of_are_not_seen() -> None:
    events = [PLAN, _visit("v1", "2024-02-26"), _visit("v2", "2024-03-04"), _told("x", "2024-03-05")]
    assert _run(NO_ACCESS, events, date(2024, 3, 1))[0].status is Status.NOT_APPLICABLE
    # as at Mon 4 Mar the run is complete and the escalation (Tue 5 Mar) not yet seen: due
    assert _summary(_run(NO_ACCESS, events, date(2024, 3, 4))) == [
        ("no-access-escalation@v2#1", "due", date(2024, 3, 5))
    ]
    assert _run(NO_ACCESS, events, date(2024, 3, 5))[0].status is Status.MET


# -- invariants -----------------------------------------------------------------------------------

START = date(2024, 1, 1)


@st.composite
def _timelines(draw: st.DrawFn) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"id": "ps", "type": "plan_start", "date": START.isoformat()}]
    day = START
    for n in range(draw(st.integers(0, 10))):
        day += timedelta(days=draw(st.integers(0, 6)))
        if draw(st.integers(0, 3)) == 0:
            events.append(_told(f"x{n}", day.isoformat()))
        else:
            outcome = draw(st.sampled_from(["no_access", "no_access", "seen", None]))
            events.append(_visit(f"v{n}", day.isoformat(), outcome))
    if draw(st.booleans()):
        events.append({"id": "pe", "type": "plan_end", "date": (day + timedelta(days=2)).isoformat()})
    return events


@settings(max_examples=200, deadline=None)
@given(_timelines(), st.integers(0, 80), st.integers(0, 80))
def test_met_late_and_overdue_findings_keep_their_status_at_a_later_as_of(
    events: list[dict[str, Any]], first: int, more: int
) -> None:
    earlier = _run(NO_ACCESS, events, START + timedelta(days=first))
    later = {f.key: f for f in _run(NO_ACCESS, events, START + timedelta(days=first + more))}
    assert earlier and later
    assert len({f.key for f in earlier}) == len(earlier)  # keys are unique
    for finding in earlier:
        if finding.status in (Status.MET, Status.LATE):
            assert (later[finding.key].status, later[finding.key].occurred_on) == (
                finding.status,
                finding.occurred_on,
            )
        if finding.status is Status.OVERDUE:
            assert later[finding.key].status in (Status.OVERDUE, Status.LATE, Status.MISSED)
        if finding.status is Status.MISSED:  # final, its lateness frozen
            assert (later[finding.key].status, later[finding.key].working_days_late) == (
                Status.MISSED,
                finding.working_days_late,
            )
