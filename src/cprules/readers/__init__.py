"""Read cases from the files authorities hold: one API, six formats, streamed in source order.

>>> import io
>>> from cprules.readers import read_cases
>>> lines = io.BytesIO(b'{"case_id": "A-1", "events": []}\\n{"case_id": "A-2", "events": [{"type": "x"}]}\\n')
>>> [type(item).__name__ for item in read_cases(lines, format="jsonl")]
['Case', 'CaseError']

Formats (:data:`FORMATS`):

- ``json`` and ``yaml``: a file holding one case, or a list of cases (:mod:`.documents`);
- ``jsonl``: JSON Lines, one case a line (:mod:`.jsonl`), streamed;
- ``csv``: the CSV event table of SPEC §8 (:mod:`.csv_events`), streamed when sorted by case;
- ``cin-census``: the DfE children-in-need census XML (:mod:`.census`), streamed;
- ``ssd``: a Standard Safeguarding Dataset extract, a folder of ``ssd_*.csv`` (:mod:`.ssd`);
- ``csc-api``: the Department's children's social care API payloads, one payload, JSON Lines
  or a JSON list of them (:mod:`.csc_api`), streamed; withdrawn records (``purge: true``) are
  dropped and counted in a :class:`PurgedRecords` the caller passes.

Every child gives exactly one item: a :class:`~cprules.Case`, or a
:class:`~cprules.CaseError` naming the case id (where readable) and the field or source place,
never the value (a table row that names no child is an error of its own). An input that
cannot be read as a whole raises :class:`~cprules.SourceError` (file, line): a missing file,
an unknown format, XML that is not well-formed, an entity bomb, a file over a size limit. A
streamed format finds a fault only when it reaches it, so the error can come after the
children before it have been yielded (each of them whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO

from cprules.case import Case
from cprules.errors import CaseError, SourceError
from cprules.readers._common import Source, SourceInput, UnsortedInputWarning
from cprules.readers.census import read_census
from cprules.readers.csc_api import PurgedRecords, looks_like_payload, read_csc_api
from cprules.readers.csv_events import read_csv_events
from cprules.readers.documents import read_json, read_yaml
from cprules.readers.jsonl import read_jsonl
from cprules.readers.ssd import has_ssd_tables, read_ssd

__all__ = ["FORMATS", "PurgedRecords", "UnsortedInputWarning", "detect_format", "read_cases"]

#: the formats :func:`read_cases` reads
FORMATS: tuple[str, ...] = ("json", "yaml", "jsonl", "csv", "cin-census", "ssd", "csc-api")

_EXTENSIONS = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".xml": "cin-census",
}
_SNIFF_BYTES = 64 * 1024
#: formats whose files may hold CSC API payloads instead (told apart by their first record)
_JSON_FORMATS = frozenset({"json", "jsonl"})
_YAML_START = re.compile(rb"^(?:%YAML|---|-\s|#|[A-Za-z_][A-Za-z0-9_]*\s*:)")

_StreamReader = Callable[[IO[bytes] | IO[str], str], Iterator[Case | CaseError]]
_READERS: dict[str, _StreamReader] = {
    "json": read_json,
    "yaml": read_yaml,
    "jsonl": read_jsonl,
    "csv": read_csv_events,
    "cin-census": read_census,
}


def _sniff(head: bytes, name: str) -> str:
    """The format of a source from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise SourceError("the input is empty", file=name)
    first = text[:1]
    if first == b"<":
        return "cin-census"
    if first in (b"[", b"{") and looks_like_payload(text):
        return "csc-api"
    if first == b"[":
        return "json"
    if first == b"{":
        line, newline, rest = text.partition(b"\n")
        if not newline or rest.lstrip()[:1] == b"{":
            return "jsonl"
        return "jsonl" if line.rstrip().endswith(b"}") else "json"
    first_line = text.split(b"\n", 1)[0].lower()
    if b"case_id" in first_line and b"," in first_line and b":" not in first_line:
        return "csv"
    if _YAML_START.match(text):
        return "yaml"
    raise SourceError(f"cannot tell the format from the content; give it ({', '.join(FORMATS)})", file=name)


def _peek(stream: IO[bytes] | IO[str], name: str) -> bytes:
    """The first bytes of a stream, leaving it where it was."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        head = peek(_SNIFF_BYTES)
        return head.encode("utf-8") if isinstance(head, str) else bytes(head[:_SNIFF_BYTES])
    try:
        seekable = stream.seekable()
    except (AttributeError, ValueError):
        seekable = False
    if not seekable:
        raise SourceError("the format of this stream cannot be detected; give it", file=name)
    position = stream.tell()
    head = stream.read(_SNIFF_BYTES)
    stream.seek(position)
    return head.encode("utf-8") if isinstance(head, str) else head


def _detect(source: Source) -> str:
    if source.path is None:
        assert source.stream is not None
        return _sniff(_peek(source.stream, source.name), source.name)
    path = source.path
    try:
        if path.is_dir():
            if has_ssd_tables(path):
                return "ssd"
            raise SourceError("the folder holds no ssd_*.csv files (an SSD extract)", file=source.name)
    except OSError as exc:
        raise SourceError(f"cannot read the folder ({exc.strerror})", file=source.name) from None
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is not None:
        if not path.exists():
            raise SourceError("cannot read the file (No such file or directory)", file=source.name)
        if found in _JSON_FORMATS and _holds_payloads(source):
            return "csc-api"
        return found
    with source.open() as handle:
        head = handle.read(_SNIFF_BYTES)
    return _sniff(head.encode("utf-8") if isinstance(head, str) else head, source.name)


def _holds_payloads(source: Source) -> bool:
    """Whether a ``.json``/``.jsonl`` file's first record is a CSC API payload."""
    try:
        with source.open() as handle:
            head = handle.read(_SNIFF_BYTES)
    except SourceError:
        return False  # unreadable: the reader for its extension says why
    return looks_like_payload(head)


def detect_format(source: SourceInput) -> str:
    """The format of ``source``: from a file's extension (``.json``, ``.yaml``/``.yml``,
    ``.jsonl``/``.ndjson``, ``.csv``, ``.xml``), a folder's ``ssd_*.csv`` files, or else the
    first bytes (a stream, standard input ``-``, a file with another extension). A ``.json``
    or ``.jsonl`` file whose first record carries ``la_child_id`` holds CSC API payloads
    (``csc-api``).

    >>> import io
    >>> detect_format("census.xml"), detect_format(io.BytesIO(b'{"case_id": "A"}\\n'))
    ('cin-census', 'jsonl')
    """
    where = Source.of(source)
    if where.path is not None and where.path.suffix.lower() in _EXTENSIONS:
        found = _EXTENSIONS[where.path.suffix.lower()]
        if found in _JSON_FORMATS and where.path.is_file() and _holds_payloads(where):
            return "csc-api"
        return found
    return _detect(where)


def read_cases(
    source: SourceInput, *, format: str | None = None, purged: PurgedRecords | None = None
) -> Iterator[Case | CaseError]:
    """Yield a :class:`~cprules.Case` or a :class:`~cprules.CaseError` for each child of
    ``source``, in source order.

    ``source`` is a path (a file, or an SSD folder), ``"-"`` for standard input, or an open
    binary or text stream (left open). ``format`` is one of :data:`FORMATS`; ``None`` detects
    it (:func:`detect_format`). A missing file, a folder with no SSD tables and an unknown
    format raise :class:`~cprules.SourceError` here, before anything is read. ``purged``
    counts the records a CSC API file withdrew (``purge: true``), which give no case or event;
    the other formats have no such records.

    >>> import io
    >>> purged = PurgedRecords()
    >>> payloads = io.BytesIO(b'{"la_child_id": "C1"}\\n{"la_child_id": "C2", "purge": true}\\n')
    >>> [case.case_id for case in read_cases(payloads, format="csc-api", purged=purged)], purged.total
    (['C1'], 1)
    """
    where = Source.of(source)
    if format is None:
        format = _detect(where)
    elif format not in FORMATS:
        raise SourceError(
            f"unknown format '{format[:40]}'; write one of: {', '.join(FORMATS)}", file=where.name
        )
    if format == "ssd":
        if where.path is None:
            raise SourceError("an SSD extract is read from a folder, not a stream", file=where.name)
        return read_ssd(where.path, where.name)
    if where.path is not None:
        try:
            if where.path.is_dir():
                raise SourceError(f"a folder cannot be read as {format}", file=where.name)
            if not where.path.exists():
                raise SourceError("cannot read the file (No such file or directory)", file=where.name)
        except OSError as exc:
            raise SourceError(f"cannot read the file ({exc.strerror})", file=where.name) from None
    if format == "csc-api":
        return _stream(where, partial(read_csc_api, purged=purged))
    return _stream(where, _READERS[format])


def _stream(source: Source, reader: _StreamReader) -> Iterator[Case | CaseError]:
    with source.open() as handle:
        yield from reader(handle, source.name)
