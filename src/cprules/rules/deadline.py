"""``deadline``: after a trigger event, an expected event (or follow-up date) within a period.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "first-core-group", "kind": "deadline",
...     "title": "First core group within 10 working days of the ICPC", "severity": "breach",
...     "citation": "WT 2023", "trigger": {"event": "icpc", "where": {"outcome": "plan"}},
...     "expect": {"event": "core_group"}, "within": {"working_days": 10}, "scope": "episode"})
>>> case = parse_case({"case_id": "D-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...     {"id": "cg1", "type": "core_group", "date": "2024-04-05", "status": "held"}]})
>>> timeline = Timeline.build(case, date(2024, 4, 30), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.status.value, finding.due, finding.working_days_late
('late', datetime.date(2024, 4, 4), 1)
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-04-04: 10 working days after the ICPC ic on 2024-03-19, for the first core group,
skipping Good Friday 29 March and Easter Monday 1 April (England and Wales).
The core group cg1 was held on 2024-04-05: 1 working day late (1 calendar day).

An obligation set by an event of a plan ends with the plan (SPEC §3): a plan that ended on or
before the due date leaves it ``not_applicable``; one that ended after it, with the thing not
done, makes it ``missed``, its lateness counted to the plan's end. A rule with
``outlives_plan: true`` is never closed this way.

A follow-up date earlier than the event it follows (minutes circulated before the meeting) is
one the timeline contradicts (SPEC §3, "Facts that contradict each other"): it is not taken on
trust as done, and the finding is ``undetermined``, naming both dates.

>>> case = parse_case({"case_id": "D-2", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...     {"id": "pe", "type": "plan_end", "date": "2024-04-08", "reason": "moved_out"}]})
>>> timeline = Timeline.build(case, date(2025, 4, 30), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.status.value, finding.due, finding.working_days_late
('missed', datetime.date(2024, 4, 4), 2)
"""

from __future__ import annotations

from datetime import date

from cprules.case import AnyEvent
from cprules.findings import Finding
from cprules.pack.model import DeadlineRule, FieldExpect, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, first_lapse, label
from cprules.timeline import Closure, Timeline
from cprules.words import FOLLOW_UPS, FollowUp, capital, happened

__all__ = ["evaluate", "quiet"]


class _Words:
    """The constant parts of a rule's explanations, worked out once per rule."""

    __slots__ = ("missing", "nothing", "period", "wanted")

    def __init__(self, rule: DeadlineRule) -> None:
        self.period = rule.within.describe() if rule.within is not None else ""
        during = " during a plan" if rule.scope == "episode" else ""
        self.nothing = f"No {rule.trigger.words.bare}{during} in the timeline"
        expect = rule.expect
        if isinstance(expect, FieldExpect):
            ups = [_follow_up(name) for name in expect.fields]
            self.wanted = " or ".join(up.noun for up in ups)
            self.missing = " and ".join(f"{up.noun} {up.not_done}" for up in ups)
        else:
            kinds = expect.types
            if kinds == ("plan_end",):  # once per plan: no "first"
                self.wanted = expect.words.the
            elif set(kinds) & set(rule.trigger.types):  # a core group after a core group
                self.wanted = expect.words.next
            else:
                self.wanted = expect.words.first
            self.missing = expect.words.no


def _follow_up(field: str) -> FollowUp:
    return FOLLOW_UPS.get(field) or FollowUp(f"the {field.replace('_', ' ')}", "was done", "was not done")


def _words(rule: DeadlineRule) -> _Words:
    return rule.once("words", lambda: _Words(rule))


def quiet(rule: DeadlineRule) -> Quiet:
    """The rule's findings are the same on every case with no event its trigger may accept: "No ICPC
    in the timeline." (the first lines of :func:`evaluate`)."""
    return Quiet((rule.trigger.types,), rule.trigger)


def evaluate(rule: DeadlineRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per deadline the rule's triggers set (``not_applicable`` if none).

    With ``scope: episode`` only triggers during a plan count. A would-be trigger whose tested
    field is empty (an ICPC with no outcome recorded) gives ``undetermined``, not silence,
    unless it cannot set a deadline whatever the field says (with ``first_in_episode``, one
    after the plan's first trigger).
    """
    words = _words(rule)
    triggers = timeline.positions(rule.trigger)
    unknown = timeline.unknown_positions(rule.trigger)
    if rule.scope == "episode":
        triggers = [p for p in triggers if timeline.episode_of(p) is not None]
        unknown = [p for p in unknown if timeline.episode_of(p) is not None]
    findings: list[Finding] = []
    if triggers:
        if rule.occurrence == "first_in_episode":
            triggers = _first_of_each_episode(timeline, triggers)
            # a would-be trigger after the plan's first one cannot be the first: it sets nothing
            firsts = {timeline.episode_of(p): p for p in triggers}
            unknown = [p for p in unknown if p < firsts.get(timeline.episode_of(p), p + 1)]
        if isinstance(rule.expect, FieldExpect):
            findings = _follow_up_dates(rule, rule.expect, timeline, verdicts, triggers, words)
        else:
            findings = _expected_events(rule, rule.expect, timeline, verdicts, triggers, words)
    if unknown:
        findings.extend(_unknown_triggers(rule, timeline, verdicts, unknown))
        positions = timeline.case.positions_by_id  # the triggers are all on or before as_of
        findings.sort(key=lambda f: positions[f.trigger_event or ""])
    if not findings:
        return [verdicts.not_applicable(words.nothing)]
    return findings


def _unknown_triggers(
    rule: DeadlineRule, timeline: Timeline, verdicts: Verdicts, positions: list[int]
) -> list[Finding]:
    findings = []
    for position in positions:
        event = timeline.events[position]
        findings.append(
            verdicts.undetermined(
                f"{capital(label(event))} does not record {empty_fields(rule.trigger, timeline, position)}, "
                "so whether it sets this deadline is unknown",
                trigger=event,
            )
        )
    return findings


def _first_of_each_episode(timeline: Timeline, triggers: list[int]) -> list[int]:
    seen: set[int | None] = set()
    first: list[int] = []
    for position in triggers:
        episode = timeline.episode_of(position)
        if episode not in seen:
            seen.add(episode)
            first.append(position)
    return first


def _chosen(rule: DeadlineRule, triggers: list[int]) -> list[int]:
    if rule.occurrence == "first":
        return triggers[:1]
    if rule.occurrence == "latest":
        return triggers[-1:]
    return triggers


def _closure(rule: DeadlineRule, timeline: Timeline, position: int) -> Closure | None:
    return None if rule.outlives_plan else timeline.closure(position)


def _follow_up_dates(
    rule: DeadlineRule,
    expect: FieldExpect,
    timeline: Timeline,
    verdicts: Verdicts,
    triggers: list[int],
    words: _Words,
) -> list[Finding]:
    findings: list[Finding] = []
    as_of = timeline.as_of
    calendar = timeline.calendar
    events = timeline.events
    within = rule.within
    working = within is not None and bool(within.working_days)
    for position in _chosen(rule, triggers):
        event = events[position]
        done_on: date | None = None
        done_field = expect.field
        refuted: tuple[str, date] | None = None
        for name in expect.fields:  # the earliest of the dates (either document does)
            on: date | None = getattr(event, name)
            if on is not None and on < event.date:
                refuted = (name, on)  # dated before the event it follows: not taken on trust
                continue
            if on is not None and on <= as_of and (done_on is None or on < done_on):
                done_on, done_field = on, name  # a follow-up dated after as_of was not yet seen
        if done_on is None and refuted is not None:
            up = _follow_up(refuted[0])
            findings.append(
                verdicts.undetermined(
                    f"The record says {up.noun} {up.done} on {refuted[1].isoformat()}, before "
                    f"{label(event)} they follow: the timeline contradicts that date, so whether "
                    f"{up.noun} {up.done} in time is unknown",
                    trigger=event,
                )
            )
            continue
        done_text = None
        if done_on is not None:
            up = _follow_up(done_field)
            done_text = capital(f"{up.noun} {up.done} on {done_on.isoformat()}")
        if within is not None:
            due = within.add(event.date, calendar)
            why_due = f"{words.period} after {label(event)}"
        else:
            assert rule.due_at is not None  # the model: within or due_at
            at = timeline.first(rule.due_at, position + 1, _scope_stop(rule, timeline, position))
            if at is None:
                closure = _closure(rule, timeline, position)
                findings.append(_not_yet_at(rule.due_at, event, done_on, done_text, words, verdicts, closure))
                continue
            due = events[at].date
            why_due = f"the day of {label(events[at])}, the first after {label(event)}"
        # when the window closed matters only for something not done by the due date
        closure = _closure(rule, timeline, position) if done_on is None or done_on > due else None
        findings.append(
            verdicts.against_due(
                due=due,
                why_due=why_due,
                done_on=done_on,
                done_text=done_text,
                wanted=words.wanted,
                missing=words.missing,
                trigger=event,
                skipped_from=event.date if working else None,
                closure=closure,
            )
        )
    return findings


def _not_yet_at(
    due_at: Selector,
    event: AnyEvent,
    done_on: date | None,
    done_text: str | None,
    words: _Words,
    verdicts: Verdicts,
    closure: Closure | None,
) -> Finding:
    """A follow-up due at an event not held (yet): met if done, lapsed if the plan ended."""
    if done_on is not None and done_text is not None:
        return verdicts.met(
            f"{done_text}, before {due_at.words.first} after {label(event)}",
            trigger=event,
            occurred_on=done_on,
        )
    if closure is not None:
        return verdicts.not_applicable(
            f"{capital(closure.text)}, with {due_at.words.no} after {label(event)}: {words.wanted} "
            "never fell due",
            trigger=event,
        )
    return verdicts.not_applicable(
        f"Not yet due: {due_at.words.no} after {label(event)} yet, and {words.wanted} may still "
        "come before it",
        trigger=event,
    )


def _expected_events(
    rule: DeadlineRule,
    expect: Selector,
    timeline: Timeline,
    verdicts: Verdicts,
    triggers: list[int],
    words: _Words,
) -> list[Finding]:
    findings: list[Finding] = []
    events = timeline.events
    index = 0
    while index < len(triggers):
        position = triggers[index]
        stop = _scope_stop(rule, timeline, position)
        expected = _first_in_scope(rule, timeline, expect, position, stop)
        grouped = rule.occurrence in ("first", "latest")
        closure = _closure(rule, timeline, position) if grouped else None
        # the triggers this deadline absorbs: those before the expected event (first/latest),
        # or before the event that ended the obligation: a trigger after a lapse starts afresh
        cycle_end = expected if expected is not None else stop
        if rule.occurrence in ("first", "latest") and rule.lapses_on:
            first_due = rule.period.add(events[position].date, timeline.calendar)
            ended = _lapse(rule, timeline, position, stop, expected, first_due)
            if ended is not None:
                cycle_end = ended
        group = [position]
        if rule.occurrence in ("first", "latest"):
            while (
                index + 1 < len(triggers)
                and triggers[index + 1] < cycle_end
                and (closure is None or events[triggers[index + 1]].date <= closure.on)
            ):
                index += 1
                group.append(triggers[index])
        index += 1
        if rule.occurrence == "latest":
            position = group[-1]
        trigger = events[position]
        due = rule.period.add(trigger.date, timeline.calendar)
        done = events[expected] if expected is not None else None
        # when the window closed matters only for something not done by the due date
        closure = _closure(rule, timeline, position) if done is None or done.date > due else None
        lapse = _lapse(rule, timeline, position, stop, expected, due)
        if lapse is not None:
            findings.append(
                verdicts.not_applicable(
                    f"{capital(happened(events[lapse]))}, which ended the obligation set by "
                    f"{label(trigger)} before {words.wanted} fell due",
                    trigger=trigger,
                )
            )
            continue
        if done is None or done.date > due:
            unsure = _unsure_candidate(timeline, expect, position, expected if expected is not None else stop)
            if unsure is not None:
                findings.append(_unsure(verdicts, timeline, expect, trigger, unsure, due, words))
                continue
        findings.append(
            verdicts.against_due(
                due=due,
                why_due=f"{words.period} after {label(trigger)}, for {words.wanted}",
                done_on=done.date if done is not None else None,
                done_text=happened(done, start=True) if done is not None else None,
                wanted=words.wanted,
                missing=words.missing,
                trigger=trigger,
                evidence=(done,) if done is not None else (),
                skipped_from=trigger.date if rule.period.working_days else None,
                closure=closure,
            )
        )
    return findings


def _unsure_candidate(timeline: Timeline, expect: Selector, position: int, stop: int) -> int | None:
    """The first event after the trigger and before ``stop`` that may be the expected one: of
    the right type, but with a tested field left empty (a visit that does not record whether
    the child was seen alone). With one, a missing or late act cannot be called a breach."""
    unsure = timeline.unknown_positions(expect, position + 1, stop)
    return unsure[0] if unsure else None


def _unsure(
    verdicts: Verdicts,
    timeline: Timeline,
    expect: Selector,
    trigger: AnyEvent,
    position: int,
    due: date,
    words: _Words,
) -> Finding:
    event = timeline.events[position]
    empty = empty_fields(expect, timeline, position)
    return verdicts.undetermined(
        f"Due {due.isoformat()}: {words.period} after {label(trigger)}, for {words.wanted}. "
        f"{capital(label(event))} does not record {empty}, so whether it was "
        f"{words.wanted} is unknown",
        trigger=trigger,
        due=due,
    )


def _scope_stop(rule: DeadlineRule, timeline: Timeline, position: int) -> int:
    if rule.scope == "episode":
        episode = timeline.episode_of(position)
        if episode is not None:
            return timeline.episode_bounds(episode)[1]
    return len(timeline.events)


def _first_in_scope(
    rule: DeadlineRule, timeline: Timeline, expect: Selector, position: int, stop: int
) -> int | None:
    if rule.scope == "episode" and timeline.episode_of(position) is None:
        # a trigger outside any plan (no plan_start recorded): look among events outside plans
        for candidate in timeline.positions(expect, position + 1, stop):
            if timeline.episode_of(candidate) is None:
                return candidate
        return None
    return timeline.first(expect, position + 1, stop)


def _lapse(
    rule: DeadlineRule, timeline: Timeline, position: int, stop: int, expected: int | None, due: date
) -> int | None:
    """The first lapsing event after the trigger, before the expected event and not after
    the due date (an obligation already missed does not lapse)."""
    if not rule.lapses_on:
        return None
    return first_lapse(rule.lapses_on, timeline, position, expected if expected is not None else stop, due)
