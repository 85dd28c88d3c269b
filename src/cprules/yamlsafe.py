"""Safe YAML reading that remembers where every key and item was written.

Only the safe loader is used (libyaml's when present). On top of it:

- a duplicate key in a mapping is an error (PyYAML keeps the last one silently, which hides a
  typo such as two ``within:`` lines);
- input over a size limit, and alias expansion past a node budget (a "billion laughs" file),
  are refused before they cost memory or time;
- nesting deeper than :data:`MAX_DEPTH` lists and mappings is refused with this module's own
  message and position, whichever PyYAML or libyaml release is installed (their own limits and
  wording differ from release to release, and tests must not depend on them);
- the position (1-based line and column) of each key and item is kept, so a later validation
  error at path ``rules[3].within.working_days`` can say ``pack.yaml:41:22:``.

>>> doc = load_yaml("rules:\\n  - id: a\\n    kind: deadline\\n", file="p.yaml")
>>> doc.data["rules"][0]["kind"], doc.position(("rules", 0, "kind"))
('deadline', (3, 11))
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from cprules.yamlmistakes import describe_bad_bytes, describe_syntax_error

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlDocument",
    "YamlProblem",
    "iter_yaml",
    "load_yaml",
    "load_yaml_data",
]

#: total nodes a document may expand to (aliases counted each time they are used)
MAX_NODES = 200_000
#: lists and mappings inside one another: a pack needs about six, a case about four
MAX_DEPTH = 100
_TOO_DEEP = (
    f"nested too deeply: more than {MAX_DEPTH} lists and mappings inside one another; write it flatter"
)

try:
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Mark = tuple[int, int]


class YamlProblem(Exception):
    """YAML that cannot be read; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str | bytes, *, keep_going: bool = False) -> None:
        super().__init__(stream)
        self.key_marks: dict[int, dict[Any, Mark]] = {}
        self.value_marks: dict[int, dict[Any, Mark]] = {}
        self.item_marks: dict[int, list[Mark]] = {}
        #: with keep_going, mistakes that leave the document readable (a duplicate key) are
        #: kept here rather than raised, so a reader can report them with every other one
        self.keep_going = keep_going
        self.problems: list[YamlProblem] = []


def _mark(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[dict[Any, Any]]:
    data: dict[Any, Any] = {}
    yield data
    loader.flatten_mapping(node)
    keys: dict[Any, Mark] = {}
    values: dict[Any, Mark] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise YamlProblem("a mapping key must be a plain value", *_mark(key_node))
        if key in keys:
            first = keys[key][0]
            problem = YamlProblem(
                f"duplicate key '{key}' (first written on line {first}); keep one of them",
                *_mark(key_node),
            )
            if not loader.keep_going:
                raise problem
            loader.problems.append(problem)  # the later value is kept, as PyYAML would
        data[key] = loader.construct_object(value_node, deep=True)
        keys[key] = _mark(key_node)
        values[key] = _mark(value_node)
    loader.key_marks[id(data)] = keys
    loader.value_marks[id(data)] = values


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[list[Any]]:
    data: list[Any] = []
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)
    loader.item_marks[id(data)] = [_mark(item) for item in node.value]


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # An impossible unquoted date (2024-02-30) makes PyYAML raise ValueError for the whole
    # document; kept as text, it becomes "not a valid date" at its own field path.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _count_nodes(data: Any, budget: int) -> tuple[int, int]:
    """Walk the value as a consumer would (aliases expanded), stopping at ``budget``.

    Returns the number of values seen and the deepest nesting of lists and mappings.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = 0
    deepest = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > budget:
            return count, deepest
        if isinstance(item, dict | list):
            depth += 1
            if depth > deepest:
                deepest = depth
            stack.extend((value, depth) for value in (item.values() if isinstance(item, dict) else item))
    return count, deepest


def _too_deep_at(text: str) -> Mark | None:
    """Where nesting first passes :data:`MAX_DEPTH` (None if it never does, or the text breaks
    off first).

    Read with PyYAML's pure-Python parser, event by event: it keeps no limit of its own and
    builds nothing, so the answer is the same whichever release is installed. Only called when
    something is already wrong, so its cost (about ten times libyaml's) does not matter.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return (mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and the positions of its keys and items."""

    data: Any
    file: str
    _key_marks: dict[int, dict[Any, Mark]]
    _value_marks: dict[int, dict[Any, Mark]]
    _item_marks: dict[int, list[Mark]]
    line: int = 1
    """The line the document starts on."""
    problems: tuple[YamlProblem, ...] = ()
    """Mistakes that left the document readable (read with ``keep_going=True``)."""

    def position(self, path: Sequence[Any], *, key: bool = False) -> Mark | None:
        """The (line, column) of the value at ``path`` (or of its key, with ``key=True``).

        Walks as far down the path as the document goes and returns the deepest position found,
        so a path into a missing field points at the mapping that lacks it.
        """
        node: Any = self.data
        found: Mark | None = (1, 1)
        for step in path:
            if isinstance(node, dict) and step in node:
                marks = self._key_marks if key else self._value_marks
                found = marks.get(id(node), {}).get(step, found)
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                items = self._item_marks.get(id(node), [])
                found = items[step] if step < len(items) else found
                node = node[step]
            else:
                break
        return found


def iter_yaml(
    text: str | bytes,
    *,
    file: str = "<string>",
    max_bytes: int = 1 << 20,
    echo: bool = False,
    keep_going: bool = False,
) -> Iterator[YamlDocument]:
    """Parse each YAML document of a stream safely, keeping positions; raises :class:`YamlProblem`.

    A document whose aliases expand it to more values than twice its length in characters is
    refused: without aliases no document can have more. A syntax error is described in this
    project's words (:mod:`cprules.yamlmistakes`); with ``echo=True`` the message may show the
    corrected line (a pack, never a case: case text is personal data). With ``keep_going=True``
    a duplicate key is kept in :attr:`YamlDocument.problems` rather than raised.

    >>> [doc.data for doc in iter_yaml("a: 1\\n---\\nb: 2\\n")]
    [{'a': 1}, {'b': 2}]
    """
    if len(text) > max_bytes:
        raise YamlProblem(f"file over the {max_bytes // 1024} KiB limit; split it into smaller files")
    if isinstance(text, bytes):
        text = _decoded(text)
    budget = max(2 * len(text) + 1000, MAX_NODES)
    loader = _Loader(text, keep_going=keep_going)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there was one
                break
            data = loader.construct_document(node)
            count, deepest = _count_nodes(data, budget)
            if count > budget:
                raise YamlProblem(
                    "the document's aliases expand it far past its size (a 'billion laughs' file?); "
                    "write the values out or use fewer aliases",
                    node.start_mark.line + 1,
                )
            if deepest > MAX_DEPTH:
                raise YamlProblem(_TOO_DEEP, *(_too_deep_at(text) or (node.start_mark.line + 1, 1)))
            yield YamlDocument(
                data,
                file,
                loader.key_marks,
                loader.value_marks,
                loader.item_marks,
                node.start_mark.line + 1,
                tuple(loader.problems),
            )
            loader.problems = []
    except YamlProblem:
        raise
    except (yaml.YAMLError, RecursionError) as exc:
        # libyaml's own depth limit, or Python's recursion limit in older releases: both are
        # reported as this module's own limit, at the place it is passed
        deep = _too_deep_at(text)
        if deep is not None:
            raise YamlProblem(_TOO_DEEP, *deep) from None
        raise _problem_of(exc, text, echo=echo) from None
    finally:
        loader.dispose()


def _decoded(data: bytes) -> str:
    """The text of a file that must be UTF-8 (a byte order mark is allowed)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem("the file is saved as UTF-16; save it as UTF-8", 1, 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        message, line, column = describe_bad_bytes(data[offset:], exc.start - offset)
        raise YamlProblem(message, line, column) from None


def _problem_of(exc: BaseException, text: str, *, echo: bool) -> YamlProblem:
    """The project's words for a PyYAML error (never the library's own)."""
    if isinstance(exc, yaml.constructor.ConstructorError):
        mark = exc.problem_mark or exc.context_mark
        return YamlProblem(
            "YAML tags (!!python/..., !custom) are not allowed; write plain values",
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = (exc.problem_mark.line, exc.problem_mark.column) if exc.problem_mark else None
        context = (exc.context_mark.line, exc.context_mark.column) if exc.context_mark else None
        message, line, column = describe_syntax_error(text, problem, context, echo=echo)
        return YamlProblem(message, line, column)
    if isinstance(exc, RecursionError):
        return YamlProblem(_TOO_DEEP)
    return YamlProblem("this is not valid YAML; check the indentation, colons and quotes")


def load_yaml(
    text: str | bytes,
    *,
    file: str = "<string>",
    max_bytes: int = 1 << 20,
    echo: bool = False,
    keep_going: bool = False,
) -> YamlDocument:
    """Parse one YAML document safely, keeping positions; raises :class:`YamlProblem`.

    ``echo`` and ``keep_going`` are as for :func:`iter_yaml`.

    >>> load_yaml("a: 1\\na: 2\\n").data
    Traceback (most recent call last):
    ...
    cprules.yamlsafe.YamlProblem: duplicate key 'a' (first written on line 1); keep one of them
    """
    documents = iter_yaml(text, file=file, max_bytes=max_bytes, echo=echo, keep_going=keep_going)
    first = next(documents, None)
    if first is None:
        return YamlDocument(None, file, {}, {}, {})
    second = next(documents, None)
    if second is not None:
        raise YamlProblem("only one YAML document is allowed here; remove the '---' line", second.line, 1)
    return first


def load_yaml_data(text: str | bytes, *, file: str = "<string>", max_bytes: int = 16 << 20) -> Any:
    """Parse YAML safely into plain values, raising :class:`~cprules.SourceError` on failure.

    >>> load_yaml_data("case_id: A\\n")
    {'case_id': 'A'}
    """
    from cprules.errors import SourceError

    try:
        return load_yaml(text, file=file, max_bytes=max_bytes).data
    except YamlProblem as exc:
        raise SourceError(exc.message, file=file, line=exc.line) from None
