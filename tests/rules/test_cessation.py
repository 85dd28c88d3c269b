"""``cessation``: allowed reasons and their routes, one finding per plan end.

Working Together 2023 and the local procedures: only a (quorate) review conference decides a
child is no longer at risk; a move out ends the plan only after the receiving authority's
transfer-in conference; reaching 18, death and leaving the UK need no route; locally, an
interim care order discharges the plan by letter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, CessationRule
from cprules.rules.cessation import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()

ROUTES: dict[str, Any] = {
    "no_longer_at_risk": [{"event": "review_conference", "where": {"outcome": "cease", "quorate": True}}],
    "moved_out": ["transfer_in_conference"],
    "turned_18": [],
    "died": [],
    "left_uk": [],
    "looked_after": [{"event": "looked_after", "where": {"basis": "interim_care_order"}}],
}


def _run(
    events: list[dict[str, Any]],
    as_of: date,
    routes: dict[str, Any] | None = None,
    child: dict[str, Any] | None = None,
) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python(
        {
            "id": "cessation-route",
            "kind": "cessation",
            "title": "A plan ends only for an allowed reason and by its route",
            "severity": "breach",
            "citation": "Working Together to Safeguard Children 2023",
            "routes": ROUTES if routes is None else routes,
        }
    )
    assert isinstance(rule, CessationRule)
    case = parse_case({"case_id": "CE", "child": child or {}, "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


OPENING = [
    {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
    {"id": "ps", "type": "plan_start", "date": "2024-01-05"},
]


def _end(day: str, reason: str | None, **fields: Any) -> dict[str, Any]:
    return {"id": "pe", "type": "plan_end", "date": day, "reason": reason, **fields}


def _review(rid: str, day: str, outcome: str, quorate: bool | None) -> dict[str, Any]:
    return {"id": rid, "type": "review_conference", "date": day, "outcome": outcome, "quorate": quorate}


def test_no_plan_end_is_not_applicable() -> None:
    [finding] = _run(OPENING, date(2024, 6, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.explanation == "No plan has ended."


def test_a_quorate_review_deciding_to_cease_is_the_route() -> None:
    events = [*OPENING, _review("rc", "2024-04-03", "cease", True), _end("2024-04-10", "no_longer_at_risk")]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.key == "cessation-route@pe#1"
    assert finding.trigger_event == "pe"
    assert finding.evidence_events == ("rc",)


def test_a_review_on_the_day_the_plan_ends_comes_before_the_end() -> None:
    events = [*OPENING, _review("rc", "2024-04-03", "cease", True), _end("2024-04-03", "no_longer_at_risk")]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET


def test_a_review_after_the_end_is_no_route() -> None:
    events = [*OPENING, _end("2024-04-03", "no_longer_at_risk"), _review("rc", "2024-04-04", "cease", True)]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED
    assert (
        "no review conference (quorate) that decided to end the plan between the plan's start and its end"
        in finding.explanation
    )


def test_an_inquorate_review_is_no_route() -> None:
    events = [*OPENING, _review("rc", "2024-04-03", "cease", False), _end("2024-04-03", "no_longer_at_risk")]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_a_review_that_does_not_record_quorum_is_undetermined() -> None:
    events = [*OPENING, _review("rc", "2024-04-03", "cease", None), _end("2024-04-03", "no_longer_at_risk")]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "does not record whether it was quorate" in finding.explanation


def test_a_review_deciding_to_continue_is_no_route_even_if_quorum_is_unknown() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        _review("rc", "2024-04-03", "continue", None),
        _end("2024-04-03", "no_longer_at_risk"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_a_plan_end_without_a_reason_is_undetermined() -> None:
    events = [*OPENING, _review("rc", "2024-04-03", "cease", True), _end("2024-04-03", None)]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "does not record a reason" in finding.explanation


def test_a_reason_the_procedure_does_not_allow_is_violated() -> None:
    routes = {key: value for key, value in ROUTES.items() if key != "looked_after"}
    events = [*OPENING, _end("2024-04-03", "looked_after")]
    [finding] = _run(events, date(2024, 6, 1), routes)
    assert finding.status is Status.VIOLATED
    assert "that is not a reason this procedure allows" in finding.explanation
    assert (
        "it allows: the child was no longer at risk; the child moved out of the area; the child "
        "turned 18; the child died; the child left the UK" in finding.explanation
    )


def test_a_reason_that_needs_no_route_is_met() -> None:
    [finding] = _run([*OPENING, _end("2024-02-01", "died")], date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.evidence_events == ()


def test_a_move_out_after_the_receiving_authoritys_conference_is_met() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        {"id": "ti", "type": "transfer_in_conference", "date": "2024-03-12", "outcome": "plan"},
        _end("2024-03-12", "moved_out"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.evidence_events == ("ti",)


def test_a_move_out_before_the_receiving_authoritys_conference_is_violated() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        _end("2024-03-12", "moved_out"),
        {"id": "ti", "type": "transfer_in_conference", "date": "2024-03-13", "outcome": "plan"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_the_transfer_in_conference_that_opened_the_plan_is_no_route_out() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ti", "type": "transfer_in_conference", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05"},
        _end("2024-05-01", "moved_out"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_only_the_conference_the_end_names_counts() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        _review("rc1", "2024-04-03", "cease", True),
        _review("rc2", "2024-04-10", "continue", True),
        _end("2024-04-10", "no_longer_at_risk", decided_at="rc2"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED
    assert finding.evidence_events == ("rc2",)
    assert "decided at the review conference rc2 on 2024-04-10" in finding.explanation
    named = [*events[:-1], _end("2024-04-10", "no_longer_at_risk", decided_at="rc1")]
    [finding] = _run(named, date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.evidence_events == ("rc1",)


def test_a_named_conference_that_does_not_record_quorum_is_undetermined() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        _review("rc", "2024-04-03", "cease", None),
        _end("2024-04-03", "no_longer_at_risk", decided_at="rc"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "quorate" in finding.explanation


def test_a_named_conference_missing_from_the_timeline_is_undetermined() -> None:
    events = [*OPENING, _end("2024-04-03", "no_longer_at_risk", decided_at="rcX")]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.UNDETERMINED
    assert "'rcX'" in finding.explanation


def test_a_named_conference_of_an_earlier_plan_is_violated() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic1", "type": "icpc", "date": "2023-01-05", "outcome": "plan"},
        {"id": "ps1", "type": "plan_start", "date": "2023-01-05"},
        _review("rc1", "2023-04-03", "cease", True),
        {"id": "pe1", "type": "plan_end", "date": "2023-04-03", "reason": "no_longer_at_risk"},
        {"id": "ic2", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-01-05"},
        {
            "id": "pe2",
            "type": "plan_end",
            "date": "2024-04-03",
            "reason": "no_longer_at_risk",
            "decided_at": "rc1",
        },
    ]
    findings = _run(events, date(2024, 6, 1))
    assert [(f.key, f.status) for f in findings] == [
        ("cessation-route@pe1#1", Status.MET),
        ("cessation-route@pe2#1", Status.VIOLATED),
    ]


def test_a_route_in_an_earlier_plan_does_not_serve_a_later_one() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic1", "type": "icpc", "date": "2023-01-05", "outcome": "plan"},
        {"id": "ps1", "type": "plan_start", "date": "2023-01-05"},
        _review("rc1", "2023-04-03", "cease", True),
        {"id": "pe1", "type": "plan_end", "date": "2023-04-03", "reason": "no_longer_at_risk"},
        {"id": "ic2", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2024-01-05"},
        {"id": "pe2", "type": "plan_end", "date": "2024-04-03", "reason": "no_longer_at_risk"},
    ]
    assert [f.status for f in _run(events, date(2024, 6, 1))] == [Status.MET, Status.VIOLATED]


def test_a_local_route_for_looked_after() -> None:
    events: list[dict[str, Any]] = [
        *OPENING,
        {"id": "ico", "type": "looked_after", "date": "2024-02-20", "basis": "interim_care_order"},
        _end("2024-02-21", "looked_after"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET
    section_20 = [*OPENING, {**events[2], "basis": "section_20"}, events[3]]
    [finding] = _run(section_20, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_a_plan_end_after_as_of_is_unseen() -> None:
    events = [*OPENING, _end("2024-04-03", "no_longer_at_risk"), _review("rc", "2024-04-03", "cease", True)]
    [before] = _run(events, date(2024, 4, 2))
    assert before.status is Status.NOT_APPLICABLE
    [after] = _run(events, date(2024, 4, 3))
    [much_later] = _run(events, date(2025, 4, 3))
    assert after.status is Status.MET
    assert (after.key, after.status, after.explanation) == (
        much_later.key,
        much_later.status,
        much_later.explanation,
    )


# --- reasons the timeline refutes (SPEC §4) --------------------------------------------------------


def test_turned_18_for_a_child_the_date_of_birth_shows_was_ten_is_violated() -> None:
    # born 2014-01-20: 10 on 2024-04-03, 18 on 2032-01-20
    events = [*OPENING, _end("2024-04-03", "turned_18")]
    [finding] = _run(events, date(2024, 6, 1), child={"date_of_birth": "2014-01-20"})
    assert finding.status is Status.VIOLATED
    assert "gives its reason as the child turned 18" in finding.explanation
    assert "the date of birth, 2014-01-20, shows the child was 10 that day (18 on 2032-01-20)" in (
        finding.explanation
    )


def test_turned_18_on_the_birthday_is_taken_as_recorded() -> None:
    events = [*OPENING, _end("2024-04-03", "turned_18")]
    [finding] = _run(events, date(2024, 6, 1), child={"date_of_birth": "2006-04-03"})
    assert finding.status is Status.MET
    # without a date of birth nothing refutes it
    [unknown_age] = _run(events, date(2024, 6, 1))
    assert unknown_age.status is Status.MET


def test_died_and_then_seen_at_a_visit_is_violated_naming_the_visit() -> None:
    events = [
        *OPENING,
        _end("2024-04-03", "died"),
        {"id": "v9", "type": "visit", "date": "2024-04-10", "outcome": "seen"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert (finding.status, finding.evidence_events) == (Status.VIOLATED, ("v9",))
    assert "the child was seen afterwards, at the visit v9 on 2024-04-10" in finding.explanation
    # a visit that did not see the child refutes nothing
    not_seen = [*events[:-1], {**events[-1], "outcome": "no_access"}]
    assert _run(not_seen, date(2024, 6, 1))[0].status is Status.MET


def test_moved_out_with_no_move_recorded_is_violated_even_with_a_conference_route() -> None:
    routes = {**ROUTES, "moved_out": [{"event": "review_conference", "where": {"outcome": "cease"}}]}
    review = {"id": "rc", "type": "review_conference", "date": "2024-04-03", "outcome": "cease"}
    events = [*OPENING, review, _end("2024-04-03", "moved_out")]
    [finding] = _run(events, date(2024, 6, 1), routes)
    assert finding.status is Status.VIOLATED
    assert "no move is recorded" in finding.explanation
    # notice of the move out, recorded in the plan: the reason stands and the route is checked
    notice = {"id": "mn", "type": "move_notified", "date": "2024-03-20", "permanent": True}
    notice["direction"] = "out"
    assert _run([*events, notice], date(2024, 6, 1), routes)[0].status is Status.MET


def test_a_source_that_does_not_record_moves_cannot_refute_a_move_out() -> None:
    rule = RULE_ADAPTER.validate_python(
        {"id": "c", "kind": "cessation", "title": "t", "severity": "breach", "citation": "c"}
        | {"routes": ROUTES}
    )
    case = parse_case(
        {
            "case_id": "CE",
            "records": ["icpc", "plan_start", "plan_end", "transfer_in_conference"],
            "events": [*OPENING, _end("2024-04-03", "moved_out")],
        }
    )
    timeline = Timeline.build(case, date(2024, 6, 1), CALENDAR)
    [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
    # not refuted; the route (a transfer-in conference) is simply missing
    assert finding.status is Status.VIOLATED and "no move is recorded" not in finding.explanation


# --- another authority's conference (SPEC §4) -----------------------------------------------------


def test_the_receiving_authoritys_transfer_in_conference_is_the_route_for_a_move_out() -> None:
    events = [
        *OPENING,
        {"id": "mn", "type": "move_notified", "date": "2024-03-20", "permanent": True, "direction": "out"},
        {
            "id": "tc",
            "type": "transfer_in_conference",
            "date": "2024-04-02",
            "outcome": "plan",
            "held_by": "receiving_authority",
        },
        _end("2024-04-03", "moved_out", decided_at="tc"),
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert (finding.status, finding.evidence_events) == (Status.MET, ("tc",))
    # without decided_at, the search finds it too
    events[-1] = _end("2024-04-03", "moved_out")
    assert _run(events, date(2024, 6, 1))[0].status is Status.MET
