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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cprules.calendar import WorkingCalendar
from cprules.errors import PackError
from cprules.pack.messages import Problem, problems_of
from cprules.pack.model import RULE_ADAPTER, RULE_KINDS, Rule
from cprules.yamlsafe import YamlDocument, YamlProblem, load_yaml

__all__ = [
    "CalendarSpec",
    "DisabledRule",
    "Origin",
    "Pack",
    "PackFile",
    "PackOrigins",
    "PackSource",
    "RuleOrigin",
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
_STRICT = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built when first used, not on import


class PackSource(BaseModel):
    """The procedure document a pack encodes."""

    model_config = _STRICT

    title: str
    publisher: str | None = None
    version: str | None = None
    date: str | None = Field(default=None, description="Publication or last-updated date, as written.")
    url: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_written(cls, value: Any) -> Any:
        # an unquoted 2017-06-01 is a date to a YAML parser: it is still the date as written
        return value.isoformat() if isinstance(value, date) else value


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


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something in a resolved pack was written: the pack, its file and the line."""

    pack_id: str
    file: str
    line: int

    def describe(self) -> str:
        """``england (policies/england/pack.yaml:40)``."""
        return f"{self.pack_id} ({self.file}:{self.line})"


@dataclass(frozen=True, slots=True)
class RuleOrigin:
    """Where a rule was written, and where each field an override changed was."""

    rule: Origin
    fields: Mapping[str, Origin] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PackOrigins:
    """Where each part of a resolved pack came from (``cprules pack show --resolved --origin``).

    >>> origins = load_pack("stoke").origins
    >>> first = origins.rules["first-core-group"]
    >>> first.rule.pack_id, first.fields["citation"].pack_id, origins.rules["seen-alone"].rule.pack_id
    ('england', 'stoke', 'stoke')
    >>> origins.calendar.pack_id
    'england'
    """

    rules: Mapping[str, RuleOrigin] = field(default_factory=dict)
    calendar: Origin | None = None
    disabled: Mapping[str, Origin] = field(default_factory=dict)
    """Where each disabled rule was switched off."""


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
    origins: PackOrigins = field(default_factory=PackOrigins, repr=False)
    """Where each rule, each overridden field and the calendar were written."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the effective rules, in pack order."""
        return tuple(rule.id for rule in self.rules)

    def rule(self, rule_id: str) -> Rule:
        """The effective rule with this id; ``KeyError`` saying which the pack has if none.

        >>> load_pack("stoke").rule("seen-alone").kind
        'deadline'
        >>> load_pack("stoke").rule("seen-alon")
        Traceback (most recent call last):
        KeyError: "pack stoke has no rule 'seen-alon' (did you mean seen-alone?)"
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        ids = [rule.id for rule in self.rules]
        close = difflib.get_close_matches(str(rule_id), ids, n=1)
        hint = f"did you mean {close[0]}?" if close else f"its rules are {', '.join(ids)}"
        raise KeyError(f"pack {self.id} has no rule {str(rule_id)!r} ({hint})")

    def resolved(self) -> dict[str, Any]:
        """The effective pack as a pack file of its own: no ``extends``, ``include`` or
        ``overrides``, disabled rules left out. Written as YAML (``cprules pack show
        --resolved``) it loads back to a pack with the same :attr:`digest`.

        >>> data = load_pack("stoke").resolved()
        >>> "extends" in data, "disabled" in data, data["calendar"]
        (False, False, {'country': 'GB', 'subdiv': 'ENG'})
        """
        return _resolved_dict(self)


def _resolved_dict(pack: Pack) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": PACK_SCHEMA_VERSION,
        "id": pack.id,
        "title": pack.title,
        "version": pack.version,
    }
    if pack.effective_from is not None:
        data["effective_from"] = pack.effective_from.isoformat()
    if pack.source is not None:
        data["source"] = pack.source.model_dump(exclude_none=True)
    calendar: dict[str, Any] = {"country": pack.calendar.country}
    if pack.calendar.subdiv is not None:
        calendar["subdiv"] = pack.calendar.subdiv
    if pack.calendar.closures:
        calendar["closures"] = [d.isoformat() for d in pack.calendar.closures]
    data["calendar"] = calendar
    data["rules"] = [_rule_dict(rule) for rule in pack.rules]
    return data


def _rule_dict(rule: Rule) -> dict[str, Any]:
    """A rule as plain data, id and kind first (as a pack writes them)."""
    data = rule.model_dump(mode="json", exclude_none=True, by_alias=True)
    return {"id": data.pop("id"), "kind": data.pop("kind"), **data}


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
    this pack's folder); a bundled pack id is always allowed. Raises :class:`~cprules.PackError`
    (``FILE:LINE:COLUMN: rule <id>: ...``) if the pack has any mistake: the first by position,
    with every one in :attr:`~cprules.PackError.problems`.

    >>> load_pack("jersey").calendar.country
    'JE'
    """
    _check_name_or_path("load_pack", name_or_path)
    path = _locate(name_or_path, base=None)
    loader = _Loader(root=_root_for(path, root))
    pack = loader.load(path, stack=())
    errors = loader.sorted_errors()
    if errors:
        first = errors[0]
        raise PackError(
            first.reason,
            file=first.file,
            line=first.line,
            column=first.column,
            rule_id=first.rule_id,
            problems=tuple(errors) if len(errors) > 1 else (),
        )
    assert pack is not None  # a pack that did not load reported why
    return pack


def validate_pack(name_or_path: str | Path, *, root: str | Path | None = None) -> list[PackError]:
    """Every mistake in a pack (and the packs it extends), by file and position: the top level,
    each rule on its own, each override, each included file. An empty list means it loads
    (``root`` as for :func:`load_pack`).

    >>> validate_pack("stoke")
    []
    """
    _check_name_or_path("validate_pack", name_or_path)
    try:
        path = _locate(name_or_path, base=None)
    except PackError as exc:
        return [exc]
    loader = _Loader(root=_root_for(path, root))
    loader.load(path, stack=())
    return loader.sorted_errors()


def _root_for(path: Path, root: str | Path | None) -> Path:
    """The folder ``extends:`` paths must stay inside."""
    if root is not None:
        return Path(root).resolve()
    return path.resolve().parent.parent


def _check_name_or_path(function: str, name_or_path: object) -> None:
    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(
            f"{function}() argument 'name_or_path' must be a bundled pack id (str) or a path, "
            f"not {type(name_or_path).__name__}"
        )


def _locate(name_or_path: str | Path, base: Path | None) -> Path:
    try:
        return _find(name_or_path, base)
    except OSError as exc:
        # a name longer than the file system allows, a folder we may not read: say which, in words
        shown = str(name_or_path)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise PackError(
            f"cannot open a pack at {shown}: {exc.strerror or 'the file system refused it'}; "
            "give a bundled pack id or a pack folder"
        ) from exc


def _find(name_or_path: str | Path, base: Path | None) -> Path:
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
    shown = text if len(text) <= 80 else text[:77] + "..."
    raise PackError(f"no bundled pack '{shown}'; {hint}write one of: {', '.join(known)}, or a path")


@dataclass
class _RawRule:
    data: dict[str, Any]
    doc: YamlDocument
    path: tuple[Any, ...]
    pack_id: str
    # fields changed by an override, and where the override wrote them (and which pack)
    overridden: dict[str, tuple[YamlDocument, tuple[Any, ...]]] = field(default_factory=dict)
    disabled: DisabledRule | None = None
    # which pack changed each overridden field, and where the rule was disabled
    overridden_by: dict[str, str] = field(default_factory=dict)
    disabled_at: tuple[YamlDocument, tuple[Any, ...]] | None = None

    def copy(self) -> _RawRule:
        return _RawRule(
            dict(self.data),
            self.doc,
            self.path,
            self.pack_id,
            dict(self.overridden),
            self.disabled,
            dict(self.overridden_by),
            self.disabled_at,
        )


#: top-level fields checked one by one rather than by PackFile (to report each rule, and each
#: item that is not a rule, at its own place)
_ITEMISED = ("rules", "overrides")
#: what PackFile needs to go on when a required field is wrong (the mistake is reported)
_STAND_INS: dict[str, Any] = {"schema": 1, "id": "pack", "title": "?", "version": "?"}


class _Loader:
    """Loads one pack and the packs it extends, collecting every mistake on the way.

    Each method reports what it finds wrong to :attr:`errors` and goes on with what it can (a
    rule that does not validate is left out, a broken top-level field is left at its default),
    so one run finds every mistake the pack has; :func:`load_pack` raises them together.
    """

    def __init__(self, *, root: Path | None = None) -> None:
        self._raw: dict[int, list[_RawRule]] = {}
        self._keep: list[Pack] = []
        #: the folder extends paths must stay inside (bundled packs are always allowed)
        self._root = root
        #: every mistake found, in the order found
        self.errors: list[PackError] = []

    def report(self, error: PackError) -> None:
        """Keep one mistake (the same one found twice, through two packs, is kept once)."""
        if all(str(error) != str(known) for known in self.errors):
            self.errors.append(error)

    def sorted_errors(self) -> list[PackError]:
        """Every mistake, by file, line and column."""
        return sorted(self.errors, key=lambda e: (e.file or "", e.line or 0, e.column or 0))

    def load(self, path: Path, stack: tuple[Path, ...]) -> Pack | None:
        """The pack at ``path`` (None when it cannot be read at all; the reason is reported)."""
        doc = self._read(path)
        if doc is None:
            return None
        top, broken = self._validate_top(doc)
        if top is None:
            return None
        real = path.resolve()
        if real in stack:
            chain = " -> ".join(p.parent.name for p in (*stack, real))
            self.report(
                self._error(doc, ("extends",), f"extends makes a cycle ({chain}); remove one extends")
            )
            return None
        stack = (*stack, real)

        parent, raw_rules, inherits = self._parent(doc, path, top, stack, broken)
        self._apply_overrides(doc, top, raw_rules, parent, inherits)
        raw_rules.extend(self._own_rules(doc, path, top, raw_rules, inherits))

        rules: list[Rule] = []
        disabled: list[DisabledRule] = []
        for raw in raw_rules:
            if raw.disabled is not None:
                disabled.append(raw.disabled)
                continue
            rule = self._validate_rule(raw)
            if rule is not None:
                rules.append(rule)

        calendar = self._calendar(doc, top, parent)
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
            origins=_origins(raw_rules, parent, top, doc),
        )
        object.__setattr__(pack, "digest", _digest(pack))
        self._raw[id(pack)] = raw_rules
        self._keep.append(pack)
        return pack

    # -- the parts of a pack ---------------------------------------------------------------

    def _parent(
        self, doc: YamlDocument, path: Path, top: PackFile, stack: tuple[Path, ...], broken: set[str]
    ) -> tuple[Pack | None, list[_RawRule], bool]:
        """The pack this one extends, copies of its rules, and whether they are known (a
        parent that did not load leaves overrides and rule ids unchecked, not all wrong)."""
        if top.extends is None:
            if top.calendar is None and not broken & {"calendar", "extends"}:
                self.report(
                    self._error(
                        doc,
                        (),
                        "a pack that extends none must say its calendar; add "
                        "calendar: {country: GB, subdiv: ENG} (or country: JE for Jersey)",
                    )
                )
            return None, [], "extends" not in broken
        if len(stack) >= MAX_EXTENDS_DEPTH:
            self.report(
                self._error(
                    doc,
                    ("extends",),
                    f"extends chains more than {MAX_EXTENDS_DEPTH} packs one on another; extend a "
                    "bundled pack, or a pack that extends one, directly",
                )
            )
            return None, [], False
        parent_path = self._parent_path(doc, top.extends, path)
        if parent_path is None:
            return None, [], False
        parent = self.load(parent_path, stack)
        if parent is None:
            return None, [], False
        return parent, [raw.copy() for raw in self._raw_of(parent)], True

    def _parent_path(self, doc: YamlDocument, extends: str, path: Path) -> Path | None:
        """The pack an ``extends:`` names: a bundled id, or a pack inside the allowed root (None,
        with the mistake reported, otherwise)."""
        try:
            parent = _locate(extends, base=path.parent)
        except PackError as exc:
            self.report(self._error(doc, ("extends",), exc.reason))
            return None
        real = parent.resolve()
        allowed = [policies_dir().resolve()]
        if self._root is not None:
            allowed.append(self._root)
        if not any(real.is_relative_to(folder) for folder in allowed):
            where = f" inside {self._root}" if self._root is not None else ""
            self.report(
                self._error(
                    doc,
                    ("extends",),
                    "extends reaches outside the folders a pack may read; write a bundled pack id "
                    f"({', '.join(bundled_pack_ids())}) or the path of a pack folder{where}",
                )
            )
            return None
        return parent

    def _apply_overrides(
        self, doc: YamlDocument, top: PackFile, raw_rules: list[_RawRule], parent: Pack | None, inherits: bool
    ) -> None:
        overrides = doc.data.get("overrides")
        if overrides is None:
            return
        if not isinstance(overrides, dict):
            self.report(
                self._error(
                    doc,
                    ("overrides",),
                    "overrides is a mapping of inherited rule ids to the fields that change; write e.g. "
                    "overrides: then first-core-group: on the next line, indented",
                )
            )
            return
        inherited = {r.data.get("id"): r for r in raw_rules}
        for rule_id, changes in overrides.items():
            where = ("overrides", rule_id)
            target = inherited.get(rule_id)
            if target is None:
                if not inherits:
                    continue  # the parent did not load: its mistakes are reported instead
                close = difflib.get_close_matches(str(rule_id), [str(k) for k in inherited], n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                what = (
                    f"inherits no rule '{rule_id}'{hint}"
                    if parent
                    else "extends no pack, so it has nothing to override"
                )
                self.report(
                    self._error(
                        doc, where, f"this pack {what}; to add a new rule, put it under rules", key=True
                    )
                )
                continue
            self._apply_override(doc, where, target, changes, top.id)

    def _own_rules(
        self, doc: YamlDocument, path: Path, top: PackFile, raw_rules: list[_RawRule], inherits: bool
    ) -> list[_RawRule]:
        """This pack's own rules (and its included files'), each checked for a clash of ids."""
        own = list(self._rule_items(doc))
        for position, name in enumerate(top.include):
            include_path = path.parent / name
            if not include_path.is_file() or include_path.resolve().parent != path.parent.resolve():
                self.report(
                    self._error(
                        doc,
                        ("include", position),
                        f"no file '{name}' in this pack's folder; write the name of a .yaml file beside "
                        "pack.yaml, or take it out of include",
                    )
                )
                continue
            if include_path.suffix.lower() not in _PACK_SUFFIXES:
                self.report(
                    self._error(doc, ("include", position), "include names .yaml files of this pack's folder")
                )
                continue
            include_doc = self._read(include_path)
            if include_doc is None:
                continue
            if not isinstance(include_doc.data, dict):
                self.report(
                    self._error(include_doc, (), "an included file is a mapping (schema: 1, rules: ...)")
                )
                continue
            if not {"schema", "rules"} & set(include_doc.data):
                # not a file of rules: say so without quoting any of its keys
                self.report(
                    self._error(
                        include_doc,
                        (),
                        "not a file of rules: it has no 'rules:' (start it schema: 1, rules:)",
                    )
                )
                continue
            header = {k: v for k, v in include_doc.data.items() if k != "rules"}
            try:
                IncludeFile.model_validate(header)
            except ValidationError as exc:
                self._report_validation(include_doc, (), exc, header, root=IncludeFile)
            own.extend(self._rule_items(include_doc))

        inherited = {r.data.get("id"): r for r in raw_rules}
        added: list[_RawRule] = []
        for rule_doc, rule_path, data in own:
            new_id = data.get("id") if isinstance(data.get("id"), str) else None  # else: the model says why
            if new_id is not None and new_id in inherited:
                self.report(
                    self._error(
                        rule_doc,
                        (*rule_path, "id"),
                        f"rule '{new_id}' is inherited from {inherited[new_id].pack_id}; to change the "
                        f"inherited rule, put it under overrides: {{{new_id}: {{...}}}}",
                        rule_id=new_id,
                    )
                )
                continue
            if new_id is not None and any(r.data.get("id") == new_id for r in added):
                self.report(
                    self._error(
                        rule_doc,
                        (*rule_path, "id"),
                        f"duplicate rule id '{new_id}'; give each rule its own id",
                        rule_id=new_id,
                    )
                )
                continue
            added.append(_RawRule(dict(data), rule_doc, rule_path, top.id))
        return added

    def _rule_items(self, doc: YamlDocument) -> list[tuple[YamlDocument, tuple[Any, ...], dict[str, Any]]]:
        """The rules of a file, each with its place; an item that is not a rule is reported."""
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        if rules is None:
            return []
        if not isinstance(rules, list):
            self.report(
                self._error(
                    doc,
                    ("rules",),
                    "rules is a list: write rules: and then each rule on the lines below, starting with "
                    "- id: (a dash and a space), indented",
                )
            )
            return []
        items: list[tuple[YamlDocument, tuple[Any, ...], dict[str, Any]]] = []
        for position, item in enumerate(rules):
            if not isinstance(item, dict):
                self.report(
                    self._error(
                        doc,
                        ("rules", position),
                        "a rule is a mapping of fields (id:, kind:, title:, severity:, citation: ...); "
                        "write each field on its own line, as name: value",
                    )
                )
                continue
            items.append((doc, ("rules", position), item))
        return items

    def _calendar(self, doc: YamlDocument, top: PackFile, parent: Pack | None) -> WorkingCalendar:
        spec = top.calendar
        if spec is not None:
            try:
                return WorkingCalendar(spec.country, spec.subdiv, spec.closures)
            except (
                ValueError,
                TypeError,
            ) as exc:  # an unknown country or subdivision, a closure out of range
                message = str(exc)
                if "write" not in message:
                    message += "; write closure dates from 1990 to 2100"
                self.report(self._error(doc, ("calendar",), message))
        return parent.calendar if parent is not None else WorkingCalendar()

    def _raw_of(self, pack: Pack) -> list[_RawRule]:
        return self._raw[id(pack)]

    # -- reading and validating ------------------------------------------------------------

    def _read(self, path: Path) -> YamlDocument | None:
        try:
            text = _read_bounded(path)
        except PackError as exc:
            self.report(exc)
            return None
        try:
            doc = load_yaml(text, file=str(path), max_bytes=MAX_PACK_BYTES, echo=True, keep_going=True)
        except YamlProblem as exc:
            self.report(PackError(exc.message, file=str(path), line=exc.line or 1, column=exc.column or 1))
            return None
        except ValueError:  # PyYAML's int() of more digits than Python converts (4,300)
            line, column = _huge_number_at(text)
            self.report(
                PackError(
                    "a number too long to read; write a whole number of a few digits",
                    file=str(path),
                    line=line,
                    column=column,
                )
            )
            return None
        for problem in doc.problems:
            self.report(PackError(problem.message, file=str(path), line=problem.line, column=problem.column))
        for where, token in _unplain_numbers(doc, text):
            self.report(
                self._error(
                    doc,
                    where,
                    f"write the number in plain digits (e.g. 10), not '{token[:20]}' (hexadecimal, octal, "
                    "a leading 0, a _ or a : read as numbers in YAML 1.1 and mislead)",
                )
            )
        return doc

    def _validate_top(self, doc: YamlDocument) -> tuple[PackFile | None, set[str]]:
        """The top level of the pack, and the fields found broken (each reported): a broken
        field is left at its default so that the rest of the pack is still checked."""
        if not isinstance(doc.data, dict):
            self.report(
                self._error(
                    doc,
                    (),
                    "a pack file is a mapping (schema:, id:, title:, rules: ...); write each field on its "
                    "own line as name: value, starting with schema: 1",
                )
            )
            return None, set()
        if "schema" not in doc.data:
            # not a pack (or not yet one): say so without quoting any of its keys, which in a
            # file that is not a pack could be anything
            self.report(
                self._error(
                    doc,
                    (),
                    "not a pack file: it has no 'schema: 1' line; a pack starts schema: 1, id:, title:",
                )
            )
            return None, set()
        header = {k: v for k, v in doc.data.items() if k not in _ITEMISED}
        try:
            return PackFile.model_validate(header), set()
        except ValidationError as exc:
            problems = self._report_validation(doc, (), exc, header, root=PackFile)
        broken = {str(problem.path[0]) for problem in problems if problem.path}
        kept = {k: v for k, v in header.items() if k not in broken}
        for name, stand_in in _STAND_INS.items():
            kept.setdefault(name, stand_in)
        try:
            return PackFile.model_validate(kept), broken
        except ValidationError:  # pragma: no cover - every broken field was left out
            return None, broken

    def _apply_override(
        self,
        doc: YamlDocument,
        where: tuple[Any, ...],
        target: _RawRule,
        changes: Any,
        pack_id: str,
    ) -> None:
        rule_id = target.data.get("id") if isinstance(target.data.get("id"), str) else None
        if not isinstance(changes, dict):
            self.report(
                self._error(
                    doc,
                    where,
                    "an override is a mapping of the fields that change; write each on its own line "
                    "below the rule id, indented, as name: value",
                    rule_id=rule_id,
                )
            )
            return
        if "disabled" in changes:
            flag = changes.get("disabled")
            reason = changes.get("reason")
            extra = set(changes) - {"disabled", "reason"}
            if flag is True:
                if not isinstance(reason, str) or not reason.strip():
                    self.report(
                        self._error(
                            doc,
                            where,
                            'disabling a rule needs a reason; add reason: "..." (why this '
                            "authority's procedure does not have it)",
                            rule_id=rule_id,
                        )
                    )
                    return
                if extra:
                    self.report(
                        self._error(
                            doc,
                            (*where, sorted(map(str, extra))[0]),
                            "a disabled rule takes only disabled: and reason:; remove the other fields",
                            key=True,
                            rule_id=rule_id,
                        )
                    )
                    return
                target.disabled = DisabledRule(str(target.data.get("id")), reason.strip(), pack_id)
                target.disabled_at = (doc, where)
                return
            if flag is False:
                target.disabled = None
                target.disabled_at = None
                changes = {k: v for k, v in changes.items() if k not in ("disabled", "reason")}
            else:
                self.report(
                    self._error(
                        doc, (*where, "disabled"), "write disabled: true (with a reason)", rule_id=rule_id
                    )
                )
                return
        for name in ("id", "kind"):
            if name in changes:
                self.report(
                    self._error(
                        doc,
                        (*where, name),
                        f"an override cannot change {name}; disable the rule and add a new one under rules",
                        key=True,
                        rule_id=rule_id,
                    )
                )
        for name, value in changes.items():
            if name in ("id", "kind"):
                continue
            target.data[name] = value
            target.overridden[name] = (doc, (*where, name))
            target.overridden_by[name] = pack_id

    def _validate_rule(self, raw: _RawRule) -> Rule | None:
        data = raw.data
        rule_id = data.get("id") if isinstance(data.get("id"), str) else None
        try:
            return RULE_ADAPTER.validate_python(data)
        except ValidationError as exc:
            self._report_rule_errors(raw, exc, rule_id)
            return None

    def _report_rule_errors(self, raw: _RawRule, exc: ValidationError, rule_id: str | None) -> None:
        kind = raw.data.get("kind")
        model = RULE_KINDS.get(kind) if isinstance(kind, str) else None
        errors = exc.errors(include_url=False)
        tag = next((str(e["type"]) for e in errors if str(e["type"]).startswith("union_tag")), None)
        if tag is not None:  # no kind, or one the engine does not know: nothing else can be checked
            if tag == "union_tag_invalid":
                close = difflib.get_close_matches(str(kind), list(RULE_KINDS), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                message = f"unknown kind '{kind}'{hint}; write one of: {', '.join(RULE_KINDS)}"
                self.report(self._rule_error(raw, ("kind",), message, rule_id=rule_id))
            else:
                message = f"the rule has no kind; add kind: (one of {', '.join(RULE_KINDS)})"
                self.report(self._rule_error(raw, (), message, rule_id=rule_id))
            return
        for problem in problems_of(exc, raw.data, root=model, strip_tag=kind if model else None):
            path: tuple[Any, ...] = problem.path
            key = problem.key
            if problem.field:
                found = _find_key(raw.data, problem.field)
                if found is not None:
                    path, key = tuple(found), True
            elif problem.message.startswith("unknown event type") and path and path[-1] != "event":
                path = (*path, "event")
            self.report(self._rule_error(raw, path, problem.message, rule_id=rule_id, key=key))

    def _rule_error(
        self, raw: _RawRule, path: tuple[Any, ...], message: str, *, rule_id: str | None, key: bool = False
    ) -> PackError:
        """An error at ``path`` in a rule: in the override that wrote the field, if one did."""
        target_doc, target_path = raw.doc, (*raw.path, *path)
        if path and path[0] in raw.overridden:
            target_doc, where = raw.overridden[path[0]]
            target_path = (*where, *path[1:])
        return self._error(target_doc, target_path, message, key=key, rule_id=rule_id)

    def _report_validation(
        self, doc: YamlDocument, base: tuple[Any, ...], exc: ValidationError, data: Any, *, root: Any
    ) -> list[Problem]:
        problems = problems_of(exc, data, root=root)
        for problem in problems:
            self.report(self._error(doc, (*base, *problem.path), problem.message, key=problem.key))
        return problems

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


def _line_of(doc: YamlDocument, path: tuple[Any, ...], *, key: bool = False) -> int:
    return (doc.position(path, key=key) or (1, 1))[0]


def _origins(raw_rules: list[_RawRule], parent: Pack | None, top: PackFile, doc: YamlDocument) -> PackOrigins:
    """Where each rule, each field an override changed, each disabling and the calendar were
    written (what ``cprules pack show --resolved --origin`` says)."""
    rules: dict[str, RuleOrigin] = {}
    disabled: dict[str, Origin] = {}
    for raw in raw_rules:
        rule_id = raw.data.get("id")
        if not isinstance(rule_id, str):
            continue
        if raw.disabled is not None and raw.disabled_at is not None:
            where_doc, where = raw.disabled_at
            disabled[rule_id] = Origin(
                raw.disabled.pack_id, where_doc.file, _line_of(where_doc, where, key=True)
            )
            continue
        fields = {
            name: Origin(
                raw.overridden_by.get(name, raw.pack_id), where_doc.file, _line_of(where_doc, where, key=True)
            )
            for name, (where_doc, where) in raw.overridden.items()
        }
        rules[rule_id] = RuleOrigin(Origin(raw.pack_id, raw.doc.file, _line_of(raw.doc, raw.path)), fields)
    if top.calendar is not None:
        calendar: Origin | None = Origin(top.id, doc.file, _line_of(doc, ("calendar",), key=True))
    else:
        calendar = parent.origins.calendar if parent is not None else None
    return PackOrigins(rules=rules, calendar=calendar, disabled=disabled)


def _digest(pack: Pack) -> str:
    """sha256 of the resolved pack as :meth:`Pack.resolved` gives it: a pack printed resolved
    and loaded back has the same digest."""
    text = json.dumps(_resolved_dict(pack), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


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
