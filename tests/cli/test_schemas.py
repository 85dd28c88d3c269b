"""cprules.schemas: generated from the models; the shipped pack schema is never stale."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

from cprules.pack.loader import policies_dir
from cprules.pack.model import RULE_KINDS
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


# --- a schema every editor and validator takes -----------------------------------------------

JS = Path(__file__).resolve().parents[1] / "js"
AJV = JS / "node_modules" / ".bin" / "ajv"

BROKEN_RULE_PACK = """\
schema: 1
id: broken
title: A pack with one broken rule
version: "1"
effective_from: 2024-04-01
calendar: {country: GB, subdiv: ENG, closures: [2024-12-27]}
rules:
  - id: fine
    kind: age_limit
    title: Fine
    severity: info
    citation: c
  - id: broken
    kind: deadline
    title: Broken
    severity: breach
    citation: c
    trigger: icpc
    expect: {event: core_group}
    within: {working_days: 0}
"""


def _scaffolds(tmp_path: Path) -> list[Path]:
    """What cprules pack new writes, for each bundled pack as the parent."""
    from click.testing import CliRunner

    from cprules.cli import cli

    made = []
    for parent in ("england", "jersey", "stoke"):
        result = CliRunner().invoke(
            cli, ["pack", "new", f"mine-{parent}", "--extends", parent, "--dir", str(tmp_path)]
        )
        assert result.exit_code == 0, result.output
        made.append(tmp_path / f"mine-{parent}" / "pack.yaml")
    return made


def test_the_pack_schema_has_an_id_and_nothing_a_strict_validator_refuses():
    text = render("pack")
    data = json.loads(text)
    assert data["$id"] == "urn:cprules:schema:pack:1"
    assert '"discriminator"' not in text
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(data)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            assert not isinstance(node.get("type"), list), node  # ajv strictTypes: no union types
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)


def test_bundled_packs_and_scaffolds_are_valid_with_their_dates_read_as_dates(tmp_path: Path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        schema("pack"), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    packs = sorted(policies_dir().glob("*/pack.yaml")) + _scaffolds(tmp_path)
    for pack in packs:
        data = yaml.safe_load(pack.read_text(encoding="utf-8"))  # effective_from is a date here
        assert [e.message for e in validator.iter_errors(data)] == [], pack
    assert any(isinstance(yaml.safe_load(p.read_text())["effective_from"], date) for p in packs)


def test_a_broken_rule_is_reported_against_its_own_kind():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        schema("pack"), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = list(validator.iter_errors(yaml.safe_load(BROKEN_RULE_PACK)))
    assert [list(e.absolute_path) for e in errors] == [["rules", 1, "within", "working_days"]]
    best = jsonschema.exceptions.best_match(errors)
    assert best.message == "0 is less than the minimum of 1"
    # through the deadline kind's if/then: the message is that kind's, not "valid under none of"
    deadline = list(RULE_KINDS).index("deadline")
    assert list(best.absolute_schema_path)[:6] == ["properties", "rules", "items", "allOf", deadline, "then"]
    bad_date = {**yaml.safe_load(BROKEN_RULE_PACK), "effective_from": "2024-02-30", "rules": []}
    assert [list(e.absolute_path) for e in validator.iter_errors(bad_date)] == [["effective_from"]]


def _ajv(*data: Path, schema_file: Path = PACK_SCHEMA_PATH) -> subprocess.CompletedProcess[str]:
    args = ["--spec=draft2020", "--strict=true", "-c", "ajv-formats", "--all-errors", "--errors=json"]
    command = [str(AJV), "validate", *args, "-s", str(schema_file)]
    for path in data:
        command += ["-d", str(path)]
    return subprocess.run(command, cwd=JS, capture_output=True, text=True, timeout=120)


@pytest.fixture
def ajv_installed() -> None:
    if AJV.is_file():
        return
    if os.environ.get("CPRULES_REQUIRE_AJV") or os.environ.get("CI"):  # a skip in CI proves nothing
        pytest.fail(f"ajv-cli is not installed in {JS}; run npm ci --prefix {JS}")
    pytest.skip(f"ajv-cli is not installed; npm ci --prefix {JS} installs it")


def test_ajv_strict_2020_takes_the_schema_every_bundled_pack_and_every_scaffold(
    ajv_installed: None, tmp_path: Path
):
    compiled = subprocess.run(
        [
            str(AJV),
            "compile",
            "--spec=draft2020",
            "--strict=true",
            "-c",
            "ajv-formats",
            "-s",
            str(PACK_SCHEMA_PATH),
        ],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    # ajv-cli reads YAML with js-yaml, which makes an unquoted 2017-06-01 a Date
    packs = sorted(policies_dir().glob("*/pack.yaml")) + _scaffolds(tmp_path)
    run = _ajv(*packs)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [f"{pack} valid" for pack in packs]
    # the scaffold names a schema beside its folder: the one pack new wrote, which is ours
    written = tmp_path / "pack.schema.json"
    assert written.read_text(encoding="utf-8") == render("pack")
    assert _ajv(packs[-1], schema_file=written).returncode == 0


def test_ajv_rejects_a_broken_rule_against_its_own_kind(ajv_installed: None, tmp_path: Path):
    path = tmp_path / "pack.yaml"
    path.write_text(BROKEN_RULE_PACK, encoding="utf-8")
    run = _ajv(path)
    assert run.returncode != 0
    assert run.stderr.splitlines()[0] == f"{path} invalid"
    errors = json.loads(run.stderr[run.stderr.index("[") :])
    paths = {error["instancePath"] for error in errors}
    assert paths == {"/rules/1/within/working_days", "/rules/1"}  # the broken rule, not the fine one
    deadline = list(RULE_KINDS).index("deadline")
    then = [error for error in errors if error["keyword"] == "if"]
    assert [error["schemaPath"] for error in then] == [f"#/properties/rules/items/allOf/{deadline}/if"]
    assert any(error["message"] == "must be >= 1" for error in errors)
