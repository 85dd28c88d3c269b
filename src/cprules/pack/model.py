"""The pack format: periods, event selectors and the parameters of each rule kind.

These models are the contract of ``pack.yaml`` (their JSON Schema is what an editor uses to
complete and check a pack). Everything here is declarative data: a selector names an event
type and field tests, never code.

>>> rule = RULE_ADAPTER.validate_python({
...     "id": "core-group-minutes", "kind": "deadline", "severity": "breach",
...     "title": "Core group minutes circulated within 3 working days",
...     "citation": "Stoke-on-Trent SCB, C06, v8 (2017), C06:05",
...     "trigger": {"event": "core_group", "where": {"status": "held"}},
...     "expect": {"field": "minutes_circulated"}, "within": {"working_days": 3}})
>>> rule.within.describe(), rule.trigger.types
('3 working days', ('core_group',))
"""

from __future__ import annotations

import difflib
from calendar import monthrange
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from datetime import date, timedelta
from functools import cached_property
from typing import Annotated, Any, Final, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict, TypeAdapter, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from cprules.calendar import WorkingCalendar
from cprules.case import EVENT_MODELS, AnyEvent
from cprules.words import SelectorWords, selector_words

__all__ = [
    "RULE_ADAPTER",
    "RULE_KINDS",
    "AgeLimitRule",
    "AlternationRule",
    "AppliesWhen",
    "CessationRule",
    "ConditionRule",
    "DeadlineRule",
    "DecisionRule",
    "EscalationRule",
    "FieldExpect",
    "FieldTest",
    "IntervalRule",
    "MinimumDurationRule",
    "Offset",
    "Period",
    "Rule",
    "RuleBase",
    "Selector",
    "SustainedChangeRule",
    "WindowRule",
    "Within",
]

_STRICT = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built when first used, not on import
_T = TypeVar("_T")

#: a number in a pack: a whole number only (``yes``, ``"10"`` and ``10.0`` are refused, where
#: pydantic's lax mode would read them as 1 and 10; the loader also refuses 0x10, 010, 1_000)
WholeNumber = Annotated[int, Strict()]

#: the conference event types (a conference may be another authority's: ``held_by``)
CONFERENCE_TYPES: frozenset[str] = frozenset({"icpc", "review_conference", "transfer_in_conference"})

#: the value the case settles for an empty field of an event (None: it does not; UNSETTLED:
#: it may be either, so a test on the field is unknown)
Implied = Callable[[AnyEvent, str], Any]


class _Unsettled:
    """The type of :data:`UNSETTLED`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSETTLED"


#: what ``implied`` gives for an empty field that the case leaves open either way (a plan end
#: that names no deciding conference, after a review conference that records no outcome)
UNSETTLED: Final = _Unsettled()

ConferenceType = Literal["icpc", "review_conference", "transfer_in_conference"]
Interim = Literal["interim_plan", "plan_continues"]

PlanEndReason = Literal["no_longer_at_risk", "moved_out", "turned_18", "died", "left_uk", "looked_after"]
#: every reason a plan end may give
PLAN_END_REASONS: tuple[str, ...] = get_args(PlanEndReason)
#: the field of a plan end whose recorded value the timeline may refute (SPEC §4)
REFUTABLE_FIELD = "reason"


#: the longest period of each unit: the span of the supported dates, 1990 to 2100
_LONGEST = {"working_days": 28_000, "days": 40_000, "weeks": 5_700, "months": 1_320}


class Period(BaseModel):
    """A length of time: exactly one of ``working_days``, ``days``, ``weeks`` or ``months``.

    Working days follow SPEC §5 (the start day never counts); the others are calendar
    arithmetic (31 January plus one month is the last day of February), never moved to a
    working day.

    >>> cal = WorkingCalendar()
    >>> Period(months=1).add(date(2024, 1, 31), cal), Period(working_days=3).add(date(2024, 5, 1), cal)
    (datetime.date(2024, 2, 29), datetime.date(2024, 5, 7))
    """

    model_config = _STRICT

    working_days: WholeNumber | None = Field(
        default=None, description="Working days (Mon-Fri less holidays)."
    )
    days: WholeNumber | None = Field(default=None, description="Calendar days.")
    weeks: WholeNumber | None = Field(default=None, description="Calendar weeks.")
    months: WholeNumber | None = Field(default=None, description="Calendar months.")

    @model_validator(mode="after")
    def _exactly_one_positive(self) -> Period:
        given = [(k, v) for k, v in self._items() if v is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "period_shape",
                "a period has exactly one of working_days, days, weeks, months; "
                "write e.g. {working_days: 10} or {months: 3}",
            )
        unit, value = given[0]
        if value <= 0:
            raise PydanticCustomError(
                "period_positive",
                "a period must be a positive whole number; write e.g. {unit}: 10",
                {"unit": unit},
            )
        _within_supported_dates(unit, value)
        return self

    def _items(self) -> Iterator[tuple[str, int | None]]:
        yield "working_days", self.working_days
        yield "days", self.days
        yield "weeks", self.weeks
        yield "months", self.months

    @cached_property
    def unit(self) -> str:
        """The unit given: working_days, days, weeks or months."""
        return next(k for k, v in self._items() if v is not None)

    @cached_property
    def amount(self) -> int:
        """The number of units."""
        return next(v for _, v in self._items() if v is not None)

    def add(self, start: date, calendar: WorkingCalendar) -> date:
        """The date this period after ``start``."""
        if self.working_days is not None:
            return calendar.add_working_days(start, self.working_days)
        if self.months is not None:
            return add_months(start, self.months)
        return start + self._calendar_days

    def subtract(self, start: date, calendar: WorkingCalendar) -> date:
        """The date this period before ``start``."""
        if self.working_days is not None:
            return calendar.add_working_days(start, -self.working_days)
        if self.months is not None:
            return add_months(start, -self.months)
        return start - self._calendar_days

    @cached_property
    def _calendar_days(self) -> timedelta:
        return timedelta(days=(self.days or 0) + 7 * (self.weeks or 0))

    def after_birth(self, start: date) -> date:
        """Calendar arithmetic only (an age): the date this period after ``start``.

        Months first (clipped to the month's end), then days and weeks, as ``relativedelta``
        adds them.

        >>> Period(months=12).after_birth(date(2024, 2, 29)), Period(weeks=2).after_birth(date(2024, 2, 20))
        (datetime.date(2025, 2, 28), datetime.date(2024, 3, 5))
        """
        day = add_months(start, self.months) if self.months else start
        return day + timedelta(days=(self.days or 0) + 7 * (self.weeks or 0))

    def describe(self) -> str:
        """Plain English: '10 working days', '3 months', '1 week' (worked out once)."""
        return self._described

    @cached_property
    def _described(self) -> str:
        return self._words()

    def _words(self) -> str:
        unit = self.unit.replace("_", " ")
        amount = self.amount
        return f"{amount} {unit[:-1] if amount == 1 else unit}"


def _within_supported_dates(unit: str, value: int) -> None:
    """Refuse a period longer than the span of supported dates (it would overflow a date)."""
    if value > _LONGEST[unit]:
        raise PydanticCustomError(
            "period_too_long",
            "a period of {value} {unit} reaches past the dates cprules works with "
            "(1990 to 2100); write at most {most}",
            {"unit": unit, "value": value, "most": _LONGEST[unit]},
        )


def add_months(start: date, months: int) -> date:
    """Calendar months, clipped to the month's last day (as ``relativedelta`` does).

    >>> add_months(date(2024, 1, 31), 1), add_months(date(2024, 3, 31), -1), add_months(date(2023, 11, 30), 3)
    (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29), datetime.date(2024, 2, 29))
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = start.day
    if day > 28:
        day = min(day, monthrange(year, month)[1])
    return date(year, month, day)


class Offset(Period):
    """A period before or after an anchor date (``direction`` defaults to ``after``).

    >>> Offset(weeks=16, direction="before").describe()
    '16 weeks before'
    """

    direction: Literal["before", "after"] = "after"

    def apply(self, anchor: date, calendar: WorkingCalendar) -> date:
        """The date this offset from ``anchor``."""
        return self.subtract(anchor, calendar) if self.direction == "before" else self.add(anchor, calendar)

    def _words(self) -> str:
        """Plain English: '16 weeks before'."""
        return f"{super()._words()} {self.direction}"


Scalar = Union[str, bool, int]  # noqa: UP007


class FieldTest(BaseModel):
    """A test on one event field; a plain value in YAML means ``equals``.

    ``{one_of: [a, b]}``, ``{not_one_of: [...]}`` (an empty field passes: it is not one of
    them), ``{present: true}`` (the field is filled in; an empty list is not), ``{contains:
    neglect}`` (a list field holds the value). Other tests on an empty field give "unknown".
    """

    model_config = _STRICT

    equals: Scalar | None = None
    one_of: tuple[Scalar, ...] | None = None
    not_one_of: tuple[Scalar, ...] | None = None
    present: bool | None = None
    contains: Scalar | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_value(cls, data: Any) -> Any:
        if isinstance(data, str | bool | int):
            return {"equals": data}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> FieldTest:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "field_test_shape",
                "write a plain value, or exactly one of one_of, not_one_of, present, contains",
            )
        return self

    def test(self, value: Any) -> bool | None:
        """True or False, or None when the field is empty and the test needs a value."""
        # exactly one test is given (checked on the way in); the commonest first
        if self.equals is not None:
            return None if value is None else bool(value == self.equals)
        if self.one_of is not None:
            return None if value is None else value in self.one_of
        if self.present is not None:
            # an empty list (categories: []) holds nothing: it is not filled in
            return (value is not None and value != ()) == self.present
        if self.not_one_of is not None:
            # an empty field is not one of the values named: "not postponed" holds for a
            # conference whose outcome was not recorded
            return value not in self.not_one_of
        return None if value is None else self.contains in value

    def test_other_than(self, refuted: Any, choices: Iterable[Any]) -> bool | None:
        """The test on a field whose recorded value the timeline refutes: the value is one of
        ``choices`` other than ``refuted``, which one unknown. True or False when every such
        value gives it, else None.

        >>> FieldTest.model_validate({"not_one_of": ["turned_18"]}).test_other_than(
        ...     "turned_18", ["turned_18", "died", "no_longer_at_risk"])
        True
        >>> print(FieldTest.model_validate({"not_one_of": ["turned_18", "died"]}).test_other_than(
        ...     "turned_18", ["turned_18", "died", "no_longer_at_risk"]))
        None
        """
        outcomes = {self.test(value) for value in choices if value != refuted}
        return outcomes.pop() if len(outcomes) == 1 else None

    def values(self) -> tuple[Scalar, ...]:
        """The values named in the test, for checking them against the field's type."""
        if self.equals is not None:
            return (self.equals,)
        if self.contains is not None:
            return (self.contains,)
        return tuple(self.one_of or self.not_one_of or ())


def _text(value: Scalar | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _literal_choices(annotation: Any) -> tuple[Any, ...] | None:
    """The allowed values of a Literal field (inside Optional, tuple[...] or not)."""
    args = getattr(annotation, "__args__", None)
    origin = getattr(annotation, "__origin__", None)
    if origin is Literal:
        return tuple(args or ())
    for arg in args or ():
        found = _literal_choices(arg)
        if found:
            return found
    return None


class Selector(BaseModel):
    """Which events a rule looks at: an event type (or several) and tests on their fields.

    A plain string is shorthand for ``{event: <type>}``. ``child_under`` keeps only events on
    which the child is younger than the period (an infant: ``{months: 12}``); an event before
    the child's birth is not one of them.

    A conference held by another authority (``held_by: receiving_authority``) is not one of this
    authority's conferences: a selector of conferences leaves it out unless it tests ``held_by``
    itself (a cessation route looks at every authority's conferences, SPEC §4).

    A fact the case itself settles stands in for an empty field (SPEC §4): an ICPC on or after
    the child's birth was not a pre-birth conference; an ICPC that names no conference it
    reconvenes (``reconvened_from``), held while an interim plan that an adjourned ICPC opened
    is open, reconvenes that one; a review conference that does not restate
    the categories of harm keeps the plan's (as last recorded: an earlier review, the plan start,
    the conference that made the plan); a conference that does not say who held it
    (``held_by``) was this authority's; a plan end that names no deciding conference
    (``decided_at``) was decided by the plan's review conference that decided to cease it, if one
    did, and may have been when the plan's last review conference records no outcome (a test
    on the field is then unknown, as on an empty field); a visit at which the child was not seen
    did not see the child alone or awake, and one with no access did not see the bedroom. A plan
    end's reason that the timeline refutes (SPEC §4) is read as some other reason, which one
    unknown: a test that every other reason passes (or fails) decides, any other is unknown.

    >>> s = Selector.model_validate({"event": "visit", "where": {"outcome": {"one_of": ["seen"]}}})
    >>> s.describe()
    'visit on which the child was seen'
    """

    model_config = _STRICT

    event: str | tuple[str, ...] = Field(description="Event type, or a list of types.")
    where: dict[str, FieldTest] = Field(default_factory=dict, description="Tests on event fields.")
    child_under: Period | None = Field(
        default=None, description="Only events on which the child is younger than this."
    )
    _any_authority: bool = PrivateAttr(default=False)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"event": data}
        return data

    @model_validator(mode="after")
    def _known_types_and_fields(self) -> Selector:
        if self.child_under is not None and self.child_under.working_days is not None:
            raise PydanticCustomError(
                "child_under_working_days",
                "child_under is an age: write it in days, weeks or months, e.g. {months: 12}",
            )
        for kind in self.types:
            if kind not in EVENT_MODELS:
                close = difflib.get_close_matches(kind, list(EVENT_MODELS), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise PydanticCustomError(
                    "unknown_event_type",
                    "unknown event type '{kind}'{hint}; write one of: {choices}",
                    {"kind": kind, "hint": hint, "choices": ", ".join(EVENT_MODELS)},
                )
            check_fields(kind, self.where)
        return self

    @cached_property
    def types(self) -> tuple[str, ...]:
        """The event types this selector accepts."""
        return (self.event,) if isinstance(self.event, str) else self.event

    @cached_property
    def key(self) -> str:
        """Text that is the same for selectors that accept the same events: a timeline shares
        one pass over its events among every rule whose selector has this key."""
        return repr((self.types, tuple(self.where.items()), self.child_under, self._any_authority))

    @cached_property
    def local_only(self) -> bool:
        """Whether conferences held by another authority are left out (see the class notes)."""
        return (
            not self._any_authority
            and "held_by" not in self.where
            and any(kind in CONFERENCE_TYPES for kind in self.types)
        )

    def anywhere(self) -> Selector:
        """The same selector, accepting conferences whoever held them (a cessation route).

        >>> s = Selector.model_validate("transfer_in_conference")
        >>> s.local_only, s.anywhere().local_only
        (True, False)
        """
        found = self.__dict__.get("_anywhere")
        if found is None:
            found = Selector(event=self.event, where=self.where, child_under=self.child_under)
            found._any_authority = True
            self.__dict__["_anywhere"] = found
        return found

    @cached_property
    def words(self) -> SelectorWords:
        """The selector's events in words, with articles: ``.a``, ``.the``, ``.no``, ``.plural``.

        >>> Selector.model_validate({"event": "core_group", "where": {"status": "held"}}).words.first
        'the first core group held'
        """
        return selector_words(self)

    @cached_property
    def _tests(self) -> tuple[tuple[str, FieldTest], ...]:
        return tuple(self.where.items())

    def match(
        self,
        event: AnyEvent,
        birth: date | None = None,
        implied: Implied | None = None,
        *,
        refuted: bool = False,
    ) -> bool | None:
        """True or False, or None when a tested field is empty (the fact is unknown).

        ``birth`` is the child's date of birth, needed only with ``child_under``; ``implied``
        gives the value the case settles for an empty field (see the class notes); with
        ``refuted``, the event is a plan end whose recorded reason the timeline refutes.
        """
        if event.type not in self.types:  # type: ignore[attr-defined]
            return False
        sure, unknown = self.classify((event,), (0,), birth, implied, refuted=(0,) if refuted else ())
        return True if sure else None if unknown else False

    def classify(
        self,
        events: Sequence[AnyEvent],
        positions: Iterable[int],
        birth: date | None = None,
        implied: Implied | None = None,
        *,
        refuted: Container[int] = (),
    ) -> tuple[list[int], list[int]]:
        """:meth:`match` over the events at ``positions`` (all of this selector's types), in one
        pass: the positions it surely accepts and those it may accept (``match`` gives None).
        ``refuted`` holds the positions of plan ends whose recorded reason the timeline refutes.

        >>> from cprules.case import parse_case
        >>> events = parse_case({"case_id": "K", "events": [
        ...     {"type": "visit", "date": "2024-01-05", "outcome": "seen"},
        ...     {"type": "visit", "date": "2024-01-12"},
        ...     {"type": "visit", "date": "2024-01-19", "outcome": "refused"}]}).events
        >>> Selector(event="visit", where={"outcome": "seen"}).classify(events, range(3))
        ([0], [1])
        """
        tests = self._tests
        cutoff: date | None = None  # the child is too old from this day on
        age_unknown = False
        if self.child_under is not None:
            if birth is None:
                age_unknown = True
            else:
                cutoff = self.child_under.after_birth(birth)
        local = self.local_only
        any_refuted = bool(refuted)
        sure: list[int] = []
        unknown: list[int] = []
        for position in positions:
            event = events[position]
            if local and getattr(event, "held_by", None) == "receiving_authority":
                continue
            result: bool | None = True
            doubted = any_refuted and position in refuted
            for field, test in tests:
                value = getattr(event, field, None)
                if value is None and implied is not None:
                    value = implied(event, field)
                    if value is UNSETTLED:
                        result = None
                        continue
                if doubted and field == REFUTABLE_FIELD:
                    outcome = test.test_other_than(value, PLAN_END_REASONS)
                else:
                    outcome = test.test(value)
                if outcome is False:
                    break
                if outcome is None:
                    result = None
            else:
                if age_unknown:
                    unknown.append(position)
                elif cutoff is not None and (event.date >= cutoff or event.date < birth):  # type: ignore[operator]
                    pass
                elif result:
                    sure.append(position)
                else:
                    unknown.append(position)
        return sure, unknown

    def needs(self) -> Iterator[str]:
        """The event types and ``type.field`` entries a case must record for this selector."""
        for kind in self.types:
            yield kind
            for field in self.where:
                yield f"{kind}.{field}"

    def describe(self) -> str:
        """Plain English, without an article: 'core group held' (worked out once)."""
        return self.words.bare


def check_fields(kind: str, where: dict[str, FieldTest]) -> None:
    """Raise a pydantic error if a field is not on the event type or a value not allowed."""
    model = EVENT_MODELS[kind]
    fields = [name for name in model.model_fields if name not in ("type", "metadata")]
    for field, test in where.items():
        if field not in model.model_fields or field in ("type", "metadata"):
            close = difflib.get_close_matches(field, fields, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise PydanticCustomError(
                "unknown_event_field",
                "event type '{kind}' has no field '{field}'{hint}; write one of its fields: {choices}",
                {"kind": kind, "field": field, "hint": hint, "choices": ", ".join(fields)},
            )
        choices = _literal_choices(model.model_fields[field].annotation)
        if choices:
            for value in test.values():
                if value not in choices:
                    raise PydanticCustomError(
                        "unknown_field_value",
                        "'{value}' is not a value of {kind}.{field}; write one of: {choices}",
                        {
                            "value": _text(value),
                            "kind": kind,
                            "field": field,
                            "choices": ", ".join(map(str, choices)),
                        },
                    )


class FieldExpect(BaseModel):
    """The expected thing is a follow-up date on the trigger event itself.

    >>> FieldExpect(field="minutes_circulated").field
    'minutes_circulated'
    """

    model_config = _STRICT

    field: str = Field(description="A date field of the trigger event (minutes_circulated, ...).")
    or_field: str | None = Field(
        default=None,
        description=(
            "Another date field of the trigger event that does as well (either document): the "
            "earlier of the two dates counts."
        ),
    )

    @property
    def fields(self) -> tuple[str, ...]:
        """``field``, then ``or_field`` when there is one."""
        return (self.field,) if self.or_field is None else (self.field, self.or_field)


class AppliesWhen(BaseModel):
    """A condition on the case: other cases get ``not_applicable``."""

    model_config = _STRICT

    authority: str | tuple[str, ...] | None = Field(
        default=None, description="The case's authority (e.g. cambridgeshire), or a list."
    )

    def holds(self, authority: str | None) -> bool | None:
        """True or False; None when the case does not say its authority."""
        if self.authority is None:
            return True
        if authority is None:
            return None
        allowed = (self.authority,) if isinstance(self.authority, str) else self.authority
        return authority in allowed


class RuleBase(BaseModel):
    """What every rule carries, whatever its kind."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Stable kebab-case id.")
    title: str = Field(min_length=1, description="Plain English: what the rule asks for.")
    severity: Literal["breach", "warning", "info"] = Field(
        description="breach (procedure broken), warning (no firm limit in the source), info."
    )
    citation: str = Field(min_length=1, description="Authority, document and section/paragraph.")
    interpretation: str | None = Field(
        default=None, description="How an ambiguous sentence of the source was read."
    )
    applies_when: AppliesWhen | None = None
    outlives_plan: bool = Field(
        default=False,
        description=(
            "By default an obligation set by an event of a plan ends with the plan (SPEC §3): "
            "when the plan ends (or the child turns 18, or, outside a plan, moves away "
            "permanently) on or before the due date the finding is not_applicable; when it ends "
            "after the due date with the thing not done, the finding is missed, its lateness "
            "counted to the day the window closed. true: this rule's obligation outlives the "
            "plan (the minutes of the conference that ended it are still owed). A rule anchored "
            "on the plan's end (notifications after it) needs no such flag."
        ),
    )
    defers_to: tuple[str, ...] = Field(
        default=(),
        description=(
            "Rule ids that report the same act more specifically (one act, one breach, SPEC §3). "
            "Where one of them has a finding on the same trigger event (other than undetermined, "
            "and other than one that itself deferred), this rule's finding on that event is "
            "not_applicable and names the rule it defers to; the first one listed that has such "
            "a finding is named. A breach of this rule also defers to a breach of one of them "
            "that names this rule's trigger event among its evidence (the act one rule reports on "
            "the event that set the duty, the other on the event that broke it). A rule that is "
            "not in the pack (disabled, or a typo) is passed over, so check the ids with the "
            "pack's scenario tests."
        ),
    )

    @cached_property
    def derived(self) -> dict[str, Any]:
        """What a rule kind works out once from this rule's (immutable) parameters rather than
        on every case, such as the words of its explanations. Not part of the pack format."""
        return {}

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle the rule without ``derived``: that cache belongs to one process (its values
        may be instances of mypyc-compiled classes, which pickle cannot rebuild), and a worker
        works it out again the first time it evaluates the rule."""
        state: dict[Any, Any] = super().__getstate__()
        state["__dict__"] = {key: value for key, value in state["__dict__"].items() if key != "derived"}
        return state

    def once(self, key: str, build: Callable[[], _T]) -> _T:
        """``build()``, worked out the first time ``key`` is asked for and kept on the rule.

        >>> rule = RULE_ADAPTER.validate_python({"id": "a", "kind": "age_limit", "title": "t",
        ...     "severity": "info", "citation": "c"})
        >>> rule.once("words", lambda: "worked out"), rule.once("words", lambda: "not again")
        ('worked out', 'worked out')
        """
        derived = self.derived
        if key not in derived:
            derived[key] = build()
        value: _T = derived[key]
        return value

    def selectors(self) -> Iterator[Selector]:
        """Every selector in the rule's parameters (for records checks and documentation)."""
        for name in type(self).model_fields:
            yield from _selectors_in(getattr(self, name))

    def needs(self) -> frozenset[str]:
        """Event types and ``type.field`` entries a case's source must record for this rule."""
        needed = {entry for selector in self.selectors() for entry in selector.needs()}
        return frozenset(needed | self.extra_needs())

    def extra_needs(self) -> set[str]:
        """Kind-specific needs beyond the selectors."""
        return set()


def _selectors_in(value: Any) -> Iterator[Selector]:
    if isinstance(value, Selector):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _selectors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _selectors_in(item)


Occurrence = Literal["first", "each", "latest", "first_in_episode"]


class DeadlineRule(RuleBase):
    """After a trigger event, an expected event (or a follow-up date) within a period.

    ``occurrence``: ``each`` trigger has its own deadline; ``first``: the first trigger starts
    the clock and later triggers before the expected event change nothing; ``latest``: each new
    trigger before the expected event restarts the clock; ``first_in_episode``: only the first
    trigger of each plan episode sets a deadline (the second core group after the first).
    ``scope: episode`` looks for the expected event only in the trigger's plan episode (an ICPC
    belongs to the plan it starts); ``case`` anywhere after the trigger. A ``lapses_on`` event
    after the trigger and on or before the due date (with no expected event before it) ends
    the obligation: ``not_applicable``. With ``due_at`` instead of ``within`` a follow-up date is
    due on the day of the first ``due_at`` event after the trigger (the ICPC's minutes by the
    first core group); until that event is held it is not yet due. ``expect.or_field`` names a
    second date field that does as well (either document).
    """

    kind: Literal["deadline"]
    trigger: Selector
    expect: Selector | FieldExpect
    within: Period | SkipJsonSchema[None] = None
    due_at: Selector | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "Instead of within, with expect: {field: ...}: the follow-up is due on the day of the "
            "first such event after the trigger (in its plan with scope: episode), e.g. the ICPC's "
            "minutes by the first core group."
        ),
    )
    occurrence: Occurrence = "each"
    scope: Literal["episode", "case"] = "case"
    lapses_on: tuple[Selector, ...] = ()

    @model_validator(mode="after")
    def _field_on_trigger(self) -> DeadlineRule:
        if self.within is None and self.due_at is None:
            raise PydanticCustomError(
                "deadline_due",
                "a deadline needs within (a period after the trigger, e.g. within: {working_days: "
                "10}) or due_at (the event it is due by, e.g. due_at: {event: core_group})",
            )
        if self.within is not None and self.due_at is not None:
            raise PydanticCustomError(
                "deadline_due", "write within or due_at, not both: a deadline is due once"
            )
        if self.due_at is not None and not isinstance(self.expect, FieldExpect):
            raise PydanticCustomError(
                "deadline_due_at",
                "due_at works with expect: {field: ...} (a date on the trigger event); for an expected "
                "event write within",
            )
        if isinstance(self.expect, FieldExpect):
            for kind in self.trigger.types:
                model = EVENT_MODELS[kind]
                for name in self.expect.fields:
                    info = model.model_fields.get(name)
                    if info is None or "date" not in str(info.annotation):
                        dates = [
                            n
                            for n, f in model.model_fields.items()
                            if "date" in str(f.annotation) and n != "date"
                        ]
                        raise PydanticCustomError(
                            "unknown_expect_field",
                            "expect.field '{field}' is not a date field of {kind}; write one of: {choices}",
                            {"field": name, "kind": kind, "choices": ", ".join(dates) or "(none)"},
                        )
        return self

    @property
    def period(self) -> Period:
        """``within`` (the rule kinds that count a period need it; the model checked it is set)."""
        assert self.within is not None, "a deadline with due_at has no period"
        return self.within

    def extra_needs(self) -> set[str]:
        if isinstance(self.expect, FieldExpect):
            return {f"{kind}.{name}" for kind in self.trigger.types for name in self.expect.fields}
        return set()


class IntervalRule(RuleBase):
    """Consecutive qualifying events in a plan episode never further apart than ``every``.

    The first gap runs from the ``anchor`` (the first event of the episode matching it, the
    conference that opened the plan included); without an anchor, from the first qualifying
    event. The gap after the last event stays open as ``due``/``overdue`` until the episode
    ends. ``override_field`` names a field (in days) that a conference of the episode may set to
    change the frequency from that conference on; with ``override_requires``, only when that
    field (its reasons) is filled in too. Without ``every`` only a frequency a conference set is
    checked (``override_field`` is then required): a gap that opens before any conference set
    one is not checked, and a timeline with no gap checked gives one ``not_applicable``.
    ``override_only_shortens: true`` accepts a set frequency only when it is no longer than
    ``every``; a longer one is not applied and ``every`` governs.
    """

    kind: Literal["interval"]
    event: Selector
    anchor: Selector | None = None
    every: Period | None = Field(
        default=None,
        description=(
            "The longest gap allowed. Leave it out only with override_field, when the procedure "
            "sets no frequency of its own and only the one a conference set is checked."
        ),
    )
    override_field: Literal["visit_interval_days", "core_group_interval_days"] | None = None
    override_requires: Literal["visit_interval_reason"] | None = None
    override_only_shortens: bool = Field(
        default=False,
        description=(
            "With every and override_field: a conference may set a shorter frequency, never a "
            "longer one; a longer one is not applied (every governs) and the explanation says so."
        ),
    )

    @model_validator(mode="after")
    def _some_frequency(self) -> IntervalRule:
        if self.every is None and self.override_field is None:
            raise PydanticCustomError(
                "interval_every",
                "an interval needs every (e.g. every: {weeks: 4}), or override_field when only a "
                "frequency a conference sets is checked (override_field: core_group_interval_days)",
            )
        if self.override_requires is not None and self.override_field is None:
            raise PydanticCustomError(
                "interval_override_requires",
                "override_requires applies to the frequency override_field names; add override_field "
                "or remove override_requires",
            )
        if self.override_only_shortens and (self.every is None or self.override_field is None):
            raise PydanticCustomError(
                "interval_only_shortens",
                "override_only_shortens compares a conference-set frequency (override_field) with "
                "every; give both, or remove override_only_shortens",
            )
        return self


class AlternationRule(RuleBase):
    """Among consecutive qualifying events of an episode, ``property`` holds at least every
    ``at_least_every``-th time (2: on alternate occasions)."""

    kind: Literal["alternation"]
    event: Selector
    property: dict[str, FieldTest] = Field(min_length=1)
    at_least_every: WholeNumber = Field(ge=2)

    @model_validator(mode="after")
    def _property_fields(self) -> AlternationRule:
        for kind in self.event.types:
            check_fields(kind, self.property)
        return self

    def extra_needs(self) -> set[str]:
        return {f"{kind}.{field}" for kind in self.event.types for field in self.property}


class EscalationRule(RuleBase):
    """``count`` consecutive failed events (in an episode) require an ``expect`` event within
    a period of the last of them. The run then starts again."""

    kind: Literal["escalation"]
    event: Selector
    failure: dict[str, FieldTest] = Field(min_length=1)
    count: WholeNumber = Field(ge=1)
    expect: Selector
    within: Period

    @model_validator(mode="after")
    def _failure_fields(self) -> EscalationRule:
        for kind in self.event.types:
            check_fields(kind, self.failure)
        return self

    def extra_needs(self) -> set[str]:
        return {f"{kind}.{field}" for kind in self.event.types for field in self.failure}


class MinimumDurationRule(RuleBase):
    """A plan episode does not end before ``at_least`` after it started, unless its end's
    reason is one of ``unless_reasons`` or an ``unless`` event happened in the episode on or
    before the end. ``measured_from: decision`` counts from the conference that made the plan
    (the plan's start when there is none)."""

    kind: Literal["minimum_duration"]
    at_least: Period
    measured_from: Literal["decision", "plan_start"] = "decision"
    unless_reasons: tuple[PlanEndReason, ...] = ()
    unless: tuple[Selector, ...] = ()

    def extra_needs(self) -> set[str]:
        return {"plan_start", "plan_end", "plan_end.reason"}


class CessationRule(RuleBase):
    """A plan ends only for an allowed reason and by that reason's route.

    ``routes`` maps each allowed ``plan_end.reason`` to the events any one of which is an
    acceptable route (in the episode, on or before the end; the event named by ``decided_at``
    when the end names one). An empty list: no particular route is needed (the child died).
    A reason not listed is not an allowed reason.
    """

    kind: Literal["cessation"]
    routes: dict[PlanEndReason, tuple[Selector, ...]] = Field(min_length=1)
    interim_ends_within: Period | None = Field(
        default=None,
        description=(
            "An interim plan (its plan start marked interim: true, put in place while an initial "
            "conference stood adjourned) that ends within this period of the adjourned conference "
            "(else of its start), with no conference after that one, needs no route: agency "
            "managers concluded no plan was needed and no further conference is convened."
        ),
    )

    def extra_needs(self) -> set[str]:
        return {"plan_end", "plan_end.reason"}


class SustainedChangeRule(RuleBase):
    """A plan in ``category`` that ends for improvement needs ``at_least`` of sustained change
    (from the ``sustained_change_from`` event to the deciding conference), and (with
    ``not_at_first_review``) never ends for improvement at the first review; an ``unless`` event
    (a significant change of circumstances) lifts both."""

    kind: Literal["sustained_change"]
    category: Literal["neglect", "physical", "sexual", "emotional"]
    at_least: Period
    not_at_first_review: bool = True
    reasons: tuple[PlanEndReason, ...] = ("no_longer_at_risk",)
    unless: tuple[Selector, ...] = ()

    def extra_needs(self) -> set[str]:
        return {"plan_end", "plan_end.reason", "review_conference", "sustained_change_from"}


class DecisionRule(RuleBase):
    """A conference's outcome follows its votes (more than half decides).

    ``require`` picks the check: ``outcome_follows_votes`` (a majority's decision is the
    outcome); ``adjourn_without_majority`` (with no majority the conference adjourns and
    reconvenes within ``adjourn_within``; ``interim`` says what holds meanwhile: an interim plan
    for an ICPC, the plan continuing for a review); ``adjourn_on_split`` (a 50% split adjourns
    within ``adjourn_within``; if the reconvened conference splits again the plan continues
    pending escalation). ``escalation`` (with ``adjourn_on_split``): after a split that persists,
    an event matching it must follow the reconvened conference before the plan's next conference
    (an ``escalation`` to ``senior_manager``).
    """

    kind: Literal["decision"]
    conference: Selector
    require: Literal["outcome_follows_votes", "adjourn_without_majority", "adjourn_on_split"]
    majority: Literal["more_than_half"] = "more_than_half"
    adjourn_within: Period | None = None
    interim: Interim | dict[ConferenceType, Interim] | None = Field(
        default=None,
        description=(
            "What holds while the conference is adjourned: interim_plan or plan_continues, for "
            "every conference of the rule, or per conference type ({icpc: interim_plan, "
            "review_conference: plan_continues}); a type not listed needs neither."
        ),
    )
    escalation: Selector | None = Field(
        default=None,
        description=(
            "With require: adjourn_on_split: the event that must follow a split that persisted at "
            "the reconvened conference, before the plan's next conference, e.g. {event: escalation, "
            "where: {to: senior_manager}}."
        ),
    )

    def interim_for(self, kind: str) -> str | None:
        """What holds while a conference of this type is adjourned (None: nothing checked).

        >>> rule = RULE_ADAPTER.validate_python({"id": "s", "kind": "decision", "title": "t",
        ...     "severity": "breach", "citation": "c", "conference": "icpc",
        ...     "require": "adjourn_on_split", "adjourn_within": {"working_days": 5},
        ...     "interim": {"icpc": "interim_plan"}})
        >>> rule.interim_for("icpc"), rule.interim_for("review_conference")
        ('interim_plan', None)
        """
        if isinstance(self.interim, dict):
            return self.interim.get(kind)  # type: ignore[call-overload, no-any-return]
        return self.interim

    @model_validator(mode="after")
    def _conferences_and_adjournment(self) -> DecisionRule:
        for kind in self.conference.types:
            if kind not in ("icpc", "review_conference", "transfer_in_conference"):
                raise PydanticCustomError(
                    "decision_conference",
                    "a decision rule looks at conferences: write conference: icpc, review_conference "
                    "or transfer_in_conference, not '{kind}'",
                    {"kind": kind},
                )
        adjourns = self.require in ("adjourn_without_majority", "adjourn_on_split")
        if adjourns and self.adjourn_within is None:
            raise PydanticCustomError(
                "decision_adjourn_within",
                "require: {require} needs adjourn_within; add e.g. adjourn_within: {working_days: 5}",
                {"require": self.require},
            )
        if not adjourns and (self.adjourn_within is not None or self.interim is not None):
            raise PydanticCustomError(
                "decision_adjourn_unused",
                "adjourn_within and interim apply only to require: adjourn_without_majority or "
                "adjourn_on_split; remove them from this rule",
            )
        if self.escalation is not None and self.require != "adjourn_on_split":
            raise PydanticCustomError(
                "decision_escalation",
                "escalation follows a 50% split that persists, which only require: adjourn_on_split "
                "checks; remove escalation from this rule or write require: adjourn_on_split",
            )
        return self

    def extra_needs(self) -> set[str]:
        return {f"{kind}.{field}" for kind in self.conference.types for field in ("votes", "outcome")}


class WindowRule(RuleBase):
    """Each qualifying event falls inside a window set relative to an anchor date.

    ``anchor`` is ``expected_delivery_date``, ``date_of_birth`` or an event selector (the
    latest such event before the qualifying one). ``not_before`` / ``not_after`` are offsets
    from it. Too early is ``violated``; after ``not_after`` is ``late`` (``due`` is the last
    day of the window).
    """

    kind: Literal["window"]
    event: Selector
    anchor: Literal["expected_delivery_date", "date_of_birth"] | Selector
    not_before: Offset | None = None
    not_after: Offset | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> WindowRule:
        if self.not_before is None and self.not_after is None:
            raise PydanticCustomError(
                "window_unbounded",
                "a window needs not_before, not_after or both; add e.g. "
                "not_after: {weeks: 10, direction: before}",
            )
        return self

    def extra_needs(self) -> set[str]:
        return set()


class AgeLimitRule(RuleBase):
    """No plan stays open past the child's ``age``-th birthday (``due`` is the birthday)."""

    kind: Literal["age_limit"]
    age: WholeNumber = Field(default=18, ge=1, le=25)

    def extra_needs(self) -> set[str]:
        return {"plan_start", "plan_end"}


class Within(Period):
    """How far a ``condition`` rule looks: a period as for :class:`Period`, but zero is allowed.

    ``{days: 0}`` means the same day (a plan change preceded by a review conference that day).

    >>> Within(days=0).describe(), Within(working_days=5).describe()
    ('the same day', '5 working days')
    """

    @model_validator(mode="after")
    def _exactly_one_positive(self) -> Within:  # replaces Period's: zero is allowed here
        given = [(k, v) for k, v in self._items() if v is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "period_shape",
                "a period has exactly one of working_days, days, weeks, months; "
                "write e.g. {working_days: 10} or {days: 0} for the same day",
            )
        unit, value = given[0]
        if value < 0:
            raise PydanticCustomError(
                "period_not_negative",
                "a period must be zero or a positive whole number; write e.g. {unit}: 10",
                {"unit": unit},
            )
        _within_supported_dates(unit, value)
        return self

    def _words(self) -> str:
        """Plain English: '5 working days', or 'the same day' for zero."""
        return "the same day" if self.amount == 0 else super()._words()


class ConditionRule(RuleBase):
    """Each qualifying event carries required facts, or has a required event before or after.

    ``require``: field tests every qualifying event must pass (an empty field is
    ``undetermined``). ``preceded_by``: an event matching it on or before the qualifying event
    (within ``within`` when given; in the same plan episode with ``scope: episode``).
    ``followed_by``: an event matching it after the qualifying one, within ``within`` and/or
    before the first ``before`` event that follows (e.g. a core group before discharge).
    ``since`` (with ``preceded_by``): the preceding event counts only after the first ``since``
    event of the qualifying event's own run, the run starting after the latest ``since_after``
    event before it (the child seen in this enquiry: after this enquiry's strategy discussion,
    not in an earlier enquiry that ended at a conference). ``since_after`` alone bounds the
    search the same way: naming the qualifying event itself asks for a preceding event since
    the previous qualifying one (each child care review preceded by its own round's review
    conference, not by the one an earlier child care review already had).
    """

    kind: Literal["condition"]
    event: Selector
    require: dict[str, FieldTest] = Field(default_factory=dict)
    preceded_by: Selector | None = None
    followed_by: Selector | None = None
    within: Within | None = None
    before: Selector | None = None
    scope: Literal["episode", "case"] = "case"
    since: Selector | None = Field(
        default=None,
        description=(
            "With preceded_by: the preceding event counts only after the first such event of the "
            "qualifying event's run (e.g. this enquiry's strategy discussion)."
        ),
    )
    since_after: tuple[Selector, ...] = Field(
        default=(),
        description=(
            "With preceded_by: events that end a run (an earlier enquiry's conference); the run "
            "starts after the latest of them before the qualifying event, and the preceding event "
            "must be in the run. With since, the run's first since event opens it. Naming the "
            "qualifying event itself asks for a preceding event since the previous qualifying one "
            "(each child care review preceded by a review conference of its own round)."
        ),
    )
    lapses_on: tuple[Selector, ...] = Field(
        default=(),
        description=(
            "With followed_by: events that end the obligation when one comes after the qualifying "
            "event, before the followed_by event and not after the due date (a new plan made on "
            "the day the last one ended needs no step-down meeting): not_applicable."
        ),
    )
    linked_by: Literal["decided_at"] | None = Field(
        default=None,
        description=(
            "With preceded_by: when the qualifying event records this field (the id of the meeting "
            "that decided it), that meeting is the one checked, whatever the dates: met when it is "
            "a preceded_by event, violated when it is not (a plan change decided at a core group). "
            "When the field is blank the search by date applies."
        ),
    )

    @model_validator(mode="after")
    def _something_to_check(self) -> ConditionRule:
        if self.linked_by is not None and self.preceded_by is None:
            raise PydanticCustomError(
                "condition_linked_by",
                "linked_by names the meeting a preceded_by event must be; add preceded_by or remove it",
            )
        if (self.since is not None or self.since_after) and self.preceded_by is None:
            raise PydanticCustomError(
                "condition_since",
                "since and since_after bound a preceded_by search; add preceded_by or remove them",
            )
        if not (self.require or self.preceded_by or self.followed_by):
            raise PydanticCustomError(
                "condition_empty",
                "a condition rule needs require, preceded_by or followed_by; add one",
            )
        if self.preceded_by and self.followed_by:
            raise PydanticCustomError(
                "condition_both",
                "write preceded_by or followed_by, not both; split it into two rules",
            )
        if self.followed_by is not None and self.within is None and self.before is None:
            raise PydanticCustomError(
                "condition_unbounded",
                "followed_by needs within, before or both, to say when it is missed; "
                "add e.g. before: hospital_discharge or within: {working_days: 5}",
            )
        if self.lapses_on and self.followed_by is None:
            raise PydanticCustomError(
                "condition_lapses_on",
                "lapses_on ends a followed_by obligation; add followed_by or remove it",
            )
        if self.before is not None and self.followed_by is None:
            raise PydanticCustomError(
                "condition_before",
                "before bounds a followed_by search; add followed_by or remove before",
            )
        if self.within is not None and not (self.preceded_by or self.followed_by):
            raise PydanticCustomError(
                "condition_within",
                "within applies to preceded_by or followed_by; add one or remove within",
            )
        for kind in self.event.types:
            check_fields(kind, self.require)
        return self

    def extra_needs(self) -> set[str]:
        return {f"{kind}.{field}" for kind in self.event.types for field in self.require}


Rule = Annotated[
    Union[  # noqa: UP007
        DeadlineRule,
        IntervalRule,
        AlternationRule,
        EscalationRule,
        MinimumDurationRule,
        CessationRule,
        SustainedChangeRule,
        DecisionRule,
        WindowRule,
        AgeLimitRule,
        ConditionRule,
    ],
    Field(discriminator="kind"),
]
"""Any rule, told apart by its ``kind``."""

RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)

#: kind name -> model
RULE_KINDS: dict[str, type[RuleBase]] = {
    model.model_fields["kind"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        DeadlineRule,
        IntervalRule,
        AlternationRule,
        EscalationRule,
        MinimumDurationRule,
        CessationRule,
        SustainedChangeRule,
        DecisionRule,
        WindowRule,
        AgeLimitRule,
        ConditionRule,
    )
}
