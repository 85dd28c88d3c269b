"""``window``: each qualifying event falls inside a window set relative to an anchor date.

The anchor is the child's ``expected_delivery_date`` or ``date_of_birth`` (a date of birth after
``as_of`` is not known yet), or the latest event matching an anchor selector before the
qualifying event. The window opens ``not_before`` and closes ``not_after`` from the anchor
(:meth:`Offset.apply`, calendar arithmetic for days, weeks and months). An event before the
window opens is ``violated``; after it closes, ``late`` (``due`` is the window's last day,
lateness counted as for any deadline); inside it, ``met`` (``due`` is the last day too, when
there is one). No anchor: ``undetermined``. One finding per qualifying event;
``not_applicable`` when there is none (a window is only checked against events that happened).

An event whose selector test meets an empty field (a conference that does not record whether
it is pre-birth) is checked too: inside the window it is ``met`` whatever the field says;
outside it, ``undetermined`` naming the field, never a breach.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "prebirth-window", "kind": "window",
...     "title": "Pre-birth ICPC not before week 24, by week 30 of pregnancy", "severity": "breach",
...     "citation": "NEL CP Conferences, s15", "event": {"event": "icpc", "where": {"prebirth": True}},
...     "anchor": "expected_delivery_date", "not_before": {"weeks": 16, "direction": "before"},
...     "not_after": {"weeks": 10, "direction": "before"}})
>>> case = parse_case({"case_id": "W-1", "child": {"expected_delivery_date": "2024-07-05"},
...     "events": [{"id": "ic", "type": "icpc", "date": "2024-04-29", "prebirth": True}]})
>>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.status.value, finding.due, finding.working_days_late
('late', datetime.date(2024, 4, 26), 1)
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-04-26: the last day of the window, 10 weeks before the expected delivery date
2024-07-05. The ICPC ic was held on 2024-04-29: 1 working day late (3 calendar days).
"""

from __future__ import annotations

from datetime import date

from cprules.case import AnyEvent
from cprules.findings import Finding
from cprules.pack.model import Selector, WindowRule
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, label
from cprules.timeline import Timeline
from cprules.words import capital, happened, plural

__all__ = ["evaluate", "quiet"]


def quiet(rule: WindowRule) -> Quiet:
    """The rule's findings are the same on every case with no event it may check: "No pre-birth ICPC
    in the timeline." (the first lines of :func:`evaluate`)."""
    return Quiet((rule.event.types,), rule.event)


def evaluate(rule: WindowRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per qualifying event: inside the window, too early or late."""
    selection = timeline.selection(rule.event)
    qualifying = selection.possible
    doubtful = frozenset(selection.unknown)
    if not qualifying:
        return [verdicts.not_applicable(f"No {rule.event.words.bare} in the timeline")]
    findings: list[Finding] = []
    for position in qualifying:
        doubt = _empty_fields(rule.event, timeline, position) if position in doubtful else None
        findings.append(_check(rule, timeline, verdicts, position, doubt))
    return findings


def _check(
    rule: WindowRule, timeline: Timeline, verdicts: Verdicts, position: int, doubt: str | None
) -> Finding:
    event = timeline.events[position]
    anchor, anchor_text, anchor_event = _anchor(rule, timeline, position)
    if anchor is None:
        return verdicts.undetermined(anchor_text, trigger=event)
    calendar = timeline.calendar
    opens = rule.not_before.apply(anchor, calendar) if rule.not_before is not None else None
    closes = rule.not_after.apply(anchor, calendar) if rule.not_after is not None else None
    evidence = (anchor_event,) if anchor_event is not None else ()
    held = event.date
    if opens is not None and held < opens:
        assert rule.not_before is not None
        text = (
            f"{capital(label(event))} was {_span(held, anchor)} {'before' if held <= anchor else 'after'} "
            f"{anchor_text}; the window opens {rule.not_before.describe()} it, on {opens.isoformat()}: "
            f"{_span(held, opens)} too early"
        )
        if doubt is not None:
            return verdicts.undetermined(f"{text}, but {doubt}", trigger=event, due=closes)
        return verdicts.violated(text, trigger=event, due=closes, occurred_on=held, evidence=evidence)
    if closes is not None and held > closes:
        assert rule.not_after is not None
        why = f"the last day of the window, {rule.not_after.describe()} {anchor_text}"
        if doubt is not None:
            return verdicts.undetermined(
                f"{label(event)} was after {why} ({closes.isoformat()}), but {doubt}",
                trigger=event,
                due=closes,
            )
        counted_forward = rule.not_after.working_days is not None and rule.not_after.direction == "after"
        return verdicts.against_due(
            due=closes,
            why_due=why,
            done_on=held,
            done_text=happened(event, start=True),
            trigger=event,
            evidence=evidence,
            skipped_from=anchor if counted_forward else None,
        )
    bounds = []
    if opens is not None and rule.not_before is not None:
        bounds.append(f"opening {opens.isoformat()} ({rule.not_before.describe()} {anchor_text})")
    if closes is not None and rule.not_after is not None:
        bounds.append(f"closing {closes.isoformat()} ({rule.not_after.describe()} {anchor_text})")
    return verdicts.met(
        f"{capital(label(event))} was inside the window, {' and '.join(bounds)}",
        trigger=event,
        due=closes,
        occurred_on=held,
        evidence=evidence,
    )


def _anchor(rule: WindowRule, timeline: Timeline, position: int) -> tuple[date | None, str, AnyEvent | None]:
    """(anchor date, how to name it, the anchor event); the date is None with the reason."""
    event = timeline.events[position]
    anchor = rule.anchor
    if isinstance(anchor, Selector):
        found = timeline.last(anchor, 0, position)
        if found is None:
            return None, f"{capital(anchor.words.no)} before {label(event)} to set the window from", None
        anchor_event = timeline.events[found]
        return anchor_event.date, label(anchor_event), anchor_event
    child = timeline.case.child
    if anchor == "expected_delivery_date":
        if child.expected_delivery_date is None:
            return None, "The case does not record the child's expected delivery date", None
        return (
            child.expected_delivery_date,
            f"the expected delivery date {child.expected_delivery_date}",
            None,
        )
    born = child.date_of_birth
    if born is None or born > timeline.as_of:
        return None, f"The case does not record the child's date of birth (as at {timeline.as_of})", None
    return born, f"the date of birth {born.isoformat()}", None


def _span(a: date, b: date) -> str:
    """'2 weeks and 3 days' between two dates (either order)."""
    days = abs((b - a).days)
    weeks, rest = divmod(days, 7)
    if weeks and rest:
        return f"{plural(weeks, 'week')} and {plural(rest, 'day')}"
    return plural(weeks, "week") if weeks else plural(rest, "day")


def _empty_fields(selector: Selector, timeline: Timeline, position: int) -> str:
    """'it does not record whether it was a pre-birth conference, ...', for an event the
    selector may accept."""
    lacking = empty_fields(selector, timeline, position)
    return f"it does not record {lacking}, which decides whether the rule applies"
