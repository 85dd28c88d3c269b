"""cprules.schemas: generated from the models; the shipped pack schema is never stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cprules.pack.loader import policies_dir
from cprules.schemas import PACK_SCHEMA_PATH, main, render, schema


def test_the_shipped_pack_schema_is_what_schemas_generates():
    # if this fails, a pack model changed: run  python -m cprules.schemas --write
    assert PACK_SCHEMA_PATH.read_text(encoding="utf-8") == render("pack")


def test_bundled_packs_name_the_shipped_schema():
    for pack in sorted(policies_dir().glob("*/pack.yaml")):
        first = pack.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../pack.schema.json", pack


def test_check_and_print(capsys: pytest.CaptureFixture[str]):
    assert main(["--check"]) == 0
    assert main(["finding"]) == 0
    assert json.loads(capsys.readouterr().out.split("up to date\n", 1)[1])["title"] == "cprules finding"
    assert main(["nonsense"]) == 2


def test_write_rewrites_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "pack.schema.json"
    target.write_text("{}")
    monkeypatch.setattr("cprules.schemas.PACK_SCHEMA_PATH", target)
    assert main(["--check"]) == 1
    assert main(["--write"]) == 0
    assert target.read_text() == render("pack")


def test_unknown_schema_name():
    with pytest.raises(ValueError, match="write one of: case, pack, finding, report"):
        schema("visit")


def _plain(data: object) -> object:
    """YAML as a JSON document would hold it (dates as text), as an editor sees it."""
    return json.loads(json.dumps(data, default=str))


def test_every_bundled_pack_is_valid_against_the_pack_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema("pack"))
    for pack in sorted(policies_dir().glob("*/pack.yaml")):
        errors = [e.message for e in validator.iter_errors(_plain(yaml.safe_load(pack.read_text())))]
        assert errors == [], pack


def test_the_pack_schema_catches_what_an_editor_should_flag():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema("pack"))
    base = {"schema": 1, "id": "x", "title": "X", "version": "1", "calendar": {"country": "GB"}}
    rule = {
        "id": "r",
        "kind": "deadline",
        "title": "T",
        "severity": "breach",
        "citation": "c",
        "trigger": "icpc",
        "expect": {"event": "core_group", "where": {"status": "held"}},
        "within": {"working_days": 10},
    }
    assert not list(validator.iter_errors({**base, "rules": [rule]}))  # shorthand selector, plain value
    for broken in (
        {**rule, "kind": "dealine"},
        {**rule, "within": {"working_days": 0}},
        {**rule, "within": {"days": 3, "weeks": 1}},
        {**rule, "trigger": "icpcc"},
        {**rule, "severity": "fatal"},
        {**rule, "withn": {"days": 3}},
    ):
        assert list(validator.iter_errors({**base, "rules": [broken]})), broken
    assert list(validator.iter_errors({**base, "overrides": {"r": {"kind": "interval"}}}))


def test_case_finding_and_report_schemas_accept_what_cprules_writes():
    jsonschema = pytest.importorskip("jsonschema")
    from datetime import date

    import cprules

    case = {
        "case_id": "A",
        "child": {"date_of_birth": "2018-05-10"},
        "events": [
            {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
            {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        ],
    }
    jsonschema.validate(case, schema("case"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**case, "case_idd": "A"}, schema("case"))
    report = cprules.evaluate(cprules.parse_case(case), cprules.load_pack("england"), as_of=date(2024, 6, 1))
    jsonschema.validate(report.to_dict(), schema("report"))
    jsonschema.validate(report.findings[0].to_dict(), schema("finding"))
