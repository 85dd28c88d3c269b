"""What every reader shares: opening a source, reading source dates and flags, dropping
exact duplicate events, and building a case whose errors name the source's own fields.

A reader turns one child's source records into a plain case mapping plus, for each event, the
place in the source it came from (``CINdetails[1].ChildProtectionPlans[2]`` and the element
that gave each field). :func:`build_case` validates the mapping with :func:`cprules.parse_case`
and, on failure, rewrites the error's ``events[4].date`` into that source place, so a
performance officer is pointed at the census element or SSD cell to fix. Errors never carry
a value from the source.

>>> parse_source_date("06/05/2024"), parse_source_date("2024-05-06 00:00:00.000")
(datetime.date(2024, 5, 6), datetime.date(2024, 5, 6))
>>> parse_flag("Yes"), parse_flag("0"), parse_flag("")
(True, False, None)
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

from cprules.case import MAX_DATE, MIN_DATE, Case, parse_case
from cprules.errors import CaseError, SourceError

__all__ = [
    "AUTHORITY_CODES",
    "DATE_RANGE_TEXT",
    "MAX_EVENTS_PER_CASE",
    "EventSource",
    "Source",
    "SourceInput",
    "UnsortedInputWarning",
    "build_case",
    "case_date",
    "drop_duplicate_events",
    "is_text",
    "parse_flag",
    "parse_source_date",
    "text_stream",
]

SourceInput = str | Path | IO[bytes] | IO[str]

#: events one child may have; a case past it is refused (a runaway or hostile source)
MAX_EVENTS_PER_CASE = 100_000


class UnsortedInputWarning(UserWarning):
    """The rows of a case are not adjacent in a table: the reader groups them in memory."""


DATE_RANGE_TEXT = f"{MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}"

#: DfE local authority codes of the authorities a bundled pack tells apart (``authority``)
AUTHORITY_CODES: Mapping[str, str] = {"873": "cambridgeshire", "874": "peterborough"}

_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")

_TRUE = frozenset({"y", "yes", "1", "true", "t"})
_FALSE = frozenset({"n", "no", "0", "false", "f"})


def parse_source_date(text: str) -> date:
    """A date as sources write it: ``YYYY-MM-DD`` (a time after it is dropped) or ``DD/MM/YYYY``.

    Raises ``ValueError`` (without the text) when it is not a date; the range is not checked.
    """
    text = text.strip()
    match = _ISO_DATE.match(text)
    if match is not None:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = _UK_DATE.match(text)
    if match is not None:
        return date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError("not a date")


_NOT_A_DATE = "not a valid date; write YYYY-MM-DD (or DD/MM/YYYY)"
_OUT_OF_RANGE = f"date outside the supported range {DATE_RANGE_TEXT}"


def case_date(text: str) -> date | str:
    """``text`` as a case date, or why it is not one (a message that never quotes it).

    >>> case_date("2024-05-06"), case_date("1970-01-01"), case_date("soon")[:10]
    (datetime.date(2024, 5, 6), 'date outside the supported range 1990-01-01..2100-12-31', 'not a vali')
    """
    try:
        # the common case first: ISO, exactly, parsed in C
        day = date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else parse_source_date(text)
    except ValueError:
        return _NOT_A_DATE
    if not MIN_DATE <= day <= MAX_DATE:
        return _OUT_OF_RANGE
    return day


def parse_flag(text: str) -> bool | None:
    """``Y``/``N`` (and ``Yes``/``No``, ``1``/``0``, ``true``/``false``); empty is None.

    Raises ``ValueError`` (without the text) for anything else.
    """
    word = text.strip().lower()
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("not a flag")


# ---------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True)
class Source:
    """Where cases come from: a file or folder, standard input, or an open stream."""

    name: str
    path: Path | None = None
    stream: IO[bytes] | IO[str] | None = None

    @classmethod
    def of(cls, source: SourceInput) -> Source:
        if isinstance(source, str | Path):
            if str(source) == "-":
                return cls("<stdin>", stream=sys.stdin.buffer)
            return cls(str(source), path=Path(source))
        return cls(str(getattr(source, "name", "<stream>")), stream=source)

    @contextmanager
    def open(self) -> Iterator[IO[bytes] | IO[str]]:
        """The source's bytes (or text, for a text stream); a stream passed in is left open."""
        if self.stream is not None:
            yield self.stream
            return
        assert self.path is not None
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise SourceError(f"cannot read the file ({exc.strerror})", file=self.name) from None
        with handle:
            yield handle


def is_text(handle: IO[bytes] | IO[str]) -> bool:
    """Whether a stream gives text (``str``) rather than bytes."""
    if isinstance(handle, io.TextIOBase):
        return True
    try:
        return isinstance(handle.read(0), str)
    except (OSError, ValueError, TypeError):
        return False


@contextmanager
def text_stream(handle: IO[bytes] | IO[str]) -> Iterator[IO[str]]:
    """Read ``handle`` as UTF-8 text (a byte-order mark is skipped); the handle stays open."""
    if is_text(handle):
        yield cast(IO[str], handle)
        return
    wrapper = io.TextIOWrapper(cast(IO[bytes], handle), encoding="utf-8-sig", newline="")
    try:
        yield wrapper
    finally:
        with suppress(ValueError):  # already closed by the handle's owner
            wrapper.detach()  # leave the caller's (or our own ``with``'s) handle to its owner


# ---------------------------------------------------------------------------------------------
# Events and where they came from


@dataclass
class EventSource:
    """Where one event came from: a place (``CINdetails[1].Section47[1]``, ``line 12``,
    ``ssd_cp_plans.csv line 4``) and the source name of each field it filled."""

    place: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def path_of(self, model_field: str | None) -> str:
        if model_field is None:
            column = self.fields.get("date")
            return f"{self.place}.{column}" if column else self.place
        return f"{self.place}.{self.fields.get(model_field, model_field)}"


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


_NOT_COMPARED = frozenset({"id", "metadata"})


def drop_duplicate_events(
    events: list[dict[str, Any]], sources: list[EventSource]
) -> tuple[list[dict[str, Any]], list[EventSource], int]:
    """Drop events that repeat an earlier one in every field but ``id`` and ``metadata``.

    Messy sources list one plan twice, or a conference in two places (the census gives the
    ICPC date in ``CINdetails`` and in its ``Section47``); the first copy is kept.
    """
    seen: set[Any] = set()
    kept: list[dict[str, Any]] = []
    kept_sources: list[EventSource] = []
    for event, where in zip(events, sources, strict=True):
        key = tuple(
            sorted(
                (name, _freeze(value) if isinstance(value, dict | list) else value)
                for name, value in event.items()
                if name not in _NOT_COMPARED
            )
        )
        if key in seen:
            continue
        seen.add(key)
        kept.append(event)
        kept_sources.append(where)
    return kept, kept_sources, len(events) - len(kept)


_EVENT_PATH = re.compile(r"events\[(\d+)\](?:\.([A-Za-z_][A-Za-z0-9_]*))?(.*)$")


def _translate(
    path: str | None, sources: Sequence[EventSource], case_places: Mapping[str, str]
) -> str | None:
    if not path:
        return path
    match = _EVENT_PATH.match(path)
    if match is not None:
        index = int(match[1])
        if 0 <= index < len(sources):
            return sources[index].path_of(match[2]) + match[3]
        return path
    for prefix, place in case_places.items():
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return place + path[len(prefix) :]
    return path


def build_case(
    data: dict[str, Any],
    sources: Sequence[EventSource],
    case_places: Mapping[str, str] | None = None,
) -> Case | CaseError:
    """Validate one case mapping; a failure names the source's place, never the value.

    ``data["events"]`` and ``sources`` are parallel. ``case_places`` maps case-level paths
    (``child.date_of_birth``) to where the source holds them.
    """
    try:
        return parse_case(data)
    except CaseError as error:
        places = case_places or {}
        problems = tuple((_translate(p, sources, places) or "", m) for p, m in error.problems)
        case_id = error.case_id
        if case_id is None and isinstance(data.get("case_id"), str):
            case_id = data["case_id"][:200] or None
        return CaseError(
            error.reason,
            case_id=case_id,
            path=_translate(error.path, sources, places),
            problems=problems,
        )
