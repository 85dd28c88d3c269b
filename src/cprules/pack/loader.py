"""Loading a pack: YAML with positions, ``extends``, ``include``, ``overrides``, validation.

Every mistake becomes a :class:`~cprules.PackError` whose message starts ``FILE:LINE:COLUMN:``
and says what to write instead.

What a pack may read is confined: ``extends:`` names a bundled pack, or a pack folder (or a
``.yaml`` file) inside the allowed root (by default the folder that holds the pack's own
folder, so sibling packs can extend each other); ``include:`` names files of the pack's own
folder. A file that is not a pack is refused without quoting a word of it, and every file is
measured before it is read. Numbers are whole numbers written in plain digits.

>>> pack = load_pack("england")
>>> pack.id, "first-core-group" in pack.rule_ids
('england', True)
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cprules.calendar import WorkingCalendar
from cprules.errors import PackError
from cprules.pack.model import RULE_ADAPTER, RULE_KINDS, Rule
from cprules.yamlsafe import YamlDocument, YamlProblem, load_yaml

__all__ = [
    "CalendarSpec",
    "DisabledRule",
    "Pack",
    "PackFile",
    "PackSource",
    "bundled_pack_ids",
    "load_pack",
    "policies_dir",
    "validate_pack",
]

PACK_SCHEMA_VERSION = 1
MAX_PACK_BYTES = 1 << 20
#: packs in one ``extends`` chain (national -> region -> authority needs three)
MAX_EXTENDS_DEPTH = 10
_PACK_SUFFIXES = (".yaml", ".yml")
_STRICT = ConfigDict(frozen=True, extra="forbid")


class PackSource(BaseModel):
    """The procedure document a pack encodes."""

    model_config = _STRICT

    title: str
    publisher: str | None = None
    version: str | None = None
    date: str | None = Field(default=None, description="Publication or last-updated date, as written.")
    url: str | None = None


class CalendarSpec(BaseModel):
    """Which public holidays and office closures make the working-day calendar."""

    model_config = _STRICT

    country: str = Field(default="GB", description="ISO country code for the holidays package (GB, JE).")
    subdiv: str | None = Field(default=None, description="Subdivision (ENG for England).")
    closures: tuple[date, ...] = Field(default=(), description="Local office closure days.")


class PackFile(BaseModel):
    """The top level of ``pack.yaml`` (rules are validated one by one, to name each)."""

    model_config = _STRICT

    schema_: Literal[1] = Field(alias="schema", description="Version of the pack format (1).")
    id: str = Field(pattern=r"^[a-z0-9]+([_-][a-z0-9]+)*$")
    title: str
    version: str
    effective_from: date | None = None
    source: PackSource | None = None
    extends: str | None = Field(
        default=None,
        description="A bundled pack id, or a path to a pack folder starting with . or /.",
    )
    include: tuple[str, ...] = Field(default=(), description="More YAML files of this folder.")
    calendar: CalendarSpec | None = None
    rules: list[dict[str, Any]] = Field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)


class IncludeFile(BaseModel):
    """A file named under ``include``: more rules for the pack."""

    model_config = _STRICT

    schema_: Literal[1] = Field(default=1, alias="schema")
    rules: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DisabledRule:
    """An inherited rule a pack switched off, and why."""

    id: str
    reason: str
    pack_id: str


@dataclass(frozen=True, eq=False)
class Pack:
    """A resolved policy pack: the effective rules, the calendar and provenance.

    >>> pack = load_pack("stoke")
    >>> pack.calendar.name, pack.rule("core-group-minutes").kind
    ('England and Wales', 'deadline')
    """

    id: str
    title: str
    version: str
    effective_from: date | None
    source: PackSource | None
    extends: str | None
    calendar: WorkingCalendar
    rules: tuple[Rule, ...]
    disabled: tuple[DisabledRule, ...]
    path: Path
    digest: str
    chain: tuple[str, ...] = ()
    """Pack ids from this one to the root of its ``extends`` chain."""
    rule_needs: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the effective rules, in pack order."""
        return tuple(rule.id for rule in self.rules)

    def rule(self, rule_id: str) -> Rule:
        """The effective rule with this id (KeyError if there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def resolved(self) -> dict[str, Any]:
        """The effective pack as plain data (what ``cprules pack show --resolved`` prints)."""
        return _resolved_dict(self)


def _resolved_dict(pack: Pack) -> dict[str, Any]:
    return {
        "schema": PACK_SCHEMA_VERSION,
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
        "effective_from": pack.effective_from.isoformat() if pack.effective_from else None,
        "source": pack.source.model_dump(exclude_none=True) if pack.source else None,
        "extends": pack.extends,
        "calendar": {
            "country": pack.calendar.country,
            "subdiv": pack.calendar.subdiv,
            "closures": [d.isoformat() for d in pack.calendar.closures],
        },
        "rules": [
            rule.model_dump(mode="json", exclude_none=True, exclude_defaults=False) for rule in pack.rules
        ],
        "disabled": [{"id": d.id, "reason": d.reason, "pack": d.pack_id} for d in pack.disabled],
    }


def policies_dir() -> Path:
    """The folder of bundled packs: inside the installed package, or the source tree's."""
    shipped = Path(str(resources.files("cprules"))) / "policies"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "policies"


def bundled_pack_ids() -> list[str]:
    """The ids of the packs shipped with cprules, sorted.

    >>> "stoke" in bundled_pack_ids()
    True
    """
    root = policies_dir()
    return sorted(p.parent.name for p in root.glob("*/pack.yaml")) if root.is_dir() else []


def load_pack(name_or_path: str | Path, *, root: str | Path | None = None) -> Pack:
    """Load a bundled pack by id, or a pack from a folder or a ``pack.yaml`` path.

    ``root`` is the folder an ``extends:`` path must stay inside (default: the folder that holds
    this pack's folder); a bundled pack id is always allowed. Raises
    :class:`~cprules.PackError` (``FILE:LINE:COLUMN: rule <id>: ...``) on any mistake.

    >>> load_pack("jersey").calendar.country
    'JE'
    """
    path = _locate(name_or_path, base=None)
    return _Loader(root=_root_for(path, root)).load(path, stack=())


def validate_pack(name_or_path: str | Path, *, root: str | Path | None = None) -> list[PackError]:
    """Every mistake in a pack, in file order: each rule is checked on its own, so one bad rule
    does not hide the next. An empty list means the pack loads (``root`` as for
    :func:`load_pack`).

    >>> validate_pack("stoke")
    []
    """
    try:
        path = _locate(name_or_path, base=None)
    except PackError as exc:
        return [exc]
    loader = _Loader(collect=True, root=_root_for(path, root))
    try:
        loader.load(path, stack=())
    except PackError as exc:  # a mistake outside the rules stops the loading
        loader.errors.append(exc)
    unique = {str(error): error for error in loader.errors}
    return sorted(unique.values(), key=lambda e: (e.file or "", e.line or 0, e.column or 0))


def _root_for(path: Path, root: str | Path | None) -> Path:
    """The folder ``extends:`` paths must stay inside."""
    if root is not None:
        return Path(root).resolve()
    return path.resolve().parent.parent


def _locate(name_or_path: str | Path, base: Path | None) -> Path:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.startswith((".", "/")) or text.endswith(_PACK_SUFFIXES):
        path = Path(text)
        if base is not None and not path.is_absolute():
            path = Path(os.path.normpath(base / path))  # p/../base as base: what errors name
        if path.is_dir():
            path = path / "pack.yaml"
        if not path.is_file():
            raise PackError(f"no pack at {text}; give a bundled pack id or a pack folder", file=str(path))
        if path.suffix.lower() not in _PACK_SUFFIXES:
            # a pack is YAML: refuse anything else unread, so no word of it is ever quoted
            raise PackError(
                "not a pack: give a pack folder (holding pack.yaml), a .yaml file or a bundled pack id",
                file=str(path),
            )
        return path
    candidate = policies_dir() / text / "pack.yaml"
    if candidate.is_file():
        return candidate
    local = Path(text)
    if local.is_dir() and (local / "pack.yaml").is_file():
        return local / "pack.yaml"
    known = bundled_pack_ids()
    close = difflib.get_close_matches(text, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise PackError(f"no bundled pack '{text}'; {hint}write one of: {', '.join(known)}, or a path")


@dataclass
class _RawRule:
    data: dict[str, Any]
    doc: YamlDocument
    path: tuple[Any, ...]
    pack_id: str
    # fields changed by an override, and where the override wrote them
    overridden: dict[str, tuple[YamlDocument, tuple[Any, ...]]] = field(default_factory=dict)
    disabled: DisabledRule | None = None


class _Loader:
    def load(self, path: Path, stack: tuple[Path, ...]) -> Pack:
        doc = self._read(path)
        top = self._validate_top(doc)
        real = path.resolve()
        if real in stack:
            chain = " -> ".join(p.parent.name for p in (*stack, real))
            raise self._error(doc, ("extends",), f"extends makes a cycle ({chain}); remove one extends")
        stack = (*stack, real)

        parent: Pack | None = None
        raw_rules: list[_RawRule] = []
        if top.extends is not None:
            if len(stack) >= MAX_EXTENDS_DEPTH:
                raise self._error(
                    doc,
                    ("extends",),
                    f"extends chains more than {MAX_EXTENDS_DEPTH} packs one on another; extend a "
                    "bundled pack, or a pack that extends one, directly",
                )
            parent_path = self._parent_path(doc, top.extends, path)
            parent = self.load(parent_path, stack)
            raw_rules = [
                _RawRule(dict(r.data), r.doc, r.path, r.pack_id, dict(r.overridden), r.disabled)
                for r in self._raw_of(parent)
            ]
        elif top.calendar is None:
            raise self._error(
                doc,
                (),
                "a pack that extends none must say its calendar; add "
                "calendar: {country: GB, subdiv: ENG} (or country: JE for Jersey)",
            )

        inherited = {r.data.get("id"): r for r in raw_rules}
        for rule_id, changes in top.overrides.items():
            target = inherited.get(rule_id)
            where = ("overrides", rule_id)
            if target is None:
                close = difflib.get_close_matches(rule_id, [str(k) for k in inherited], n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                what = (
                    f"inherits no rule '{rule_id}'{hint}"
                    if parent
                    else "extends no pack, so it has nothing to override"
                )
                raise self._error(
                    doc, where, f"this pack {what}; to add a new rule, put it under rules", key=True
                )
            self._apply_override(doc, where, target, changes, top.id)

        own: list[tuple[YamlDocument, tuple[Any, ...], dict[str, Any]]] = [
            (doc, ("rules", i), r) for i, r in enumerate(top.rules)
        ]
        for position, name in enumerate(top.include):
            include_path = path.parent / name
            if not include_path.is_file() or include_path.resolve().parent != path.parent.resolve():
                raise self._error(doc, ("include", position), f"no file '{name}' in this pack's folder")
            if include_path.suffix.lower() not in _PACK_SUFFIXES:
                raise self._error(
                    doc, ("include", position), "include names .yaml files of this pack's folder"
                )
            include_doc = self._read(include_path)
            if not isinstance(include_doc.data, dict) or not {"schema", "rules"} & set(include_doc.data):
                raise self._error(
                    include_doc, (), "not a file of rules: it has no 'rules:' (start it schema: 1, rules:)"
                )
            try:
                included = IncludeFile.model_validate(include_doc.data)
            except ValidationError as exc:
                raise self._validation_error(include_doc, (), exc, None) from None
            own.extend((include_doc, ("rules", i), r) for i, r in enumerate(included.rules))

        for rule_doc, rule_path, data in own:
            new_id = data.get("id") if isinstance(data.get("id"), str) else None  # else: the model says why
            if new_id in inherited:
                raise self._error(
                    rule_doc,
                    (*rule_path, "id"),
                    f"rule '{new_id}' is inherited from {inherited[new_id].pack_id}; to change the "
                    f"inherited rule, put it under overrides: {{{new_id}: {{...}}}}",
                    rule_id=str(new_id),
                )
            if new_id is not None and any(r.data.get("id") == new_id for r in raw_rules):
                raise self._error(
                    rule_doc,
                    (*rule_path, "id"),
                    f"duplicate rule id '{new_id}'; give each rule its own id",
                    rule_id=str(new_id),
                )
            raw = _RawRule(dict(data), rule_doc, rule_path, top.id)
            raw_rules.append(raw)

        rules: list[Rule] = []
        disabled: list[DisabledRule] = []
        for raw in raw_rules:
            if raw.disabled is not None:
                disabled.append(raw.disabled)
                continue
            try:
                rules.append(self._validate_rule(raw))
            except PackError as exc:
                if not self._collect:
                    raise
                self.errors.append(exc)  # go on: a policy officer wants every mistake at once

        spec = top.calendar
        if spec is not None:
            try:
                calendar = WorkingCalendar(spec.country, spec.subdiv, spec.closures)
            except (ValueError, TypeError) as exc:  # an unknown country or subdivision
                raise self._error(doc, ("calendar",), f"{exc}") from None
        else:
            assert parent is not None  # a pack without a calendar extends one (checked above)
            calendar = parent.calendar
        pack = Pack(
            id=top.id,
            title=top.title,
            version=top.version,
            effective_from=top.effective_from,
            source=top.source,
            extends=top.extends,
            calendar=calendar,
            rules=tuple(rules),
            disabled=tuple(disabled),
            path=path,
            digest="",
            chain=(top.id, *(parent.chain if parent else ())),
            rule_needs={rule.id: rule.needs() for rule in rules},
        )
        object.__setattr__(
            pack,
            "digest",
            "sha256:" + hashlib.sha256(json.dumps(_resolved_dict(pack), sort_keys=True).encode()).hexdigest(),
        )
        self._raw[id(pack)] = raw_rules
        self._keep.append(pack)
        return pack

    def __init__(self, *, collect: bool = False, root: Path | None = None) -> None:
        self._raw: dict[int, list[_RawRule]] = {}
        self._keep: list[Pack] = []
        self._collect = collect
        #: the folder extends paths must stay inside (bundled packs are always allowed)
        self._root = root
        #: with collect=True, every rule that failed validation (the rest of the pack loads)
        self.errors: list[PackError] = []

    def _raw_of(self, pack: Pack) -> list[_RawRule]:
        return self._raw[id(pack)]

    def _parent_path(self, doc: YamlDocument, extends: str, path: Path) -> Path:
        """The pack an ``extends:`` names: a bundled id, or a pack inside the allowed root."""
        try:
            parent = _locate(extends, base=path.parent)
        except PackError as exc:
            raise self._error(doc, ("extends",), exc.reason) from None
        real = parent.resolve()
        allowed = [policies_dir().resolve()]
        if self._root is not None:
            allowed.append(self._root)
        if not any(real.is_relative_to(folder) for folder in allowed):
            where = f" inside {self._root}" if self._root is not None else ""
            raise self._error(
                doc,
                ("extends",),
                "extends reaches outside the folders a pack may read; write a bundled pack id "
                f"({', '.join(bundled_pack_ids())}) or the path of a pack folder{where}",
            )
        return parent

    # -- reading and validating ------------------------------------------------------------

    def _read(self, path: Path) -> YamlDocument:
        text = _read_bounded(path)
        try:
            doc = load_yaml(text, file=str(path), max_bytes=MAX_PACK_BYTES)
        except YamlProblem as exc:
            raise PackError(exc.message, file=str(path), line=exc.line or 1, column=exc.column or 1) from None
        except ValueError:  # PyYAML's int() of more digits than Python converts (4,300)
            line, column = _huge_number_at(text)
            raise PackError(
                "a number too long to read; write a whole number of a few digits",
                file=str(path),
                line=line,
                column=column,
            ) from None
        for where, token in _unplain_numbers(doc, text):
            raise self._error(
                doc,
                where,
                f"write the number in plain digits (e.g. 10), not '{token[:20]}' (hexadecimal, octal, "
                "a leading 0, a _ or a : read as numbers in YAML 1.1 and mislead)",
            )
        return doc

    def _validate_top(self, doc: YamlDocument) -> PackFile:
        if not isinstance(doc.data, dict):
            raise self._error(doc, (), "a pack file is a mapping (schema:, id:, title:, rules: ...)")
        if "schema" not in doc.data:
            # not a pack (or not yet one): say so without quoting any of its keys, which in a
            # file that is not a pack could be anything
            raise self._error(
                doc, (), "not a pack file: it has no 'schema: 1' line; a pack starts schema: 1, id:, title:"
            )
        try:
            return PackFile.model_validate(doc.data)
        except ValidationError as exc:
            raise self._validation_error(doc, (), exc, None) from None

    def _apply_override(
        self,
        doc: YamlDocument,
        where: tuple[Any, ...],
        target: _RawRule,
        changes: dict[str, Any],
        pack_id: str,
    ) -> None:
        if not isinstance(changes, dict):
            raise self._error(doc, where, "an override is a mapping of the fields that change")
        if "disabled" in changes:
            flag = changes.get("disabled")
            reason = changes.get("reason")
            extra = set(changes) - {"disabled", "reason"}
            if flag is True:
                if not isinstance(reason, str) or not reason.strip():
                    raise self._error(
                        doc,
                        where,
                        'disabling a rule needs a reason; add reason: "..." (why this '
                        "authority's procedure does not have it)",
                        rule_id=target.data.get("id"),
                    )
                if extra:
                    raise self._error(
                        doc,
                        (*where, sorted(extra)[0]),
                        "a disabled rule takes only disabled: and reason:",
                        key=True,
                        rule_id=target.data.get("id"),
                    )
                target.disabled = DisabledRule(str(target.data.get("id")), reason.strip(), pack_id)
                return
            if flag is False:
                target.disabled = None
                changes = {k: v for k, v in changes.items() if k not in ("disabled", "reason")}
            else:
                raise self._error(doc, (*where, "disabled"), "write disabled: true (with a reason)")
        if "id" in changes or "kind" in changes:
            name = "id" if "id" in changes else "kind"
            raise self._error(
                doc,
                (*where, name),
                f"an override cannot change {name}; disable the rule and add a new one under rules",
                key=True,
                rule_id=target.data.get("id"),
            )
        for name, value in changes.items():
            target.data[name] = value
            target.overridden[name] = (doc, (*where, name))

    def _validate_rule(self, raw: _RawRule) -> Rule:
        data = raw.data
        rule_id = data.get("id") if isinstance(data.get("id"), str) else None
        try:
            return RULE_ADAPTER.validate_python(data)
        except ValidationError as exc:
            raise self._validation_error(raw.doc, raw.path, exc, rule_id, raw) from None

    def _validation_error(
        self,
        doc: YamlDocument,
        base: tuple[Any, ...],
        exc: ValidationError,
        rule_id: str | None,
        raw: _RawRule | None = None,
    ) -> PackError:
        errors = exc.errors(include_url=False)
        # a misspelt field also shows as a missing one: the misspelling explains both
        error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = list(error["loc"])
        kind = raw.data.get("kind") if raw else None
        if raw and loc and loc[0] == kind:
            loc = loc[1:]  # the discriminator's tag
        loc = [("schema" if part == "schema_" else part) for part in loc]
        ctx = error.get("ctx") or {}
        if error["type"] in ("union_tag_invalid", "union_tag_not_found") and raw is not None:
            loc = ["kind"] if "kind" in raw.data else []
        elif error["type"] == "unknown_event_type":
            loc = [*loc, "event"]
        message, key = _pack_message(error, loc, kind if isinstance(kind, str) else None)
        if ctx.get("field") and raw is not None:
            found = _find_key(raw.data, str(ctx["field"]))
            if found is not None:
                loc, key = found, True
        target_doc, target_path = doc, (*base, *loc)
        if raw is not None and loc and loc[0] in raw.overridden:
            target_doc, where = raw.overridden[loc[0]]
            target_path = (*where, *loc[1:])
        return self._error(target_doc, tuple(target_path), message, key=key, rule_id=rule_id)

    def _error(
        self,
        doc: YamlDocument,
        path: Sequence[Any],
        message: str,
        *,
        key: bool = False,
        rule_id: str | None = None,
    ) -> PackError:
        line, column = doc.position(tuple(path), key=key) or (1, 1)
        return PackError(message, file=doc.file, line=line, column=column, rule_id=rule_id)


def _read_bounded(path: Path) -> bytes:
    """The bytes of a pack file, measured before they are read: a file over the limit, or one
    that is not a regular file (a FIFO, a device), costs no memory and never blocks."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise PackError(f"cannot read the pack file ({exc.strerror})", file=str(path)) from None
    with open(descriptor, "rb", closefd=True) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PackError(
                "not a pack: a pack file is a regular .yaml file", file=str(path), line=1, column=1
            )
        if info.st_size > MAX_PACK_BYTES:
            raise PackError(
                f"file over the {MAX_PACK_BYTES // 1024} KiB limit; split it into smaller files",
                file=str(path),
                line=1,
                column=1,
            )
        try:
            data = handle.read(MAX_PACK_BYTES + 1)  # the file may grow after the measuring
        except OSError as exc:
            raise PackError(f"cannot read the pack file ({exc.strerror})", file=str(path)) from None
    return data


#: a whole number as the pack format takes it: plain decimal digits, no leading zero
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?![0-9A-Za-z_:.])")
_ANCHOR = re.compile(r"&[^\s]+\s+")


def _unplain_numbers(doc: YamlDocument, text: bytes) -> Iterator[tuple[tuple[Any, ...], str]]:
    """The path and source text of each number not written in plain decimal digits.

    YAML 1.1 (what PyYAML reads) also takes ``0x10`` (16), ``010`` (8), ``1_000`` and ``1:30``
    (90) as integers: in a period of working days each would quietly mean something else."""
    lines: list[str] | None = None
    for where, value in _walk(doc.data, ()):
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if lines is None:
            lines = text.decode("utf-8-sig", errors="replace").splitlines()
        position = doc.position(where)
        if position is None or not 0 < position[0] <= len(lines):
            continue
        written = lines[position[0] - 1][position[1] - 1 :]
        written = _ANCHOR.sub("", written, count=1) if written.startswith("&") else written
        if written.startswith("*"):
            continue  # an alias: the anchored value was checked where it was written
        if _PLAIN_NUMBER.match(written) is None:
            yield where, written.split("#")[0].strip().rstrip(",]}").strip()


def _walk(data: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*where, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*where, index))
    else:
        yield where, data


_LONG_DIGITS = re.compile(rb"[0-9_]{4000,}")


def _huge_number_at(text: bytes) -> tuple[int, int]:
    """Where the first very long run of digits starts (1-based line and column)."""
    match = _LONG_DIGITS.search(text)
    if match is None:  # pragma: no cover - PyYAML raised ValueError for another reason
        return 1, 1
    line = text.count(b"\n", 0, match.start()) + 1
    column = match.start() - (text.rfind(b"\n", 0, match.start()) + 1) + 1
    return line, column


def _find_key(data: Any, name: str) -> list[Any] | None:
    """The path to the first mapping key called ``name`` in a rule (for errors raised on a
    whole rule that are about one field)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == name:
                return [key]
            found = _find_key(value, name)
            if found is not None:
                return [key, *found]
    elif isinstance(data, list):
        for position, value in enumerate(data):
            found = _find_key(value, name)
            if found is not None:
                return [position, *found]
    return None


_OWN_MESSAGES = {
    "period_shape",
    "period_positive",
    "field_test_shape",
    "unknown_event_type",
    "unknown_event_field",
    "unknown_field_value",
    "unknown_expect_field",
    "condition_empty",
    "condition_both",
    "child_under_working_days",
}


def _pack_message(error: Mapping[str, Any], loc: list[Any], kind: str | None) -> tuple[str, bool]:
    """A message saying what is wrong and what to write instead; and whether it is about a key."""
    kind_name = str(error["type"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    field_name = str(loc[-1])[:60] if loc else ""
    model = RULE_KINDS.get(kind or "")
    if kind_name in _OWN_MESSAGES:
        return str(error["msg"]), False
    if kind_name in ("int_type", "int_parsing", "int_from_float"):
        return "write a whole number in plain digits (e.g. 10), not yes/no, a decimal or quoted", False
    if kind_name == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        close = difflib.get_close_matches(tag, list(RULE_KINDS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown kind '{tag}'{hint}; write one of: {', '.join(RULE_KINDS)}", False
    if kind_name == "union_tag_not_found":
        return f"the rule has no kind; add kind: (one of {', '.join(RULE_KINDS)})", False
    if kind_name == "extra_forbidden":
        fields = list(model.model_fields) if model and len(loc) == 1 else []
        close = difflib.get_close_matches(field_name, fields, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        takes = f"; a {kind} rule takes: {', '.join(fields)}" if fields else "; remove it"
        return f"unknown field '{field_name}'{hint}{takes}", True
    if kind_name == "missing":
        where = f"a {kind} rule" if model and len(loc) == 1 else "this"
        return f"missing field '{field_name}'; {where} needs it", True
    if kind_name == "literal_error":
        return "write one of: " + str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", ""), False
    if kind_name == "string_pattern_mismatch" and field_name == "id":
        return "an id is kebab-case: lower-case letters, digits and single hyphens (first-core-group)", False
    return f"{error['msg']}", False
