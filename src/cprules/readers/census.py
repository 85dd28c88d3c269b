"""The DfE children-in-need (CIN) census return: an XML file, one ``<Child>`` a case.

The file is streamed with ``defusedxml``'s ``iterparse`` (entity declarations and external
references are refused before anything is expanded) and each ``<Child>`` is dropped from the
tree once read, so a census of 100,000 children runs in flat memory. Nothing is held but the
child being read; no single child may run past :data:`MAX_CHILD_BYTES`.

Mapping, per ``<CINdetails>`` (numbered from 1, as XPath does, in error paths):

============================================  ==================================================
census                                        case
============================================  ==================================================
``ChildIdentifiers/LAchildID``                ``case_id``
``PersonBirthDate``                           ``child.date_of_birth``
``ExpectedPersonBirthDate``                   ``child.expected_delivery_date``
``Section47/S47ActualStartDate``              ``strategy_discussion`` with ``s47: true`` (the
                                              Department measures ICPC timeliness from the
                                              start of the section 47 enquiry)
``Section47/ICPCnotRequired`` true            ``s47_outcome`` with ``icpc_required: false``, on
                                              the enquiry's start date (the census gives no
                                              end date; the ICPC duty never arose)
``DateOfInitialCPC`` (in ``Section47`` or     ``icpc``: ``outcome: plan`` when a plan starts
``CINdetails``; the same date once)           that day, else ``no_plan``
``ChildProtectionPlans/CPPstartDate``         ``plan_start``, ``categories`` from
                                              ``InitialCategoryOfAbuse``
``CPPendDate``                                ``plan_end`` (no reason: the census has none)
``Reviews/CPPreviewDate``                     ``review_conference`` (no outcome, no quorum)
============================================  ==================================================

``InitialCategoryOfAbuse``: ``NEG`` neglect, ``PHY`` physical, ``SAB`` sexual, ``EMO``
emotional. ``MUL`` says "more than one category" without saying which, so the plan's
``categories`` is left **absent** (unknown), never guessed: a rule that needs the category
(a neglect plan's sustained-change test) is ``undetermined`` for it, not applied or skipped
on a guess. The raw code is kept in the event's ``metadata`` (with ``LatestCategoryOfAbuse``
and ``NumberOfPreviousCPP``), and the census header's ``LEA`` and ``ReferenceDate`` and each
episode's referral and closure codes in the case's ``metadata``. Unknown elements are ignored.

``records`` names exactly the fields the census holds (``icpc.outcome``, ``plan_end.date``,
...), so rules about core groups, visits, minutes or cessation reasons are ``undetermined``,
never ``overdue``. A census review date is a conference that was held, so
``review_conference.outcome`` is recorded to that extent (not postponed) and left empty
(continue or cease is not known): review timeliness is checked, cessation by review is not.

Messy data: exact duplicate events are dropped first (a plan listed twice; the ICPC date given
in both ``CINdetails`` and ``Section47``), and the count is kept in ``metadata``; a date that
is not a date, or falls outside 1990..2100 (a 1970 default, an expected date of birth a
thousand years ago), makes that child one :class:`~cprules.CaseError` naming the element
(``CINdetails[1].ChildProtectionPlans[2].CPPstartDate``), and the rest of the file goes on. A
file that is not well-formed XML (a truncated file included) raises
:class:`~cprules.SourceError` with its line when the parser reaches the fault, after every
child before it has been yielded and a :class:`~cprules.CaseError` for a child cut off there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Any, cast
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ErrorString

import defusedxml
from defusedxml.ElementTree import iterparse

from cprules.case import Case
from cprules.errors import CaseError, SourceError
from cprules.readers._common import (
    MAX_EVENTS_PER_CASE,
    EventSource,
    build_case,
    case_date,
    drop_duplicate_events,
    parse_flag,
)

__all__ = ["CATEGORY_CODES", "MAX_CHILD_BYTES", "RECORDS", "read_census"]

#: the bytes one ``<Child>`` (or anything between two children) may take: a real child takes
#: a few kilobytes; the limit keeps a hostile file (a million nested elements) from
#: multiplying into gigabytes of tree
MAX_CHILD_BYTES = 2**20

#: what a census return records at all (``records``, docs/case-format.md): the fields it fills, no more
RECORDS: tuple[str, ...] = (
    "strategy_discussion.s47",
    "s47_outcome.icpc_required",
    "icpc.outcome",
    "plan_start.categories",
    "plan_end.date",
    # a census review date is a conference that took place: "not postponed" is known, though
    # whether it continued or ended the plan is not (the outcome is left empty)
    "review_conference.outcome",
)

#: ``InitialCategoryOfAbuse`` codes; ``MUL`` (several, unknown which) maps to no category
CATEGORY_CODES: dict[str, str | None] = {
    "NEG": "neglect",
    "PHY": "physical",
    "SAB": "sexual",
    "EMO": "emotional",
    "MUL": None,
}

#: DfE local authority codes of the authorities a bundled pack tells apart (``authority``)
_AUTHORITIES = {"873": "cambridgeshire", "874": "peterborough"}

_CIN_FACTS = (
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "ReferralNFA",
)


class _Metered:
    """A byte stream that refuses to run more than ``limit`` bytes past its last mark."""

    def __init__(self, handle: IO[bytes] | IO[str], name: str) -> None:
        self._handle = handle
        self._name = name
        self.total = 0
        self.mark = 0

    def read(self, size: int = -1) -> bytes | str:
        data = self._handle.read(size)
        self.total += len(data)
        if self.total - self.mark > MAX_CHILD_BYTES:
            raise SourceError(
                f"one <Child> element (or the text between two) runs past {MAX_CHILD_BYTES // 1024} "
                "KiB; this is not a census return, or it is damaged",
                file=self._name,
            )
        return data


class _ChildReader:
    """Turns one ``<Child>`` element into a case mapping, noting where each field came from."""

    def __init__(self, ns: str, header: dict[str, str]) -> None:
        self.ns = ns
        self.header = header

    def text(self, parent: Element, tag: str) -> str:
        found = parent.find(self.ns + tag)
        if found is None or found.text is None:
            return ""
        return found.text.strip()

    def date(self, parent: Element, tag: str, place: str, problems: list[tuple[str, str]]) -> date | None:
        text = self.text(parent, tag)
        if not text:
            return None
        day = case_date(text)
        if isinstance(day, str):
            problems.append((f"{place}.{tag}", day))
            return None
        return day

    def case(self, child: Element) -> Case | CaseError:
        ns = self.ns
        problems: list[tuple[str, str]] = []
        identifiers = child.find(ns + "ChildIdentifiers")
        if identifiers is None:
            identifiers = Element("ChildIdentifiers")
        case_id = self.text(identifiers, "LAchildID")
        if not case_id:
            return CaseError(
                "no LAchildID: every <Child> needs its local authority child id",
                path="ChildIdentifiers.LAchildID",
            )
        child_dates: dict[str, date] = {}
        birth = self.date(identifiers, "PersonBirthDate", "ChildIdentifiers", problems)
        if birth is not None:
            child_dates["date_of_birth"] = birth
        expected = self.date(identifiers, "ExpectedPersonBirthDate", "ChildIdentifiers", problems)
        if expected is not None:
            child_dates["expected_delivery_date"] = expected

        events: list[dict[str, Any]] = []
        sources: list[EventSource] = []
        icpcs: list[dict[str, Any]] = []
        plan_days: set[date] = set()
        episodes: list[dict[str, str]] = []
        for i, cin in enumerate(child.iterfind(ns + "CINdetails"), 1):
            base = f"CINdetails[{i}]"
            episodes.append({tag: value for tag in _CIN_FACTS if (value := self.text(cin, tag))})
            for j, s47 in enumerate(cin.iterfind(ns + "Section47"), 1):
                place = f"{base}.Section47[{j}]"
                start = self.date(s47, "S47ActualStartDate", place, problems)
                target = self.text(s47, "InitialCPCtarget")
                if start is not None:
                    event: dict[str, Any] = {
                        "type": "strategy_discussion", "date": start, "s47": True, "id": f"cin{i}.s47-{j}",
                    }  # fmt: skip
                    if target:
                        event["metadata"] = {"InitialCPCtarget": target}
                    events.append(event)
                    sources.append(EventSource(place, _S47_FIELDS))
                raw = self.text(s47, "ICPCnotRequired")
                try:
                    not_required = parse_flag(raw)
                except ValueError:
                    problems.append((f"{place}.ICPCnotRequired", "write true or false"))
                    not_required = None
                if not_required and start is not None:
                    events.append({
                        "type": "s47_outcome", "date": start, "icpc_required": False,
                        "id": f"cin{i}.s47-{j}.outcome", "metadata": {"ICPCnotRequired": raw},
                    })  # fmt: skip
                    sources.append(
                        EventSource(place, {"date": "S47ActualStartDate", "icpc_required": "ICPCnotRequired"})
                    )
                held = self.date(s47, "DateOfInitialCPC", place, problems)
                if held is not None:
                    icpc: dict[str, Any] = {"type": "icpc", "date": held, "id": f"cin{i}.s47-{j}.icpc"}
                    icpcs.append(icpc)
                    events.append(icpc)
                    sources.append(EventSource(place, _ICPC_FIELDS))
            held = self.date(cin, "DateOfInitialCPC", base, problems)
            if held is not None:
                icpc = {"type": "icpc", "date": held, "id": f"cin{i}.icpc"}
                icpcs.append(icpc)
                events.append(icpc)
                sources.append(EventSource(base, _ICPC_FIELDS))
            for k, plan in enumerate(cin.iterfind(ns + "ChildProtectionPlans"), 1):
                place = f"{base}.ChildProtectionPlans[{k}]"
                self._plan(plan, place, f"cin{i}.plan-{k}", events, sources, problems)
        if problems:
            return _problems_error(case_id, problems)
        if len(events) > MAX_EVENTS_PER_CASE:
            return CaseError(f"more than {MAX_EVENTS_PER_CASE} events", case_id=case_id, path="Child")
        for event in events:
            if event["type"] == "plan_start":
                plan_days.add(event["date"])
        for icpc in icpcs:
            icpc["outcome"] = "plan" if icpc["date"] in plan_days else "no_plan"
        events, sources, dropped = drop_duplicate_events(events, sources)
        metadata: dict[str, Any] = {"source": "cin-census", **self.header}
        authority = _AUTHORITIES.get(self.header.get("LEA", ""))
        if episodes and any(episodes):
            metadata["CINdetails"] = episodes
        if dropped:
            metadata["duplicate_events_dropped"] = dropped
        data: dict[str, Any] = {
            "case_id": case_id,
            "records": RECORDS,
            "metadata": metadata,
            "events": events,
        }
        if child_dates:
            data["child"] = child_dates
        if authority is not None:
            data["authority"] = authority
        return build_case(data, sources, _CASE_PLACES)

    def _plan(
        self,
        plan: Element,
        place: str,
        ident: str,
        events: list[dict[str, Any]],
        sources: list[EventSource],
        problems: list[tuple[str, str]],
    ) -> None:
        start = self.date(plan, "CPPstartDate", place, problems)
        end = self.date(plan, "CPPendDate", place, problems)
        code = self.text(plan, "InitialCategoryOfAbuse")
        if start is not None:
            metadata = {
                tag: value
                for tag in ("InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP")
                if (value := self.text(plan, tag))
            }
            event: dict[str, Any] = {"type": "plan_start", "date": start, "id": f"{ident}.start"}
            category = CATEGORY_CODES.get(code.upper())
            if category is not None:
                event["categories"] = (category,)
            if metadata:
                event["metadata"] = metadata
            events.append(event)
            sources.append(EventSource(place, _PLAN_START_FIELDS))
        if end is not None:
            events.append({"type": "plan_end", "date": end, "id": f"{ident}.end"})
            sources.append(EventSource(place, {"date": "CPPendDate"}))
        m = 0
        for reviews in plan.iterfind(self.ns + "Reviews"):
            for review in reviews.iterfind(self.ns + "CPPreviewDate"):
                m += 1
                text = (review.text or "").strip()
                if not text:
                    continue
                day = case_date(text)
                if isinstance(day, str):
                    problems.append((f"{place}.Reviews.CPPreviewDate[{m}]", day))
                    continue
                events.append({"type": "review_conference", "date": day, "id": f"{ident}.review-{m}"})
                sources.append(EventSource(f"{place}.Reviews", {"date": f"CPPreviewDate[{m}]"}))


_S47_FIELDS = {"date": "S47ActualStartDate", "s47": "S47ActualStartDate"}
_ICPC_FIELDS = {"date": "DateOfInitialCPC", "outcome": "DateOfInitialCPC"}
_PLAN_START_FIELDS = {"date": "CPPstartDate", "categories": "InitialCategoryOfAbuse"}
_CASE_PLACES = {
    "case_id": "ChildIdentifiers.LAchildID",
    "child.date_of_birth": "ChildIdentifiers.PersonBirthDate",
    "child.expected_delivery_date": "ChildIdentifiers.ExpectedPersonBirthDate",
    "records": "(census records)",
}


def _problems_error(case_id: str, problems: list[tuple[str, str]]) -> CaseError:
    path, message = problems[0]
    if len(problems) > 1:
        more = len(problems) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return CaseError(message, case_id=case_id, path=path, problems=tuple(problems))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_census(handle: IO[bytes] | IO[str], name: str) -> Iterator[Case | CaseError]:
    """Yield a case, or a case error, for each ``<Child>`` of a CIN census return, in order."""
    metered = _Metered(handle, name)
    try:
        parser = iterparse(cast(Any, metered), events=("start", "end"))
        yield from _children(parser, metered, name)
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceError(f"not well-formed XML: {ErrorString(exc.code)}", file=name, line=line) from None
    except defusedxml.EntitiesForbidden:
        raise SourceError(
            "the XML declares entities; entity expansion is refused (a census return has none, and "
            "a 'billion laughs' file uses them to exhaust memory)",
            file=name,
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise SourceError("the XML refers to an external entity; that is refused", file=name) from None
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(f"the XML uses a refused feature ({type(exc).__name__})", file=name) from None


def _children(parser: Any, metered: _Metered, name: str) -> Iterator[Case | CaseError]:
    ns = ""
    root: Element | None = None
    container: Element | None = None
    header: dict[str, str] = {}
    reader: _ChildReader | None = None
    child_id = ""  # the id of the child being read, once its LAchildID has ended
    child_tag = id_tag = children_tag = header_tag = "Child"
    try:
        for event, element in parser:
            if event == "start":
                if root is None:
                    root = element
                    if element.tag.startswith("{"):
                        ns = element.tag[: element.tag.index("}") + 1]
                    if _local(element.tag) != "Message":
                        raise SourceError(
                            "the root element is not the census <Message>", file=name, line=1
                        )
                    child_tag, id_tag = ns + "Child", ns + "LAchildID"
                    children_tag, header_tag = ns + "Children", ns + "Header"
                elif element.tag == children_tag:
                    container = element
                continue
            tag = element.tag
            if tag == id_tag:
                child_id = (element.text or "").strip()[:200]
            elif tag == child_tag:
                if reader is None:
                    reader = _ChildReader(ns, header)
                yield reader.case(element)
                child_id = ""
                parent = container if container is not None else root
                if parent is not None:
                    try:
                        parent.remove(element)  # the tree never holds more than one child
                    except ValueError:  # pragma: no cover - a <Child> nested somewhere unusual
                        element.clear()
                metered.mark = metered.total
            elif tag == header_tag:
                for wanted in ("LEA", "ReferenceDate", "Year"):
                    found = element.find(f".//{ns}{wanted}")
                    if found is not None and found.text and found.text.strip():
                        header[wanted] = found.text.strip()[:40]
    except ParseError:
        if child_id:
            yield CaseError(
                "the file breaks off inside this child; its record is incomplete",
                case_id=child_id,
                path="Child",
            )
        raise
