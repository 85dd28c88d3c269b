"""Building findings: the one place that turns dates into a status, lateness and a sentence.

Every rule kind reports through :class:`Verdicts`, so the counting convention (SPEC §5) and the
shape of explanations are written once.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "x", "kind": "age_limit", "title": "t",
...     "severity": "breach", "citation": "c"})
>>> case = parse_case({"case_id": "V-1"})
>>> v = Verdicts(rule, Timeline.build(case, date(2024, 6, 1), WorkingCalendar()))
>>> v.not_applicable("no plan in the timeline").status.value
'not_applicable'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from cprules.calendar import WorkingCalendar
from cprules.case import MAX_DATE, AnyEvent
from cprules.findings import Finding, Severity, Status, make_finding, rule_json
from cprules.pack.model import PLAN_END_REASONS, REFUTABLE_FIELD, UNSETTLED, Rule, Selector
from cprules.timeline import Closure, Timeline
from cprules.words import EVENT_LABELS, REASON_TEXT, capital, facts, plural

__all__ = ["EVENT_LABELS", "Verdicts", "capital", "label", "plural"]


_SEVERITY = {s.value: s for s in Severity}
_MET = Status.MET
_LATE = Status.LATE
_OVERDUE = Status.OVERDUE
_DUE = Status.DUE
_VIOLATED = Status.VIOLATED
_NOT_APPLICABLE = Status.NOT_APPLICABLE
_UNDETERMINED = Status.UNDETERMINED
_MISSED = Status.MISSED


def empty_fields(selector: Selector, timeline: Timeline, position: int) -> str:
    """What the event at ``position`` leaves open of the selector's tests: 'the outcome'.

    A field counts when it is empty and the case does not settle it (``Timeline.implied``);
    one the case leaves open either way says why: 'which conference decided it (the review
    conference rc on 2024-07-08 does not record its outcome)'. A plan end's reason that the
    timeline refutes counts too, naming both facts: 'a reason the timeline bears out: it says
    the child turned 18, but the date of birth, ..., shows the child was 9 that day (...)'.
    """
    event = timeline.events[position]
    kind: str = event.type  # type: ignore[attr-defined]
    empty: list[str] = []
    why = ""
    disputed = ""
    refutation = timeline.refuted(position) if position in timeline.refuted_ends() else None
    for field, test in selector.where.items():
        value = getattr(event, field, None)
        if refutation is not None and field == REFUTABLE_FIELD:
            # recorded, but the timeline refutes it (SPEC §4): say both facts
            if test.test_other_than(value, PLAN_END_REASONS) is None:
                claimed = REASON_TEXT.get(str(value), "another reason")
                disputed = f"a reason the timeline bears out: it says {claimed}, but {refutation.because}"
            continue
        if value is None:
            value = timeline.implied(event, field)
            if value is UNSETTLED:
                empty.append(field)
                review = timeline.undecided_review(position)
                if review is not None:
                    why = f" ({label(review)} does not record its outcome)"
                continue
        if test.test(value) is None:
            empty.append(field)
    named = [facts(kind, empty) + why] if empty else []
    if selector.child_under is not None and timeline.birth is None:
        named.append("the child's date of birth")
    if disputed:
        named.append(disputed)
    return " or ".join(named) or "a fact the rule needs"


def first_lapse(
    selectors: Iterable[Selector], timeline: Timeline, position: int, end: int, due: date | None
) -> int | None:
    """The first event any of ``selectors`` (a rule's ``lapses_on``) accepts after ``position``
    and before ``end``, on or before ``due`` (an obligation already missed does not lapse)."""
    best: int | None = None
    for selector in selectors:
        found = timeline.first(selector, position + 1, end)
        if (
            found is not None
            and (due is None or timeline.events[found].date <= due)
            and (best is None or found < best)
        ):
            best = found
    return best


def label(event: AnyEvent) -> str:
    """'the ICPC ic on 2024-03-19' (worked out once per event)."""
    return event.label


class _RuleFacts:
    """What every finding of one rule carries, worked out once per rule."""

    __slots__ = ("citation", "json", "kind", "prefix", "rule_id", "severity", "title", "without_trigger")

    def __init__(self, rule: Rule) -> None:
        self.prefix = rule.id + "@"
        self.rule_id = rule.id
        self.title = rule.title
        self.kind = rule.kind
        self.severity = _SEVERITY[rule.severity]
        self.citation = rule.citation
        #: the rule's part of each finding's JSON, encoded once
        self.json = rule_json(rule.id, rule.title, rule.kind, self.severity, rule.citation)
        #: findings with no trigger event ("No plan in the timeline."): the same on every case,
        #: and immutable, so built once and shared
        self.without_trigger: dict[tuple[Status, str], Finding] = {}


class Verdicts:
    """Makes the findings of one rule on one timeline."""

    __slots__ = ("_facts", "timeline")

    def __init__(self, rule: Rule, timeline: Timeline) -> None:
        self._facts: _RuleFacts = rule.once("facts", lambda: _RuleFacts(rule))
        self.timeline = timeline

    def finding(
        self,
        status: Status,
        explanation: str,
        *,
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        due: date | None = None,
        occurred_on: date | None = None,
        evidence: Iterable[AnyEvent] = (),
    ) -> Finding:
        """A finding; lateness is worked out here from ``due``, ``occurred_on`` and ``as_of``.

        ``late`` carries the working and calendar days from ``due`` to ``occurred_on``;
        ``overdue`` carries them from ``due`` to ``as_of`` (late so far).
        """
        working_late: int | None = None
        calendar_late: int | None = None
        if due is not None:
            if status is _LATE and occurred_on is not None:
                working_late = self.timeline.calendar.working_days_between(due, occurred_on)
                calendar_late = (occurred_on - due).days
            elif status is _OVERDUE:
                as_of = self.timeline.as_of
                working_late = self.timeline.calendar.working_days_between(due, as_of)
                calendar_late = (as_of - due).days
        return self._build(
            status, explanation, trigger, occurrence, due, occurred_on, working_late, calendar_late, evidence
        )

    def _build(
        self,
        status: Status,
        explanation: str,
        trigger: AnyEvent | None,
        occurrence: int,
        due: date | None,
        occurred_on: date | None,
        working_late: int | None,
        calendar_late: int | None,
        evidence: Iterable[AnyEvent],
    ) -> Finding:
        # positional: this runs once per finding, millions of times over a caseload
        facts = self._facts
        trigger_id = trigger.id if trigger is not None else None
        return make_finding(
            f"{facts.prefix}{trigger_id or '-'}#{occurrence}",
            facts.rule_id,
            facts.title,
            facts.kind,
            facts.severity,
            status,
            due,
            occurred_on,
            working_late,
            calendar_late,
            trigger_id,
            tuple([event.id for event in evidence]) if evidence else (),
            facts.citation,
            explanation,
            facts.json,
        )

    def _without_trigger(self, status: Status, reason: str) -> Finding:
        """A finding on no event, with a reason that names none: the same for every case."""
        shared = self._facts.without_trigger
        found = shared.get((status, reason))
        if found is None:
            found = self._build(status, _sentence(reason), None, 1, None, None, None, None, ())
            if len(shared) < 32:  # reasons without a trigger are the rule's own words: a few
                shared[status, reason] = found
        return found

    def not_applicable(self, reason: str, *, trigger: AnyEvent | None = None, occurrence: int = 1) -> Finding:
        """Nothing triggered the rule, or its obligation lapsed (``reason`` says which)."""
        if trigger is None and occurrence == 1:
            return self._without_trigger(_NOT_APPLICABLE, reason)
        return self._build(
            _NOT_APPLICABLE, _sentence(reason), trigger, occurrence, None, None, None, None, ()
        )

    def undetermined(
        self,
        reason: str,
        *,
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        due: date | None = None,
    ) -> Finding:
        """The timeline lacks a fact the rule needs (``reason`` names it)."""
        if trigger is None and occurrence == 1 and due is None:
            return self._without_trigger(_UNDETERMINED, reason)
        return self._build(_UNDETERMINED, _sentence(reason), trigger, occurrence, due, None, None, None, ())

    def violated(
        self,
        explanation: str,
        *,
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        due: date | None = None,
        occurred_on: date | None = None,
        evidence: Iterable[AnyEvent] = (),
    ) -> Finding:
        """A condition that is not a deadline is broken."""
        return self._build(
            _VIOLATED, _sentence(explanation), trigger, occurrence, due, occurred_on, None, None, evidence
        )

    def met(
        self,
        explanation: str,
        *,
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        due: date | None = None,
        occurred_on: date | None = None,
        evidence: Iterable[AnyEvent] = (),
    ) -> Finding:
        """Done on time, or a condition that holds."""
        return self._build(
            _MET, _sentence(explanation), trigger, occurrence, due, occurred_on, None, None, evidence
        )

    def against_due(
        self,
        *,
        due: date,
        why_due: str,
        done_on: date | None,
        done_text: str | None = None,
        wanted: str = "it",
        missing: str = "it was not done",
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        evidence: Iterable[AnyEvent] = (),
        skipped_from: date | None = None,
        closure: Closure | None = None,
    ) -> Finding:
        """The standard deadline verdict: ``met``/``late`` when done, else ``due``/``overdue``,
        or, once the obligation's window has closed (``closure``: the plan ended, the child
        turned 18 or moved away), ``not_applicable`` or ``missed`` (SPEC §3).

        ``why_due`` completes "Due 2024-04-04: ..." (e.g. "10 working days after the ICPC ic
        on 2024-03-19"); with ``skipped_from`` the holidays skipped between it and ``due`` are
        named, and a due date that falls on a holiday says so. ``done_text`` says what was done,
        with its date, starting a sentence ("The core group cg1 was held on 2024-04-05");
        ``wanted`` names the thing expected ("the first core group held") and ``missing`` says
        it was not done ("no core group held"). Something done after the window closed does
        not count, unless it was done by the due date.
        """
        timeline = self.timeline
        calendar = timeline.calendar
        skipped = ""
        if (
            skipped_from is not None
            and skipped_from < due
            # a holiday (or closure) was skipped only if fewer working days than weekdays passed
            and calendar.working_days_between(skipped_from, due) != _weekdays_after(skipped_from, due)
        ):
            skipped = _skipped(calendar, skipped_from, due)
        on = due.isoformat()
        # a calendar-month due date may fall past 2100, whose holidays no calendar knows: then
        # nothing is said of a holiday (it cannot be overdue: as_of is 2100 at the latest)
        holiday = (
            ""
            if due.weekday() >= 5 or due > MAX_DATE or calendar.is_working_day(due)
            else _holiday(calendar, due)
        )
        head = f"Due {on}{f' ({holiday})' if holiday else ''}: {why_due}"
        head = f"{head}, {skipped}." if skipped else f"{head}."
        working_late: int | None = None
        calendar_late: int | None = None
        closed = closure.on if closure is not None else None
        if done_on is not None and (done_on <= due or closed is None or done_on <= closed):
            done = done_text if done_text is not None else f"Done on {done_on.isoformat()}"
            if done_on <= due:
                status = _MET
                text = f"{head} {done}: on time."
            else:
                status = _LATE
                working_late = calendar.working_days_between(due, done_on)
                calendar_late = (done_on - due).days
                text = (
                    f"{head} {done}: {plural(working_late, 'working day')} late"
                    f" ({plural(calendar_late, 'calendar day')})."
                )
        elif closure is not None and closure.on <= due:
            # "before it fell due on 2025-03-21" would be untrue of a plan that ended that day
            same_day = closure.on == due
            when = f"on the day {wanted} fell due" if same_day else f"before {wanted} fell due on {on}"
            return self._build(
                _NOT_APPLICABLE,
                f"{capital(closure.text)}, {when} "
                f"({why_due.removesuffix(f', for {wanted}')}{f'; {holiday}' if holiday else ''}).",
                trigger,
                occurrence,
                None,
                None,
                None,
                None,
                (),
            )
        elif closure is not None:
            status = _MISSED
            done_on = None
            working_late = calendar.working_days_between(due, closure.on)
            calendar_late = (closure.on - due).days
            text = (
                f"{head} {capital(missing)} by the time {closure.text}: missed, "
                f"{plural(working_late, 'working day')} after the due date "
                f"({plural(calendar_late, 'calendar day')})."
            )
            if closure.event is not None:
                evidence = (*evidence, closure.event)
        else:
            as_of = timeline.as_of
            done_on = None
            if due < as_of:
                status = _OVERDUE
                working_late = calendar.working_days_between(due, as_of)
                calendar_late = (as_of - due).days
                overdue = plural(working_late, "working day")
                text = f"{head} {capital(missing)} by {as_of.isoformat()}: overdue by {overdue}."
            else:
                status = _DUE
                text = f"{head} {capital(missing)} yet as at {as_of.isoformat()}."
        return self._build(
            status, text, trigger, occurrence, due, done_on, working_late, calendar_late, evidence
        )


@lru_cache(maxsize=1024)
def _holiday(calendar: WorkingCalendar, due: date) -> str:
    """'Christmas Day, not a working day in England and Wales', for a weekday ``due`` that is
    not a working day."""
    named = calendar.holidays_between(due - timedelta(days=1), due)
    name = named[0][1] if named else "a holiday"
    return f"{name}, not a working day in {calendar.name}"


def _sentence(text: str) -> str:
    """Capitalised and closed with a full stop (cheap when it already is)."""
    if text[:1].isupper() and text[-1:] in (".", "!", "?"):
        return text
    text = text.strip()
    if not text:
        return text
    end = "" if text[-1] in ".!?" else "."
    return f"{text[0].upper()}{text[1:]}{end}"


#: _WEEKDAYS[w][n]: how many of the n days after a day of weekday w (Monday 0) are Monday to Friday
_WEEKDAYS = tuple(tuple(sum((w + k) % 7 < 5 for k in range(1, n + 1)) for n in range(7)) for w in range(7))


@lru_cache(maxsize=4096)
def _skipped(calendar: WorkingCalendar, start: date, due: date) -> str:
    """``calendar.describe_skipped(start, due)``, remembered: a caseload's deadlines cluster
    round the same bank holidays, so the same sentence comes up again and again."""
    return calendar.describe_skipped(start, due)


def _weekdays_after(a: date, b: date) -> int:
    """The number of Mondays to Fridays d with a < d <= b (``b`` on or after ``a``).

    >>> _weekdays_after(date(2024, 3, 29), date(2024, 4, 8))  # Fri to the Monday week after
    6
    """
    weeks, rest = divmod((b - a).days, 7)
    return 5 * weeks + _WEEKDAYS[a.weekday()][rest]
