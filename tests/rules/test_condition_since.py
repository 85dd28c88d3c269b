"""``condition`` with ``since`` / ``since_after``: the preceding event counts only in this run.

The rule is North East Lincolnshire's ``icpc-child-seen`` (Child Protection Conferences, §1:
"initial conferences must not be convened without the child having been seen"): a visit on
which the child was seen, after this enquiry's first section 47 strategy discussion, the
enquiry running from after the latest earlier ICPC that decided or section 47 outcome that
concluded no conference was needed. On one day the timeline puts strategy discussions and
section 47 outcomes first, then conferences, then visits (SPEC §3).

England 2024, the days used: Mon 4, Tue 5, Wed 6, Thu 7, Fri 8, Mon 11, Tue 12, Mon 18 Mar;
Tue 2, Mon 8, Mon 15, Mon 22 Apr.
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

PARAMS: dict[str, Any] = {
    "id": "icpc-child-seen",
    "kind": "condition",
    "title": "No initial conference before the child has been seen in this enquiry",
    "severity": "breach",
    "citation": "NEL Child Protection Conferences, s1",
    "event": {"event": "icpc"},
    "preceded_by": {"event": "visit", "where": {"outcome": "seen"}},
    "since": {"event": "strategy_discussion", "where": {"s47": True}},
    "since_after": [
        {"event": "icpc", "where": {"outcome": {"one_of": ["plan", "no_plan"]}}},
        {"event": "s47_outcome", "where": {"icpc_required": False}},
    ],
}
RULE = RULE_ADAPTER.validate_python(PARAMS)


def _run(events: list[dict[str, Any]], rule: Any = RULE) -> list[Finding]:
    case = parse_case({"case_id": "SIN", "child": {"date_of_birth": "2019-01-01"}, "events": events})
    timeline = Timeline.build(case, AS_OF, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _sd(id_: str, day: str, s47: bool = True) -> dict[str, Any]:
    return {"id": id_, "type": "strategy_discussion", "date": day, "s47": s47}


def _visit(id_: str, day: str, outcome: str | None = "seen") -> dict[str, Any]:
    event: dict[str, Any] = {"id": id_, "type": "visit", "date": day}
    if outcome is not None:
        event["outcome"] = outcome
    return event


def _icpc(id_: str, day: str, outcome: str = "plan") -> dict[str, Any]:
    return {"id": id_, "type": "icpc", "date": day, "outcome": outcome}


def _status(findings: list[Finding], trigger: str) -> str:
    [finding] = [f for f in findings if f.trigger_event == trigger]
    return finding.status.value


def test_a_visit_after_the_strategy_discussion_counts_and_the_explanation_names_it() -> None:
    findings = _run([_sd("sd", "2024-03-04"), _visit("v", "2024-03-06"), _icpc("ic", "2024-03-18")])
    [finding] = findings
    assert finding.status.value == "met"
    assert finding.evidence_events == ("v",)
    assert "and after the strategy discussion sd on 2024-03-04" in finding.explanation


def test_a_visit_only_before_the_strategy_discussion_does_not_count() -> None:
    findings = _run([_visit("v", "2024-03-01"), _sd("sd", "2024-03-04"), _icpc("ic", "2024-03-18")])
    [finding] = findings
    assert finding.status.value == "violated"
    assert "after the strategy discussion sd on 2024-03-04" in finding.explanation


def test_a_visit_on_the_strategy_discussions_day_counts() -> None:
    # a strategy discussion sorts before a visit on one day
    assert _status(
        _run([_visit("v", "2024-03-04"), _sd("sd", "2024-03-04"), _icpc("ic", "2024-03-18")]), "ic"
    ) == ("met")


def test_a_visit_on_the_conference_day_does_not_count() -> None:
    # a conference sorts before a visit on one day: the child was not seen before it was convened
    events = [_sd("sd", "2024-03-04"), _icpc("ic", "2024-03-18"), _visit("v", "2024-03-18")]
    assert _status(_run(events), "ic") == "violated"


def test_the_run_starts_at_its_first_strategy_discussion_not_the_latest() -> None:
    # sd1, then the visit, then a second strategy discussion of the same enquiry: the visit counts
    events = [
        _sd("sd1", "2024-03-04"),
        _visit("v", "2024-03-05"),
        _sd("sd2", "2024-03-07"),
        _icpc("ic", "2024-03-18"),
    ]
    [finding] = _run(events)
    assert finding.status.value == "met"
    assert "after the strategy discussion sd1" in finding.explanation


def test_a_strategy_discussion_that_did_not_start_section_47_enquiries_does_not_start_the_run() -> None:
    events = [
        _sd("sd0", "2024-03-04", s47=False),
        _visit("v", "2024-03-05"),
        _sd("sd", "2024-03-07"),
        _icpc("ic", "2024-03-18"),
    ]
    assert _status(_run(events), "ic") == "violated"


def test_a_visit_of_an_earlier_enquiry_closed_by_a_conference_does_not_count() -> None:
    events = [
        _sd("sd1", "2024-03-04"),
        _visit("v1", "2024-03-05"),
        _icpc("ic1", "2024-03-12", "no_plan"),
        _sd("sd2", "2024-04-02"),
        _icpc("ic2", "2024-04-15"),
    ]
    findings = _run(events)
    assert _status(findings, "ic1") == "met"
    assert _status(findings, "ic2") == "violated"


def test_a_visit_of_an_enquiry_that_concluded_no_conference_was_needed_does_not_count() -> None:
    events = [
        _sd("sd1", "2024-03-04"),
        _visit("v1", "2024-03-05"),
        {"id": "so", "type": "s47_outcome", "date": "2024-03-11", "icpc_required": False},
        _sd("sd2", "2024-04-02"),
        _icpc("ic", "2024-04-15"),
    ]
    assert _status(_run(events), "ic") == "violated"


def test_an_adjourned_conference_does_not_end_the_run() -> None:
    # only a conference that decided (plan or no plan) closes the enquiry; the reconvened one
    # belongs to the same enquiry, so the visit before the adjournment still counts
    events = [
        _sd("sd", "2024-03-04"),
        _visit("v", "2024-03-05"),
        _icpc("ic1", "2024-03-12", "adjourned"),
        _icpc("ic2", "2024-03-18"),
    ]
    findings = _run(events)
    assert (_status(findings, "ic1"), _status(findings, "ic2")) == ("met", "met")


def test_with_no_strategy_discussion_after_the_closing_event_the_run_starts_after_it() -> None:
    # ic1 decided; nothing starts a new run, so the search runs from after ic1
    events = [
        _sd("sd1", "2024-03-04"),
        _visit("v1", "2024-03-05"),
        _icpc("ic1", "2024-03-12", "no_plan"),
        _icpc("ic2", "2024-04-22"),
    ]
    assert _status(_run(events), "ic2") == "violated"
    [finding] = [
        f for f in _run([*events[:3], _visit("v2", "2024-04-08"), events[3]]) if f.trigger_event == "ic2"
    ]
    assert finding.status.value == "met"
    assert "and after the ICPC ic1 on 2024-03-12" in finding.explanation


def test_with_no_strategy_discussion_at_all_the_search_is_not_narrowed() -> None:
    # the documented reading: since narrows the search only when the run has such an event
    assert _status(_run([_visit("v", "2024-03-01"), _icpc("ic", "2024-03-18")]), "ic") == "met"


def test_a_visit_with_no_outcome_in_the_run_is_undetermined_and_one_before_it_is_not_looked_at() -> None:
    events = [_sd("sd", "2024-03-04"), _visit("v", "2024-03-06", None), _icpc("ic", "2024-03-18")]
    [finding] = _run(events)
    assert finding.status.value == "undetermined"
    assert "visit v on 2024-03-06 does not record" in finding.explanation
    events = [_visit("v", "2024-03-01", None), _sd("sd", "2024-03-04"), _icpc("ic", "2024-03-18")]
    assert _status(_run(events), "ic") == "violated"


def test_since_after_alone_bounds_the_search() -> None:
    rule = RULE_ADAPTER.validate_python({k: v for k, v in PARAMS.items() if k != "since"})
    events = [_visit("v1", "2024-03-05"), _icpc("ic1", "2024-03-12", "no_plan"), _icpc("ic2", "2024-04-22")]
    findings = _run(events, rule)
    assert (_status(findings, "ic1"), _status(findings, "ic2")) == ("met", "violated")


@pytest.mark.parametrize("drop", ["preceded_by"])
def test_since_needs_preceded_by(drop: str) -> None:
    params = {k: v for k, v in PARAMS.items() if k != drop}
    params["require"] = {"lead_social_worker_named": True}
    with pytest.raises(ValidationError, match="since and since_after bound a preceded_by search"):
        RULE_ADAPTER.validate_python(params)
