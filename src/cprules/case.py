"""The case timeline: one child, their events, and the plan episodes those events make.

A case is validated once, on the way in (:func:`parse_case`, :func:`load_case`, or
``Case.model_validate``); everything the engine needs afterwards (events in timeline order,
plan episodes) is derived from it once and cached on the immutable model.

>>> case = parse_case({
...     "case_id": "A-1",
...     "child": {"date_of_birth": "2018-05-10"},
...     "events": [
...         {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...         {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...         {"type": "core_group", "date": "2024-04-02", "status": "held"},
...     ],
... })
>>> [event.id for event in case.ordered_events]
['ic', 'ps', 'core_group 2024-04-02']
>>> case.episodes[0].start_index, case.episodes[0].end_index
(1, None)
"""

from __future__ import annotations

import difflib
import json
import os
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar, Union, get_args, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from cprules.errors import CaseError, SourceError
from cprules.words import EVENT_LABELS

__all__ = [
    "CASE_SCHEMA_VERSION",
    "EVENT_LABELS",
    "EVENT_MODELS",
    "JSON_PAIRS",
    "MAX_CASE_BYTES",
    "MAX_DATE",
    "MAX_EVENTS_PER_CASE",
    "MIN_DATE",
    "Case",
    "Child",
    "Episode",
    "Event",
    "Votes",
    "load_case",
    "parse_case",
]

CASE_SCHEMA_VERSION = 1
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_CASE_BYTES = 16 * 1024 * 1024
#: events one case may have; a case past it is refused (a runaway or hostile source)
MAX_EVENTS_PER_CASE = 100_000
#: the most votes one side of a conference may have (a conference is a room of people)
MAX_VOTES = 1_000
#: the longest visit or core group interval a conference may set: a year (366 days)
MAX_INTERVAL_DAYS = 366

#: A date the engine can reason about: working-day arithmetic is exact from 1990 to 2100.
CaseDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
Category = Literal["neglect", "physical", "sexual", "emotional"]
AdjournmentReason = Literal["missing_reports", "attendance", "other"]
LooksAfterBasis = Literal["interim_care_order", "care_order", "section_20", "other"]
JsonValue = Any

_T = TypeVar("_T")


class _derived(cached_property[_T]):
    """``functools.cached_property`` without the lock Python 3.11 takes on every first access.

    For values worked out from a frozen model's fields (a label, the timeline order): two
    threads racing would store the same value, and a case computes dozens of them.
    """

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> _T: ...
    def __get__(self, instance: object, owner: type[Any] | None = None) -> _T | Self:
        if instance is None:
            return self
        value: _T = self.func(instance)
        instance.__dict__[self.attrname] = value  # type: ignore[index]
        return value


_FROZEN = ConfigDict(
    frozen=True, extra="forbid", str_strip_whitespace=True, ignored_types=(_derived,), defer_build=True
)




class Votes(BaseModel):
    """How the professionals at a conference voted on whether the child needs a plan."""

    model_config = _FROZEN

    for_plan: int = Field(
        ge=0, le=MAX_VOTES, description="Votes for a child protection plan (or for it to continue)."
    )
    against_plan: int = Field(ge=0, le=MAX_VOTES, description="Votes against a plan (or for it to end).")


class Child(BaseModel):
    """The child: a date of birth, or an expected delivery date for an unborn child."""

    model_config = _FROZEN

    date_of_birth: CaseDate | None = Field(default=None, description="Date of birth.")
    expected_delivery_date: CaseDate | None = Field(
        default=None, description="Expected delivery date, for an unborn child."
    )


class _EventBase(BaseModel):
    model_config = _FROZEN

    #: timeline rank on one day: strategy/s47 first, conferences, plan_start, others, plan_end
    rank: ClassVar[int] = 3

    date: CaseDate = Field(description="The day the event happened (YYYY-MM-DD).")
    id: str = Field(
        default="",
        max_length=200,
        description=(
            "Stable id, unique in the case. An event without one is named by its type and date "
            "('icpc 2024-03-19', then 'icpc 2024-03-19 (2)' for a second that day)."
        ),
    )
    metadata: dict[str, JsonValue] | None = Field(
        default=None, description="Free data the rules never read (source codes, notes)."
    )

    @_derived
    def label(self) -> str:
        """The event in words, for explanations: 'the ICPC ic on 2024-03-19'.

        An event named by its type and date is not named twice: 'the ICPC on 2024-03-19', and
        'the 2nd ICPC on 2024-03-19' for the second of that type that day.
        """
        kind: str = self.type  # type: ignore[attr-defined]
        day = self.date.isoformat()
        name = EVENT_LABELS.get(kind, kind)
        number = self.unnamed_number
        if number is None:
            return f"the {name} {self.id} on {day}"
        if number == 1:
            return f"the {name} on {day}"
        return f"the {_ordinal(number)} {name} on {day}"


    @_derived
    def unnamed_number(self) -> int | None:
        """None for an event the source named; 1 for one named ``icpc 2024-03-19`` by its type and
        date, n for ``icpc 2024-03-19 (n)``. Explanations never repeat a made-up name: they say
        "the ICPC on 2024-03-19", or "the 2nd ICPC on 2024-03-19"."""
        kind: str = self.type  # type: ignore[attr-defined]
        if not self.id.startswith(kind):  # the source's own id (the commonest): no date to write
            return None
        return _unnamed_number(self.id, kind, self.date.isoformat())


def _unnamed_number(event_id: str, kind: str, day: str) -> int | None:
    """1 for ``icpc 2024-03-19``, n for ``icpc 2024-03-19 (n)``; None for any other id."""
    base = f"{kind} {day}"
    if event_id == base:
        return 1
    if event_id.startswith(base + " (") and event_id.endswith(")"):
        digits = event_id[len(base) + 2 : -1]
        if digits.isdigit() and len(digits) < 7:
            return int(digits)
    return None


def _ordinal(number: int) -> str:
    """'2nd', '3rd', '11th', '22nd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class StrategyDiscussion(_EventBase):
    """A strategy discussion (or meeting) about a child."""

    rank: ClassVar[int] = 0
    type: Literal["strategy_discussion"]
    s47: bool | None = Field(
        default=None, description="The discussion decided to start, or confirmed, section 47 enquiries."
    )
    prebirth: bool | None = Field(
        default=None,
        description=(
            "The discussion concerned an unborn child (when empty, the case settles it from the "
            "child's date of birth or expected delivery date)."
        ),
    )


class S47Outcome(_EventBase):
    """The conclusion of a section 47 enquiry."""

    rank: ClassVar[int] = 0
    type: Literal["s47_outcome"]
    icpc_required: bool | None = Field(default=None, description="The enquiry concluded an ICPC is needed.")


class _Conference(_EventBase):
    rank: ClassVar[int] = 1
    categories: tuple[Category, ...] | None = Field(default=None, description="Categories of abuse.")
    votes: Votes | None = Field(
        default=None, description="How the professionals voted on whether the child needs a plan."
    )
    quorate: bool | None = Field(default=None, description="The conference was quorate.")
    reconvened_from: str | None = Field(
        default=None, description="Id of the adjourned conference this one reconvenes."
    )
    absent_agency_reports: bool | None = Field(
        default=None, description="Every agency that could not attend sent a written report."
    )
    adjournment_reason: AdjournmentReason | None = Field(
        default=None, description="Why the conference was adjourned or postponed."
    )
    visit_interval_days: int | None = Field(
        default=None, ge=1, le=MAX_INTERVAL_DAYS, description="Visit frequency the conference set, in days."
    )
    visit_interval_reason: str | None = Field(
        default=None, description="The conference's reasons for the visit frequency it set."
    )
    core_group_interval_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_INTERVAL_DAYS,
        description="Core group frequency the conference set, in days.",
    )
    minutes_circulated: CaseDate | None = Field(default=None, description="Date the minutes went out.")
    held_by: Literal["this_authority", "receiving_authority"] | None = Field(
        default=None,
        description=(
            "Who held the conference: absent or this_authority for this authority's own; "
            "receiving_authority for the receiving authority's conference after the child moves out. "
            "Another authority's conference is evidence for a cessation route only: this "
            "authority's rules about its own conferences (timescales, minutes, outline plans) "
            "do not apply to it."
        ),
    )


class Icpc(_Conference):
    """An initial child protection conference."""

    type: Literal["icpc"]
    outcome: Literal["plan", "no_plan", "adjourned", "postponed"] | None = Field(
        default=None, description="What the conference decided, or that it was adjourned or postponed."
    )
    secondary_factors: tuple[str, ...] | None = Field(
        default=None, description="Other concerns the conference recorded (free text)."
    )
    prebirth: bool | None = Field(default=None, description="A pre-birth conference.")
    lead_social_worker_named: bool | None = Field(
        default=None, description="The conference named the lead social worker."
    )
    outline_plan_circulated: CaseDate | None = Field(
        default=None, description="Date the outline plan went out."
    )


class ReviewConference(_Conference):
    """A review child protection conference."""

    type: Literal["review_conference"]
    outcome: Literal["continue", "cease", "adjourned", "postponed"] | None = Field(
        default=None,
        description="The plan continues or ceases, or the conference was adjourned or postponed.",
    )
    neglect_assessment_revised: bool | None = Field(
        default=None, description="A revised neglect assessment was before the conference."
    )
    cin_plan_presented: bool | None = Field(
        default=None, description="A child in need plan was before the conference."
    )


class TransferInConference(_Conference):
    """The receiving authority's conference when a child on a plan moves in."""

    type: Literal["transfer_in_conference"]
    outcome: Literal["plan", "no_plan", "adjourned", "postponed"] | None = Field(
        default=None, description="Whether the receiving authority made a plan."
    )
    lead_social_worker_named: bool | None = Field(
        default=None, description="The conference named the lead social worker."
    )


class PlanStart(_EventBase):
    """A child protection plan starts (opens a plan episode)."""

    rank: ClassVar[int] = 2
    type: Literal["plan_start"]
    categories: tuple[Category, ...] | None = Field(default=None, description="Categories of abuse.")
    interim: bool | None = Field(default=None, description="An interim plan pending a reconvened conference.")


class PlanEnd(_EventBase):
    """A child protection plan ends (closes the open episode)."""

    rank: ClassVar[int] = 4
    type: Literal["plan_end"]
    reason: (
        Literal["no_longer_at_risk", "moved_out", "turned_18", "died", "left_uk", "looked_after"] | None
    ) = Field(default=None, description="Why the plan ended; absent when the source does not say.")
    decided_at: str | None = Field(default=None, description="Id of the conference that decided it.")
    notifications_sent: CaseDate | None = Field(
        default=None, description="Date the agencies and family were told."
    )


class PlanChanged(_EventBase):
    """The plan was changed."""

    type: Literal["plan_changed"]
    decided_at: str | None = Field(default=None, description="Id of the conference that decided it.")


class CoreGroup(_EventBase):
    """A core group meeting."""

    type: Literal["core_group"]
    status: Literal["held", "cancelled", "rescheduled"] | None = Field(
        default=None, description="Whether the meeting took place."
    )
    minutes_circulated: CaseDate | None = Field(
        default=None, description="Date the minutes (notes) went out."
    )
    rescheduled_in_writing: bool | None = Field(
        default=None, description="A rescheduled meeting's new date was given in writing."
    )
    absent_agency_reports: bool | None = Field(
        default=None, description="Every agency that could not attend sent a written report."
    )


class Visit(_EventBase):
    """A statutory visit to the child."""

    type: Literal["visit"]
    outcome: Literal["seen", "not_seen", "no_access", "refused"] | None = Field(
        default=None, description="Whether the child was seen, or why not."
    )
    seen_alone: bool | None = Field(
        default=None,
        description=(
            "The child was seen alone (when empty, false if the outcome says the child was not seen)."
        ),
    )
    bedroom_seen: bool | None = Field(
        default=None,
        description="The child's bedroom was seen (when empty, false if the outcome is no_access).",
    )
    child_awake: bool | None = Field(
        default=None,
        description="The child (an infant) was seen awake (when empty, false if the child was not seen).",
    )
    by: Literal["lead_social_worker", "core_group_member"] | None = Field(
        default=None, description="Who visited."
    )


class Escalation(_EventBase):
    """A concern escalated to someone."""

    type: Literal["escalation"]
    to: Literal["line_manager", "lead_social_worker", "senior_manager"] | None = Field(
        default=None, description="Who was told."
    )


class _LookedAfterBase(_EventBase):
    basis: LooksAfterBasis | None = Field(default=None, description="The legal basis.")
    living_with_family: bool | None = Field(default=None, description="The child lives with the family.")
    unsupervised_contact_with_risk: bool | None = Field(
        default=None, description="The child has unsupervised contact with the person who poses a risk."
    )
    rehabilitation_planned: bool | None = Field(
        default=None, description="A return home (rehabilitation) is planned."
    )


class LookedAfter(_LookedAfterBase):
    """The child becomes looked after."""

    type: Literal["looked_after"]


class LookedAfterEnd(_LookedAfterBase):
    """The child stops being looked after."""

    type: Literal["looked_after_end"]


class RemovedFromAccommodation(_EventBase):
    """Parents remove the child from accommodation, or a court returns a child in care home."""

    type: Literal["removed_from_accommodation"]


class MoveNotified(_EventBase):
    """Notice that the child moves between authorities."""

    type: Literal["move_notified"]
    permanent: bool | None = Field(default=None, description="The move is permanent.")
    direction: Literal["in", "out"] | None = Field(
        default=None, description="Into this authority's area, or out of it."
    )


class HospitalAdmission(_EventBase):
    """The child is admitted to hospital."""

    type: Literal["hospital_admission"]
    planned: bool | None = Field(default=None, description="A planned admission (not an emergency).")


class HospitalDischarge(_EventBase):
    """The child is discharged from hospital."""

    type: Literal["hospital_discharge"]
    planned: bool | None = Field(default=None, description="The admission it ends was planned.")


class Birth(_EventBase):
    """The birth of a child who was subject to a pre-birth plan."""

    type: Literal["birth"]


class SignificantChange(_EventBase):
    """A significant change of circumstances."""

    type: Literal["significant_change"]
    kind: str | None = Field(default=None, description="e.g. moved_to_different_family")


class SustainedChangeFrom(_EventBase):
    """The date from which the conference judged the improvement sustained."""

    type: Literal["sustained_change_from"]


class CinMeeting(_EventBase):
    """A child in need meeting."""

    type: Literal["cin_meeting"]


class CaseDiscussion(_EventBase):
    """A case discussion (e.g. the conference chair and the lead social worker)."""

    type: Literal["case_discussion"]


class PlanSentToIro(_EventBase):
    """The plan was sent to the independent reviewing officer."""

    type: Literal["plan_sent_to_iro"]


class LacReview(_EventBase):
    """A statutory looked-after child (child care) review."""

    type: Literal["lac_review"]


class QualityAssuranceNotification(_EventBase):
    """A quality-assurance notification (a conference postponed or adjourned)."""

    type: Literal["quality_assurance_notification"]




Event = Annotated[
    Union[  # noqa: UP007 - a discriminated union reads clearer spelled out
        StrategyDiscussion,
        S47Outcome,
        Icpc,
        ReviewConference,
        TransferInConference,
        PlanStart,
        PlanEnd,
        PlanChanged,
        CoreGroup,
        Visit,
        Escalation,
        LookedAfter,
        LookedAfterEnd,
        RemovedFromAccommodation,
        MoveNotified,
        HospitalAdmission,
        HospitalDischarge,
        Birth,
        SignificantChange,
        SustainedChangeFrom,
        CinMeeting,
        CaseDiscussion,
        PlanSentToIro,
        LacReview,
        QualityAssuranceNotification,
    ],
    Field(discriminator="type"),
]
"""Any event of the timeline, told apart by its ``type``."""

_EVENT_CLASSES: tuple[type[_EventBase], ...] = get_args(get_args(Event)[0])

#: event type name -> its model; pack validation reads field names and types from here
EVENT_MODELS: Mapping[str, type[_EventBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in _EVENT_CLASSES
}

AnyEvent = _EventBase
"""The common base of every event model (for type hints: every event has date, id, type)."""


def _name_unnamed(events: Sequence[_EventBase], ids: list[str]) -> None:
    """Name each event without an id by its type and date (docs/case-format.md, "Event ids").

    ``icpc 2024-03-19``; a second of that type that day is ``icpc 2024-03-19 (2)``, the two
    put in a canonical order of their fields first, so that neither the order of events in the
    input nor an event inserted elsewhere changes a name (finding keys are built from them). A
    name an explicit id already holds is skipped. ``ids`` is updated in place.
    """
    taken = {event_id for event_id in ids if event_id}
    groups: dict[str, list[int]] = {}
    for position, event in enumerate(events):
        if not event.id:
            kind: str = event.type  # type: ignore[attr-defined]
            groups.setdefault(f"{kind} {event.date.isoformat()}", []).append(position)
    for base, positions in groups.items():
        if len(positions) > 1:
            positions.sort(key=lambda position: _canonical(_fields_of(events[position])))
        number = 0
        for position in positions:
            while True:
                number += 1
                name = base if number == 1 else f"{base} ({number})"
                if name not in taken:
                    break
            taken.add(name)
            # frozen after validation; this is the validator finishing the value
            object.__setattr__(events[position], "id", name)
            ids[position] = name


def _fields_of(event: _EventBase) -> dict[str, Any]:
    return {name: getattr(event, name) for name in type(event).model_fields if name != "id"}


def _canonical(value: Any) -> str:
    """A text that is the same for equal values, however their mappings were ordered."""
    if isinstance(value, BaseModel):
        return _canonical(dict(value))
    if isinstance(value, Mapping):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_canonical(item) for item in value)) + "}"
    if isinstance(value, int) and not isinstance(value, bool):
        return hex(value)  # repr() of an int past 4,300 digits raises; hex() never does
    return f"{type(value).__name__}:{value!r}"


def _plans_alternate(events: Sequence[_EventBase]) -> bool:
    """True when, in timeline order, each ``plan_start`` is ended before the next starts and
    each ``plan_end`` ends an open plan: the case's plans need no more checking.

    Only the plan events are sorted (by the timeline's key, so in the order they have in
    :attr:`Case.ordered_events`, ids being unique by now): the timeline itself is worked out
    when first used. Otherwise :meth:`Case._check_episodes` settles it: an error, or a day on
    which a plan ends and the next starts, put in its order.
    """
    plans = list(compress(events, map(_PLAN_MODELS.__contains__, map(type, events))))
    if not plans:
        return True
    plans.sort(key=_sort_key)
    open_plan = False
    for event in plans:
        starts = type(event) is PlanStart
        if starts is open_plan:
            return False
        open_plan = starts
    return True


_PLAN_MODELS = frozenset({PlanStart, PlanEnd})


@dataclass(frozen=True, slots=True)
class Episode:
    """One child protection plan, from its ``plan_start`` to its ``plan_end`` (or still open).

    Indexes point into :attr:`Case.ordered_events`. ``opened_by_index`` is the ICPC or
    transfer-in conference that started the plan (the latest one on or before the
    ``plan_start`` and after the previous plan's end), when the timeline has one.
    """

    number: int
    start_index: int
    end_index: int | None
    opened_by_index: int | None


#: the timeline order of events: by date, then rank on one day, then id
_sort_key = attrgetter("date", "rank", "id")
_PLAN_START_RANK = 2
_PLAN_END_RANK = 4
#: on a re-planning day, the conferences that open plans come after the open plan's end
_OPENS_A_PLAN = frozenset({"icpc", "transfer_in_conference"})


def _close_before_reopening(ordered: list[_EventBase], days: set[date]) -> None:
    """Reorder, in place, each day of ``days`` on which a plan is open when the day begins:
    strategy discussions, section 47 outcomes and review conferences (which decide the end)
    first, then the day's first ``plan_end``, then the rest in their usual order."""
    open_plan = False
    index = 0
    while index < len(ordered):
        day_of = ordered[index].date
        end = index + 1
        while end < len(ordered) and ordered[end].date == day_of:
            end += 1
        day = ordered[index:end]
        if open_plan and day_of in days:
            first_end = next(event for event in day if event.rank == _PLAN_END_RANK)

            def replanning_order(event: _EventBase, first_end: _EventBase = first_end) -> tuple[float, str]:
                if event is first_end:
                    return (1.5, event.id)
                if event.type in _OPENS_A_PLAN:  # type: ignore[attr-defined]
                    return (1.7, event.id)
                return (event.rank, event.id)

            day.sort(key=replanning_order)
            ordered[index:end] = day
        for event in day:
            if event.rank == _PLAN_START_RANK:
                open_plan = True
            elif event.rank == _PLAN_END_RANK:
                open_plan = False
        index = end


class Case(BaseModel):
    """One child's case timeline.

    Build it with :func:`parse_case` (errors as :class:`~cprules.CaseError`) or
    ``Case.model_validate`` (pydantic's own errors). Unknown fields are an error, so that a
    typo never silently switches a rule off; free data goes in ``metadata``.

    >>> case = Case.model_validate({"case_id": "B-2", "events": [
    ...     {"type": "strategy_discussion", "date": "2024-03-01", "s47": True}]})
    >>> case.events[0].id, case.events[0].type
    ('strategy_discussion 2024-03-01', 'strategy_discussion')
    """

    model_config = _FROZEN

    schema_: Literal[1] = Field(default=1, alias="schema", description="Version of the case format (1).")
    case_id: str = Field(min_length=1, max_length=200, description="The case's id in the source system.")
    child: Child = Field(
        default_factory=Child, description="The child: a date of birth, or an expected delivery date."
    )
    authority: str | None = Field(
        default=None,
        description="The authority, where one pack covers several (peterborough, cambridgeshire).",
    )
    records: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "What the source records at all: event types, or type.field. Absent means everything; "
            "a rule that needs something not recorded is undetermined, never overdue."
        ),
    )
    metadata: dict[str, JsonValue] | None = Field(default=None, description="Free data.")
    events: tuple[Event, ...] = Field(
        default=(), max_length=MAX_EVENTS_PER_CASE, description="The timeline, in any order."
    )

    @model_validator(mode="after")
    def _name_and_check_events(self) -> Case:
        events = self.events
        ids = [event.id for event in events]
        if "" in ids:
            _name_unnamed(events, ids)
        if len(set(ids)) < len(ids):
            seen: dict[str, int] = {}
            for position, event_id in enumerate(ids):
                if event_id in seen:
                    raise PydanticCustomError(
                        "duplicate_event_id",
                        "duplicate event id (also used by events[{first}]); give each event its own id",
                        {"path": f"events[{position}].id", "first": seen[event_id]},
                    )
                seen[event_id] = position
        if self.records is not None:
            for position, entry in enumerate(self.records):
                kind, _, field = entry.partition(".")
                model = EVENT_MODELS.get(kind)
                if model is None or (field and field not in model.model_fields):
                    raise PydanticCustomError(
                        "unknown_record",
                        "not an event type or type.field of the case format",
                        {"path": f"records[{position}]"},
                    )
        if not _plans_alternate(events):
            self._check_episodes()  # the error, or a re-planning day put in its order
        return self

    def _check_episodes(self) -> None:
        ordered = self.ordered_events
        by_type = self.positions_by_type
        open_start: _EventBase | None = None
        for position in sorted((*by_type.get("plan_start", ()), *by_type.get("plan_end", ()))):
            event = ordered[position]
            if event.type == "plan_start":  # type: ignore[attr-defined]
                if open_start is not None:
                    if self._replan():  # a plan ended and the next made that day: try again
                        self._check_episodes()
                        return
                    raise PydanticCustomError(
                        "episode_overlap",
                        "a plan starts while another is open (the plan_start at {other}); end the "
                        "first plan with a plan_end before the second starts",
                        {"path": self._path_of(event), "other": self._path_of(open_start)},
                    )
                open_start = event
            else:
                if open_start is None:
                    raise PydanticCustomError(
                        "episode_unopened",
                        "a plan ends with no plan open; add the plan_start it ends",
                        {"path": self._path_of(event)},
                    )
                open_start = None

    def _replan(self) -> bool:
        """Put each re-planning day in its order (see :attr:`ordered_events`); True if that
        changed the order.

        Done here, when a plan seems to start while another is open, rather than on every
        sort: a case without a re-planning day pays nothing for the rule.
        """
        ordered = list(self.ordered_events)
        by_type = self.positions_by_type
        start_days = {ordered[i].date for i in by_type.get("plan_start", ())}
        days = {ordered[i].date for i in by_type.get("plan_end", ())} & start_days
        if not days:
            return False
        _close_before_reopening(ordered, days)
        if ordered == list(self.ordered_events):
            return False
        # the validator finishing the value: the derived indexes follow the new order
        for derived in ("ordered_events", "positions_by_type", "positions_by_id", "episodes"):
            self.__dict__.pop(derived, None)
        self.__dict__["ordered_events"] = tuple(ordered)
        return True

    def _path_of(self, event: _EventBase) -> str:
        """``events[i]``: where the event is in the case as given."""
        return f"events[{next(i for i, given in enumerate(self.events) if given is event)}]"

    @_derived
    def ordered_events(self) -> tuple[AnyEvent, ...]:
        """Events in timeline order: by date; on one day strategy discussions and section 47
        outcomes, then conferences, then ``plan_start``, then the rest, then ``plan_end``;
        ties by id. The order of events in the file never matters.

        One exception: on a day with a ``plan_end`` and a ``plan_start`` while a plan is open
        (a plan ended and a new one made that day), the open plan closes first: the day's
        first ``plan_end`` comes after its strategy discussions and review conferences, and
        before its ICPCs, transfer-in conferences, ``plan_start`` and the rest, which belong
        to the new plan.
        """
        # (the exception is applied when the case is validated: :meth:`_replan`)
        return tuple(sorted(self.events, key=_sort_key))

    @_derived
    def positions_by_type(self) -> Mapping[str, tuple[int, ...]]:
        """Each event type's positions in :attr:`ordered_events`, in order."""
        found: dict[str, list[int]] = {}
        for position, event in enumerate(self.ordered_events):
            kind: str = event.type  # type: ignore[attr-defined]
            positions = found.get(kind)
            if positions is None:
                found[kind] = [position]
            else:
                positions.append(position)
        return {kind: tuple(positions) for kind, positions in found.items()}

    @_derived
    def positions_by_id(self) -> Mapping[str, int]:
        """Each event id's position in :attr:`ordered_events`."""
        return {event.id: position for position, event in enumerate(self.ordered_events)}

    @_derived
    def episodes(self) -> tuple[Episode, ...]:
        """The plan episodes, in order (indexes into :attr:`ordered_events`)."""
        by_type = self.positions_by_type
        starts = by_type.get("plan_start", ())
        if not starts:
            return ()
        ends = set(by_type.get("plan_end", ()))
        # an ICPC or transfer-in conference opens the plan that starts on or after it
        conferences = sorted((*by_type.get("icpc", ()), *by_type.get("transfer_in_conference", ())))
        episodes: list[Episode] = []
        start: int | None = None
        opener: int | None = None
        boundary = 0  # first index after the previous episode ended
        for index in sorted((*starts, *ends)):
            if index not in ends:
                start = index
                latest = bisect_right(conferences, index) - 1
                opener = conferences[latest] if latest >= 0 and conferences[latest] >= boundary else None
            elif start is not None:
                episodes.append(Episode(len(episodes) + 1, start, index, opener))
                start = None
                boundary = index + 1
        if start is not None:
            episodes.append(Episode(len(episodes) + 1, start, None, opener))
        return tuple(episodes)


# ---------------------------------------------------------------------------------------------
# Reading cases, with errors that name the path and never the value


_GENERIC_MESSAGES: dict[str, str] = {
    "missing": "required field is missing",
    "date_parsing": "not a valid date; write YYYY-MM-DD",
    "date_from_datetime_parsing": "not a valid date; write YYYY-MM-DD",
    "date_from_datetime_inexact": "not a date; write YYYY-MM-DD with no time",
    "date_type": "not a date; write YYYY-MM-DD",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "string_type": "write text",
    "string_too_short": "must not be empty",
    "string_too_long": "too long",
    "list_type": "write a list",
    "tuple_type": "write a list",
    "dict_type": "write a mapping of field: value",
    "model_type": "write a mapping of field: value",
    "model_attributes_type": "write a mapping of field: value",
    "json_invalid": "not valid JSON",
    "json_type": "not valid JSON",
    "union_tag_not_found": "the event has no type; add type: (strategy_discussion, icpc, ...)",
    "greater_than_equal": "too small",
    "less_than_equal": "too large",
    "recursion_loop": "nested too deeply",
}


def _path_of(loc: Sequence[Any]) -> str:
    """``('events', 4, 'icpc', 'date')`` -> ``events[4].date`` (the union tag dropped)."""
    path = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(previous, int) and path.startswith("events[") and part in EVENT_MODELS:
            pass  # pydantic puts the discriminator's tag in the location; people do not
        elif part == "schema_":
            path += ".schema" if path else "schema"
        else:
            path += f".{part}" if path else str(part)
        previous = part
    return path


def _key_path(prefix: Sequence[Any], position: int | None) -> str:
    """The path of a key that may be personal data, by its place: ``events[2].<key 5>``."""
    where = _path_of(prefix)
    key = f"<key {position}>" if position is not None else "<a key>"
    return f"{where}.{key}" if where else key


def _named_key_path(prefix: Sequence[Any], key: str) -> str:
    """The path of a key that is a field name (or close to one), shown as it is."""
    where = _path_of(prefix)
    return f"{where}.{key}" if where else key


def _node_at(data: Any, prefix: Sequence[Any]) -> Any:
    """The part of the input a location points at (None when it cannot be followed)."""
    node = data
    previous: Any = None
    for part in prefix:
        if isinstance(node, Mapping):
            if isinstance(previous, int) and part in EVENT_MODELS and part not in node:
                previous = part
                continue  # the union tag pydantic adds
            key = "schema" if part == "schema_" else part
            if key not in node:
                return None
            node = node[key]
        elif isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
        previous = part
    return node


def _key_position(data: Any, prefix: Sequence[Any], key: Any) -> int | None:
    """The 1-based place of ``key`` among the keys of the mapping at ``prefix``."""
    node = _node_at(data, prefix)
    if isinstance(node, Mapping):
        for position, candidate in enumerate(node, 1):
            if type(candidate) is type(key) and candidate == key:
                return position
    return None


def _model_at(prefix: Sequence[Any]) -> type[BaseModel] | None:
    """The model whose fields the mapping at ``prefix`` holds."""
    if not prefix:
        return Case
    if tuple(prefix) == ("child",):
        return Child
    if len(prefix) >= 3 and prefix[0] == "events" and isinstance(prefix[1], int):
        model = EVENT_MODELS.get(prefix[2]) if isinstance(prefix[2], str) else None
        if len(prefix) == 3:
            return model
        if tuple(prefix[3:]) == ("votes",):
            return Votes
    return None


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return ["schema" if name == "schema_" else name for name in model.model_fields]


#: every field name of the case format: a key that is one of them is not personal data
_KNOWN_FIELDS = frozenset(
    {*_field_names(Case), *_field_names(Child), *_field_names(Votes)}
    | {name for model in EVENT_MODELS.values() for name in model.model_fields}
)
_FREE_DATA = "; free data goes under metadata"


def _unknown_key(loc: Sequence[Any], data: Any) -> tuple[str, str]:
    """The path and message of an unknown key.

    The key itself is shown only when it is a field name of the case format or close to one
    (a typo to fix); otherwise its place (``events[2].<key 5>``): an unknown key may be
    anything a source wrote, a child's name included.
    """
    prefix, key = loc[:-1], loc[-1]
    if isinstance(key, str) and key in _KNOWN_FIELDS:  # a field of another event type
        kind = prefix[2] if len(prefix) == 3 and prefix[0] == "events" else None
        known_kind = isinstance(kind, str) and kind in EVENT_MODELS
        what = f"an event of type {kind}" if known_kind else "this mapping"
        return _named_key_path(prefix, key), f"not a field of {what}{_FREE_DATA}"
    if isinstance(key, str):
        # the fields of this place first, then any field of the format, misspelt
        close = difflib.get_close_matches(key, _field_names(_model_at(prefix)), n=1, cutoff=0.75)
        close = close or difflib.get_close_matches(key, sorted(_KNOWN_FIELDS), n=1, cutoff=0.75)
        if close:
            return _named_key_path(prefix, key), f"unknown field (did you mean {close[0]}?){_FREE_DATA}"
    return _key_path(prefix, _key_position(data, prefix, key)), f"unknown field{_FREE_DATA}"


def _message_of(error: Mapping[str, Any], path: str) -> str:
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        close = difflib.get_close_matches(tag, list(EVENT_MODELS), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return f"unknown event type; {hint}write one of: {', '.join(EVENT_MODELS)}"
    if kind == "literal_error":
        return "write one of: " + str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
    if kind in ("greater_than_equal", "less_than_equal") and path.endswith(
        ("date", "date_of_birth", "expected_delivery_date", "circulated", "notifications_sent")
    ):
        return f"date outside the supported range {MIN_DATE}..{MAX_DATE}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt', ''))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt', ''))}"
    if kind == "json_invalid" and "number out of range" in str(ctx.get("error", "")):
        return "not valid JSON: a number too long to read (over 4,300 digits)"
    if kind == "int_parsing_size":
        return "a number too long to read; write a whole number"
    if kind == "too_long" and path == "events":
        return f"more than {MAX_EVENTS_PER_CASE} events; split the case or check the export"
    if kind in _GENERIC_MESSAGES:
        return _GENERIC_MESSAGES[kind]
    if isinstance(error.get("msg"), str) and kind in (
        "duplicate_event_id",
        "unknown_record",
        "episode_overlap",
        "episode_unopened",
    ):
        return str(error["msg"])
    return f"not valid here ({kind})"


def _case_error(exc: ValidationError, case_id: str | None, data: Any = None) -> CaseError:
    """The case error for pydantic's errors: paths and messages that never hold a value.

    ``data`` is the input as given (or as parsed from JSON), to place a key that is not shown.
    """
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_input=False, include_url=False):
        ctx = error.get("ctx") or {}
        loc = tuple(error["loc"])
        if "path" in ctx:
            path = str(ctx["path"])
            message = _message_of(error, path)
        elif len(loc) >= 2 and loc[-1] == "[key]":  # a mapping key that is not text
            path = _key_path(loc[:-2], _key_position(data, loc[:-2], loc[-2]))
            message = "a key must be text"
        elif error["type"] == "invalid_key" and loc:  # the same, in a mapping of fields
            path = _key_path(loc[:-1], _key_position(data, loc[:-1], loc[-1]))
            message = "a key must be text"
        elif error["type"] == "extra_forbidden" and loc:
            path, message = _unknown_key(loc, data)
        else:
            path = _path_of(loc)
            message = _message_of(error, path)
        problems.append((path, message))
    path, message = problems[0]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return CaseError(message, case_id=case_id, path=path or None, problems=tuple(problems))


def _case_id_of(data: object) -> str | None:
    """The case id an error names, when the input has a readable one at its top level."""
    if isinstance(data, Mapping):
        value = data.get("case_id")
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() < 664:
            value = str(value)  # up to 200 digits: str() of an int past 4,300 digits raises
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return None


#: True: JSON text is read by msgspec first (cprules._fastcase, which needs msgspec installed),
#: accepting only what it is sure of and leaving the rest, and every error, to pydantic. Off,
#: because measured on the benchmark's caseload, building pydantic's models in Python from
#: msgspec's output costs more than pydantic-core's own validation, once the validator leaves
#: the timeline until first used (README, "Which layer uses which library")
_FAST_PARSE = False


def parse_case(data: Mapping[str, Any] | str | bytes | Case) -> Case:
    """Validate one case from a mapping or JSON text, raising :class:`~cprules.CaseError`.

    The error names the case id and the field path (``events[4].date``) but never the value.

    >>> parse_case('{"case_id": "C-3", "events": [{"type": "visit", "date": "2024-02-30"}]}')
    Traceback (most recent call last):
    ...
    cprules.errors.CaseError: case C-3: events[0].date: not a valid date; write YYYY-MM-DD
    """
    if isinstance(data, Case):
        return data
    try:
        if isinstance(data, str | bytes | bytearray):
            if len(data) > MAX_CASE_BYTES:
                raise CaseError(f"case text over the {MAX_CASE_BYTES // 2**20} MiB limit")
            if data[:1] == "\ufeff" or data[:3] == b"\xef\xbb\xbf":  # a byte-order mark
                data = data[1:] if isinstance(data, str) else data[3:]
            if _FAST_PARSE:
                from cprules._fastcase import fast_parse

                fast = fast_parse(data)
                if fast is not None:
                    return fast
            case = Case.model_validate_json(data)
            _refuse_repeated_keys(data, case)
            return case
        if not isinstance(data, Mapping):
            raise CaseError("a case must be a mapping of field: value")
        if isinstance(data, JsonObject):  # read with JSON_PAIRS: a repeated key was noted
            _raise_if_repeated(data, _case_id_of(data))
        return Case.model_validate(data)
    except ValidationError as exc:
        given: Any = data
        if not isinstance(data, Mapping):
            try:
                given = json.loads(data)
            except (ValueError, RecursionError):
                given = None
        raise _case_error(exc, _case_id_of(given), given) from None


def _refuse_repeated_keys(text: str | bytes | bytearray, case: Case) -> None:
    """A key written twice in one JSON object is an error, as in YAML: a JSON parser keeps the
    last silently, so ``{"outcome": "plan", "outcome": "no_plan"}`` would hide a mistake.

    Cheap on the way that works: every key of the text is followed by one colon, so when the
    text holds no more colons than the case has distinct keys, no key is repeated. Only
    otherwise (a repeat, or a colon inside a string) is the text parsed again to look.
    """
    colons = text.count(":") if isinstance(text, str) else text.count(b":")
    if colons <= _distinct_keys(case):
        return
    try:
        document = json.loads(text, object_pairs_hook=JSON_PAIRS)
    except (ValueError, RecursionError):
        return  # pydantic read it; a second parser's doubts add nothing
    _raise_if_repeated(document, case.case_id)


def _raise_if_repeated(document: Any, case_id: str | None) -> None:
    found = _first_repeat(document, ())
    if found is not None:
        prefix, position, key = found
        path = _named_key_path(prefix, key) if key in _KNOWN_FIELDS else _key_path(prefix, position)
        raise CaseError("a key is written twice in one mapping; write it once", case_id=case_id, path=path)


def _distinct_keys(case: Case) -> int:
    """How many keys the JSON objects of ``case`` held, each counted once.

    This runs on every case read from JSON text, so the events are walked in C (``map``,
    ``filter``), and the timeline's indexes are not asked for (they are worked out when first
    used).
    """
    events = case.events
    count = len(case.__pydantic_fields_set__) + len(case.child.__pydantic_fields_set__)
    count += sum(map(len, map(_FIELDS_SET, events)))
    if case.metadata is not None:
        count += _keys_in(case.metadata)
    for metadata in filter(None, map(_METADATA, events)):
        count += _keys_in(metadata)
    voting = compress(events, map(_VOTING_MODELS.__contains__, map(type, events)))
    count += sum(map(len, map(_FIELDS_SET, filter(None, map(_VOTES, voting)))))
    return count


_FIELDS_SET = attrgetter("__pydantic_fields_set__")
_METADATA = attrgetter("metadata")
_VOTES = attrgetter("votes")
#: the event models that have votes (asking another for its votes costs pydantic an exception)
_VOTING_MODELS = frozenset(model for model in EVENT_MODELS.values() if "votes" in model.model_fields)


def _keys_in(value: Any) -> int:
    if isinstance(value, Mapping):
        return len(value) + sum(_keys_in(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(_keys_in(item) for item in value)
    return 0


class JsonObject(dict[str, Any]):
    """A JSON object read with :data:`JSON_PAIRS`: it notes the place (1-based) and name of a
    key written twice, which a plain ``dict`` would drop silently."""

    repeat: tuple[int, str] | None = None

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> JsonObject:
        found = cls(pairs)
        if len(found) != len(pairs):
            seen: set[str] = set()
            for position, (key, _) in enumerate(pairs, 1):
                if key in seen:
                    found.repeat = (position, key)
                    break
                seen.add(key)
        return found


#: ``json.loads(text, object_pairs_hook=JSON_PAIRS)`` reads a document whose cases
#: :func:`parse_case` then refuses if a key was written twice in one object
JSON_PAIRS = JsonObject.of


def _first_repeat(node: Any, prefix: tuple[Any, ...]) -> tuple[tuple[Any, ...], int, str] | None:
    """Where the first key written twice is: (location, place of the second, its name)."""
    if isinstance(node, JsonObject):
        if node.repeat is not None:
            return (prefix, *node.repeat)
        for key, value in node.items():
            found = _first_repeat(value, (*prefix, key))
            if found is not None:
                return found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _first_repeat(value, (*prefix, index))
            if found is not None:
                return found
    return None


def load_case(path: str | Path) -> Case:
    """Read one case from a YAML or JSON file (``-`` is not accepted here; use ``parse_case``).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("case_id: D-4\\nevents:\\n  - {type: birth, date: 2024-01-05}\\n")
    >>> load_case(f.name).events[0].type
    'birth'
    >>> os.unlink(f.name)
    """
    from cprules.yamlsafe import YamlProblem, load_yaml

    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise TypeError(
            f"load_case() argument 'path' must be a path (str or pathlib.Path), not {type(path).__name__}"
        )
    source = Path(path)
    if "\x00" in str(source):
        raise SourceError("cannot read the case file (its name holds a NUL character)", file=str(source))
    try:
        with source.open("rb") as handle:  # a bounded read: a huge file costs no memory
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read the case file ({exc.strerror})", file=str(source)) from exc
    if len(raw) > MAX_CASE_BYTES:
        raise SourceError(f"case file over the {MAX_CASE_BYTES // 2**20} MiB limit", file=str(source))
    if source.suffix.lower() == ".json":
        return parse_case(raw)
    try:
        data = load_yaml(raw, file=str(source), max_bytes=MAX_CASE_BYTES).data
    except (YamlProblem, ValueError) as exc:
        raise yaml_source_error(exc, str(source)) from exc
    return parse_case(data if isinstance(data, Mapping) else {"case_id": None, "events": data})


_REPEATED_YAML_KEY = re.compile(
    r"duplicate key .*\(first written on line (\d+)\); keep one of them$", re.DOTALL
)


def yaml_source_error(problem: Exception, file: str) -> SourceError:
    """A case file's YAML problem as a :class:`~cprules.SourceError` that repeats no key or
    value of the case (a key may be anything a source wrote, a child's name included).

    ``problem`` is the YAML layer's ``YamlProblem``, or the ``ValueError`` Python raises for a
    number past 4,300 digits.
    """
    from cprules.yamlsafe import YamlProblem

    if isinstance(problem, YamlProblem):
        repeated = _REPEATED_YAML_KEY.match(problem.message)
        message = problem.message
        if repeated is not None:
            message = f"a key is written twice in one mapping (first on line {repeated[1]}); write it once"
        elif message.startswith("a mapping key must be"):
            message = "a mapping key must be a plain value"
        return SourceError(message, file=file, line=problem.line)
    return SourceError("a number too long to read (over 4,300 digits); write a whole number", file=file)
