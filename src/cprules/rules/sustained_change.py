"""``sustained_change``: a plan in a category (neglect) ends for improvement only after sustained change.

North East Lincolnshire, Child Protection Conferences §12: "Unless the changes made have been
established for at least a six month period, a plan should not be ended due to sustained
change and improvement. It will therefore not be appropriate to end a Neglect Category CP
plan on the basis of changes and improvements made at the first review conference", save for
"a significant change of circumstances e.g. the child has moved to a different family".

One finding per plan end whose reason is one of ``reasons`` (improvement) in a plan of the
rule's ``category``. The plan's categories are the ones recorded last on or before its end: the
latest review conference that records them, else the ``plan_start``, else the conference that
opened the plan. An interim plan (in place while a conference was adjourned) whose categories
nothing records was never a plan in a category: it is passed over, not ``undetermined``. The
deciding conference is the one the end names (``decided_at``), else the
latest review conference of the plan that decided to cease (else its latest review conference);
without one the decision is dated the plan's end. ``due`` carries the earliest date the
decision could be taken: ``at_least`` after the latest ``sustained_change_from`` event.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "neglect-sustained-change",
...     "kind": "sustained_change", "title": "Neglect plans end after six months' sustained change",
...     "severity": "breach", "citation": "NE Lincs §12", "category": "neglect",
...     "at_least": {"months": 6}, "unless": ["significant_change"]})
>>> case = parse_case({"case_id": "S-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-01-05", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-01-05", "categories": ["neglect"]},
...     {"id": "r1", "type": "review_conference", "date": "2024-04-03", "outcome": "continue"},
...     {"id": "sc", "type": "sustained_change_from", "date": "2024-04-03"},
...     {"id": "r2", "type": "review_conference", "date": "2024-09-25", "outcome": "cease"},
...     {"id": "pe", "type": "plan_end", "date": "2024-09-25", "reason": "no_longer_at_risk"}]})
>>> timeline = Timeline.build(case, date(2024, 12, 1), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value, finding.due
('neglect-sustained-change@pe#1', 'violated', datetime.date(2024, 10, 3))
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
The neglect plan 1 ended for improvement at the review conference r2 on 2024-09-25, 5 months and
22 days after the sustained change began on 2024-04-03; it needed 6 months, so not before
2024-10-03.
"""

from __future__ import annotations

from cprules.case import AnyEvent, Episode
from cprules.findings import Finding
from cprules.pack.model import Selector, SustainedChangeRule
from cprules.rules import Quiet
from cprules.rules.cessation import empty_facts
from cprules.rules.minimum_duration import span
from cprules.rules.verdict import Verdicts, label
from cprules.timeline import Timeline

__all__ = ["evaluate", "quiet"]

_REVIEW = Selector(event="review_conference")
_SUSTAINED = Selector(event="sustained_change_from")


def quiet(rule: SustainedChangeRule) -> Quiet:
    """The rule's findings are the same on every case with no plan that has ended (no plan start, or
    no plan end): "No neglect plan has ended for improvement." (the first lines of
    :func:`evaluate`)."""
    return Quiet((("plan_start",), ("plan_end",)))


def evaluate(rule: SustainedChangeRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per plan of the category ended for improvement (else ``not_applicable``).

    >>> from cprules.pack.model import RULE_ADAPTER
    >>> RULE_ADAPTER.validate_python({"id": "s", "kind": "sustained_change", "title": "t",
    ...     "severity": "breach", "citation": "c", "category": "neglect",
    ...     "at_least": {"months": 6}}).reasons
    ('no_longer_at_risk',)
    """
    findings: list[Finding] = []
    events = timeline.events
    for episode in timeline.episodes:
        if episode.end_index is None:
            continue
        end = events[episode.end_index]
        reason: str | None = end.reason  # type: ignore[attr-defined]
        if reason is not None and reason not in rule.reasons:
            continue
        start, stop = timeline.episode_bounds(episode.number)
        reviews = timeline.positions(_REVIEW, start, stop)
        categories = _categories(timeline, episode, reviews)
        if categories is not None and rule.category not in categories:
            continue
        if categories is None and getattr(events[episode.start_index], "interim", None) is True:
            # an interim plan while a conference was adjourned: its categories were never
            # decided, so it was not a plan in any category (not noisy: SPEC §4)
            continue
        if categories is None:
            findings.append(
                verdicts.undetermined(
                    f"Plan {episode.number} ended {end.date.isoformat()} and no conference or plan "
                    f"start records its categories, so whether it was a {rule.category} plan is unknown",
                    trigger=end,
                )
            )
        elif reason is None:
            findings.append(
                verdicts.undetermined(
                    f"The {rule.category} plan {episode.number} ended {end.date.isoformat()} and the "
                    "plan end does not record a reason, so whether it ended for improvement is unknown",
                    trigger=end,
                )
            )
        else:
            findings.append(_improvement(rule, timeline, verdicts, episode, start, stop, reviews))
    if not findings:
        return [verdicts.not_applicable(f"No {rule.category} plan has ended for improvement")]
    return findings


def _categories(timeline: Timeline, episode: Episode, reviews: list[int]) -> tuple[str, ...] | None:
    """The plan's categories as last recorded on or before its end (a review may change them)."""
    events = timeline.events
    for position in reversed(reviews):
        recorded: tuple[str, ...] | None = events[position].categories  # type: ignore[attr-defined]
        if recorded is not None:
            return recorded
    from_start: tuple[str, ...] | None = events[episode.start_index].categories  # type: ignore[attr-defined]
    if from_start is not None:
        return from_start
    if episode.opened_by_index is not None:
        opened: tuple[str, ...] | None = events[episode.opened_by_index].categories  # type: ignore[attr-defined]
        return opened
    return None


def _improvement(
    rule: SustainedChangeRule,
    timeline: Timeline,
    verdicts: Verdicts,
    episode: Episode,
    start: int,
    stop: int,
    reviews: list[int],
) -> Finding:
    events = timeline.events
    end = events[stop - 1]
    deciding = _deciding(timeline, end, start, stop, reviews)
    if isinstance(deciding, str):
        return verdicts.undetermined(
            f"The {rule.category} plan {episode.number} ended {end.date.isoformat()}, decided at "
            f"'{deciding}', and no event '{deciding}' is in the timeline",
            trigger=end,
        )
    decision = events[deciding] if deciding is not None else end
    decided = deciding if deciding is not None else stop - 1
    at = f"at {label(decision)}" if deciding is not None else f"on {end.date.isoformat()}"
    ended = f"The {rule.category} plan {episode.number} ended for improvement {at}"
    # a significant change of circumstances lifts both conditions
    excuse, unknown = _excuse(rule.unless, timeline, start, decided + 1)
    if excuse is not None:
        return verdicts.met(
            f"{ended}, after {label(excuse)}, which lifts the sustained change condition",
            trigger=end,
            occurred_on=decision.date,
            evidence=(excuse,),
        )
    maybe = ""
    if unknown is not None:
        event, selector = unknown
        maybe = (
            f"; {label(event)} does not record {empty_facts(selector, event, timeline.birth)}, so "
            f"whether it was {selector.words.a}, which would lift the condition, is unknown"
        )
    if rule.not_at_first_review and deciding is not None and _first_review(timeline, deciding, reviews):
        text = f"{ended}, the plan's first review; a plan in this category never ends for improvement there"
        if unknown is not None:
            return verdicts.undetermined(text + maybe, trigger=end)
        return verdicts.violated(text, trigger=end, occurred_on=decision.date, evidence=(decision,))
    since = timeline.last(_SUSTAINED, start, decided + 1)
    if since is None:
        return verdicts.undetermined(
            f"{ended}, and no start of sustained change is recorded in the plan on or before the decision",
            trigger=end,
        )
    began = events[since]
    earliest = rule.at_least.add(began.date, timeline.calendar)
    arithmetic = (
        f"{span(began.date, decision.date)} after the sustained change began on {began.date.isoformat()}"
    )
    evidence = (began, decision) if deciding is not None else (began,)
    if decision.date >= earliest:
        return verdicts.met(
            f"{ended}, {arithmetic}: no earlier than {earliest.isoformat()}, "
            f"{rule.at_least.describe()} after it began",
            trigger=end,
            due=earliest,
            occurred_on=decision.date,
            evidence=evidence,
        )
    text = (
        f"{ended}, {arithmetic}; it needed {rule.at_least.describe()}, so not before {earliest.isoformat()}"
    )
    if unknown is not None:
        return verdicts.undetermined(text + maybe, trigger=end, due=earliest)
    return verdicts.violated(text, trigger=end, due=earliest, occurred_on=decision.date, evidence=evidence)


def _deciding(
    timeline: Timeline, end: AnyEvent, start: int, stop: int, reviews: list[int]
) -> int | str | None:
    """The deciding conference's position; the missing id when ``decided_at`` names no event."""
    decided_at: str | None = end.decided_at  # type: ignore[attr-defined]
    if decided_at is not None:
        position = timeline.position_of(decided_at)
        if position is None:
            return decided_at
        if start <= position < stop:
            return position
        # a decision outside the plan is the cessation rule's to report; use the plan's reviews
    events = timeline.events
    for position in reversed(reviews):
        if events[position].outcome == "cease":  # type: ignore[attr-defined]
            return position
    return reviews[-1] if reviews else None


def _first_review(timeline: Timeline, deciding: int, reviews: list[int]) -> bool:
    """Whether the deciding conference is the plan's first review (or reconvenes it).

    A postponed review was not held, so the next one is the first; an adjourned first review
    goes on at the conference that reconvenes it.
    """
    events = timeline.events
    if events[deciding].type != "review_conference":  # type: ignore[attr-defined]
        return False
    first: set[str] = set()
    for position in reviews:
        event = events[position]
        if not first:
            if event.outcome != "postponed":  # type: ignore[attr-defined]
                first.add(event.id)
        elif event.reconvened_from in first:  # type: ignore[attr-defined]
            first.add(event.id)
        if position == deciding:
            return event.id in first
    return False


def _excuse(
    unless: tuple[Selector, ...], timeline: Timeline, start: int, stop: int
) -> tuple[AnyEvent | None, tuple[AnyEvent, Selector] | None]:
    """The first ``unless`` event surely in ``[start, stop)``, else the first maybe there."""
    unknown: tuple[int, Selector] | None = None
    found: int | None = None
    for selector in unless:
        hit = timeline.first(selector, start, stop)
        if hit is not None and (found is None or hit < found):
            found = hit
        maybe = timeline.unknown_positions(selector, start, stop)
        if maybe and (unknown is None or maybe[0] < unknown[0]):
            unknown = (maybe[0], selector)
    events = timeline.events
    if found is not None:
        return events[found], None
    return None, (events[unknown[0]], unknown[1]) if unknown is not None else None
