"""The policy officer's commands: pack new, schema pack --write, pack show --resolved --origin,
and pack validate / check giving every mistake at once."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from cprules import load_pack
from cprules.cli import cli
from cprules.schemas import render


def test_pack_new_writes_a_pack_that_validates_and_passes_at_once(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["pack", "new", "mine", "--extends", "england", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "mine"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "README.md",
        "pack.yaml",
        "tests/example.yaml",
    ]
    text = (folder / "pack.yaml").read_text(encoding="utf-8")
    # the schema line resolves where the folder is: ../pack.schema.json, written by pack new
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../pack.schema.json"
    assert (tmp_path / "pack.schema.json").read_text(encoding="utf-8") == render("pack")
    assert "validates; 1 of 1 scenario passed" in result.stdout
    pack = load_pack(folder)
    assert pack.chain == ("mine", "england") and pack.rule_ids == load_pack("england").rule_ids
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "| requirement | section | rule | kind |" in readme
    assert "`first-core-group` (from england)" in readme
    assert runner.invoke(cli, ["pack", "validate", str(folder)]).exit_code == 0
    tested = runner.invoke(cli, ["pack", "test", str(folder)])
    assert tested.exit_code == 0 and tested.stdout.splitlines()[-1].startswith("1 passed in ")
    again = runner.invoke(cli, ["pack", "new", "mine", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = runner.invoke(cli, ["pack", "new", "My Pack", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "a pack id is lower-case letters" in bad.stderr


def test_pack_new_extending_a_folder_writes_a_relative_extends(runner: CliRunner, tmp_path: Path):
    # sibling packs, as a pack repository holds them (a path outside the folder that holds the
    # pack folders may be refused: extends is confined there)
    first = runner.invoke(cli, ["pack", "new", "base", "--dir", str(tmp_path)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        cli, ["pack", "new", "local", "--extends", str(tmp_path / "base"), "--dir", str(tmp_path)]
    )
    assert second.exit_code == 0, second.output
    data = yaml.safe_load((tmp_path / "local" / "pack.yaml").read_text(encoding="utf-8"))
    assert data["extends"] == "../base"
    assert load_pack(tmp_path / "local").chain == ("local", "base", "england")


def test_schema_pack_write(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["schema", "pack", "--write", str(tmp_path)])
    assert result.exit_code == 0 and result.stdout == f"wrote {tmp_path / 'pack.schema.json'}\n"
    assert (tmp_path / "pack.schema.json").read_text(encoding="utf-8") == render("pack")
    assert "already up to date" in runner.invoke(cli, ["schema", "pack", "--write", str(tmp_path)]).stdout
    wrong = runner.invoke(cli, ["schema", "case", "--write", str(tmp_path)])
    assert wrong.exit_code == 2 and wrong.stderr.count("\n") == 1


def test_pack_show_resolved_is_a_pack_and_origin_says_where_things_came_from(
    runner: CliRunner, tmp_path: Path
):
    plain = runner.invoke(cli, ["pack", "show", "stoke", "--resolved"])
    assert plain.exit_code == 0
    folder = tmp_path / "resolved"
    folder.mkdir()
    (folder / "pack.yaml").write_text(plain.stdout, encoding="utf-8")
    assert load_pack(folder).digest == load_pack("stoke").digest
    origin = runner.invoke(cli, ["pack", "show", "stoke", "--resolved", "--origin"])
    assert origin.exit_code == 0
    lines = origin.stdout.splitlines()
    assert "# calendar: from england (policies/england/pack.yaml:12)" in lines
    assert any(
        line.startswith("# rule core-group-minutes: from stoke (policies/stoke/pack.yaml:") for line in lines
    )
    assert yaml.safe_load(origin.stdout) == yaml.safe_load(plain.stdout)
    assert runner.invoke(cli, ["pack", "show", "stoke", "--origin"]).exit_code == 2


def test_a_command_given_a_broken_pack_prints_every_mistake(
    runner: CliRunner, tmp_path: Path, late_case: Path
):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "schema: 1\nid: broken\ntitle: t\nversion: 1.0\nextends: england\n"
        "overrides:\n  first-review: {severity: fatal}\n  age-limit: {disabled: yes}\n",
        encoding="utf-8",
    )
    path = folder / "pack.yaml"
    expected = [
        f'{path}:4:10: version is text; put it in quotes: version: "1.0"',
        # "  first-review: {severity: " is 27 characters: fatal starts in column 28
        f"{path}:7:28: rule first-review: 'fatal' is not allowed for severity; "
        "write one of: breach, warning, info",
        # the override's mapping, after "  age-limit: " (13 characters)
        f'{path}:8:14: rule age-limit: disabling a rule needs a reason; add reason: "..." '
        "(why this authority's procedure does not have it)",
    ]
    check = runner.invoke(cli, ["check", str(late_case), "--pack", str(folder), "--as-of", "2024-06-01"])
    assert check.exit_code == 2
    assert check.stderr.splitlines() == expected
    validate = runner.invoke(cli, ["pack", "validate", str(folder)])
    assert validate.exit_code == 1
    assert validate.stderr.splitlines() == expected
    assert "3 errors" in validate.stdout
