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
Due 2024-04-04: 10 working days after the ICPC ic on 2024-03-19, for the core group,
skipping Good Friday 29 March and Easter Monday 1 April (England and Wales).
Core group cg1 held 2024-04-05: 1 working day late (1 calendar day).
"""

from __future__ import annotations

from datetime import date

from cprules.findings import Finding
from cprules.pack.model import DeadlineRule, FieldExpect, Selector
from cprules.rules.verdict import EVENT_LABELS, Verdicts, label
from cprules.timeline import Timeline

__all__ = ["evaluate"]


def evaluate(rule: DeadlineRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per deadline the rule's triggers set (``not_applicable`` if none).

    With ``scope: episode`` only triggers during a plan count. A would-be trigger whose tested
    field is empty (an ICPC with no outcome recorded) gives ``undetermined``, not silence.
    """
    triggers = timeline.positions(rule.trigger)
    unknown = timeline.unknown_positions(rule.trigger)
    if rule.scope == "episode":
        triggers = [p for p in triggers if timeline.episode_of(p) is not None]
        unknown = [p for p in unknown if timeline.episode_of(p) is not None]
    findings: list[Finding] = []
    if triggers:
        if rule.occurrence == "first_in_episode":
            triggers = _first_of_each_episode(timeline, triggers)
        if isinstance(rule.expect, FieldExpect):
            findings = _follow_up_dates(rule, rule.expect.field, timeline, verdicts, triggers)
        else:
            findings = _expected_events(rule, rule.expect, timeline, verdicts, triggers)
    if unknown:
        findings.extend(_unknown_triggers(rule, timeline, verdicts, unknown))
        positions = timeline.case.positions_by_id  # the triggers are all on or before as_of
        findings.sort(key=lambda f: positions[f.trigger_event or ""])
    if not findings:
        during = " during a plan" if rule.scope == "episode" else ""
        return [verdicts.not_applicable(f"No {rule.trigger.describe()}{during} in the timeline")]
    return findings


def _unknown_triggers(
    rule: DeadlineRule, timeline: Timeline, verdicts: Verdicts, positions: list[int]
) -> list[Finding]:
    findings = []
    for position in positions:
        event = timeline.events[position]
        empty = [
            field.replace("_", " ")
            for field, test in rule.trigger.where.items()
            if test.test(getattr(event, field, None)) is None
        ]
        findings.append(
            verdicts.undetermined(
                f"{label(event)[0].upper()}{label(event)[1:]} does not record its "
                f"{' or '.join(empty)}, so whether it sets this deadline is unknown",
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


def _follow_up_dates(
    rule: DeadlineRule, field: str, timeline: Timeline, verdicts: Verdicts, triggers: list[int]
) -> list[Finding]:
    findings: list[Finding] = []
    as_of = timeline.as_of
    calendar = timeline.calendar
    events = timeline.events
    within = rule.within
    period = within.describe()
    working = bool(within.working_days)
    word = field.replace("_", " ")
    done_what = word[0].upper() + word[1:]
    for position in _chosen(rule, triggers):
        event = events[position]
        done_on: date | None = getattr(event, field)
        if done_on is not None and done_on > as_of:
            done_on = None  # a follow-up dated after as_of was not yet seen that day
        findings.append(
            verdicts.against_due(
                due=within.add(event.date, calendar),
                why_due=f"{period} after {label(event)}",
                done_on=done_on,
                done_what=done_what,
                trigger=event,
                skipped_from=event.date if working else None,
            )
        )
    return findings


def _expected_events(
    rule: DeadlineRule, expect: Selector, timeline: Timeline, verdicts: Verdicts, triggers: list[int]
) -> list[Finding]:
    findings: list[Finding] = []
    events = timeline.events
    wanted = expect.describe()
    index = 0
    while index < len(triggers):
        position = triggers[index]
        stop = _scope_stop(rule, timeline, position)
        expected = _first_in_scope(rule, timeline, expect, position, stop)
        # the triggers this deadline absorbs: those before the expected event (first/latest),
        # or before the event that ended the obligation: a trigger after a lapse starts afresh
        cycle_end = expected if expected is not None else stop
        if rule.occurrence in ("first", "latest") and rule.lapses_on:
            first_due = rule.within.add(events[position].date, timeline.calendar)
            ended = _lapse(rule, timeline, position, stop, expected, first_due)
            if ended is not None:
                cycle_end = ended
        group = [position]
        if rule.occurrence in ("first", "latest"):
            while index + 1 < len(triggers) and triggers[index + 1] < cycle_end:
                index += 1
                group.append(triggers[index])
        index += 1
        if rule.occurrence == "latest":
            position = group[-1]
        trigger = events[position]
        due = rule.within.add(trigger.date, timeline.calendar)
        lapse = _lapse(rule, timeline, position, stop, expected, due)
        if lapse is not None:
            findings.append(
                verdicts.not_applicable(
                    f"{label(events[lapse])[0].upper()}{label(events[lapse])[1:]} ended the "
                    f"obligation set by {label(trigger)} before {wanted} fell due",
                    trigger=trigger,
                )
            )
            continue
        done = events[expected] if expected is not None else None
        verb = EVENT_LABELS.get(done.type, "Done") if done is not None else "Done"  # type: ignore[attr-defined]
        findings.append(
            verdicts.against_due(
                due=due,
                why_due=f"{rule.within.describe()} after {label(trigger)}, for the {wanted}",
                done_on=done.date if done is not None else None,
                done_what=f"{verb[0].upper()}{verb[1:]} {done.id} held" if done is not None else verb,
                trigger=trigger,
                evidence=(done,) if done is not None else (),
                skipped_from=trigger.date if rule.within.working_days else None,
            )
        )
    return findings


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
    end = expected if expected is not None else stop
    best: int | None = None
    for selector in rule.lapses_on:
        found = timeline.first(selector, position + 1, end)
        if found is not None and timeline.events[found].date <= due and (best is None or found < best):
            best = found
    return best
