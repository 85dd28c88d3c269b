"""``cessation`` with ``interim_ends_within``: an interim plan ended with no further conference.

North East Lincolnshire, Child Protection Conferences, §3: while an initial conference without a
majority stands adjourned (at most 5 working days) the child is on an interim plan; "if
following consultation with agency managers it is concluded that no plan is needed, then no
further conference will be convened". So an interim plan that ends within the 5 working days of
the adjournment, with no conference after it, needs no route.

England 2024, counted by hand: the ICPC adjourned Tue 26 Mar. 5 working days after it: Wed 27
(1), Thu 28 (2), Good Friday 29 and Easter Monday 1 Apr skipped, Tue 2 (3), Wed 3 (4), Thu 4 Apr
(5): due Thu 4 Apr. From Wed 27 Mar: Thu 28 (1), Tue 2 (2), Wed 3 (3), Thu 4 (4), Fri 5 Apr (5).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding
from cprules.pack.model import RULE_ADAPTER, CessationRule
from cprules.rules.cessation import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()
AS_OF = date(2024, 6, 1)

ROUTES: dict[str, Any] = {
    "no_longer_at_risk": [
        {"event": "review_conference", "where": {"outcome": "cease"}},
        {"event": "icpc", "where": {"outcome": "no_plan"}},
    ],
    "died": [],
}


def _run(events: list[dict[str, Any]], within: dict[str, int] | None = None) -> list[Finding]:
    params: dict[str, Any] = {
        "id": "cessation-route",
        "kind": "cessation",
        "title": "A plan ends only for an allowed reason and by its route",
        "severity": "breach",
        "citation": "NEL Child Protection Conferences, s3 and s12",
        "routes": ROUTES,
    }
    if within is not None:
        params["interim_ends_within"] = within
    rule = RULE_ADAPTER.validate_python(params)
    assert isinstance(rule, CessationRule)
    case = parse_case({"case_id": "INT", "child": {"date_of_birth": "2015-01-01"}, "events": events})
    timeline = Timeline.build(case, AS_OF, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


FIVE = {"working_days": 5}
ADJOURNED = {
    "id": "ic",
    "type": "icpc",
    "date": "2024-03-26",
    "outcome": "adjourned",
    "votes": {"for_plan": 3, "against_plan": 3},
}


def _start(day: str = "2024-03-26", interim: bool | None = True) -> dict[str, Any]:
    event: dict[str, Any] = {"id": "ps", "type": "plan_start", "date": day}
    if interim is not None:
        event["interim"] = interim
    return event


def _end(day: str, reason: str = "no_longer_at_risk") -> dict[str, Any]:
    return {"id": "pe", "type": "plan_end", "date": day, "reason": reason}


@pytest.mark.parametrize("day", ["2024-04-03", "2024-04-04"])
def test_an_interim_plan_ended_within_five_working_days_needs_no_conference(day: str) -> None:
    [finding] = _run([ADJOURNED, _start(), _end(day)], FIVE)
    assert finding.status.value == "met"
    assert finding.evidence_events == ("ic",)
    assert "an interim plan while the ICPC ic on 2024-03-26 stood adjourned" in finding.explanation
    assert "within 5 working days and with no further conference" in finding.explanation


def test_an_interim_plan_ended_the_day_after_the_five_working_days_needs_its_route() -> None:
    # due Thu 4 Apr; ended Fri 5 Apr with no conference deciding it: the usual route is missing
    [finding] = _run([ADJOURNED, _start(), _end("2024-04-05")], FIVE)
    assert finding.status.value == "violated"


def test_without_the_option_the_route_is_always_needed() -> None:
    [finding] = _run([ADJOURNED, _start(), _end("2024-04-03")])
    assert finding.status.value == "violated"


@pytest.mark.parametrize("interim", [False, None])
def test_a_plan_not_marked_interim_needs_its_route(interim: bool | None) -> None:
    [finding] = _run([ADJOURNED, _start(interim=interim), _end("2024-04-03")], FIVE)
    assert finding.status.value == "violated"


def test_an_interim_plan_started_after_the_adjournment_counts_from_its_start() -> None:
    # no conference on Wed 27 Mar: the 5 working days run from the plan start, to Fri 5 Apr
    [finding] = _run([ADJOURNED, _start("2024-03-27"), _end("2024-04-05")], FIVE)
    assert finding.status.value == "met"
    assert "while a conference stood adjourned" in finding.explanation
    [finding] = _run([ADJOURNED, _start("2024-03-27"), _end("2024-04-08")], FIVE)
    assert finding.status.value == "violated"


def test_a_reconvened_conference_that_decides_no_plan_is_checked_as_the_usual_route() -> None:
    reconvened = {
        "id": "ic2",
        "type": "icpc",
        "date": "2024-04-03",
        "outcome": "no_plan",
        "reconvened_from": "ic",
    }
    [finding] = _run([ADJOURNED, _start(), reconvened, _end("2024-04-03")], FIVE)
    assert finding.status.value == "met"
    assert finding.evidence_events == ("ic2",)


def test_a_conference_after_the_interim_start_that_did_not_end_it_leaves_the_route_missing() -> None:
    reconvened = {
        "id": "ic2",
        "type": "icpc",
        "date": "2024-04-02",
        "outcome": "adjourned",
        "reconvened_from": "ic",
    }
    [finding] = _run([ADJOURNED, _start(), reconvened, _end("2024-04-03")], FIVE)
    assert finding.status.value == "violated"


def test_a_reason_that_needs_no_route_is_read_as_usual() -> None:
    [finding] = _run([ADJOURNED, _start(), _end("2024-04-03", "died")], FIVE)
    assert finding.status.value == "met"
    assert "stood adjourned" not in finding.explanation


def test_a_postponed_reconvening_is_no_further_conference() -> None:
    # §3 "no further conference will be convened": a reconvening that was postponed never sat,
    # and the interim plan ended Wed 3 Apr, within the 5 working days
    postponed = {
        "id": "ic2",
        "type": "icpc",
        "date": "2024-04-02",
        "outcome": "postponed",
        "reconvened_from": "ic",
    }
    [finding] = _run([ADJOURNED, _start(), postponed, _end("2024-04-03")], FIVE)
    assert finding.status.value == "met"
