"""``alternation``: a property holds at least every k-th qualifying event of a plan episode.

k = 2 is "on alternate occasions" (the child seen alone at least on alternate visits). Each
plan episode is read on its own (a new plan starts afresh). Every run of k consecutive
qualifying events that all lack the property is one ``violated`` finding, keyed on the event
that completes it and naming the k events; the window slides one event at a time, so three
visits in a row without the child seen alone (k = 2) are two breaches, at the second and the
third. An event whose property field is empty, or whose tested field (``outcome``) is empty so
that it may or may not qualify, makes every window it is in ``undetermined`` unless another
event of that window has the property.

Whatever holds is reported as ``met`` in a way that later events cannot take back (SPEC §3: a
``met`` finding stays ``met`` at any later ``as_of``). The findings split an episode's events
into stretches at each breach (or undetermined window); a stretch with an event that has the
property gives one ``met`` finding keyed on its first such event (the windows ending in the
stretch are all clean; it stops where the next breach's window begins). A stretch without one
cannot be ``met`` yet: k - 1 visits in a row without the property are not yet a breach, but the
next visit may make them one. An episode left with nothing to report is ``met`` once the plan
has ended (nothing can change it then) and ``not_applicable`` while it is open ("not yet a
breach").

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "seen-alone-alternate", "kind": "alternation",
...     "title": "Child seen alone at least on alternate visits", "severity": "breach",
...     "citation": "Jersey CP plans v18", "event": {"event": "visit", "where": {"outcome": "seen"}},
...     "property": {"seen_alone": True}, "at_least_every": 2})
>>> case = parse_case({"case_id": "A-1", "events": [
...     {"id": "ps", "type": "plan_start", "date": "2024-03-04"},
...     {"id": "v1", "type": "visit", "date": "2024-03-08", "outcome": "seen", "seen_alone": True},
...     {"id": "v2", "type": "visit", "date": "2024-03-15", "outcome": "seen", "seen_alone": False},
...     {"id": "v3", "type": "visit", "date": "2024-03-22", "outcome": "seen", "seen_alone": False}]})
>>> timeline = Timeline.build(case, date(2024, 4, 1), WorkingCalendar())
>>> for finding in evaluate(rule, timeline, Verdicts(rule, timeline)):
...     print(finding.key, finding.status, finding.evidence_events)
seen-alone-alternate@v1#1 met ('v1',)
seen-alone-alternate@v3#1 violated ('v2', 'v3')
>>> print(evaluate(rule, timeline, Verdicts(rule, timeline))[1].explanation)  # doctest: +NORMALIZE_WHITESPACE
2 visits on which the child was seen in a row in plan 1, and on each of them the child was not
seen alone: the visit v2 on 2024-03-15 and the visit v3 on 2024-03-22; the procedure asks that
the child was seen alone at least on every 2nd visit.
"""

from __future__ import annotations

from cprules.case import AnyEvent, Episode
from cprules.findings import Finding
from cprules.pack.model import AlternationRule, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, label
from cprules.timeline import Timeline
from cprules.words import asked, capital, denied, listed, ordinal

__all__ = ["evaluate", "quiet"]


def quiet(rule: AlternationRule) -> Quiet:
    """The rule's findings are the same on every case with no plan: "No plan in the timeline." (the
    first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",),))


def evaluate(rule: AlternationRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """Breaches, undetermined windows and clean stretches of each plan episode, in date order."""
    if not timeline.episodes:
        return [verdicts.not_applicable("No plan in the timeline")]
    words = _words(rule)
    findings: list[Finding] = []
    for episode in timeline.episodes:
        _episode(rule, timeline, verdicts, episode, words, findings)
    if not findings:
        return [verdicts.not_applicable(f"No {words.events} in a plan")]
    return findings


def _words(rule: AlternationRule) -> _Words:
    """The rule's words, worked out once per rule (a few microseconds saved on every case)."""
    return rule.once("words", lambda: _Words(rule))


class _Words:
    """The plain-English pieces of a rule's explanations, worked out once per rule."""

    __slots__ = ("asks", "event", "events", "every", "lacking", "prop", "tested")

    def __init__(self, rule: AlternationRule) -> None:
        words = rule.event.words
        # the qualifying events and the property as one selector, for what an event leaves empty
        self.tested = Selector(event=rule.event.event, where={**rule.event.where, **rule.property})
        kind = rule.event.types[0]
        self.event = words.bare  # 'visit by the lead social worker on which the child was seen'
        self.events = words.plural
        # 'the child was seen alone'
        self.prop = listed([asked(kind, field, test) for field, test in rule.property.items()])
        # 'the child was not seen alone'
        self.lacking = " or ".join(denied(kind, field, test) for field, test in rule.property.items())
        self.every = f"at least on every {ordinal(rule.at_least_every)} {words.nouns}"
        self.asks = f"the procedure asks that {self.prop} {self.every}"


def _holds(rule: AlternationRule, event: AnyEvent) -> bool | None:
    """Whether the event has the property: None when a property field is empty."""
    result: bool | None = True
    for field, test in rule.property.items():
        outcome = test.test(getattr(event, field, None))
        if outcome is False:
            return False
        if outcome is None:
            result = None
    return result


def _episode(
    rule: AlternationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    episode: Episode,
    words: _Words,
    findings: list[Finding],
) -> None:
    events = timeline.events
    start, stop = timeline.episode_bounds(episode.number)
    sure, doubtful = timeline.split(rule.event, start, stop)
    if not sure and not doubtful:
        return
    # each element: (position, has the property: True / False / None = unknown)
    if doubtful:
        marked = set(doubtful)
        order = sorted((*sure, *doubtful))
        sequence = [(p, None if p in marked else _holds(rule, events[p])) for p in order]
    else:
        sequence = [(p, _holds(rule, events[p])) for p in sure]
    k = rule.at_least_every
    plan = f"plan {episode.number}"
    last_holds = -1  # index in sequence of the latest event with the property
    last_unknown = -1
    stretch_start = 0  # first index after the latest breach or undetermined window
    stretch_key: int | None = None  # index of the stretch's first event with the property
    reported = len(findings)
    for index, (position, holds) in enumerate(sequence):
        if holds is True:
            last_holds = index
            if stretch_key is None:
                stretch_key = index
            continue
        if holds is None:
            last_unknown = index
        if index - last_holds < k:
            continue  # the window ending here has an event with the property
        window = sequence[index - k + 1 : index + 1]
        if stretch_key is not None:
            findings.append(
                _stretch(verdicts, sequence, stretch_start, stretch_key, index - k, plan, words, events)
            )
        stretch_start, stretch_key = index + 1, None
        if last_unknown > index - k:
            findings.append(_unknown_window(timeline, verdicts, window, plan, words))
        else:
            findings.append(
                verdicts.violated(
                    f"{k} {words.events} in a row in {plan}, and on each of them {words.lacking}: "
                    f"{_listed([events[p] for p, _ in window])}; {words.asks}",
                    trigger=events[position],
                    evidence=[events[p] for p, _ in window],
                )
            )
    if stretch_key is not None:
        findings.append(
            _stretch(verdicts, sequence, stretch_start, stretch_key, len(sequence) - 1, plan, words, events)
        )
    if len(findings) > reported:
        return
    # nothing decided in this episode: fewer than k events, none with the property
    count = len(sequence)
    ended = episode.end_index is not None
    so_far, yet = ("", "") if ended else (" so far", " yet")
    summary = (
        f"Only {count} {words.event if count == 1 else words.events} in {plan}{so_far}: "
        f"fewer than {k} in a row, so no breach{yet} ({words.asks})"
    )
    first = events[sequence[0][0]]
    if ended:  # the plan is over: nothing can change this any more
        findings.append(verdicts.met(summary, trigger=first, evidence=[events[p] for p, _ in sequence]))
    else:
        findings.append(verdicts.not_applicable(summary, trigger=first))


def _stretch(
    verdicts: Verdicts,
    sequence: list[tuple[int, bool | None]],
    first: int,
    key: int,
    last: int,
    plan: str,
    words: _Words,
    events: tuple[AnyEvent, ...],
) -> Finding:
    """``met`` for a stretch of events between breaches, keyed on its first event with the
    property (which no later event can put into a breach)."""
    count = last - first + 1
    opening = events[sequence[first][0]]
    closing = events[sequence[last][0]]
    span = (
        label(opening) if count == 1 else f"{count} {words.events} from {label(opening)} to {label(closing)}"
    )
    return verdicts.met(
        f"{capital(words.prop)} {words.every} in {plan}: {span}",
        trigger=events[sequence[key][0]],
        evidence=[events[p] for p, holds in sequence[first : last + 1] if holds is True],
    )


def _unknown_window(
    timeline: Timeline,
    verdicts: Verdicts,
    window: list[tuple[int, bool | None]],
    plan: str,
    words: _Words,
) -> Finding:
    """``undetermined``: no event of the window surely has the property, some are unknown."""
    events = timeline.events
    lacking: dict[str, list[AnyEvent]] = {}  # the empty fields -> the events that leave them empty
    for position, holds in window:
        if holds is None:
            lacking.setdefault(empty_fields(words.tested, timeline, position), []).append(events[position])
    missing = "; ".join(
        f"{_listed(group)} {'does' if len(group) == 1 else 'do'} not record {fields}"
        for fields, group in lacking.items()
    )
    closing = events[window[-1][0]]
    return verdicts.undetermined(
        f"{capital(words.asks)}; whether that held up to "
        f"{label(closing)} in {plan} is unknown: {missing}",
        trigger=closing,
    )


def _listed(events: list[AnyEvent]) -> str:
    """'the visit v2 on 2024-03-15 and the visit v3 on 2024-03-22'."""
    labels = [label(event) for event in events]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
