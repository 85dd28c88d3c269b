"""``alternation``: a property holds at least every k-th qualifying event of a plan.

The rules it carries (Jersey, Implementing Child Protection Plans v18): the child is seen
alone at least on alternate visits, and the child's bedroom is seen on alternate visits.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cprules.calendar import WorkingCalendar
from cprules.case import parse_case
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER, AlternationRule
from cprules.rules.alternation import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar("JE", None)

SEEN_ALONE: dict[str, Any] = {
    "id": "seen-alone-alternate",
    "title": "Child seen alone at least on alternate visits",
    "event": {"event": "visit", "where": {"outcome": "seen"}},
    "property": {"seen_alone": True},
    "at_least_every": 2,
}
BEDROOM_EVERY_THIRD: dict[str, Any] = {
    "id": "bedroom-every-third",
    "title": "Bedroom seen at least every third visit",
    "event": "visit",
    "property": {"bedroom_seen": True},
    "at_least_every": 3,
}
PLAN = {"id": "ps", "type": "plan_start", "date": "2024-03-04"}


def _run(params: dict[str, Any], events: list[dict[str, Any]], as_of: date) -> list[Finding]:
    rule = RULE_ADAPTER.validate_python(
        {"kind": "alternation", "severity": "breach", "citation": "Jersey CP plans v18", **params}
    )
    assert isinstance(rule, AlternationRule)
    timeline = Timeline.build(parse_case({"case_id": "AL", "events": events}), as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _visits(pattern: str, *, first: date = date(2024, 3, 8), **fields: Any) -> list[dict[str, Any]]:
    """One visit a week from ``first``: 'A' seen alone, 'n' seen not alone, '?' seen, alone not
    recorded, 'x' no access, 'u' outcome not recorded (not alone)."""
    visits = []
    for n, mark in enumerate(pattern, start=1):
        outcome = {"x": "no_access", "u": None}.get(mark, "seen")
        alone = {"A": True, "n": False, "?": None, "x": None, "u": False}[mark]
        day = first + timedelta(weeks=n - 1)
        visits.append(
            {"id": f"v{n}", "type": "visit", "date": day.isoformat(), "outcome": outcome, "seen_alone": alone}
            | fields
        )
    return visits


def _summary(findings: list[Finding]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.key, f.status.value, f.evidence_events) for f in findings]


AS_OF = date(2024, 9, 2)


def test_two_visits_in_a_row_without_seeing_the_child_alone_is_a_breach() -> None:
    findings = _run(SEEN_ALONE, [PLAN, *_visits("Ann")], AS_OF)
    assert _summary(findings) == [
        ("seen-alone-alternate@v1#1", "met", ("v1",)),
        ("seen-alone-alternate@v3#1", "violated", ("v2", "v3")),
    ]
    # the stretch that is met stops where the breach's window begins
    assert (
        findings[0].explanation
        == "The child was seen alone at least on every 2nd visit in plan 1: the visit v1 on 2024-03-08."
    )
    assert findings[1].explanation == (
        "2 visits on which the child was seen in a row in plan 1, and on each of them the child was "
        "not seen alone: the visit v2 on 2024-03-15 and the visit v3 on 2024-03-22; the procedure "
        "asks that the child was seen alone at least on every 2nd visit."
    )


def test_alternate_visits_are_one_met_finding_for_the_stretch() -> None:
    [finding] = _run(SEEN_ALONE, [PLAN, *_visits("AnAnA")], AS_OF)
    assert (finding.key, finding.status, finding.evidence_events) == (
        "seen-alone-alternate@v1#1",
        Status.MET,
        ("v1", "v3", "v5"),
    )
    assert finding.explanation == (
        "The child was seen alone at least on every 2nd visit in plan 1: 5 visits on which the child "
        "was seen from the visit v1 on 2024-03-08 to the visit v5 on 2024-04-05."
    )


def test_each_further_visit_without_it_is_another_breach() -> None:
    findings = _run(SEEN_ALONE, [PLAN, *_visits("nnnA")], AS_OF)
    # the window slides: (v1, v2) and (v2, v3) both lack it; v4 starts a clean stretch
    assert _summary(findings) == [
        ("seen-alone-alternate@v2#1", "violated", ("v1", "v2")),
        ("seen-alone-alternate@v3#1", "violated", ("v2", "v3")),
        ("seen-alone-alternate@v4#1", "met", ("v4",)),
    ]


def test_only_qualifying_visits_count() -> None:
    # v2 had no access: not a visit where the child was seen, so v1 and v3 are consecutive
    assert _summary(_run(SEEN_ALONE, [PLAN, *_visits("nxn")], AS_OF)) == [
        ("seen-alone-alternate@v3#1", "violated", ("v1", "v3")),
    ]
    assert _summary(_run(SEEN_ALONE, [PLAN, *_visits("nxA")], AS_OF)) == [
        ("seen-alone-alternate@v3#1", "met", ("v3",)),
    ]


def test_every_third_time_with_a_longer_window() -> None:
    # bedroom seen at v3 only; seen alone or not does not matter to this rule
    findings = _run(
        BEDROOM_EVERY_THIRD,
        [PLAN, *[v | {"bedroom_seen": v["id"] == "v3"} for v in _visits("nnnnnn")]],
        AS_OF,
    )
    assert _summary(findings) == [
        ("bedroom-every-third@v3#1", "met", ("v3",)),
        ("bedroom-every-third@v6#1", "violated", ("v4", "v5", "v6")),
    ]
    assert (
        "the procedure asks that the child's bedroom was seen at least on every 3rd visit"
        in findings[1].explanation
    )


# -- missing facts ------------------------------------------------------------------------------


def test_an_empty_property_makes_the_window_undetermined() -> None:
    findings = _run(SEEN_ALONE, [PLAN, *_visits("n?A")], AS_OF)
    assert _summary(findings)[0] == ("seen-alone-alternate@v2#1", "undetermined", ())
    assert (
        "the visit v2 on 2024-03-15 does not record whether the child was seen alone"
        in findings[0].explanation
    )
    # the next window (v2, v3) has the property: v3 starts a clean stretch
    assert _summary(findings)[1:] == [("seen-alone-alternate@v3#1", "met", ("v3",))]


def test_an_empty_property_beside_one_that_holds_decides_nothing() -> None:
    assert [f.status for f in _run(SEEN_ALONE, [PLAN, *_visits("A?A?")], AS_OF)] == [Status.MET]


def test_a_visit_whose_outcome_is_not_recorded_may_or_may_not_count() -> None:
    findings = _run(SEEN_ALONE, [PLAN, *_visits("nu")], AS_OF)
    assert _summary(findings) == [("seen-alone-alternate@v2#1", "undetermined", ())]
    assert "the visit v2 on 2024-03-15 does not record the outcome of the visit" in findings[0].explanation


# -- episodes, too few visits, nothing to check --------------------------------------------------


def test_a_new_plan_starts_afresh() -> None:
    events = [
        PLAN,
        *_visits("An"),
        {"id": "pe", "type": "plan_end", "date": "2024-03-20", "reason": "no_longer_at_risk"},
        {"id": "ps2", "type": "plan_start", "date": "2024-05-06"},
        {"id": "w1", "type": "visit", "date": "2024-05-10", "outcome": "seen", "seen_alone": False},
        {"id": "w2", "type": "visit", "date": "2024-05-17", "outcome": "seen", "seen_alone": True},
    ]
    # v2 (plan 1) and w1 (plan 2) are both without, but not in the same plan
    assert _summary(_run(SEEN_ALONE, events, AS_OF)) == [
        ("seen-alone-alternate@v1#1", "met", ("v1",)),
        ("seen-alone-alternate@w2#1", "met", ("w2",)),
    ]


def test_a_single_visit_without_is_not_yet_a_breach() -> None:
    [open_plan] = _run(SEEN_ALONE, [PLAN, *_visits("n")], AS_OF)
    assert (open_plan.key, open_plan.status) == ("seen-alone-alternate@v1#1", Status.NOT_APPLICABLE)
    assert "so no breach yet" in open_plan.explanation
    ended = [PLAN, *_visits("n"), {"id": "pe", "type": "plan_end", "date": "2024-03-12"}]
    [closed] = _run(SEEN_ALONE, ended, AS_OF)
    assert (closed.key, closed.status, closed.evidence_events) == (
        "seen-alone-alternate@v1#1",
        Status.MET,
        ("v1",),
    )


def test_no_plan_and_no_visits_are_not_applicable() -> None:
    [no_plan] = _run(SEEN_ALONE, _visits("nn"), AS_OF)
    assert (no_plan.status, no_plan.explanation) == (Status.NOT_APPLICABLE, "No plan in the timeline.")
    [no_visits] = _run(SEEN_ALONE, [PLAN, *_visits("xx")], AS_OF)
    assert (no_visits.status, no_visits.explanation) == (
        Status.NOT_APPLICABLE,
        "No visits on which the child was seen in a plan.",
    )


def test_a_visit_after_as_of_is_not_seen() -> None:
    events = [PLAN, *_visits("Ann")]  # v3 on Fri 22 Mar
    assert [f.status for f in _run(SEEN_ALONE, events, date(2024, 3, 21))] == [Status.MET]
    assert [f.status for f in _run(SEEN_ALONE, events, date(2024, 3, 22))] == [Status.MET, Status.VIOLATED]


# -- invariants -----------------------------------------------------------------------------------

START = date(2024, 1, 1)


@st.composite
def _timelines(draw: st.DrawFn) -> list[dict[str, Any]]:
    pattern = draw(st.text(alphabet="AAnn?xu", max_size=12))
    events: list[dict[str, Any]] = [{"id": "ps", "type": "plan_start", "date": START.isoformat()}]
    events += _visits(pattern, first=START + timedelta(days=1))
    if draw(st.booleans()):
        end = START + timedelta(days=draw(st.integers(0, 7 * len(pattern) + 3)))
        events.append({"id": "pe", "type": "plan_end", "date": end.isoformat()})
        events += [
            {"id": "ps2", "type": "plan_start", "date": (end + timedelta(days=1)).isoformat()},
            *_visits(draw(st.text(alphabet="An?", max_size=5)), first=end + timedelta(days=100)),
        ]
    return _unique_ids(events)


def _unique_ids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The second plan's visits reuse v1, v2...: rename them v1b, v2b..."""
    seen: set[str] = set()
    for event in events:
        while event["id"] in seen:
            event["id"] += "b"
        seen.add(event["id"])
    return events


@settings(max_examples=200, deadline=None)
@given(_timelines(), st.integers(0, 250), st.integers(0, 250))
def test_met_and_violated_findings_keep_their_status_at_a_later_as_of(
    events: list[dict[str, Any]], first: int, more: int
) -> None:
    earlier = _run(SEEN_ALONE, events, START + timedelta(days=first))
    later = {f.key: f for f in _run(SEEN_ALONE, events, START + timedelta(days=first + more))}
    assert earlier and later
    assert len({f.key for f in earlier}) == len(earlier)  # keys are unique
    for finding in earlier:
        if finding.status in (Status.MET, Status.VIOLATED):
            assert later[finding.key].status is finding.status
            if finding.status is Status.VIOLATED:
                assert later[finding.key].evidence_events == finding.evidence_events
