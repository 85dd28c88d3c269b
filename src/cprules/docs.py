"""The reference in ``docs/``: pages written by hand, with sections generated from the code.

A page holds generated sections between two marks::

    <!-- generated: event-types -->
    ...
    <!-- end: event-types -->

Everything between them is made here, from what the code itself uses: the JSON Schemas of the
case, pack and report formats (so a new field, event type or rule kind appears with its
description), the docstrings of the statuses and severities, the command line's own help, the
readers' mappings and the public names of :mod:`cprules`. The prose around the marks is written
by hand. Regenerate after changing any of these::

    python -m cprules.docs --write      # rewrite the generated sections of docs/*.md
    python -m cprules.docs --check      # exit 1 if a committed page is stale (the tests run it)

>>> "event-types" in SECTIONS and "statuses" in SECTIONS
True
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DOCS_DIR", "SECTIONS", "main", "render_page", "stale_pages"]

#: the reference pages, in a source checkout (they are not shipped in the wheel)
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"

_MARKS = re.compile(
    r"(<!-- generated: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.DOTALL
)


# ---------------------------------------------------------------------------------------------
# JSON Schema to Markdown


def _cell(text: str) -> str:
    """Text for one table cell: one line, no bare pipes."""
    return " ".join(_cited(text).split()).replace("|", "\\|")


def _anchor(name: str) -> str:
    return "#" + re.sub(r"[^a-z0-9 -]", "", name.lower()).replace(" ", "-")


def _ref_name(node: Mapping[str, Any]) -> str:
    return str(node["$ref"]).rsplit("/", 1)[-1]


def _type_of(
    node: Mapping[str, Any], linked: Sequence[str] = (), defs: Mapping[str, Any] | None = None
) -> str:
    """A JSON Schema node in words: ``one of `plan`, `no_plan` ``, ``date (YYYY-MM-DD)``."""
    if "$ref" in node:
        name = _ref_name(node)
        if name == "Date":  # a date as text, or the date a YAML parser made of it
            return "date (YYYY-MM-DD)"
        target = (defs or {}).get(name, {})
        if "enum" in target:  # a small enumeration (Status, Severity): spelt out
            return _type_of(target)
        return f"[{name}]({_anchor(name)})" if name in linked else name
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{value}`" for value in node["enum"])
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        shown = [_type_of(option, linked, defs) for option in options if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(shown))
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(_type_of({**node, "type": one}, linked, defs) for one in kind)
    if kind == "string":
        return "date (YYYY-MM-DD)" if node.get("format") == "date" else "text"
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and high is not None:
            return f"whole number, {low} to {high}"
        if low is not None:
            return f"whole number, at least {low}"
        return "whole number"
    if kind == "boolean":
        return "true or false"
    if kind == "array":
        items = node.get("items")
        return f"list of {_type_of(items, linked, defs)}" if isinstance(items, Mapping) else "list"
    if kind == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            return f"mapping of text to {_type_of(extra, linked, defs)}"
        return "mapping (free data)" if extra is not False else "mapping"
    return "any value"


def _default_of(node: Mapping[str, Any], required: bool) -> str:
    if required:
        return "required"
    if "default" not in node or node["default"] in (None, [], {}, ""):
        return ""
    return f"`{json.dumps(node['default'])}`"


def _table(
    definition: Mapping[str, Any],
    linked: Sequence[str] = (),
    skip: Sequence[str] = (),
    defs: Mapping[str, Any] | None = None,
    values: Mapping[str, str] | None = None,
    meanings: Mapping[str, str] | None = None,
) -> str:
    """A definition's properties as a Markdown table: field, what it holds, default, meaning.

    ``values`` gives the words for a field whose type reads better said than derived;
    ``meanings`` the meaning of a field, in place of the schema's description.
    """
    properties: Mapping[str, Any] = definition.get("properties", {})
    required = set(definition.get("required", ()))
    rows = ["| field | value | default | meaning |", "|---|---|---|---|"]
    for name, node in properties.items():
        if name in skip:
            continue
        description = _cell((meanings or {}).get(name) or str(node.get("description", "")))
        value = (values or {}).get(name) or _type_of(node, linked, defs)
        options = node.get("anyOf", ())
        if name in required and any(option.get("type") == "null" for option in options):
            value += " or null"
        value = _cell(value)
        rows.append(f"| `{name}` | {value} | {_default_of(node, name in required)} | {description} |")
    if len(rows) == 2:
        return ""
    return "\n".join(rows) + "\n"


def _object_form(definition: Mapping[str, Any]) -> Mapping[str, Any]:
    """A definition written ``anyOf`` [shorthand, object]: its object form."""
    options: Sequence[Mapping[str, Any]] = definition.get("anyOf", ())
    for option in options:
        if "properties" in option:
            return option
    return definition


def _shorthands(definition: Mapping[str, Any]) -> list[str]:
    # one shorthand may be spelt once per JSON type (text, true/false, number): said once
    return list(
        dict.fromkeys(
            str(option["description"])
            for option in definition.get("anyOf", ())
            if "properties" not in option and option.get("description")
        )
    )


#: where a docstring's "SPEC §5" now lives: docstrings written before docs/ existed cite the
#: project's specification, which a user does not have
_SPEC_PAGES = {
    "3": "statuses.md", "4": "case-format.md", "5": "counting.md", "6": "pack-format.md",
    "8": "cli.md", "9": "api.md", "10": "api.md", "11": "data-sources.md",
}  # fmt: skip
_SPEC = re.compile(r"SPEC §(\d+)")


def _cited(text: str) -> str:
    return _SPEC.sub(lambda match: _SPEC_PAGES.get(match[1], "the reference"), text)


def _paragraphs(text: str) -> str:
    parts = [" ".join(part.split()) for part in _cited(text).strip().split("\n\n") if part.strip()]
    return "\n\n".join(parts) + "\n"


def _definitions(defs: Mapping[str, Any], names: Sequence[str], linked: Sequence[str], level: str) -> str:
    out: list[str] = []
    for name in names:
        definition = defs[name]
        out.append(f"{level} {name}\n")
        if definition.get("description"):
            out.append(_paragraphs(str(definition["description"])))
        out += [f"- {_cell(text)}\n" for text in _shorthands(definition)]
        table = _table(_object_form(definition), linked)
        if table:
            out.append(table)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# The case format

_COMMON_EVENT_FIELDS = ("type", "date", "id", "metadata")


def _case_schema() -> dict[str, Any]:
    from cprules.schemas import schema

    return schema("case")


def _event_defs() -> list[tuple[str, dict[str, Any]]]:
    """(event type, its definition) in the order the case format lists them."""
    from cprules.case import EVENT_MODELS

    defs = _case_schema()["$defs"]
    return [(kind, defs[model.__name__]) for kind, model in EVENT_MODELS.items()]


def _case_fields() -> str:
    case = _case_schema()
    return _table(case, linked=("Child",), values={"events": "list of [events](#event-types)"})


def _child_fields() -> str:
    return _table(_case_schema()["$defs"]["Child"])


def _common_event_fields() -> str:
    [(_, first), *_] = _event_defs()
    kinds = ", ".join(f"`{kind}`" for kind, _ in _event_defs())
    row = f"| `type` | one of the event types below | required | What happened: {kinds}. |\n"
    common = {name: node for name, node in first["properties"].items() if name in _COMMON_EVENT_FIELDS}
    table = _table({**first, "properties": common}, skip=("type",))
    head, _, rest = table.partition("|---|---|---|---|\n")
    return head + "|---|---|---|---|\n" + row + rest


def _event_types() -> str:
    out: list[str] = []
    for kind, definition in _event_defs():
        out.append(f"### `{kind}`\n")
        if definition.get("description"):
            out.append(_paragraphs(str(definition["description"])))
        table = _table(definition, linked=("Votes",), skip=_COMMON_EVENT_FIELDS)
        out.append(table or "No fields beyond `type`, `date`, `id` and `metadata`.\n")
    return "\n".join(out)


def _votes() -> str:
    return _table(_case_schema()["$defs"]["Votes"])


def _day_order() -> str:
    from cprules.case import EVENT_MODELS

    ranks: dict[int, list[str]] = {}
    for kind, model in EVENT_MODELS.items():
        ranks.setdefault(int(getattr(model, "rank", 3)), []).append(kind)
    lines = []
    for number, rank in enumerate(sorted(ranks), 1):
        kinds = ranks[rank]
        if len(kinds) > 8:
            lines.append(f"{number}. every other event type")
        else:
            lines.append(f"{number}. " + ", ".join(f"`{kind}`" for kind in kinds))
    return "\n".join(lines) + "\n"


def _limits() -> str:
    from cprules import case

    return (
        f"- dates from {case.MIN_DATE.isoformat()} to {case.MAX_DATE.isoformat()};\n"
        f"- at most {case.MAX_EVENTS_PER_CASE:,} events in a case, and {case.MAX_CASE_BYTES // 2**20} MiB "
        "of case text;\n"
        f"- at most {case.MAX_VOTES:,} votes on either side of a conference;\n"
        f"- a visit or core group interval of at most {case.MAX_INTERVAL_DAYS} days;\n"
        "- ids and the case id at most 200 characters.\n"
    )


# ---------------------------------------------------------------------------------------------
# Statuses and severities: the docstrings of the enum members


def _member_docs(cls: type) -> list[tuple[str, str]]:
    """(value, docstring) of each member of an enum class, in order, read from its source."""
    tree = ast.parse(inspect.getsource(cls))
    [body] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    found: list[tuple[str, str]] = []
    statements = body.body
    for index, statement in enumerate(statements):
        if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)):
            continue
        following = statements[index + 1] if index + 1 < len(statements) else None
        doc = ""
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            doc = following.value.value
        found.append((str(statement.value.value), " ".join(doc.split()).replace("``", "`")))
    return found


def _statuses() -> str:
    from cprules.findings import Status

    rows = ["| status | meaning |", "|---|---|"]
    rows += [f"| `{value}` | {_cell(doc)} |" for value, doc in _member_docs(Status)]
    return "\n".join(rows) + "\n"


def _severities() -> str:
    from cprules.findings import Severity

    rows = ["| severity | meaning |", "|---|---|"]
    rows += [f"| `{value}` | {_cell(doc)} |" for value, doc in _member_docs(Severity)]
    return "\n".join(rows) + "\n"


def _breach_statuses() -> str:
    from cprules import findings

    breaches = [status.value for status in findings.Status if status in findings.BREACH_STATUSES]
    return "`report.breaches` holds the findings whose status is " + _or_list(breaches) + ".\n"


def _or_list(values: Sequence[str]) -> str:
    quoted = [f"`{value}`" for value in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# ---------------------------------------------------------------------------------------------
# Reports


def _report_schema() -> dict[str, Any]:
    from cprules.schemas import schema

    return schema("report")


def _attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each annotated field of a class, read from its source.

    The report and finding schemas carry them as descriptions only with pydantic releases that
    read attribute docstrings of dataclasses; the pages must not depend on which is installed.
    """
    tree = ast.parse(inspect.getsource(cls))
    [body] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    found: dict[str, str] = {}
    for statement, following in zip(body.body, [*body.body[1:], None], strict=True):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = " ".join(following.value.value.split()).replace("``", "`")
    return found


def _report_fields() -> str:
    from cprules.findings import Report

    return _table(_report_schema(), linked=("Finding",), meanings=_attribute_docs(Report))


def _finding_fields() -> str:
    from cprules.findings import Finding

    report = _report_schema()
    return _table(report["$defs"]["Finding"], defs=report["$defs"], meanings=_attribute_docs(Finding))


def _error_record() -> str:
    from cprules.engine import error_record
    from cprules.errors import CaseError

    example = CaseError("not a valid date; write YYYY-MM-DD", case_id="A-17", path="events[4].date")
    return "```json\n" + json.dumps(error_record(example), ensure_ascii=False) + "\n```\n"


# ---------------------------------------------------------------------------------------------
# Packs


def _pack_schema() -> dict[str, Any]:
    from cprules.schemas import schema

    return schema("pack")


_PACK_DEFS = (
    "Selector", "FieldTest", "Period", "Within", "Offset", "FieldExpect", "AppliesWhen",
    "CalendarSpec", "PackSource",
)  # fmt: skip


def _rule_defs() -> list[tuple[str, dict[str, Any]]]:
    # the rule kinds, in schema order: each an ``if kind is ... then $ref`` branch (the schema
    # keys each rule on its kind, so an editor reports a mistake in that kind's own words)
    pack = _pack_schema()
    branches = pack["properties"]["rules"]["items"]["allOf"]
    return [
        (branch["if"]["properties"]["kind"]["const"], pack["$defs"][_ref_name(branch["then"])])
        for branch in branches
    ]


def _common_rule_fields() -> list[str]:
    rules = [definition for _, definition in _rule_defs()]
    names = list(rules[0].get("properties", {}))
    return [name for name in names if all(name in rule.get("properties", {}) for rule in rules)]


def _linked_pack_defs() -> tuple[str, ...]:
    return tuple(name for name in _PACK_DEFS if name in _pack_schema()["$defs"])


def _pack_fields() -> str:
    return _table(_pack_schema(), linked=_linked_pack_defs(), skip=("rules", "overrides")) + (
        "| `rules` | list of rules (below) | | The rules this pack adds. An inherited rule is "
        "changed under `overrides`, not here. |\n"
        "| `overrides` | mapping of rule id to the fields that change | | `disabled: true` with a "
        "`reason` switches an inherited rule off. |\n"
    )


def _rule_common_fields() -> str:
    [(_, first), *_] = _rule_defs()
    common = _common_rule_fields()
    shown = {**first, "properties": {k: v for k, v in first["properties"].items() if k in common}}
    return _table(shown, linked=_linked_pack_defs())


def _rule_kinds() -> str:
    common = _common_rule_fields()
    out: list[str] = []
    for kind, definition in _rule_defs():
        out.append(f"### `{kind}`\n")
        if definition.get("description"):
            out.append(_paragraphs(str(definition["description"])))
        out.append(_table(definition, linked=_linked_pack_defs(), skip=common) or "No parameters.\n")
    return "\n".join(out)


def _pack_defs() -> str:
    linked = _linked_pack_defs()
    return _definitions(_pack_schema()["$defs"], linked, linked, "###")


# ---------------------------------------------------------------------------------------------
# The command line: each command's own --help


def _commands(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    import click

    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _commands(command.commands[name], (*path, name))


def _cli() -> str:
    import click

    from cprules.cli import cli

    out: list[str] = []
    contexts: dict[tuple[str, ...], click.Context] = {}
    for path, command in _commands(cli, ("cprules",)):
        # the command's own context settings (-h as well as --help), as when it runs; a fixed width
        settings = {"terminal_width": 100, "max_content_width": 100, **command.context_settings}
        ctx = click.Context(command, info_name=path[-1], parent=contexts.get(path[:-1]), **settings)
        contexts[path] = ctx
        out.append(f"### `{' '.join(path)}`\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "\n".join(out)


def _exit_codes() -> str:
    from cprules.cli import common

    codes = sorted(
        (value, name.removeprefix("EXIT_").lower().replace("_", " "))
        for name, value in vars(common).items()
        if name.startswith("EXIT_") and isinstance(value, int)
    )
    rows = ["| exit code | meaning |", "|---|---|"]
    rows += [f"| {value} | {words} |" for value, words in codes]
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------------
# Data sources


def _formats() -> str:
    from cprules.readers import _EXTENSIONS, FORMATS

    rows = ["| format | detected from |", "|---|---|"]
    for name in FORMATS:
        endings = [ending for ending, fmt in _EXTENSIONS.items() if fmt == name]
        detected = ", ".join(f"`{ending}`" for ending in endings) or "its content, or `--from`"
        if name == "ssd":
            detected = "a folder holding `ssd_*.csv` files"
        rows.append(f"| `{name}` | {detected} |")
    return "\n".join(rows) + "\n"


def _module_doc(module_name: str) -> str:
    import importlib

    module = importlib.import_module(module_name)
    text = _cited(inspect.cleandoc(module.__doc__ or ""))
    text = re.split(r"\n>>> ", text, maxsplit=1)[0].rstrip()
    return "```text\n" + text + "\n```\n"


def _csv_columns() -> str:
    from cprules.readers.csv_events import _allowed_columns

    return ", ".join(f"`{name}`" for name in _allowed_columns()) + ", and `metadata.KEY` for free data.\n"


def _reader(module: str) -> Callable[[], str]:
    return lambda: _module_doc(f"cprules.readers.{module}")


# ---------------------------------------------------------------------------------------------
# The Python API


def _public_names() -> str:
    import cprules

    rows = ["| name | what it is |", "|---|---|"]
    for name in cprules.__all__:
        value = getattr(cprules, name)
        if name == "__version__":
            rows.append("| `__version__` | The version of cprules, as text. |")
            continue
        doc = inspect.getdoc(value) or ""
        first = doc.split("\n\n", 1)[0]
        rows.append(f"| `cprules.{name}` | {_cell(first.replace('``', '`'))} |")
    return "\n".join(rows) + "\n"


def _errors() -> str:
    import cprules
    from cprules.errors import CprulesError

    public = {getattr(cprules, name) for name in cprules.__all__}

    def tree(cls: type, depth: int) -> list[str]:
        doc = (inspect.getdoc(cls) or "").split("\n\n", 1)[0]
        first_value_error = issubclass(cls, ValueError) and cls.__base__ is CprulesError
        extra = " (also a `ValueError`)" if first_value_error else ""
        lines = [f"{'  ' * depth}- `cprules.{cls.__name__}`{extra}: {' '.join(doc.split())}"]
        subclasses: list[type] = sorted(cls.__subclasses__(), key=lambda c: c.__name__)
        for sub in subclasses:
            if sub in public:
                lines += tree(sub, depth + 1)
        return lines

    return "\n".join(tree(CprulesError, 0)).replace("``", "`") + "\n"


# ---------------------------------------------------------------------------------------------

#: every generated section, by the name its marks give
SECTIONS: dict[str, Callable[[], str]] = {
    "case-fields": _case_fields,
    "child-fields": _child_fields,
    "common-event-fields": _common_event_fields,
    "event-types": _event_types,
    "votes": _votes,
    "day-order": _day_order,
    "limits": _limits,
    "statuses": _statuses,
    "severities": _severities,
    "breach-statuses": _breach_statuses,
    "report-fields": _report_fields,
    "finding-fields": _finding_fields,
    "error-record": _error_record,
    "pack-fields": _pack_fields,
    "rule-common-fields": _rule_common_fields,
    "rule-kinds": _rule_kinds,
    "pack-definitions": _pack_defs,
    "cli": _cli,
    "exit-codes": _exit_codes,
    "formats": _formats,
    "csv-columns": _csv_columns,
    "reader-csv": _reader("csv_events"),
    "reader-census": _reader("census"),
    "reader-ssd": _reader("ssd"),
    "reader-csc-api": _reader("csc_api"),
    "public-names": _public_names,
    "errors": _errors,
}


def render_page(text: str, *, where: str = "<page>") -> str:
    """``text`` with every generated section made afresh (an unknown section name is an error)."""

    def section(match: re.Match[str]) -> str:
        name = match["name"]
        builder = SECTIONS.get(name)
        if builder is None:
            raise ValueError(f"{where}: no generated section '{name}'; write one of: {', '.join(SECTIONS)}")
        return f"{match[1]}{builder().rstrip()}\n{match[4]}"

    return _MARKS.sub(section, text)


def stale_pages(folder: Path | None = None) -> dict[Path, str]:
    """The pages of ``folder`` (``docs/``) whose generated sections are out of date, with their
    new text."""
    stale: dict[Path, str] = {}
    for page in sorted((folder or DOCS_DIR).glob("*.md")):
        text = page.read_text(encoding="utf-8")
        fresh = render_page(text, where=str(page))
        if fresh != text:
            stale[page] = fresh
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cprules.docs [--write | --check]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args not in (["--write"], ["--check"]):
        print("usage: python -m cprules.docs [--write | --check]", file=sys.stderr)
        return 2
    if not DOCS_DIR.is_dir():
        print(f"{DOCS_DIR}: no docs folder (this runs in a source checkout)", file=sys.stderr)
        return 2
    stale = stale_pages()
    if args == ["--check"]:
        for page in stale:
            print(f"{page}: stale; run python -m cprules.docs --write", file=sys.stderr)
        if not stale:
            print(f"{DOCS_DIR}: up to date")
        return 1 if stale else 0
    for page, text in stale.items():
        page.write_text(text, encoding="utf-8")
        print(f"wrote {page}")
    if not stale:
        print(f"{DOCS_DIR}: already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
