"""``interval``: consecutive qualifying events of a plan never further apart than a period.

Each plan episode is checked on its own (a second plan starts its own chain). The chain starts
at the ``anchor`` (the first event of the episode it accepts, the conference that opened the
plan included) or, without one, at the first qualifying event; every gap from one event of the
chain to the next gives one finding keyed on the event that opens the gap. The gap after the
last event stays open: ``due``/``overdue`` while the plan is open; once the plan has ended (or
the child turned 18), ``missed`` if the next event had fallen due by then, ``not_applicable``
if the plan ended first (SPEC §3, "When an obligation ends").

A conference of the episode (ICPC, review or transfer-in) may set another frequency in days
(``override_field``); it governs every gap that opens on or after the conference's date, until a
later conference sets another. A postponed conference did not sit and an adjourned one decided
nothing: a frequency either records is not applied. With ``override_requires`` only a conference
that also recorded its reasons counts; a frequency set without reasons is ignored, and the
explanation says so.
With ``override_only_shortens`` a conference may only shorten ``every``: a frequency whose gap
would end after ``every``'s is not applied (``every`` governs), and the explanation says so.
A rule without ``every`` checks only a frequency a conference set: a gap that opens before any
conference of the episode set one is not checked and gives no finding; a timeline where no gap
was checked gives one ``not_applicable`` finding saying so (North East Lincolnshire, Child
Protection Conferences, section 2: core groups meet "at a frequency agreed at conference").

A core group (or visit) whose tested field is empty might have been a qualifying one: when it
falls inside a gap that would otherwise be ``late`` or ``overdue``, on or before the due date, the
gap is ``undetermined`` rather than a breach.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "core-group-interval", "kind": "interval",
...     "title": "Core groups at least monthly", "severity": "breach", "citation": "C06:05",
...     "event": {"event": "core_group", "where": {"status": "held"}}, "every": {"months": 1}})
>>> case = parse_case({"case_id": "I-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...     {"id": "cg1", "type": "core_group", "date": "2024-03-28", "status": "held"},
...     {"id": "cg2", "type": "core_group", "date": "2024-04-29", "status": "held"}]})
>>> timeline = Timeline.build(case, date(2024, 6, 3), WorkingCalendar())
>>> for finding in evaluate(rule, timeline, Verdicts(rule, timeline)):
...     print(finding.key, finding.status, finding.due)
core-group-interval@cg1#1 late 2024-04-28
core-group-interval@cg2#1 overdue 2024-05-29
>>> print(evaluate(rule, timeline, Verdicts(rule, timeline))[0].explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-04-28: 1 month after the core group cg1 on 2024-03-28, for the next core group held.
The core group cg2 was held on 2024-04-29: 1 working day late (1 calendar day).
"""

from __future__ import annotations

from datetime import date, timedelta

from cprules.case import AnyEvent, Episode
from cprules.findings import Finding
from cprules.pack.model import CONFERENCE_TYPES, IntervalRule, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, label
from cprules.timeline import Timeline
from cprules.words import capital, facts, happened, plural

__all__ = ["evaluate", "quiet"]

#: the conferences that may set a frequency for the rest of the plan
_CONFERENCES = tuple(sorted(CONFERENCE_TYPES))
#: outcomes of a conference that set nothing: postponed (it did not sit) or adjourned (it reached
#: no decision; the conference that reconvenes and decides sets the frequency)
_UNDECIDED = frozenset({"postponed", "adjourned"})


def quiet(rule: IntervalRule) -> Quiet:
    """The rule's findings are the same on every case with no plan: "No plan in the timeline." (the
    first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",),))


def evaluate(rule: IntervalRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per gap between consecutive qualifying events of each plan episode."""
    if not timeline.episodes:
        return [verdicts.not_applicable("No plan in the timeline")]
    findings: list[Finding] = []
    for episode in timeline.episodes:
        _episode(rule, timeline, verdicts, episode, findings)
    if not findings and rule.every is None:
        return [
            verdicts.not_applicable(
                f"No conference set a frequency for {rule.event.words.plural}, and the procedure sets "
                "none of its own, so no gap was checked"
            )
        ]
    return findings


class _Frequencies:
    """The frequency in force for a gap opening on a given day, from the episode's conferences."""

    __slots__ = ("_default", "_rule", "_settings")

    def __init__(self, rule: IntervalRule, timeline: Timeline, start: int, stop: int) -> None:
        self._rule = rule
        self._default = rule.every.describe() if rule.every is not None else None
        # (date, days, reasons given, conference) in timeline order
        self._settings: list[tuple[date, int, bool, AnyEvent]] = []
        field = rule.override_field
        if field is None:
            return
        found: list[int] = []
        for kind in _CONFERENCES:
            found.extend(p for p in timeline.by_type.get(kind, ()) if start <= p < stop)
        found.sort()
        requires = rule.override_requires
        for position in found:
            conference = timeline.events[position]
            if getattr(conference, "held_by", None) == "receiving_authority":
                continue  # another authority's conference sets nothing for this one's plan
            if getattr(conference, "outcome", None) in _UNDECIDED:
                continue  # a postponed conference did not sit, an adjourned one decided nothing
            days = getattr(conference, field, None)
            if days is None:
                continue
            reasoned = True
            if requires is not None:
                reasons = getattr(conference, requires, None)
                reasoned = bool(reasons)
            self._settings.append((conference.date, days, reasoned, conference))

    def due(self, opened_by: AnyEvent, timeline: Timeline) -> tuple[date | None, str, bool]:
        """``(due, why_due, working_days)`` for the gap that ``opened_by`` opens; ``due`` is None
        when the rule has no ``every`` and no conference had set a frequency by then (``why_due``
        then says so)."""
        opened_on = opened_by.date
        chosen: tuple[date, int, bool, AnyEvent] | None = None
        ignored: tuple[date, int, bool, AnyEvent] | None = None
        for setting in self._settings:
            if setting[0] > opened_on:
                break
            if setting[2]:
                chosen = setting
                ignored = None
            else:
                ignored = setting
        note = ""
        if ignored is not None:
            setter = label(ignored[3])
            note = f" ({setter} set {ignored[1]} days but recorded no reasons, so that does not count)"
        every = self._rule.every
        if chosen is not None:
            days = chosen[1]
            set_due = opened_on + timedelta(days=days)
            if every is not None and self._rule.override_only_shortens:
                longest = every.add(opened_on, timeline.calendar)
                if set_due > longest:
                    note += (
                        f" ({label(chosen[3])} set {plural(days, 'day')}, longer than the "
                        f"{self._default} the procedure allows; a conference may only shorten it, so "
                        f"the {self._default} apply)"
                    )
                    why = f"{self._default} after {label(opened_by)}{note}"
                    return longest, why, every.working_days is not None
            setter = label(chosen[3])
            why = f"{plural(days, 'day')} after {label(opened_by)}, the frequency set by {setter}{note}"
            return set_due, why, False
        if every is None:
            return None, f"no conference had set a frequency by the time of {label(opened_by)}{note}", False
        why = f"{self._default} after {label(opened_by)}{note}"
        return every.add(opened_on, timeline.calendar), why, every.working_days is not None


def _episode(
    rule: IntervalRule, timeline: Timeline, verdicts: Verdicts, episode: Episode, findings: list[Finding]
) -> None:
    events = timeline.events
    start, stop = timeline.episode_bounds(episode.number)
    first = rule.anchor if rule.anchor is not None else rule.event
    chain: list[int] = []
    unknown: list[int] = []  # events that may qualify (a tested field is empty)
    if rule.anchor is not None:
        anchor = timeline.first(rule.anchor, start, stop)
        if anchor is not None:
            chain, unknown = timeline.split(rule.event, anchor + 1, stop)
            chain.insert(0, anchor)
    else:
        chain, unknown = timeline.split(rule.event, start, stop)
    if not chain:
        findings.append(_no_start(first, timeline, verdicts, episode, start, stop))
        return
    frequencies = _Frequencies(rule, timeline, start, stop)
    words = rule.event.words
    for index, position in enumerate(chain):
        opened_by = events[position]
        due, why, working = frequencies.due(opened_by, timeline)
        following = chain[index + 1] if index + 1 < len(chain) else None
        done = events[following] if following is not None else None
        if due is None:
            # the procedure sets no frequency of its own and no conference had set one yet: not
            # this rule's gap (a finding on every core group of every ordinary case would be noise)
            continue
        why = f"{why}, for {words.next}"
        closure = None if rule.outlives_plan or done is not None else timeline.closure(position)
        closed_in_time = closure is not None and closure.on <= due
        if (done.date if done is not None else timeline.as_of) > due and not closed_in_time:
            # a breach unless an event with an empty tested field might have closed the gap in time
            doubtful = _doubt(timeline, unknown, position, following if following is not None else stop, due)
            if doubtful is not None:
                kind: str = doubtful.type  # type: ignore[attr-defined]
                empty = [f for f, t in rule.event.where.items() if t.test(getattr(doubtful, f, None)) is None]
                lacking = facts(kind, empty) if empty else "the child's date of birth"
                findings.append(
                    verdicts.undetermined(
                        f"Due {due.isoformat()}: {why}. {capital(label(doubtful))} does not record "
                        f"{lacking}, so whether the gap closed in time is unknown",
                        trigger=opened_by,
                        due=due,
                    )
                )
                continue
        findings.append(
            verdicts.against_due(
                due=due,
                why_due=why,
                done_on=done.date if done is not None else None,
                done_text=happened(done, start=True) if done is not None else None,
                wanted=words.next,
                missing=words.no,
                trigger=opened_by,
                evidence=(done,) if done is not None else (),
                skipped_from=opened_by.date if working else None,
                closure=closure,
            )
        )


def _no_start(
    first: Selector, timeline: Timeline, verdicts: Verdicts, episode: Episode, start: int, stop: int
) -> Finding:
    """The chain never started in this episode: ``not_applicable``, or ``undetermined`` when an
    event with an empty tested field might have started it."""
    plan = f"plan {episode.number}"
    what = first.words
    unknown = timeline.unknown_positions(first, start, stop)
    if unknown:
        doubtful = timeline.events[unknown[0]]
        kind: str = doubtful.type  # type: ignore[attr-defined]
        empty = [f for f, t in first.where.items() if t.test(getattr(doubtful, f, None)) is None]
        lacking = facts(kind, empty) if empty else "the child's date of birth"
        return verdicts.undetermined(
            f"The interval in {plan} runs from {what.first}; {label(doubtful)} does not record "
            f"{lacking}, so whether it started the interval is unknown",
            trigger=doubtful,
        )
    still = " yet" if episode.end_index is None else ""
    return verdicts.not_applicable(
        f"{capital(what.no)}{still} in {plan}: the interval runs from the first one",
        trigger=timeline.events[episode.start_index],
    )


def _doubt(timeline: Timeline, unknown: list[int], after: int, before: int, due: date) -> AnyEvent | None:
    """An event strictly between two positions, on or before ``due``, that might qualify."""
    events = timeline.events
    for position in unknown:
        if position >= before:
            break
        if position > after and events[position].date <= due:
            return events[position]
    return None
