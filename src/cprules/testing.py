"""Hypothesis strategies for property-based tests of policy rules: calendars, dates, events, cases.

Everything here draws *valid* input (a timeline :func:`cprules.parse_case` accepts) that looks
like a real child protection case: a strategy discussion and section 47 enquiry, an initial
conference, a plan with core groups, visits and reviews, an end (or a plan still open), and
sometimes a second plan. Lateness, missing facts and rarer events are drawn with the
probabilities you give, and every choice shrinks towards the short, plain, on-time case, so a
failing example comes back small and readable, with ids such as ``sd1``, ``ic1``, ``ps1``, ``cg1``.

Strategies:

- :func:`dates` -- dates the engine supports (1990 to 2100);
- :func:`calendars` -- :class:`~cprules.WorkingCalendar` for England or Jersey, with or without
  office closures;
- :func:`events` -- one valid event of a type, as JSON-ready data, its facts filled in or left
  empty;
- :func:`case_data` / :func:`timelines` / :func:`cases` -- whole realistic cases (JSON-ready
  data, the event list alone, or a parsed :class:`~cprules.Case`);
- :func:`as_of_dates` -- report dates worth asking about for one case (near its events, before
  them, after them).

A property test reads like the invariant it states:

.. code-block:: python

    from hypothesis import given, strategies as st
    import cprules
    from cprules.testing import as_of_dates, cases

    STOKE = cprules.load_pack("stoke")

    @given(st.data())
    def test_every_rule_reports(data):
        case = data.draw(cases(pack=STOKE))
        as_of = data.draw(as_of_dates(case))
        report = cprules.evaluate(case, STOKE, as_of=as_of)
        assert {f.rule_id for f in report.findings} == set(STOKE.rule_ids)

Options narrow what is drawn (here: exactly one plan, nothing late):

>>> from hypothesis import given, settings
>>> @settings(max_examples=10, database=None)
... @given(cases(episodes=(1, 1), late_probability=0))
... def test_one_plan_opened_by_a_conference(case):
...     assert len(case.episodes) == 1
...     assert case.episodes[0].opened_by_index is not None
>>> test_one_plan_opened_by_a_conference()
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # an optional dependency: say how to get it
    raise ImportError(
        "cprules.testing needs hypothesis, which is not installed; install it with "
        "pip install 'cprules[testing]'",
        name="hypothesis",
    ) from exc
from pydantic import BaseModel

from cprules.calendar import WorkingCalendar
from cprules.case import EVENT_MODELS, MAX_DATE, MIN_DATE, Case, parse_case
from cprules.pack import Pack

__all__ = [
    "CALENDAR_SETTINGS",
    "EVENT_TYPES",
    "RARE_EVENT_TYPES",
    "as_of_dates",
    "calendars",
    "case_data",
    "cases",
    "dates",
    "events",
    "timelines",
]

#: every event type of the case format (SPEC §4), in the order the format lists them
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_MODELS)

#: event types :func:`case_data` sprinkles over a timeline as ``extra_events`` unless told
#: otherwise: the rarer things that happen around a plan (never ``plan_start``/``plan_end``,
#: which would make another episode, nor the meetings the timeline already draws)
RARE_EVENT_TYPES: tuple[str, ...] = (
    "escalation",
    "hospital_admission",
    "looked_after",
    "removed_from_accommodation",
    "move_notified",
    "significant_change",
    "case_discussion",
    "plan_changed",
    "plan_sent_to_iro",
    "lac_review",
    "quality_assurance_notification",
    "cin_meeting",
)

#: the (country, subdivision) pairs of the bundled packs' calendars
CALENDAR_SETTINGS: tuple[tuple[str, str | None], ...] = (("GB", "ENG"), ("JE", None))

_CATEGORIES = ("physical", "neglect", "emotional", "sexual")
_SECONDARY_FACTORS = ("domestic_abuse", "parental_substance_misuse", "parental_mental_health")
_DEFAULT_START = (date(2015, 1, 1), date(2030, 12, 31))
# the last first-event date that leaves room for three long episodes before MAX_DATE
_LAST_START = date(2090, 12, 31)

OnDate = date | st.SearchStrategy[date] | None
Fill = Literal["some", "all", "none"]


# ---------------------------------------------------------------------------------------------
# Dates and calendars


def _check_range(min_value: date, max_value: date) -> None:
    if not MIN_DATE <= min_value <= max_value <= MAX_DATE:
        raise InvalidArgument(
            f"dates must satisfy {MIN_DATE} <= min_value <= max_value <= {MAX_DATE}; "
            f"got {min_value}..{max_value}"
        )


def dates(min_value: date = MIN_DATE, max_value: date = MAX_DATE) -> st.SearchStrategy[date]:
    """Dates from ``min_value`` to ``max_value`` (both included), inside the range the engine
    supports (1990-01-01 to 2100-12-31). Shrinks towards 2000-01-01 (or the nearer bound).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, database=None)
    ... @given(dates(date(2024, 1, 1), date(2024, 12, 31)))
    ... def test_a_day_of_2024(day):
    ...     assert day.year == 2024
    >>> test_a_day_of_2024()
    """
    _check_range(min_value, max_value)
    return st.dates(min_value=min_value, max_value=max_value)


def calendars(
    *,
    settings: Sequence[tuple[str, str | None]] = CALENDAR_SETTINGS,
    closures: bool = True,
    max_closures: int = 3,
    closure_range: tuple[date, date] = (date(2015, 1, 1), date(2030, 12, 31)),
) -> st.SearchStrategy[WorkingCalendar]:
    """Working-day calendars: England (``GB``/``ENG``) or Jersey (``JE``), by default, with up
    to ``max_closures`` office-closure days (``closures=False`` for none).

    Closures fall in ``closure_range``; they are drawn mostly from the days between Christmas
    and New Year, when authorities close their offices, and sometimes from any day. A new set
    of closures builds new tables (a few tens of milliseconds), so keep ``max_closures`` small
    in fast test runs. Shrinks to England with no closures.

    >>> from hypothesis import find
    >>> find(calendars(), lambda calendar: True)
    WorkingCalendar(country='GB', subdiv='ENG')
    >>> find(calendars(), lambda calendar: calendar.country == "JE" and calendar.closures)
    WorkingCalendar(country='JE', subdiv=None, closures=(datetime.date(2015, 12, 24),))
    """
    if not settings:
        raise InvalidArgument("settings must name at least one (country, subdiv) pair")
    _check_range(*closure_range)
    first, last = closure_range
    christmas_days = [
        day
        for year in range(first.year, last.year + 1)
        for day in (date(year, 12, 24) + timedelta(days=k) for k in range(8))
        if first <= day <= last and day.weekday() < 5
    ]
    any_day = st.dates(min_value=first, max_value=last)
    closure_day = st.one_of(st.sampled_from(christmas_days), any_day) if christmas_days else any_day
    closure_lists: st.SearchStrategy[list[date]] = (
        st.lists(closure_day, max_size=max_closures, unique=True)
        if closures and max_closures > 0
        else st.just([])
    )
    return st.builds(
        lambda where, days: WorkingCalendar(where[0], where[1], days),
        st.sampled_from(tuple(settings)),
        closure_lists,
    )


# ---------------------------------------------------------------------------------------------
# Events


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    """The values of a ``Literal`` inside an annotation (``Literal[...] | None``, tuples)."""
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    for arg in typing.get_args(annotation):
        found = _choices(arg)
        if found:
            return found
    return None


def _mentions(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return any(_mentions(arg, kind) for arg in typing.get_args(annotation))


def _is_sequence(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (tuple, list):
        return True
    return any(_is_sequence(arg) for arg in typing.get_args(annotation))


def _lower_bound(metadata: Sequence[Any]) -> int:
    for item in metadata:
        for name in ("ge", "gt"):
            bound = getattr(item, name, None)
            if isinstance(bound, int):
                return bound + (1 if name == "gt" else 0)
    return 0


def _iso(day: date) -> str:
    return day.isoformat()


def _clamped(day: date) -> date:
    return min(max(day, MIN_DATE), MAX_DATE)


def _fact_strategy(event_type: str, name: str, on: date) -> st.SearchStrategy[Any] | None:
    """A strategy for one field of an event, as JSON-ready data; None for references to other
    events (``decided_at``, ``reconvened_from``), which only a whole timeline can fill."""
    info = EVENT_MODELS[event_type].model_fields[name]
    annotation = info.annotation
    if name in ("decided_at", "reconvened_from"):
        return None
    if name == "votes":
        return st.fixed_dictionaries({"for_plan": st.integers(0, 8), "against_plan": st.integers(0, 8)})
    if any(
        isinstance(arg, type) and issubclass(arg, BaseModel)
        for arg in (annotation, *typing.get_args(annotation))
    ):
        return None  # a nested model this kit does not know yet
    if name == "visit_interval_days":
        return st.integers(5, 28)
    if name == "core_group_interval_days":
        return st.integers(14, 42)
    if name == "visit_interval_reason":
        return st.sampled_from(("agreed at conference", "the child is settled", "risk increased"))
    if name == "kind":
        return st.sampled_from(("moved_to_different_family", "new partner", "other"))
    if name == "secondary_factors":
        return st.lists(st.sampled_from(_SECONDARY_FACTORS), min_size=1, max_size=2, unique=True)
    choices = _choices(annotation)
    if choices:
        if _is_sequence(annotation):
            return st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True)
        return st.sampled_from(choices)
    if _mentions(annotation, bool):
        return st.booleans()
    if _mentions(annotation, int):
        low = _lower_bound(info.metadata)
        return st.integers(low, low + 30)
    if _mentions(annotation, date):  # a follow-up date: on or after the event
        return st.integers(0, 30).map(lambda days: _iso(_clamped(on + timedelta(days=days))))
    if _mentions(annotation, str):
        return st.sampled_from(("a", "b", "c"))
    return None


def _fact_names(event_type: str) -> tuple[str, ...]:
    return tuple(
        name
        for name in EVENT_MODELS[event_type].model_fields
        if name not in ("type", "date", "id", "metadata")
    )


@st.composite
def _event(
    draw: st.DrawFn, event_type: str | Sequence[str] | None, on: OnDate, event_id: str | None, fill: Fill
) -> dict[str, Any]:
    if event_type is None:
        kind = draw(st.sampled_from(EVENT_TYPES))
    elif isinstance(event_type, str):
        kind = event_type
    else:
        kind = draw(st.sampled_from(tuple(event_type)))
    if on is None:
        day = draw(dates(date(2015, 1, 1), date(2030, 12, 31)))
    elif isinstance(on, date):
        day = on
    else:
        day = draw(on)
    event: dict[str, Any] = {"type": kind, "date": _iso(day)}
    if event_id is not None:
        event["id"] = event_id
    for name in _fact_names(kind):
        strategy = _fact_strategy(kind, name, day)
        if strategy is None or fill == "none":
            continue
        if fill == "some" and not draw(st.booleans()):
            continue
        event[name] = draw(strategy)
    return event


def events(
    type: str | Sequence[str] | None = None,
    *,
    on: OnDate = None,
    id: str | None = None,
    fill: Fill = "some",
) -> st.SearchStrategy[dict[str, Any]]:
    """One valid event of ``type`` (a type, a list of types, or None for any), as JSON-ready data.

    ``on`` is the event's date, or a strategy for it (default: a date from 2015 to 2030).
    ``fill``: ``"some"`` fills each fact (``outcome``, ``quorate``, ``minutes_circulated``...) or
    leaves it empty, ``"all"`` fills every one, ``"none"`` none. Follow-up dates fall on or
    after the event; fields that name another event (``decided_at``, ``reconvened_from``) are
    left empty, since only a timeline knows the other events. Shrinks to the bare event.

    >>> from hypothesis import find
    >>> find(events("visit", on=date(2024, 5, 1), id="v1"), lambda event: True)
    {'type': 'visit', 'date': '2024-05-01', 'id': 'v1'}
    >>> visit = find(events("visit", on=date(2024, 5, 1), fill="all"), lambda event: True)
    >>> sorted(visit)
    ['bedroom_seen', 'by', 'child_awake', 'date', 'outcome', 'seen_alone', 'type']
    >>> parse_case({"case_id": "X-1", "events": [visit]}).events[0].outcome
    'seen'
    """
    kinds = [type] if isinstance(type, str) else list(type or ())
    for kind in kinds:
        if kind not in EVENT_MODELS:
            raise InvalidArgument(f"unknown event type {kind!r}; use one of {', '.join(EVENT_TYPES)}")
    if fill not in ("some", "all", "none"):
        raise InvalidArgument("fill must be 'some', 'all' or 'none'")
    if isinstance(on, date) and not MIN_DATE <= on <= MAX_DATE:
        raise InvalidArgument(f"on must lie in {MIN_DATE}..{MAX_DATE}")
    return _event(type, on, id, fill)


# ---------------------------------------------------------------------------------------------
# Whole timelines


_ROLL = st.integers(0, 999)


class _Builder:
    """Draws one case's events in date order, naming them sd1, ic1, ps1, cg1, v1, rc1, pe1...

    Draws are few (a case has dozens of events, each draw costs, and the shrinker tries every
    one): a single roll decides whether a timed thing is on time or late and by how much;
    repeated meetings follow a drawn cadence, with a few drawn exceptions (late gaps, slow
    minutes, attempts with no access); a few draws for the whole case leave facts empty.
    Every roll shrinks to 0: on time, nothing missing, nothing exceptional.
    """

    def __init__(
        self,
        draw: st.DrawFn,
        calendar: WorkingCalendar,
        late_probability: float,
        missing_probability: float,
        ids: bool,
    ) -> None:
        self.draw = draw
        self.calendar = calendar
        self.late_threshold = 1000 - round(late_probability * 1000)
        self.missing_probability = missing_probability
        self.ids = ids
        self.events: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}
        #: the child's 18th birthday, when the date of birth is known: a plan ends by then
        self.eighteenth: date | None = None
        #: whether the plan being built may end because the child died: only the last cycle of
        #: the case (a later visit that saw the child would refute the reason, SPEC §4)
        self.may_die = True

    # -- choices that shrink towards the plain case --------------------------------------------

    def chance(self, probability: float) -> bool:
        """True with roughly ``probability``; shrinks to False."""
        if probability <= 0:
            return False
        if probability >= 1:
            return True
        return bool(self.draw(_ROLL) >= 1000 - round(probability * 1000))

    def late(self) -> bool:
        """Whether this one is late (with the late probability); shrinks to on time."""
        return self.late_threshold < 1000 and (
            self.late_threshold <= 0 or bool(self.draw(_ROLL) >= self.late_threshold)
        )

    def between(self, on_time: tuple[int, int], late: tuple[int, int]) -> int:
        """A count from ``on_time``, or from ``late`` with the late probability: one draw."""
        threshold = self.late_threshold
        if threshold >= 1000:
            return int(self.draw(st.integers(*on_time)))
        if threshold <= 0:
            return int(self.draw(st.integers(*late)))
        roll = int(self.draw(_ROLL))
        if roll < threshold:
            low, high = on_time
            return low + roll * (high - low + 1) // threshold
        low, high = late
        return low + (roll - threshold) * (high - low + 1) // (1000 - threshold)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(tuple(options)))

    # -- dates ----------------------------------------------------------------------------------

    def working_day(self, day: date) -> date:
        """``day``, or the next working day when it is a weekend, holiday or closure."""
        return day if self.calendar.is_working_day(day) else self.calendar.next_working_day(day)

    def working_day_before(self, day: date) -> date:
        """``day``, or the last working day before it (an on-time meeting stays on time)."""
        return day if self.calendar.is_working_day(day) else self.calendar.previous_working_day(day)

    def plus_working_days(self, day: date, n: int) -> date:
        return self.calendar.add_working_days(day, n)

    # -- events ---------------------------------------------------------------------------------

    def add(self, kind: str, day: date, prefix: str, /, **facts: Any) -> str:
        """Append an event (empty facts left out); returns its id (kept for references even
        when ids are not written)."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        event_id = f"{prefix}{self.counters[prefix]}"
        event: dict[str, Any] = {"id": event_id, "type": kind, "date": _iso(day)}
        for name, value in facts.items():
            if value is not None:
                event[name] = _iso(value) if isinstance(value, date) else value
        self.events.append(event)
        return event_id

    def leave_facts_empty(self) -> None:
        """Empty some facts, about ``missing_probability`` of them: a few draws for the whole
        case (not one per fact), shrinking to none."""
        facts = [
            (position, name)
            for position, event in enumerate(self.events)
            for name in event
            if name not in ("id", "type", "date")
        ]
        most = round(2 * self.missing_probability * len(facts))
        if not facts or most == 0:
            return
        for _ in range(self.draw(st.integers(0, most))):
            position, name = facts[self.draw(st.integers(0, len(facts) - 1))]
            self.events[position].pop(name, None)

    def some_of(self, count: int, probability: float) -> list[int]:
        """About ``probability * count`` distinct indexes below ``count``, in order: a few
        draws in all rather than one per item, shrinking to none."""
        expected = probability * count
        most = min(count, round(2 * expected))
        if most == 0:  # fewer than one expected: one chance of one
            return [self.draw(st.integers(0, count - 1))] if expected > 0 and self.chance(expected) else []
        chosen = {self.draw(st.integers(0, count - 1)) for _ in range(self.draw(st.integers(0, most)))}
        return sorted(chosen)

    def votes(self, for_plan: bool) -> dict[str, int]:
        majority = 3 + self.draw(st.integers(0, 4))
        minority = 1 if majority > 5 else 0
        return (
            {"for_plan": majority, "against_plan": minority}
            if for_plan
            else {"for_plan": minority, "against_plan": majority}
        )

    def minutes(self, held: date) -> date:
        """Conference minutes: within 25 working days, or later."""
        return self.plus_working_days(held, self.between((5, 25), (26, 40)))

    # -- one enquiry, with or without a plan ----------------------------------------------------

    def enquiry(self, start: date, prebirth: bool) -> tuple[date, date]:
        """A strategy discussion (sometimes two) and the visit that sees the child; returns the
        days of the first discussion and of the visit."""
        day = self.working_day(start)
        self.add("strategy_discussion", day, "sd", s47=True)
        last = day
        if self.chance(0.15):  # a second strategy meeting confirms the enquiry
            last = self.plus_working_days(day, 1 + self.draw(st.integers(0, 3)))
            self.add("strategy_discussion", last, "sd", s47=True)
        # the child (or, before the birth, the mother) is seen during the enquiry
        seen = self.plus_working_days(last, 1 + self.draw(st.integers(0, 4)))
        facts = {} if prebirth else {"seen_alone": True}
        self.add("visit", seen, "v", outcome="seen", by="lead_social_worker", **facts)
        return day, seen

    def enquiry_without_plan(self, start: date, prebirth: bool) -> date:
        """An enquiry that ends without a plan: no conference needed, or a conference that
        decides against one. Returns the last day."""
        day, _ = self.enquiry(start, prebirth)
        ends = self.plus_working_days(day, 5 + self.draw(st.integers(0, 7)))
        if not self.chance(0.5):
            self.add("s47_outcome", ends, "so", icpc_required=False)
            return ends
        self.add("s47_outcome", ends, "so", icpc_required=True)
        held = self.plus_working_days(day, self.between((13, 15), (16, 30)))
        self.add(
            "icpc",
            held,
            "ic",
            outcome="no_plan",
            quorate=True,
            votes=self.votes(for_plan=False),
            prebirth=True if prebirth else None,
            minutes_circulated=self.minutes(held),
        )
        return held

    def plan_episode(self, start: date, plan_days: int, closed: bool, child: dict[str, Any]) -> date:
        """An enquiry, an initial (or transfer-in) conference, a plan of ``plan_days`` days with
        its core groups, visits and reviews, and (when ``closed``) its end. Returns the last day."""
        prebirth = "expected_delivery_date" in child and not self.events
        categories = [self.pick(_CATEGORIES)]
        interim = False  # an adjourned ICPC starts an interim plan
        started = start
        if not prebirth and self.chance(0.08):  # a child on a plan moves in from another authority
            notice = self.working_day(start)
            self.add("move_notified", notice, "mn", permanent=True, direction="in")
            held = self.plus_working_days(notice, self.between((5, 15), (16, 30)))
            self.add(
                "transfer_in_conference",
                held,
                "tc",
                outcome="plan",
                quorate=True,
                votes=self.votes(for_plan=True),
                categories=categories,
                lead_social_worker_named=True,
                minutes_circulated=self.minutes(held),
            )
        else:
            day, seen = self.enquiry(start, prebirth)
            # the conference follows the visit that saw the child
            held = max(
                self.plus_working_days(day, self.between((5, 15), (16, 30))), self.plus_working_days(seen, 1)
            )
            # the enquiry's conclusion, recorded before the conference
            concluded = max(day, self.plus_working_days(held, -1 - self.draw(st.integers(0, 2))))
            self.add("s47_outcome", concluded, "so", icpc_required=True)
            if prebirth:
                # week 24 to week 30 of pregnancy: 16 to 10 weeks before the due date
                weeks_before = self.between((10, 16), (6, 9))
                child["expected_delivery_date"] = _iso(held + timedelta(weeks=weeks_before))
            reconvened_from: str | None = None
            if self.chance(0.08):  # no majority: adjourned on an interim plan, then reconvened
                reconvened_from = self.add(
                    "icpc",
                    held,
                    "ic",
                    outcome="adjourned",
                    quorate=True,
                    votes={"for_plan": 3, "against_plan": 3},
                    adjournment_reason="other",
                    categories=categories,
                    prebirth=True if prebirth else None,
                    minutes_circulated=self.minutes(held),
                )
                self.add("plan_start", held, "ps", categories=categories, interim=True)
                interim, started = True, held
                held = self.plus_working_days(held, self.between((1, 5), (6, 12)))
            self.add(
                "icpc",
                held,
                "ic",
                outcome="plan",
                quorate=True,
                votes=self.votes(for_plan=True),
                categories=categories,
                reconvened_from=reconvened_from if self.ids else None,
                prebirth=True if prebirth else None,
                lead_social_worker_named=True,
                outline_plan_circulated=self.plus_working_days(held, self.between((0, 1), (2, 5))),
                minutes_circulated=self.minutes(held),
            )
        if not interim:
            self.add("plan_start", held, "ps", categories=categories)
            started = held
        end = held + timedelta(days=plan_days)
        reason: str | None = None
        if closed:
            roll = self.draw(_ROLL)  # mostly no longer at risk
            reason = "no_longer_at_risk" if roll < 700 else ("moved_out", "looked_after", "died")[roll % 3]
            if reason == "died" and not self.may_die:
                reason = "looked_after"  # a child who died has no later enquiry or plan
            if reason == "no_longer_at_risk" and not self.late():
                # at least six months (a minimum duration), and for neglect six months of
                # sustained change after the first review
                end = max(end, held + relativedelta(months=9 if "neglect" in categories else 6, days=7))
        end = self.working_day(end)
        if self.eighteenth is not None and end >= self.eighteenth:
            end, reason = self.eighteenth, "turned_18"
        born: date | None = None
        if prebirth:
            born = date.fromisoformat(child["expected_delivery_date"]) + timedelta(
                days=self.draw(st.integers(-14, 14))
            )
            if born <= end:
                self.add("birth", born, "b")
            else:
                born = None
        self.core_groups(held, end)
        self.visits(started, end, born, prebirth)
        self.reviews(held, end, categories, born)
        if reason is not None:
            self.plan_end(held, end, categories, reason)
        return end

    def schedule(
        self, first: date, end: date, every: tuple[int, int], late: tuple[int, int], *, working: bool = False
    ) -> list[date]:
        """Days from ``first`` to ``end`` about every ``every`` days (one draw sets the cadence,
        one more the small variations), with some gaps stretched to ``late`` (with the late
        probability): a handful of draws however long the plan. ``working``: on working days
        (an on-time meeting moves earlier, a late one later)."""
        if first > end:
            return []
        cadence = every[1] - self.draw(st.integers(0, every[1] - every[0]))  # shrinks to the fewest days
        wobble = self.draw(st.integers(0, 6))  # varies the days a little, never past the cadence
        slots = (end - first).days // every[0] + 1
        stretched = set(self.some_of(slots, 1 - self.late_threshold / 1000))
        days: list[date] = []
        day = first
        for slot in range(slots):
            if day > end:
                break
            days.append(day)
            gap = cadence - (slot * 5 + wobble) % min(3, cadence - every[0] + 1)
            if slot + 1 in stretched:
                gap = late[0] + (slot * 7 + wobble) % (late[1] - late[0] + 1)
                day = self.working_day(day + timedelta(days=gap)) if working else day + timedelta(days=gap)
            else:
                day = day + timedelta(days=gap)
                day = self.working_day_before(day) if working else day
        return days

    def core_groups(self, held: date, end: date) -> None:
        first = self.plus_working_days(held, self.between((1, 10), (11, 20)))
        days = self.schedule(first, end, (14, 28), (29, 45), working=True)
        delay = 1 + self.draw(st.integers(0, 2))  # minutes out 1 to 3 working days after
        slow = set(self.some_of(len(days), 1 - self.late_threshold / 1000))
        for index, day in enumerate(days):
            minutes = self.plus_working_days(day, delay if index not in slow else 4 + index % 7)
            self.add(
                "core_group", day, "cg", status="held", minutes_circulated=minutes, absent_agency_reports=True
            )
        # a few meetings were first called for an earlier day, then cancelled or rescheduled
        for index in self.some_of(len(days), 0.05):
            first_called = days[index] - timedelta(days=1 + index % 5)
            if index > 0 and first_called <= days[index - 1]:
                continue
            status = ("rescheduled", "cancelled")[index % 2]
            facts = {"rescheduled_in_writing": True} if status == "rescheduled" else {}
            self.add("core_group", first_called, "cg", status=status, **facts)

    def visits(self, started: date, end: date, born: date | None, prebirth: bool) -> None:
        days = self.schedule(
            started + timedelta(days=1 + self.draw(st.integers(0, 9))), end, (5, 14), (15, 25)
        )
        # alone, and the bedroom seen, on alternate visits; some slip (with the late probability)
        slips = set(self.some_of(len(days), 1 - self.late_threshold / 1000))
        for rank, day in enumerate(days):
            facts: dict[str, Any] = {}
            if not (prebirth and (born is None or day < born)):  # no facts before the birth
                alone = rank % 2 == 0 and rank not in slips
                infant = born is not None and day < born + timedelta(days=365)
                facts = {"seen_alone": alone, "bedroom_seen": alone, "child_awake": True if infant else None}
            self.add("visit", day, "v", outcome="seen", by="lead_social_worker", **facts)
        # some attempts between two visits found no one in, or the child refused; the manager
        # is told the next working day, and after two in a row the lead social worker too
        unheeded = 1 - self.late_threshold / 1000
        for index in self.some_of(len(days), 0.1):
            if prebirth and (born is None or days[index] < born):
                continue
            after = min(days[index + 1], end) if index + 1 < len(days) else end
            day = days[index]
            for attempt in range(2 if index % 5 == 0 else 1):
                day = day + timedelta(days=1)
                if day >= after:
                    break
                self.add(
                    "visit", day, "v", outcome=("no_access", "refused")[index % 2], by="lead_social_worker"
                )
                if not self.chance(unheeded):
                    told = self.plus_working_days(day, index % 2)
                    self.add("escalation", told, "es", to="line_manager")
                    if attempt == 1:
                        self.add("escalation", told, "es", to="lead_social_worker")

    def reviews(self, held: date, end: date, categories: list[str], born: date | None) -> None:
        three_months = held + relativedelta(months=3)
        early = self.between((0, 20), (-30, -1))
        day = three_months - timedelta(days=early)
        day = self.working_day_before(day) if early >= 0 else self.working_day(day)
        neglect = "neglect" in categories
        while day < end:
            review = self.add(
                "review_conference",
                day,
                "rc",
                outcome="continue",
                quorate=True,
                votes=self.votes(for_plan=True),
                categories=categories,
                neglect_assessment_revised=True if neglect else None,
                minutes_circulated=self.minutes(day),
            )
            if self.ids and self.chance(0.1):  # the plan changed, as the review decided
                self.add("plan_changed", day, "pc", decided_at=review)
            early = self.between((0, 40), (-30, -1))
            day = day + relativedelta(months=6) - timedelta(days=early)
            day = self.working_day_before(day) if early >= 0 else self.working_day(day)
        if born is not None:  # a conference reconvenes after the birth of a baby on a pre-birth plan
            reconvened = self.plus_working_days(born, self.between((1, 15), (16, 30)))
            if reconvened < end:
                self.add(
                    "review_conference",
                    reconvened,
                    "rc",
                    outcome="continue",
                    quorate=True,
                    votes=self.votes(for_plan=True),
                    categories=categories,
                    neglect_assessment_revised=True if neglect else None,
                    minutes_circulated=self.minutes(reconvened),
                )

    def plan_end(self, held: date, end: date, categories: list[str], reason: str) -> None:
        day = end
        decided_at: str | None = None
        if reason == "no_longer_at_risk" and "neglect" in categories:
            months = self.between((6, 12), (1, 5))  # six months of sustained change, or fewer
            sustained = max(held + timedelta(days=1), day - relativedelta(months=months))
            self.add("sustained_change_from", sustained, "scf")
        if reason == "moved_out":
            notice = max(held + timedelta(days=1), day - timedelta(days=10 + self.draw(st.integers(0, 20))))
            self.add("move_notified", notice, "mn", permanent=True, direction="out")
            if not self.late():  # the receiving authority's conference, before the plan ends
                decided_at = self.add(
                    "transfer_in_conference",
                    day,
                    "tc",
                    outcome="plan",
                    quorate=True,
                    categories=categories,
                    held_by="receiving_authority",
                    minutes_circulated=self.minutes(day),
                )
        if reason == "looked_after":
            looked_after = max(held + timedelta(days=1), day - timedelta(days=self.draw(st.integers(1, 14))))
            self.add(
                "looked_after",
                looked_after,
                "la",
                basis=self.pick(("interim_care_order", "section_20", "care_order")),
                living_with_family=False,
                unsupervised_contact_with_risk=False,
                rehabilitation_planned=False,
            )
        if reason in ("no_longer_at_risk", "looked_after"):  # a quorate review decides to end it
            decided_at = self.add(
                "review_conference",
                day,
                "rc",
                outcome="cease",
                quorate=True,
                votes=self.votes(for_plan=False),
                categories=categories,
                cin_plan_presented=True,
                neglect_assessment_revised=True if "neglect" in categories else None,
                minutes_circulated=self.minutes(day),
            )
        self.add(
            "plan_end",
            day,
            "pe",
            reason=reason,
            decided_at=decided_at if self.ids else None,
            notifications_sent=self.plus_working_days(day, self.between((1, 3), (4, 10))),
        )
        if not self.late():  # the child in need meeting that follows
            self.add("cin_meeting", self.plus_working_days(day, self.draw(st.integers(1, 10))), "cin")

    def extras(self, count: int, kinds: Sequence[str], first: date, last: date) -> None:
        """``count`` rarer events on days between ``first`` and ``last``."""
        for _ in range(count):
            kind = self.pick(kinds)
            day = first + timedelta(days=self.draw(st.integers(0, max(0, (last - first).days))))
            event = self.draw(events(kind, on=day, fill="some"))
            facts = {name: value for name, value in event.items() if name not in ("type", "date")}
            if kind == "plan_changed" and self.ids:
                conferences = [e["id"] for e in self.events if e["type"] == "review_conference"]
                if conferences:
                    facts["decided_at"] = self.pick(conferences)
            self.add(kind, day, "x", **facts)
            if kind == "hospital_admission":  # the discharge that follows
                out = day + timedelta(days=1 + self.draw(st.integers(0, 19)))
                self.add("hospital_discharge", out, "hd", planned=facts.get("planned"))


def _range(name: str, value: tuple[int, int]) -> tuple[int, int]:
    low, high = value
    if not 0 <= low <= high:
        raise InvalidArgument(f"{name} must be (low, high) with 0 <= low <= high; got {value!r}")
    return low, high


def _probability(name: str, value: float) -> float:
    if not 0 <= value <= 1:
        raise InvalidArgument(f"{name} must lie between 0 and 1; got {value!r}")
    return value


def _pack_authorities(pack: Pack | None) -> tuple[str, ...]:
    found: list[str] = []
    for rule in pack.rules if pack is not None else ():
        condition = rule.applies_when
        if condition is None or condition.authority is None:
            continue
        names = (condition.authority,) if isinstance(condition.authority, str) else condition.authority
        found.extend(name for name in names if name not in found)
    return tuple(found)


def _pack_types(pack: Pack | None) -> set[str]:
    needed: set[str] = set()
    for needs in pack.rule_needs.values() if pack is not None else ():
        needed.update(need.partition(".")[0] for need in needs)
    return needed


@st.composite
def _case_data(
    draw: st.DrawFn,
    *,
    calendar: WorkingCalendar,
    episodes: tuple[int, int],
    enquiries_without_plan: tuple[int, int],
    start: tuple[date, date],
    plan_days: tuple[int, int],
    open_last: bool | None,
    late_probability: float,
    missing_probability: float,
    prebirth_probability: float,
    extra_events: tuple[int, int],
    extra_types: tuple[str, ...],
    authorities: tuple[str | None, ...],
    records: bool | None,
    ids: bool,
    shuffle: bool,
) -> dict[str, Any]:
    build = _Builder(draw, calendar, late_probability, missing_probability, ids)
    first_day = draw(st.dates(min_value=start[0], max_value=start[1]))
    plans = draw(st.integers(*episodes))
    others = draw(st.integers(*enquiries_without_plan))
    # which cycles are plans: the order of plans and enquiries that led nowhere; an open plan
    # can only be the last thing in the case
    kinds = ["plan"] * plans + ["enquiry"] * others
    if plans and others:
        kinds = list(draw(st.permutations(kinds)))
    open_plan = plans > 0 and (build.chance(0.5) if open_last is None else open_last)
    if open_plan and kinds[-1] != "plan":
        kinds.remove("plan")
        kinds.append("plan")

    child: dict[str, Any]
    if build.chance(prebirth_probability):
        child = {"expected_delivery_date": _iso(first_day + timedelta(weeks=14))}
    else:
        # young enough to stay under 18 through every cycle asked for, and born in 1990 or later
        span = plans * (plan_days[1] + 460) + others * 520
        oldest = max(30, min(17 * 365, 18 * 365 - 60 - span, (first_day - MIN_DATE).days))
        born = first_day - timedelta(days=draw(st.integers(min(30, oldest), oldest)))
        child = {"date_of_birth": _iso(born)}
        build.eighteenth = born + relativedelta(years=18)

    day = first_day
    for position, kind in enumerate(kinds):
        if build.eighteenth is not None and day >= build.eighteenth - relativedelta(months=3):
            break  # too near the child's 18th birthday for another enquiry
        if kind == "plan":
            length = draw(st.integers(*plan_days))
            closed = not (open_plan and position == len(kinds) - 1)
            build.may_die = position == len(kinds) - 1
            last = build.plan_episode(day, length, closed, child)
        else:
            last = build.enquiry_without_plan(
                day, prebirth="expected_delivery_date" in child and position == 0
            )
        day = last + timedelta(days=draw(st.integers(14, 400)))

    if build.events and extra_types:
        count = draw(st.integers(*extra_events))
        dated = [date.fromisoformat(e["date"]) for e in build.events]
        build.extras(count, extra_types, min(dated), max(dated))
    build.leave_facts_empty()
    build.events.sort(key=lambda event: str(event["date"]))  # date order (stable: same-day order kept)

    events_out = build.events
    if not ids:
        events_out = [
            {k: v for k, v in e.items() if k not in ("id", "decided_at", "reconvened_from")}
            for e in events_out
        ]
    if shuffle:
        events_out = draw(st.permutations(events_out))
    data: dict[str, Any] = {
        "case_id": f"C-{draw(st.integers(1, 99_999))}",
        "child": child,
    }
    authority = draw(st.sampled_from(authorities))
    if authority is not None:
        data["authority"] = authority
    if records is True or (records is None and build.chance(0.1)):
        present = sorted({e["type"] for e in build.events})
        if present:
            data["records"] = draw(st.lists(st.sampled_from(present), min_size=1, unique=True).map(sorted))
    data["events"] = list(events_out)
    return data


def case_data(
    *,
    pack: Pack | None = None,
    calendar: WorkingCalendar | None = None,
    episodes: tuple[int, int] = (0, 3),
    enquiries_without_plan: tuple[int, int] = (0, 1),
    start: tuple[date, date] = _DEFAULT_START,
    plan_days: tuple[int, int] = (14, 600),
    open_last: bool | None = None,
    late_probability: float = 0.2,
    missing_probability: float = 0.05,
    prebirth_probability: float = 0.08,
    extra_events: tuple[int, int] = (0, 3),
    extra_types: Iterable[str] | None = None,
    authority: str | Iterable[str | None] | None = None,
    records: bool | None = False,
    ids: bool = True,
    shuffle: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Realistic case timelines as JSON-ready data (what :func:`cprules.parse_case` reads).

    Each case holds ``episodes`` plan episodes (a ``(low, high)`` range; never overlapping;
    only the last thing in the case may be a plan still open) and ``enquiries_without_plan``
    enquiries that led to no plan, in a drawn order. A plan episode is a strategy discussion
    (sometimes two), the child seen, the enquiry's conclusion and an ICPC (sometimes adjourned
    on an interim plan and reconvened; sometimes a transfer-in conference after notice of a
    move instead) with ``plan_start`` the same day; core groups about every two to four weeks
    with their minutes, a few first called for another day and rescheduled or cancelled;
    visits every one to two weeks, the child seen alone and the bedroom seen on alternate
    visits, with now and then an attempt that found no one in, followed by an escalation; a
    first review within three months and reviews about six-monthly; and, when closed, the end:
    no longer at risk (after at least six months, by a quorate review that decides to cease;
    for neglect, after six months of sustained change), a move out (after the receiving
    authority's conference, ``held_by: receiving_authority``), becoming looked after, the
    child's death, or the 18th birthday;
    the agencies told, and a child in need meeting. A pre-birth case has an expected delivery
    date, a pre-birth ICPC in weeks 24 to 30, the birth and a conference reconvened after it.
    The child is young enough to stay under 18 through the cycles drawn.

    - ``pack``: take the calendar from the pack (so lateness is in its working days), the
      ``authority`` from its ``applies_when`` rules, and the extra event types from those its
      rules read. ``calendar`` overrides the pack's (default England).
    - ``late_probability``: roughly how often each timed thing is late (a conference, a core
      group or its minutes, a visit gap, a review, an escalation, the sustained change before
      an end, the child seen alone on alternate visits); 0 for none, 1 for all.
    - ``missing_probability``: roughly what share of facts (``s47``, ``quorate``, ``outcome``,
      a follow-up date, ``reason``...) is left empty.
    - ``plan_days``: the range of a plan's length in days (an on-time end for improvement
      lengthens it to six months); ``start``: the range of the first event's date;
      ``open_last``: True keeps the last plan open, False closes it, None draws.
    - ``prebirth_probability``: how often the child is unborn when the case starts.
    - ``extra_events``: how many rarer events (:data:`RARE_EVENT_TYPES`, or ``extra_types``)
      to scatter over the timeline, their facts drawn by :func:`events`.
    - ``authority``: a name or a list of names (None among them for "not said").
    - ``records``: True writes a ``records`` list naming some of the case's event types (a
      source that does not record everything); None sometimes does; False never.
    - ``ids``: False leaves event ids out (the engine names events by type and date), and with
      them the fields that refer to other events (``decided_at``, ``reconvened_from``).
    - ``shuffle``: write the events in a drawn order instead of date order.

    A case draws a few dozen choices however long it is (a cadence for visits and core groups,
    then the few that deviate), so it is quick to draw and shrinks well: towards one short plan
    with nothing late and nothing missing, visits a fortnight apart and core groups four weeks
    apart, in a few seconds.

    >>> from hypothesis import find
    >>> data = find(case_data(episodes=(0, 0), enquiries_without_plan=(1, 1), prebirth_probability=0),
    ...             lambda data: True)
    >>> [(event["id"], event["type"]) for event in data["events"]]
    [('sd1', 'strategy_discussion'), ('v1', 'visit'), ('so1', 's47_outcome')]
    """
    _range("episodes", episodes)
    _range("enquiries_without_plan", enquiries_without_plan)
    _range("plan_days", plan_days)
    _range("extra_events", extra_events)
    _check_range(*start)
    if start[1] > _LAST_START:
        raise InvalidArgument(f"start must end by {_LAST_START}, to leave room for the timeline")
    chosen_calendar = calendar or (pack.calendar if pack is not None else WorkingCalendar("GB", "ENG"))
    if extra_types is None:
        relevant = _pack_types(pack)
        kinds = tuple(k for k in RARE_EVENT_TYPES if k in relevant) if pack is not None else ()
        extra_types = kinds or RARE_EVENT_TYPES
    extra = tuple(extra_types)
    for kind in extra:
        if kind not in EVENT_MODELS or kind in ("plan_start", "plan_end"):
            raise InvalidArgument(f"extra_types cannot hold {kind!r} (unknown, or it makes an episode)")
    authorities: tuple[str | None, ...]
    if authority is None:
        found = _pack_authorities(pack)
        authorities = (*found, None) if found else (None,)
    elif isinstance(authority, str):
        authorities = (authority,)
    else:
        authorities = tuple(authority) or (None,)
    return _case_data(
        calendar=chosen_calendar,
        episodes=episodes,
        enquiries_without_plan=enquiries_without_plan,
        start=start,
        plan_days=plan_days,
        open_last=open_last,
        late_probability=_probability("late_probability", late_probability),
        missing_probability=_probability("missing_probability", missing_probability),
        prebirth_probability=_probability("prebirth_probability", prebirth_probability),
        extra_events=extra_events,
        extra_types=extra,
        authorities=authorities,
        records=records,
        ids=ids,
        shuffle=shuffle,
    )


def timelines(**options: Any) -> st.SearchStrategy[list[dict[str, Any]]]:
    """The event lists of :func:`case_data` (same options): a timeline without the child.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(timelines(episodes=(1, 1), open_last=True))
    ... def test_one_open_plan(events):
    ...     assert [e["type"] for e in events].count("plan_start") == 1
    ...     assert "plan_end" not in [e["type"] for e in events]
    >>> test_one_open_plan()
    """
    return case_data(**options).map(lambda data: list(data["events"]))


def cases(**options: Any) -> st.SearchStrategy[Case]:
    """Parsed :class:`~cprules.Case` objects drawn from :func:`case_data` (same options).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(cases(episodes=(2, 2), open_last=False))
    ... def test_two_closed_plans(case):
    ...     assert [episode.end_index is not None for episode in case.episodes] == [True, True]
    >>> test_two_closed_plans()
    """
    return case_data(**options).map(parse_case)


# ---------------------------------------------------------------------------------------------
# Report dates


def _event_days(case: Case | Mapping[str, Any]) -> list[date]:
    if isinstance(case, Case):
        return sorted(event.date for event in case.events)
    found: list[date] = []
    for event in case.get("events") or ():
        try:
            found.append(date.fromisoformat(str(event["date"])))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(found)


def as_of_dates(
    case: Case | Mapping[str, Any],
    *,
    before: int = 30,
    after: int = 400,
    near: int = 7,
) -> st.SearchStrategy[date]:
    """Report dates worth asking about for ``case``: within ``near`` days of one of its events
    (where statuses change), or anywhere from ``before`` days before its first event to
    ``after`` days after its last. Always inside 1990..2100. Shrinks to the first event's day.

    >>> from hypothesis import find
    >>> case = parse_case({"case_id": "A", "events": [{"type": "birth", "date": "2024-05-01"}]})
    >>> find(as_of_dates(case), lambda as_of: True)
    datetime.date(2024, 5, 1)
    >>> date(2024, 6, 1) < find(as_of_dates(case), lambda as_of: as_of > date(2024, 6, 1)) <= date(2025, 6, 5)
    True
    """
    days = _event_days(case)
    if not days:
        return dates(*_DEFAULT_START)
    offset: Callable[[tuple[date, int]], date] = lambda pair: _clamped(pair[0] + timedelta(days=pair[1]))  # noqa: E731
    around = st.tuples(st.sampled_from(days), st.integers(-near, near)).map(offset)
    span = st.dates(
        min_value=_clamped(days[0] - timedelta(days=before)),
        max_value=_clamped(days[-1] + timedelta(days=after)),
    )
    return st.one_of(around, span)
