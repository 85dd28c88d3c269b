"""One case as a page: its plan episodes, events and deadlines on one date axis.

:func:`timeline_page` lays the picture out (pure: a case, its report and the pack in, positions
and words out); :func:`render_timeline` turns it into one self-contained HTML page: inline SVG
and CSS, no script, no font or image from anywhere, so it opens offline, prints, and can be
attached to a case record.

What the chart shows, top to bottom: the date axis (months, years, the as-at date); the plan
episodes as bands; a lane per event type with every event on or before the as-at date; then a
lane per rule, worst first, with every finding that has a date as a marker: a thin line from
the trigger to the due date (or to the day it was done, when on time), a thick one for the
lateness (from the due date to the day it was done, to the as-at date while overdue, or to the
day the window closed when missed), and a glyph whose shape says the status. Bank holidays that
moved a due date are shaded. Each marker is a link (keyboard-focusable) to its entry in the
list below, which gives the explanation and the citation; hovering shows them too.

>>> import cprules
>>> from datetime import date
>>> pack = cprules.load_pack("england")
>>> case = cprules.parse_case({"case_id": "A-1", "events": [
...     {"id": "sd", "type": "strategy_discussion", "date": "2024-03-11", "s47": True},
...     {"id": "ic", "type": "icpc", "date": "2024-04-05", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-04-05"}]})
>>> report = cprules.evaluate(case, pack, as_of=date(2024, 6, 1))
>>> page = timeline_page(case, report, pack)
>>> {m.key: m.status for m in page.markers}["icpc-timescale@sd#1"]  # due Wed 3 Apr, held Fri 5 Apr
'late'
>>> [h.name for h in page.holidays]
['Good Friday', 'Easter Monday']
>>> "<svg" in render_timeline(case, report, pack)
True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from cprules.case import EVENT_LABELS, AnyEvent, Case
from cprules.errors import CprulesError
from cprules.findings import Finding, Report
from cprules.pack.loader import Pack
from cprules.pack.model import Period
from cprules.pages.templating import STATUS_LOOK, environment, long_date, look, short_date

__all__ = [
    "EpisodeBand",
    "EventMark",
    "FindingEntry",
    "HolidayShade",
    "Lane",
    "Marker",
    "TimelinePage",
    "render_timeline",
    "timeline_page",
]

CHART_WIDTH = 1200
LABEL_WIDTH = 250
PLOT_LEFT = LABEL_WIDTH + 12
PLOT_RIGHT = CHART_WIDTH - 28
AXIS_TOP = 46
EPISODE_LANE = 34
EVENT_LANE = 20
RULE_ROW = 16
RULE_LANE = 34

#: the order statuses are acted on: the lanes and the list below go worst first
_RANK = {status: rank for rank, status in enumerate(STATUS_LOOK)}
#: event outcomes that mean "it did not happen as planned": drawn hollow
_NOT_AS_PLANNED = frozenset(
    {"adjourned", "postponed", "cancelled", "rescheduled", "not_seen", "no_access", "refused"}
)
_PLAN_EVENTS = ("plan_start", "plan_end", "plan_changed")


@dataclass(frozen=True, slots=True)
class Tick:
    """A mark on the date axis."""

    x: float
    label: str
    year: str
    """The year, on the first tick of each year (else empty)."""


@dataclass(frozen=True, slots=True)
class EpisodeBand:
    """One plan episode, drawn as a band."""

    number: int
    x: float
    width: float
    label: str
    """What fits inside the band: the whole description, a shorter one, or the plan's number."""
    description: str
    open: bool


@dataclass(frozen=True, slots=True)
class EventMark:
    """One event on its type's lane."""

    x: float
    y: float
    event_id: str
    event_type: str
    hollow: bool
    text: str


@dataclass(frozen=True, slots=True)
class Lane:
    """A row of the chart with its label on the left."""

    y: float
    height: float
    label: str
    note: str
    title: str
    kind: str
    """``episodes``, ``events`` or ``rule``."""


@dataclass(frozen=True, slots=True)
class Marker:
    """One finding on its rule's lane."""

    anchor: str
    key: str
    status: str
    y: float
    window: tuple[float, float] | None
    """The thin line: from the trigger to the due date (or to the day it was done)."""
    lateness: tuple[float, float] | None
    """The thick line: how late, or how long overdue so far, or until the window closed."""
    x: float
    """Where the glyph sits."""
    title: str
    label: str
    off_axis: bool = False
    """The glyph's day is beyond the axis: drawn at the edge with an arrow."""


@dataclass(frozen=True, slots=True)
class HolidayShade:
    """A bank holiday (or closure) that moved a due date: a shaded day across the chart."""

    x: float
    width: float
    day: date
    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FindingEntry:
    """One finding in the list below the chart."""

    anchor: str
    finding: Finding
    status: str
    started_by: str
    lateness: str
    drawn: bool


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """Everything the timeline page shows, laid out."""

    case_id: str
    pack_id: str
    pack_title: str
    pack_version: str
    pack_digest: str
    engine_version: dict[str, str]
    calendar_name: str
    as_of: date
    width: int
    height: float
    plot_left: float
    plot_right: float
    first: date | None
    last: date | None
    ticks: tuple[Tick, ...]
    as_of_x: float | None
    lanes: tuple[Lane, ...]
    episodes: tuple[EpisodeBand, ...]
    events: tuple[EventMark, ...]
    markers: tuple[Marker, ...]
    holidays: tuple[HolidayShade, ...]
    entries: tuple[FindingEntry, ...]
    groups: tuple[tuple[str, tuple[FindingEntry, ...]], ...]
    """The list below the chart: (status, its entries), worst first."""
    counts: tuple[tuple[str, int], ...]
    events_after_as_of: int
    event_rows: tuple[tuple[date, str, str, str], ...]
    """Every event shown, as text: (date, what, id, details)."""


class _Scale:
    def __init__(self, first: date, last: date) -> None:
        self.first = first
        self.last = last
        self.days = max((last - first).days, 1)
        self.per_day = (PLOT_RIGHT - PLOT_LEFT) / self.days

    def x(self, day: date) -> float:
        """Where ``day`` is drawn; a day off the axis at its nearer edge."""
        offset = min(max((day - self.first).days, 0), self.days)
        return round(PLOT_LEFT + offset * self.per_day, 1)

    def beyond(self, day: date) -> bool:
        return day > self.last or day < self.first


def _status(finding: Finding) -> str:
    """A finding's status as its text value (a status the engine adds later is drawn too)."""
    status = finding.status
    return str(getattr(status, "value", status))


def _kind(event: AnyEvent) -> str:
    kind: str = event.type  # type: ignore[attr-defined]
    return kind


def _event_text(event: AnyEvent) -> tuple[str, bool]:
    kind = _kind(event)
    details = []
    for name in ("outcome", "status", "reason"):
        value = getattr(event, name, None)
        if isinstance(value, str):
            details.append(value.replace("_", " "))
    if getattr(event, "seen_alone", None):
        details.append("seen alone")
    hollow = any(getattr(event, name, None) in _NOT_AS_PLANNED for name in ("outcome", "status"))
    what = EVENT_LABELS.get(kind, kind.replace("_", " "))
    return what[:1].upper() + what[1:] + (": " + ", ".join(details) if details else ""), hollow


def _working_day_rules(pack: Pack) -> frozenset[str]:
    """Rules whose periods count working days: bank holidays move their due dates."""
    found = set()
    for rule in pack.rules:
        for name in type(rule).model_fields:
            value = getattr(rule, name)
            if isinstance(value, Period) and value.unit == "working_days":
                found.add(rule.id)
    return frozenset(found)


def _lateness_text(finding: Finding) -> str:
    wd, cd = finding.working_days_late, finding.calendar_days_late
    status = _status(finding)
    if wd is None:
        return ""
    days = f"{wd:,} working day{'s' if wd != 1 else ''}"
    if status == "late":
        return f"{days} late" + (f" ({cd:,} calendar day{'s' if cd != 1 else ''})" if cd is not None else "")
    if status == "overdue":
        return f"{days} overdue so far"
    if status == "missed":
        return f"{days} late when the window closed"
    return ""


def _close_date(finding: Finding, pack: Pack) -> date | None:
    """The day a missed finding's window closed: its due date plus its (frozen) lateness."""
    if finding.due is None:
        return None
    try:
        return pack.calendar.add_working_days(finding.due, finding.working_days_late or 0)
    except CprulesError:  # pragma: no cover - beyond the calendar's range
        return finding.due


def _finding_dates(
    finding: Finding, trigger: date | None, as_of: date, pack: Pack
) -> tuple[date | None, date | None, date | None, date | None, date]:
    """(window start, window end, lateness start, lateness end, glyph day) or a glyph day only."""
    status = _status(finding)
    due, done = finding.due, finding.occurred_on
    if status == "late" and due is not None and done is not None:
        return trigger or due, due, due, done, done
    if status == "overdue" and due is not None:
        return trigger or due, due, due, as_of, as_of
    if status == "missed" and due is not None:
        close = _close_date(finding, pack) or due
        return trigger or due, due, due, close, close
    if status == "met" and (done is not None or due is not None):
        end = done if done is not None else due
        assert end is not None
        return trigger or end, end, None, None, end
    glyph_day = due or done or trigger
    assert glyph_day is not None
    if trigger is not None and due is not None:
        return trigger, due, None, None, glyph_day
    return None, None, None, None, glyph_day


def timeline_page(case: Case, report: Report, pack: Pack) -> TimelinePage:
    """Lay out one case's timeline page (pure: no I/O, no clock; the report gives the date).

    ``report`` is ``evaluate(case, pack, as_of=...)``; events after its ``as_of`` are left out,
    as the engine leaves them out.
    """
    as_of = report.as_of
    all_events = case.ordered_events
    events = [e for e in all_events if e.date <= as_of]
    by_id = {e.id: e for e in events}
    pack_order = {rule_id: n for n, rule_id in enumerate(pack.rule_ids)}
    working_day_rules = _working_day_rules(pack)

    # -- what has a date, and the axis that holds it all -----------------------------------
    plans: list[tuple[int, date, date | None]] = []
    for episode in case.episodes:
        start = all_events[episode.start_index].date
        if start > as_of:
            continue
        end = all_events[episode.end_index].date if episode.end_index is not None else None
        plans.append((episode.number, start, end if end is not None and end <= as_of else None))
    spans: dict[int, tuple[date | None, date | None, date | None, date | None, date]] = {}
    for position, finding in enumerate(report.findings):
        trigger_event = by_id.get(finding.trigger_event or "")
        trigger = trigger_event.date if trigger_event is not None else None
        if finding.due is None and finding.occurred_on is None and trigger is None:
            continue
        spans[position] = _finding_dates(finding, trigger, as_of, pack)
    first: date | None = None
    last: date | None = None
    scale: _Scale | None = None
    finding_days = [d for span in spans.values() for d in span if d is not None]
    if events or finding_days:
        # the axis covers the events and the as-at date, and the findings' dates near them; a
        # date far off (an 18th birthday years ahead) is drawn at the edge, not allowed to
        # squeeze two years of plan into a corner
        core = [e.date for e in events] or finding_days
        low, high = min([*core, as_of]), max([*core, as_of])
        reach = timedelta(days=max(90, (high - low).days // 6))
        near = [d for d in finding_days if low - reach <= d <= high + reach]
        low, high = min([low, *near]), max([high, *near])
        margin = timedelta(days=max(3, (high - low).days // 80))
        first, last = low - margin, high + margin
        scale = _Scale(first, last)

    # -- lanes -----------------------------------------------------------------------------
    lanes: list[Lane] = []
    y = float(AXIS_TOP)
    bands: list[EpisodeBand] = []
    marks: list[EventMark] = []
    if scale is not None:
        lanes.append(
            Lane(
                y,
                EPISODE_LANE,
                "Child protection plans",
                _plural(len(plans), "plan"),
                "Plan episodes",
                "episodes",
            )
        )
        for number, start, end in plans:
            x1 = scale.x(start)
            x2 = scale.x(end) if end is not None else scale.x(as_of)
            months = relativedelta(end or as_of, start)
            length = _months_text(months.years * 12 + months.months)
            if end is not None:
                description = f"Plan {number}: {short_date(start)} to {short_date(end)} ({length})"
                shorter = f"Plan {number}: {short_date(start)} to {short_date(end)}"
            else:
                description = (
                    f"Plan {number}: from {short_date(start)}, open at {short_date(as_of)} ({length} so far)"
                )
                shorter = f"Plan {number}: from {short_date(start)}, open"
            width = max(x2 - x1, 2.0)
            # about 6.2 units a character at the band's type size, and a margin either side
            label = next(
                (text for text in (description, shorter) if len(text) * 6.2 + 10 <= width), f"Plan {number}"
            )
            bands.append(EpisodeBand(number, x1, width, label, description, end is None))
        plan_events = [e for e in events if _kind(e) in _PLAN_EVENTS]
        for event in plan_events:
            text, hollow = _event_text(event)
            marks.append(
                EventMark(
                    scale.x(event.date),
                    y + EPISODE_LANE - 6,
                    event.id,
                    _kind(event),
                    hollow,
                    f"{text}, {long_date(event.date)} ({event.id})",
                )
            )
        y += EPISODE_LANE
        kinds = [k for k in EVENT_LABELS if k not in _PLAN_EVENTS]
        present = Counter(_kind(e) for e in events)
        kinds += sorted(k for k in present if k not in EVENT_LABELS and k not in _PLAN_EVENTS)
        for kind in kinds:
            if not present.get(kind):
                continue
            what = EVENT_LABELS.get(kind, kind.replace("_", " "))
            lanes.append(
                Lane(y, EVENT_LANE, what[:1].upper() + what[1:], f"{present[kind]:,}", what, "events")
            )
            for event in events:
                if _kind(event) != kind:
                    continue
                text, hollow = _event_text(event)
                marks.append(
                    EventMark(
                        scale.x(event.date),
                        y + EVENT_LANE / 2,
                        event.id,
                        kind,
                        hollow,
                        f"{text}, {long_date(event.date)} ({event.id})",
                    )
                )
            y += EVENT_LANE
        y += 8

    # -- a lane per rule, worst first; overlapping markers take another row ------------------
    by_rule: dict[str, list[int]] = {}
    for position in spans:
        by_rule.setdefault(report.findings[position].rule_id, []).append(position)
    rule_counts: dict[str, Counter[str]] = {}
    for finding in report.findings:
        rule_counts.setdefault(finding.rule_id, Counter())[_status(finding)] += 1

    def lane_order(rule_id: str) -> tuple[int, int, str]:
        worst = min(_RANK.get(status, len(_RANK)) for status in rule_counts[rule_id])
        return (worst, pack_order.get(rule_id, len(pack_order)), rule_id)

    markers: list[Marker] = []
    anchors = {position: f"f-{position + 1}" for position in range(len(report.findings))}
    titles = {f.rule_id: f.title for f in report.findings}
    assert scale is not None or not by_rule
    for rule_id in sorted(by_rule, key=lane_order):
        assert scale is not None
        rows: list[float] = []  # the right end of what each row holds so far
        placed: list[tuple[int, int]] = []
        for position in sorted(by_rule[rule_id], key=lambda p: (min(d for d in spans[p] if d), p)):
            span = spans[position]
            # the lines of consecutive findings may touch (an interval starts where the last
            # ended): only a real overlap takes another row
            left = scale.x(min(d for d in span if d is not None))
            right = max(scale.x(max(d for d in span if d is not None)), left + 8)
            row = next((n for n, end in enumerate(rows) if end <= left + 1), None)
            if row is None:
                rows.append(right)
                row = len(rows) - 1
            else:
                rows[row] = right
            placed.append((position, row))
        height = max(RULE_LANE, len(rows) * RULE_ROW + 12)
        counts = rule_counts[rule_id]
        note = ", ".join(
            f"{counts[s]:,} {look(s).label}" for s in sorted(counts, key=lambda s: _RANK.get(s, len(_RANK)))
        )
        lanes.append(Lane(y, height, rule_id, note, titles.get(rule_id, rule_id), "rule"))
        top = y + (height - len(rows) * RULE_ROW) / 2
        for position, row in placed:
            finding = report.findings[position]
            window_start, window_end, late_start, late_end, glyph_day = spans[position]
            status = _status(finding)
            lateness = _lateness_text(finding)
            due = f"due {short_date(finding.due)}" if finding.due else ""
            done = f"done {short_date(finding.occurred_on)}" if finding.occurred_on else ""
            facts = "; ".join(part for part in (due, done, lateness) if part)
            title = "\n".join(
                part
                for part in (
                    f"{finding.title}: {look(status).label}" + (f" ({facts})" if facts else ""),
                    finding.explanation,
                    f"Source: {finding.citation}",
                    finding.key,
                )
                if part
            )
            markers.append(
                Marker(
                    anchor=anchors[position],
                    key=finding.key,
                    status=status,
                    y=round(top + row * RULE_ROW + RULE_ROW / 2, 1),
                    window=(scale.x(window_start), scale.x(window_end))
                    if window_start is not None and window_end is not None
                    else None,
                    lateness=(scale.x(late_start), scale.x(late_end))
                    if late_start is not None and late_end is not None
                    else None,
                    x=scale.x(glyph_day),
                    title=title,
                    label=f"{finding.title}: {look(status).label}" + (f", {facts}" if facts else ""),
                    off_axis=scale.beyond(glyph_day),
                )
            )
        y += height

    # -- bank holidays that moved a due date -------------------------------------------------
    moved: dict[date, tuple[str, list[str]]] = {}
    for position in spans:
        finding = report.findings[position]
        trigger_event = by_id.get(finding.trigger_event or "")
        if finding.rule_id not in working_day_rules or finding.due is None or trigger_event is None:
            continue
        try:
            skipped = pack.calendar.holidays_between(trigger_event.date, finding.due)
        except CprulesError:  # pragma: no cover - beyond the calendar's range
            continue
        for day, name in skipped:
            moved.setdefault(day, (name, []))[1].append(finding.key)
    holidays: list[HolidayShade] = []
    if scale is not None:
        for day in sorted(moved):
            name, keys = moved[day]
            width = max(scale.per_day, 3.0)
            holidays.append(
                HolidayShade(round(scale.x(day) - width / 2, 1), round(width, 1), day, name, tuple(keys))
            )

    # -- the list below -----------------------------------------------------------------------
    entries = []
    for position, finding in enumerate(report.findings):
        trigger_event = by_id.get(finding.trigger_event or "")
        entries.append(
            FindingEntry(
                anchor=anchors[position],
                finding=finding,
                status=_status(finding),
                started_by=trigger_event.label if trigger_event is not None else "",
                lateness=_lateness_text(finding),
                drawn=position in spans,
            )
        )
    groups = []
    for status in sorted({e.status for e in entries}, key=lambda s: _RANK.get(s, len(_RANK))):
        in_group = tuple(e for e in entries if e.status == status)
        groups.append((status, tuple(sorted(in_group, key=lambda e: (e.finding.due or date.max, e.anchor)))))
    counts = Counter(e.status for e in entries)

    ticks = _ticks(scale) if scale is not None else ()
    event_rows = tuple((event.date, *_event_row(event)) for event in events)
    return TimelinePage(
        case_id=case.case_id,
        pack_id=pack.id,
        pack_title=pack.title,
        pack_version=pack.version,
        pack_digest=report.pack_digest,
        engine_version=dict(report.engine_version),
        calendar_name=pack.calendar.name,
        as_of=as_of,
        width=CHART_WIDTH,
        height=round(y + 14, 1),
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        first=first,
        last=last,
        ticks=ticks,
        as_of_x=scale.x(as_of) if scale is not None else None,
        lanes=tuple(lanes),
        episodes=tuple(bands),
        events=tuple(marks),
        markers=tuple(markers),
        holidays=tuple(holidays),
        entries=tuple(entries),
        groups=tuple(groups),
        counts=tuple(sorted(counts.items(), key=lambda item: _RANK.get(item[0], len(_RANK)))),
        events_after_as_of=len(all_events) - len(events),
        event_rows=event_rows,
    )


def _event_row(event: AnyEvent) -> tuple[str, str, str]:
    text, _ = _event_text(event)
    what, _, details = text.partition(": ")
    return what, event.id, details


def _months_text(months: int) -> str:
    if months < 1:
        return "under a month"
    return f"{months} month{'s' if months != 1 else ''}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def _ticks(scale: _Scale) -> tuple[Tick, ...]:
    """Month ticks (every month, or every 2, 3 or 6 when months are narrow); week ticks for a
    short span."""
    ticks: list[Tick] = []
    if scale.days <= 70:
        day = scale.first + timedelta(days=(7 - scale.first.weekday()) % 7)
        seen_year = ""
        while day <= scale.last:
            year = str(day.year) if str(day.year) != seen_year else ""
            seen_year = str(day.year)
            ticks.append(Tick(scale.x(day), f"{day.day} {day:%b}", year))
            day += timedelta(days=7)
        return tuple(ticks)
    month_width = scale.per_day * 30.4
    step = next((s for s in (1, 2, 3, 6, 12) if month_width * s >= 38), 12)
    day = date(scale.first.year, scale.first.month, 1)
    if day < scale.first:
        day = day + relativedelta(months=1)
    seen_year = ""
    while day <= scale.last:
        if (day.month - 1) % step == 0:
            year = str(day.year) if str(day.year) != seen_year else ""
            seen_year = str(day.year)
            ticks.append(Tick(scale.x(day), f"{day:%b}", year))
        day = day + relativedelta(months=1)
    return tuple(ticks)


def render_timeline(case: Case, report: Report, pack: Pack) -> str:
    """One case's timeline as a self-contained HTML page (text: write it with UTF-8).

    ``report`` is ``evaluate(case, pack, as_of=...)``. Pure: the same inputs give the same text.
    """
    page = timeline_page(case, report, pack)
    template = environment().get_template("timeline.html.j2")
    context: dict[str, Any] = {"page": page}
    return template.render(context)
