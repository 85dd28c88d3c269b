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
from functools import cache
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from cprules.errors import SourceError

if TYPE_CHECKING:  # pydantic loads when a schema or a report read back needs it, not on import
    from pydantic import TypeAdapter, ValidationError

__all__ = ["BREACH_STATUSES", "REPORT_SCHEMA_VERSION", "Finding", "Report", "Severity", "Status"]

#: the version of the report JSON (``report_schema``); docs/versioning.md says what changes it
REPORT_SCHEMA_VERSION: Literal[1] = 1


class Status(StrEnum):
    """The outcome of one rule on one occurrence (docs/statuses.md)."""

    MET = "met"
    """Done, on time."""
    LATE = "late"
    """Done, after the due date (``working_days_late`` and ``calendar_days_late`` say by how much)."""
    OVERDUE = "overdue"
    """Not done, and the due date is before ``as_of``: still open and actionable today."""
    DUE = "due"
    """Not done yet, and the due date is ``as_of`` or later (``due`` says when)."""
    VIOLATED = "violated"
    """A condition that is not a deadline is broken (a plan ended too soon, a decision taken
    without a majority)."""
    MISSED = "missed"
    """Not done, and it can no longer be done: the window closed after the due date (the plan
    ended, the child turned 18 or moved away). ``working_days_late`` counts from ``due`` to the
    day the window closed and never grows again."""
    NOT_APPLICABLE = "not_applicable"
    """The rule's trigger never happened in this timeline, or its obligation lapsed before it
    fell due (the explanation says which): checked, nothing to do."""
    UNDETERMINED = "undetermined"
    """The timeline lacks a fact the rule needs, or the source does not record it (the
    explanation says which)."""

    def __str__(self) -> str:
        return self.value


class Severity(StrEnum):
    """How much a broken rule matters: a breach of procedure, a warning, or information."""

    BREACH = "breach"
    """The procedure was not followed; a breach that is late, overdue, missed or violated makes
    ``cprules check`` exit 1."""
    WARNING = "warning"
    """The source sets no firm limit ("immediately"): the pack picked one and says so."""
    INFO = "info"
    """Something to consider, not a requirement."""

    def __str__(self) -> str:
        return self.value


#: the statuses that say a rule was broken (``Finding.is_breach``, ``Report.breaches``)
BREACH_STATUSES: frozenset[Status] = frozenset({Status.LATE, Status.OVERDUE, Status.MISSED, Status.VIOLATED})


#: a finding's fields, in the order of its JSON (and of a findings CSV's columns)
FINDING_FIELDS = (
    "key",
    "rule_id",
    "title",
    "kind",
    "severity",
    "status",
    "due",
    "occurred_on",
    "working_days_late",
    "calendar_days_late",
    "trigger_event",
    "evidence_events",
    "citation",
    "explanation",
)


class _FindingSlots:
    """The storage of a :class:`Finding`: plain slots, set without a setter call each.

    A finding is built as one of these (plain attribute stores, the cheapest a Python object
    has) and then becomes a :class:`Finding` by a class assignment, which the identical layout
    allows. ``_rule_json`` holds the finding's rule part of its JSON when the engine made it.
    """

    __slots__ = (*FINDING_FIELDS, "_rule_json")

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
        rule_json: tuple[str, str] | None = None,
    ) -> None:
        self.key = key
        self.rule_id = rule_id
        self.title = title
        self.kind = kind
        self.severity = severity
        self.status = status
        self.due = due
        self.occurred_on = occurred_on
        self.working_days_late = working_days_late
        self.calendar_days_late = calendar_days_late
        self.trigger_event = trigger_event
        self.evidence_events = evidence_events
        self.citation = citation
        self.explanation = explanation
        self._rule_json = rule_json


@dataclass(init=False)
class Finding(_FindingSlots):
    """One rule's verdict on one occurrence in a case, with its citation and arithmetic.

    Immutable: setting or deleting a field raises ``dataclasses.FrozenInstanceError``. (A
    caseload makes millions of findings: one is built with plain attribute stores and then made
    a ``Finding``, which costs a third of a frozen dataclass's initialiser.)
    """

    __slots__ = ()
    #: pydantic's ``ConfigDict(use_attribute_docstrings=True)``, written as the dict it is
    __pydantic_config__: ClassVar[dict[str, Any]] = {"use_attribute_docstrings": True}

    key: str
    """Stable across runs, file orders and inserted events: rule id, trigger event id and
    occurrence (``first-core-group@ic#1``); what a case system stores a finding against."""
    rule_id: str
    """The rule's id in the pack (stable, kebab-case)."""
    title: str
    """The rule's title, in plain English."""
    kind: str
    """The rule's kind (``deadline``, ``interval``, ...)."""
    severity: Severity
    """How much a broken rule matters: ``breach``, ``warning`` or ``info``."""
    status: Status
    """The verdict (docs/statuses.md)."""
    due: date | None
    """The last day on which the expected event is on time (kinds deadline, interval,
    escalation, and window's closing day); other kinds leave it empty or give the boundary date
    they check, and say so in the explanation."""
    occurred_on: date | None
    """The day the expected event happened, when it did."""
    working_days_late: int | None
    """Working days from ``due`` to ``occurred_on`` (or to ``as_of`` when overdue): 0 when the
    event fell on a weekend or holiday straight after the due date."""
    calendar_days_late: int | None
    """Calendar days from ``due`` to ``occurred_on`` (or to ``as_of`` when overdue)."""
    trigger_event: str | None
    """The id of the event that started the clock (docs/case-format.md, "Event ids")."""
    evidence_events: tuple[str, ...]
    """The ids of the events the verdict rests on."""
    citation: str
    """The paragraph of the authority's procedure the rule comes from."""
    explanation: str
    """One or two plain sentences with the arithmetic, for a conference chair."""

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
        # the storage's plain stores, past the frozen __setattr__, then a Finding again
        cls = type(self)
        _set_class(self, "__class__", _FindingSlots)
        _FindingSlots.__init__(
            self,
            key,
            rule_id,
            title,
            kind,
            severity,
            status,
            due,
            occurred_on,
            working_days_late,
            calendar_days_late,
            trigger_event,
            evidence_events,
            citation,
            explanation,
        )
        self.__class__ = cls

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Finding, tuple([getattr(self, name) for name in FINDING_FIELDS]))

    def __hash__(self) -> int:
        return hash((self.key, self.status, self.due, self.occurred_on, self.explanation))

    @property
    def is_breach(self) -> bool:
        """True when the status is late, overdue, missed or violated (whatever the severity)."""
        return self.status in BREACH_STATUSES

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




_set_class = object.__setattr__


def make_finding(
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
    rule_json: tuple[str, str],
) -> Finding:
    """A :class:`Finding`, as the engine makes them: positional, with its rule's JSON made once.

    ``rule_json`` is :func:`rule_json` of the finding's rule fields (the engine keeps it per
    rule); :meth:`Report.to_json` then writes those fields without encoding them again.
    """
    made = _FindingSlots(
        key,
        rule_id,
        title,
        kind,
        severity,
        status,
        due,
        occurred_on,
        working_days_late,
        calendar_days_late,
        trigger_event,
        evidence_events,
        citation,
        explanation,
        rule_json,
    )
    made.__class__ = Finding
    return made  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Report:
    """Every finding for one case under one pack, as at one date, with provenance.

    >>> r = Report(case_id="A-1", pack_id="stoke", pack_version="2017.8",
    ...            pack_digest="sha256:0", engine_version={"cprules": "0.1.0"},
    ...            as_of=date(2024, 6, 1), findings=())
    >>> Report.from_json(r.to_json()) == r
    True
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"use_attribute_docstrings": True}

    case_id: str
    """The case's id, as the case gives it."""
    pack_id: str
    """The pack's id (``stoke``)."""
    pack_version: str
    """The pack's version (``2017.8``)."""
    pack_digest: str
    """``sha256:`` of the resolved pack: the same digest, the same rules."""
    engine_version: dict[str, str]
    """The versions of cprules and of the holidays package that made the report."""
    as_of: date
    """The date the report is as at: events after it are not seen."""
    findings: tuple[Finding, ...] = field(default=())
    """Every finding of every rule, rule by rule in pack order, each rule's by date."""
    report_schema: Literal[1] = REPORT_SCHEMA_VERSION
    """The version of the report format; docs/versioning.md says what changes it."""

    @property
    def breaches(self) -> list[Finding]:
        """Findings whose status is late, overdue, missed or violated, in report order."""
        return [f for f in self.findings if f.status in BREACH_STATUSES]

    @property
    def upcoming(self) -> list[Finding]:
        """Findings with status ``due``, soonest first."""
        due = [f for f in self.findings if f.status is Status.DUE]
        return sorted(due, key=lambda f: (f.due or date.max, f.key))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (the shape docs/report-format.md gives)."""
        return {
            "report_schema": self.report_schema,
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
            f'{{"report_schema": {self.report_schema}, '
            f'"case_id": {_string(self.case_id)}, "pack_id": {_string(self.pack_id)}, '
            f'"pack_version": {_string(self.pack_version)}, "pack_digest": {_string(self.pack_digest)}, '
            f'"engine_version": {json.dumps(dict(self.engine_version), ensure_ascii=False)}, '
            f'"as_of": "{self.as_of.isoformat()}", "findings": [{findings}]}}'
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Read a report written by :meth:`to_json`.

        Text that is not such a report raises :class:`~cprules.SourceError` naming the field
        (``findings[0].status``) and never its value; pydantic's own error is kept as its
        ``__cause__``. A report written before ``report_schema`` existed (cprules 0.1.0) reads
        as version 1; a later version than this cprules knows is refused, saying so.

        >>> from cprules.errors import SourceError
        >>> try:
        ...     Report.from_json('{"report_schema": 1, "case_id": "A-1"}')
        ... except SourceError as error:
        ...     print(error)
        not a report as Report.to_json writes it: pack_id: required field is missing (and 4 more problems)
        """
        if not isinstance(text, str | bytes | bytearray):
            raise TypeError(
                f"Report.from_json() argument 'text' must be str or bytes, not {type(text).__name__}"
            )
        from pydantic import ValidationError

        try:
            return report_adapter().validate_json(text)
        except ValidationError as exc:
            raise SourceError(_report_problem(exc)) from exc


#: a JSON string literal, other than ASCII kept as it is (``json.dumps(..., ensure_ascii=False)``)
_string: Callable[[str], str] = encode_basestring


def _finding_json(finding: Finding) -> str:
    """``json.dumps(finding.to_dict(), ensure_ascii=False)``, with the rule's part looked up."""
    parts = finding._rule_json
    if parts is None:
        parts = rule_json(finding.rule_id, finding.title, finding.kind, finding.severity, finding.citation)
    rule_part, citation_part = parts
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


def rule_json(rule_id: str, title: str, kind: str, severity: Severity, citation: str) -> tuple[str, str]:
    """The JSON of the fields a finding takes from its rule (the same for all its findings).

    Two parts: ``rule_id`` to ``severity`` (with a trailing ", "), and ``citation`` (with one).

    >>> rule_json("r", "T", "deadline", Severity.BREACH, "§2")[1]
    '"citation": "§2", '
    """
    return (
        f'"rule_id": {_string(rule_id)}, "title": {_string(title)}, "kind": {_string(kind)}, '
        f'"severity": {_string(severity.value)}, ',
        f'"citation": {_string(citation)}, ',
    )


def _report_problem(exc: ValidationError) -> str:
    """What is wrong with a report's text, by field path, never quoting a value."""
    problems = exc.errors(include_input=False, include_url=False, include_context=False)
    # a report of a later format fails on many fields: say why once, first
    first = next((p for p in problems if tuple(p["loc"]) == ("report_schema",)), problems[0])
    path = ""
    for part in first["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    kind = first["type"]
    if path == "report_schema" and kind == "literal_error":
        message = (
            f"a report format this cprules does not read (it reads report_schema "
            f"{REPORT_SCHEMA_VERSION}); upgrade cprules"
        )
    else:
        message = _REPORT_MESSAGES.get(kind, f"not valid here ({kind})")
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    where = f"{path}: " if path else ""
    return f"not a report as Report.to_json writes it: {where}{message}{tail}"


_REPORT_MESSAGES = {
    "json_invalid": "not valid JSON",
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "enum": "not one of the values the format allows",
    "literal_error": "not one of the values the format allows",
    "date_from_datetime_parsing": "not a valid date; write YYYY-MM-DD",
    "date_parsing": "not a valid date; write YYYY-MM-DD",
    "date_type": "not a date; write YYYY-MM-DD",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "int_from_float": "write a whole number",
    "string_type": "write text",
    "dict_type": "write a mapping of field: value",
    "dataclass_type": "write a mapping of field: value",
    "model_type": "write a mapping of field: value",
    "list_type": "write a list",
    "tuple_type": "write a list",
    "recursion_loop": "nested too deeply",
}


@cache
def finding_adapter() -> TypeAdapter[Finding]:
    """The pydantic adapter of :class:`Finding` (its JSON Schema), built when first asked for."""
    from pydantic import TypeAdapter

    return TypeAdapter(Finding)


@cache
def report_adapter() -> TypeAdapter[Report]:
    """The pydantic adapter of :class:`Report` (its JSON Schema, and reading reports back).

    Built when first asked for: building it costs ~40 ms, which ``import cprules`` need not pay.
    """
    from pydantic import TypeAdapter

    return TypeAdapter(Report)
