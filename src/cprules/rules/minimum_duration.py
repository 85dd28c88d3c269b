"""``minimum_duration``: a plan does not end before a period after it was made, save for exceptions.

One finding per plan episode. The period runs from the conference that decided to make the
plan (``measured_from: decision``; the ``plan_start`` when no opening conference is recorded,
or with ``measured_from: plan_start``); the boundary it gives is the earliest day the plan may
end, carried in ``due``. A plan ended before it is still ``met`` when its end's reason is one
of ``unless_reasons`` or an ``unless`` event happened in the episode on or before the end. A
reason the timeline refutes (SPEC §4: ``turned_18`` for a younger child, ``died`` followed by a
visit that saw the child, ``moved_out`` with no move recorded) is no exception: the finding
names both facts.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "minimum-duration", "kind": "minimum_duration",
...     "title": "No cessation within six months of the decision to make the plan",
...     "severity": "breach", "citation": "Stoke C06:07", "at_least": {"months": 6},
...     "unless_reasons": ["died", "moved_out"]})
>>> case = parse_case({"case_id": "M-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-01-05"},
...     {"id": "pe", "type": "plan_end", "date": "2024-05-02", "reason": "no_longer_at_risk"}]})
>>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value, finding.due
('minimum-duration@pe#1', 'violated', datetime.date(2024, 7, 5))
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Plan 1 ended 2024-05-02 (the child was no longer at risk), 3 months and 27 days after the
ICPC ic on 2024-01-05, before 2024-07-05, the earliest it could end (6 months after); no
exception applies.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from cprules.case import AnyEvent, Episode
from cprules.findings import Finding, Status
from cprules.pack.model import MinimumDurationRule, Selector
from cprules.rules import Quiet
from cprules.rules.cessation import empty_facts
from cprules.rules.verdict import Verdicts, label
from cprules.timeline import Timeline
from cprules.words import REASON_TEXT, plural

__all__ = ["evaluate", "quiet", "span"]


def quiet(rule: MinimumDurationRule) -> Quiet:
    """The rule's findings are the same on every case with no plan: "No plan in the timeline." (the
    first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",),))


def evaluate(rule: MinimumDurationRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per plan episode (``not_applicable`` when there is no plan).

    >>> from cprules.pack.model import RULE_ADAPTER
    >>> RULE_ADAPTER.validate_python({"id": "m", "kind": "minimum_duration", "title": "t",
    ...     "severity": "breach", "citation": "c", "at_least": {"months": 6}}).measured_from
    'decision'
    """
    if not timeline.episodes:
        return [verdicts.not_applicable("No plan in the timeline")]
    findings: list[Finding] = []
    events = timeline.events
    for episode in timeline.episodes:
        plan_start = events[episode.start_index]
        opener = (
            events[episode.opened_by_index]
            if rule.measured_from == "decision" and episode.opened_by_index is not None
            else None
        )
        start = opener if opener is not None else plan_start
        earliest = rule.at_least.add(start.date, timeline.calendar)
        since = label(start)
        if episode.end_index is None:
            findings.append(
                verdicts.finding(
                    Status.NOT_APPLICABLE,
                    f"Plan {episode.number} is still open; it may end from {earliest.isoformat()}, "
                    f"{rule.at_least.describe()} after {since}.",
                    trigger=plan_start,
                    due=earliest,
                    evidence=(start,),
                )
            )
            continue
        end = events[episode.end_index]
        findings.append(_ended(rule, timeline, verdicts, episode, start, since, end, earliest))
    return findings


def _ended(
    rule: MinimumDurationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    episode: Episode,
    start: AnyEvent,
    since: str,
    end: AnyEvent,
    earliest: date,
) -> Finding:
    reason: str | None = end.reason  # type: ignore[attr-defined]
    because = f" ({REASON_TEXT[reason]})" if reason is not None else ""
    ended = f"Plan {episode.number} ended {end.date.isoformat()}{because}"
    if end.date >= earliest:
        return verdicts.met(
            f"{ended}, on or after {earliest.isoformat()}, the earliest it could end "
            f"({rule.at_least.describe()} after {since})",
            trigger=end,
            due=earliest,
            occurred_on=end.date,
            evidence=(start,),
        )
    early = (
        f"{ended}, {span(start.date, end.date)} after {since}, before {earliest.isoformat()}, the "
        f"earliest it could end ({rule.at_least.describe()} after)"
    )
    refuted = None
    if reason is not None and reason in rule.unless_reasons:
        refuted = timeline.refuted(episode.end_index)  # type: ignore[arg-type]
        if refuted is None:
            return verdicts.met(
                f"{early}; ending early for this reason is an exception the procedure allows",
                trigger=end,
                due=earliest,
                occurred_on=end.date,
                evidence=(start,),
            )
    first, stop = timeline.episode_bounds(episode.number)
    excuse, unknown = _excuses(rule.unless, timeline, first, stop - 1)
    if excuse is not None:
        return verdicts.met(
            f"{early}; {label(excuse)} is an exception the procedure allows",
            trigger=end,
            due=earliest,
            occurred_on=end.date,
            evidence=(start, excuse),
        )
    refutes = ""
    if refuted is not None:
        refutes = (
            f"; the reason would be an exception the procedure allows, but the timeline refutes it: "
            f"{refuted.text}"
        )
    missing: list[str] = []
    if reason is None:
        missing.append("the plan end does not say why")
    if unknown is not None:
        event, selector = unknown
        missing.append(f"{label(event)} does not record {empty_facts(selector, event, timeline.birth)}")
    if missing:
        return verdicts.undetermined(
            f"{early}{refutes}; {' and '.join(missing)}, so whether an exception applies is unknown",
            trigger=end,
            due=earliest,
        )
    if refuted is not None:
        return verdicts.violated(
            f"{early}{refutes}",
            trigger=end,
            due=earliest,
            occurred_on=end.date,
            evidence=(start, *refuted.evidence),
        )
    return verdicts.violated(
        f"{early}; no exception applies",
        trigger=end,
        due=earliest,
        occurred_on=end.date,
        evidence=(start,),
    )


def _excuses(
    unless: tuple[Selector, ...], timeline: Timeline, start: int, end: int
) -> tuple[AnyEvent | None, tuple[AnyEvent, Selector] | None]:
    """The first ``unless`` event surely in ``[start, end]``, and the first one only maybe there."""
    found: int | None = None
    unknown: tuple[int, Selector] | None = None
    for selector in unless:
        hit = timeline.first(selector, start, end + 1)
        if hit is not None and (found is None or hit < found):
            found = hit
        if found is None:
            maybe = timeline.unknown_positions(selector, start, end + 1)
            if maybe and (unknown is None or maybe[0] < unknown[0]):
                unknown = (maybe[0], selector)
    events = timeline.events
    if found is not None:
        return events[found], None
    return None, (events[unknown[0]], unknown[1]) if unknown is not None else None


def span(start: date, end: date) -> str:
    """The calendar time from ``start`` to ``end``, in words.

    >>> span(date(2024, 1, 5), date(2024, 5, 2)), span(date(2024, 1, 31), date(2024, 2, 29))
    ('3 months and 27 days', '1 month')
    """
    # relativedelta(end, start) in words, without its cost: whole months (a month from 31 Jan
    # is 29 Feb, as Period.add counts), then the days left
    months = (end.year - start.year) * 12 + end.month - start.month
    anchor = _add_months(start, months)
    if anchor > end:
        months -= 1
        anchor = _add_months(start, months)
    days = (end - anchor).days
    if months == 0:
        return plural(days, "day")
    if days == 0:
        return plural(months, "month")
    return f"{plural(months, 'month')} and {plural(days, 'day')}"


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))
