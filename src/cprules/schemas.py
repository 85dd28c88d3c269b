"""JSON Schemas for the four documents cprules reads and writes: case, pack, finding, report.

Each is generated from the pydantic model or ``TypeAdapter`` that validates (or writes) the
document, so a schema cannot drift from what the code accepts. The pack schema is also shipped
beside the bundled packs as ``policies/pack.schema.json`` (``cprules/policies/`` when installed),
which every bundled ``pack.yaml`` names on its first line
(``# yaml-language-server: $schema=...``) so that an editor completes and checks rule kinds and
fields as a policy officer types. Regenerate it after changing the pack models with::

    python -m cprules.schemas --write      # rewrite pack.schema.json
    python -m cprules.schemas --check      # exit 1 if the shipped file is stale
    python -m cprules.schemas case         # print one schema (case, pack, finding, report)

>>> schema("pack")["properties"]["rules"]["type"]
'array'
>>> sorted(SCHEMA_NAMES)
['case', 'finding', 'pack', 'report']
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from cprules.case import EVENT_MODELS, Case
from cprules.findings import finding_adapter, report_adapter
from cprules.pack.loader import PackFile, policies_dir
from cprules.pack.model import RULE_KINDS, Rule

__all__ = [
    "PACK_SCHEMA_ID",
    "PACK_SCHEMA_PATH",
    "SCHEMA_NAMES",
    "PackDocument",
    "main",
    "render",
    "schema",
    "write_pack_schema",
]

#: the pack schema shipped beside the bundled packs (editors read it while a pack is written);
#: ``../pack.schema.json`` from a pack's folder, in a source checkout and when installed alike
PACK_SCHEMA_PATH = policies_dir() / "pack.schema.json"

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class PackDocument(PackFile):
    """A cprules policy pack (``pack.yaml``): the authority's procedure as rules with citations.

    The loader validates the top level first and each rule on its own (to name the rule in an
    error); this model is the whole document at once, for the JSON Schema.
    """

    rules: list[Rule] = Field(  # type: ignore[assignment]
        default_factory=list,
        description="The rules this pack adds. An inherited rule is changed under overrides, not here.",
    )
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description=(
            "Inherited rule id -> the fields that change (the rest are kept); "
            "disabled: true with a reason switches the rule off."
        ),
    )


def _case() -> dict[str, Any]:
    return _tidy(Case.model_json_schema(by_alias=True), title="cprules case timeline")


def _finding() -> dict[str, Any]:
    return _tidy(finding_adapter().json_schema(mode="serialization"), title="cprules finding")


def _report() -> dict[str, Any]:
    return _tidy(report_adapter().json_schema(mode="serialization"), title="cprules report")


#: the pack schema's ``$id``: names the format and its version (``schema: 1``), fetchable or not
PACK_SCHEMA_ID = "urn:cprules:schema:pack:1"

#: a date as YYYY-MM-DD text, or as the date value a YAML parser makes of an unquoted
#: 2024-04-01 (js-yaml's Date object has no keys; Python's date is none of JSON's types)
_DATE = {
    "description": "A date, YYYY-MM-DD.",
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "object", "maxProperties": 0},
        {
            "not": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "boolean"},
                    {"type": "null"},
                    {"type": "array"},
                    {"type": "object"},
                ]
            }
        },
    ],
}


def _pack() -> dict[str, Any]:
    generated = PackDocument.model_json_schema(by_alias=True)
    defs: dict[str, Any] = generated.get("$defs", {})
    event_types = list(EVENT_MODELS)
    selector = defs.get("Selector")
    if selector is not None:
        # a plain event type is shorthand for {event: <type>} (Selector's "before" validator)
        event = selector.get("properties", {}).get("event")
        if event is not None:
            event["anyOf"] = [
                {"type": "string", "enum": event_types},
                {"type": "array", "items": {"type": "string", "enum": event_types}, "minItems": 1},
            ]
        defs["Selector"] = {
            "anyOf": [
                {"type": "string", "enum": event_types, "description": "Shorthand for {event: <type>}."},
                {key: value for key, value in selector.items() if key not in ("title", "description")},
            ],
            "title": selector.get("title", "Selector"),
            "description": selector.get("description", ""),
        }
    field_test = defs.get("FieldTest")
    if field_test is not None:
        # a plain value is shorthand for {equals: <value>} (FieldTest's "before" validator)
        defs["FieldTest"] = {
            "anyOf": [
                {"type": "string", "description": "Shorthand for {equals: <value>}."},
                {"type": "boolean", "description": "Shorthand for {equals: <value>}."},
                {"type": "integer", "description": "Shorthand for {equals: <value>}."},
                {
                    **{k: v for k, v in field_test.items() if k not in ("title", "description")},
                    "minProperties": 1,
                    "maxProperties": 1,
                },
            ],
            "title": field_test.get("title", "FieldTest"),
            "description": field_test.get("description", ""),
        }
    for name, minimum in (("Period", 1), ("Within", 0)):
        period = defs.get(name)
        if period is not None:
            # exactly one unit, a whole number (the model's "after" validator)
            period["minProperties"] = 1
            period["maxProperties"] = 1
            for unit in period.get("properties", {}).values():
                for option in unit.get("anyOf", []):
                    if option.get("type") == "integer":
                        option["minimum"] = minimum
    properties = generated.get("properties", {})
    rules = properties.get("rules")
    if rules is not None:
        rules["items"] = _rule_item(defs)
    overrides = properties.get("overrides", {})
    if "additionalProperties" in overrides:
        overrides["propertyNames"] = {"pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}
        overrides["additionalProperties"] = {
            "type": "object",
            "description": "The fields of the inherited rule that change; id and kind cannot.",
            "properties": {
                "disabled": {"type": "boolean", "description": "true switches the rule off (give a reason)."},
                "reason": {"type": "string", "description": "Why this authority's procedure drops the rule."},
                "title": {"type": "string", "minLength": 1},
                "severity": {"enum": ["breach", "warning", "info"]},
                "citation": {"type": "string", "minLength": 1},
                "interpretation": {"type": "string"},
            },
            "propertyNames": {"not": {"enum": ["id", "kind"]}},
            "additionalProperties": True,
        }
    rewritten = _for_every_validator(generated)
    rewritten["$defs"]["Date"] = _DATE  # after the rewrite, which would make it refer to itself
    tidy = _tidy(rewritten, title="cprules policy pack")
    return {"$schema": tidy.pop("$schema"), "$id": PACK_SCHEMA_ID, **tidy}


def _rule_item(defs: dict[str, Any]) -> dict[str, Any]:
    """A rule: ``kind`` picks the schema it must meet (``if``/``then``, which every draft 2020-12
    validator takes, rather than OpenAPI's ``discriminator``), so a mistake in one rule is
    reported against its own kind's fields, not as "valid under none of eleven schemas"."""
    kinds = {name: f"#/$defs/{model.__name__}" for name, model in RULE_KINDS.items()}
    return {
        "type": "object",
        "description": "One rule; its kind says which fields it takes.",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(kinds), "description": "The kind of check the rule makes."}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]}, "then": {"$ref": ref}}
            for name, ref in kinds.items()
            if ref.rsplit("/", 1)[-1] in defs
        ],
    }


def _for_every_validator(node: Any) -> Any:
    """What strict validators refuse, rewritten: a list of types becomes ``anyOf`` (ajv's
    strictTypes), a date becomes ``#/$defs/Date`` (a YAML parser may have made it a date)."""
    if isinstance(node, list):
        return [_for_every_validator(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "date" and node.get("type") == "string":
        rest = {k: v for k, v in node.items() if k not in ("format", "type")}
        return {"$ref": "#/$defs/Date", **rest}
    result = {key: _for_every_validator(value) for key, value in node.items()}
    types = result.get("type")
    if isinstance(types, list):
        del result["type"]
        result["anyOf"] = [{"type": kind} for kind in types]
    return result


_BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "case": _case,
    "pack": _pack,
    "finding": _finding,
    "report": _report,
}

#: the documents a schema can be printed for
SCHEMA_NAMES: tuple[str, ...] = tuple(_BUILDERS)


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``case``, ``pack``, ``finding`` or ``report``.

    >>> schema("case")["properties"]["case_id"]["type"]
    'string'
    """
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"no schema '{name}'; write one of: {', '.join(SCHEMA_NAMES)}") from None
    return builder()


def render(name: str) -> str:
    """The schema as the JSON text shipped and printed (2-space indent, newline at the end)."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def write_pack_schema(folder: Path) -> tuple[Path, bool]:
    """Write ``pack.schema.json`` into ``folder`` for editors (a pack in ``folder/<id>/`` names
    it as ``../pack.schema.json``, as the bundled packs do); the path, and whether it changed.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path, changed = write_pack_schema(Path(folder))
    ...     path.name, changed, write_pack_schema(Path(folder))[1]
    ('pack.schema.json', True, False)
    """
    path = folder / PACK_SCHEMA_PATH.name
    wanted = render("pack")
    if path.is_file() and path.read_text(encoding="utf-8") == wanted:
        return path, False
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(wanted, encoding="utf-8")
    return path, True


_DOCTEST = re.compile(r"\n\s*>>>.*", re.DOTALL)


def _tidy(generated: dict[str, Any], *, title: str) -> dict[str, Any]:
    """Dialect and title first; descriptions without doctests and with Markdown code marks."""
    _clean_descriptions(generated)
    return {"$schema": _DIALECT, "title": title, **{k: v for k, v in generated.items() if k != "title"}}


def _clean_descriptions(node: Any) -> None:
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            text = _DOCTEST.sub("", text).strip()
            node["description"] = text.replace("``", "`")
        for value in node.values():
            _clean_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _clean_descriptions(value)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cprules.schemas [--write | --check | NAME]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--write"], ["--check"]):
        wanted = render("pack")
        current = PACK_SCHEMA_PATH.read_text(encoding="utf-8") if PACK_SCHEMA_PATH.is_file() else ""
        if args == ["--check"]:
            if current != wanted:
                print(f"{PACK_SCHEMA_PATH}: stale; run python -m cprules.schemas --write", file=sys.stderr)
                return 1
            print(f"{PACK_SCHEMA_PATH}: up to date")
            return 0
        if current != wanted:
            PACK_SCHEMA_PATH.write_text(wanted, encoding="utf-8")
            print(f"wrote {PACK_SCHEMA_PATH}")
        else:
            print(f"{PACK_SCHEMA_PATH}: already up to date")
        return 0
    if len(args) == 1 and args[0] in _BUILDERS:
        sys.stdout.write(render(args[0]))
        return 0
    print(
        f"usage: python -m cprules.schemas [--write | --check | {' | '.join(SCHEMA_NAMES)}]",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
