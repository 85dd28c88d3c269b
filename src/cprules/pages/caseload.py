"""A caseload as a page: compliance per rule, worst first; lateness; the Department's figures;
what is overdue now.

:func:`render_caseload` turns a :class:`~cprules.summary.ComplianceSummary` into one
self-contained HTML page (inline SVG and CSS, no script, nothing loaded). The page holds the
summary's aggregates and its bounded overdue list, never every finding, so its size does not
grow with the caseload (a 50,000-case run gives a page of the same order as a 50-case one).

>>> import cprules
>>> from datetime import date
>>> from cprules.summary import ComplianceSummary
>>> pack = cprules.load_pack("england")
>>> summary = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1))
>>> case = cprules.parse_case({"case_id": "A", "events": [
...     {"type": "strategy_discussion", "date": "2024-05-06", "s47": True}]})
>>> summary.add(cprules.evaluate(case, pack, as_of=date(2024, 6, 1)))
>>> page = caseload_page(summary)
>>> page.rows[0].tally.rule_id, [segment.status for segment in page.rows[0].segments]
('icpc-timescale', ['overdue'])
>>> 'id="rule-icpc-timescale"' in render_caseload(summary)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cprules.pages.templating import environment
from cprules.summary import DEFINITIONS, LATENESS_BANDS, ComplianceSummary, OverdueItem, RuleTally

__all__ = ["CaseloadPage", "RuleRow", "Segment", "caseload_page", "render_caseload"]

BAR_WIDTH = 260
#: the parts of a compliance bar, left to right
_BAR_STATUSES = ("met", "late", "overdue", "missed", "violated")


@dataclass(frozen=True, slots=True)
class Segment:
    """One status's share of a rule's compliance bar."""

    status: str
    count: int
    x: float
    width: float
    share: float


@dataclass(frozen=True, slots=True)
class LatenessCell:
    """One band of working days late: its count and its share of the rule's late findings."""

    band: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A rule's line on the page."""

    rank: int
    tally: RuleTally
    anchor: str
    segments: tuple[Segment, ...]
    lateness: tuple[LatenessCell, ...]
    late_findings: int


@dataclass(frozen=True, slots=True)
class CaseloadPage:
    """Everything the caseload page shows."""

    summary: ComplianceSummary
    rows: tuple[RuleRow, ...]
    late_rows: tuple[RuleRow, ...]
    """Rules with a late, overdue or missed finding, worst first."""
    statuses: tuple[str, ...]
    """The status columns shown (those some rule has, and met, late, overdue always)."""
    department: dict[str, Any] | None
    department_period: str
    department_rows: tuple[tuple[dict[str, Any], int], ...]
    """(figure, rows its definition spans: 0 when the row above states it): the five bands of
    plan length share one definition."""
    comparisons: tuple[str, ...]
    overdue: tuple[OverdueItem, ...]
    rule_anchors: dict[str, str]
    definitions: dict[str, str]
    bands: tuple[str, ...]
    bar_width: int


def long_day(day: date) -> str:
    """``1 April 2023``."""
    return f"{day.day} {day:%B %Y}"


def _anchor(rule_id: str) -> str:
    return f"rule-{rule_id}"


def caseload_page(summary: ComplianceSummary) -> CaseloadPage:
    """Lay out the caseload page from a summary (pure)."""
    rows = []
    for rank, tally in enumerate(summary.ranked, start=1):
        whole = tally.compliant_denominator
        segments = []
        x = 0.0
        for status in _BAR_STATUSES:
            count = tally.counts[status]
            if not count or not whole:
                continue
            width = BAR_WIDTH * count / whole
            segments.append(Segment(status, count, round(x, 2), round(width, 2), count / whole))
            x += width
        late_findings = sum(tally.lateness.values())
        cells = tuple(
            LatenessCell(label, count, count / late_findings if late_findings else 0.0)
            for label, count in tally.lateness_bands()
        )
        rows.append(RuleRow(rank, tally, _anchor(tally.rule_id), tuple(segments), cells, late_findings))
    always = {"met", "late", "overdue"}
    from cprules.summary import STATUS_ORDER

    statuses = tuple(
        status for status in STATUS_ORDER if status in always or any(r.tally.counts[status] for r in rows)
    )
    department = summary.to_dict()["department"] if summary.department is not None else None
    department_rows: list[tuple[dict[str, Any], int]] = []
    period = ""
    if department is not None and summary.department is not None:
        period = f"{long_day(summary.department.first_day)} to {long_day(summary.department.last_day)}"
        figures = department["figures"]
        for position, figure in enumerate(figures):
            if position and figures[position - 1]["basis"] == figure["basis"]:
                department_rows.append((figure, 0))  # the row above states the definition
                continue
            run = 1
            while position + run < len(figures) and figures[position + run]["basis"] == figure["basis"]:
                run += 1
            department_rows.append((figure, run))
    comparisons = tuple(
        summary.comparison_sentence(tally, figure) for tally, _, figure in summary.comparisons()
    )
    return CaseloadPage(
        summary=summary,
        rows=tuple(rows),
        late_rows=tuple(row for row in rows if row.late_findings),
        statuses=statuses,
        department=department,
        department_period=period,
        department_rows=tuple(department_rows),
        comparisons=comparisons,
        overdue=tuple(summary.overdue),
        rule_anchors={row.tally.rule_id: row.anchor for row in rows},
        definitions=dict(DEFINITIONS),
        bands=tuple(label for label, _, _ in LATENESS_BANDS),
        bar_width=BAR_WIDTH,
    )


def render_caseload(summary: ComplianceSummary) -> str:
    """The caseload page as self-contained HTML text (write it with UTF-8). Pure."""
    page = caseload_page(summary)
    return environment().get_template("caseload.html.j2").render(page=page)
