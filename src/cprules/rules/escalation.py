"""``escalation``: k consecutive failed events of a plan require an escalation within a period.

Each plan episode is read on its own, over its qualifying events in timeline order. A failure
(every ``failure`` test true) adds one to the run; any other qualifying event ends it. When the
run reaches ``count``, the event that completes it triggers the obligation: due = ``within``
after that event's date; the first ``expect`` event dated on or after that day (an escalation on
the same day as the visit counts, whatever the order of their ids) gives the verdict, as a
deadline does. The obligation ends with the plan (SPEC §3): an escalation made after the plan
ended still counts when it was made by the due date; with none by then, a plan that ended on or
before the due date leaves the finding ``not_applicable``, and one that ended after it makes it
``missed``. The run then starts again from nothing, so four visits in a
row without access (count 2) set two obligations, and a run never crosses into a new plan.

An event whose failure field is empty (or whose own tested field is, so that it may or may not
qualify) is a fact the rule lacks. It counts into the run as a possible failure; a run that
reaches ``count`` with such an event in it is ``undetermined`` (keyed on the event completing
it, naming what is not recorded) instead of setting an obligation, and the run starts again
from nothing, so no breach is built on a guess. An unknown followed by a success before any
run could form decides nothing and is not reported.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "no-access-escalation", "kind": "escalation",
...     "title": "Two visits without access: the lead social worker is informed",
...     "severity": "breach", "citation": "Jersey CP plans v18", "event": "visit",
...     "failure": {"outcome": "no_access"}, "count": 2,
...     "expect": {"event": "escalation", "where": {"to": "lead_social_worker"}},
...     "within": {"working_days": 1}})
>>> case = parse_case({"case_id": "E-1", "events": [
...     {"id": "ps", "type": "plan_start", "date": "2024-03-04"},
...     {"id": "v1", "type": "visit", "date": "2024-03-14", "outcome": "no_access"},
...     {"id": "v2", "type": "visit", "date": "2024-03-28", "outcome": "no_access"},
...     {"id": "x1", "type": "escalation", "date": "2024-04-03", "to": "lead_social_worker"}]})
>>> timeline = Timeline.build(case, date(2024, 4, 30), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value, finding.due, finding.working_days_late
('no-access-escalation@v2#1', 'late', datetime.date(2024, 4, 2), 1)
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-04-02: 1 working day after the visit v2 on 2024-03-28, the 2nd visit in a row at
which no access was gained (after the visit v1 on 2024-03-14), for an escalation to the lead
social worker, skipping Good Friday 29 March and Easter Monday 1 April (England and Wales).
The lead social worker was told on 2024-04-03 (escalation x1): 1 working day late (1 calendar
day).
"""

from __future__ import annotations

from cprules.case import AnyEvent, Episode
from cprules.findings import Finding
from cprules.pack.model import EscalationRule, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, label
from cprules.timeline import Timeline
from cprules.words import capital, happened, listed, ordinal

__all__ = ["evaluate", "quiet"]


def quiet(rule: EscalationRule) -> Quiet:
    """The rule's findings are the same on every case with no plan: "No plan in the timeline." (the
    first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",),))


def evaluate(rule: EscalationRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per run of ``count`` consecutive failures (``not_applicable`` if none)."""
    words = _words(rule)
    if not timeline.episodes:
        return [verdicts.not_applicable("No plan in the timeline")]
    findings: list[Finding] = []
    for episode in timeline.episodes:
        _episode(rule, timeline, verdicts, episode, words, findings)
    if not findings:
        return [verdicts.not_applicable(f"{capital(words.none)} in a plan")]
    return findings


def _words(rule: EscalationRule) -> _Words:
    """The rule's words, worked out once per rule (a few microseconds saved on every case)."""
    return rule.once("words", lambda: _Words(rule))


class _Words:
    """The plain-English pieces of a rule's explanations, worked out once per rule."""

    __slots__ = ("failed", "failure_a", "in_a_row", "none", "noun", "run", "wanted", "wanted_a", "within")

    def __init__(self, rule: EscalationRule) -> None:
        # the qualifying events and the failure as one selector: 'visit at which no access was gained'
        failed = Selector(event=rule.event.event, where={**rule.event.where, **rule.failure})
        self.failed = failed  # what an event leaves empty is read against this selector
        words = failed.words
        self.noun = rule.event.words.nouns
        self.failure_a = words.a  # 'a visit by a core group member at which no access was gained'
        bare = words.bare
        noun = words.nouns
        # 'visit in a row at which no access was gained'
        self.in_a_row = (
            f"{noun} in a row{bare[len(noun):]}" if bare.startswith(noun) else f"{bare}, in a row"
        )
        if rule.count == 1:
            self.run = words.a
            self.none = words.no  # 'no visit at which access was refused', never 'no a visit ...'
        else:
            self.run = f"{rule.count} consecutive {words.plural}"
            self.none = f"no {self.run}"
        self.wanted = rule.expect.words.no
        self.wanted_a = rule.expect.words.a
        self.within = rule.within.describe()


def _failed(rule: EscalationRule, event: AnyEvent) -> bool | None:
    """Whether the event is a failure: None when a failure field is empty."""
    result: bool | None = True
    for field, test in rule.failure.items():
        outcome = test.test(getattr(event, field, None))
        if outcome is False:
            return False
        if outcome is None:
            result = None
    return result


def _episode(
    rule: EscalationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    episode: Episode,
    words: _Words,
    findings: list[Finding],
) -> None:
    events = timeline.events
    start, stop = timeline.episode_bounds(episode.number)
    sure, doubtful = timeline.split(rule.event, start, stop)
    if doubtful:
        marked = set(doubtful)
        sequence = [
            (p, None if p in marked else _failed(rule, events[p])) for p in sorted((*sure, *doubtful))
        ]
    else:
        sequence = [(p, _failed(rule, events[p])) for p in sure]
    count = rule.count
    run: list[int] = []  # positions of the current run: failures, and unknowns taken as failures
    unknown: list[int] = []  # the unknowns in it
    for position, failed in sequence:
        if failed is False:
            run, unknown = [], []
            continue
        run.append(position)
        if failed is None:
            unknown.append(position)
        if len(run) < count:
            continue
        if unknown:
            findings.append(_unknown_run(rule, timeline, verdicts, run, unknown, words))
        else:
            findings.append(_obligation(rule, timeline, verdicts, run, words, start, stop))
        run, unknown = [], []


def _obligation(
    rule: EscalationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    run: list[int],
    words: _Words,
    start: int,
    stop: int,
) -> Finding:
    events = timeline.events
    position = run[-1]
    trigger = events[position]
    due = rule.within.add(trigger.date, timeline.calendar)
    # an escalation the same day as the visit counts, whichever of their ids sorts first
    first = position
    while first > start and events[first - 1].date == trigger.date:
        first -= 1
    closure = None if rule.outlives_plan else timeline.closure(position)
    # once the plan has ended, an escalation made after it still counts if made in time
    expected = timeline.first(rule.expect, first, stop if closure is None else len(events))
    done = events[expected] if expected is not None else None
    if len(run) == 1:
        why = f"{words.within} after {label(trigger)}, {words.failure_a}"
    else:
        earlier = listed([label(events[p]) for p in run[:-1]])
        why = (
            f"{words.within} after {label(trigger)}, the {ordinal(len(run))} {words.in_a_row} "
            f"(after {earlier})"
        )
    return verdicts.against_due(
        due=due,
        why_due=f"{why}, for {words.wanted_a}",
        done_on=done.date if done is not None else None,
        done_text=happened(done, start=True) if done is not None else None,
        wanted=words.wanted_a,
        missing=words.wanted,
        trigger=trigger,
        evidence=[*(events[p] for p in run), *((done,) if done is not None else ())],
        skipped_from=trigger.date if rule.within.working_days is not None else None,
        closure=closure,
    )


def _unknown_run(
    rule: EscalationRule,
    timeline: Timeline,
    verdicts: Verdicts,
    run: list[int],
    unknown: list[int],
    words: _Words,
) -> Finding:
    events = timeline.events
    closing = events[run[-1]]
    missing = " and ".join(
        f"{'it' if p == run[-1] else label(events[p])} does not record "
        f"{empty_fields(words.failed, timeline, p)}"
        for p in unknown
    )
    single = rule.count == 1
    may = f"may be {words.run}, which needs" if single else f"may complete {words.run}, which need"
    return verdicts.undetermined(
        f"{label(closing)} {may} {words.wanted_a} within {words.within}, but {missing}",
        trigger=closing,
    )
