"""Per-rule compliance over a caseload: counts per status, % on time, % compliant, lateness.

:class:`ComplianceSummary` is a pure accumulator: feed it every result of a run (a
:class:`~cprules.Report`, or the :class:`~cprules.CaseError` / :class:`~cprules.EvaluationError`
given for a case that could not be read or evaluated) and read the figures at the end. It keeps
counts, a histogram of lateness and a bounded list of the longest-overdue findings, never the
findings themselves, so memory stays flat however long the run (SPEC §8).

- **% on time** = met / (met + late + overdue + missed): of the things that fell due, the share
  done on time. ``None`` when nothing of the rule fell due.
- **% compliant** = met / (met + late + overdue + missed + violated): a broken condition (a plan
  ended too soon) counts against the rule, so a rule whose every finding is ``violated`` is 0.0%
  compliant, not "100% on time".
- Both over every finding of the rule in the run, whatever its year, to one decimal place,
  rounded half up (2 of 3 is 66.7%).
- **median / worst working days late** are over the findings that are ``late`` (done late),
  ``overdue`` (not done, late so far as at the run's date) or ``missed`` (never done, lateness
  frozen when the window closed): leaving out what was never done would make a caseload that
  never holds its meetings look punctual.
- **Worst first** (:attr:`ComplianceSummary.ranked`): the lowest % compliant first; among equals
  the most breaches (late + overdue + missed + violated); then the pack's order. Rules with
  nothing that fell due (no % compliant) come last.

Status values are read as text (``"met"``, ``"missed"``), so a status the engine adds later is
counted as soon as it appears.

>>> from datetime import date
>>> from cprules.findings import Finding, Report, Severity, Status
>>> def finding(status, late=None):
...     return Finding(key=f"first-review@ic#1", rule_id="first-review", title="First review",
...                    kind="deadline", severity=Severity.BREACH, status=status, due=None,
...                    occurred_on=None, working_days_late=late, calendar_days_late=None,
...                    trigger_event="ic", evidence_events=(), citation="WT 2023",
...                    explanation="")
>>> summary = ComplianceSummary()
>>> for status, late in ((Status.MET, None), (Status.MET, None), (Status.LATE, 3),
...                      (Status.VIOLATED, None)):
...     summary.add(Report(case_id="A", pack_id="england", pack_version="1", pack_digest="",
...                        engine_version={}, as_of=date(2024, 6, 1),
...                        findings=(finding(status, late),)))
>>> tally = summary.rule("first-review")
>>> tally.percent_on_time, tally.percent_compliant, tally.worst_working_days_late
(66.7, 50.0, 3)
>>> summary.cases, summary.cases_with_breach
(4, 2)
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cprules.engine import ENGINE_VERSION, ReportText
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Finding, Report

if TYPE_CHECKING:
    from cprules.case import Case
    from cprules.dfe import DepartmentFigures
    from cprules.pack.loader import Pack

__all__ = [
    "BREACH_STATUSES",
    "DEFINITIONS",
    "DROP_ORDER",
    "LATENESS_BANDS",
    "RULE_FOR_FIGURE",
    "STATUS_ORDER",
    "SUMMARY_SCHEMA_VERSION",
    "ComplianceSummary",
    "OverdueItem",
    "RuleTally",
    "percent",
    "summary_json_schema",
]

#: the version of :meth:`ComplianceSummary.to_dict`'s shape; a change that renames or removes a
#: field, or changes what one means, raises it (adding a field does not)
SUMMARY_SCHEMA_VERSION = 1

#: every status value, in the order they are shown: done, not done, condition, open, unknown
STATUS_ORDER: tuple[str, ...] = (
    "met",
    "late",
    "overdue",
    "missed",
    "violated",
    "due",
    "not_applicable",
    "undetermined",
)

#: statuses that break a rule (SPEC §3 ``report.breaches``)
BREACH_STATUSES: frozenset[str] = frozenset({"late", "overdue", "missed", "violated"})
#: statuses that carry working days late
_LATE_STATUSES: frozenset[str] = frozenset({"late", "overdue", "missed"})
_ON_TIME_DENOMINATOR = ("met", "late", "overdue", "missed")
_COMPLIANT_DENOMINATOR = ("met", "late", "overdue", "missed", "violated")

#: the definitions every rendering of a summary states beside its figures
DEFINITIONS: Mapping[str, str] = {
    "percent_on_time": "met / (met + late + overdue + missed), over every finding of the rule in the run",
    "percent_compliant": (
        "met / (met + late + overdue + missed + violated), over every finding of the rule in the run"
    ),
    "working_days_late": (
        "over the findings that are late (done late), overdue (not done; late so far as at the "
        "run's date) or missed (never done; frozen when the window closed)"
    ),
    "worst_first": (
        "the lowest % compliant first; among equals the most breaches (late + overdue + missed + "
        "violated); then the pack's order; rules with nothing due last"
    ),
    "overdue": "not done, due before the run's date and still open: what to act on now, oldest first",
}

#: bands of working days late for a distribution at a glance (label, lowest, highest or None)
LATENESS_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2–5", 2, 5),
    ("6–10", 6, 10),
    ("11–20", 11, 20),
    ("21–60", 21, 60),
    ("61+", 61, None),
)

#: the Department's figures that answer a question one of the bundled rules also answers
RULE_FOR_FIGURE: Mapping[str, str] = {
    "icpc_within_15_working_days": "icpc-timescale",
    "first_reviews_within_3_months": "first-review",
    "later_reviews_within_6_months": "review-interval",
}


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


def _value(status: object) -> str:
    """A status as its text value, whether given as a :class:`~cprules.Status` or as text."""
    value = getattr(status, "value", status)
    return value if isinstance(value, str) else str(value)


@dataclass
class RuleTally:
    """One rule's figures over a run."""

    rule_id: str
    title: str = ""
    severity: str = ""
    citation: str = ""
    #: status value -> number of findings (every status counts, including ones added later)
    counts: Counter[str] = field(default_factory=Counter)
    #: working days late -> number of late, overdue or missed findings that late
    lateness: Counter[int] = field(default_factory=Counter)
    #: the rule's place in the pack (ties in the ranking keep it)
    position: int = 0

    def add(self, finding: Finding) -> None:
        """Count one finding of this rule."""
        if not self.title:
            self.title = finding.title
        if not self.severity:
            self.severity = _value(finding.severity)
        if not self.citation:
            self.citation = finding.citation
        self.count(finding.status, finding.working_days_late)

    def count(self, status: object, working_days_late: int | None) -> None:
        """Count one finding of this rule from its status (value or enum) and lateness alone."""
        value = _value(status)
        self.counts[value] += 1
        if value in _LATE_STATUSES and working_days_late is not None:
            self.lateness[working_days_late] += 1

    @property
    def findings(self) -> int:
        """Findings of this rule in the run, whatever their status."""
        return sum(self.counts.values())

    @property
    def breaches(self) -> int:
        """Findings that broke the rule: late, overdue, missed or violated."""
        return sum(self.counts[status] for status in BREACH_STATUSES)

    @property
    def on_time_denominator(self) -> int:
        """met + late + overdue + missed: the findings that fell due."""
        return sum(self.counts[status] for status in _ON_TIME_DENOMINATOR)

    @property
    def compliant_denominator(self) -> int:
        """met + late + overdue + missed + violated: the findings that were judged."""
        return sum(self.counts[status] for status in _COMPLIANT_DENOMINATOR)

    @property
    def percent_on_time(self) -> float | None:
        """met / (met + late + overdue + missed), to one decimal place; None when nothing fell due."""
        return percent(self.counts["met"], self.on_time_denominator)

    @property
    def percent_compliant(self) -> float | None:
        """met / (met + late + overdue + missed + violated), to one decimal; None when nothing was judged."""
        return percent(self.counts["met"], self.compliant_denominator)

    @property
    def median_working_days_late(self) -> float | int | None:
        """The median working days late of the late, overdue and missed findings (None if none).

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
        """The most working days late of any late, overdue or missed finding (None if none)."""
        return max(self.lateness) if self.lateness else None

    def lateness_bands(self) -> list[tuple[str, int]]:
        """The late, overdue and missed findings per band of :data:`LATENESS_BANDS`."""
        bands = []
        for label, low, high in LATENESS_BANDS:
            count = sum(
                n for days, n in self.lateness.items() if days >= low and (high is None or days <= high)
            )
            bands.append((label, count))
        return bands

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values (every status present, 0 when none)."""
        statuses = [*STATUS_ORDER, *sorted(set(self.counts) - set(STATUS_ORDER))]
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "citation": self.citation,
            "findings": self.findings,
            "counts": {status: self.counts[status] for status in statuses},
            "breaches": self.breaches,
            "on_time_denominator": self.on_time_denominator,
            "percent_on_time": self.percent_on_time,
            "compliant_denominator": self.compliant_denominator,
            "percent_compliant": self.percent_compliant,
            "working_days_late": {
                "findings": sum(self.lateness.values()),
                "median": self.median_working_days_late,
                "worst": self.worst_working_days_late,
                "bands": [
                    {"band": label, "from": low, "to": high, "findings": count}
                    for (label, low, high), (_, count) in zip(
                        LATENESS_BANDS, self.lateness_bands(), strict=True
                    )
                ],
                "histogram": [
                    {"working_days_late": days, "findings": count}
                    for days, count in sorted(self.lateness.items())
                ],
            },
        }


def _nth(ordered: list[tuple[int, int]], index: int) -> int:
    """The ``index``-th value (0-based) of a sorted histogram of (value, count)."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)  # pragma: no cover - callers pass an index below the total


@dataclass(frozen=True, slots=True, order=True)
class OverdueItem:
    """One overdue finding on the list of what to act on now (ordered by due date)."""

    due: date
    case_id: str
    key: str
    rule_id: str
    title: str
    working_days_late: int | None

    def to_dict(self) -> dict[str, Any]:
        """The item as JSON-ready values."""
        return {
            "due": self.due.isoformat(),
            "case_id": self.case_id,
            "key": self.key,
            "rule_id": self.rule_id,
            "title": self.title,
            "working_days_late": self.working_days_late,
        }


RuleEntry = tuple[str, str, str] | tuple[str, str, str, str]
"""(id, title, severity) or (id, title, severity, citation) of a rule, in the pack's order."""


class ComplianceSummary:
    """Accumulates the results of a run into per-rule figures (pure; no I/O).

    ``rules`` fixes the pack's order and lists a rule even when no case reached it; rules met
    later are added after them. :meth:`for_pack` fills the rules and the provenance from a pack.
    ``department`` (a :class:`~cprules.dfe.DepartmentFigures`) adds the Department's figures:
    give it each case with :meth:`add_case`. ``overdue_limit`` bounds the overdue list (the
    longest-overdue are kept; :attr:`overdue_total` counts them all).

    >>> import cprules
    >>> from datetime import date
    >>> pack = cprules.load_pack("england")
    >>> summary = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1))
    >>> case = cprules.parse_case({"case_id": "A", "events": [
    ...     {"type": "strategy_discussion", "date": "2024-05-06", "s47": True}]})
    >>> summary.add(cprules.evaluate(case, pack, as_of=date(2024, 6, 1)))
    >>> [(item.case_id, item.rule_id, str(item.due)) for item in summary.overdue]
    [('A', 'icpc-timescale', '2024-05-28')]
    >>> summary.ranked[0].rule_id, summary.ranked[0].percent_compliant
    ('icpc-timescale', 0.0)
    """

    def __init__(
        self,
        rules: Iterable[RuleEntry] = (),
        *,
        pack_id: str | None = None,
        pack_version: str | None = None,
        pack_title: str | None = None,
        pack_digest: str | None = None,
        as_of: date | None = None,
        department: DepartmentFigures | None = None,
        overdue_limit: int = 1000,
    ) -> None:
        if isinstance(rules, (str, bytes)) or not isinstance(rules, Iterable):
            raise TypeError(
                "ComplianceSummary() argument 'rules' must be an iterable of "
                f"(rule id, title, severity[, citation]) tuples, not {type(rules).__name__}"
            )
        if not isinstance(overdue_limit, int) or isinstance(overdue_limit, bool) or overdue_limit < 0:
            raise TypeError(
                "ComplianceSummary() argument 'overdue_limit' must be a whole number of 0 or more"
            )
        if as_of is not None and (not isinstance(as_of, date) or isinstance(as_of, datetime)):
            raise TypeError(
                f"ComplianceSummary() argument 'as_of' must be a datetime.date, not {type(as_of).__name__}"
            )
        self._rules: dict[str, RuleTally] = {}
        for entry in rules:
            if (
                not isinstance(entry, (tuple, list))
                or not 3 <= len(entry) <= 4
                or not all(isinstance(part, str) for part in entry)
            ):
                raise TypeError(
                    "ComplianceSummary() argument 'rules' must hold (rule id, title, severity[, citation]) "
                    "tuples of text"
                )
            rule_id, title, severity = entry[0], entry[1], entry[2]
            citation = entry[3] if len(entry) > 3 else ""
            self._rules[rule_id] = RuleTally(rule_id, title, severity, citation, position=len(self._rules))
        self.pack_id = pack_id
        self.pack_version = pack_version
        self.pack_title = pack_title
        self.pack_digest = pack_digest
        self.as_of = as_of
        self.department = department
        """The Department's figures for the reporting year, when asked for."""
        self.overdue_limit = overdue_limit
        self.cases = 0
        """Every result added: one per input case."""
        self.reports = 0
        """Cases evaluated."""
        self.case_errors = 0
        """Cases that could not be read."""
        self.evaluation_errors = 0
        """Cases on which a rule failed."""
        self.cases_with_breach = 0
        """Cases with a finding of severity breach that is late, overdue, missed or violated."""
        self.overdue_total = 0
        """Overdue findings in the run (the list keeps the ``overdue_limit`` oldest)."""
        self._overdue: list[OverdueItem] = []

    @classmethod
    def for_pack(
        cls,
        pack: Pack,
        *,
        as_of: date,
        department_year: int | None = None,
        overdue_limit: int = 1000,
    ) -> ComplianceSummary:
        """A summary for a run of ``pack`` as at ``as_of``; with ``department_year`` the
        Department's figures for the year to 31 March of that year (feed :meth:`add_case`)."""
        from cprules.pack.loader import Pack

        if not isinstance(pack, Pack):
            hint = " (load it first: cprules.load_pack(name))" if isinstance(pack, str) else ""
            raise TypeError(
                f"ComplianceSummary.for_pack() argument 'pack' must be a Pack{hint}, "
                f"not {type(pack).__name__}"
            )
        if department_year is not None and (
            not isinstance(department_year, int) or isinstance(department_year, bool)
        ):
            raise TypeError(
                "ComplianceSummary.for_pack() argument 'department_year' must be a year (int) or None"
            )
        department = None
        if department_year is not None:
            from cprules.dfe import DepartmentFigures

            department = DepartmentFigures(department_year, pack.calendar)
        return cls(
            ((rule.id, rule.title, rule.severity, rule.citation) for rule in pack.rules),
            pack_id=pack.id,
            pack_version=pack.version,
            pack_title=pack.title,
            pack_digest=pack.digest,
            as_of=as_of,
            department=department,
            overdue_limit=overdue_limit,
        )

    # -- accumulating ----------------------------------------------------------------------

    def add_case(self, case: Case) -> None:
        """Count one case's timeline into the Department's figures (when the summary has them)."""
        from cprules.case import Case

        if not isinstance(case, Case):
            raise TypeError(
                f"ComplianceSummary.add_case() argument 'case' must be a Case, not {type(case).__name__}"
            )
        if self.department is not None:
            self.department.add(case)

    def add(self, result: Report | ReportText | CaseError | EvaluationError) -> None:
        """Count one case's result."""
        if not isinstance(result, (Report, ReportText, CaseError, EvaluationError)):
            raise TypeError(
                "ComplianceSummary.add() argument 'result' must be a Report, a ReportText, a CaseError "
                f"or an EvaluationError, not {type(result).__name__}"
            )
        self.cases += 1
        if isinstance(result, ReportText):
            self.reports += 1
            breach = overdue = False
            for rule_id, severity, status_value, working_days_late in result.findings:
                tally = self._tally(rule_id)
                if not tally.severity:
                    tally.severity = severity
                tally.count(status_value, working_days_late)
                if status_value in BREACH_STATUSES and severity == "breach":
                    breach = True
                if status_value == "overdue":
                    overdue = True
            self.cases_with_breach += breach
            if overdue:
                # the text carries what the overdue list needs; read it only for these cases
                for item in json.loads(result.json)["findings"]:
                    if item["status"] == "overdue":
                        self._add_overdue(
                            result.case_id,
                            item["key"],
                            item["rule_id"],
                            item["title"],
                            date.fromisoformat(item["due"]),
                            item["working_days_late"],
                        )
        elif isinstance(result, Report):
            self.reports += 1
            breach = False
            for finding in result.findings:
                tally = self._tally(finding.rule_id)
                tally.add(finding)
                status = _value(finding.status)
                if status in BREACH_STATUSES and _value(finding.severity) == "breach":
                    breach = True
                if status == "overdue" and finding.due is not None:
                    self._add_overdue(
                        result.case_id,
                        finding.key,
                        finding.rule_id,
                        finding.title,
                        finding.due,
                        finding.working_days_late,
                    )
            self.cases_with_breach += breach
        elif isinstance(result, EvaluationError):
            self.evaluation_errors += 1
        else:
            self.case_errors += 1

    def merge(self, other: ComplianceSummary) -> None:
        """Add the counts of ``other`` (a summary of other cases, under the same pack and date) to
        this one: summaries built in parallel, or per team, make the whole caseload's.

        >>> a, b = ComplianceSummary([("r", "R", "breach")]), ComplianceSummary([("r", "R", "breach")])
        >>> a.add(CaseError("unreadable", case_id="X")); b.add(CaseError("unreadable", case_id="Y"))
        >>> a.merge(b); a.cases, a.case_errors
        (2, 2)
        """
        if not isinstance(other, ComplianceSummary):
            raise TypeError(
                "ComplianceSummary.merge() argument 'other' must be a ComplianceSummary, "
                f"not {type(other).__name__}"
            )
        if other.pack_id is not None and self.pack_id is not None and other.pack_id != self.pack_id:
            raise ValueError(
                "ComplianceSummary.merge(): the summaries are of different packs; merge only one pack's"
            )
        if other.as_of is not None and self.as_of is not None and other.as_of != self.as_of:
            raise ValueError("ComplianceSummary.merge(): the summaries are as at different dates")
        for tally in other._rules.values():
            mine = self._tally(tally.rule_id)
            mine.title = mine.title or tally.title
            mine.severity = mine.severity or tally.severity
            mine.citation = mine.citation or tally.citation
            mine.counts.update(tally.counts)
            mine.lateness.update(tally.lateness)
        self.cases += other.cases
        self.reports += other.reports
        self.case_errors += other.case_errors
        self.evaluation_errors += other.evaluation_errors
        self.cases_with_breach += other.cases_with_breach
        self.overdue_total += other.overdue_total
        if self.overdue_limit > 0:
            self._overdue = sorted([*self._overdue, *other._overdue])[: self.overdue_limit]
        if self.department is not None and other.department is not None:
            self.department.merge(other.department)

    def _tally(self, rule_id: str) -> RuleTally:
        tally = self._rules.get(rule_id)
        if tally is None:
            tally = self._rules[rule_id] = RuleTally(rule_id, position=len(self._rules))
        return tally

    def _add_overdue(
        self, case_id: str, key: str, rule_id: str, title: str, due: date, working_days_late: int | None
    ) -> None:
        self.overdue_total += 1
        if self.overdue_limit <= 0:
            return
        self._overdue.append(OverdueItem(due, case_id, key, rule_id, title, working_days_late))
        if len(self._overdue) >= 2 * self.overdue_limit:
            # keep the oldest: a total order (due, case, key), so what is kept never depends on
            # the order cases arrived in
            self._overdue.sort()
            del self._overdue[self.overdue_limit :]

    # -- reading ---------------------------------------------------------------------------

    @property
    def rules(self) -> list[RuleTally]:
        """Every rule's tally, in pack order."""
        return list(self._rules.values())

    def rule(self, rule_id: str) -> RuleTally:
        """One rule's tally (KeyError when the run never saw it)."""
        return self._rules[rule_id]

    @property
    def ranked(self) -> list[RuleTally]:
        """Every rule's tally, worst first: lowest % compliant, then most breaches, then pack
        order; rules with nothing due (no % compliant) last, in pack order."""

        def worst(tally: RuleTally) -> tuple[bool, float, int, int]:
            compliant = tally.percent_compliant
            return (compliant is None, compliant or 0.0, -tally.breaches, tally.position)

        return sorted(self._rules.values(), key=worst)

    @property
    def overdue(self) -> list[OverdueItem]:
        """The oldest overdue findings (at most ``overdue_limit``), by due date, then case and key."""
        return sorted(self._overdue)[: max(self.overdue_limit, 0)]

    def comparisons(self) -> list[tuple[RuleTally, str, dict[str, Any]]]:
        """Each rule of the run that answers the question of one of the Department's figures:
        (the rule's tally, the figure's key, the figure as :meth:`DepartmentFigures.to_dict`
        gives it). Empty without the Department's figures."""
        if self.department is None:
            return []
        figures = self.department.to_dict()["figures"]
        pairs = []
        for key, rule_id in RULE_FOR_FIGURE.items():
            if rule_id in self._rules and key in figures:
                pairs.append((self._rules[rule_id], key, figures[key]))
        return pairs

    def comparison_sentence(self, tally: RuleTally, figure: Mapping[str, Any]) -> str:
        """One sentence saying what the rule's figure and the Department's counts, so a reader
        sees why two figures for one question differ."""
        assert self.department is not None
        department = self.department
        ours = _percent_text(tally.percent_on_time)
        theirs = _percent_text(figure["percent"])
        return (
            f"{tally.rule_id} ({ours} on time) counts every deadline of the rule in this run, of "
            "any year, and counts those overdue or missed as not on time; the Department's "
            f'"{figure["title"]}" ({theirs}) counts only those held from '
            f"{_long_date(department.first_day)} to {_long_date(department.last_day)}."
        )

    def to_dict(self) -> dict[str, Any]:
        """The whole summary as JSON-ready values: the shape ``--summary-json`` writes.

        Stable and versioned (``schema_version``, :data:`SUMMARY_SCHEMA_VERSION`): every rule's
        counts name every status, with 0 when none; percentages are numbers to one decimal
        place, or null when their denominator is 0; rules are listed worst first with their
        ``rank``. :func:`summary_json_schema` gives the JSON Schema.
        """
        ranked = self.ranked
        department: dict[str, Any] | None = None
        if self.department is not None:
            data = self.department.to_dict()
            compared = {key: rule_id for key, rule_id in RULE_FOR_FIGURE.items() if rule_id in self._rules}
            department = {
                "year": data["year"],
                "from": data["from"],
                "to": data["to"],
                "cases": data["cases"],
                "figures": [
                    {"key": key, **figure, "same_question_as_rule": compared.get(key)}
                    for key, figure in data["figures"].items()
                ],
            }
        return {
            "schema": "cprules-compliance-summary",
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "engine_version": dict(ENGINE_VERSION),
            "pack": {
                "id": self.pack_id,
                "version": self.pack_version,
                "title": self.pack_title,
                "digest": self.pack_digest,
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "definitions": dict(DEFINITIONS),
            "cases": self.cases,
            "reports": self.reports,
            "case_errors": self.case_errors,
            "evaluation_errors": self.evaluation_errors,
            "cases_with_breach": self.cases_with_breach,
            "rules": [{"rank": rank, **tally.to_dict()} for rank, tally in enumerate(ranked, start=1)],
            "department": department,
            "overdue": {
                "total": self.overdue_total,
                "limit": self.overdue_limit,
                "items": [item.to_dict() for item in self.overdue],
            },
        }

    # -- text ------------------------------------------------------------------------------

    def table_lines(self, width: int = 120) -> list[str]:
        """The per-rule table as lines of text at most ``width`` wide (when a rule id or a
        number alone is not wider), worst first, with the definitions below.

        Numbers are never cut and rule ids never broken. When the table is too wide, columns
        are left out in :data:`DROP_ORDER` (said below the table), except that a rule id too
        long for its column goes on a line of its own (its figures on the next) before
        ``worst`` or ``met`` goes; when even the percentages and the breaches do not fit, each
        rule becomes a short paragraph of ``label value`` pairs. No line ends in a space.

        >>> summary = ComplianceSummary([("first-review", "First review", "breach")])
        >>> summary.add(CaseError("unreadable", case_id="X"))
        >>> print("\\n".join(summary.table_lines(80)[:2]))
        rule          compliant  on time  met  late  overdue  median  worst
        first-review          —        —    0     0        0       —      —
        """
        return _table_lines(self, max(width, 20))

    def comparison_lines(self, width: int = 120) -> list[str]:
        """For each rule that answers one of the Department's questions, a sentence (wrapped to
        ``width``) saying what each figure counts. Empty without the Department's figures."""
        lines = []
        for tally, _, figure in self.comparisons():
            lines.extend(_wrap(self.comparison_sentence(tally, figure), width))
        return lines

    def department_lines(self, width: int = 120) -> list[str]:
        """The Department's figures as lines of text wrapped to ``width`` (never inside a
        number), then the comparison sentences. Empty without the Department's figures."""
        if self.department is None:
            return []
        lines: list[str] = []
        for number, line in enumerate(self.department.lines()):
            lines.extend(_wrap(line, width, indent="" if number == 0 else "  "))
        lines.extend(self.comparison_lines(width))
        return lines


def _percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _wrap(text: str, width: int, *, indent: str = "") -> list[str]:
    """``text`` wrapped at spaces only: a word, a number or an id is never broken."""
    return [
        line.rstrip()
        for line in textwrap.wrap(
            text,
            width=max(width, 20),
            subsequent_indent=indent + "  " if indent else "  ",
            initial_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    ] or [""]


# -- the text table -----------------------------------------------------------------------------

#: the columns of the text table after the rule id: (header, what it shows)
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("compliant", "percent_compliant"),
    ("on time", "percent_on_time"),
    ("met", "met"),
    ("late", "late"),
    ("overdue", "overdue"),
    ("missed", "missed"),
    ("violated", "violated"),
    ("due", "due"),
    ("n/a", "not_applicable"),
    ("undet.", "undetermined"),
    ("median", "median"),
    ("worst", "worst"),
)

#: the columns a narrow table leaves out, first to last (the breaches and both percentages stay);
#: before ``worst`` or ``met`` go, rule ids longer than :data:`_SHORT_ID` take a line of their own
DROP_ORDER: tuple[str, ...] = ("undet.", "n/a", "due", "median", "worst", "met")
_LOW_VALUE = frozenset({"undet.", "n/a", "due", "median"})
_SHORT_ID = 16

_GAP = "  "


def _cell(tally: RuleTally, what: str) -> str:
    if what == "percent_compliant":
        return _percent_text(tally.percent_compliant)
    if what == "percent_on_time":
        return _percent_text(tally.percent_on_time)
    if what == "median":
        median = tally.median_working_days_late
        return "—" if median is None else (f"{median:,}" if isinstance(median, int) else f"{median:,.1f}")
    if what == "worst":
        worst = tally.worst_working_days_late
        return "—" if worst is None else f"{worst:,}"
    return f"{tally.counts[what]:,}"


def _table_lines(summary: ComplianceSummary, width: int) -> list[str]:
    ranked = summary.ranked
    # a status column that no rule has is left out (missed before the engine reports it, say);
    # met, late and overdue always stay, and so do the percentages and lateness
    always = {"percent_compliant", "percent_on_time", "met", "late", "overdue", "median", "worst"}
    columns = [
        (header, what)
        for header, what in _COLUMNS
        if what in always or any(tally.counts[what] for tally in ranked)
    ]
    cells = {what: [_cell(tally, what) for tally in ranked] for _, what in columns}
    widths = {what: max([len(header), *(len(c) for c in cells[what])]) for header, what in columns}
    ids = [tally.rule_id for tally in ranked]
    id_width = max([len("rule"), *(len(i) for i in ids)])

    def figures_width(shown: list[tuple[str, str]]) -> int:
        return sum(len(_GAP) + widths[what] for _, what in shown)

    dropped: list[str] = []
    shown = list(columns)
    for header in DROP_ORDER:
        if id_width + figures_width(shown) <= width:
            break
        if header not in _LOW_VALUE and _SHORT_ID + figures_width(shown) <= width:
            break  # long ids take a line of their own before a useful column goes
        if any(h == header for h, _ in shown):
            shown = [(h, w) for h, w in shown if h != header]
            dropped.append(header)
    lines: list[str] = []
    column = min(id_width, width - figures_width(shown))
    if column >= len("rule"):
        head = "rule".ljust(column) + "".join(_GAP + h.rjust(widths[w]) for h, w in shown)
        lines.append(head.rstrip())
        for position, tally in enumerate(ranked):
            row = "".join(_GAP + cells[w][position].rjust(widths[w]) for _, w in shown)
            if len(tally.rule_id) > column:
                lines.append(tally.rule_id)  # an id on its own line, never broken
                lines.append((" " * column + row).rstrip())
            else:
                lines.append((tally.rule_id.ljust(column) + row).rstrip())
    else:
        # too narrow for any table: each rule as a paragraph of "label value" pairs
        dropped = []
        for position, tally in enumerate(ranked):
            lines.append(tally.rule_id)
            pairs = [f"{h}\u00a0{cells[w][position]}" for h, w in columns]
            for line in _wrap(" ".join(pairs), width - 2, indent="  "):
                lines.append(line.replace("\u00a0", " "))
    if dropped:
        lines.extend(
            _wrap(
                f"Left out at this width: {', '.join(dropped)} (columns go in the order "
                f"{', '.join(DROP_ORDER)}; a wider terminal shows them).",
                width,
            )
        )
    lines.extend(
        _wrap(
            "compliant = met / (met + late + overdue + missed + violated); "
            "on time = met / (met + late + overdue + missed); over every finding of the run. "
            "median and worst: working days late of the late, overdue and missed findings. "
            "Worst first: lowest % compliant, then most breaches.",
            width,
        )
    )
    return lines


# -- the JSON Schema of to_dict() -----------------------------------------------------------------


def summary_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`ComplianceSummary.to_dict` (``--summary-json``).

    >>> summary_json_schema()["properties"]["schema_version"]["const"]
    1
    """
    count = {"type": "integer", "minimum": 0}
    share = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
    nullable_text = {"type": ["string", "null"]}
    statuses = {status: count for status in STATUS_ORDER}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://cprules.invalid/schemas/compliance-summary-1.json",
        "title": "cprules compliance summary",
        "description": (
            "Per-rule compliance over one run of cprules batch, worst first, with the "
            "Department's figures for the reporting year and the oldest overdue findings."
        ),
        "type": "object",
        "required": [
            "schema",
            "schema_version",
            "engine_version",
            "pack",
            "as_of",
            "definitions",
            "cases",
            "reports",
            "case_errors",
            "evaluation_errors",
            "cases_with_breach",
            "rules",
            "department",
            "overdue",
        ],
        "properties": {
            "schema": {"const": "cprules-compliance-summary"},
            "schema_version": {"const": SUMMARY_SCHEMA_VERSION},
            "engine_version": {"type": "object", "additionalProperties": {"type": "string"}},
            "pack": {
                "type": "object",
                "required": ["id", "version", "title", "digest"],
                "properties": {k: nullable_text for k in ("id", "version", "title", "digest")},
            },
            "as_of": {"type": ["string", "null"], "format": "date"},
            "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
            "cases": count,
            "reports": count,
            "case_errors": count,
            "evaluation_errors": count,
            "cases_with_breach": count,
            "rules": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "rank",
                        "rule_id",
                        "title",
                        "severity",
                        "citation",
                        "findings",
                        "counts",
                        "breaches",
                        "on_time_denominator",
                        "percent_on_time",
                        "compliant_denominator",
                        "percent_compliant",
                        "working_days_late",
                    ],
                    "properties": {
                        "rank": {"type": "integer", "minimum": 1},
                        "rule_id": {"type": "string"},
                        "title": {"type": "string"},
                        "severity": {"type": "string"},
                        "citation": {"type": "string"},
                        "findings": count,
                        "counts": {
                            "type": "object",
                            "required": list(STATUS_ORDER),
                            "properties": statuses,
                            "additionalProperties": count,
                        },
                        "breaches": count,
                        "on_time_denominator": count,
                        "percent_on_time": share,
                        "compliant_denominator": count,
                        "percent_compliant": share,
                        "working_days_late": {
                            "type": "object",
                            "required": ["findings", "median", "worst", "bands", "histogram"],
                            "properties": {
                                "findings": count,
                                "median": {"type": ["number", "null"]},
                                "worst": {"type": ["integer", "null"]},
                                "bands": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["band", "from", "to", "findings"],
                                        "properties": {
                                            "band": {"type": "string"},
                                            "from": count,
                                            "to": {"type": ["integer", "null"]},
                                            "findings": count,
                                        },
                                    },
                                },
                                "histogram": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["working_days_late", "findings"],
                                        "properties": {
                                            "working_days_late": {"type": "integer"},
                                            "findings": count,
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
            "department": {
                "type": ["object", "null"],
                "required": ["year", "from", "to", "cases", "figures"],
                "properties": {
                    "year": {"type": "integer"},
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                    "cases": count,
                    "figures": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "key",
                                "title",
                                "count",
                                "denominator",
                                "percent",
                                "basis",
                                "cases_left_out",
                                "same_question_as_rule",
                            ],
                            "properties": {
                                "key": {"type": "string"},
                                "title": {"type": "string"},
                                "count": count,
                                "denominator": {"type": ["integer", "null"]},
                                "percent": share,
                                "basis": {"type": "string"},
                                "cases_left_out": count,
                                "same_question_as_rule": nullable_text,
                            },
                        },
                    },
                },
            },
            "overdue": {
                "type": "object",
                "required": ["total", "limit", "items"],
                "properties": {
                    "total": count,
                    "limit": {"type": "integer"},
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["due", "case_id", "key", "rule_id", "title", "working_days_late"],
                            "properties": {
                                "due": {"type": "string", "format": "date"},
                                "case_id": {"type": "string"},
                                "key": {"type": "string"},
                                "rule_id": {"type": "string"},
                                "title": {"type": "string"},
                                "working_days_late": {"type": ["integer", "null"]},
                            },
                        },
                    },
                },
            },
        },
    }
