"""A Standard Safeguarding Dataset (SSD) extract: a folder of CSV files, one per SSD table.

File and column names are the SSD's own (data-to-insight/ssd-data-model, ``data/objects``);
names are matched without regard to case. The tables read, and what each row becomes:

=============================  ===============================================================
table (file ``<table>.csv``)   case
=============================  ===============================================================
``ssd_person``                 ``pers_person_id`` is the case id; ``pers_dob`` ->
                               ``child.date_of_birth``; ``pers_expected_dob`` ->
                               ``child.expected_delivery_date``
``ssd_s47_enquiry``            ``s47e_s47_start_date`` -> ``strategy_discussion`` with
                               ``s47: true`` (the SSD defines it as the date of the strategy
                               discussion that started the enquiry); with ``s47e_s47_end_date``,
                               ``s47e_s47_nfa`` = Y -> ``s47_outcome`` ``icpc_required: false``
                               on the end date (or ``CP_CONFERENCE_FLAG`` of
                               ``s47e_s47_outcome_json``, Y/N -> true/false)
``ssd_initial_cp_conference``  ``icpc_icpc_date`` -> ``icpc``, or ``transfer_in_conference`` when
                               ``icpc_icpc_transfer_in`` = Y; ``icpc_icpc_outcome_cp_flag``
                               Y/N -> ``outcome`` plan/no_plan (empty: plan when a plan starts
                               that day, else no_plan, as for the census)
``ssd_cp_plans``               ``cppl_cp_plan_start_date`` -> ``plan_start`` (``categories``
                               from ``cppl_cp_plan_initial_category``); ``cppl_cp_plan_end_date``
                               -> ``plan_end`` (no reason)
``ssd_cp_visits``              ``cppv_cp_visit_date`` -> ``visit``; ``cppv_cp_visit_seen`` Y/N ->
                               ``outcome`` seen/not_seen; ``cppv_cp_visit_seen_alone`` ->
                               ``seen_alone``; ``cppv_cp_visit_bedroom`` -> ``bedroom_seen``
``ssd_cp_reviews``             ``cppr_cp_review_date`` -> ``review_conference``;
                               ``cppr_cp_review_outcome_continue_cp`` Y/N -> ``outcome``
                               continue/cease (the older name ``cppr_cp_review_outcome`` too);
                               ``cppr_cp_review_quorate`` -> ``quorate``
=============================  ===============================================================

Visits and reviews are matched to the child by ``cppv_person_id`` / ``cppr_person_id``, or,
in extracts that lack them (older versions of the SSD), through their plan id and
``ssd_cp_plans``. Flags are ``Y``/``N`` (``Yes``/``No``, ``1``/``0``, ``true``/``false`` too);
dates ISO (a time after it is dropped) or ``DD/MM/YYYY``. A row whose event date is empty is
a scheduled, not a held, event (reviews and conferences are listed ahead): it is skipped and
counted in the case's ``metadata``. Raw codes (categories, flags, plan ids) go to the events'
``metadata``.

Categories: ``Neglect``, ``Physical abuse``, ``Sexual abuse``, ``Emotional abuse`` (or the
census codes ``NEG``, ``PHY``, ``SAB``, ``EMO``); ``Multiple: Neglect, Emotional abuse`` lists
them; a bare ``Multiple``/``MUL`` does not say which, so the plan's ``categories`` is left
absent (unknown), as for the census.

The tables are not sorted by child, so the extract is grouped in memory. A child is yielded
when at least one child protection table has a row for them (``ssd_person`` lists every
child known to children's social care), in ``ssd_person`` order, then any child missing from
``ssd_person`` in the order first met. ``records`` lists the fields of the tables and columns
present, so rules about a missing table are ``undetermined``. Exact duplicate events are
dropped first; a bad date or flag makes that child one :class:`~cprules.CaseError` naming the
file, line and column, and the rest goes on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

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

__all__ = ["TABLES", "has_ssd_tables", "read_ssd"]

#: the SSD tables read (file ``<name>.csv`` in the folder)
TABLES = (
    "ssd_person",
    "ssd_s47_enquiry",
    "ssd_initial_cp_conference",
    "ssd_cp_plans",
    "ssd_cp_visits",
    "ssd_cp_reviews",
)

_CATEGORY_WORDS = {
    "neg": "neglect",
    "neglect": "neglect",
    "phy": "physical",
    "physical": "physical",
    "physical abuse": "physical",
    "sab": "sexual",
    "sexual": "sexual",
    "sexual abuse": "sexual",
    "emo": "emotional",
    "emotional": "emotional",
    "emotional abuse": "emotional",
}
_SPLIT = re.compile(r"\s*(?:[,;/|+]|\band\b|&)\s*", re.IGNORECASE)
_MULTIPLE = re.compile(r"^\s*(?:mul|multiple)\b\s*:?\s*", re.IGNORECASE)


def has_ssd_tables(folder: Path) -> bool:
    """Whether ``folder`` holds at least one ``ssd_*.csv`` file."""
    return any(
        path.is_file() and path.name.lower().startswith("ssd_") and path.suffix.lower() == ".csv"
        for path in folder.iterdir()
    )


def categories_of(text: str) -> tuple[str, ...] | None:
    """The categories an SSD category cell names, or None when it does not say which.

    >>> categories_of("Multiple: Neglect, Emotional abuse"), categories_of("MUL"), categories_of("PHY")
    (('neglect', 'emotional'), None, ('physical',))
    """
    rest = _MULTIPLE.sub("", text, count=1)
    found: list[str] = []
    for part in _SPLIT.split(rest):
        word = part.strip().lower()
        if not word:
            continue
        category = _CATEGORY_WORDS.get(word)
        if category is None:
            return None
        if category not in found:
            found.append(category)
    return tuple(found) or None


@dataclass
class _Child:
    """What the extract says about one child, gathered across the tables."""

    line: int = 0
    birth: tuple[str, str] | None = None  # (raw text, place)
    expected: tuple[str, str] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    sources: list[EventSource] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    undated: dict[str, int] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    icpcs: list[dict[str, Any]] = field(default_factory=list)
    in_person_table: bool = False
    has_events: bool = False
    too_many: bool = False


class _Table:
    """One SSD table file: its columns (lower-cased; read on opening) and its data rows."""

    def __init__(self, path: Path, table: str) -> None:
        self.path = path
        self.table = table
        self.file = path.name
        self.columns: dict[str, int] = {}
        for _ in self._read(header_only=True):
            pass

    def has(self, *names: str) -> str | None:
        for name in names:
            if name in self.columns:
                return name
        return None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank data rows, with the line each starts on."""
        return self._read(header_only=False)

    def _read(self, *, header_only: bool) -> Iterator[tuple[int, list[str]]]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    return
                if header_only:
                    self.columns = {}
                    for index, name in enumerate(header):
                        self.columns.setdefault(name.strip().lower(), index)
                    return
                previous_end = reader.line_num
                for row in reader:
                    start = previous_end + 1
                    previous_end = reader.line_num
                    if row and any(cell.strip() for cell in row):
                        yield start, row
        except OSError as exc:
            raise SourceError(f"cannot read the file ({exc.strerror})", file=str(self.path)) from None
        except UnicodeDecodeError:
            raise SourceError("not UTF-8 text", file=str(self.path)) from None
        except csv.Error as exc:
            raise SourceError(f"not readable as CSV: {exc}", file=str(self.path)) from None


def _cell(row: list[str], columns: dict[str, int], name: str | None) -> str:
    if name is None:
        return ""
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


class _Extract:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        files = {
            path.name.lower(): path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() == ".csv"
        }
        self.tables = {
            table: _Table(files[f"{table}.csv"], table) for table in TABLES if f"{table}.csv" in files
        }
        self.children: dict[str, _Child] = {}
        self.person_order: list[str] = []
        self.orphans: list[CaseError] = []
        self.records: list[str] = []
        self.plan_person: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------

    def child(self, person: str) -> _Child:
        found = self.children.get(person)
        if found is None:
            found = self.children[person] = _Child()
        return found

    def place(self, table: _Table, line: int, column: str | None = None) -> str:
        where = f"{table.file} line {line}"
        return f"{where}.{column}" if column else where

    def date(
        self, child: _Child, table: _Table, line: int, row: list[str], column: str | None
    ) -> date | None:
        text = _cell(row, table.columns, column)
        if not text:
            return None
        day = case_date(text)
        if isinstance(day, str):
            child.problems.append((self.place(table, line, column), day))
            return None
        return day

    def flag(
        self, child: _Child, table: _Table, line: int, row: list[str], column: str | None
    ) -> bool | None:
        try:
            return parse_flag(_cell(row, table.columns, column))
        except ValueError:
            child.problems.append((self.place(table, line, column), "write Y or N"))
            return None

    def add(
        self,
        child: _Child,
        event: dict[str, Any],
        prefix: str,
        key: str,
        table: _Table,
        line: int,
        fields: dict[str, str],
    ) -> None:
        if len(child.events) >= MAX_EVENTS_PER_CASE:
            child.too_many = True
            return
        ident = f"{prefix}:{key}" if key else f"{prefix}@{line}"
        if ident in child.ids:
            ident = f"{ident}@{line}"
        child.ids.add(ident)
        event["id"] = ident[:200]
        child.events.append(event)
        child.sources.append(EventSource(self.place(table, line), fields))
        child.has_events = True

    def undated(self, child: _Child, table: _Table) -> None:
        child.undated[table.table] = child.undated.get(table.table, 0) + 1

    def rows_of(
        self, name: str, person_columns: tuple[str, ...]
    ) -> Iterator[tuple[_Table, int, list[str], str]]:
        """Rows of a table with the person each belongs to (through the plan id if need be)."""
        table = self.tables.get(name)
        if table is None or not table.columns:
            return  # missing, or an empty file: no header, no rows
        rows = table.rows()
        person_column = table.has(*person_columns)
        plan_column = table.has(person_columns[0].split("_", 1)[0] + "_cp_plan_id")
        if person_column is None and (plan_column is None or not self.plan_person):
            raise SourceError(
                f"no {person_columns[0]} column: the rows cannot be matched to a child",
                file=str(table.path),
                line=1,
            )
        for line, row in rows:
            person = _cell(row, table.columns, person_column)
            if not person and plan_column is not None:
                person = self.plan_person.get(_cell(row, table.columns, plan_column), "")
            if not person:
                self.orphans.append(
                    CaseError(
                        "the row names no child (person id, or a plan id found in ssd_cp_plans)",
                        path=self.place(table, line, person_column or plan_column),
                    )
                )
                continue
            yield table, line, row, person

    # -- tables ----------------------------------------------------------------------------

    def read(self) -> None:
        self._persons()
        self._plans()
        self._s47()
        self._conferences()
        self._visits()
        self._reviews()

    def _persons(self) -> None:
        table = self.tables.get("ssd_person")
        if table is None or not table.columns:
            return
        rows = table.rows()
        id_column = table.has("pers_person_id")
        if id_column is None:
            raise SourceError("no pers_person_id column", file=str(table.path), line=1)
        dob_column = table.has("pers_dob")
        edd_column = table.has("pers_expected_dob")
        for line, row in rows:
            person = _cell(row, table.columns, id_column)
            if not person:
                continue  # a person row with no id names nobody: nothing to report it against
            child = self.child(person)
            if not child.in_person_table:
                child.in_person_table = True
                child.line = line
                self.person_order.append(person)
            for column, slot in ((dob_column, "birth"), (edd_column, "expected")):
                text = _cell(row, table.columns, column)
                if not text:
                    continue
                earlier: tuple[str, str] | None = getattr(child, slot)
                if earlier is None:
                    setattr(child, slot, (text, self.place(table, line, column)))
                elif earlier[0] != text:
                    child.problems.append(
                        (
                            self.place(table, line, column),
                            f"differs from {earlier[1]} for the same person; keep one row per person",
                        )
                    )

    def _plans(self) -> None:
        table = self.tables.get("ssd_cp_plans")
        if table is None or not table.columns:
            return
        # the plan id -> person map first: visits and reviews may need it
        rows = table.rows()
        id_column = table.has("cppl_cp_plan_id")
        person_column = table.has("cppl_person_id")
        if person_column is None:
            raise SourceError("no cppl_person_id column", file=str(table.path), line=1)
        staged: list[tuple[int, list[str], str]] = []
        for line, row in rows:
            person = _cell(row, table.columns, person_column)
            plan_id = _cell(row, table.columns, id_column)
            if person and plan_id:
                self.plan_person.setdefault(plan_id, person)
            if not person:
                self.orphans.append(
                    CaseError("the row names no child", path=self.place(table, line, person_column))
                )
                continue
            staged.append((line, row, person))
        start_column = table.has("cppl_cp_plan_start_date")
        end_column = table.has("cppl_cp_plan_end_date")
        category_column = table.has("cppl_cp_plan_initial_category")
        if start_column:
            self.records.append("plan_start.categories" if category_column else "plan_start.date")
        if end_column:
            self.records.append("plan_end.date")
        for line, row, person in staged:
            child = self.child(person)
            plan_id = _cell(row, table.columns, id_column)
            start = self.date(child, table, line, row, start_column)
            end = self.date(child, table, line, row, end_column)
            if start is None:
                if not _cell(row, table.columns, start_column):
                    self.undated(child, table)
                continue
            metadata = {
                name: value
                for name in (
                    "cppl_cp_plan_id",
                    "cppl_cp_plan_initial_category",
                    "cppl_cp_plan_latest_category",
                    "cppl_cp_plan_ola",
                )
                if (value := _cell(row, table.columns, name))
            }
            event: dict[str, Any] = {"type": "plan_start", "date": start}
            raw_category = _cell(row, table.columns, category_column)
            found = categories_of(raw_category) if raw_category else None
            if found:
                event["categories"] = found
            if metadata:
                event["metadata"] = metadata
            fields = {"date": start_column or "", "categories": category_column or ""}
            self.add(child, event, "plan", f"{plan_id}.start" if plan_id else "", table, line, fields)
            if end is not None:
                self.add(
                    child,
                    {"type": "plan_end", "date": end},
                    "plan",
                    f"{plan_id}.end" if plan_id else "",
                    table,
                    line,
                    {"date": end_column or ""},
                )

    def _s47(self) -> None:
        table = self.tables.get("ssd_s47_enquiry")
        if table is None or not table.columns:
            return
        start_column = table.has("s47e_s47_start_date")
        end_column = table.has("s47e_s47_end_date")
        nfa_column = table.has("s47e_s47_nfa")
        if start_column:
            self.records.append("strategy_discussion.s47")
        if end_column and (nfa_column or table.has("s47e_s47_outcome_json")):
            self.records.append("s47_outcome.icpc_required")
        for _, line, row, person in self.rows_of("ssd_s47_enquiry", ("s47e_person_id",)):
            child = self.child(person)
            key = _cell(row, table.columns, "s47e_s47_enquiry_id")
            start = self.date(child, table, line, row, start_column)
            end = self.date(child, table, line, row, end_column)
            nfa = self.flag(child, table, line, row, nfa_column)
            if start is None:
                if not _cell(row, table.columns, start_column):
                    self.undated(child, table)
                continue
            metadata = {
                name: value
                for name in ("s47e_s47_enquiry_id", "s47e_s47_nfa")
                if (value := _cell(row, table.columns, name))
            }
            event: dict[str, Any] = {"type": "strategy_discussion", "date": start, "s47": True}
            if metadata:
                event["metadata"] = metadata
            fields = {"date": start_column or "", "s47": start_column or ""}
            self.add(child, event, "s47", key, table, line, fields)
            required = _icpc_required(nfa, _cell(row, table.columns, "s47e_s47_outcome_json"))
            if end is not None and required is not None:
                self.add(
                    child,
                    {"type": "s47_outcome", "date": end, "icpc_required": required},
                    "s47",
                    f"{key}.outcome" if key else "",
                    table,
                    line,
                    {"date": end_column or "", "icpc_required": nfa_column or "s47e_s47_outcome_json"},
                )

    def _conferences(self) -> None:
        table = self.tables.get("ssd_initial_cp_conference")
        if table is None or not table.columns:
            return
        date_column = table.has("icpc_icpc_date")
        flag_column = table.has("icpc_icpc_outcome_cp_flag")
        transfer_column = table.has("icpc_icpc_transfer_in")
        if date_column:
            self.records.append("icpc.outcome")
            if transfer_column:
                self.records.append("transfer_in_conference.outcome")
        for _, line, row, person in self.rows_of("ssd_initial_cp_conference", ("icpc_person_id",)):
            child = self.child(person)
            held = self.date(child, table, line, row, date_column)
            to_plan = self.flag(child, table, line, row, flag_column)
            transfer = self.flag(child, table, line, row, transfer_column)
            if held is None:
                if not _cell(row, table.columns, date_column):
                    self.undated(child, table)
                continue
            kind = "transfer_in_conference" if transfer else "icpc"
            event: dict[str, Any] = {"type": kind, "date": held}
            if to_plan is not None:
                event["outcome"] = "plan" if to_plan else "no_plan"
            else:
                child.icpcs.append(event)  # outcome from the plan days, once all are read
            metadata = {
                name: value
                for name in (
                    "icpc_icpc_id",
                    "icpc_icpc_outcome_cp_flag",
                    "icpc_icpc_transfer_in",
                    "icpc_cp_plan_id",
                )
                if (value := _cell(row, table.columns, name))
            }
            if metadata:
                event["metadata"] = metadata
            fields = {"date": date_column or "", "outcome": flag_column or date_column or ""}
            self.add(child, event, "icpc", _cell(row, table.columns, "icpc_icpc_id"), table, line, fields)

    def _visits(self) -> None:
        table = self.tables.get("ssd_cp_visits")
        if table is None or not table.columns:
            return
        seen_column = table.has("cppv_cp_visit_seen")
        alone_column = table.has("cppv_cp_visit_seen_alone")
        bedroom_column = table.has("cppv_cp_visit_bedroom")
        date_column = table.has("cppv_cp_visit_date")
        if date_column:
            self.records += [
                f"visit.{name}"
                for name, column in (
                    ("date", date_column),
                    ("outcome", seen_column),
                    ("seen_alone", alone_column),
                    ("bedroom_seen", bedroom_column),
                )
                if column
            ]
        for _, line, row, person in self.rows_of("ssd_cp_visits", ("cppv_person_id",)):
            child = self.child(person)
            held = self.date(child, table, line, row, date_column)
            seen = self.flag(child, table, line, row, seen_column)
            alone = self.flag(child, table, line, row, alone_column)
            bedroom = self.flag(child, table, line, row, bedroom_column)
            if held is None:
                if not _cell(row, table.columns, date_column):
                    self.undated(child, table)
                continue
            event: dict[str, Any] = {"type": "visit", "date": held}
            if seen is not None:
                event["outcome"] = "seen" if seen else "not_seen"
            if alone is not None:
                event["seen_alone"] = alone
            if bedroom is not None:
                event["bedroom_seen"] = bedroom
            key = _cell(row, table.columns, table.has("cppv_cp_visit_id", "cppv_visit_id"))
            fields = {
                "date": date_column or "",
                "outcome": seen_column or "",
                "seen_alone": alone_column or "",
                "bedroom_seen": bedroom_column or "",
            }
            self.add(child, event, "visit", key, table, line, fields)

    def _reviews(self) -> None:
        table = self.tables.get("ssd_cp_reviews")
        if table is None or not table.columns:
            return
        date_column = table.has("cppr_cp_review_date")
        outcome_column = table.has("cppr_cp_review_outcome_continue_cp", "cppr_cp_review_outcome")
        quorate_column = table.has("cppr_cp_review_quorate")
        if date_column:
            # a review with a date was held (not postponed): its outcome is recorded that far
            # even when the extract has no continue/cease column
            self.records.append("review_conference.outcome")
            if quorate_column:
                self.records.append("review_conference.quorate")
        for _, line, row, person in self.rows_of("ssd_cp_reviews", ("cppr_person_id",)):
            child = self.child(person)
            held = self.date(child, table, line, row, date_column)
            to_continue = self.flag(child, table, line, row, outcome_column)
            quorate = self.flag(child, table, line, row, quorate_column)
            if held is None:
                if not _cell(row, table.columns, date_column):
                    self.undated(child, table)
                continue
            event: dict[str, Any] = {"type": "review_conference", "date": held}
            if to_continue is not None:
                event["outcome"] = "continue" if to_continue else "cease"
            if quorate is not None:
                event["quorate"] = quorate
            metadata = {
                name: value
                for name in ("cppr_cp_review_id", "cppr_cp_plan_id", "cppr_cp_review_due")
                if (value := _cell(row, table.columns, name))
            }
            if metadata:
                event["metadata"] = metadata
            fields = {
                "date": date_column or "",
                "outcome": outcome_column or "",
                "quorate": quorate_column or "",
            }
            key = _cell(row, table.columns, "cppr_cp_review_id")
            self.add(child, event, "review", key, table, line, fields)

    # -- cases -----------------------------------------------------------------------------

    def cases(self) -> Iterator[Case | CaseError]:
        records = tuple(dict.fromkeys(self.records))
        order = [person for person in self.person_order if self._wanted(person)]
        order += [
            person
            for person, child in self.children.items()
            if not child.in_person_table and self._wanted(person)
        ]
        for person in order:
            yield self._case(person, self.children.pop(person), records)
        yield from self.orphans

    def _wanted(self, person: str) -> bool:
        """A child with child protection rows: events read, or a bad row in an event table."""
        child = self.children[person]
        return child.has_events or any(not place.startswith("ssd_person") for place, _ in child.problems)

    def _case(self, person: str, child: _Child, records: tuple[str, ...]) -> Case | CaseError:
        child_dates: dict[str, date] = {}
        places: dict[str, str] = {"case_id": "pers_person_id"}
        for slot, name in (("birth", "date_of_birth"), ("expected", "expected_delivery_date")):
            given: tuple[str, str] | None = getattr(child, slot)
            if given is None:
                continue
            day = case_date(given[0])
            if isinstance(day, str):
                child.problems.insert(0, (given[1], day))
            else:
                child_dates[name] = day
                places[f"child.{name}"] = given[1]
        if child.problems:
            path, message = child.problems[0]
            if len(child.problems) > 1:
                more = len(child.problems) - 1
                message += f" (and {more} more problem{'s' if more > 1 else ''})"
            return CaseError(message, case_id=person[:200], path=path, problems=tuple(child.problems))
        if child.too_many:
            return CaseError(f"more than {MAX_EVENTS_PER_CASE} events", case_id=person[:200])
        plan_days = {event["date"] for event in child.events if event["type"] == "plan_start"}
        for event in child.icpcs:
            event["outcome"] = "plan" if event["date"] in plan_days else "no_plan"
        events, sources, dropped = drop_duplicate_events(child.events, child.sources)
        metadata: dict[str, Any] = {"source": "ssd"}
        if child.undated:
            metadata["rows_without_date"] = dict(child.undated)
        if dropped:
            metadata["duplicate_events_dropped"] = dropped
        data: dict[str, Any] = {"case_id": person, "records": records, "metadata": metadata, "events": events}
        if child_dates:
            data["child"] = child_dates
        return build_case(data, sources, places)


def _icpc_required(nfa: bool | None, outcome_json: str) -> bool | None:
    """What the enquiry concluded about a conference: NFA means none is needed; otherwise the
    outcome JSON's ``CP_CONFERENCE_FLAG`` says, when it is readable."""
    if nfa:
        return False
    if outcome_json:
        try:
            outcome = json.loads(outcome_json)
        except (ValueError, RecursionError):
            return None
        if isinstance(outcome, dict):
            flag = outcome.get("CP_CONFERENCE_FLAG")
            if isinstance(flag, str):
                try:
                    return parse_flag(flag)
                except ValueError:
                    return None
    return None


def read_ssd(folder: Path, name: str) -> Iterator[Case | CaseError]:
    """Yield a case, or a case error, for each child with child protection rows in an SSD extract.

    A folder that is missing or holds none of the tables raises :class:`~cprules.SourceError`
    at once, before anything is read.
    """
    try:
        is_folder = folder.is_dir()
    except OSError:
        is_folder = False
    if not is_folder:
        raise SourceError("an SSD extract is a folder of ssd_*.csv files", file=name)
    extract = _Extract(folder)
    if not extract.tables:
        raise SourceError(
            f"the folder holds none of the SSD tables read ({', '.join(f'{t}.csv' for t in TABLES)})",
            file=name,
        )
    return _cases(extract)


def _cases(extract: _Extract) -> Iterator[Case | CaseError]:
    extract.read()
    yield from extract.cases()
