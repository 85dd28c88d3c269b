"""What the engine says about a case: findings, their status, and the report that holds them.

Findings are frozen, slotted dataclasses (a case gives dozens, and building a pydantic model
for each costs more than evaluating the rules); a pydantic ``TypeAdapter`` gives their JSON
Schema and reads reports back.

>>> f = Finding(key="first-core-group@ic#1", rule_id="first-core-group",
...             title="First core group within 10 working days of the ICPC", kind="deadline",
...             severity=Severity.BREACH, status=Status.LATE, due=date(2024, 4, 4),
...             occurred_on=date(2024, 4, 5), working_days_late=1, calendar_days_late=1,
...             trigger_event="ic", evidence_events=("cg1",), citation="C06:05",
...             explanation="Due 2024-04-04. Held 2024-04-05: 1 working day late.")
>>> f.is_breach, f.to_dict()["status"]
(True, 'late')
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from pydantic import TypeAdapter

__all__ = ["Finding", "Report", "Severity", "Status"]


class Status(StrEnum):
    """The outcome of one rule on one occurrence (SPEC §3)."""

    MET = "met"
    """Done, on time."""
    LATE = "late"
    """Done after the due date."""
    OVERDUE = "overdue"
    """Not done, and the due date is before ``as_of``."""
    DUE = "due"
    """Not done yet; the due date is ``as_of`` or later."""
    VIOLATED = "violated"
    """A condition that is not a deadline is broken."""
    MISSED = "missed"
    """Not done, and it can no longer be done: the window closed after the due date (the plan
    ended, the child turned 18 or moved away). ``working_days_late`` counts from ``due`` to the
    day the window closed and never grows again."""
    NOT_APPLICABLE = "not_applicable"
    """The rule's trigger never happened, or its obligation lapsed."""
    UNDETERMINED = "undetermined"
    """The timeline lacks a fact the rule needs."""

    def __str__(self) -> str:
        return self.value


class Severity(StrEnum):
    """How much a broken rule matters: a breach of procedure, a warning, or information."""

    BREACH = "breach"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


_BREACH_STATUSES = frozenset({Status.LATE, Status.OVERDUE, Status.MISSED, Status.VIOLATED})


@dataclass(slots=True, init=False)
class Finding:
    """One rule's verdict on one occurrence in a case, with its citation and arithmetic.

    Immutable: setting or deleting a field raises ``dataclasses.FrozenInstanceError``. (The
    generated initialiser of a frozen dataclass costs twice this one's, and a caseload makes
    millions of findings.)
    """

    key: str
    """Stable across runs: rule id, trigger event id and occurrence (``first-core-group@ic#1``)."""
    rule_id: str
    title: str
    kind: str
    severity: Severity
    status: Status
    due: date | None
    """The last day on which the expected event is on time (or the boundary date checked)."""
    occurred_on: date | None
    working_days_late: int | None
    calendar_days_late: int | None
    trigger_event: str | None
    evidence_events: tuple[str, ...]
    citation: str
    explanation: str

    def __init__(
        self,
        key: str,
        rule_id: str,
        title: str,
        kind: str,
        severity: Severity,
        status: Status,
        due: date | None,
        occurred_on: date | None,
        working_days_late: int | None,
        calendar_days_late: int | None,
        trigger_event: str | None,
        evidence_events: tuple[str, ...],
        citation: str,
        explanation: str,
    ) -> None:
        _set_key(self, key)
        _set_rule_id(self, rule_id)
        _set_title(self, title)
        _set_kind(self, kind)
        _set_severity(self, severity)
        _set_status(self, status)
        _set_due(self, due)
        _set_occurred_on(self, occurred_on)
        _set_working_days_late(self, working_days_late)
        _set_calendar_days_late(self, calendar_days_late)
        _set_trigger_event(self, trigger_event)
        _set_evidence_events(self, evidence_events)
        _set_citation(self, citation)
        _set_explanation(self, explanation)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Finding, tuple(getattr(self, name) for name in self.__slots__))

    def __hash__(self) -> int:
        return hash((self.key, self.status, self.due, self.occurred_on, self.explanation))

    @property
    def is_breach(self) -> bool:
        """True when the status is late, overdue, missed or violated (whatever the severity)."""
        return self.status in _BREACH_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a finding (dates as ISO text)."""
        return {
            "key": self.key,
            "rule_id": self.rule_id,
            "title": self.title,
            "kind": self.kind,
            "severity": self.severity.value,
            "status": self.status.value,
            "due": self.due.isoformat() if self.due else None,
            "occurred_on": self.occurred_on.isoformat() if self.occurred_on else None,
            "working_days_late": self.working_days_late,
            "calendar_days_late": self.calendar_days_late,
            "trigger_event": self.trigger_event,
            "evidence_events": list(self.evidence_events),
            "citation": self.citation,
            "explanation": self.explanation,
        }


# the slots' own setters: the initialiser's fast path past the frozen __setattr__
_set_key: Callable[[Finding, Any], None] = vars(Finding)["key"].__set__
_set_rule_id: Callable[[Finding, Any], None] = vars(Finding)["rule_id"].__set__
_set_title: Callable[[Finding, Any], None] = vars(Finding)["title"].__set__
_set_kind: Callable[[Finding, Any], None] = vars(Finding)["kind"].__set__
_set_severity: Callable[[Finding, Any], None] = vars(Finding)["severity"].__set__
_set_status: Callable[[Finding, Any], None] = vars(Finding)["status"].__set__
_set_due: Callable[[Finding, Any], None] = vars(Finding)["due"].__set__
_set_occurred_on: Callable[[Finding, Any], None] = vars(Finding)["occurred_on"].__set__
_set_working_days_late: Callable[[Finding, Any], None] = vars(Finding)["working_days_late"].__set__
_set_calendar_days_late: Callable[[Finding, Any], None] = vars(Finding)["calendar_days_late"].__set__
_set_trigger_event: Callable[[Finding, Any], None] = vars(Finding)["trigger_event"].__set__
_set_evidence_events: Callable[[Finding, Any], None] = vars(Finding)["evidence_events"].__set__
_set_citation: Callable[[Finding, Any], None] = vars(Finding)["citation"].__set__
_set_explanation: Callable[[Finding, Any], None] = vars(Finding)["explanation"].__set__


@dataclass(frozen=True, slots=True)
class Report:
    """Every finding for one case under one pack, as at one date, with provenance.

    >>> r = Report(case_id="A-1", pack_id="stoke", pack_version="2017.8",
    ...            pack_digest="sha256:0", engine_version={"cprules": "0.1.0"},
    ...            as_of=date(2024, 6, 1), findings=())
    >>> Report.from_json(r.to_json()) == r
    True
    """

    case_id: str
    pack_id: str
    pack_version: str
    pack_digest: str
    engine_version: dict[str, str]
    as_of: date
    findings: tuple[Finding, ...] = field(default=())

    @property
    def breaches(self) -> list[Finding]:
        """Findings whose status is late, overdue, missed or violated, in report order."""
        return [f for f in self.findings if f.status in _BREACH_STATUSES]

    @property
    def upcoming(self) -> list[Finding]:
        """Findings with status ``due``, soonest first."""
        due = [f for f in self.findings if f.status is Status.DUE]
        return sorted(due, key=lambda f: (f.due or date.max, f.key))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (SPEC §8 shape)."""
        return {
            "case_id": self.case_id,
            "pack_id": self.pack_id,
            "pack_version": self.pack_version,
            "pack_digest": self.pack_digest,
            "engine_version": dict(self.engine_version),
            "as_of": self.as_of.isoformat(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as JSON text; :meth:`from_json` reads it back.

        The same text as ``json.dumps(report.to_dict(), ensure_ascii=False)``, written without
        building the dicts first: a batch writes a report for every case, and its findings
        repeat their rule's title and citation, which are encoded once per rule.

        >>> f = Finding(key="r@e1#1", rule_id="r", title="Minutes “on time”", kind="deadline",
        ...             severity=Severity.BREACH, status=Status.OVERDUE, due=date(2024, 4, 4),
        ...             occurred_on=None, working_days_late=3, calendar_days_late=5,
        ...             trigger_event="e1", evidence_events=("a", 'b"c'), citation="§2",
        ...             explanation="Due 2024-04-04.\\nNot done.")
        >>> r = Report(case_id="A-1", pack_id="p", pack_version="1", pack_digest="sha256:0",
        ...            engine_version={"cprules": "0.1.0"}, as_of=date(2024, 4, 9), findings=(f, f))
        >>> r.to_json() == json.dumps(r.to_dict(), ensure_ascii=False)
        True
        """
        if indent is not None:
            return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        findings = ", ".join([_finding_json(finding) for finding in self.findings])
        return (
            f'{{"case_id": {_string(self.case_id)}, "pack_id": {_string(self.pack_id)}, '
            f'"pack_version": {_string(self.pack_version)}, "pack_digest": {_string(self.pack_digest)}, '
            f'"engine_version": {json.dumps(dict(self.engine_version), ensure_ascii=False)}, '
            f'"as_of": "{self.as_of.isoformat()}", "findings": [{findings}]}}'
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Read a report written by :meth:`to_json` (validated by pydantic)."""
        return REPORT_ADAPTER.validate_json(text)


#: a JSON string literal, other than ASCII kept as it is (``json.dumps(..., ensure_ascii=False)``)
_string: Callable[[str], str] = encode_basestring


def _finding_json(finding: Finding) -> str:
    """``json.dumps(finding.to_dict(), ensure_ascii=False)``, with the rule's part looked up."""
    rule_part, citation_part = _rule_json(
        finding.rule_id, finding.title, finding.kind, finding.severity, finding.citation
    )
    due = "null" if finding.due is None else '"' + finding.due.isoformat() + '"'
    occurred_on = "null" if finding.occurred_on is None else '"' + finding.occurred_on.isoformat() + '"'
    working = finding.working_days_late
    calendar = finding.calendar_days_late
    trigger = finding.trigger_event
    return (
        f'{{"key": {_string(finding.key)}, {rule_part}"status": {_STATUS_JSON[finding.status]}, '
        f'"due": {due}, "occurred_on": {occurred_on}, '
        f'"working_days_late": {"null" if working is None else working}, '
        f'"calendar_days_late": {"null" if calendar is None else calendar}, '
        f'"trigger_event": {"null" if trigger is None else _string(trigger)}, '
        f'"evidence_events": [{", ".join(map(_string, finding.evidence_events))}], '
        f'{citation_part}"explanation": {_string(finding.explanation)}}}'
    )


#: each status as JSON text (looked up: ``Status.value`` is a slow property)
_STATUS_JSON: dict[Status, str] = {status: f'"{status.value}"' for status in Status}


@lru_cache(maxsize=1024)
def _rule_json(rule_id: str, title: str, kind: str, severity: Severity, citation: str) -> tuple[str, str]:
    """The JSON of the fields a finding takes from its rule (the same for all its findings)."""
    return (
        f'"rule_id": {_string(rule_id)}, "title": {_string(title)}, "kind": {_string(kind)}, '
        f'"severity": {_string(severity.value)}, ',
        f'"citation": {_string(citation)}, ',
    )


FINDING_ADAPTER: TypeAdapter[Finding] = TypeAdapter(Finding)
REPORT_ADAPTER: TypeAdapter[Report] = TypeAdapter(Report)
