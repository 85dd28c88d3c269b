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
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
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


_BREACH_STATUSES = frozenset({Status.LATE, Status.OVERDUE, Status.VIOLATED})


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one occurrence in a case, with its citation and arithmetic."""

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

    @property
    def is_breach(self) -> bool:
        """True when the status is late, overdue or violated (whatever the severity)."""
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
        """Findings whose status is late, overdue or violated, in report order."""
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
        """The report as JSON text; :meth:`from_json` reads it back."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Read a report written by :meth:`to_json` (validated by pydantic)."""
        return REPORT_ADAPTER.validate_json(text)


FINDING_ADAPTER: TypeAdapter[Finding] = TypeAdapter(Finding)
REPORT_ADAPTER: TypeAdapter[Report] = TypeAdapter(Report)
