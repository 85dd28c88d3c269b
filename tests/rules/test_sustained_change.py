"""``sustained_change``: neglect plans end for improvement only after six months of change.

North East Lincolnshire, Child Protection Conferences §12 ("Ceasing plans for Neglect"): six
months of sustained change before a plan ends for improvement; never at the first review; a
significant change of circumstances (the child moved to a different family) lifts both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, SustainedChangeRule
from cprules.rules.sustained_change import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()

NELINCS: dict[str, Any] = {
    "id": "neglect-sustained-change",
    "kind": "sustained_change",
    "title": "A neglect plan ends for improvement only after six months of sustained change",
    "severity": "breach",
    "citation": "North East Lincolnshire SCP, Child Protection Conferences, 12",
    "category": "neglect",
    "at_least": {"months": 6},
    "not_at_first_review": True,
    "unless": [{"event": "significant_change"}],
}


def _run(events: list[dict[str, Any]], as_of: date, **changes: Any) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python({**NELINCS, **changes})
    assert isinstance(rule, SustainedChangeRule)
    case = parse_case({"case_id": "SC", "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _plan(
    decision: str,
    *,
    sustained_from: str | None = "2024-04-03",
    reason: str | None = "no_longer_at_risk",
    categories: list[str] | None = None,
) -> list[dict[str, Any]]:
    """A neglect plan from Fri 5 Jan 2024, first review Wed 3 Apr, ending at a second review."""
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": categories or ["neglect"]},
        {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "continue"},
        {"id": "r2", "type": "review_conference", "date": decision, "outcome": "cease"},
        {"id": "pe", "type": "plan_end", "date": decision, "reason": reason},
    ]
    if sustained_from is not None:
        events.append({"id": "sc", "type": "sustained_change_from", "date": sustained_from})
    return events


def test_no_plan_end_is_not_applicable() -> None:
    [finding] = _run(_plan("2024-10-03")[:3], date(2024, 12, 1))
    assert finding.status is Status.NOT_APPLICABLE
    assert finding.key == "neglect-sustained-change@-#1"


def test_six_months_to_the_day_is_met() -> None:
    # change from Wed 3 Apr 2024 + 6 months = Thu 3 Oct 2024; decided that day
    [finding] = _run(_plan("2024-10-03"), date(2024, 12, 1))
    assert finding.status is Status.MET
    assert finding.key == "neglect-sustained-change@pe#1"
    assert finding.due == date(2024, 10, 3)
    assert finding.occurred_on == date(2024, 10, 3)
    assert set(finding.evidence_events) == {"sc", "r2"}


def test_one_day_short_is_violated_with_the_arithmetic() -> None:
    # 3 Apr + 6 months = 3 Oct; 2 Oct is 5 months (to 3 Sep) and 29 days (to 2 Oct) after 3 Apr
    [finding] = _run(_plan("2024-10-02"), date(2024, 12, 1))
    assert finding.status is Status.VIOLATED
    assert finding.due == date(2024, 10, 3)
    assert "5 months and 29 days after the sustained change began on 2024-04-03" in finding.explanation
    assert "the review conference r2 on 2024-10-02" in finding.explanation


def test_the_boundary_at_a_month_end_clips_to_the_last_day_of_february() -> None:
    # change from Sat 31 Aug 2024 + 6 months = Fri 28 Feb 2025
    events = _plan("2025-02-28", sustained_from="2024-08-31")
    [finding] = _run(events, date(2025, 3, 31))
    assert (finding.status, finding.due) == (Status.MET, date(2025, 2, 28))
    events = _plan("2025-02-27", sustained_from="2024-08-31")
    [finding] = _run(events, date(2025, 3, 31))
    assert (finding.status, finding.due) == (Status.VIOLATED, date(2025, 2, 28))


def test_the_latest_start_of_sustained_change_counts() -> None:
    events = [*_plan("2024-10-03", sustained_from="2024-02-01")]
    events.append({"id": "sc2", "type": "sustained_change_from", "date": "2024-05-01"})
    # 1 May + 6 months = 1 Nov, after the decision on 3 Oct
    [finding] = _run(events, date(2024, 12, 1))
    assert (finding.status, finding.due) == (Status.VIOLATED, date(2024, 11, 1))


def test_a_start_of_sustained_change_after_the_decision_does_not_count() -> None:
    events = _plan("2024-10-03", sustained_from=None)
    events.append({"id": "sc", "type": "sustained_change_from", "date": "2024-10-04"})
    [finding] = _run(events, date(2024, 12, 1))
    assert finding.status is Status.UNDETERMINED


def test_no_start_of_sustained_change_is_undetermined() -> None:
    [finding] = _run(_plan("2024-10-03", sustained_from=None), date(2024, 12, 1))
    assert finding.status is Status.UNDETERMINED
    assert "no start of sustained change" in finding.explanation


def test_ending_at_the_first_review_is_violated() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "sc", "type": "sustained_change_from", "date": "2023-09-01"},
        {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "cease"},
        {"id": "pe", "type": "plan_end", "date": "2024-04-03", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED
    assert "first review" in finding.explanation
    assert finding.evidence_events == ("r1",)
    # with not_at_first_review off, the sustained change (not in the plan: none recorded) decides
    [finding] = _run(events, date(2024, 6, 1), not_at_first_review=False)
    assert finding.status is Status.UNDETERMINED


def test_a_significant_change_of_circumstances_lifts_the_first_review_bar() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "mv", "type": "significant_change", "date": "2024-03-01", "kind": "moved_to_different_family"},
        {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "cease"},
        {"id": "pe", "type": "plan_end", "date": "2024-04-03", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.MET
    assert finding.evidence_events == ("mv",)


def test_a_significant_change_after_the_decision_does_not_count() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "cease"},
        {"id": "mv", "type": "significant_change", "date": "2024-04-04"},
        {"id": "pe", "type": "plan_end", "date": "2024-04-10", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED


def test_a_significant_change_whose_kind_is_unknown_makes_a_breach_undetermined() -> None:
    events = _plan("2024-10-02")
    events.append({"id": "mv", "type": "significant_change", "date": "2024-09-01"})
    only_a_move = [{"event": "significant_change", "where": {"kind": "moved_to_different_family"}}]
    [finding] = _run(events, date(2024, 12, 1), unless=only_a_move)
    assert finding.status is Status.UNDETERMINED
    assert "does not record what kind of change it was" in finding.explanation


def test_an_adjourned_first_review_goes_on_at_its_reconvened_conference() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "sc", "type": "sustained_change_from", "date": "2023-09-01"},
        {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "adjourned"},
        {
            "id": "r1b",
            "type": "review_conference",
            "date": "2024-04-10",
            "outcome": "cease",
            "reconvened_from": "r1",
        },
        {"id": "pe", "type": "plan_end", "date": "2024-04-10", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert finding.status is Status.VIOLATED
    assert "first review" in finding.explanation


def test_a_postponed_review_was_not_the_first_review() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "sc", "type": "sustained_change_from", "date": "2024-01-10"},
        {"id": "r0", "type": "review_conference", "date": "2024-04-03", "outcome": "postponed"},
        {"id": "r1", "type": "review_conference", "date": "2024-07-10", "outcome": "continue"},
        {"id": "r2", "type": "review_conference", "date": "2024-07-17", "outcome": "cease"},
        {"id": "pe", "type": "plan_end", "date": "2024-07-17", "reason": "no_longer_at_risk"},
    ]
    # r1 is the first review; r2 decides: 10 Jan + 6 months = 10 Jul, before 17 Jul
    [finding] = _run(events, date(2024, 8, 1))
    assert (finding.status, finding.due) == (Status.MET, date(2024, 7, 10))
    # a decision at r1 (the first review held) is barred
    at_first = [*events[:5], {**events[6], "date": "2024-07-10", "decided_at": "r1"}]
    [finding] = _run(at_first, date(2024, 8, 1))
    assert finding.status is Status.VIOLATED
    assert "first review" in finding.explanation


def test_the_conference_the_end_names_decides() -> None:
    # r2 decided to cease on 2 Oct; the plan end (a week later) names it: 3 Apr + 6 months = 3 Oct
    events = _plan("2024-10-02")
    events[4] = {**events[4], "date": "2024-10-09", "decided_at": "r2"}
    [finding] = _run(events, date(2024, 12, 1))
    assert (finding.status, finding.occurred_on) == (Status.VIOLATED, date(2024, 10, 2))
    missing = _plan("2024-10-03")
    missing[4] = {**missing[4], "decided_at": "rX"}
    [finding] = _run(missing, date(2024, 12, 1))
    assert finding.status is Status.UNDETERMINED
    assert "'rX'" in finding.explanation


def test_without_a_review_the_decision_is_dated_the_plan_end() -> None:
    events: list[dict[str, Any]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
        {"id": "sc", "type": "sustained_change_from", "date": "2024-01-10"},
        {"id": "pe", "type": "plan_end", "date": "2024-07-09", "reason": "no_longer_at_risk"},
    ]
    # 10 Jan + 6 months = 10 Jul; the plan ended 9 Jul
    [finding] = _run(events, date(2024, 8, 1))
    assert (finding.status, finding.due, finding.occurred_on) == (
        Status.VIOLATED,
        date(2024, 7, 10),
        date(2024, 7, 9),
    )


def test_other_categories_and_reasons_are_not_applicable() -> None:
    [finding] = _run(_plan("2024-05-01", categories=["emotional"]), date(2024, 12, 1))
    assert finding.status is Status.NOT_APPLICABLE
    [finding] = _run(_plan("2024-05-01", reason="moved_out"), date(2024, 12, 1))
    assert finding.status is Status.NOT_APPLICABLE


def test_a_plan_with_neglect_among_several_categories_counts() -> None:
    [finding] = _run(_plan("2024-05-01", categories=["emotional", "neglect"]), date(2024, 12, 1))
    assert finding.status is Status.VIOLATED


def test_categories_from_the_opening_conference_when_the_plan_start_has_none() -> None:
    events = _plan("2024-05-01")
    events[0] = {**events[0], "categories": ["neglect"]}
    events[1] = {"id": "ps", "type": "plan_start", "date": "2024-01-05"}
    [finding] = _run(events, date(2024, 12, 1))
    assert finding.status is Status.VIOLATED


def test_a_review_that_changed_the_category_away_from_neglect_is_not_applicable() -> None:
    events = _plan("2024-10-02")
    events[2] = {**events[2], "categories": ["emotional"]}
    [finding] = _run(events, date(2024, 12, 1))
    assert finding.status is Status.NOT_APPLICABLE


def test_unknown_categories_are_undetermined() -> None:
    events = _plan("2024-05-01")
    events[1] = {"id": "ps", "type": "plan_start", "date": "2024-01-05"}
    [finding] = _run(events, date(2024, 12, 1))
    assert finding.status is Status.UNDETERMINED
    assert "categories" in finding.explanation


def test_an_end_with_no_reason_is_undetermined() -> None:
    [finding] = _run(_plan("2024-10-03", reason=None), date(2024, 12, 1))
    assert finding.status is Status.UNDETERMINED
    assert "does not record a reason" in finding.explanation


def test_a_second_plan_has_its_own_first_review_and_sustained_change() -> None:
    events: list[dict[str, Any]] = [
        *_plan("2024-10-03"),
        {"id": "ic2", "type": "icpc", "date": "2025-01-06", "outcome": "plan"},
        {"id": "ps2", "type": "plan_start", "date": "2025-01-06", "categories": ["neglect"]},
        {"id": "r3", "type": "review_conference", "date": "2025-04-02", "outcome": "cease"},
        {"id": "pe2", "type": "plan_end", "date": "2025-04-02", "reason": "no_longer_at_risk"},
    ]
    findings = _run(events, date(2025, 6, 1))
    assert [(f.key, f.status) for f in findings] == [
        ("neglect-sustained-change@pe#1", Status.MET),
        ("neglect-sustained-change@pe2#1", Status.VIOLATED),  # r3 is plan 2's first review
    ]
    # without the first-review bar, plan 1's start of sustained change does not carry over
    findings = _run(events, date(2025, 6, 1), not_at_first_review=False)
    assert [f.status for f in findings] == [Status.MET, Status.UNDETERMINED]


def test_a_plan_end_after_as_of_is_unseen() -> None:
    events = _plan("2024-10-02")
    [before] = _run(events, date(2024, 10, 1))
    assert before.status is Status.NOT_APPLICABLE
    [after] = _run(events, date(2024, 10, 2))
    [much_later] = _run(events, date(2026, 1, 1))
    assert after.status is Status.VIOLATED
    assert (after.key, after.status, after.due, after.explanation) == (
        much_later.key,
        much_later.status,
        much_later.due,
        much_later.explanation,
    )


def test_an_interim_plan_whose_categories_were_never_decided_is_not_a_neglect_plan() -> None:
    # an ICPC without a majority adjourned on an interim plan; agency managers concluded no plan
    # was needed and it ended a week later: no category was ever decided, so this rule about
    # neglect plans does not concern it (it used to be undetermined)
    events = [
        {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "adjourned"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-05", "interim": True},
        {"id": "pe", "type": "plan_end", "date": "2024-01-12", "reason": "no_longer_at_risk"},
    ]
    [finding] = _run(events, date(2024, 6, 1))
    assert (finding.status, finding.trigger_event) == (Status.NOT_APPLICABLE, None)
    # the same plan not marked interim is undetermined: its categories are simply not recorded
    events[1] = {"id": "ps", "type": "plan_start", "date": "2024-01-05"}
    [unknown] = _run(events, date(2024, 6, 1))
    assert unknown.status is Status.UNDETERMINED
