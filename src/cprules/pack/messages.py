"""What pydantic finds wrong in a pack or a scenario file, in the project's own words.

pydantic says "Input should be a valid integer, unable to parse string as an integer" at
``('deadline', 'within', 'working_days')``; a policy officer needs "'ten' is not a whole
number; write digits, e.g. working_days: 10" at the line they wrote it. :func:`problems_of`
turns a :class:`pydantic.ValidationError` into one :class:`Problem` per mistake: the path in
the document (union branches and the ``kind`` tag taken out), the message, and whether it is
about a key (a field that should not be there) or a value.

Messages never quote pydantic: only its error *types* (stable across releases) and the value
written are used. Values from a pack may be shown (they are the reader's own text); callers
that validate case data pass ``echo=False``.

>>> from pydantic import BaseModel, ValidationError
>>> class Period(BaseModel):
...     working_days: int
>>> try:
...     Period.model_validate({"working_days": "ten"})
... except ValidationError as exc:
...     [(p.path, p.message) for p in problems_of(exc, {"working_days": "ten"}, root=Period)]
[(('working_days',), "'ten' is not a whole number; write digits, e.g. working_days: 10")]
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import UnionType
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import core_schema

__all__ = ["Problem", "describe_value", "problems_of"]

#: pydantic's own error types; any other type is a PydanticCustomError whose text is ours
_BUILTIN_TYPES = frozenset(typing.get_args(core_schema.ErrorType))

#: what to write for a field that takes a mapping
_MAPPING_EXAMPLES = {
    "within": "{working_days: 10}",
    "every": "{months: 1}",
    "at_least": "{months: 6}",
    "adjourn_within": "{working_days: 5}",
    "child_under": "{months: 12}",
    "not_before": "{weeks: 24, direction: after}",
    "not_after": "{weeks: 10, direction: before}",
    "trigger": "{event: icpc, where: {outcome: plan}}",
    "expect": "{event: core_group}",
    "event": "{event: visit}",
    "anchor": "{event: icpc}",
    "conference": "{event: review_conference}",
    "preceded_by": "{event: visit}",
    "followed_by": "{event: core_group}",
    "before": "{event: hospital_discharge}",
    "where": "{outcome: plan}",
    "require": "{lead_social_worker_named: true}",
    "property": "{seen_alone: true}",
    "failure": "{outcome: no_access}",
    "calendar": "{country: GB, subdiv: ENG}",
    "source": '{title: "...", version: "...", date: "..."}',
    "applies_when": "{authority: cambridgeshire}",
    "routes": "{no_longer_at_risk: [{event: review_conference, where: {outcome: cease}}]}",
    "overrides": "{first-core-group: {within: {working_days: 5}}}",
    "case": "{child: {date_of_birth: 2018-05-10}, events: [...]}",
    "child": "{date_of_birth: 2018-05-10}",
    "votes": "{for_plan: 4, against_plan: 1}",
}
#: what to write for a field that takes a list
_LIST_EXAMPLES = {
    "include": "[more-rules.yaml]",
    "closures": "[2024-12-27]",
    "lapses_on": "[{event: s47_outcome, where: {icpc_required: false}}]",
    "unless": "[{event: looked_after}]",
    "unless_reasons": "[died, moved_out]",
    "reasons": "[no_longer_at_risk]",
    "one_of": "[plan, no_plan]",
    "not_one_of": "[postponed]",
    "categories": "[neglect]",
    "records": "[icpc, plan_start, visit]",
}
_NUMBER_EXAMPLES = {
    "at_least_every": "2",
    "count": "2",
    "age": "18",
    "months": "3",
    "weeks": "4",
    "days": "7",
}


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is in the document, what to say, and whether it is about a key."""

    path: tuple[str | int, ...]
    message: str
    key: bool = False
    field: str | None = None
    """A field named by a check on a whole mapping (its key is the place to point at)."""


def describe_value(value: Any) -> str:
    """A value as the reader wrote it, short: ``'ten'``, ``2.5``, ``true``, ``a list``.

    >>> describe_value("ten"), describe_value(2.5), describe_value(True), describe_value([1])
    ("'ten'", '2.5', 'true', 'a list')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def problems_of(
    exc: ValidationError,
    data: Any,
    *,
    root: Any,
    strip_tag: str | None = None,
    echo: bool = True,
    owner: str | None = None,
    examples: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every mistake pydantic found, one :class:`Problem` each, in the order pydantic gives.

    ``data`` is what was validated (to tell document keys from union branch names in an error's
    location); ``root`` the model or type it was validated as (to list the fields a mapping
    takes); ``strip_tag`` a discriminator value pydantic puts first in each location (a rule's
    ``kind``). With ``echo=False`` no value from the document is repeated. ``owner`` names what
    a missing top-level field is missing from ("this test"); ``examples`` gives what to write for
    fields whose default example (from a pack) would not fit.
    """
    located: list[_Located] = []
    for error in exc.errors(include_url=False):
        loc = tuple("schema" if part == "schema_" else part for part in error["loc"])
        if strip_tag is not None and loc and loc[0] == strip_tag:
            loc = loc[1:]
        path, branch = _data_path(data, loc, str(error["type"]))
        located.append(_Located(loc, path, branch, error))
    located = _one_branch_per_union(located)
    seen: set[tuple[Any, ...]] = set()
    extras = {
        item.path[:-1]: item.path[-1]
        for item in located
        if item.error["type"] == "extra_forbidden" and item.path
    }
    problems: list[Problem] = []
    for item in located:
        path, details = item.path, item.error
        if path in seen:
            continue
        if details["type"] == "missing" and path and path[:-1] in extras:
            close = difflib.get_close_matches(str(extras[path[:-1]]), [str(path[-1])], n=1, cutoff=0.6)
            if close:
                continue  # a misspelt field also shows as a missing one: the misspelling says both
        seen.add(path)
        problems.append(_problem(details, path, root, echo, owner, examples or {}))
    return problems


@dataclass(frozen=True)
class _Located:
    loc: tuple[Any, ...]
    path: tuple[Any, ...]
    branch: int | None
    """The position in ``loc`` of the first union branch name, if any."""
    error: Mapping[str, Any]


def _data_path(data: Any, loc: tuple[Any, ...], error_type: str) -> tuple[tuple[Any, ...], int | None]:
    """The part of ``loc`` that names keys and items of ``data``, and where the first union
    branch name (Selector, str, function-after[...], not in the document) is in ``loc``."""
    path: list[Any] = []
    branch: int | None = None
    node = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        in_mapping = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            path.append(part)
            node = node[part]
        elif last and error_type == "missing" and isinstance(part, str):
            path.append(part)
        elif branch is None:
            branch = position
    return tuple(path), branch


def _one_branch_per_union(located: list[_Located]) -> list[_Located]:
    """Where a value could be one of several things, keep the errors of the branch that came
    closest (fewest type mismatches, then fewest mistakes), so a selector with a misspelt field
    is not also reported as "not a field expectation"."""
    branches: dict[tuple[Any, ...], dict[Any, list[int]]] = {}
    for index, item in enumerate(located):
        if item.branch is not None:
            site = item.loc[: item.branch]
            branches.setdefault(site, {}).setdefault(item.loc[item.branch], []).append(index)

    def cost(indexes: list[int]) -> tuple[int, int]:
        kinds = [str(located[i].error["type"]) for i in indexes]
        mismatches = sum(1 for kind in kinds if kind.endswith(("_type", "_parsing")))
        # an optional field's None branch ("not None") is the furthest of all: a mapping that
        # does not fit its type is a mistake in that type, not a wish to leave the field out
        mismatches += sum(2 for kind in kinds if kind == "none_required")
        return (mismatches, len(indexes))

    dropped: set[int] = set()
    for options in branches.values():
        if len(options) > 1:
            best = min(options.values(), key=cost)
            dropped.update(i for indexes in options.values() if indexes is not best for i in indexes)
    return [item for index, item in enumerate(located) if index not in dropped]


# -- the words --------------------------------------------------------------------------------


def _problem(
    error: Mapping[str, Any],
    path: tuple[Any, ...],
    root: Any,
    echo: bool,
    owner: str | None,
    examples: Mapping[str, str],
) -> Problem:
    kind = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    name = _field_name(path)
    shown = describe_value(value) if echo else "this value"
    if kind not in _BUILTIN_TYPES:  # a PydanticCustomError: our own words already
        field = ctx.get("field")
        return Problem(path, str(error["msg"]), field=str(field) if field else None)
    if kind == "missing":
        example = examples.get(name) or _example_for(name, None)
        add = f"add {name}: {example}" if example else f"add {name}:"
        whose = "this"
        if len(path) == 1:
            whose = owner or ("this rule" if _is_rule_root(root) else "this")
        return Problem(path, f"{whose} needs {name}; {add}", key=True)
    if kind == "extra_forbidden":
        fields = _fields_at(root, path[:-1])
        close = difflib.get_close_matches(name, fields, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        takes = f"; write one of: {', '.join(fields)}" if fields else "; remove it"
        return Problem(path, f"unknown field '{name}'{hint}{takes}", key=True)
    if kind in ("literal_error", "enum"):
        choices = _choices(ctx)
        close = difflib.get_close_matches(str(value), choices, n=1) if echo else []
        hint = f" (did you mean {close[0]}?)" if close else ""
        if choices == ["1"] and name == "schema":
            return Problem(path, f"{shown} is not a version of the format; write schema: 1")
        return Problem(path, f"{shown} is not allowed for {name}{hint}; write one of: {', '.join(choices)}")
    if kind in ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"):
        example = _NUMBER_EXAMPLES.get(name, "10")
        if isinstance(value, bool):
            return Problem(path, f"{name} is a whole number, not true or false; write e.g. {name}: {example}")
        if isinstance(value, float) or kind == "int_from_float":
            return Problem(path, f"{shown} is not a whole number; write e.g. {name}: {example}")
        if isinstance(value, list | tuple | dict):
            return Problem(path, f"{name} is a whole number, not {shown}; write e.g. {name}: {example}")
        return Problem(path, f"{shown} is not a whole number; write digits, e.g. {name}: {example}")
    if kind in ("bool_parsing", "bool_type"):
        return Problem(path, f"{shown} is not true or false; write {name}: true or {name}: false")
    if kind.startswith("date") or kind.startswith("datetime"):
        return Problem(path, _date_message(name, value, echo))
    if kind in ("string_type", "str_type"):
        if isinstance(value, list | tuple | dict):
            return Problem(path, f"{name} is text, not {shown}; write {name}: and the text on one line")
        quoted = f'"{describe_value(value)}"' if echo else '"..."'
        return Problem(path, f"{name} is text; put it in quotes: {name}: {quoted}")
    if kind == "string_too_short":
        return Problem(path, f"{name} is empty; write its text after the colon")
    if kind == "too_short":
        return Problem(path, f"{name} is empty; give it at least one entry")
    if kind == "string_pattern_mismatch":
        return Problem(path, _pattern_message(name, str(ctx.get("pattern", ""))))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return Problem(path, f"{name} must be {words} {bound}; {shown} is not")
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return Problem(path, _mapping_message(name, value, echo, root, path))
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        example = _LIST_EXAMPLES.get(name, "[...]")
        return Problem(
            path,
            f"{name} is a list, not {describe_value(value) if echo else 'this'}; "
            f"write e.g. {name}: {example}",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return Problem(path, str(error["msg"]))  # replaced by the caller, which knows the kinds
    what = f"{name} cannot be {shown}" if echo else f"{name} cannot take this value"
    return Problem(path, f"{what}; see cprules schema pack for what it takes")


def _field_name(path: tuple[Any, ...]) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "this item"


def _choices(ctx: Mapping[str, Any]) -> list[str]:
    expected = str(ctx.get("expected", ""))
    parts = re.split(r", | or ", expected)
    return [part.strip().strip("'") for part in parts if part.strip()]


def _example_for(name: str, value: Any) -> str | None:
    if name in _MAPPING_EXAMPLES:
        return _MAPPING_EXAMPLES[name]
    if name in _LIST_EXAMPLES:
        return _LIST_EXAMPLES[name]
    if name in _NUMBER_EXAMPLES:
        return _NUMBER_EXAMPLES[name]
    return {
        "schema": "1",
        "id": "my-rule",
        "title": "...",
        "version": '"1.0"',
        "citation": '"Authority, document, section"',
        "severity": "breach",
        "kind": "deadline",
    }.get(name)


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_SHAPED = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _meant(text: str) -> str | None:
    """The date a person wrote the British way (30/03/2024, 1 June 2024), as YYYY-MM-DD."""
    day_first = _DAY_FIRST.match(text)
    words = _WORDS.match(text)
    try:
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day).isoformat()
        if words and words.group(2).lower() in _MONTHS:
            return date(int(words.group(3)), _MONTHS[words.group(2).lower()], int(words.group(1))).isoformat()
    except ValueError:
        return None
    return None


def _date_message(name: str, value: Any, echo: bool) -> str:
    """Dates: YYYY-MM-DD, and a day that exists."""
    text = str(value) if isinstance(value, str) else ""
    iso = _ISO_SHAPED.match(text)
    if iso and echo:
        return f"a date must be YYYY-MM-DD and real: {text} is not a day"
    if iso:
        return "a date must be YYYY-MM-DD and real: this is not a day"
    meant = _meant(text) if echo else None
    if meant:
        return f"a date must be YYYY-MM-DD: write {name}: {meant}, not {text}"
    example = f"{name}: 2024-04-01"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"a date must be YYYY-MM-DD, not a number; write e.g. {example}"
    return f"a date must be YYYY-MM-DD; write e.g. {example}"


def _pattern_message(name: str, pattern: str) -> str:
    if "[_-]" in pattern:
        return (
            "a pack id is lower-case letters and digits, words joined by - or _ "
            "(stoke, peterborough_cambs); write it that way"
        )
    if name == "id" or pattern.startswith("^[a-z0-9]+(-"):
        return (
            "an id is kebab-case: lower-case letters, digits and single hyphens; write e.g. first-core-group"
        )
    return f"{name} is not written the way it must be; see cprules schema pack"


def _mapping_message(name: str, value: Any, echo: bool, root: Any, path: tuple[Any, ...]) -> str:
    example = _MAPPING_EXAMPLES.get(name)
    if name not in _MAPPING_EXAMPLES and _looks_like_field_test(root, path):
        # a test on an event field: a plain value, or one of one_of, not_one_of, present, contains
        scalars = isinstance(value, list | tuple) and all(isinstance(v, str | int | bool) for v in value)
        listed = ", ".join(map(describe_value, value)).replace("'", "") if echo and scalars else "a, b"
        return (
            f"a test on {name} is a plain value or one of one_of, not_one_of, present, contains; "
            f"write e.g. {name}: {{one_of: [{listed}]}}"
        )
    what = describe_value(value) if echo else "this"
    if isinstance(value, list | tuple):
        return f"{name} is a mapping (name: value), not a list; write e.g. {name}: {example or '{...}'}"
    return f"{name} is a mapping (name: value), not {what}; write e.g. {name}: {example or '{...}'}"


def _looks_like_field_test(root: Any, path: tuple[Any, ...]) -> bool:
    return len(path) >= 2 and path[-2] in ("where", "require", "property", "failure")


def _is_rule_root(root: Any) -> bool:
    models = _models_in(root)
    return any("kind" in model.model_fields for model in models)


def _fields_at(root: Any, path: Sequence[Any]) -> list[str]:
    """The fields the mapping at ``path`` takes (every model it may be), for suggestions."""
    annotations = [root]
    for part in path:
        following: list[Any] = []
        for annotation in annotations:
            for inner in _unwrap(annotation):
                origin = typing.get_origin(inner)
                if isinstance(part, int) and origin in (list, tuple):
                    following.extend(a for a in typing.get_args(inner) if a is not Ellipsis)
                elif isinstance(part, str) and origin is dict:
                    following.append(typing.get_args(inner)[1])
                elif isinstance(part, str) and isinstance(inner, type) and issubclass(inner, BaseModel):
                    info = inner.model_fields.get(part)
                    if info is None:
                        info = next((f for f in inner.model_fields.values() if f.alias == part), None)
                    if info is not None:
                        following.append(info.annotation)
        annotations = following
    names: list[str] = []
    for model in (m for a in annotations for m in _models_in(a)):
        for field_name, info in model.model_fields.items():
            shown = info.alias or field_name
            if shown not in names:
                names.append(shown)
    return names


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation may be: Optional and unions opened, Annotated stripped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, UnionType):
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    if origin is Literal:
        return []
    return [annotation]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [
        inner for inner in _unwrap(annotation) if isinstance(inner, type) and issubclass(inner, BaseModel)
    ]
