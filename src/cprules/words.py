"""The words a person reads: event types, their fields and values, in the procedure's own terms.

Explanations are read aloud to a conference chair, so every rule kind builds its sentences from
the phrases here and never prints a selector's internals (field names, ``true``/``false``,
event type slugs). One table per event type and field says how a value reads: as a state after
the noun ("the core group held"; negated, in brackets: "(not postponed)"), a modifier after it
("an escalation to the line manager"), an adjective before it ("a pre-birth ICPC") or a clause
("a visit on which the child was seen alone"); and, as a sentence, what the value says ("the
child was seen alone").
To change a word, change it here: every explanation that uses it follows.

>>> from cprules.pack.model import Selector
>>> selector_words(Selector.model_validate(
...     {"event": "visit", "where": {"seen_alone": True, "by": "lead_social_worker"}})).a
'a visit by the lead social worker on which the child was seen alone'
>>> selector_words(Selector.model_validate(
...     {"event": "review_conference", "where": {"outcome": {"not_one_of": ["postponed"]}}})).the
'the review conference (not postponed)'
>>> selector_words(Selector.model_validate(
...     {"event": "escalation", "where": {"to": "line_manager"}})).no
'no escalation to the line manager'
>>> fact("visit", "seen_alone")
'whether the child was seen alone'

This module is a leaf: it imports nothing of cprules, so the case and pack models can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "EVENT_LABELS",
    "EVENT_PLURALS",
    "FOLLOW_UPS",
    "MEETINGS",
    "REASON_TEXT",
    "FollowUp",
    "SelectorWords",
    "aside",
    "asked",
    "capital",
    "denied",
    "fact",
    "facts",
    "happened",
    "listed",
    "named",
    "need",
    "ordinal",
    "plural",
    "said",
    "selector_words",
]

#: each event type in plain English, as a noun
EVENT_LABELS: dict[str, str] = {
    "strategy_discussion": "strategy discussion",
    "s47_outcome": "section 47 outcome",
    "icpc": "ICPC",
    "review_conference": "review conference",
    "transfer_in_conference": "transfer-in conference",
    "plan_start": "plan start",
    "plan_end": "plan end",
    "plan_changed": "plan change",
    "core_group": "core group",
    "visit": "visit",
    "escalation": "escalation",
    "looked_after": "start of care",
    "looked_after_end": "end of care",
    "removed_from_accommodation": "removal from accommodation",
    "move_notified": "notice of a move",
    "hospital_admission": "hospital admission",
    "hospital_discharge": "hospital discharge",
    "birth": "birth",
    "significant_change": "significant change of circumstances",
    "sustained_change_from": "start of sustained change",
    "cin_meeting": "child in need meeting",
    "case_discussion": "case discussion",
    "plan_sent_to_iro": "copy of the plan to the IRO",
    "lac_review": "looked-after child review",
    "quality_assurance_notification": "quality-assurance notification",
}

#: the plural of each noun
EVENT_PLURALS: dict[str, str] = {
    "strategy_discussion": "strategy discussions",
    "s47_outcome": "section 47 outcomes",
    "icpc": "ICPCs",
    "review_conference": "review conferences",
    "transfer_in_conference": "transfer-in conferences",
    "plan_start": "plan starts",
    "plan_end": "plan ends",
    "plan_changed": "plan changes",
    "core_group": "core groups",
    "visit": "visits",
    "escalation": "escalations",
    "looked_after": "starts of care",
    "looked_after_end": "ends of care",
    "removed_from_accommodation": "removals from accommodation",
    "move_notified": "notices of a move",
    "hospital_admission": "hospital admissions",
    "hospital_discharge": "hospital discharges",
    "birth": "births",
    "significant_change": "significant changes of circumstances",
    "sustained_change_from": "starts of sustained change",
    "cin_meeting": "child in need meetings",
    "case_discussion": "case discussions",
    "plan_sent_to_iro": "copies of the plan to the IRO",
    "lac_review": "looked-after child reviews",
    "quality_assurance_notification": "quality-assurance notifications",
}

#: the event types that are meetings: only these are "held"
MEETINGS: frozenset[str] = frozenset(
    {
        "strategy_discussion",
        "icpc",
        "review_conference",
        "transfer_in_conference",
        "core_group",
        "cin_meeting",
        "case_discussion",
        "lac_review",
    }
)

#: a plan end's reason, in words
REASON_TEXT: dict[str, str] = {
    "no_longer_at_risk": "the child was no longer at risk",
    "moved_out": "the child moved out of the area",
    "turned_18": "the child turned 18",
    "died": "the child died",
    "left_uk": "the child left the UK",
    "looked_after": "the child became looked after",
}


# ---------------------------------------------------------------------------------------------
# Events that happened


class _Event(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def unnamed_number(self) -> int | None: ...


def named(event: _Event, noun: str) -> str:
    """The event's noun and the name its source gave it: 'plan end pe'. An event the source did
    not name is not called by the name made up for it (its type and date): 'plan end', or
    '2nd plan end' for the second of its type that day.

    >>> from cprules.case import parse_case
    >>> _, a, b = parse_case({"case_id": "W", "events": [
    ...     {"id": "ps", "type": "plan_start", "date": "2024-05-01"},
    ...     {"id": "pe", "type": "plan_end", "date": "2024-05-02", "reason": "died"},
    ...     {"type": "visit", "date": "2024-05-03"}]}).ordered_events
    >>> named(a, "plan end"), named(b, "visit")
    ('plan end pe', 'visit')
    """
    number = event.unnamed_number
    if number is None:
        return f"{noun} {event.id}"
    return noun if number == 1 else f"{ordinal(number)} {noun}"


def aside(event: _Event, noun: str) -> str:
    """' (the plan end pe)' after a clause that already gives the date; nothing for an event
    the source did not name (the date says which), ' (the 2nd plan end that day)' for a second."""
    number = event.unnamed_number
    if number is None:
        return f" (the {noun} {event.id})"
    return "" if number == 1 else f" (the {ordinal(number)} {noun} that day)"


_TOLD = {
    "line_manager": "the line manager was told",
    "lead_social_worker": "the lead social worker was told",
    "senior_manager": "a senior manager was told",
}


def happened(event: _Event, *, start: bool = False) -> str:
    """What happened, as a clause with its date and the event's name: the verb fits the event
    (only meetings are held). ``start``: the clause starts a sentence (a capital first).

    >>> from cprules.case import parse_case
    >>> _, e1, e2 = parse_case({"case_id": "W", "events": [
    ...     {"id": "ps", "type": "plan_start", "date": "2024-03-02"},
    ...     {"id": "pe", "type": "plan_end", "date": "2024-05-02"},
    ...     {"id": "x", "type": "escalation", "date": "2024-05-03", "to": "line_manager"}]}).events
    >>> happened(e1), happened(e2, start=True)
    ('the plan ended on 2024-05-02 (plan end pe)', 'The line manager was told on 2024-05-03 (escalation x)')
    """
    kind: str = getattr(event, "type", "")
    say = (_SAYERS_START if start else _SAYERS).get(kind)
    if say is not None:
        return say(event)
    the = "The" if start else "the"
    if kind in MEETINGS:
        status = getattr(event, "status" if kind == "core_group" else "outcome", None)
        verb = status if status in ("cancelled", "rescheduled", "postponed") else "held"
        return f"{the} {named(event, EVENT_LABELS[kind])} was {verb} on {event.date.isoformat()}"
    if kind == "escalation":
        told = _TOLD.get(getattr(event, "to", None) or "", "the concern was escalated")
        return f"{capital(told) if start else told} on {event.date.isoformat()}{_escalation_aside(event)}"
    return f"{the} {named(event, EVENT_LABELS.get(kind, 'event'))} was recorded on {event.date.isoformat()}"


def _escalation_aside(event: _Event) -> str:
    number = event.unnamed_number
    if number is None:
        return f" (escalation {event.id})"
    return "" if number == 1 else f" (the {ordinal(number)} escalation that day)"


_HAPPENED = {
    "s47_outcome": "the section 47 enquiry concluded on {on} ({name})",
    "plan_start": "the plan started on {on} ({name})",
    "plan_end": "the plan ended on {on} ({name})",
    "plan_changed": "the plan was changed on {on} ({name})",
    "visit": "the {name} was made on {on}",
    "looked_after": "the child became looked after on {on} ({name})",
    "looked_after_end": "the child stopped being looked after on {on} ({name})",
    "removed_from_accommodation": "the child was removed from accommodation on {on} ({name})",
    "move_notified": "the {name} was received on {on}",
    "hospital_admission": "the child was admitted to hospital on {on} ({name})",
    "hospital_discharge": "the child was discharged from hospital on {on} ({name})",
    "birth": "the child was born on {on} ({name})",
    "significant_change": "the {name} was recorded on {on}",
    "sustained_change_from": "the sustained change began on {on} ({name})",
    "plan_sent_to_iro": "the plan was sent to the IRO on {on} ({name})",
    "quality_assurance_notification": "the {name} was issued on {on}",
}


def _sayer(text: str, noun: str) -> Callable[[_Event], str]:
    """A function that says a sentence of _HAPPENED for one event (built once per type: this
    runs for most findings, so it does no work a type already settles). An event the source did
    not name is said without the name made up for it (see :func:`named`)."""
    unnamed_text = text.replace(" ({name})", "").replace("{name}", noun)
    unnamed_before, unnamed_after = unnamed_text.split("{on}")
    text = text.replace("{name}", f"{noun} {{id}}")
    id_at, on_at = text.index("{id}"), text.index("{on}")
    first, second = ("{id}", "{on}") if id_at < on_at else ("{on}", "{id}")
    before, rest = text.split(first)
    between, after = rest.split(second)

    def unnamed(event: _Event, number: int) -> str:
        said = f"{unnamed_before}{event.date.isoformat()}{unnamed_after}"
        if number == 1:
            return said
        if " (" in text:  # the name was an aside: say which of the day's events it was
            return f"{said} (the {ordinal(number)} {noun} that day)"
        return said.replace(f" {noun}", f" {ordinal(number)} {noun}", 1)

    if id_at < on_at:

        def say(event: _Event) -> str:
            number = event.unnamed_number
            if number is not None:
                return unnamed(event, number)
            return f"{before}{event.id}{between}{event.date.isoformat()}{after}"

    else:

        def say(event: _Event) -> str:
            number = event.unnamed_number
            if number is not None:
                return unnamed(event, number)
            return f"{before}{event.date.isoformat()}{between}{event.id}{after}"

    return say


#: each type that is not a meeting or an escalation: the function that says what happened
_SAYERS: dict[str, Callable[[_Event], str]] = {
    kind: _sayer(text, EVENT_LABELS[kind]) for kind, text in _HAPPENED.items()
}
#: the same, starting a sentence
_SAYERS_START: dict[str, Callable[[_Event], str]] = {
    kind: _sayer(text[:1].upper() + text[1:], EVENT_LABELS[kind]) for kind, text in _HAPPENED.items()
}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up date on an event (minutes, an outline plan, notifications), in words."""

    noun: str
    """'the minutes'"""
    done: str
    """'were circulated'"""
    not_done: str
    """'were not circulated'"""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy by the fields (see SelectorWords.__reduce__)
        return (FollowUp, (self.noun, self.done, self.not_done))


#: follow-up date fields, in words
FOLLOW_UPS: dict[str, FollowUp] = {
    "minutes_circulated": FollowUp("the minutes", "were circulated", "were not circulated"),
    "outline_plan_circulated": FollowUp("the outline plan", "was circulated", "was not circulated"),
    "notifications_sent": FollowUp("the notifications", "were sent", "were not sent"),
}


# ---------------------------------------------------------------------------------------------
# Fields and values


@dataclass(frozen=True, slots=True)
class _Value:
    """How one value of a field reads."""

    style: str  # adj (before the noun), mod (after it), paren (a state in brackets), clause
    yes: str  # the phrase when the field has the value
    no: str  # the phrase when it has not
    said: str  # a sentence: the field has the value
    unsaid: str  # a sentence: it has not

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy by the fields (see SelectorWords.__reduce__)
        return (_Value, (self.style, self.yes, self.no, self.said, self.unsaid))


@dataclass(frozen=True, slots=True)
class _Field:
    """How one field of an event type reads."""

    fact: str  # what the field records: 'whether the child was seen alone'
    values: Mapping[Any, _Value]
    recorded: tuple[str, str] | None = None  # clause when filled in, when empty
    recorded_said: tuple[str, str] | None = None  # sentence when filled in, when empty
    contains: str | None = None  # clause for a list holding a value: 'that recorded {} as a category'

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy by the fields (see SelectorWords.__reduce__)
        return (_Field, (self.fact, self.values, self.recorded, self.recorded_said, self.contains))


def _flag(head: str, yes: str, no: str, fact_words: str) -> _Field:
    """A true/false field: 'on which' + 'the child was seen alone' / 'the child was not seen alone'."""
    return _Field(
        fact_words,
        {
            True: _Value("clause", f"{head} {yes}", f"{head} {no}", yes, no),
            False: _Value("clause", f"{head} {no}", f"{head} {yes}", no, yes),
        },
    )


def _adjective(yes: str, no: str, fact_words: str, said: str, unsaid: str) -> _Field:
    """A true/false field read as an adjective: 'a pre-birth ICPC', 'an unplanned admission'."""
    return _Field(
        fact_words,
        {
            True: _Value("adj", yes, f"not {yes}", said, unsaid),
            False: _Value("adj", no, f"not {no}", unsaid, said),
        },
    )


def _states(fact_words: str, subject: str, **states: str) -> _Field:
    """An enumeration read as a participle after the noun: 'the core group held' (negated, in
    brackets: 'the core group (not cancelled)')."""
    return _Field(
        fact_words,
        {
            value: _Value(
                "mod", words, f"not {words}", f"{subject} was {words}", f"{subject} was not {words}"
            )
            for value, words in states.items()
        },
    )


def _followed(fact_words: str, noun: str, done: str, not_done: str) -> _Field:
    return _Field(
        fact_words,
        {},
        recorded=(f"whose {noun} {done}", f"whose {noun} {not_done}"),
        recorded_said=(f"the {noun} {done}", f"the {noun} {not_done}"),
    )


_MINUTES = _followed("when the minutes were circulated", "minutes", "were circulated", "were not circulated")

_CATEGORIES = _Field(
    "the categories of harm",
    {},
    recorded=("that recorded the categories of harm", "that recorded no categories of harm"),
    recorded_said=("the categories of harm were recorded", "no categories of harm were recorded"),
    contains="that recorded {} as a category of harm",
)

_CONFERENCE: dict[str, _Field] = {
    "categories": _CATEGORIES,
    "votes": _Field(
        "the votes",
        {},
        recorded=("that recorded its votes", "that recorded no votes"),
        recorded_said=("the votes were recorded", "no votes were recorded"),
    ),
    "quorate": _Field(
        "whether it was quorate",
        {
            True: _Value("paren", "quorate", "not quorate", "it was quorate", "it was not quorate"),
            False: _Value("paren", "not quorate", "quorate", "it was not quorate", "it was quorate"),
        },
    ),
    "reconvened_from": _Field(
        "which conference it reconvened",
        {},
        recorded=("that reconvened an adjourned conference", "that reconvened no earlier conference"),
        recorded_said=("it reconvened an adjourned conference", "it reconvened no earlier conference"),
    ),
    "absent_agency_reports": _flag(
        "at which",
        "every agency that could not attend sent a written report",
        "an agency that could not attend sent no written report",
        "whether every agency that could not attend sent a written report",
    ),
    "adjournment_reason": _Field(
        "why it was adjourned or postponed",
        {
            "missing_reports": _Value(
                "clause",
                "for want of reports",
                "not for want of reports",
                "it was put off for want of reports",
                "it was not put off for want of reports",
            ),
            "attendance": _Value(
                "clause",
                "for want of attendance",
                "not for want of attendance",
                "it was put off for want of attendance",
                "it was not put off for want of attendance",
            ),
            "other": _Value(
                "clause",
                "for another reason",
                "not for another reason",
                "it was put off for another reason",
                "it was not put off for another reason",
            ),
        },
    ),
    "visit_interval_days": _Field(
        "the visit frequency it set",
        {},
        recorded=("that set a visit frequency", "that set no visit frequency"),
        recorded_said=("a visit frequency was set", "no visit frequency was set"),
    ),
    "visit_interval_reason": _Field(
        "its reasons for the visit frequency",
        {},
        recorded=("that recorded its reasons for the visit frequency", "that recorded no reasons for it"),
        recorded_said=("the reasons for the visit frequency were recorded", "no reasons were recorded"),
    ),
    "core_group_interval_days": _Field(
        "the core group frequency it set",
        {},
        recorded=("that set a core group frequency", "that set no core group frequency"),
        recorded_said=("a core group frequency was set", "no core group frequency was set"),
    ),
    "minutes_circulated": _MINUTES,
    "held_by": _Field(
        "which authority held it",
        {
            "this_authority": _Value(
                "mod",
                "held by this authority",
                "not held by this authority",
                "this authority held it",
                "another authority held it",
            ),
            "receiving_authority": _Value(
                "mod",
                "held by the receiving authority",
                "not held by the receiving authority",
                "the receiving authority held it",
                "the receiving authority did not hold it",
            ),
        },
    ),
}

_LEAD_NAMED = _flag(
    "at which",
    "a lead social worker was named",
    "no lead social worker was named",
    "whether a lead social worker was named",
)


def _outcomes(**decisions: tuple[str, str]) -> _Field:
    values: dict[Any, _Value] = {
        value: _Value("clause", f"that {yes}", f"that {no}", f"it {yes}", f"it {no}")
        for value, (yes, no) in decisions.items()
    }
    for state in ("adjourned", "postponed"):
        values[state] = _Value("paren", state, f"not {state}", f"it was {state}", f"it was not {state}")
    return _Field("the outcome", values)


_LOOKED_AFTER: dict[str, _Field] = {
    "basis": _Field(
        "the legal basis",
        {
            "interim_care_order": _Value(
                "mod",
                "on an interim care order",
                "not on an interim care order",
                "it was on an interim care order",
                "it was not on an interim care order",
            ),
            "care_order": _Value(
                "mod",
                "on a care order",
                "not on a care order",
                "it was on a care order",
                "it was not on a care order",
            ),
            "section_20": _Value(
                "mod",
                "under section 20",
                "not under section 20",
                "it was under section 20",
                "it was not under section 20",
            ),
            "other": _Value(
                "mod",
                "on another legal basis",
                "on a named legal basis",
                "it was on another legal basis",
                "it was on a named legal basis",
            ),
        },
    ),
    "living_with_family": _flag(
        "while",
        "living in the family home",
        "not living in the family home",
        "whether the child lived in the family home",
    ),
    "unsupervised_contact_with_risk": _flag(
        "while",
        "seeing a person who poses a risk unsupervised",
        "not seeing anyone who poses a risk unsupervised",
        "whether the child saw a person who poses a risk unsupervised",
    ),
    "rehabilitation_planned": _flag(
        "while",
        "a return home was planned",
        "no return home was planned",
        "whether a return home was planned",
    ),
}

_PLANNED = _adjective(
    "planned", "unplanned", "whether it was planned", "it was planned", "it was not planned"
)

#: (event type, field) -> how the field reads
FIELDS: dict[tuple[str, str], _Field] = {
    ("strategy_discussion", "s47"): _flag(
        "that",
        "started or confirmed a section 47 enquiry",
        "did not start or confirm a section 47 enquiry",
        "whether it started or confirmed a section 47 enquiry",
    ),
    ("s47_outcome", "icpc_required"): _flag(
        "that",
        "concluded a conference is needed",
        "concluded no conference is needed",
        "whether a conference is needed",
    ),
    **{
        (kind, name): words
        for kind in ("icpc", "review_conference", "transfer_in_conference")
        for name, words in _CONFERENCE.items()
    },
    ("icpc", "outcome"): _outcomes(
        plan=("decided on a plan", "did not decide on a plan"),
        no_plan=("decided no plan was needed", "did not decide against a plan"),
    ),
    ("icpc", "secondary_factors"): _Field(
        "the secondary factors",
        {},
        recorded=("that recorded secondary factors", "that recorded no secondary factors"),
        recorded_said=("secondary factors were recorded", "no secondary factors were recorded"),
        contains="that recorded {} as a secondary factor",
    ),
    ("icpc", "prebirth"): _adjective(
        "pre-birth",
        "ordinary",
        "whether it was a pre-birth conference",
        "it was a pre-birth conference",
        "it was not a pre-birth conference",
    ),
    ("icpc", "lead_social_worker_named"): _LEAD_NAMED,
    ("icpc", "outline_plan_circulated"): _followed(
        "when the outline plan was circulated", "outline plan", "was circulated", "was not circulated"
    ),
    ("review_conference", "outcome"): _outcomes(
        **{
            "continue": ("continued the plan", "did not continue the plan"),
            "cease": ("decided to end the plan", "did not decide to end the plan"),
        }
    ),
    ("review_conference", "neglect_assessment_revised"): _flag(
        "at which",
        "the neglect assessment was revised",
        "the neglect assessment was not revised",
        "whether the neglect assessment was revised",
    ),
    ("review_conference", "cin_plan_presented"): _flag(
        "at which",
        "a child in need plan was presented",
        "no child in need plan was presented",
        "whether a child in need plan was presented",
    ),
    ("transfer_in_conference", "outcome"): _outcomes(
        plan=("decided on a plan", "did not decide on a plan"),
        no_plan=("decided no plan was needed", "did not decide against a plan"),
    ),
    ("transfer_in_conference", "lead_social_worker_named"): _LEAD_NAMED,
    ("plan_start", "categories"): _CATEGORIES,
    ("plan_start", "interim"): _adjective(
        "interim",
        "full",
        "whether it is an interim plan",
        "it is an interim plan",
        "it is not an interim plan",
    ),
    ("plan_end", "reason"): _Field(
        "the reason the plan ended",
        {
            value: _Value("clause", f"because {text}", f"not because {text}", text, f"not {text}")
            for value, text in REASON_TEXT.items()
        },
    ),
    # a plan end that names no conference may still have been decided by one (the case settles
    # it from the plan's review conference that ceased it), so the words say "decided"
    ("plan_end", "decided_at"): _Field(
        "which conference decided it",
        {},
        recorded=("that a conference decided", "that no conference decided"),
        recorded_said=("a conference decided it", "no conference decided it"),
    ),
    ("plan_end", "notifications_sent"): _followed(
        "when the notifications were sent", "notifications", "were sent", "were not sent"
    ),
    ("plan_changed", "decided_at"): _Field(
        "which conference decided it",
        {},
        recorded=("that names the conference that decided it", "that names no conference"),
        recorded_said=("it names the conference that decided it", "it names no conference"),
    ),
    ("core_group", "status"): _states(
        "whether the meeting was held",
        "the meeting",
        held="held",
        cancelled="cancelled",
        rescheduled="rescheduled",
    ),
    ("core_group", "minutes_circulated"): _MINUTES,
    ("core_group", "rescheduled_in_writing"): _flag(
        "whose",
        "rescheduling was confirmed in writing",
        "rescheduling was not confirmed in writing",
        "whether the new arrangement was confirmed in writing",
    ),
    ("core_group", "absent_agency_reports"): _flag(
        "at which",
        "every member who could not attend sent a written report",
        "a member who could not attend sent no written report",
        "whether every member who could not attend sent a written report",
    ),
    ("visit", "outcome"): _Field(
        "the outcome of the visit",
        {
            "seen": _Value(
                "clause",
                "on which the child was seen",
                "on which the child was not seen",
                "the child was seen",
                "the child was not seen",
            ),
            "not_seen": _Value(
                "clause",
                "on which the child was not seen",
                "on which the child was seen",
                "the child was not seen",
                "the child was seen",
            ),
            "no_access": _Value(
                "clause",
                "at which no access was gained",
                "at which access was gained",
                "no access was gained",
                "access was gained",
            ),
            "refused": _Value(
                "clause",
                "at which access was refused",
                "at which access was not refused",
                "access was refused",
                "access was not refused",
            ),
        },
    ),
    ("visit", "seen_alone"): _flag(
        "on which",
        "the child was seen alone",
        "the child was not seen alone",
        "whether the child was seen alone",
    ),
    ("visit", "bedroom_seen"): _flag(
        "on which",
        "the child's bedroom was seen",
        "the child's bedroom was not seen",
        "whether the child's bedroom was seen",
    ),
    ("visit", "child_awake"): _flag(
        "on which", "the child was seen awake", "the child was not seen awake", "whether the child was awake"
    ),
    ("visit", "by"): _Field(
        "who made the visit",
        {
            "lead_social_worker": _Value(
                "mod",
                "by the lead social worker",
                "not by the lead social worker",
                "the lead social worker made it",
                "the lead social worker did not make it",
            ),
            "core_group_member": _Value(
                "mod",
                "by a core group member",
                "not by a core group member",
                "a core group member made it",
                "no core group member made it",
            ),
        },
    ),
    ("escalation", "to"): _Field(
        "who was told",
        {
            "line_manager": _Value(
                "mod",
                "to the line manager",
                "not to the line manager",
                "the line manager was told",
                "the line manager was not told",
            ),
            "lead_social_worker": _Value(
                "mod",
                "to the lead social worker",
                "not to the lead social worker",
                "the lead social worker was told",
                "the lead social worker was not told",
            ),
            "senior_manager": _Value(
                "mod",
                "to a senior manager",
                "not to a senior manager",
                "a senior manager was told",
                "no senior manager was told",
            ),
        },
    ),
    **{("looked_after", name): words for name, words in _LOOKED_AFTER.items()},
    **{("looked_after_end", name): words for name, words in _LOOKED_AFTER.items()},
    ("move_notified", "permanent"): _Field(
        "whether the move is permanent",
        {
            True: _Value(
                "paren", "permanent", "not permanent", "the move is permanent", "the move is not permanent"
            ),
            False: _Value(
                "paren", "temporary", "not temporary", "the move is temporary", "the move is permanent"
            ),
        },
    ),
    ("move_notified", "direction"): _Field(
        "which way the child moves",
        {
            "in": _Value(
                "mod",
                "into the area",
                "not into the area",
                "the child moves into the area",
                "the child does not move into the area",
            ),
            "out": _Value(
                "mod",
                "out of the area",
                "not out of the area",
                "the child moves out of the area",
                "the child does not move out of the area",
            ),
        },
    ),
    ("hospital_admission", "planned"): _PLANNED,
    ("hospital_discharge", "planned"): _PLANNED,
    ("significant_change", "kind"): _Field(
        "what kind of change it was",
        {
            "moved_to_different_family": _Value(
                "clause",
                "in which the child moved to a different family",
                "in which the child did not move to a different family",
                "the child moved to a different family",
                "the child did not move to a different family",
            )
        },
    ),
}


def _field(kind: str, name: str) -> _Field | None:
    return FIELDS.get((kind, name))


def _value_words(value: Any) -> str:
    """A value not in the tables, in words: never 'true', 'false' or an underscore."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def _field_words(name: str) -> str:
    return name.replace("_", " ")


def fact(kind: str, name: str) -> str:
    """What a field of an event type records, as a noun phrase ('whether the child was seen
    alone'), for 'the visit v1 on 2024-03-01 does not record ...'.

    >>> fact("core_group", "status"), fact("plan_end", "reason")
    ('whether the meeting was held', 'the reason the plan ended')
    """
    words = _field(kind, name)
    return words.fact if words is not None else f"its {_field_words(name)}"


def facts(kind: str, names: Iterable[str]) -> str:
    """Several facts joined: 'the outcome or whether the child was seen alone'."""
    return _facts(kind, tuple(names))


@lru_cache(maxsize=512)
def _facts(kind: str, names: tuple[str, ...]) -> str:
    return _or(list(dict.fromkeys(fact(kind, name) for name in names)))


def need(entry: str) -> str:
    """An entry of a case's ``records`` (``type`` or ``type.field``) in words, for 'the source
    does not record ...'.

    >>> need("visit"), need("core_group.minutes_circulated")
    ('visits', 'when the minutes were circulated, for core groups')
    """
    kind, _, name = entry.partition(".")
    plural_noun = EVENT_PLURALS.get(kind, "events")
    if not name:
        return plural_noun
    return f"{fact(kind, name)}, for {plural_noun}"


class _Test(Protocol):
    equals: Any
    one_of: tuple[Any, ...] | None
    not_one_of: tuple[Any, ...] | None
    present: bool | None
    contains: Any


def said(kind: str, name: str, value: Any) -> str:
    """What a field's value says, as a sentence: 'the child was seen alone', 'no lead social
    worker was named', 'no categories of harm were recorded' (an empty field).

    >>> said("icpc", "lead_social_worker_named", False), said("icpc", "categories", None)
    ('no lead social worker was named', 'no categories of harm were recorded')
    """
    words = _field(kind, name)
    if value is None or value == ():
        if words is not None and words.recorded_said is not None:
            return words.recorded_said[1]
        return f"{fact(kind, name)} was not recorded"
    if isinstance(value, tuple):
        return f"{fact(kind, name)} recorded {'was' if len(value) == 1 else 'were'} " + _and(
            [_value_words(v) for v in value]
        )
    if words is not None:
        entry = words.values.get(value)
        if entry is not None:
            return entry.said
        if words.recorded_said is not None:
            return words.recorded_said[0]
    return f"{fact(kind, name)} was {_value_words(value)}"


def asked(kind: str, name: str, test: _Test) -> str:
    """What a field test asks for, as a sentence: 'a lead social worker was named'.

    >>> from cprules.pack.model import FieldTest
    >>> asked("icpc", "categories", FieldTest(present=True))
    'the categories of harm were recorded'
    """
    words = _field(kind, name)
    if test.present is not None:
        if words is not None and words.recorded_said is not None:
            return words.recorded_said[0 if test.present else 1]
        return f"{fact(kind, name)} was {'recorded' if test.present else 'not recorded'}"
    if test.contains is not None:
        return f"{_value_words(test.contains)} was among {fact(kind, name)}"
    if test.equals is not None:
        return said(kind, name, test.equals)
    chosen = test.one_of if test.one_of is not None else test.not_one_of or ()
    sentences = [said(kind, name, value) for value in chosen]
    if test.one_of is not None:
        return _strip_join(sentences, "or")
    entries = [words.values.get(value) for value in chosen] if words is not None else []
    if entries and all(entry is not None for entry in entries):
        return _strip_join([entry.unsaid for entry in entries if entry is not None], "and")
    return f"{fact(kind, name)} was not {_or([_value_words(v) for v in chosen])}"


def denied(kind: str, name: str, test: _Test) -> str:
    """The opposite of what a field test asks for, as a sentence: 'the child was not seen alone'.

    >>> from cprules.pack.model import FieldTest
    >>> denied("visit", "seen_alone", FieldTest(equals=True))
    'the child was not seen alone'
    """
    words = _field(kind, name)
    if test.present is not None:
        if words is not None and words.recorded_said is not None:
            return words.recorded_said[1 if test.present else 0]
        return f"{fact(kind, name)} was {'not recorded' if test.present else 'recorded'}"
    if test.equals is not None and words is not None:
        entry = words.values.get(test.equals)
        if entry is not None:
            return entry.unsaid
    return f"it was not so that {asked(kind, name, test)}"


# ---------------------------------------------------------------------------------------------
# Selectors


class _Period(Protocol):
    def describe(self) -> str: ...


class _Selector(Protocol):
    @property
    def types(self) -> tuple[str, ...]: ...
    @property
    def where(self) -> Mapping[str, Any]: ...
    @property
    def child_under(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class SelectorWords:
    """A selector's events in words, with each article the explanations need."""

    bare: str
    """'core group held'"""
    a: str
    """'a core group held'"""
    the: str
    """'the core group held'"""
    first: str
    """'the first core group held'"""
    next: str
    """'the next core group held'"""
    no: str
    """'no core group held'"""
    plural: str
    """'core groups held'"""
    nouns: str
    """the event types alone: 'core group', 'ICPC or review conference'"""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy by the fields: a pack sent to a worker carries its selectors' words,
        # and the state a frozen slots dataclass restores with is refused by mypyc's compiled
        # class (its __setattr__ raises FrozenInstanceError), so compiled words would not load.
        fields = (self.bare, self.a, self.the, self.first, self.next, self.no, self.plural, self.nouns)
        return (SelectorWords, fields)


def selector_words(selector: _Selector) -> SelectorWords:
    """The selector's events in words (work this out once per selector: it is not cheap)."""
    kinds = selector.types
    adjectives: list[str] = []
    modifiers: list[str] = []
    states: list[str] = []
    clauses: list[str] = []
    for name, test in selector.where.items():
        kind = next((k for k in kinds if _field(k, name) is not None), kinds[0])
        style, text = _render(kind, name, test)
        {"adj": adjectives, "mod": modifiers, "paren": states, "clause": clauses}[style].append(text)
    if selector.child_under is not None:
        clauses.append(f"when the child was under {selector.child_under.describe()} old")
    tail = "".join(f" {m}" for m in modifiers)
    if states:
        tail += f" ({', '.join(states)})"
    because = [c for c in clauses if c.startswith("because ")]
    if because and len(because) < len(clauses):
        # 'a plan end that a conference decided because the child became looked after', not
        # '... because the child became looked after and that a conference decided'
        clauses = [c for c in clauses if c not in because] + because
        tail += " " + " and ".join(clauses[: -len(because)]) + " " + " and ".join(because)
    elif clauses:
        tail += " " + " and ".join(clauses)
    front = " ".join(adjectives)
    front = f"{front} " if front else ""
    singular = _or([EVENT_LABELS.get(k, k.replace("_", " ")) for k in kinds])
    many = _or([EVENT_PLURALS.get(k, k.replace("_", " ")) for k in kinds])
    bare = f"{front}{singular}{tail}"
    return SelectorWords(
        bare=bare,
        a=f"{_article(bare)} {bare}",
        the=f"the {bare}",
        first=f"the first {bare}",
        next=f"the next {bare}",
        no=f"no {bare}",
        plural=f"{front}{many}{tail}",
        nouns=singular,
    )


def _render(kind: str, name: str, test: _Test) -> tuple[str, str]:
    """One field test of a selector as (style, words)."""
    words = _field(kind, name)
    if test.present is not None:
        if words is not None and words.recorded is not None:
            return "clause", words.recorded[0 if test.present else 1]
        what = fact(kind, name)
        return "clause", f"that recorded {what}" if test.present else f"that did not record {what}"
    if test.contains is not None:
        value = _value_words(test.contains)
        if words is not None and words.contains is not None:
            return "clause", words.contains.format(value)
        return "clause", f"that recorded {value} among {fact(kind, name)}"
    # a tuple of any length: mypyc would fix the length at the first assignment's one item
    chosen: tuple[Any, ...]
    if test.equals is not None:
        chosen, negated = (test.equals,), False
    elif test.one_of is not None:
        chosen, negated = tuple(test.one_of), False
    else:
        chosen, negated = tuple(test.not_one_of or ()), True
    entries = [words.values.get(value) if words is not None else None for value in chosen]
    if not entries or any(entry is None for entry in entries):
        values = _or([_value_words(value) for value in chosen])
        what = fact(kind, name)
        return "clause", f"for which {what} was {'not ' if negated else ''}{values}"
    known = [entry for entry in entries if entry is not None]
    styles = {entry.style for entry in known}
    if len(styles) > 1:  # mixed: every value as a clause
        phrases = [_as_clause(entry, negated) for entry in known]
        return "clause", _strip_join(phrases, "and" if negated else "or")
    style = styles.pop()
    if not negated:
        return style, _strip_join([entry.yes for entry in known], "or")
    if style == "clause":
        return "clause", _strip_join([entry.no for entry in known], "and")
    # a negated adjective, modifier or state reads best in brackets: '(not postponed)'
    plain = [entry.yes for entry in known]
    if len(plain) == 1:
        return "paren", f"not {plain[0]}"
    if len(plain) == 2:
        return "paren", f"neither {plain[0]} nor {plain[1]}"
    return "paren", f"not {_or(plain)}"


def _as_clause(entry: _Value, negated: bool) -> str:
    if entry.style == "clause":
        return entry.no if negated else entry.yes
    return f"that was {entry.no if negated else entry.yes}"


# ---------------------------------------------------------------------------------------------
# Small helpers


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeio" or phrase.startswith(("ICPC", "IRO", "un")) else "a"


def _or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else ""
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else ""
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _strip_join(phrases: Sequence[str], joiner: str) -> str:
    """Phrases joined, their shared opening words said once: 'at which access was refused or no
    access was gained'.

    >>> _strip_join(["that decided on a plan", "that decided no plan was needed"], "or")
    'that decided on a plan or no plan was needed'

    Negations joined by "and" whose shared opening holds the "not" read with "or" once it is said
    once ('not because the child died or left the UK', never '... died and left the UK', which
    would ask for both):

    >>> _strip_join(["not because the child died", "not because the child left the UK"], "and")
    'not because the child died or left the UK'
    """
    unique = list(dict.fromkeys(phrases))
    if len(unique) == 1:
        return unique[0]
    split = [phrase.split(" ") for phrase in unique]
    shared = 0
    shortest = min(len(words) for words in split)
    while shared < shortest - 1 and all(words[shared] == split[0][shared] for words in split):
        shared += 1
    if joiner == "and" and "not" in split[0][:shared]:
        joiner = "or"  # 'not A and not B' with 'not' said once is 'not A or B'
    rest = [" ".join(words[shared:]) for words in split[1:]]
    items = [unique[0], *rest]
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def listed(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return _and(list(items))


def plural(count: int, word: str) -> str:
    """'1 working day', '3 working days'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def ordinal(number: int) -> str:
    """'1st', '2nd', '3rd', '11th', '21st'."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def capital(text: str) -> str:
    """The text with its first letter a capital."""
    return text[:1].upper() + text[1:]
