"""The Department for Education's children's social care (CSC) API payload: one child a payload.

Authorities piloting the Department's CSC API send, each day, a JSON payload per child built
from their Standard Safeguarding Dataset (the structure published by data-to-insight in
``dfe-csc-api-data-flows``, ``docs/json_payload_structure.md``, the Department's specification
v0.7 and later; its staging builder and sample payloads use the same names). A file holds:

- one payload, ``{"la_code": 873, "Children": {...one child...}}`` (``Children`` may also be
  a list of children), or one child's record on its own (``{"la_child_id": ..., ...}``, the
  shape the API is sent, as the data-to-insight pipeline stores it);
- JSON Lines of those, one a line, streamed; or
- a JSON list of them (the body the pipeline posts), streamed element by element with the
  standard library's decoder, so memory stays flat however long the list.

Mapping (error paths number list items from 0, as JSON does, and name the payload's fields):

=============================================  ==================================================
payload                                        case
=============================================  ==================================================
``la_child_id``                                ``case_id``
``child_details.date_of_birth``                ``child.date_of_birth``
``child_details.expected_date_of_birth``       ``child.expected_delivery_date``
``la_code``                                    ``metadata.la_code``; ``authority`` for the codes a
                                               bundled pack tells apart (873 Cambridgeshire, 874
                                               Peterborough)
per ``social_care_episodes[i]``:
``section_47_assessments[j].start_date``       ``strategy_discussion`` with ``s47: true`` (as the
                                               census reader: the Department measures ICPC
                                               timeliness from the enquiry's start)
``icpc_required_flag`` false                   ``s47_outcome`` with ``icpc_required: false`` on
                                               the enquiry's ``end_date`` (its start date when it
                                               has none); true with an ``end_date``:
                                               ``icpc_required: true`` on that date
``icpc_date``                                  ``icpc``: ``outcome: plan`` when a plan starts
                                               that day, else ``no_plan``
``child_protection_plans[k].start_date``       ``plan_start`` (no categories: the payload has
                                               none)
``child_protection_plans[k].end_date``         ``plan_end`` (no reason: the payload has none)
``child_looked_after_placements[m]``           ``looked_after`` on ``start_date`` when
                                               ``start_reason`` is ``S`` (started to be looked
                                               after, the SSDA903 reason for a new episode);
                                               ``looked_after_end`` on ``end_date`` when
                                               ``end_reason`` is an ``E`` code (ceased to be
                                               looked after; ``X1``, a new episode the same
                                               day, is not an end). ``basis`` is left absent
``referral_date``, ``referral_source``,        the case's ``metadata.social_care_episodes`` (raw
``closure_date``, ``closure_reason``, ...      codes, as the census reader keeps its episodes)
``child_in_need_plans[]``                      their start and end dates in that metadata
=============================================  ==================================================

Not mapped, and why:

- **legal status** (``basis`` of ``looked_after``): the payload carries the placement, its
  type and the reasons an episode started and ended, never the legal status (interim care
  order, care order, section 20), so a rule that needs it is ``undetermined``;
- **categories of abuse** and **cessation reasons**: the payload has neither, so the plan's
  ``categories`` and the plan end's ``reason`` stay absent (unknown);
- **child in need plans** and **closure dates**: no rule reads them. A child in need plan
  starting after a child protection plan ends is not evidence of the inter-agency meeting the
  step-down rules ask for (``cin_meeting``), and a closure date is not a plan end, so neither
  is turned into an event; both are kept in ``metadata`` for whoever reads the case;
- **review conferences, core groups, visits**: the payload holds none, so ``records``
  (:data:`RECORDS`) leaves them out and their rules are ``undetermined``, never ``overdue``;
- assessments, workers, health, adoption and care leaver blocks: no rule reads them; their
  contents, even their ``purge`` flags, are not read;
- **partial payloads** (the pipeline's deltas: the identifiers plus what changed) cannot be
  told from full ones; read the full payloads (the staging table's ``json_payload``).

Personal fields are never copied: names, postcodes, unique pupil numbers, the MIS id, sex,
ethnicity, disabilities, asylum status, health scores and worker ids stay in the file. What
reaches the case is dates, flags, the source's own record ids (when they are the Department's
``[A-Za-z0-9_-]`` ids of up to 36 characters) and short printable codes.

**Purge.** ``purge: true`` on the child, its ``child_details``, an episode, or a section 47,
plan, placement or child in need plan record means the record was withdrawn: it is dropped
(with everything inside it), so a purged plan is not a plan, and a purged child gives no case
at all. Each case's ``metadata.purged_records`` counts what was dropped from it, and a
:class:`PurgedRecords` passed to :func:`~cprules.readers.read_cases` counts every withdrawn
record the reader met, for a batch summary.

**Bad input.** A payload that is not JSON (in JSON Lines), a field of the wrong type, a date
that is not a date or falls outside 1990..2100, a list of more than :data:`MAX_LIST_ITEMS`
records (a child with 10,000 episodes), a field written twice in one object: one
:class:`~cprules.CaseError` for that child, naming the field path (never the value), and the
rest of the file goes on. A JSON list or document that stops being JSON raises
:class:`~cprules.SourceError` with its line (a list cannot be resumed past a syntax error),
after every child before it has been yielded.

>>> import io
>>> line = (b'{"la_code": 999, "Children": {"la_child_id": "C1", "social_care_episodes": ['
...         b'{"child_protection_plans": [{"start_date": "2024-05-28"}, '
...         b'{"start_date": "2024-01-02", "purge": true}]}]}}\\n')
>>> purged = PurgedRecords()
>>> [case] = read_csc_api(io.BytesIO(line), "payloads.jsonl", purged=purged)
>>> [(event.type, str(event.date)) for event in case.events]
[('plan_start', '2024-05-28')]
>>> purged.describe()
'1 withdrawn record (purge: true) dropped: 1 child protection plan'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from cprules.case import MAX_CASE_BYTES, Case
from cprules.errors import CaseError, SourceError
from cprules.readers._common import (
    AUTHORITY_CODES,
    MAX_EVENTS_PER_CASE,
    EventSource,
    build_case,
    case_date,
    drop_duplicate_events,
    text_stream,
)

__all__ = [
    "MAX_DOCUMENT_CHARS",
    "MAX_LIST_ITEMS",
    "MAX_PAYLOAD_CHARS",
    "RECORDS",
    "PurgedRecords",
    "looks_like_payload",
    "read_csc_api",
]

#: what the payload records at all (SPEC §4 ``records``): no reviews, core groups or visits,
#: no categories, cessation reasons or legal status
RECORDS: tuple[str, ...] = (
    "strategy_discussion.s47",
    "s47_outcome.icpc_required",
    "icpc.outcome",
    "plan_start.date",
    "plan_end.date",
    "looked_after.date",
    "looked_after_end.date",
)

#: records one list of a child may hold (episodes, plans, placements, ...): a real child has
#: a few dozen episodes in a lifetime; past this the payload is damaged or hostile
MAX_LIST_ITEMS = 1_000

#: the characters one payload may take (a JSON line, or one element of a JSON list)
MAX_PAYLOAD_CHARS = MAX_CASE_BYTES

#: the characters of a file holding one JSON document that is not a list (read whole)
MAX_DOCUMENT_CHARS = 64 * 2**20

_CHUNK = 1 << 20
_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
_CHILD_ID_TEXT = re.compile(r'"la_child_id"\s*:\s*"([A-Za-z0-9_-]{1,200})"')
_FIRST_KEY = re.compile(r'"(la_child_id|case_id)"\s*:')
_WHITESPACE = " \t\r\n"
_BLANK = _WHITESPACE + "\ufeff"  # a byte-order mark left in a text stream counts as blank

# the kinds of record a purge can withdraw, with how a person reads them (one, several)
_KINDS: dict[str, tuple[str, str]] = {
    "child": ("child", "children"),
    "child_details": ("child's details", "children's details"),
    "social_care_episodes": ("social care episode", "social care episodes"),
    "section_47_assessments": ("section 47 enquiry", "section 47 enquiries"),
    "child_protection_plans": ("child protection plan", "child protection plans"),
    "child_looked_after_placements": ("looked after placement", "looked after placements"),
    "child_in_need_plans": ("child in need plan", "child in need plans"),
}

_EPISODE_CODES = (
    "social_care_episode_id",
    "referral_date",
    "referral_source",
    "referral_no_further_action_flag",
    "closure_date",
    "closure_reason",
)


@dataclass
class PurgedRecords:
    """Counts the records a CSC API file marked withdrawn (``purge: true``) and the reader
    dropped, by kind (``child``, ``child_protection_plans``, ...). Pass one to
    :func:`~cprules.readers.read_cases`; it fills as the cases are read.

    >>> purged = PurgedRecords()
    >>> purged.add("child"); purged.add("child_protection_plans", 2)
    >>> purged.total, purged.describe()
    (3, '3 withdrawn records (purge: true) dropped: 1 child, 2 child protection plans')
    """

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, number: int = 1) -> None:
        """Count ``number`` more withdrawn records of ``kind``."""
        self.counts[kind] = self.counts.get(kind, 0) + number

    @property
    def total(self) -> int:
        """Every withdrawn record counted."""
        return sum(self.counts.values())

    def describe(self) -> str:
        """One sentence for a summary; empty when nothing was withdrawn."""
        total = self.total
        if not total:
            return ""
        parts = []
        for kind in (*_KINDS, *sorted(set(self.counts) - set(_KINDS))):
            number = self.counts.get(kind, 0)
            if number:
                one, several = _KINDS.get(kind, (kind, kind))
                parts.append(f"{number} {one if number == 1 else several}")
        records = "record" if total == 1 else "records"
        return f"{total} withdrawn {records} (purge: true) dropped: {', '.join(parts)}"


# ---------------------------------------------------------------------------------------------
# Detection


def _is_payload(value: object) -> bool:
    if isinstance(value, list):
        return bool(value) and _is_payload(value[0])
    if not isinstance(value, dict):
        return False
    if "la_child_id" in value:
        return "case_id" not in value
    children = value.get("Children")
    return isinstance(children, dict | list) and _is_payload(children)


def looks_like_payload(head: bytes | str) -> bool:
    """Whether the first bytes of a JSON or JSON Lines file are CSC API payloads.

    A record carrying ``la_child_id`` (and no ``case_id``: a case file cannot carry
    ``la_child_id``, its unknown fields are errors) is a child's record, whether or not it
    has ``social_care_episodes`` (a deletion payload has only its ids and ``purge``).

    >>> looks_like_payload(b'[{"la_child_id": "C1", "social_care_episodes": []}]')
    True
    >>> looks_like_payload(b'{"case_id": "A", "events": []}')
    False
    """
    text = head.decode("utf-8", "ignore") if isinstance(head, bytes) else head
    text = text.lstrip("\ufeff" + _WHITESPACE)
    if text[:1] not in ("{", "["):
        return False
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        # the first record runs past the head (or is damaged): the first key naming a child
        first = _FIRST_KEY.search(text)
        return first is not None and first[1] == "la_child_id"
    return _is_payload(value)


# ---------------------------------------------------------------------------------------------
# One child


def _ident(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _code(value: object) -> str | bool | None:
    """A short printable code or flag for metadata, or None (anything else is not kept)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and 0 < len(value) <= 40 and value.isprintable():
        return value
    return None


class _Child:
    """Turns one child's record into a case mapping, noting where each event came from."""

    def __init__(
        self, record: dict[str, Any], prefix: str, la_code: str | None, purged: PurgedRecords | None
    ) -> None:
        self.record = record
        self.prefix = prefix  # "" for a bare record, "Children." or "Children[2]." in a payload
        self.la_code = la_code
        self.purged = purged
        self.dropped: dict[str, int] = {}
        self.problems: list[tuple[str, str]] = []
        self.events: list[dict[str, Any]] = []
        self.sources: list[EventSource] = []
        self.icpcs: list[dict[str, Any]] = []
        self.ids: set[str] = set()

    # -- fields ----------------------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def withdrawn(self, record: dict[str, Any], place: str, kind: str) -> bool:
        """Whether ``record`` says ``purge: true`` (counted); a flag of another type is a problem."""
        flag = record.get("purge")
        if flag is None or flag is False:
            return False
        if flag is True:
            self.dropped[kind] = self.dropped.get(kind, 0) + 1
            if self.purged is not None:
                self.purged.add(kind)
            return True
        self.problem(f"{place}.purge" if place else "purge", "write true or false")
        return False

    def date(self, record: dict[str, Any], key: str, place: str) -> date | None:
        value = record.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(f"{place}.{key}", "write the date as text, YYYY-MM-DD")
            return None
        if not value.strip():
            return None
        day = case_date(value.strip())
        if isinstance(day, str):
            self.problem(f"{place}.{key}", day)
            return None
        return day

    def flag(self, record: dict[str, Any], key: str, place: str) -> bool | None:
        value = record.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.problem(f"{place}.{key}", "write true or false")
        return None

    def block(self, record: dict[str, Any], key: str, place: str) -> dict[str, Any] | None:
        value = record.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.problem(f"{place}{key}", "write an object of field: value")
        return None

    def items(
        self, record: dict[str, Any], key: str, place: str
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """The records of the list ``record[key]`` that were not withdrawn: (index, place, record)."""
        value = record.get(key)
        where = f"{place}{key}"
        if value is None:
            return
        if not isinstance(value, list):
            self.problem(where, "write a list")
            return
        if len(value) > MAX_LIST_ITEMS:
            self.problem(
                where,
                f"more than {MAX_LIST_ITEMS:,} records in one list (a child's record holds a few "
                "dozen at most); the payload is damaged",
            )
            return
        for index, item in enumerate(value):
            item_place = f"{where}[{index}]"
            if not isinstance(item, dict):
                self.problem(item_place, "write a record (an object of field: value)")
                continue
            if not self.withdrawn(item, item_place, key):
                yield index, item_place, item

    def event_id(self, source_id: str | None, kind: str, fallback: str, suffix: str) -> str:
        """``kind:ID.suffix`` from the source's own id, else the position (ids stay unique)."""
        ident = f"{kind}:{source_id}{suffix}" if source_id is not None else ""
        if not ident or ident in self.ids:
            ident = f"{fallback}{suffix}"
        self.ids.add(ident)
        return ident

    def add(self, event: dict[str, Any], place: str, fields: dict[str, str]) -> None:
        self.events.append(event)
        self.sources.append(EventSource(place, fields))

    # -- records ---------------------------------------------------------------------------

    def case(self) -> Case | CaseError | None:
        record, prefix = self.record, self.prefix
        if self.withdrawn(record, prefix.rstrip("."), "child"):
            return None  # the whole child was withdrawn: no case
        case_id = record.get("la_child_id")
        if not isinstance(case_id, str) or not case_id.strip():
            message = (
                "no la_child_id: every child needs its local authority child id"
                if case_id is None or isinstance(case_id, str)
                else "write the local authority child id as text"
            )
            return CaseError(message, path=f"{prefix}la_child_id")
        case_id = case_id.strip()[:200]
        child: dict[str, date] = {}
        places = {"case_id": f"{prefix}la_child_id", "records": "(CSC API records)"}
        details = self.block(record, "child_details", prefix)
        if details is not None and not self.withdrawn(details, f"{prefix}child_details", "child_details"):
            where = f"{prefix}child_details"
            for key, name in (
                ("date_of_birth", "date_of_birth"),
                ("expected_date_of_birth", "expected_delivery_date"),
            ):
                day = self.date(details, key, where)
                if day is not None:
                    child[name] = day
                    places[f"child.{name}"] = f"{where}.{key}"
        episodes: list[dict[str, Any]] = []
        for i, place, episode in self.items(record, "social_care_episodes", prefix):
            episodes.append(self.episode(i, place, episode))
        if self.problems:
            return _problems_error(case_id, self.problems)
        if len(self.events) > MAX_EVENTS_PER_CASE:
            return CaseError(
                f"more than {MAX_EVENTS_PER_CASE:,} events", case_id=case_id, path=prefix.rstrip(".") or None
            )
        plan_days = {event["date"] for event in self.events if event["type"] == "plan_start"}
        for icpc in self.icpcs:
            icpc["outcome"] = "plan" if icpc["date"] in plan_days else "no_plan"
        events, sources, duplicates = drop_duplicate_events(self.events, self.sources)
        metadata: dict[str, Any] = {"source": "csc-api"}
        if self.la_code is not None:
            metadata["la_code"] = self.la_code
        if any(episodes):
            metadata["social_care_episodes"] = episodes
        if self.dropped:
            metadata["purged_records"] = dict(self.dropped)
        if duplicates:
            metadata["duplicate_events_dropped"] = duplicates
        data: dict[str, Any] = {
            "case_id": case_id,
            "records": RECORDS,
            "metadata": metadata,
            "events": events,
        }
        if child:
            data["child"] = child
        authority = AUTHORITY_CODES.get(self.la_code or "")
        if authority is not None:
            data["authority"] = authority
        return build_case(data, sources, places)

    def episode(self, i: int, place: str, episode: dict[str, Any]) -> dict[str, Any]:
        """Read one social care episode's records; return the codes kept in metadata."""
        kept: dict[str, Any] = {}
        for key in _EPISODE_CODES:
            if key.endswith("_date"):
                day = self.date(episode, key, place)
                if day is not None:
                    kept[key] = day.isoformat()
            elif (code := _code(episode.get(key))) is not None:
                kept[key] = code
        base = f"episode-{i + 1}"
        for j, s47_place, s47 in self.items(episode, "section_47_assessments", f"{place}."):
            self.section_47(s47, s47_place, _ident(s47, "section_47_assessment_id"), f"{base}.s47-{j + 1}")
        for k, plan_place, plan in self.items(episode, "child_protection_plans", f"{place}."):
            self.plan(plan, plan_place, _ident(plan, "child_protection_plan_id"), f"{base}.plan-{k + 1}")
        for m, cla_place, placement in self.items(episode, "child_looked_after_placements", f"{place}."):
            self.placement(
                placement,
                cla_place,
                _ident(placement, "child_looked_after_placement_id"),
                f"{base}.placement-{m + 1}",
            )
        cin_plans = []
        for _, cin_place, cin in self.items(episode, "child_in_need_plans", f"{place}."):
            dates = {
                key: day.isoformat()
                for key in ("start_date", "end_date")
                if (day := self.date(cin, key, cin_place)) is not None
            }
            if dates:
                cin_plans.append(dates)
        if cin_plans:
            kept["child_in_need_plans"] = cin_plans
        return kept

    def section_47(self, s47: dict[str, Any], place: str, source_id: str | None, fallback: str) -> None:
        start = self.date(s47, "start_date", place)
        end = self.date(s47, "end_date", place)
        held = self.date(s47, "icpc_date", place)
        required = self.flag(s47, "icpc_required_flag", place)
        if start is not None:
            self.add(
                {"type": "strategy_discussion", "date": start, "s47": True,
                 "id": self.event_id(source_id, "s47", fallback, "")},
                place, {"date": "start_date", "s47": "start_date"},
            )  # fmt: skip
        outcome_day, outcome_field = (end, "end_date") if end is not None else (start, "start_date")
        if outcome_day is not None and (required is False or (required is True and end is not None)):
            self.add(
                {"type": "s47_outcome", "date": outcome_day, "icpc_required": required,
                 "id": self.event_id(source_id, "s47", fallback, ".outcome")},
                place, {"date": outcome_field, "icpc_required": "icpc_required_flag"},
            )  # fmt: skip
        if held is not None:
            icpc: dict[str, Any] = {
                "type": "icpc",
                "date": held,
                "id": self.event_id(source_id, "s47", fallback, ".icpc"),
            }
            self.icpcs.append(icpc)
            self.add(icpc, place, {"date": "icpc_date", "outcome": "icpc_date"})

    def plan(self, plan: dict[str, Any], place: str, source_id: str | None, fallback: str) -> None:
        start = self.date(plan, "start_date", place)
        end = self.date(plan, "end_date", place)
        if start is None:
            if plan.get("start_date") is None:
                self.problem(f"{place}.start_date", "required field is missing: a plan needs its start date")
            return
        self.add(
            {"type": "plan_start", "date": start, "id": self.event_id(source_id, "cpp", fallback, ".start")},
            place, {"date": "start_date"},
        )  # fmt: skip
        if end is not None:
            self.add(
                {"type": "plan_end", "date": end, "id": self.event_id(source_id, "cpp", fallback, ".end")},
                place, {"date": "end_date"},
            )  # fmt: skip

    def placement(self, placement: dict[str, Any], place: str, source_id: str | None, fallback: str) -> None:
        start = self.date(placement, "start_date", place)
        end = self.date(placement, "end_date", place)
        codes = {
            key: code
            for key in ("start_reason", "end_reason", "placement_type")
            if isinstance(code := _code(placement.get(key)), str)
        }
        start_reason = str(codes.get("start_reason", "")).strip().upper()
        end_reason = str(codes.get("end_reason", "")).strip().upper()
        if start is not None and start_reason == "S":
            ident = self.event_id(source_id, "cla", fallback, ".start")
            event: dict[str, Any] = {"type": "looked_after", "date": start, "id": ident}
            if codes:
                event["metadata"] = codes
            self.add(event, place, {"date": "start_date"})
        if end is not None and end_reason.startswith("E"):
            event = {
                "type": "looked_after_end",
                "date": end,
                "id": self.event_id(source_id, "cla", fallback, ".end"),
            }
            if codes:
                event["metadata"] = codes
            self.add(event, place, {"date": "end_date"})


def _problems_error(case_id: str, problems: list[tuple[str, str]]) -> CaseError:
    path, message = problems[0]
    if len(problems) > 1:
        more = len(problems) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return CaseError(message, case_id=case_id, path=path, problems=tuple(problems))


# ---------------------------------------------------------------------------------------------
# Payloads


def _located(error: CaseError, where: str | None) -> CaseError:
    """An error whose case id is unknown gets the payload's place (``line 3``, ``[2]``) first."""
    if error.case_id is not None or where is None:
        return error
    path = f"{where}.{error.path}" if error.path else where
    problems = tuple((f"{where}.{p}" if p else where, m) for p, m in error.problems)
    return CaseError(error.reason, case_id=None, path=path, problems=problems)


def _la_code(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999:
        return f"{value:03d}"
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        return value.strip().zfill(3)
    raise ValueError("not a code")


def _payload_cases(
    payload: object, where: str | None, purged: PurgedRecords | None
) -> Iterator[Case | CaseError]:
    """The cases of one payload (a child's record, or ``la_code`` and ``Children``)."""
    if not isinstance(payload, dict):
        yield CaseError(
            "a payload is an object: a child's record (la_child_id, ...), or la_code and Children", path=where
        )
        return
    la_code: str | None = None
    if "la_child_id" not in payload and "Children" in payload:
        try:
            la_code = _la_code(payload["la_code"]) if payload.get("la_code") is not None else None
        except ValueError:
            yield _located(CaseError("write the local authority's three-digit code", path="la_code"), where)
            return
        children = payload["Children"]
        if isinstance(children, dict):
            records: list[tuple[str, object]] = [("Children.", children)]
        elif isinstance(children, list) and len(children) <= MAX_LIST_ITEMS:
            records = [(f"Children[{n}].", child) for n, child in enumerate(children)]
        else:
            message = (
                f"more than {MAX_LIST_ITEMS:,} children in one payload; send them one a line"
                if isinstance(children, list)
                else "write the child's record (an object of field: value)"
            )
            yield _located(CaseError(message, path="Children"), where)
            return
    else:
        records = [("", payload)]
    for prefix, record in records:
        if not isinstance(record, dict):
            yield _located(
                CaseError("write the child's record (an object of field: value)", path=prefix.rstrip(".")),
                where,
            )
            continue
        item = _Child(record, prefix, la_code, purged).case()
        if item is not None:
            yield _located(item, where) if isinstance(item, CaseError) else item


class _Decoder:
    """``json`` decoding that notices a key written twice in one object (the standard library
    would keep the last silently: a second ``purge`` would undo the first)."""

    def __init__(self) -> None:
        self.doubled = 0
        self.decoder = json.JSONDecoder(object_pairs_hook=self._object)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):
            self.doubled += 1
        return found

    def decode(self, text: str) -> Any:
        return self.decoder.decode(text)

    def raw_decode(self, text: str, index: int) -> tuple[Any, int]:
        return self.decoder.raw_decode(text, index)


_DOUBLED = "a field is written twice in one object; keep one"


def _json_problem(exc: json.JSONDecodeError, text: str) -> str:
    """What is wrong with a payload's JSON, in words (the decoder's message, never the text)."""
    if exc.pos >= len(text.rstrip(_BLANK)) - 1 or exc.msg.startswith("Unterminated string"):
        return "not valid JSON: the payload breaks off before its end"
    words = exc.msg.removesuffix(" at").removesuffix(" starting")
    return f"not valid JSON: {words[:1].lower()}{words[1:]}"


def _case_id_from_text(text: str) -> str | None:
    match = _CHILD_ID_TEXT.search(text[:_CHUNK])
    return match[1] if match else None


def read_csc_api(
    handle: IO[bytes] | IO[str], name: str, *, purged: PurgedRecords | None = None
) -> Iterator[Case | CaseError]:
    """Yield a case, or a case error, for each child of a CSC API file (one payload, JSON Lines
    of payloads, or a JSON list of them), in order; a withdrawn child gives nothing."""
    with text_stream(handle) as text:
        try:
            yield from _payloads(text, name, purged)
        except UnicodeDecodeError:
            raise SourceError("not UTF-8 text", file=name) from None


def _blank(line: str) -> bool:
    return not line.strip(_BLANK)


def _payloads(text: IO[str], name: str, purged: PurgedRecords | None) -> Iterator[Case | CaseError]:
    """Tell the file's shape from its first lines, then read it that way."""
    skipped = 0
    first = text.readline(_CHUNK)  # a list on one line is read on in chunks, not held whole
    while first and _blank(first):
        skipped += 1
        first = text.readline(_CHUNK)
    if not first:
        return
    start = first.lstrip(_BLANK)
    if start[:1] == "[":
        yield from _list(start, text, name, skipped, purged)
        return
    if not first.endswith("\n"):
        first += text.readline(MAX_PAYLOAD_CHARS + 1 - len(first))
        start = first.lstrip(_BLANK)
    if start[:1] != "{":
        raise SourceError(
            "not CSC API payloads: write one payload object a line, or a JSON list of them",
            file=name,
            line=skipped + 1,
        )
    pending = [first]
    if len(first) <= MAX_PAYLOAD_CHARS and not start.rstrip(_BLANK).endswith("}"):
        # one object over several lines (a pretty-printed payload), or JSON Lines whose first
        # line is damaged: the next line that is not blank tells them apart
        following = text.readline(MAX_PAYLOAD_CHARS + 1)
        while following and _blank(following):
            pending.append(following)
            following = text.readline(MAX_PAYLOAD_CHARS + 1)
        if following:
            pending.append(following)
        if start.strip(_BLANK) == "{" or not following.lstrip(_BLANK).startswith("{"):
            yield from _document("".join(pending), text, name, skipped, purged)
            return
    yield from _lines(pending, text, skipped, purged)


def _lines(
    pending: list[str], text: IO[str], skipped: int, purged: PurgedRecords | None
) -> Iterator[Case | CaseError]:
    decoder = _Decoder()
    number = skipped
    queued = iter(pending)
    while True:
        line = next(queued, None)
        if line is None:
            line = text.readline(MAX_PAYLOAD_CHARS + 1)
            if not line:
                return
        number += 1
        where = f"line {number}"
        if len(line) > MAX_PAYLOAD_CHARS and not line.endswith("\n"):
            head = line[:_CHUNK]
            while line and not line.endswith("\n"):
                line = text.readline(_CHUNK)
            yield CaseError(
                f"payload over the {MAX_PAYLOAD_CHARS // 2**20} MiB limit",
                case_id=_case_id_from_text(head),
                path=where,
            )
        elif not _blank(line):
            yield from _decoded(decoder, line, where, purged)


def _decoded(
    decoder: _Decoder, line: str, where: str, purged: PurgedRecords | None
) -> Iterator[Case | CaseError]:
    doubled = decoder.doubled
    try:
        payload = decoder.decode(line)
    except json.JSONDecodeError as exc:
        yield CaseError(_json_problem(exc, line), case_id=_case_id_from_text(line), path=where)
        return
    except (ValueError, RecursionError):  # a number past Python's digit limit; nesting
        yield CaseError(
            "not readable JSON (nested too deeply, or a number too long)",
            case_id=_case_id_from_text(line),
            path=where,
        )
        return
    if decoder.doubled != doubled:
        yield CaseError(_DOUBLED, case_id=_case_id_from_text(line), path=where)
        return
    yield from _payload_cases(payload, where, purged)


def _document(
    head: str, text: IO[str], name: str, skipped: int, purged: PurgedRecords | None
) -> Iterator[Case | CaseError]:
    """A file holding one JSON object over several lines (one pretty-printed payload)."""
    data = head + text.read(max(0, MAX_DOCUMENT_CHARS + 1 - len(head)))
    if len(data) > MAX_DOCUMENT_CHARS:
        raise SourceError(
            f"over the {MAX_DOCUMENT_CHARS // 2**20} MiB limit for one JSON document; write the "
            "payloads as JSON Lines (one a line) or a JSON list to stream them",
            file=name,
        )
    decoder = _Decoder()
    try:
        payload = decoder.decode(data)
    except json.JSONDecodeError as exc:
        raise SourceError(_json_problem(exc, data), file=name, line=skipped + exc.lineno) from None
    except (ValueError, RecursionError):
        raise SourceError("not readable JSON (nested too deeply, or a number too long)", file=name) from None
    if decoder.doubled:
        yield CaseError(_DOUBLED, case_id=_case_id_from_text(data), path=None)
        return
    yield from _payload_cases(payload, None, purged)


def _list(
    buffer: str, text: IO[str], name: str, lines_before: int, purged: PurgedRecords | None
) -> Iterator[Case | CaseError]:
    """A JSON list of payloads, decoded one element at a time from a sliding buffer."""
    decoder = _Decoder()
    position = 1  # past the "["
    line_base = lines_before + 1  # the line the buffer starts on
    eof = False
    index = 0

    def more() -> bool:
        nonlocal buffer, eof
        if eof:
            return False
        chunk = text.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buffer += chunk
        return True

    def line_at(offset: int) -> int:
        return line_base + buffer.count("\n", 0, offset)

    def skip_space() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in _WHITESPACE:
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not more():
                return ""

    if skip_space() == "]":
        position += 1
    else:
        while True:
            if not skip_space():
                raise SourceError("the file breaks off inside the list", file=name, line=line_at(len(buffer)))
            doubled = decoder.doubled
            while True:
                try:
                    payload, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError as exc:
                    # an element cut by the end of the buffer fails at (or a string starting
                    # near) the end; more text decides. Anything else is a syntax error.
                    cut = exc.pos >= len(buffer) - 16 or exc.msg.startswith("Unterminated string")
                    if cut and len(buffer) - position > MAX_PAYLOAD_CHARS:
                        raise SourceError(
                            f"list element {index} runs past the {MAX_PAYLOAD_CHARS // 2**20} MiB limit "
                            "for one payload",
                            file=name,
                            line=line_at(position),
                        ) from None
                    if cut and more():
                        continue
                    ends = f" (the file ends inside list element {index})" if cut else ""
                    raise SourceError(
                        f"not valid JSON: {exc.msg}{ends}", file=name, line=line_at(exc.pos)
                    ) from None
                except (ValueError, RecursionError):
                    raise SourceError(
                        "not readable JSON (nested too deeply, or a number too long)",
                        file=name,
                        line=line_at(position),
                    ) from None
                if end >= len(buffer) and more():
                    continue  # a bare number may go on in the next chunk: decode it again
                break
            where = f"[{index}]"
            if decoder.doubled != doubled:
                yield CaseError(_DOUBLED, case_id=_case_id_from_text(buffer[position:end]), path=where)
            else:
                yield from _payload_cases(payload, where, purged)
            index += 1
            position = end
            if position > _CHUNK:  # drop what has been read; keep counting lines
                line_base += buffer.count("\n", 0, position)
                buffer = buffer[position:]
                position = 0
            separator = skip_space()
            if separator == ",":
                position += 1
                continue
            if separator == "]":
                position += 1
                break
            if not separator:
                raise SourceError("the file breaks off inside the list", file=name, line=line_at(len(buffer)))
            raise SourceError(
                "not valid JSON: expecting ',' or ']' after a list element", file=name, line=line_at(position)
            )
    if skip_space():
        raise SourceError("not valid JSON: text after the end of the list", file=name, line=line_at(position))
