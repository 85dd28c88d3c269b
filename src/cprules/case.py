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
['ic', 'ps', 'events[2]']
>>> case.episodes[0].start_index, case.episodes[0].end_index
(1, None)
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
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
    "MAX_DATE",
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


_FROZEN = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, ignored_types=(_derived,))




class Votes(BaseModel):
    """How the professionals at a conference voted on whether the child needs a plan."""

    model_config = _FROZEN

    for_plan: int = Field(ge=0, description="Votes for a child protection plan (or for it to continue).")
    against_plan: int = Field(ge=0, description="Votes against a plan (or for it to end).")


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
        description="Stable id, unique in the case; unnamed events are called events[i].",
    )
    metadata: dict[str, JsonValue] | None = Field(
        default=None, description="Free data the rules never read (source codes, notes)."
    )

    @_derived
    def label(self) -> str:
        """The event in words, for explanations: 'the ICPC ic on 2024-03-19'."""
        kind: str = self.type  # type: ignore[attr-defined]
        return f"the {EVENT_LABELS.get(kind, kind)} {self.id} on {self.date.isoformat()}"


class StrategyDiscussion(_EventBase):
    """A strategy discussion (or meeting) about a child."""

    rank: ClassVar[int] = 0
    type: Literal["strategy_discussion"]
    s47: bool | None = Field(
        default=None, description="The discussion decided to start, or confirmed, section 47 enquiries."
    )


class S47Outcome(_EventBase):
    """The conclusion of a section 47 enquiry."""

    rank: ClassVar[int] = 0
    type: Literal["s47_outcome"]
    icpc_required: bool | None = Field(default=None, description="The enquiry concluded an ICPC is needed.")


class _Conference(_EventBase):
    rank: ClassVar[int] = 1
    categories: tuple[Category, ...] | None = Field(default=None, description="Categories of abuse.")
    votes: Votes | None = None
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
        default=None, ge=1, description="Visit frequency the conference set, in days."
    )
    visit_interval_reason: str | None = Field(
        default=None, description="The conference's reasons for the visit frequency it set."
    )
    core_group_interval_days: int | None = Field(
        default=None, ge=1, description="Core group frequency the conference set, in days."
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
    outcome: Literal["plan", "no_plan", "adjourned", "postponed"] | None = None
    secondary_factors: tuple[str, ...] | None = None
    prebirth: bool | None = Field(default=None, description="A pre-birth conference.")
    lead_social_worker_named: bool | None = None
    outline_plan_circulated: CaseDate | None = Field(
        default=None, description="Date the outline plan went out."
    )


class ReviewConference(_Conference):
    """A review child protection conference."""

    type: Literal["review_conference"]
    outcome: Literal["continue", "cease", "adjourned", "postponed"] | None = None
    neglect_assessment_revised: bool | None = None
    cin_plan_presented: bool | None = Field(
        default=None, description="A child in need plan was before the conference."
    )


class TransferInConference(_Conference):
    """The receiving authority's conference when a child on a plan moves in."""

    type: Literal["transfer_in_conference"]
    outcome: Literal["plan", "no_plan", "adjourned", "postponed"] | None = None
    lead_social_worker_named: bool | None = None


class PlanStart(_EventBase):
    """A child protection plan starts (opens a plan episode)."""

    rank: ClassVar[int] = 2
    type: Literal["plan_start"]
    categories: tuple[Category, ...] | None = None
    interim: bool | None = Field(default=None, description="An interim plan pending a reconvened conference.")


class PlanEnd(_EventBase):
    """A child protection plan ends (closes the open episode)."""

    rank: ClassVar[int] = 4
    type: Literal["plan_end"]
    reason: (
        Literal["no_longer_at_risk", "moved_out", "turned_18", "died", "left_uk", "looked_after"] | None
    ) = None
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
    status: Literal["held", "cancelled", "rescheduled"] | None = None
    minutes_circulated: CaseDate | None = None
    rescheduled_in_writing: bool | None = None
    absent_agency_reports: bool | None = None


class Visit(_EventBase):
    """A statutory visit to the child."""

    type: Literal["visit"]
    outcome: Literal["seen", "not_seen", "no_access", "refused"] | None = None
    seen_alone: bool | None = None
    bedroom_seen: bool | None = None
    child_awake: bool | None = None
    by: Literal["lead_social_worker", "core_group_member"] | None = None


class Escalation(_EventBase):
    """A concern escalated to someone."""

    type: Literal["escalation"]
    to: Literal["line_manager", "lead_social_worker", "senior_manager"] | None = None


class _LookedAfterBase(_EventBase):
    basis: LooksAfterBasis | None = None
    living_with_family: bool | None = None
    unsupervised_contact_with_risk: bool | None = None
    rehabilitation_planned: bool | None = None


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
    permanent: bool | None = None
    direction: Literal["in", "out"] | None = None


class HospitalAdmission(_EventBase):
    """The child is admitted to hospital."""

    type: Literal["hospital_admission"]
    planned: bool | None = None


class HospitalDischarge(_EventBase):
    """The child is discharged from hospital."""

    type: Literal["hospital_discharge"]
    planned: bool | None = None


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


class Case(BaseModel):
    """One child's case timeline.

    Build it with :func:`parse_case` (errors as :class:`~cprules.CaseError`) or
    ``Case.model_validate`` (pydantic's own errors). Unknown fields are an error, so that a
    typo never silently switches a rule off; free data goes in ``metadata``.

    >>> case = Case.model_validate({"case_id": "B-2", "events": [
    ...     {"type": "strategy_discussion", "date": "2024-03-01", "s47": True}]})
    >>> case.events[0].id, case.events[0].type
    ('events[0]', 'strategy_discussion')
    """

    model_config = _FROZEN

    schema_: Literal[1] = Field(default=1, alias="schema", description="Version of the case format (1).")
    case_id: str = Field(min_length=1, max_length=200, description="The case's id in the source system.")
    child: Child = Field(default_factory=Child)
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
    events: tuple[Event, ...] = Field(default=(), description="The timeline, in any order.")

    @model_validator(mode="after")
    def _name_and_check_events(self) -> Case:
        events = self.events
        ids = [event.id for event in events]
        if "" in ids:
            for position, event in enumerate(events):
                if not event.id:
                    # frozen after validation; this is the validator finishing the value
                    object.__setattr__(event, "id", f"events[{position}]")
                    ids[position] = event.id
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
        self._check_episodes()
        return self

    def _check_episodes(self) -> None:
        ordered = self.ordered_events
        by_type = self.positions_by_type
        open_start: _EventBase | None = None
        for position in sorted((*by_type.get("plan_start", ()), *by_type.get("plan_end", ()))):
            event = ordered[position]
            if event.type == "plan_start":  # type: ignore[attr-defined]
                if open_start is not None:
                    raise PydanticCustomError(
                        "episode_overlap",
                        "a plan starts while another is open (plan_start {other}); end the first "
                        "plan with a plan_end before the second starts",
                        {"path": self._path_of(event), "other": open_start.id},
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

    def _path_of(self, event: _EventBase) -> str:
        """``events[i]``: where the event is in the case as given."""
        return f"events[{next(i for i, given in enumerate(self.events) if given is event)}]"

    @_derived
    def ordered_events(self) -> tuple[AnyEvent, ...]:
        """Events in timeline order: by date; on one day strategy discussions and section 47
        outcomes, then conferences, then ``plan_start``, then the rest, then ``plan_end``;
        ties by id. The order of events in the file never matters."""
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


def _path_of(loc: Sequence[int | str]) -> str:
    """``('events', 4, 'icpc', 'date')`` -> ``events[4].date`` (the union tag dropped)."""
    path = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(previous, int) and path.startswith("events[") and part in EVENT_MODELS:
            pass  # pydantic puts the discriminator's tag in the location; people do not
        elif part == "schema_":
            path += ".schema" if path else "schema"
        else:
            path += f".{part}" if path else part
        previous = part
    return path


def _message_of(error: Mapping[str, Any], path: str) -> str:
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden":
        field = path.rsplit(".", 1)[-1]
        return "unknown field" + _suggest_field(path, field) + "; free data goes under metadata"
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


def _suggest_field(path: str, field: str) -> str:
    match = re.match(r"events\[\d+\]\.(.+)$", path)
    candidates: list[str]
    if match is None:
        candidates = [*Case.model_fields, "schema"] if "." not in path else list(Child.model_fields)
    else:
        candidates = sorted({name for model in EVENT_MODELS.values() for name in model.model_fields})
    close = difflib.get_close_matches(field, candidates, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _case_error(exc: ValidationError, case_id: str | None) -> CaseError:
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_input=False, include_url=False):
        ctx = error.get("ctx") or {}
        path = str(ctx["path"]) if "path" in ctx else _path_of(error["loc"])
        problems.append((path, _message_of(error, path)))
    path, message = problems[0]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return CaseError(message, case_id=case_id, path=path or None, problems=tuple(problems))


def _case_id_of(data: object) -> str | None:
    if isinstance(data, Mapping):
        value = data.get("case_id")
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()[:200]
    return None


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
            return Case.model_validate_json(data)
        if not isinstance(data, Mapping):
            raise CaseError("a case must be a mapping of field: value")
        return Case.model_validate(data)
    except ValidationError as exc:
        case_id: str | None
        if isinstance(data, Mapping):
            case_id = _case_id_of(data)
        else:
            try:
                case_id = _case_id_of(json.loads(data))
            except (ValueError, RecursionError):
                case_id = None
        raise _case_error(exc, case_id) from None


def load_case(path: str | Path) -> Case:
    """Read one case from a YAML or JSON file (``-`` is not accepted here; use ``parse_case``).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("case_id: D-4\\nevents:\\n  - {type: birth, date: 2024-01-05}\\n")
    >>> load_case(f.name).events[0].type
    'birth'
    >>> os.unlink(f.name)
    """
    from cprules.yamlsafe import load_yaml_data

    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the case file ({exc.strerror})", file=str(source)) from None
    if len(raw) > MAX_CASE_BYTES:
        raise SourceError(f"case file over the {MAX_CASE_BYTES // 2**20} MiB limit", file=str(source))
    if source.suffix.lower() == ".json":
        return parse_case(raw)
    data = load_yaml_data(raw, file=str(source))
    return parse_case(data if isinstance(data, Mapping) else {"case_id": None, "events": data})
