"""``cessation``: a plan ends only for an allowed reason, and by that reason's route.

One finding per ``plan_end``. The rule's ``routes`` map each allowed reason to the events any
one of which is an acceptable route (a quorate review conference deciding to cease; the
receiving authority's transfer-in conference); an empty list means no route is needed (the
child died). The route is looked for in the plan's episode, after the conference that opened
it and on or before the end; when the end names the conference that decided it (``decided_at``),
only that event counts. A route may be another authority's conference (``held_by:
receiving_authority``): it is evidence of the route wherever it was held (SPEC §4).

A reason the timeline itself refutes (``turned_18`` for a child the date of birth shows was
younger, ``died`` for a child seen at a later visit, ``moved_out`` with no move recorded) is
not taken on trust: the finding is ``violated``, naming both facts (SPEC §4).

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "cessation-route", "kind": "cessation",
...     "title": "A plan ends only for an allowed reason and by its route",
...     "severity": "breach", "citation": "WT 2023", "routes": {
...         "no_longer_at_risk": [{"event": "review_conference",
...                                "where": {"outcome": "cease", "quorate": True}}],
...         "died": []}})
>>> case = parse_case({"case_id": "C-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-01-05"},
...     {"id": "rc", "type": "review_conference", "date": "2024-04-03", "outcome": "cease"},
...     {"id": "pe", "type": "plan_end", "date": "2024-04-03", "reason": "no_longer_at_risk"}]})
>>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value
('cessation-route@pe#1', 'undetermined')
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Plan 1 ended 2024-04-03 (the child was no longer at risk); the review conference rc on 2024-04-03
does not record whether it was quorate, so whether it was a review conference (quorate) that
decided to end the plan is unknown.
"""

from __future__ import annotations

from datetime import date

from cprules.case import AnyEvent
from cprules.findings import Finding
from cprules.pack.model import CessationRule, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, label
from cprules.timeline import Timeline
from cprules.words import REASON_TEXT, facts, named

__all__ = ["REASON_TEXT", "empty_facts", "evaluate", "quiet"]


def quiet(rule: CessationRule) -> Quiet:
    """The rule's findings are the same on every case with no plan that has ended (no plan start, or
    no plan end): "No plan has ended." (the first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",), ("plan_end",)))


def evaluate(rule: CessationRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per plan end (``not_applicable`` when no plan has ended).

    >>> from cprules.pack.model import RULE_ADAPTER
    >>> sorted(RULE_ADAPTER.validate_python({"id": "c", "kind": "cessation", "title": "t",
    ...     "severity": "breach", "citation": "c", "routes": {"died": []}}).routes)
    ['died']
    """
    findings: list[Finding] = []
    events = timeline.events
    for episode in timeline.episodes:
        if episode.end_index is None:
            continue
        end = events[episode.end_index]
        # the conference that opened the plan never ends it (a transfer-in conference that took
        # the child on is no route out when the child moves on)
        start = episode.start_index if episode.opened_by_index is None else episode.opened_by_index + 1
        stop = episode.end_index + 1
        interim = _interim_end(rule, timeline, verdicts, episode.number, episode.start_index, end, stop)
        if interim is not None:
            findings.append(interim)
            continue
        findings.append(_one_end(rule, timeline, verdicts, episode.number, end, start, stop))
    if not findings:
        return [verdicts.not_applicable("No plan has ended")]
    return findings


_ANY_CONFERENCE = Selector(event=("icpc", "review_conference", "transfer_in_conference"))
#: a conference that sat: a postponed one never did (one with no outcome recorded is taken as sat)
_SAT = Selector.model_validate(
    {"event": list(_ANY_CONFERENCE.event), "where": {"outcome": {"not_one_of": ["postponed"]}}}
)


def _interim_end(
    rule: CessationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    number: int,
    start_index: int,
    end: AnyEvent,
    stop: int,
) -> Finding | None:
    """An interim plan ended with no further conference, in time (``interim_ends_within``)."""
    within = rule.interim_ends_within
    events = timeline.events
    if within is None or getattr(events[start_index], "interim", None) is not True:
        return None
    reason: str | None = end.reason  # type: ignore[attr-defined]
    if reason is None or not rule.routes.get(reason):  # type: ignore[call-overload]
        return None  # no reason, a reason not allowed, or one needing no route: as usual
    if timeline.first(_SAT, start_index + 1, stop) is not None:
        return None  # a conference sat after the interim plan began: its route is checked as usual
    adjourned = timeline.last(_ANY_CONFERENCE, 0, start_index)
    same_day = adjourned is not None and events[adjourned].date == events[start_index].date
    anchor = events[adjourned] if adjourned is not None and same_day else None
    began = anchor if anchor is not None else events[start_index]
    due = within.add(began.date, timeline.calendar)
    if end.date > due:
        return None
    what = f"{label(anchor)} stood adjourned" if anchor is not None else "a conference stood adjourned"
    return verdicts.met(
        f"Plan {number}, an interim plan while {what}, ended {end.date.isoformat()} "
        f"({REASON_TEXT[reason]}), within {within.describe()} and with no further conference: "
        "agency managers concluded no plan was needed, so no further conference is convened",
        trigger=end,
        occurred_on=end.date,
        evidence=(began,),
    )


def _one_end(
    rule: CessationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    number: int,
    end: AnyEvent,
    start: int,
    stop: int,
) -> Finding:
    reason: str | None = end.reason  # type: ignore[attr-defined]
    if reason is None:
        return verdicts.undetermined(
            f"The {named(end, 'plan end')} on {end.date.isoformat()} does not record a reason", trigger=end
        )
    ended = f"Plan {number} ended {end.date.isoformat()} ({REASON_TEXT[reason]})"
    routes = rule.routes.get(reason)  # type: ignore[call-overload]
    if routes is None:
        allowed = "; ".join(REASON_TEXT[r] for r in rule.routes)
        return verdicts.violated(
            f"{ended}: that is not a reason this procedure allows a plan to end for (it allows: "
            f"{allowed})",
            trigger=end,
            occurred_on=end.date,
        )
    refuted = timeline.refuted(timeline.case.positions_by_id[end.id])
    if refuted is not None:
        return verdicts.violated(
            f"{ended}, but the timeline refutes that reason: {refuted.text}; so the plan did not "
            "end by a route this procedure allows",
            trigger=end,
            occurred_on=end.date,
            evidence=refuted.evidence,
        )
    routes = _anywhere(rule, reason, routes)
    if not routes:
        return verdicts.met(
            f"{ended}: no particular route is needed for this reason", trigger=end, occurred_on=end.date
        )
    decided_at: str | None = end.decided_at  # type: ignore[attr-defined]
    if decided_at is not None:
        return _decided_at(timeline, verdicts, routes, ended, end, decided_at, start, stop)
    found: int | None = None
    unknown: tuple[int, Selector] | None = None
    for selector in routes:
        hit = timeline.last(selector, start, stop)
        if hit is not None and (found is None or hit > found):
            found = hit
        if found is None:
            maybe = timeline.unknown_positions(selector, start, stop)
            if maybe and (unknown is None or maybe[-1] > unknown[0]):
                unknown = (maybe[-1], selector)
    events = timeline.events
    if found is not None:
        route = events[found]
        return verdicts.met(
            f"{ended}, by the route this reason needs: {label(route)}",
            trigger=end,
            occurred_on=end.date,
            evidence=(route,),
        )
    if unknown is not None:
        event = events[unknown[0]]
        return verdicts.undetermined(
            f"{ended}; {label(event)} does not record {empty_facts(unknown[1], event, timeline.birth)}, "
            f"so whether it was {unknown[1].words.a} is unknown",
            trigger=end,
        )
    return verdicts.violated(
        f"{ended}, and there was {_none(routes)} between the plan's start and its end",
        trigger=end,
        occurred_on=end.date,
    )


def _decided_at(
    timeline: Timeline,
    verdicts: Verdicts,
    routes: tuple[Selector, ...],
    ended: str,
    end: AnyEvent,
    decided_at: str,
    start: int,
    stop: int,
) -> Finding:
    """Only the event the plan end names as its decision can be the route."""
    position = timeline.position_of(decided_at)
    if position is None:
        return verdicts.undetermined(
            f"{ended}; it names '{decided_at}' as the conference that decided it, and no event "
            f"'{decided_at}' is in the timeline",
            trigger=end,
        )
    event = timeline.events[position]
    if not start <= position < stop:
        return verdicts.violated(
            f"{ended}, decided at {label(event)}, which is not an event of this plan between its "
            f"start and its end; the route this reason needs is {_wanted(routes)}",
            trigger=end,
            occurred_on=end.date,
            evidence=(event,),
        )
    unknown: Selector | None = None
    for selector in routes:
        match = selector.match(event, timeline.birth, timeline.implied)
        if match is True:
            return verdicts.met(
                f"{ended}, decided at {label(event)}, the route this reason needs",
                trigger=end,
                occurred_on=end.date,
                evidence=(event,),
            )
        if match is None and unknown is None:
            unknown = selector
    if unknown is not None:
        return verdicts.undetermined(
            f"{ended}, decided at {label(event)}, which does not record "
            f"{empty_facts(unknown, event, timeline.birth)}, so whether it was {unknown.words.a} "
            "is unknown",
            trigger=end,
        )
    return verdicts.violated(
        f"{ended}, decided at {label(event)}, which is not {_wanted(routes)}",
        trigger=end,
        occurred_on=end.date,
        evidence=(event,),
    )


def _anywhere(rule: CessationRule, reason: str, routes: tuple[Selector, ...]) -> tuple[Selector, ...]:
    """The routes, accepting conferences whoever held them (worked out once per rule)."""
    table: dict[str, tuple[Selector, ...]] = rule.once(
        "routes anywhere",
        lambda: {name: tuple(s.anywhere() for s in found) for name, found in rule.routes.items()},
    )
    return table.get(reason, routes)


def _wanted(routes: tuple[Selector, ...]) -> str:
    """The routes in words (built only for the findings that say them): 'a review conference
    that decided to end the plan or ...'."""
    return " or ".join(selector.words.a for selector in routes)


def _none(routes: tuple[Selector, ...]) -> str:
    """'no review conference that decided to end the plan nor a ...'."""
    first, *rest = routes
    return " nor ".join([first.words.no, *(selector.words.a for selector in rest)])


def empty_facts(selector: Selector, event: AnyEvent, birth: date | None) -> str:
    """What ``selector`` tests that ``event`` leaves empty, in words ('whether it was quorate').

    >>> from cprules.case import parse_case
    >>> event = parse_case({"case_id": "x", "events": [
    ...     {"type": "looked_after", "date": "2024-01-01", "basis": "interim_care_order"}]}).events[0]
    >>> empty_facts(Selector.model_validate({"event": "looked_after", "where": {
    ...     "basis": "interim_care_order", "living_with_family": False}}), event, None)
    'whether the child lived in the family home'
    """
    kind: str = event.type  # type: ignore[attr-defined]
    empty = [
        field
        for field, test in selector.where.items()
        if test.present is None and getattr(event, field, None) is None
    ]
    named = [facts(kind, empty)] if empty else []
    if selector.child_under is not None and birth is None:
        named.append("the child's date of birth")
    return " or ".join(named) if named else "the details the procedure asks for"
