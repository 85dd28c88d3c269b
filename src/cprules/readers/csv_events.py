"""The CSV event table: a header row, then one event a row (docs/data-sources.md).

Columns: ``case_id``, ``type``, ``date``, optional ``id``, and one column per event field used
(``minutes_circulated``, ``categories``, ...). Cell text becomes the field's type as the event
models declare it: lists are ``;``-separated (``neglect;emotional``), booleans ``true``/``false``,
dates ``YYYY-MM-DD`` (``DD/MM/YYYY`` is accepted, as spreadsheets write it), an empty cell is
an absent field, and a nested field has a dotted column (``votes.for_plan``); ``metadata.KEY``
columns carry free text into the event's ``metadata``. ``date_of_birth``,
``expected_delivery_date`` and ``authority`` may be given on any row of a case and must agree.

A column no event has is an error in the header (a typo must not silently switch a rule
off), so it is a :class:`~cprules.SourceError` at line 1. A mistake in one row is one
:class:`~cprules.CaseError` for that row's case, naming ``line N.column``.

Rows of one case should be adjacent (the export sorted by case): the reader first scans the
case ids (cheaply, in constant memory when the ids are in sorted order) and then streams one
case at a time. When they are not adjacent it warns (:class:`UnsortedInputWarning`) and groups
the rows in memory; cases come out in the order of their first row either way. Standard input
cannot be scanned twice, so it is spooled first (in memory, then to an anonymous temporary
file past 64 MiB).

>>> import io
>>> table = (
...     "case_id,type,date,id,outcome,categories,votes.for_plan,votes.against_plan,date_of_birth\\n"
...     "A-1,icpc,2024-03-19,ic,plan,neglect;emotional,4,1,2018-05-10\\n"
...     "A-1,plan_start,19/03/2024,ps,,neglect;emotional,,,\\n")
>>> [case] = read_csv_events(io.StringIO(table), "cases.csv")
>>> case.events[0].categories, case.events[0].votes.for_plan, case.events[1].date
(('neglect', 'emotional'), 4, datetime.date(2024, 3, 19))
"""

from __future__ import annotations

import csv
import difflib
import re
import shutil
import tempfile
import types
import typing
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, Union, cast

from pydantic import BaseModel

from cprules.case import EVENT_MODELS, Case
from cprules.errors import CaseError, SourceError
from cprules.readers._common import (
    MAX_EVENTS_PER_CASE,
    EventSource,
    UnsortedInputWarning,
    build_case,
    is_text,
    text_stream,
)

__all__ = ["read_csv_events"]

_CASE_COLUMNS = ("date_of_birth", "expected_delivery_date", "authority")
_CHILD_COLUMNS = ("date_of_birth", "expected_delivery_date")
_REQUIRED = ("case_id", "type", "date")
_SPOOL_IN_MEMORY = 64 * 2**20
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$")


# ---------------------------------------------------------------------------------------------
# What each column holds, read from the event models' annotations


def _unwrapped(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` down to ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _kind_of(annotation: Any) -> str | type[BaseModel]:
    plain = _unwrapped(annotation)
    if plain is date:
        return "date"
    origin = typing.get_origin(plain)
    if origin in (tuple, list):
        return "list"
    if origin is dict or plain is dict:
        return "mapping"
    if isinstance(plain, type) and issubclass(plain, BaseModel):
        return plain
    return "text"  # str, bool, int and Literal: pydantic reads them from the cell's text


def _field_kinds() -> dict[str, dict[str, str | type[BaseModel]]]:
    return {
        kind: {name: _kind_of(info.annotation) for name, info in model.model_fields.items()}
        for kind, model in EVENT_MODELS.items()
    }


_KINDS = _field_kinds()
_ANY_KIND: dict[str, str | type[BaseModel]] = {}
for _fields in _KINDS.values():
    for _name, _kind in _fields.items():
        _ANY_KIND.setdefault(_name, _kind)


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    top: str  # the event field, or the case-level column
    sub: str | None  # the nested field of a dotted column


@dataclass(frozen=True)
class _Header:
    case_id: int
    type: int
    date: int
    id: int | None
    case_columns: tuple[_Column, ...]
    fields: tuple[_Column, ...]
    width: int


def _allowed_columns() -> list[str]:
    names = set(_REQUIRED) | {"id"} | set(_CASE_COLUMNS)
    for name, kind in _ANY_KIND.items():
        if name in ("type", "metadata"):
            continue
        if isinstance(kind, type):
            names.update(f"{name}.{sub}" for sub in kind.model_fields)
        else:
            names.add(name)
    return sorted(names)


def _header(row: list[str], name: str) -> _Header:
    columns = [cell.strip().lstrip("\ufeff").strip().lower() for cell in row]
    positions: dict[str, int] = {}
    allowed = _allowed_columns()
    for index, column in enumerate(columns):
        if not column:
            raise SourceError(f"column {index + 1} of the header has no name", file=name, line=1)
        if column in positions:
            # a header is named only when it is a column of the format: it may be anything
            shown = f" ({column})" if column in allowed else ""
            raise SourceError(
                f"column {index + 1} of the header repeats column {positions[column] + 1}{shown}; "
                "give each column once",
                file=name,
                line=1,
            )
        positions[column] = index
    for required in _REQUIRED:
        if required not in positions:
            raise SourceError(
                f"the header has no '{required}' column; a CSV event table needs case_id, type "
                "and date, then one column per event field",
                file=name,
                line=1,
            )
    case_columns: list[_Column] = []
    fields: list[_Column] = []
    for index, column in enumerate(columns):
        if column in _REQUIRED or column == "id":
            continue
        if column in _CASE_COLUMNS:
            case_columns.append(_Column(index, column, column, None))
            continue
        top, _, sub = column.partition(".")
        kind = _ANY_KIND.get(top)
        known = (
            (top == "metadata" and bool(sub))
            or (isinstance(kind, type) and sub in kind.model_fields)
            or (kind is not None and not isinstance(kind, type) and not sub and top != "metadata")
        )
        if not known or top == "type":
            # named only when close to a column of the format (a typo to fix): a header that
            # is nothing like one may be anything, a child's name included
            close = difflib.get_close_matches(column, allowed, n=1, cutoff=0.75)
            what = f"'{column}' (did you mean {close[0]}?)" if close else f"{index + 1} of the header"
            raise SourceError(
                f"unknown column {what}: no event has that field; free data goes in a metadata.KEY column",
                file=name,
                line=1,
            )
        fields.append(_Column(index, column, top, sub or None))
    return _Header(
        case_id=positions["case_id"],
        type=positions["type"],
        date=positions["date"],
        id=positions.get("id"),
        case_columns=tuple(case_columns),
        fields=tuple(fields),
        width=len(columns),
    )


# ---------------------------------------------------------------------------------------------
# Rows


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _date_text(text: str) -> str:
    match = _UK_DATE.match(text)
    if match is None:
        return text  # ISO, or wrong: pydantic says which, at the right path
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"


def _event(row: list[str], header: _Header) -> dict[str, Any]:
    event: dict[str, Any] = {}
    kind = _cell(row, header.type)
    if kind:
        event["type"] = kind
    when = _cell(row, header.date)
    if when:
        event["date"] = _date_text(when)
    if header.id is not None:
        ident = _cell(row, header.id)
        if ident:
            event["id"] = ident
    kinds = _KINDS.get(kind, _ANY_KIND)
    for column in header.fields:
        text = _cell(row, column.index)
        if not text:
            continue
        if column.sub is not None:
            nested = event.setdefault(column.top, {})
            if isinstance(nested, dict):
                nested[column.sub] = text
            continue
        field_kind = kinds.get(column.top, _ANY_KIND.get(column.top))
        if field_kind == "list":
            event[column.top] = [part.strip() for part in text.split(";") if part.strip()]
        elif field_kind == "date":
            event[column.top] = _date_text(text)
        else:
            event[column.top] = text
    return event


Row = tuple[int, list[str]]


def _case(case_id: str, rows: list[Row], header: _Header, dropped: int) -> Case | CaseError:
    first_line = rows[0][0]
    if dropped:
        return CaseError(
            f"more than {MAX_EVENTS_PER_CASE} events; split the case or check the export",
            case_id=case_id,
            path=f"line {first_line}",
        )
    events: list[dict[str, Any]] = []
    sources: list[EventSource] = []
    case_level: dict[str, tuple[str, int]] = {}
    for line, row in rows:
        if len(row) > header.width and any(cell.strip() for cell in row[header.width :]):
            return CaseError(
                "the row has more cells than the header has columns", case_id=case_id, path=f"line {line}"
            )
        for column in header.case_columns:
            text = _cell(row, column.index)
            if not text:
                continue
            earlier = case_level.get(column.name)
            if earlier is None:
                case_level[column.name] = (text, line)
            elif earlier[0] != text:
                return CaseError(
                    f"differs from the {column.name} given on line {earlier[1]} for this case; "
                    "give it once, or the same on every row",
                    case_id=case_id,
                    path=f"line {line}.{column.name}",
                )
        events.append(_event(row, header))
        sources.append(EventSource(f"line {line}"))
    data: dict[str, Any] = {"case_id": case_id, "events": events}
    child = {column: _date_text(case_level[column][0]) for column in _CHILD_COLUMNS if column in case_level}
    if child:
        data["child"] = child
    if "authority" in case_level:
        data["authority"] = case_level["authority"][0]
    places = {f"child.{column}": f"line {case_level[column][1]}.{column}" for column in child}
    places["case_id"] = f"line {first_line}.case_id"
    if "authority" in case_level:
        places["authority"] = f"line {case_level['authority'][1]}.authority"
    return build_case(data, sources, places)


def _rows(reader: Any, name: str) -> Iterator[Row]:
    """Non-blank rows after the header, with the line each starts on."""
    previous_end: int = reader.line_num
    try:
        for row in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            yield start, row
    except csv.Error as exc:
        raise SourceError(f"not readable as CSV: {exc}", file=name, line=previous_end + 1) from None


def _in_sorted_order(reader: Any, header: _Header, name: str) -> bool:
    """Whether the case ids only ever increase: then every case's rows are adjacent, proved in
    constant memory (the common export, sorted by case)."""
    previous: str | None = None
    for _, row in _rows(reader, name):
        case_id = _cell(row, header.case_id)
        if not case_id or case_id == previous:
            continue
        if previous is not None and case_id < previous:
            return False
        previous = case_id
    return True


def _adjacent(reader: Any, header: _Header, name: str) -> tuple[bool, int, int]:
    """Whether every case's rows are adjacent; if not, the lines of a case seen twice."""
    first_line: dict[str, int] = {}
    previous: str | None = None
    for line, row in _rows(reader, name):
        case_id = _cell(row, header.case_id)
        if not case_id or case_id == previous:
            continue
        if case_id in first_line:
            return False, first_line[case_id], line
        first_line[case_id] = line
        previous = case_id
    return True, 0, 0


def _seekable(handle: IO[bytes] | IO[str]) -> tuple[IO[bytes] | IO[str], bool]:
    """The handle itself when it can be read twice, else a spooled copy (and True)."""
    try:
        if handle.seekable():
            return handle, False
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY, mode="w+b")  # noqa: SIM115
    if is_text(handle):
        while chunk := handle.read(1 << 20):
            spool.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
    else:
        shutil.copyfileobj(handle, spool)  # type: ignore[misc]
    spool.seek(0)
    return spool, True


def read_csv_events(handle: IO[bytes] | IO[str], name: str) -> Iterator[Case | CaseError]:
    """Yield one case, or one case error, per case of a CSV event table, in first-row order."""
    stream, spooled = _seekable(handle)
    try:
        yield from _read(stream, name)
    finally:
        if spooled:
            stream.close()


def _read(handle: IO[bytes] | IO[str], name: str) -> Iterator[Case | CaseError]:
    start = handle.tell()
    if not is_text(handle):
        _check_encoding_head(cast(IO[bytes], handle), start, name)
    try:
        yield from _read_text(handle, start, name)
    except UnicodeDecodeError:
        # the whole table is decoded by the first pass, so this comes before any case is out
        line = _first_line_not_utf8(cast(IO[bytes], handle), start)
        raise SourceError(
            "not UTF-8 text; save the table as UTF-8 (in Excel: CSV UTF-8)", file=name, line=line
        ) from None


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _check_encoding_head(handle: IO[bytes], start: int, name: str) -> None:
    """Refuse UTF-16 (and UTF-32) text at once: decoded as UTF-8 it is either an error or,
    without a byte-order mark, a header of letters between NUL bytes."""
    head = handle.read(4096)
    handle.seek(start)
    first_line = head.split(b"\n", 1)[0]
    if head.startswith(_UTF16_MARKS) or b"\x00" in first_line:
        raise SourceError(
            "UTF-16 text, not UTF-8; save the table as UTF-8 (in Excel: CSV UTF-8)", file=name, line=1
        )


def _first_line_not_utf8(handle: IO[bytes], start: int) -> int:
    """The line holding the first byte that is not UTF-8 (a newline byte never occurs inside a
    UTF-8 sequence, so each line can be decoded on its own)."""
    handle.seek(start)
    line = 1
    carry = b""
    while raw := handle.readline(1 << 20):
        piece = carry + raw
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            if raw.endswith(b"\n") or exc.reason != "unexpected end of data" or exc.start < len(piece) - 3:
                return line
            carry = piece[exc.start :]  # a sequence cut by the read limit: read on
            continue
        carry = b""
        line += raw.endswith(b"\n")
    return line


def _read_text(handle: IO[bytes] | IO[str], start: int, name: str) -> Iterator[Case | CaseError]:
    with text_stream(handle) as text:
        reader = csv.reader(text)
        try:
            first = next(reader, None)
        except csv.Error as exc:
            raise SourceError(f"not readable as CSV: {exc}", file=name, line=1) from None
        if first is None:
            raise SourceError("empty file: no header row", file=name, line=1)
        header = _header(first, name)
        adjacent, seen_on, again_on = _in_sorted_order(reader, header, name), 0, 0
    if not adjacent:
        handle.seek(start)
        with text_stream(handle) as text:
            reader = csv.reader(text)
            next(reader)
            adjacent, seen_on, again_on = _adjacent(reader, header, name)
    handle.seek(start)
    with text_stream(handle) as text:
        reader = csv.reader(text)
        next(reader)
        rows = _rows(reader, name)
        if adjacent:
            yield from _streamed(rows, header)
        else:
            warnings.warn(
                UnsortedInputWarning(
                    f"{name}: the rows of a case are not adjacent (a case on line {seen_on} "
                    f"appears again on line {again_on}); grouping the whole table in memory. "
                    "Sort the table by case_id to stream it."
                ),
                stacklevel=2,
            )
            yield from _grouped(rows, header)


def _orphan(line: int) -> CaseError:
    return CaseError("the row has no case_id", case_id=None, path=f"line {line}.case_id")


def _streamed(rows: Iterator[Row], header: _Header) -> Iterator[Case | CaseError]:
    current: str | None = None
    group: list[Row] = []
    dropped = 0
    orphans: list[CaseError] = []
    for line, row in rows:
        case_id = _cell(row, header.case_id)
        if not case_id:
            orphans.append(_orphan(line))  # reported after the case it sits in, in source order
            continue
        if case_id != current:
            if current is not None:
                yield _case(current, group, header, dropped)
            yield from orphans
            orphans = []
            current, group, dropped = case_id, [], 0
        if len(group) < MAX_EVENTS_PER_CASE:
            group.append((line, row))
        else:
            dropped += 1
    if current is not None:
        yield _case(current, group, header, dropped)
    yield from orphans


def _grouped(rows: Iterator[Row], header: _Header) -> Iterator[Case | CaseError]:
    order: list[str | CaseError] = []
    groups: dict[str, list[Row]] = {}
    dropped: dict[str, int] = {}
    for line, row in rows:
        case_id = _cell(row, header.case_id)
        if not case_id:
            order.append(_orphan(line))
            continue
        group = groups.get(case_id)
        if group is None:
            group = groups[case_id] = []
            order.append(case_id)
        if len(group) < MAX_EVENTS_PER_CASE:
            group.append((line, row))
        else:
            dropped[case_id] = dropped.get(case_id, 0) + 1
    for item in order:
        if isinstance(item, CaseError):
            yield item
        else:
            yield _case(item, groups.pop(item), header, dropped.get(item, 0))
