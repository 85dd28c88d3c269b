"""The ``condition`` kind: required facts, and required events before or after an event.

Dates worked out by hand (England 2024):
    Mar: Tue 19, Wed 20, Thu 21, Fri 22 | Mon 25 .. Thu 28, Fri 29 (Good Friday), Sat 30, Sun 31
    Apr: Mon 1 (Easter Monday), Tue 2, Wed 3, Thu 4, Fri 5 | Mon 8 .. Fri 12 | Mon 15
    Jun: Mon 3, Tue 4, Wed 5, Thu 6, Fri 7 | Mon 10
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from cprules import parse_case
from cprules.calendar import WorkingCalendar
from cprules.findings import Finding
from cprules.pack.model import RULE_ADAPTER
from cprules.rules.condition import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()
AS_OF = date(2024, 12, 31)


def _rule(**params: Any) -> Any:
    return RULE_ADAPTER.validate_python(
        {
            "id": "cond",
            "kind": "condition",
            "title": "A condition",
            "severity": "breach",
            "citation": "c",
            **params,
        }
    )


def _run(rule: Any, events: list[dict[str, Any]], as_of: date = AS_OF) -> list[Finding]:
    case = parse_case({"case_id": "CON", "child": {"date_of_birth": "2019-01-01"}, "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _statuses(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.key, f.status.value) for f in findings]


# --- require ---------------------------------------------------------------------------------

LEAD_NAMED = _rule(
    event={"event": "icpc", "where": {"outcome": "plan"}}, require={"lead_social_worker_named": True}
)


def test_required_fact_true_false_or_missing() -> None:
    events = [
        {
            "id": "a",
            "type": "icpc",
            "date": "2024-03-19",
            "outcome": "plan",
            "lead_social_worker_named": True,
        },
        {
            "id": "b",
            "type": "icpc",
            "date": "2024-05-01",
            "outcome": "plan",
            "lead_social_worker_named": False,
        },
        {"id": "c", "type": "icpc", "date": "2024-07-01", "outcome": "plan"},
        {
            "id": "d",
            "type": "icpc",
            "date": "2024-08-01",
            "outcome": "no_plan",
            "lead_social_worker_named": False,
        },
    ]
    findings = _run(LEAD_NAMED, events)
    assert _statuses(findings) == [
        ("cond@a#1", "met"),
        ("cond@b#1", "violated"),
        ("cond@c#1", "undetermined"),
    ]
    assert "At the ICPC b on 2024-05-01, no lead social worker was named" in findings[1].explanation
    assert "does not record whether a lead social worker was named" in findings[2].explanation


def test_nothing_qualifying_is_not_applicable() -> None:
    events = [{"id": "d", "type": "icpc", "date": "2024-08-01", "outcome": "no_plan"}]
    [finding] = _run(LEAD_NAMED, events)
    assert (finding.key, finding.status.value) == ("cond@-#1", "not_applicable")


def test_an_event_after_as_of_is_unseen() -> None:
    events = [
        {
            "id": "b",
            "type": "icpc",
            "date": "2024-05-01",
            "outcome": "plan",
            "lead_social_worker_named": False,
        }
    ]
    assert _run(LEAD_NAMED, events, as_of=date(2024, 4, 30))[0].status.value == "not_applicable"


NEGLECT_REVIEW = _rule(
    event={"event": "review_conference", "where": {"categories": {"contains": "neglect"}}},
    require={"neglect_assessment_revised": True},
)


def test_a_review_that_may_not_be_of_a_neglect_plan_is_never_a_breach() -> None:
    events = [
        {"id": "r1", "type": "review_conference", "date": "2024-03-19", "neglect_assessment_revised": True},
        {"id": "r2", "type": "review_conference", "date": "2024-06-19", "neglect_assessment_revised": False},
        {
            "id": "r3",
            "type": "review_conference",
            "date": "2024-09-19",
            "categories": ["neglect", "emotional"],
            "neglect_assessment_revised": False,
        },
        {"id": "r4", "type": "review_conference", "date": "2024-10-19", "categories": ["physical"]},
    ]
    findings = _run(NEGLECT_REVIEW, events)
    assert _statuses(findings) == [
        ("cond@r1#1", "met"),  # holds whatever the categories are
        ("cond@r2#1", "undetermined"),  # would fail, but is it a neglect plan?
        ("cond@r3#1", "violated"),
    ]
    assert (
        "does not record the categories of harm, which decides whether the rule applies"
        in findings[1].explanation
    )


# --- preceded_by -------------------------------------------------------------------------------

CHILD_SEEN = _rule(
    event={"event": "icpc", "where": {"prebirth": False}},
    preceded_by={"event": "visit", "where": {"outcome": "seen"}},
)


def _icpc(day: str, id_: str = "ic", **more: Any) -> dict[str, Any]:
    return {"id": id_, "type": "icpc", "date": day, "prebirth": False, **more}


def test_child_seen_before_the_icpc() -> None:
    events = [{"id": "v", "type": "visit", "date": "2024-03-12", "outcome": "seen"}, _icpc("2024-03-19")]
    [finding] = _run(CHILD_SEEN, events)
    assert (finding.status.value, finding.occurred_on, finding.evidence_events) == (
        "met",
        date(2024, 3, 12),
        ("v",),
    )


def test_child_not_seen_before_the_icpc_is_violated() -> None:
    events = [
        {"id": "v1", "type": "visit", "date": "2024-03-12", "outcome": "no_access"},
        _icpc("2024-03-19"),
        {"id": "v2", "type": "visit", "date": "2024-03-20", "outcome": "seen"},  # after: too late
    ]
    [finding] = _run(CHILD_SEEN, events)
    assert finding.status.value == "violated"
    assert "No visit on which the child was seen before the ICPC ic on 2024-03-19" in finding.explanation


def test_a_visit_on_the_day_of_the_icpc_sorts_after_it() -> None:
    # the timeline puts conferences before visits on one day (SPEC §3)
    events = [{"id": "v", "type": "visit", "date": "2024-03-19", "outcome": "seen"}, _icpc("2024-03-19")]
    assert _run(CHILD_SEEN, events)[0].status.value == "violated"


def test_only_a_visit_with_no_outcome_is_undetermined() -> None:
    events = [{"id": "v", "type": "visit", "date": "2024-03-12"}, _icpc("2024-03-19")]
    [finding] = _run(CHILD_SEEN, events)
    assert finding.status.value == "undetermined"
    assert "visit v on 2024-03-12 does not record the outcome of the visit" in finding.explanation


def test_an_unborn_childs_icpc_does_not_qualify_and_an_unrecorded_one_is_not_a_breach() -> None:
    events = [
        {"id": "ic1", "type": "icpc", "date": "2024-03-19", "prebirth": True},
        {"id": "ic2", "type": "icpc", "date": "2024-05-01"},
    ]
    # an unborn child (an expected delivery date, no date of birth): whether ic2 is pre-birth is
    # unknown, so no breach
    case = parse_case({"case_id": "CON", "child": {"expected_delivery_date": "2024-08-01"}, "events": events})
    timeline = Timeline.build(case, AS_OF, CALENDAR)
    [finding] = evaluate(CHILD_SEEN, timeline, Verdicts(CHILD_SEEN, timeline))
    assert (finding.key, finding.status.value) == ("cond@ic2#1", "undetermined")
    assert "does not record whether it was a pre-birth conference" in finding.explanation
    assert "overdue" not in finding.explanation


def test_a_child_born_before_the_icpc_settles_that_it_was_not_pre_birth() -> None:
    # born 2019-01-01, long before the ICPC of 1 May 2024: an ordinary conference, so the child
    # must have been seen before it (SPEC §4: a fact the case settles is not left unknown)
    events = [{"id": "ic2", "type": "icpc", "date": "2024-05-01"}]
    [finding] = _run(CHILD_SEEN, events)
    assert (finding.key, finding.status.value) == ("cond@ic2#1", "violated")


PLAN_CHANGES = _rule(
    event="plan_changed", preceded_by="review_conference", within={"days": 0}, scope="episode"
)


def test_plan_changed_only_on_the_day_of_a_review() -> None:
    events = [
        {"id": "ps", "type": "plan_start", "date": "2024-01-10"},
        {"id": "pc1", "type": "plan_changed", "date": "2024-04-10"},
        {"id": "rc", "type": "review_conference", "date": "2024-04-10"},  # sorts before pc1
        {"id": "pc2", "type": "plan_changed", "date": "2024-04-11"},  # the day after
    ]
    findings = _run(PLAN_CHANGES, events)
    assert _statuses(findings) == [("cond@pc1#1", "met"), ("cond@pc2#1", "violated")]
    assert "on the same day" in findings[1].explanation


def test_within_working_days_before() -> None:
    # Tue 2 Apr - 2 WD: day -1 Thu 28 Mar (Easter), day -2 Wed 27 Mar
    rule = _rule(event="plan_changed", preceded_by="review_conference", within={"working_days": 2})
    on_edge = [
        {"id": "rc", "type": "review_conference", "date": "2024-03-27"},
        {"id": "pc", "type": "plan_changed", "date": "2024-04-02"},
    ]
    assert _run(rule, on_edge)[0].status.value == "met"
    too_early = [{**on_edge[0], "date": "2024-03-26"}, on_edge[1]]
    [finding] = _run(rule, too_early)
    assert finding.status.value == "violated"
    assert "on or after 2024-03-27" in finding.explanation


def test_a_second_plan_restarts_the_episode_scope() -> None:
    events = [
        {"id": "ps1", "type": "plan_start", "date": "2024-01-10"},
        {"id": "rc", "type": "review_conference", "date": "2024-04-09"},
        {"id": "pc1", "type": "plan_changed", "date": "2024-04-09"},
        {"id": "pe1", "type": "plan_end", "date": "2024-04-09"},
        {"id": "ps2", "type": "plan_start", "date": "2024-04-10"},
        {"id": "pc2", "type": "plan_changed", "date": "2024-04-10"},
    ]
    # within {days: 1} reaches back to Tue 9 Apr, but rc belongs to the first plan
    rule = _rule(event="plan_changed", preceded_by="review_conference", within={"days": 1}, scope="episode")
    findings = _run(rule, events)
    assert _statuses(findings) == [("cond@pc1#1", "met"), ("cond@pc2#1", "violated")]
    assert "in the same plan" in findings[1].explanation
    case_scope = _rule(event="plan_changed", preceded_by="review_conference", within={"days": 1})
    assert [f.status.value for f in _run(case_scope, events)] == ["met", "met"]


def test_with_episode_scope_an_event_outside_any_plan_is_not_applicable() -> None:
    events = [
        {"id": "lac0", "type": "lac_review", "date": "2024-01-05"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-10"},
        {"id": "rc", "type": "review_conference", "date": "2024-04-02"},
        {"id": "lac1", "type": "lac_review", "date": "2024-04-10"},
        {"id": "pe", "type": "plan_end", "date": "2024-05-01"},
        {"id": "lac2", "type": "lac_review", "date": "2024-06-10"},
    ]
    rule = _rule(event="lac_review", preceded_by="review_conference", scope="episode")
    findings = _run(rule, events)
    assert _statuses(findings) == [
        ("cond@lac0#1", "not_applicable"),
        ("cond@lac1#1", "met"),
        ("cond@lac2#1", "not_applicable"),
    ]
    assert "outside any plan" in findings[2].explanation


def test_same_day_events_of_the_same_rank_count_either_way() -> None:
    # a visit and a plan change on one day are ordered only by id
    rule = _rule(event="plan_changed", preceded_by={"event": "visit"}, within={"days": 0})
    events = [
        {"id": "a-change", "type": "plan_changed", "date": "2024-04-10"},
        {"id": "b-visit", "type": "visit", "date": "2024-04-10"},
    ]
    assert _run(rule, events)[0].status.value == "met"


# --- followed_by -------------------------------------------------------------------------------

HOSPITAL = _rule(
    event={"event": "hospital_admission", "where": {"planned": False}},
    followed_by={"event": "core_group", "where": {"status": "held"}},
    before="hospital_discharge",
    scope="episode",
)
PLAN = [{"id": "ps", "type": "plan_start", "date": "2024-01-10"}]
ADMITTED = {"id": "adm", "type": "hospital_admission", "date": "2024-06-03", "planned": False}


def test_core_group_before_discharge_is_met() -> None:
    events = [
        *PLAN,
        ADMITTED,
        {"id": "cg", "type": "core_group", "date": "2024-06-05", "status": "held"},
        {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"},
    ]
    [finding] = _run(HOSPITAL, events)
    assert (finding.key, finding.status.value, finding.evidence_events) == ("cond@adm#1", "met", ("cg",))
    assert "before the hospital discharge dis on 2024-06-07" in finding.explanation


def test_discharge_without_a_core_group_is_violated_and_stays_so() -> None:
    events = [
        *PLAN,
        ADMITTED,
        {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"},
        {"id": "cg", "type": "core_group", "date": "2024-06-10", "status": "held"},
    ]
    for as_of in (date(2024, 6, 7), date(2024, 6, 10), AS_OF):
        [finding] = _run(HOSPITAL, events, as_of)
        assert finding.status.value == "violated"
        assert finding.evidence_events == ("dis",)


def test_a_core_group_on_the_day_of_discharge_counts() -> None:
    events = [
        *PLAN,
        ADMITTED,
        {"id": "z-cg", "type": "core_group", "date": "2024-06-07", "status": "held"},  # sorts after "dis"
        {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"},
    ]
    assert _run(HOSPITAL, events)[0].status.value == "met"


def test_still_in_hospital_is_not_yet_due() -> None:
    [finding] = _run(HOSPITAL, [*PLAN, ADMITTED], date(2024, 6, 20))
    assert (finding.status.value, finding.due) == ("not_applicable", None)
    assert finding.explanation.startswith("Not yet due")


# --- followed_by with lapses_on ----------------------------------------------------------------

STEP_DOWN = _rule(
    event={"event": "plan_end", "where": {"reason": "no_longer_at_risk"}},
    followed_by={"event": "cin_meeting"},
    within={"working_days": 10},
    lapses_on=[{"event": "plan_start"}],
)
ENDED = [
    {"id": "ps", "type": "plan_start", "date": "2024-01-08"},
    {"id": "pe", "type": "plan_end", "date": "2024-06-14", "reason": "no_longer_at_risk"},
]


def test_a_new_plan_the_day_the_last_one_ended_lapses_the_obligation() -> None:
    # Fri 14 Jun + 10 working days = Fri 28 Jun; a new plan the same day ends the duty
    events = [*ENDED, {"id": "ps2", "type": "plan_start", "date": "2024-06-14"}]
    [finding] = _run(STEP_DOWN, events, date(2024, 7, 31))
    assert finding.status.value == "not_applicable"
    assert finding.explanation.startswith("The plan started on 2024-06-14 (plan start ps2), which ended")


def test_a_meeting_before_the_new_plan_still_counts() -> None:
    events = [
        *ENDED,
        {"id": "cin", "type": "cin_meeting", "date": "2024-06-14"},  # same day as the end
        {"id": "ps2", "type": "plan_start", "date": "2024-06-20"},
    ]
    [finding] = _run(STEP_DOWN, events, date(2024, 7, 31))
    assert (finding.status.value, finding.occurred_on) == ("met", date(2024, 6, 14))


def test_a_new_plan_after_the_due_date_does_not_excuse_the_miss() -> None:
    # due Fri 28 Jun; the new plan on Mon 8 Jul came after it
    events = [*ENDED, {"id": "ps2", "type": "plan_start", "date": "2024-07-08"}]
    [finding] = _run(STEP_DOWN, events, date(2024, 7, 31))
    assert finding.status.value in ("overdue", "missed")
    assert finding.due == date(2024, 6, 28)


def test_without_lapses_on_a_new_plan_changes_nothing() -> None:
    rule = _rule(
        event={"event": "plan_end", "where": {"reason": "no_longer_at_risk"}},
        followed_by={"event": "cin_meeting"},
        within={"working_days": 10},
    )
    events = [*ENDED, {"id": "ps2", "type": "plan_start", "date": "2024-06-14"}]
    assert _run(rule, events, date(2024, 7, 31))[0].status.value == "overdue"


def test_lapses_on_needs_followed_by() -> None:
    with pytest.raises(ValidationError, match="lapses_on ends a followed_by obligation"):
        _rule(event={"event": "icpc"}, require={"quorate": True}, lapses_on=[{"event": "plan_start"}])


def test_a_core_group_with_no_status_is_undetermined() -> None:
    events = [
        *PLAN,
        ADMITTED,
        {"id": "cg", "type": "core_group", "date": "2024-06-05"},
        {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"},
    ]
    [finding] = _run(HOSPITAL, events)
    assert finding.status.value == "undetermined"
    assert "core group cg on 2024-06-05 does not record whether the meeting was held" in finding.explanation


def test_the_plan_ending_before_discharge_lapses_the_obligation() -> None:
    events = [*PLAN, ADMITTED, {"id": "pe", "type": "plan_end", "date": "2024-06-05"}]
    [finding] = _run(HOSPITAL, events)
    assert finding.status.value == "not_applicable"
    assert finding.explanation.startswith(
        "The plan ended on 2024-06-05 (plan end pe), before a hospital discharge came"
    )


def test_an_admission_outside_a_plan_is_not_checked_with_episode_scope() -> None:
    events = [ADMITTED, {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"}]
    [finding] = _run(HOSPITAL, events)
    assert (finding.key, finding.status.value) == ("cond@adm#1", "not_applicable")


def test_a_planned_admission_does_not_qualify() -> None:
    events = [
        *PLAN,
        {**ADMITTED, "planned": True},
        {"id": "dis", "type": "hospital_discharge", "date": "2024-06-07"},
    ]
    assert _run(HOSPITAL, events)[0].status.value == "not_applicable"
    assert _run(HOSPITAL, events)[0].key == "cond@-#1"


REMOVAL = _rule(
    event="removed_from_accommodation", followed_by="review_conference", within={"working_days": 10}
)
# Tue 19 Mar + 10 WD: Wed 20, Thu 21, Fri 22, Mon 25, Tue 26, Wed 27, Thu 28, (Good Friday 29,
# Easter Monday 1 Apr), Tue 2, Wed 3, Thu 4 = Thu 4 Apr
REMOVED = {"id": "rm", "type": "removed_from_accommodation", "date": "2024-03-19"}


def test_review_on_the_due_date_is_met_and_a_day_later_is_late() -> None:
    on_time = [REMOVED, {"id": "rc", "type": "review_conference", "date": "2024-04-04"}]
    [finding] = _run(REMOVAL, on_time)
    assert (finding.status.value, finding.due, finding.occurred_on) == (
        "met",
        date(2024, 4, 4),
        date(2024, 4, 4),
    )
    assert "Good Friday 29 March and Easter Monday 1 April" in finding.explanation
    late = [REMOVED, {"id": "rc", "type": "review_conference", "date": "2024-04-05"}]
    [finding] = _run(REMOVAL, late)
    assert (finding.status.value, finding.working_days_late, finding.calendar_days_late) == ("late", 1, 1)


def test_not_yet_held_is_due_then_overdue() -> None:
    events = [REMOVED, {"id": "rc", "type": "review_conference", "date": "2024-04-09"}]
    [due] = _run(REMOVAL, events, date(2024, 4, 4))
    assert (due.status.value, due.due) == ("due", date(2024, 4, 4))
    [overdue] = _run(REMOVAL, events, date(2024, 4, 8))  # Fri 5, Mon 8: 2 WD
    assert (overdue.status.value, overdue.working_days_late) == ("overdue", 2)
    [late] = _run(REMOVAL, events, date(2024, 4, 9))
    assert (late.status.value, late.working_days_late) == ("late", 3)


def test_a_removal_on_a_saturday_counts_from_the_next_working_day() -> None:
    # Sat 30 Mar + 10 WD: (Mon 1 Apr Easter Monday) Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10,
    # Thu 11, Fri 12, Mon 15 = Mon 15 Apr
    events = [
        {**REMOVED, "date": "2024-03-30"},
        {"id": "rc", "type": "review_conference", "date": "2024-04-15"},
    ]
    [finding] = _run(REMOVAL, events)
    assert (finding.status.value, finding.due) == ("met", date(2024, 4, 15))


def test_a_follow_up_on_the_day_of_the_event_counts_whatever_the_days_order() -> None:
    # a conference sorts before other events on its day, but it is within 10 WD of the removal
    events = [{"id": "rc", "type": "review_conference", "date": "2024-03-19"}, REMOVED]
    [finding] = _run(REMOVAL, events)
    assert (finding.status.value, finding.occurred_on) == ("met", date(2024, 3, 19))
    # a child in need meeting on the day a plan ends (plan_end sorts last on its day)
    rule = _rule(
        event={"event": "plan_end", "where": {"reason": "no_longer_at_risk"}},
        followed_by="cin_meeting",
        within={"working_days": 10},
    )
    ended = [
        *PLAN,
        {"id": "cin", "type": "cin_meeting", "date": "2024-06-14"},
        {"id": "pe", "type": "plan_end", "date": "2024-06-14", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(rule, ended)
    assert (finding.status.value, finding.due, finding.occurred_on) == (
        "met",
        date(2024, 6, 28),
        date(2024, 6, 14),
    )


def test_a_review_the_day_before_the_removal_does_not_count() -> None:
    events = [{"id": "rc", "type": "review_conference", "date": "2024-03-18"}, REMOVED]
    [finding] = _run(REMOVAL, events, date(2024, 4, 8))
    assert finding.status.value == "overdue"


def test_with_within_and_before_the_bound_coming_first_is_violated() -> None:
    rule = _rule(
        event="hospital_admission",
        followed_by="core_group",
        within={"working_days": 5},
        before="hospital_discharge",
    )
    events = [ADMITTED, {"id": "dis", "type": "hospital_discharge", "date": "2024-06-04"}]
    [finding] = _run(rule, events)
    assert (finding.status.value, finding.due) == ("violated", date(2024, 6, 10))  # Mon 3 Jun + 5 WD
    [pending] = _run(rule, [ADMITTED], date(2024, 6, 11))
    assert pending.status.value == "overdue"


def test_combined_require_is_checked_first() -> None:
    rule = _rule(event="icpc", require={"quorate": True}, preceded_by={"event": "visit"})
    events = [
        {"id": "v", "type": "visit", "date": "2024-03-01"},
        {"id": "a", "type": "icpc", "date": "2024-03-19", "quorate": False},
        {"id": "b", "type": "icpc", "date": "2024-05-01", "quorate": True},
    ]
    findings = _run(rule, events)
    assert _statuses(findings) == [("cond@a#1", "violated"), ("cond@b#1", "met")]
    assert findings[1].explanation.startswith("At the ICPC b on 2024-05-01, it was quorate. The ICPC b")


# --- the pack format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event": "icpc", "require": {"quorate": True}, "within": {"days": 3}}, "within applies to"),
        ({"event": "icpc", "require": {"quorate": True}, "before": "visit"}, "before bounds a followed_by"),
        ({"event": "icpc", "followed_by": "visit"}, "followed_by needs within, before or both"),
        ({"event": "icpc", "preceded_by": "visit", "within": {"days": -1}}, "zero or a positive"),
    ],
)
def test_a_rule_that_cannot_work_is_refused(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _rule(**params)


# --- since_after alone: a preceding event of the qualifying event's own round -----------------

ROUNDS = _rule(
    event="lac_review",
    preceded_by={"event": "review_conference", "where": {"outcome": {"one_of": ["continue", "cease"]}}},
    since_after=[{"event": "lac_review"}],
    scope="episode",
)


def _rounds(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        {"id": "rc1", "type": "review_conference", "date": "2024-06-03", "outcome": "continue"},
        {"id": "lac1", "type": "lac_review", "date": "2024-06-05"},
        *extra,
    ]


def test_since_after_naming_the_qualifying_event_asks_for_a_preceding_event_of_its_own_round() -> None:
    # rc1 Mon 3 Jun < lac1 Wed 5 Jun < lac2 Fri 6 Dec: rc1 served lac1, so lac2 has none of its
    # own; with rc2 Mon 2 Dec between lac1 and lac2, lac2 is met by rc2 (not rc1)
    alone = _run(ROUNDS, _rounds({"id": "lac2", "type": "lac_review", "date": "2024-12-06"}))
    assert _statuses(alone) == [("cond@lac1#1", "met"), ("cond@lac2#1", "violated")]
    assert alone[1].explanation == (
        "No review conference that continued the plan or decided to end the plan before the "
        "looked-after child review lac2 on 2024-12-06 in the same plan and after the looked-after "
        "child review lac1 on 2024-06-05."
    )
    both = _run(
        ROUNDS,
        _rounds(
            {"id": "rc2", "type": "review_conference", "date": "2024-12-02", "outcome": "continue"},
            {"id": "lac2", "type": "lac_review", "date": "2024-12-06"},
        ),
    )
    assert _statuses(both) == [("cond@lac1#1", "met"), ("cond@lac2#1", "met")]
    assert both[1].evidence_events == ("rc2",)
    assert both[1].occurred_on == date(2024, 12, 2)
    assert "and after the looked-after child review lac1 on 2024-06-05" in both[1].explanation


def test_since_after_alone_the_first_qualifying_event_looks_back_over_the_whole_plan() -> None:
    # no child care review before lac1: the search runs from the plan's opening conference
    found = _run(ROUNDS, _rounds())
    assert _statuses(found) == [("cond@lac1#1", "met")]
    assert "and after" not in found[0].explanation


def test_since_after_alone_a_postponed_or_blank_conference_in_the_round() -> None:
    # rc2 Mon 2 Dec postponed: not a decided conference, so lac2 (Fri 6 Dec) is violated; with
    # rc2's outcome blank it might have been held: undetermined, naming the empty field
    postponed = _run(
        ROUNDS,
        _rounds(
            {"id": "rc2", "type": "review_conference", "date": "2024-12-02", "outcome": "postponed"},
            {"id": "lac2", "type": "lac_review", "date": "2024-12-06"},
        ),
    )
    assert _statuses(postponed)[1] == ("cond@lac2#1", "violated")
    blank = _run(
        ROUNDS,
        _rounds(
            {"id": "rc2", "type": "review_conference", "date": "2024-12-02"},
            {"id": "lac2", "type": "lac_review", "date": "2024-12-06"},
        ),
    )
    assert _statuses(blank)[1] == ("cond@lac2#1", "undetermined")
    assert "the review conference rc2 on 2024-12-02 does not record the outcome" in blank[1].explanation


def test_since_after_alone_a_conference_on_the_previous_reviews_day_belongs_to_that_round() -> None:
    # rc1 and lac1 both Wed 5 Jun: conferences come first in a day (SPEC §3), so rc1 is lac1's;
    # lac2 (Fri 6 Dec) has no conference after lac1
    events = [
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        {"id": "rc1", "type": "review_conference", "date": "2024-06-05", "outcome": "continue"},
        {"id": "lac1", "type": "lac_review", "date": "2024-06-05"},
        {"id": "lac2", "type": "lac_review", "date": "2024-12-06"},
    ]
    assert _statuses(_run(ROUNDS, events)) == [("cond@lac1#1", "met"), ("cond@lac2#1", "violated")]


def test_since_after_still_needs_preceded_by() -> None:
    with pytest.raises(ValidationError, match="since and since_after bound a preceded_by search"):
        _rule(
            event="lac_review",
            followed_by="review_conference",
            within={"days": 10},
            since_after=[{"event": "lac_review"}],
        )


def test_an_empty_list_is_not_a_recorded_category() -> None:
    # categories: [] holds nothing: "no categories of harm were recorded", as for a blank field
    rule = _rule(
        event={"event": "icpc", "where": {"outcome": "plan"}}, require={"categories": {"present": True}}
    )
    events = [
        {"id": "a", "type": "icpc", "date": "2024-03-19", "outcome": "plan", "categories": []},
        {"id": "b", "type": "icpc", "date": "2024-05-01", "outcome": "plan"},
        {"id": "c", "type": "icpc", "date": "2024-07-01", "outcome": "plan", "categories": ["neglect"]},
    ]
    found = _run(rule, events)
    assert _statuses(found) == [("cond@a#1", "violated"), ("cond@b#1", "violated"), ("cond@c#1", "met")]
    assert found[0].explanation == "At the ICPC a on 2024-03-19, no categories of harm were recorded."
