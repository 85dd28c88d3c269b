"""Per-rule compliance over a caseload: counts per status, % on time, working days late.

:class:`ComplianceSummary` is a pure accumulator: feed it every result of a run (a
:class:`~cprules.Report`, or the :class:`~cprules.CaseError` / :class:`~cprules.EvaluationError`
given for a case that could not be read or evaluated) and read the figures at the end. It keeps
counts and a histogram of lateness, never the findings, so memory stays flat however long the
run.

- **% on time** = met / (met + late + overdue), over every finding of the rule in the run, to
  one decimal place (2 met, 1 late: 66.7%). ``None`` when the rule had nothing due.
- **median / worst working days late** are over the findings that are ``late`` (done late) or
  ``overdue`` (not done, late so far as at the run's date): leaving out what was never done
  would make a caseload that never holds its meetings look punctual.

>>> from datetime import date
>>> from cprules.findings import Finding, Report, Severity, Status
>>> def finding(status, late=None):
...     return Finding(key=f"first-review@ic#1", rule_id="first-review", title="First review",
...                    kind="deadline", severity=Severity.BREACH, status=status, due=None,
...                    occurred_on=None, working_days_late=late, calendar_days_late=None,
...                    trigger_event="ic", evidence_events=(), citation="WT 2023",
...                    explanation="")
>>> summary = ComplianceSummary()
>>> for findings in ([finding(Status.MET)], [finding(Status.MET)], [finding(Status.LATE, 3)]):
...     summary.add(Report(case_id="A", pack_id="england", pack_version="1", pack_digest="",
...                        engine_version={}, as_of=date(2024, 6, 1), findings=tuple(findings)))
>>> tally = summary.rule("first-review")
>>> tally.percent_on_time, tally.median_working_days_late, tally.worst_working_days_late
(66.7, 3, 3)
>>> summary.cases, summary.cases_with_breach
(3, 1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cprules.engine import ReportText
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Finding, Report, Severity, Status

__all__ = ["STATUS_ORDER", "ComplianceSummary", "RuleTally", "percent"]

#: the order statuses are shown in, best first
STATUS_ORDER: tuple[Status, ...] = (
    Status.MET,
    Status.LATE,
    Status.OVERDUE,
    Status.DUE,
    Status.VIOLATED,
    Status.NOT_APPLICABLE,
    Status.UNDETERMINED,
)

_BREACH = frozenset({Status.LATE, Status.OVERDUE, Status.VIOLATED})
_STATUS = {status.value: status for status in Status}


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place; None when ``whole`` is 0.

    Rounds half up, as people do by hand (2 of 3 is 66.7, 1 of 8 is 12.5, 1 of 16 is 6.3).

    >>> percent(2, 3), percent(1, 16), percent(0, 0)
    (66.7, 6.3, None)
    """
    if whole <= 0:
        return None
    # integer arithmetic: float rounding would make 6.25 into 6.2
    tenths, remainder = divmod(part * 1000, whole)
    if remainder * 2 >= whole:
        tenths += 1
    return tenths / 10


@dataclass
class RuleTally:
    """One rule's figures over a run."""

    rule_id: str
    title: str = ""
    severity: str = ""
    counts: Counter[Status] = field(default_factory=Counter)
    #: working days late -> number of late or overdue findings that late
    lateness: Counter[int] = field(default_factory=Counter)

    def add(self, finding: Finding) -> None:
        """Count one finding of this rule."""
        if not self.title:
            self.title = finding.title
            self.severity = finding.severity.value
        self.count(finding.status, finding.working_days_late)

    def count(self, status: Status, working_days_late: int | None) -> None:
        """Count one finding of this rule from its status and lateness alone."""
        self.counts[status] += 1
        if status in (Status.LATE, Status.OVERDUE) and working_days_late is not None:
            self.lateness[working_days_late] += 1

    @property
    def findings(self) -> int:
        """Findings of this rule in the run, whatever their status."""
        return sum(self.counts.values())

    @property
    def percent_on_time(self) -> float | None:
        """met / (met + late + overdue), to one decimal place; None when nothing fell due."""
        met = self.counts[Status.MET]
        return percent(met, met + self.counts[Status.LATE] + self.counts[Status.OVERDUE])

    @property
    def median_working_days_late(self) -> float | int | None:
        """The median working days late of the late and overdue findings (None if none).

        Of an even number, the mean of the middle two (so it may end in .5).
        """
        total = sum(self.lateness.values())
        if total == 0:
            return None
        ordered = sorted(self.lateness.items())
        lower = _nth(ordered, (total - 1) // 2)
        upper = _nth(ordered, total // 2)
        middle = (lower + upper) / 2
        return int(middle) if middle.is_integer() else middle

    @property
    def worst_working_days_late(self) -> int | None:
        """The most working days late of any late or overdue finding (None if none)."""
        return max(self.lateness) if self.lateness else None

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "counts": {status.value: self.counts[status] for status in STATUS_ORDER},
            "percent_on_time": self.percent_on_time,
            "median_working_days_late": self.median_working_days_late,
            "worst_working_days_late": self.worst_working_days_late,
        }


def _nth(ordered: list[tuple[int, int]], index: int) -> int:
    """The ``index``-th value (0-based) of a sorted histogram of (value, count)."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)  # pragma: no cover - callers pass an index below the total


class ComplianceSummary:
    """Accumulates the results of a run into per-rule figures (pure; no I/O).

    ``rules`` (id, title, severity) fixes the order rules are listed in (the pack's order) and
    lists a rule even when no case reached it; rules met later are added after them.
    """

    def __init__(self, rules: Iterable[tuple[str, str, str]] = ()) -> None:
        self._rules: dict[str, RuleTally] = {
            rule_id: RuleTally(rule_id, title, severity) for rule_id, title, severity in rules
        }
        self.cases = 0
        """Every result added: one per input case."""
        self.reports = 0
        """Cases evaluated."""
        self.case_errors = 0
        """Cases that could not be read."""
        self.evaluation_errors = 0
        """Cases on which a rule failed."""
        self.cases_with_breach = 0
        """Cases with at least one finding of severity breach that is late, overdue or violated."""

    def add(self, result: Report | ReportText | CaseError | EvaluationError) -> None:
        """Count one case's result."""
        self.cases += 1
        if isinstance(result, ReportText):
            self.reports += 1
            breach = False
            for rule_id, severity, status_value, working_days_late in result.findings:
                tally = self._rules.get(rule_id)
                if tally is None:
                    tally = self._rules[rule_id] = RuleTally(rule_id, severity=severity)
                status = _STATUS[status_value]
                tally.count(status, working_days_late)
                if severity == "breach" and status in _BREACH:
                    breach = True
            self.cases_with_breach += breach
        elif isinstance(result, Report):
            self.reports += 1
            breach = False
            for finding in result.findings:
                tally = self._rules.get(finding.rule_id)
                if tally is None:
                    tally = self._rules[finding.rule_id] = RuleTally(finding.rule_id)
                tally.add(finding)
                if finding.severity is Severity.BREACH and finding.status in _BREACH:
                    breach = True
            self.cases_with_breach += breach
        elif isinstance(result, EvaluationError):
            self.evaluation_errors += 1
        else:
            self.case_errors += 1

    @property
    def rules(self) -> list[RuleTally]:
        """Every rule's tally, in pack order."""
        return list(self._rules.values())

    def rule(self, rule_id: str) -> RuleTally:
        """One rule's tally (KeyError when the run never saw it)."""
        return self._rules[rule_id]

    def to_dict(self) -> dict[str, Any]:
        """The whole summary as JSON-ready values."""
        return {
            "cases": self.cases,
            "reports": self.reports,
            "case_errors": self.case_errors,
            "evaluation_errors": self.evaluation_errors,
            "cases_with_breach": self.cases_with_breach,
            "rules": [tally.to_dict() for tally in self._rules.values()],
        }
