"""JSON Lines: one case a line, streamed in bounded memory.

Each line goes to :func:`cprules.parse_case` as it stands (pydantic parses the JSON text
itself, once). Blank lines are skipped. A line that is not a valid case is one
:class:`~cprules.CaseError`; when even its case id cannot be read (a truncated last line) the
error's path starts ``line N`` so the line can be found. A line over the per-case size limit
is skipped without being held in memory.

>>> import io
>>> text = b'{"case_id": "A", "events": []}\\n\\n{"case_id": "B", "events": [{"type": "visit"}]}\\n'
>>> [getattr(item, "case_id", None) or str(item) for item in read_jsonl(io.BytesIO(text))]
['A', 'B']
>>> str(list(read_jsonl(io.BytesIO(text)))[1])
'case B: events[0].date: required field is missing'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO

from cprules.case import MAX_CASE_BYTES, Case, parse_case
from cprules.errors import CaseError

__all__ = ["read_jsonl"]

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_CHUNK = 1 << 20
#: how far into a broken line the case id is looked for (it is usually the first key)
_CASE_ID_SCAN = 1 << 20


def _case_id_from_text(line: bytes) -> str | None:
    """The case id of a line that is not valid JSON (a truncated line), if it is legible.

    Only the top level's ``case_id`` counts: the same key inside ``metadata`` or an event, or
    the text ``"case_id": "..."`` inside a string, is data about the child, not the case's id.

    >>> _case_id_from_text(b'{"metadata": {"case_id": "X"}, "case_id": "A-1", "events": [{"ty')
    'A-1'
    >>> _case_id_from_text(b'{"note": "\\"case_id\\": \\"X\\"", "events": [') is None
    True
    """
    depth = 0
    key: bytes | None = None  # the string just read at the top level, if it may be a key
    value_next = False
    for match in _TOKEN.finditer(line, 0, _CASE_ID_SCAN):
        token = match[0]
        if value_next:
            return _case_id_value(token)
        if token[:1] == b'"':
            key = token if depth == 1 else None
        elif token == b":":
            value_next = key == b'"case_id"'
            key = None
        elif token in (b"{", b"["):
            depth += 1
            key = None
        elif token in (b"}", b"]"):
            depth -= 1
            key = None
        else:
            key = None
    return None


def _case_id_value(token: bytes) -> str | None:
    if token[:1] != b'"':
        return None
    try:
        text = json.loads(token)
    except ValueError:
        return None
    return text.strip()[:200] or None if isinstance(text, str) else None


def _located(error: CaseError, line_number: int, line: bytes) -> CaseError:
    case_id = error.case_id or _case_id_from_text(line)
    if error.case_id is not None:
        return error
    where = f"line {line_number}"
    path = f"{where}.{error.path}" if error.path else where
    problems = tuple((f"{where}.{p}" if p else where, m) for p, m in error.problems)
    return CaseError(error.reason, case_id=case_id, path=path, problems=problems)


def read_jsonl(handle: IO[bytes] | IO[str], name: str = "<stream>") -> Iterator[Case | CaseError]:
    """Yield a case, or a case error, for each non-blank line of ``handle`` (``name`` is
    unused: a JSON Lines file has no whole-file faults to report)."""
    line_number = 0
    while True:
        raw = handle.readline(MAX_CASE_BYTES + 1)
        if not raw:
            return
        line_number += 1
        line = raw.encode("utf-8") if isinstance(raw, str) else raw
        if len(raw) > MAX_CASE_BYTES and not line.endswith(b"\n"):
            head = line[:_CHUNK]
            while raw and not (raw.endswith("\n") if isinstance(raw, str) else raw.endswith(b"\n")):
                raw = handle.readline(_CHUNK)
            yield CaseError(
                f"case text over the {MAX_CASE_BYTES // 2**20} MiB limit",
                case_id=_case_id_from_text(head),
                path=f"line {line_number}",
            )
            continue
        if line_number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # a byte-order mark, as some Windows tools write
        if not line.strip():
            continue
        try:
            yield parse_case(line)
        except CaseError as error:
            yield _located(error, line_number, line)
