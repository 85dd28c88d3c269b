"""The child protection figures the Department for Education publishes, over a caseload.

The Department's "Characteristics of children in need" statistics report, for the year from
1 April to 31 March, how quickly initial conferences followed the start of section 47
enquiries, whether reviews were on time, how long the plans that ended had lasted, how many
plans were open at 31 March and how many plans were a child's second or later. An authority
sets its own figures beside the published ones; :class:`DepartmentFigures` computes them from
case timelines, each with the computation behind it (``basis``), so a difference can be
traced to a definition rather than argued about.

Counting (stated once, here):

- **ICPC within 15 working days of the section 47 start**: each ``icpc`` (not postponed)
  held in the year is paired with the first ``strategy_discussion`` with ``s47: true`` since
  the previous ICPC (an ``s47_outcome`` with ``icpc_required: false`` closes that enquiry
  unpaired). On time when ``working_days_between(start, icpc) <= 15`` on the calendar given
  (day 1 is the first working day after the start, SPEC §5). An ICPC with no section 47
  start before it is left out.
- **First reviews within 3 months**: the first ``review_conference`` (not postponed) of each
  plan, held in the year, on or before the opening conference's date (or the plan's start
  when there is none) plus 3 calendar months.
- **Later reviews within 6 months**: each later review of a plan held in the year, on or
  before the previous review's date plus 6 calendar months.
- **Plans ended in the year, by duration** from ``plan_start`` to ``plan_end`` in calendar
  months: 3 months or less; over 3 up to 6 months; over 6 months and under 1 year; 1 year to
  under 2 years; 2 years or more. The denominator is every plan ended in the year.
- **Plans open at 31 March**: started on or before 31 March, not ended on or before it.
- **Second or later plans**: plans starting in the year for a child with an earlier plan in
  the timeline, or whose census ``NumberOfPreviousCPP`` (kept in the plan's ``metadata``) is
  above 0; the denominator is every plan starting in the year.

Reviews not yet held are not counted (an overdue first review is a finding of the
``first-review`` rule, not a figure here). A case whose source does not record what a figure
needs (its ``records``) is left out of that figure and counted under ``cases_left_out``.

>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> figures = DepartmentFigures(2025, WorkingCalendar("GB", "ENG"))
>>> figures.add(parse_case({"case_id": "A", "events": [
...     {"type": "strategy_discussion", "date": "2024-05-06", "s47": True},
...     {"type": "icpc", "date": "2024-05-28", "outcome": "plan"},
...     {"type": "plan_start", "date": "2024-05-28"}]}))
>>> figures.lines()[1]
'ICPCs within 15 working days of the section 47 start: 1 of 1 (100.0%)'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from cprules.calendar import WorkingCalendar
from cprules.case import AnyEvent, Case

__all__ = ["DURATION_BANDS", "DepartmentFigures"]

#: the Department's bands for the length of plans that ended (key, label)
DURATION_BANDS: tuple[tuple[str, str], ...] = (
    ("plans_ended_3_months_or_less", "3 months or less"),
    ("plans_ended_over_3_up_to_6_months", "over 3 months, up to 6 months"),
    ("plans_ended_over_6_months_under_1_year", "over 6 months, under 1 year"),
    ("plans_ended_1_to_under_2_years", "1 year to under 2 years"),
    ("plans_ended_2_years_or_more", "2 years or more"),
)

_THREE_MONTHS = relativedelta(months=3)
_SIX_MONTHS = relativedelta(months=6)
_ONE_YEAR = relativedelta(years=1)
_TWO_YEARS = relativedelta(years=2)


@dataclass
class _Figure:
    title: str
    basis: str
    count: int = 0
    denominator: int | None = 0
    left_out: int = 0

    def percent(self) -> float | None:
        if not self.denominator:
            return None
        exact = Decimal(self.count * 100) / Decimal(self.denominator)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "count": self.count,
            "denominator": self.denominator,
            "percent": self.percent(),
            "basis": self.basis,
            "cases_left_out": self.left_out,
        }

    def line(self) -> str:
        if self.denominator is None:
            text = f"{self.title}: {self.count:,}"
        else:
            percent = self.percent()
            shown = f"{percent:.1f}%" if percent is not None else "no cases"
            text = f"{self.title}: {self.count:,} of {self.denominator:,} ({shown})"
        if self.left_out:
            text += f"; {self.left_out:,} case{'s' if self.left_out != 1 else ''} left out (not recorded)"
        return text


def _recorded(case: Case, *kinds: str) -> bool:
    records = case.records
    if records is None:
        return True
    return all(any(entry == kind or entry.startswith(kind + ".") for entry in records) for kind in kinds)


def _held(event: AnyEvent) -> bool:
    return getattr(event, "outcome", None) != "postponed"


def _previous_plans(event: AnyEvent) -> int:
    metadata = event.metadata or {}
    raw = metadata.get("NumberOfPreviousCPP")
    try:
        return int(str(raw).strip()) if raw is not None else 0
    except ValueError:
        return 0


class DepartmentFigures:
    """Accumulates the Department's child protection figures for the year to 31 March ``year``.

    Pure: :meth:`add` reads a case's timeline, nothing else; the result does not depend on the
    order cases are added in.
    """

    def __init__(self, year: int, calendar: WorkingCalendar) -> None:
        self.year = year
        self.calendar = calendar
        self.first_day = date(year - 1, 4, 1)
        self.last_day = date(year, 3, 31)
        self.cases = 0
        period = f"1 April {year - 1} to 31 March {year}"
        self._icpc = _Figure(
            "ICPCs within 15 working days of the section 47 start",
            f"ICPCs held {period}, each paired with the first strategy discussion that started or "
            "confirmed section 47 enquiries since the previous ICPC; on time when at most 15 "
            f"working days after it (day 1 the first working day after the start; {calendar.name})",
        )
        self._first_review = _Figure(
            "First reviews within 3 months",
            f"first review conference of each plan, held {period}; on time on or before the "
            "opening conference's date (else the plan start) plus 3 calendar months",
        )
        self._later_review = _Figure(
            "Later reviews within 6 months",
            f"each later review conference of a plan, held {period}; on time on or before the "
            "previous review's date plus 6 calendar months",
        )
        self._ended_total = 0
        self._bands = [
            _Figure(
                f"Plans ended in the year lasting {label}",
                f"plans that ended {period}, by calendar months from the plan's start "
                "(bands: 3 months or less; over 3 up to 6; over 6, under 12; 12 to under 24; "
                "24 or more); the denominator is every plan ended in the year",
            )
            for _, label in DURATION_BANDS
        ]
        self._open = _Figure(
            "Plans open at 31 March",
            f"plans started on or before 31 March {year} and not ended on or before it",
            denominator=None,
        )
        self._second = _Figure(
            "Second or later plans",
            f"plans starting {period} for a child with an earlier plan in the timeline (or a "
            "census NumberOfPreviousCPP above 0), of every plan starting in the year",
        )

    # -- accumulating ----------------------------------------------------------------------

    def add(self, case: Case) -> None:
        """Count one case's events into the figures."""
        self.cases += 1
        events = case.ordered_events
        if _recorded(case, "strategy_discussion", "icpc"):
            self._add_icpcs(events)
        else:
            self._icpc.left_out += 1
        plans_recorded = _recorded(case, "plan_start")
        reviews_recorded = plans_recorded and _recorded(case, "review_conference")
        ends_recorded = plans_recorded and _recorded(case, "plan_end")
        if not reviews_recorded:
            self._first_review.left_out += 1
            self._later_review.left_out += 1
        if not ends_recorded:
            for band in self._bands:
                band.left_out += 1
            self._open.left_out += 1
        if not plans_recorded:
            self._second.left_out += 1
            return
        first, last = self.first_day, self.last_day
        for number, episode in enumerate(case.episodes):
            start = events[episode.start_index]
            if first <= start.date <= last:
                self._second.denominator = (self._second.denominator or 0) + 1
                if number > 0 or _previous_plans(start) > 0:
                    self._second.count += 1
            stop = episode.end_index if episode.end_index is not None else len(events)
            if reviews_recorded:
                opener = episode.opened_by_index
                anchor = events[opener].date if opener is not None else start.date
                self._add_reviews(events, episode.start_index + 1, stop, anchor)
            if ends_recorded:
                ended = events[episode.end_index].date if episode.end_index is not None else None
                if start.date <= last and (ended is None or ended > last):
                    self._open.count += 1
                if ended is not None and first <= ended <= last:
                    self._add_ended(start.date, ended)

    def merge(self, other: DepartmentFigures) -> None:
        """Add the figures of ``other`` (other cases, the same year) to these.

        >>> from cprules.case import parse_case
        >>> a = DepartmentFigures(2025, WorkingCalendar("GB", "ENG"))
        >>> b = DepartmentFigures(2025, WorkingCalendar("GB", "ENG"))
        >>> b.add(parse_case({"case_id": "B", "events": [{"type": "plan_start", "date": "2024-05-28"}]}))
        >>> a.merge(b); a.lines()[-2]
        'Plans open at 31 March: 1'
        """
        if other.year != self.year:
            raise ValueError(f"figures for the year to 31 March {other.year} do not add to {self.year}'s")
        self.cases += other.cases
        self._ended_total += other._ended_total
        for (_, mine), (_, theirs) in zip(self._figures(), other._figures(), strict=True):
            mine.count += theirs.count
            mine.left_out += theirs.left_out
            if mine.denominator is not None and theirs.denominator is not None:
                mine.denominator += theirs.denominator
        for band in self._bands:
            band.denominator = self._ended_total

    def _add_icpcs(self, events: tuple[AnyEvent, ...]) -> None:
        figure = self._icpc
        pending: date | None = None
        for event in events:
            kind = event.type  # type: ignore[attr-defined]
            if kind == "strategy_discussion":
                if pending is None and getattr(event, "s47", None):
                    pending = event.date
            elif kind == "s47_outcome":
                if getattr(event, "icpc_required", None) is False:
                    pending = None
            elif kind == "icpc" and _held(event):
                if pending is not None and self.first_day <= event.date <= self.last_day:
                    figure.denominator = (figure.denominator or 0) + 1
                    if self.calendar.working_days_between(pending, event.date) <= 15:
                        figure.count += 1
                pending = None

    def _add_reviews(self, events: tuple[AnyEvent, ...], start: int, stop: int, anchor: date) -> None:
        previous: date | None = None
        for position in range(start, stop):
            event = events[position]
            if event.type != "review_conference" or not _held(event):  # type: ignore[attr-defined]
                continue
            figure, due = (
                (self._first_review, anchor + _THREE_MONTHS)
                if previous is None
                else (self._later_review, previous + _SIX_MONTHS)
            )
            if self.first_day <= event.date <= self.last_day:
                figure.denominator = (figure.denominator or 0) + 1
                if event.date <= due:
                    figure.count += 1
            previous = event.date

    def _add_ended(self, started: date, ended: date) -> None:
        self._ended_total += 1
        for band in self._bands:
            band.denominator = self._ended_total
        if ended <= started + _THREE_MONTHS:
            index = 0
        elif ended <= started + _SIX_MONTHS:
            index = 1
        elif ended < started + _ONE_YEAR:
            index = 2
        elif ended < started + _TWO_YEARS:
            index = 3
        else:
            index = 4
        self._bands[index].count += 1

    # -- reporting -------------------------------------------------------------------------

    def _figures(self) -> list[tuple[str, _Figure]]:
        return [
            ("icpc_within_15_working_days", self._icpc),
            ("first_reviews_within_3_months", self._first_review),
            ("later_reviews_within_6_months", self._later_review),
            *((key, band) for (key, _), band in zip(DURATION_BANDS, self._bands, strict=True)),
            ("plans_open_at_31_march", self._open),
            ("second_or_later_plans", self._second),
        ]

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data: each with count, denominator, percent and basis."""
        return {
            "year": self.year,
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "cases": self.cases,
            "figures": {key: figure.to_dict() for key, figure in self._figures()},
        }

    def lines(self) -> list[str]:
        """The figures as lines of text, a heading first."""
        heading = (
            f"Department for Education figures, 1 April {self.year - 1} to 31 March {self.year} "
            f"({self.cases:,} case{'s' if self.cases != 1 else ''}):"
        )
        return [heading, *(figure.line() for _, figure in self._figures())]
