"""A quiet rule (its trigger events absent) is not run: the engine hands back the findings it
gave on the first such case. These tests hold each kind to its promise (``quiet(rule)``): on
every case where the rule is quiet, running it gives what it gives on a case with no events."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cprules
from cprules.findings import Finding, Status
from cprules.pack.model import Rule
from cprules.rules import evaluator, quiet
from cprules.rules.verdict import Verdicts
from cprules.testing import as_of_dates, cases
from cprules.timeline import Timeline

PACKS = {pack_id: cprules.load_pack(pack_id) for pack_id in cprules.bundled_pack_ids()}
EMPTY = cprules.parse_case({"case_id": "Q-0"})


def _ran(rule: Rule, timeline: Timeline) -> list[Finding]:
    return evaluator(rule.kind)(rule, timeline, Verdicts(rule, timeline))


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_every_kind_of_every_bundled_pack_says_when_it_is_quiet(pack_id: str) -> None:
    # every kind the bundled packs use makes the promise, and an empty case makes every rule quiet
    pack = PACKS[pack_id]
    timeline = Timeline.build(EMPTY, date(2024, 6, 1), pack.calendar)
    for rule in pack.rules:
        found = quiet(rule)
        assert found is not None, rule.kind
        assert found.holds(timeline), rule.id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_quiet_rule_gives_what_it_gives_on_an_empty_case(data: st.DataObject) -> None:
    pack = PACKS[data.draw(st.sampled_from(sorted(PACKS)))]
    case = data.draw(cases(pack=pack))
    as_of = data.draw(as_of_dates(case))
    timeline = Timeline.build(case, as_of, pack.calendar)
    empty = Timeline.build(EMPTY, as_of, pack.calendar)
    for rule in pack.rules:
        found = quiet(rule)
        assert found is not None
        if found.holds(timeline):
            assert _ran(rule, timeline) == _ran(rule, empty), rule.id


def _case(*events: dict[str, object], **child: str) -> cprules.Case:
    return cprules.parse_case({"case_id": "Q-1", "child": child, "events": list(events)})


def _of(report: cprules.Report, rule_id: str) -> list[tuple[str, str | None]]:
    return [(f.status.value, f.trigger_event) for f in report.findings if f.rule_id == rule_id]


def test_an_event_that_may_qualify_keeps_the_rule_running() -> None:
    # nelincs prebirth-window checks ICPCs with prebirth: true. An ICPC that does not say
    # whether it was pre-birth, for a child with no date of birth or expected delivery date,
    # may qualify: the rule is not quiet, and with no expected date to count from the
    # finding on it is undetermined, not the "No pre-birth ICPC" of a case without one.
    nelincs = PACKS["nelincs"]
    as_of = date(2024, 6, 1)
    before = cprules.evaluate(EMPTY, nelincs, as_of=as_of)  # the quiet findings are kept here
    assert _of(before, "prebirth-window") == [("not_applicable", None)]
    maybe = _case({"id": "ic", "type": "icpc", "date": "2024-03-25", "outcome": "plan"})
    assert _of(cprules.evaluate(maybe, nelincs, as_of=as_of), "prebirth-window") == [
        ("undetermined", "ic")
    ]
    # born on 2023-01-10, so an ICPC on 2024-03-25 was not pre-birth: quiet again
    born = _case(
        {"id": "ic", "type": "icpc", "date": "2024-03-25", "outcome": "plan"}, date_of_birth="2023-01-10"
    )
    after = cprules.evaluate(born, nelincs, as_of=as_of)
    assert _of(after, "prebirth-window") == [("not_applicable", None)]
    assert [f for f in after.findings if f.rule_id == "prebirth-window"] == [
        f for f in before.findings if f.rule_id == "prebirth-window"
    ]


def test_a_plan_that_has_not_ended_leaves_cessation_quiet_and_an_ended_one_does_not() -> None:
    # england's cessation rule reports on each plan end: a plan still open gives the one
    # "No plan has ended." of a case with no plan; an ended plan gives a finding on its end
    england = PACKS["england"]
    as_of = date(2024, 6, 1)
    cessation = next(rule.id for rule in england.rules if rule.kind == "cessation")
    opened = _case(
        {"id": "ic", "type": "icpc", "date": "2024-03-01", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        date_of_birth="2019-02-01",
    )
    assert _of(cprules.evaluate(opened, england, as_of=as_of), cessation) == [("not_applicable", None)]
    ended = _case(
        {"id": "ic", "type": "icpc", "date": "2024-03-01", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        {"id": "pe", "type": "plan_end", "date": "2024-05-01", "reason": "no_longer_at_risk"},
        date_of_birth="2019-02-01",
    )
    statuses = _of(cprules.evaluate(ended, england, as_of=as_of), cessation)
    assert [trigger for _, trigger in statuses] == ["pe"]
    # and before the plan ended (as at 2024-04-30) the same case is quiet again
    assert _of(cprules.evaluate(ended, england, as_of=date(2024, 4, 30)), cessation) == [
        ("not_applicable", None)
    ]
    assert Status.NOT_APPLICABLE.value == "not_applicable"
