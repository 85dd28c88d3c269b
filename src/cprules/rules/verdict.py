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
from datetime import date

from cprules.case import EVENT_LABELS, AnyEvent
from cprules.findings import Finding, Severity, Status
from cprules.pack.model import Rule
from cprules.timeline import Timeline

__all__ = ["EVENT_LABELS", "Verdicts", "label", "plural"]


_SEVERITY = {s.value: s for s in Severity}
_LATE = Status.LATE
_OVERDUE = Status.OVERDUE


def label(event: AnyEvent) -> str:
    """'the ICPC ic on 2024-03-19' (worked out once per event)."""
    return event.label


def plural(count: int, word: str) -> str:
    """'1 working day', '3 working days'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Verdicts:
    """Makes the findings of one rule on one timeline."""

    __slots__ = ("_citation", "_kind", "_rule_id", "_severity", "_title", "timeline")

    def __init__(self, rule: Rule, timeline: Timeline) -> None:
        self._rule_id = rule.id
        self._title = rule.title
        self._kind = rule.kind
        self._severity = _SEVERITY[rule.severity]
        self._citation = rule.citation
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
        trigger_id = trigger.id if trigger is not None else None
        # positional: this runs once per finding, millions of times over a caseload
        return Finding(
            f"{self._rule_id}@{trigger_id or '-'}#{occurrence}",
            self._rule_id,
            self._title,
            self._kind,
            self._severity,
            status,
            due,
            occurred_on,
            working_late,
            calendar_late,
            trigger_id,
            tuple([event.id for event in evidence]) if evidence else (),
            self._citation,
            explanation,
        )

    def not_applicable(self, reason: str, *, trigger: AnyEvent | None = None, occurrence: int = 1) -> Finding:
        """Nothing triggered the rule, or its obligation lapsed (``reason`` says which)."""
        return self.finding(Status.NOT_APPLICABLE, _sentence(reason), trigger=trigger, occurrence=occurrence)

    def undetermined(
        self,
        reason: str,
        *,
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        due: date | None = None,
    ) -> Finding:
        """The timeline lacks a fact the rule needs (``reason`` names it)."""
        return self.finding(
            Status.UNDETERMINED, _sentence(reason), trigger=trigger, occurrence=occurrence, due=due
        )

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
        return self.finding(
            Status.VIOLATED,
            _sentence(explanation),
            trigger=trigger,
            occurrence=occurrence,
            due=due,
            occurred_on=occurred_on,
            evidence=evidence,
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
        return self.finding(
            Status.MET,
            _sentence(explanation),
            trigger=trigger,
            occurrence=occurrence,
            due=due,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def against_due(
        self,
        *,
        due: date,
        why_due: str,
        done_on: date | None,
        done_what: str = "Held",
        trigger: AnyEvent | None = None,
        occurrence: int = 1,
        evidence: Iterable[AnyEvent] = (),
        skipped_from: date | None = None,
    ) -> Finding:
        """The standard deadline verdict: ``met``/``late`` when done, else ``due``/``overdue``.

        ``why_due`` completes "Due 2024-04-04: ..." (e.g. "10 working days after the ICPC ic
        on 2024-03-19"); with ``skipped_from`` the holidays skipped between it and ``due`` are
        named.
        """
        calendar = self.timeline.calendar
        text = f"Due {due.isoformat()}: {why_due}"
        if skipped_from is not None:
            skipped = calendar.describe_skipped(skipped_from, due)
            if skipped:
                text += f", {skipped}"
        text += "."
        as_of = self.timeline.as_of
        if done_on is not None:
            if done_on <= due:
                status = Status.MET
                text += f" {done_what} {done_on.isoformat()}: on time."
            else:
                status = Status.LATE
                late = calendar.working_days_between(due, done_on)
                days = (done_on - due).days
                text += (
                    f" {done_what} {done_on.isoformat()}: {plural(late, 'working day')} late"
                    f" ({plural(days, 'calendar day')})."
                )
        elif due < as_of:
            status = Status.OVERDUE
            late = calendar.working_days_between(due, as_of)
            text += f" Not done by {as_of.isoformat()}: overdue by {plural(late, 'working day')}."
        else:
            status = Status.DUE
            text += f" Not done yet as at {as_of.isoformat()}."
        return self.finding(
            status,
            text,
            trigger=trigger,
            occurrence=occurrence,
            due=due,
            occurred_on=done_on,
            evidence=evidence,
        )


def _sentence(text: str) -> str:
    """Capitalised and closed with a full stop (cheap when it already is)."""
    if text[:1].isupper() and text[-1:] == ".":
        return text
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
