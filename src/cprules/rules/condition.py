"""``condition``: each qualifying event carries required facts, or has a required event before
or after it: the rules no timing kind fits.

For each event the ``event`` selector accepts (one finding each, key ``rule@<event id>#1``):

- ``require``: field tests on the event. All pass: ``met``; one fails: ``violated``; an empty
  field (and none failing): ``undetermined`` naming it. ``require`` is checked first: a failed
  or unknown required fact decides the finding.
- ``preceded_by``: an event matching it earlier in the timeline, no earlier than ``within``
  before the qualifying event (``{days: 0}``: the same day). On the qualifying event's own day
  the timeline's order of a day decides (SPEC §3: strategy discussions and section 47
  outcomes, conferences, plan starts, other events, plan ends): a review conference comes
  before a plan change that day, a visit after an ICPC. Two events of the same rank on one day
  are ordered only by id, which means nothing, so such an event counts as before. Found:
  ``met``; not found: ``violated``, or ``undetermined`` when only events with the tested field
  empty are there.
- ``since`` / ``since_after`` (with ``preceded_by``): the preceding event must come after the
  latest ``since_after`` event before the qualifying one (and, with ``since``, after the first
  ``since`` event from there). Naming the qualifying event itself in ``since_after`` asks for a
  preceding event since the previous qualifying event: each child care review preceded by the
  review conference of its own round, not by the one an earlier child care review already had.
  The explanation names the bounding event ("and after the looked-after child review lac1").
- ``followed_by``: an event matching it dated on or after the qualifying event's day (any
  event of that day counts: a follow-up "within N working days of X" may be held on X's day,
  whatever the day's order), and on or before the day of the first ``before`` event after the
  qualifying one (the timeline cannot order a day's events). With ``within`` the due date is
  ``within`` after the qualifying event: ``met``/``late`` when found, ``due``/``overdue`` while
  not found, ``violated`` once the ``before`` event has happened without it. Without
  ``within`` (the model then requires ``before``): ``met`` when found, ``violated`` once the
  ``before`` event has happened without it, and ``not_applicable`` while neither has happened
  ("not yet due": there is no due date to report) or when, under ``scope: episode``, the plan
  ended first (the obligation lapsed). So a ``met``, ``late`` or ``violated`` finding never
  changes at a later ``as_of``, and ``overdue`` never goes back to ``due``. A ``lapses_on``
  event after the qualifying one, before the followed_by event and not after the due date,
  ends the obligation: ``not_applicable`` (a new plan made the day the last one ended needs
  no step-down meeting).
- ``scope: episode``: only qualifying events inside a plan episode (its opening conference
  included) are checked; one outside any plan gets ``not_applicable``. The search stays in
  the event's episode.

An event whose selector test meets an empty field (a review conference that does not record
its ``categories``) is checked too: ``met`` when the condition holds whatever the field says,
``undetermined`` naming the field where it would otherwise be a breach.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "plan-changes-at-review", "kind": "condition",
...     "title": "Changes to the plan only at a review conference", "severity": "breach",
...     "citation": "Jersey, Implementing CP Plans, v18", "event": "plan_changed",
...     "preceded_by": "review_conference", "within": {"days": 0}})
>>> case = parse_case({"case_id": "C-1", "events": [
...     {"id": "pc1", "type": "plan_changed", "date": "2024-06-03"},
...     {"id": "rc", "type": "review_conference", "date": "2024-06-03", "outcome": "continue"},
...     {"id": "pc2", "type": "plan_changed", "date": "2024-06-10"}]})
>>> timeline = Timeline.build(case, date(2024, 7, 1), WorkingCalendar())
>>> [(f.key, f.status.value) for f in evaluate(rule, timeline, Verdicts(rule, timeline))]
[('plan-changes-at-review@pc1#1', 'met'), ('plan-changes-at-review@pc2#1', 'violated')]
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cprules.case import AnyEvent
from cprules.findings import BREACH_STATUSES, Finding, Status
from cprules.pack.model import ConditionRule, Selector, Within
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, first_lapse, label
from cprules.timeline import Timeline
from cprules.words import REASON_TEXT, asked, capital, facts, happened, listed, said

__all__ = ["evaluate", "quiet"]



def quiet(rule: ConditionRule) -> Quiet:
    """The rule's findings are the same on every case with no event it may check: "No review
    conference in the timeline." (the first lines of :func:`evaluate`)."""
    return Quiet((rule.event.types,), rule.event)


def evaluate(rule: ConditionRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per qualifying event (``not_applicable`` if none)."""
    selection = timeline.selection(rule.event)
    qualifying = selection.possible
    doubtful = frozenset(selection.unknown)
    if not qualifying:
        return [verdicts.not_applicable(f"No {rule.event.words.bare} in the timeline")]
    findings: list[Finding] = []
    outside_plans = rule.scope == "episode"
    events = timeline.events
    for position in qualifying:
        if outside_plans and timeline.episode_of(position) is None:
            findings.append(
                verdicts.not_applicable(
                    f"{capital(label(events[position]))} is outside any plan: the rule looks within a plan",
                    trigger=events[position],
                )
            )
            continue
        finding = _check(rule, timeline, verdicts, position)
        if doubtful and position in doubtful and finding.status in BREACH_STATUSES:
            # the event may not qualify at all: never a breach (nor a lateness) on an unknown fact
            finding = verdicts.undetermined(
                f"{capital(label(events[position]))} does not record "
                f"{empty_fields(rule.event, timeline, position)}, which decides whether the rule applies "
                f"to it; if it does, the rule is not met ({_status_words(finding.status)})",
                trigger=events[position],
                due=finding.due,
            )
        findings.append(finding)
    return findings


def _status_words(status: Status) -> str:
    return {
        Status.LATE: "it was done late",
        Status.OVERDUE: "it is not done yet and its due date has passed",
        Status.MISSED: "it was not done in time",
        Status.VIOLATED: "the condition is broken",
    }[status]


def _check(rule: ConditionRule, timeline: Timeline, verdicts: Verdicts, position: int) -> Finding:
    event = timeline.events[position]
    kind: str = event.type  # type: ignore[attr-defined]
    prefix = ""
    if rule.require:
        failed: list[str] = []
        empty: list[str] = []
        for field, test in rule.require.items():
            value = getattr(event, field, None)
            outcome = test.test(value)
            if outcome is False:
                failed.append(said(kind, field, value))
            elif outcome is None:
                empty.append(field)
        if failed:
            return verdicts.violated(f"At {label(event)}, {listed(failed)}", trigger=event)
        if empty:
            return verdicts.undetermined(
                f"{capital(label(event))} does not record {facts(kind, empty)}", trigger=event
            )
        passed = _passed(rule, kind)
        if rule.preceded_by is None and rule.followed_by is None:
            return verdicts.met(f"At {label(event)}, {passed}", trigger=event)
        prefix = f"At {label(event)}, {passed}. "
    if rule.preceded_by is not None:
        finding = _preceded(rule, rule.preceded_by, timeline, verdicts, position)
    else:
        assert rule.followed_by is not None  # the model requires one of the three
        finding = _followed(rule, rule.followed_by, timeline, verdicts, position)
    return replace(finding, explanation=prefix + finding.explanation) if prefix else finding


def _passed(rule: ConditionRule, kind: str) -> str:
    """The required facts as a sentence ('a lead social worker was named'), once per rule."""
    table: dict[str, str] = rule.once("passed", dict)
    found = table.get(kind)
    if found is None:
        found = table[kind] = listed([asked(kind, field, test) for field, test in rule.require.items()])
    return found


def _scope(rule: ConditionRule, timeline: Timeline, position: int) -> tuple[int, int]:
    """Positions ``[start, stop)`` the search may look in: the whole case, or the event's plan
    episode (its opening conference included; evaluate passes over events outside plans)."""
    episode = timeline.episode_of(position) if rule.scope == "episode" else None
    if episode is None:
        return 0, len(timeline.events)
    return timeline.episode_bounds(episode)


def _same_rank_end(timeline: Timeline, position: int, stop: int) -> int:
    """The first position after ``position`` (before ``stop``) not of the same day and rank:
    events of one day and rank are ordered only by id, which means nothing."""
    events = timeline.events
    event = events[position]
    after = position + 1
    while after < stop and events[after].date == event.date and events[after].rank == event.rank:
        after += 1
    return after


def _day_start(timeline: Timeline, position: int, start: int) -> int:
    """The first position (not before ``start``) on the day of the event at ``position``."""
    events = timeline.events
    day = events[position].date
    first = position
    while first - 1 >= start and events[first - 1].date == day:
        first -= 1
    return first


def _preceded(
    rule: ConditionRule, wanted: Selector, timeline: Timeline, verdicts: Verdicts, position: int
) -> Finding:
    events = timeline.events
    event = events[position]
    start, stop = _scope(rule, timeline, position)
    alongside = _same_rank_end(timeline, position, stop)
    earliest: date | None = rule.within.subtract(event.date, timeline.calendar) if rule.within else None
    where = " in the same plan" if rule.scope == "episode" else ""
    if rule.within is None:
        span = ""
    elif rule.within.amount == 0:
        span = " on the same day"
    else:
        assert earliest is not None
        span = f" within {rule.within.describe()} (on or after {earliest.isoformat()})"
    if rule.linked_by is not None and getattr(event, rule.linked_by, None) is not None:
        return _linked(rule, wanted, timeline, verdicts, position, getattr(event, rule.linked_by))
    since = _since(rule, timeline, start, position)
    if since is not None:
        start = max(start, since[0])
        where += since[1]
    found = timeline.last(wanted, start, position)
    if found is None or (earliest is not None and events[found].date < earliest):
        found = timeline.first(wanted, position + 1, alongside)
    if found is not None:
        return verdicts.met(
            f"{capital(label(event))} was preceded by {label(events[found])}{span}{where}",
            trigger=event,
            occurred_on=events[found].date,
            evidence=(events[found],),
        )
    unknown = [
        p
        for p in timeline.unknown_positions(wanted, start, alongside)
        if p != position and (earliest is None or events[p].date >= earliest)
    ]
    if unknown:
        return verdicts.undetermined(
            f"{capital(wanted.words.no)} is known before {label(event)}{span}{where}: "
            f"{label(events[unknown[-1]])} does not record {empty_fields(wanted, timeline, unknown[-1])}",
            trigger=event,
        )
    return verdicts.violated(
        f"{capital(wanted.words.no)} before {label(event)}{span}{where}", trigger=event
    )


def _linked(
    rule: ConditionRule, wanted: Selector, timeline: Timeline, verdicts: Verdicts, position: int, link: str
) -> Finding:
    """The qualifying event names the meeting that decided it: that meeting is checked."""
    events = timeline.events
    event = events[position]
    linked = timeline.case.positions_by_id.get(link)
    if linked is None or linked >= len(events):
        # not in the case, or dated after as_of (so not yet seen that day)
        return verdicts.undetermined(
            f"{capital(label(event))} names the meeting that decided it, but that meeting is not in "
            f"the timeline, so whether it was {wanted.words.a} is unknown",
            trigger=event,
        )
    start, _ = _scope(rule, timeline, position)
    decider = events[linked]
    same_plan = rule.scope != "episode" or linked >= start
    if same_plan and linked in timeline.positions(wanted) and decider.date <= event.date:
        return verdicts.met(
            f"{capital(label(event))} was decided at {label(decider)}",
            trigger=event,
            occurred_on=decider.date,
            evidence=(decider,),
        )
    if same_plan and linked in timeline.unknown_positions(wanted):
        return verdicts.undetermined(
            f"{capital(label(event))} was decided at {label(decider)}, which does not record "
            f"{empty_fields(wanted, timeline, linked)}",
            trigger=event,
        )
    why = "" if same_plan else ", in an earlier plan"
    if decider.date > event.date:
        why = ", held after the change"
    return verdicts.violated(
        f"{capital(label(event))} was decided at {label(decider)}{why}: not {wanted.words.a}",
        trigger=event,
        occurred_on=decider.date,
        evidence=(decider,),
    )


def _since(rule: ConditionRule, timeline: Timeline, start: int, position: int) -> tuple[int, str] | None:
    """Where a ``since`` search starts (after the run's first ``since`` event), and its words."""
    if rule.since is None and not rule.since_after:
        return None
    events = timeline.events
    after = start - 1
    for selector in rule.since_after:
        found = timeline.last(selector, start, position)
        if found is not None and found > after:
            after = found
    if rule.since is not None:
        first = timeline.first(rule.since, after + 1, position)
        if first is not None:
            return first + 1, f" and after {label(events[first])}"
    if after >= start:
        return after + 1, f" and after {label(events[after])}"
    return None


def _followed(
    rule: ConditionRule, wanted: Selector, timeline: Timeline, verdicts: Verdicts, position: int
) -> Finding:
    events = timeline.events
    event = events[position]
    start, stop = _scope(rule, timeline, position)
    day_start = _day_start(timeline, position, start)
    bound: int | None = None
    if rule.before is not None:
        bound = timeline.first(rule.before, day_start, position)
        if bound is None:
            bound = timeline.first(rule.before, position + 1, stop)
    # the obligation ends with the plan (or at 18) unless the bounding event comes first
    closure = None if rule.outlives_plan else timeline.closure(position)
    if closure is not None and bound is not None and events[bound].date <= closure.on:
        closure = None
    # events on the bounding event's day count as before it (a day's events have no order)
    limit = stop
    if bound is not None:
        limit = max(bound, position) + 1
        while limit < stop and events[limit].date == events[bound].date:
            limit += 1
    elif closure is not None and closure.event is not None and rule.within is None:
        closed_at = timeline.position_of(closure.event.id)
        if closed_at is not None:
            limit = min(limit, closed_at + 1)
    found = timeline.first(wanted, day_start, position)
    if found is None:
        found = timeline.first(wanted, position + 1, limit)
    within = rule.within
    due = within.add(event.date, timeline.calendar) if within is not None else None
    before_text = f" before {label(events[bound])}" if bound is not None else ""
    words = wanted.words
    # a lapsing event ends the obligation only if it came before the followed_by event
    lapse = (
        None
        if not rule.lapses_on or (found is not None and found < position)
        else first_lapse(rule.lapses_on, timeline, position, found if found is not None else stop, due)
    )
    if lapse is not None:
        return verdicts.not_applicable(
            f"{capital(happened(events[lapse]))}, which ended the obligation set by "
            f"{label(event)} before {words.a} fell due",
            trigger=event,
        )
    if found is not None and (
        within is not None or closure is None or events[found].date <= closure.on
    ):
        done = events[found]
        if within is not None and due is not None:
            return verdicts.against_due(
                due=due,
                why_due=_why_due(within, event, wanted),
                done_on=done.date,
                done_text=happened(done, start=True),
                wanted=words.a,
                missing=words.no,
                trigger=event,
                evidence=(done,),
                skipped_from=event.date if within.working_days else None,
                closure=closure,
            )
        return verdicts.met(
            f"{capital(label(done))} followed {label(event)}{before_text}",
            trigger=event,
            occurred_on=done.date,
            evidence=(done,),
        )
    unknown = [p for p in timeline.unknown_positions(wanted, day_start, limit) if p != position]
    if unknown and (closure is None or events[unknown[0]].date <= closure.on):
        return verdicts.undetermined(
            f"{capital(words.no)} is known after {label(event)}{before_text}: "
            f"{label(events[unknown[0]])} does not record {empty_fields(wanted, timeline, unknown[0])}",
            trigger=event,
            due=due,
        )
    if bound is not None:
        return verdicts.violated(
            f"{capital(words.no)} after {label(event)}{before_text}",
            trigger=event,
            due=due,
            evidence=(events[bound],),
        )
    if within is not None and due is not None:
        return verdicts.against_due(
            due=due,
            why_due=_why_due(within, event, wanted),
            done_on=None,
            wanted=words.a,
            missing=words.no,
            trigger=event,
            skipped_from=event.date if within.working_days else None,
            closure=closure,
        )
    assert rule.before is not None  # the model: followed_by needs within or before
    awaited = rule.before.words
    if closure is not None:
        ender = closure.event
        if ender is not None and ender.type in rule.before.types:  # type: ignore[attr-defined]
            # the plan ended by an event of the bounding kind that the rule leaves out (a plan
            # ended because the child died): an end the rule asks nothing before
            why = REASON_TEXT.get(getattr(ender, "reason", None) or "")
            because = f", because {why}" if why else ""
            return verdicts.not_applicable(
                f"{capital(closure.text)}{because}: an end this rule does not ask for {words.a} "
                "before, so there is nothing to check",
                trigger=event,
            )
        return verdicts.not_applicable(
            f"{capital(closure.text)}, before {awaited.a} came after {label(event)}: the obligation "
            f"to have {words.a} before it ended there",
            trigger=event,
        )
    return verdicts.not_applicable(
        f"Not yet due: {awaited.no} after {label(event)} yet, and {words.a} may still come before it",
        trigger=event,
    )


def _why_due(within: Within, event: AnyEvent, wanted: Selector) -> str:
    if within.amount == 0:
        return f"the day of {label(event)}, for {wanted.words.a}"
    return f"{within.describe()} after {label(event)}, for {wanted.words.a}"
