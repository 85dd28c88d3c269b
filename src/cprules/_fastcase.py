"""The fast way in for case JSON text: msgspec decodes, one pass does what the validators do.

:func:`fast_parse` only ever accepts. It returns the :class:`~cprules.case.Case` that
``Case.model_validate_json`` would build (the same models, field values, set fields and ids),
or ``None`` when it has any doubt: a msgspec error, a value pydantic would coerce or strip, a
date outside the supported range, a repeated id, a plan that starts while one is open, a key
that may be written twice. ``parse_case`` then takes the pydantic way, which gives the
canonical :class:`~cprules.CaseError` (or accepts, where this path was stricter than needed).
So the one property to prove (tests/test_parse_equivalence.py) is: whenever this path accepts,
its case equals pydantic's.

The models are pydantic's own, built without re-validation (``__dict__`` and the set fields
put in place, as ``model_construct`` does, in C-level ``map`` calls rather than a Python loop
per field). The derived indexes (``ordered_events``, ``positions_by_type``, ``episodes``) are
left to be worked out on first use, as the pydantic way leaves them: the plan check sorts
only the plan events.

Off by default (``cprules.case._FAST_PARSE``): on the benchmark's caseload it costs about 1.9
million instructions a case against pydantic-core's 1.1 million, the Python that builds
pydantic's models (``__new__``, ``__dict__`` and three slots an event) outweighing what msgspec
saves. It would pay if the events were msgspec Structs themselves.
"""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Callable
from datetime import date
from itertools import compress, repeat
from operator import attrgetter, itemgetter
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from cprules.case import (
    EVENT_MODELS,
    MAX_DATE,
    MAX_EVENTS_PER_CASE,
    MIN_DATE,
    Case,
    Child,
    Votes,
    _name_unnamed,
    _plans_alternate,
)

__all__ = ["fast_parse"]

_UNSET = msgspec.UNSET
_set = object.__setattr__
_new = object.__new__
_type_of = itemgetter("type")
_date_of = itemgetter("date")
_id_of = attrgetter("id")

# -- the msgspec types, made from the pydantic models (one source of truth) ----------------------


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
        elif isinstance(item, Ge) and not isinstance(item.ge, date):
            found["ge"] = item.ge
        elif isinstance(item, Le) and not isinstance(item.le, date):
            found["le"] = item.le
        elif isinstance(item, MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, MaxLen):
            found["max_length"] = item.max_length
    return found


def _spec(annotation: Any, metadata: list[Any]) -> Any:
    """The msgspec type for a pydantic field annotation (dates are range-checked afterwards)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _spec(base, [*extra, *metadata])
    if origin in (Union, types.UnionType):
        return Union[tuple(_spec(arg, metadata) for arg in get_args(annotation))]  # noqa: UP007
    if origin is tuple:
        item = _spec(get_args(annotation)[0], [])
        constraints = _constraints(metadata)
        sequence: Any = tuple[item, ...]  # type: ignore[valid-type]
        return Annotated[sequence, msgspec.Meta(**constraints)] if constraints else sequence
    if origin is dict:
        return dict[str, Any]
    if origin is Literal or annotation in (type(None), bool, date):
        return annotation
    if annotation is Votes:
        return _VotesStruct
    if annotation in (int, str):
        constraints = _constraints(metadata)
        return Annotated[annotation, msgspec.Meta(**constraints)] if constraints else annotation
    raise TypeError(f"no msgspec type for {annotation!r}")  # a new field kind: teach this module


def _struct(model: type[BaseModel], name: str, tag: str | None = None) -> type[msgspec.Struct]:
    fields: list[tuple[str, Any, Any]] = []
    for field_name, field in model.model_fields.items():
        if field_name == "type" and tag is not None:
            continue
        spec = _spec(field.annotation, field.metadata)
        key = field.alias or field_name
        if field.is_required():
            fields.append((key, spec, msgspec.field()))
        else:
            fields.append((key, spec | msgspec.UnsetType, _UNSET))
    # required fields first (msgspec's rule, as Python's for arguments); names are keys
    fields.sort(key=lambda item: item[2] is _UNSET)
    options: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}
    if tag is not None:
        options.update(tag_field="type", tag=tag)
    return msgspec.defstruct(name, fields, **options)


_VotesStruct = _struct(Votes, "_VotesStruct")
_ChildStruct = _struct(Child, "_ChildStruct")
_EVENT_STRUCTS = tuple(
    _struct(model, f"_{model.__name__}Struct", kind) for kind, model in EVENT_MODELS.items()
)


def _case_struct() -> type[msgspec.Struct]:
    fields: list[tuple[str, Any, Any]] = []
    for field_name, field in Case.model_fields.items():
        if field_name == "events":
            spec: Any = list[Union[_EVENT_STRUCTS]]  # type: ignore[valid-type]  # noqa: UP007
        elif field_name == "child":
            spec = _ChildStruct
        else:
            spec = _spec(field.annotation, field.metadata)
        key = field.alias or field_name
        if field.is_required():
            fields.append((key, spec, msgspec.field()))
        else:
            fields.append((key, spec | msgspec.UnsetType, _UNSET))
    fields.sort(key=lambda item: item[2] is _UNSET)
    return msgspec.defstruct("_CaseStruct", fields, forbid_unknown_fields=True, gc=False)


_DECODE: Callable[[str | bytes | bytearray], Any] = msgspec.json.Decoder(_case_struct()).decode
_to_builtins = msgspec.to_builtins
_BUILTIN_TYPES = (date,)

# -- what the pass needs to know of each event type ----------------------------------------------


def _is(annotation: Any, kind: type) -> bool:
    """The annotation is ``kind`` or ``kind | None`` (through ``Annotated``)."""
    if get_origin(annotation) is Annotated:
        return _is(get_args(annotation)[0], kind)
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is(arg, kind) for arg in get_args(annotation) if arg is not type(None))
    return annotation is kind


def _tuple_of(annotation: Any) -> Any:
    """The item type of a ``tuple[X, ...] | None`` annotation, or None."""
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is tuple:
            return get_args(arg)[0]
    return None


#: per event type: the fields this pass finishes, as (name, what): "date" (range), "str"
#: (stripped already?), "strs" (a tuple of text), "tuple" (list to tuple), "votes", "metadata"
_FINISH: dict[str, tuple[tuple[str, str], ...]] = {}
_DEFAULTS: dict[str, dict[str, Any]] = {}
_CLASS: dict[str, type[BaseModel]] = {}
for _kind, _event_model in EVENT_MODELS.items():
    _steps: list[tuple[str, str]] = []
    for _name, _field in _event_model.model_fields.items():
        if _name in ("date", "id", "type"):
            continue  # the date and the id of every event are checked all at once
        _item = _tuple_of(_field.annotation)
        if _name == "metadata":
            continue  # the metadata of every event is looked at all at once
        if _item is str:
            _steps.append((_name, "strs"))
        elif _item is not None:
            _steps.append((_name, "tuple"))
        elif _is(_field.annotation, date):
            _steps.append((_name, "date"))
        elif _is(_field.annotation, str):
            _steps.append((_name, "str"))
        elif _is(_field.annotation, Votes):
            _steps.append((_name, "votes"))
    _FINISH[_kind] = tuple(_steps)
    _DEFAULTS[_kind] = {
        name: (None if field.is_required() else field.get_default(call_default_factory=True))
        for name, field in _event_model.model_fields.items()
    }
    _CLASS[_kind] = _event_model
#: the event types with a field to finish
_FINISHED = frozenset(kind for kind, steps in _FINISH.items() if steps)
#: pydantic's slots, set as ``model_construct`` sets them
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_CASE_DEFAULTS: dict[str, Any] = {
    name: (None if field.is_required() else field.get_default(call_default_factory=False))
    for name, field in Case.model_fields.items()
}
_CHILD_DEFAULTS: dict[str, Any] = {name: None for name in Child.model_fields}
_VOTES_DEFAULTS: dict[str, Any] = {name: None for name in Votes.model_fields}


class _Doubt(Exception):
    """Something this path does not settle: the pydantic way decides."""


def _model(cls: type[BaseModel], defaults: dict[str, Any], given: dict[str, Any]) -> Any:
    """A model with ``given`` set over ``defaults``, built as pydantic builds it, not re-validated."""
    values = defaults.copy()
    values.update(given)
    made = _new(cls)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(given))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def _stripped(text: Any) -> None:
    if text.strip() != text:
        raise _Doubt  # pydantic strips it: leave the value to pydantic


def _keys_stripped(mapping: dict[str, Any]) -> None:
    for key in mapping:
        if key.strip() != key:
            raise _Doubt


def _in_range(day: date) -> None:
    if not MIN_DATE <= day <= MAX_DATE:
        raise _Doubt


def _finish(values: dict[str, Any], steps: tuple[tuple[str, str], ...]) -> int:
    """Check and finish one event's fields in place; the keys of its votes (for the count of keys)."""
    keys = 0
    for name, what in steps:
        value = values.get(name)
        if value is None:
            continue
        if what == "date":
            _in_range(value)
        elif what == "str":
            _stripped(value)
        elif what == "votes":
            values[name] = _model(Votes, _VOTES_DEFAULTS, value)
            keys += len(value)
        elif what == "strs":
            for item in value:
                _stripped(item)
            values[name] = tuple(value)
        else:  # "tuple"
            values[name] = tuple(value)
    return keys


#: metadata nested deeper than this is left to pydantic, whose JSON reader refuses a document
#: nested about 200 deep (msgspec reads deeper): well within, so this path refuses first
_MAX_DEPTH = 100


def _keys_in(value: Any, depth: int = 0) -> int:
    """The keys of the JSON objects in ``value``, each counted once."""
    if depth > _MAX_DEPTH:
        raise _Doubt
    if isinstance(value, dict):
        return len(value) + sum(_keys_in(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return sum(_keys_in(item, depth + 1) for item in value)
    return 0


def _events(given: list[dict[str, Any]]) -> tuple[tuple[Any, ...], int]:
    """The event models, and how many keys their JSON objects held (each counted once)."""
    kinds = list(map(_type_of, given))
    fields_set = list(map(set, given))
    keys = sum(map(len, fields_set))
    values = list(map(dict.copy, map(_DEFAULTS.__getitem__, kinds)))
    deque(map(dict.update, values, given), 0)
    days = list(map(_date_of, given))
    if min(days) < MIN_DATE or max(days) > MAX_DATE:
        raise _Doubt
    for metadata in filter(None, map(dict.get, given, repeat("metadata"))):
        _keys_stripped(metadata)
        keys += _keys_in(metadata)
    for position in compress(range(len(kinds)), map(_FINISHED.__contains__, kinds)):
        keys += _finish(values[position], _FINISH[kinds[position]])
    events = list(map(_new, map(_CLASS.__getitem__, kinds)))
    deque(map(_set, events, repeat("__dict__"), values), 0)
    deque(map(_set_fields_set, events, fields_set), 0)
    deque(map(_set_extra, events, repeat(None, len(events))), 0)
    deque(map(_set_private, events, repeat(None, len(events))), 0)
    return tuple(events), keys


def _check_ids(events: tuple[Any, ...]) -> None:
    ids = list(map(_id_of, events))
    if list(map(str.strip, ids)) != ids:
        raise _Doubt
    if "" in ids:
        _name_unnamed(events, ids)
    if len(set(ids)) < len(ids):
        raise _Doubt  # a repeated id: pydantic's error


def _check_records(records: tuple[str, ...]) -> None:
    for entry in records:
        _stripped(entry)
        kind, _, field = entry.partition(".")
        model = EVENT_MODELS.get(kind)
        if model is None or (field and field not in model.model_fields):
            raise _Doubt


def fast_parse(text: str | bytes | bytearray) -> Case | None:
    """The case in ``text`` (JSON, no byte-order mark), or None to leave it to pydantic."""
    try:
        decoded = _DECODE(text)
    except (msgspec.MsgspecError, ValueError, RecursionError):  # (old msgspec: UnicodeDecodeError)
        return None
    try:
        return _build(text, _to_builtins(decoded, builtin_types=_BUILTIN_TYPES))
    except _Doubt:
        return None


def _build(text: str | bytes | bytearray, given: dict[str, Any]) -> Case:
    keys = len(given)
    values = _CASE_DEFAULTS.copy()
    fields_set = set(given)
    if "schema" in given:
        fields_set.discard("schema")
        fields_set.add("schema_")
        values["schema_"] = given.pop("schema")
    values.update(given)
    _stripped(values["case_id"])
    if values["authority"] is not None:
        _stripped(values["authority"])
    if values["records"] is not None:
        _check_records(values["records"])
        values["records"] = tuple(values["records"])
    if values["metadata"] is not None:
        _keys_stripped(values["metadata"])
        keys += _keys_in(values["metadata"])
    child = given.get("child")
    if child is None:
        values["child"] = _model(Child, _CHILD_DEFAULTS, {})
    else:
        for day in child.values():
            if day is not None:
                _in_range(day)
        values["child"] = _model(Child, _CHILD_DEFAULTS, child)
        keys += len(child)
    given_events = given.get("events", ())
    if len(given_events) > MAX_EVENTS_PER_CASE:
        raise _Doubt
    if given_events:
        events, event_keys = _events(given_events)
        keys += event_keys
        _check_ids(events)
        if not _plans_alternate(events):
            raise _Doubt  # an error, or a re-planning day: pydantic's to settle
    else:
        events = ()
    values["events"] = events
    # a key written twice: every key is followed by one colon, so no more colons than keys
    # means no repeat; otherwise (a repeat, or a colon inside a string) pydantic's way looks
    colons = text.count(":") if isinstance(text, str) else text.count(b":")
    if colons > keys:
        raise _Doubt
    case: Case = _new(Case)
    _set(case, "__dict__", values)
    _set(case, "__pydantic_fields_set__", fields_set)
    _set(case, "__pydantic_extra__", None)
    _set(case, "__pydantic_private__", None)
    return case
