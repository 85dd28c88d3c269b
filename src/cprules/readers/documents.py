"""JSON and YAML files holding one case, or a list of cases.

A whole-document format is read into memory at once (up to :data:`MAX_DOCUMENT_BYTES`; a
caseload larger than that belongs in JSON Lines). The top level is a case (a mapping) or a
list of cases; YAML may also hold several documents separated by ``---``, each a case or a
list. A document that cannot be parsed at all is a :class:`~cprules.SourceError` with its line;
a list element that is not a valid case is one :class:`~cprules.CaseError`, and the rest goes on
(its path starts ``[i]`` when the element's case id cannot be read).

YAML is read with the safe loader only; a key written twice in one mapping is refused (the
loader would silently keep the last), and so is a document whose aliases expand to more nodes
than its size could hold without them (a "billion laughs" file).

>>> import io
>>> [c.case_id for c in read_json(io.BytesIO(b'[{"case_id": "A"}, {"case_id": "B"}]'), "x.json")]
['A', 'B']
>>> [c.case_id for c in read_yaml(io.BytesIO(b"case_id: A\\n---\\n- case_id: B\\n"), "x.yaml")]
['A', 'B']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from cprules.case import JSON_PAIRS, Case, parse_case, yaml_source_error
from cprules.errors import CaseError, SourceError
from cprules.yamlsafe import YamlProblem, iter_yaml

__all__ = ["MAX_DOCUMENT_BYTES", "read_json", "read_yaml"]

#: the largest JSON or YAML file read (it is held in memory whole)
MAX_DOCUMENT_BYTES = 64 * 2**20


def _read(handle: IO[bytes] | IO[str], name: str) -> bytes | str:
    data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SourceError(
            f"over the {MAX_DOCUMENT_BYTES // 2**20} MiB limit for a JSON or YAML file; "
            "write the cases as JSON Lines (one case a line) to stream them",
            file=name,
        )
    return data


def _cases_of(document: Any, name: str, line: int | None) -> Iterator[Case | CaseError]:
    if document is None:
        return
    if isinstance(document, Mapping):
        items: Iterable[tuple[int | None, Any]] = [(None, document)]
    elif isinstance(document, list):
        items = enumerate(document)
    else:
        raise SourceError("a case file holds a case (a mapping) or a list of cases", file=name, line=line)
    for index, item in items:
        try:
            yield parse_case(item)
        except CaseError as error:
            if error.case_id is not None or index is None:
                yield error
                continue
            where = f"[{index}]"
            path = f"{where}.{error.path}" if error.path else where
            problems = tuple((f"{where}.{p}" if p else where, m) for p, m in error.problems)
            yield CaseError(error.reason, case_id=None, path=path, problems=problems)


def read_json(handle: IO[bytes] | IO[str], name: str) -> Iterator[Case | CaseError]:
    """Yield the case, or each case of the list, that a JSON file holds.

    A byte-order mark is skipped; a key written twice in one object makes that case a
    :class:`~cprules.CaseError` (as in YAML), and a number past 4,300 digits the file a
    :class:`~cprules.SourceError`.
    """
    data = _read(handle, name)
    if isinstance(data, str) and data.startswith("\ufeff"):
        data = data[1:]  # json.loads skips one in bytes, not in text
    try:
        document = json.loads(data, object_pairs_hook=JSON_PAIRS)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except UnicodeDecodeError:
        raise SourceError("not UTF-8 text", file=name) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply", file=name) from None
    except ValueError:  # Python's limit on the digits of a number
        raise SourceError("a number too long to read (over 4,300 digits)", file=name) from None
    yield from _cases_of(document, name, None)


def read_yaml(handle: IO[bytes] | IO[str], name: str) -> Iterator[Case | CaseError]:
    """Yield the cases a YAML file holds: one document or several, each a case or a list."""
    data = _read(handle, name)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(f"not UTF-8 text (byte {exc.start})", file=name) from None
    try:
        for document in iter_yaml(data, file=name, max_bytes=MAX_DOCUMENT_BYTES):
            yield from _cases_of(document.data, name, document.line)
    except (YamlProblem, ValueError) as exc:  # ValueError: a number past 4,300 digits
        raise yaml_source_error(exc, name) from None
