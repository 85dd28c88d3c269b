"""cprules packs, pack validate / test / show, compare, schema and calendar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cprules import bundled_pack_ids
from cprules.cli import cli

# --- packs -----------------------------------------------------------------------------------


def test_packs_lists_every_bundled_pack(runner: CliRunner):
    result = runner.invoke(cli, ["packs"])
    assert result.exit_code == 0, result.output
    for pack_id in bundled_pack_ids():
        assert pack_id in result.stdout
    entries = json.loads(runner.invoke(cli, ["packs", "--format", "json"]).stdout)
    assert [e["id"] for e in entries] == bundled_pack_ids()
    england = next(e for e in entries if e["id"] == "england")
    assert england["rules"] >= 7 and england["extends"] is None and england["version"]


# --- pack validate ---------------------------------------------------------------------------


def test_validate_a_good_pack(runner: CliRunner, pack_dir: Path):
    result = runner.invoke(cli, ["pack", "validate", str(pack_dir)])
    assert result.exit_code == 0, result.output
    assert "ok — pack testpack 1, 2 rules" in result.stdout


def test_validate_bundled_packs_by_id(runner: CliRunner):
    result = runner.invoke(cli, ["pack", "validate", "england", "stoke"])
    assert result.exit_code == 0, result.output
    assert "stoke: ok — pack stoke" in result.stdout and "(extends england)" in result.stdout


def test_validate_reports_every_bad_rule_as_file_line_column(runner: CliRunner, pack_dir: Path):
    path = pack_dir / "pack.yaml"
    text = path.read_text()
    text = text.replace("kind: deadline\n    title: First", "kind: dealine\n    title: First")
    text = text.replace("within: {working_days: 3}", "within: {working_days: -3}")
    path.write_text(text)
    result = runner.invoke(cli, ["pack", "validate", str(pack_dir)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    # line 9: "    kind: dealine" (column 11); line 23: "    within: {working_days: -3}" (the value)
    assert lines[0].startswith(
        f"{path}:9:11: rule first-core-group: unknown kind 'dealine' (did you mean deadline?)"
    )
    assert lines[1].startswith(f"{path}:23:13: ")
    assert "rule minutes:" in lines[1]
    assert "2 errors" in result.stdout


def test_validate_a_pack_that_is_not_yaml(runner: CliRunner, pack_dir: Path):
    (pack_dir / "pack.yaml").write_text("schema: 1\nid: [\n")
    result = runner.invoke(cli, ["pack", "validate", str(pack_dir)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{pack_dir / 'pack.yaml'}:")


def test_validate_checks_the_scenario_files_too(runner: CliRunner, pack_dir: Path):
    (pack_dir / "tests").mkdir()
    (pack_dir / "tests" / "broken.yaml").write_text(
        "schema: 1\ntests:\n  - name: x\n    as_off: 2024-06-01\n"
    )
    result = runner.invoke(cli, ["pack", "validate", str(pack_dir)])
    assert result.exit_code == 1
    assert str(pack_dir / "tests" / "broken.yaml") + ":" in result.stderr


def test_validate_reads_standard_input(runner: CliRunner, pack_dir: Path):
    good = runner.invoke(cli, ["pack", "validate", "-"], input=(pack_dir / "pack.yaml").read_text())
    assert good.exit_code == 0 and "<stdin>: ok" in good.stdout
    bad = runner.invoke(cli, ["pack", "validate", "-"], input="schema: 1\nid: x\n")
    assert bad.exit_code == 1 and bad.stderr.startswith("<stdin>:")


def test_validate_a_missing_pack(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(cli, ["pack", "validate", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "no pack at" in result.stderr


# --- pack test -------------------------------------------------------------------------------

SCENARIOS = """\
schema: 1
tests:
  - name: a core group over Easter is a day late
    case:
      events:
        - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
        - {id: ps, type: plan_start, date: 2024-03-19}
        - {id: cg, type: core_group, date: 2024-04-05, status: held}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: late, due: 2024-04-04, working_days_late: 1}
  - name: a wrong expectation fails
    case:
      events:
        - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: met}
"""


def test_pack_test_passes_and_fails_like_pytest(runner: CliRunner, pack_dir: Path):
    (pack_dir / "tests").mkdir()
    scenarios = pack_dir / "tests" / "core_group.yaml"
    scenarios.write_text(SCENARIOS)
    result = runner.invoke(cli, ["pack", "test", str(pack_dir)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "core_group.yaml .F" in out
    assert f"FAILED {scenarios}:12: a wrong expectation fails" in out
    assert "no finding like {rule: first-core-group, status: met}" in out
    # what the rule gave, one finding to a line (not a newline escaped as \n)
    lines = out.splitlines()
    gave = next(i for i, line in enumerate(lines) if line.endswith("the rule gave:"))
    assert lines[gave + 1].lstrip().startswith("first-core-group@")
    assert "\\n" not in out
    assert out.splitlines()[-1].startswith("1 passed, 1 failed in ")
    only = runner.invoke(cli, ["pack", "test", str(pack_dir), "-k", "easter", "-v"])
    assert only.exit_code == 0, only.output
    assert "PASSED" in only.stdout and only.stdout.splitlines()[-1].startswith("1 passed in ")


def test_pack_test_counts_an_unreadable_scenario_file_as_an_error(runner: CliRunner, pack_dir: Path):
    (pack_dir / "tests").mkdir()
    (pack_dir / "tests" / "a.yaml").write_text(SCENARIOS.split("  - name: a wrong")[0])
    (pack_dir / "tests" / "b.yaml").write_text("schema: 2\ntests: []\n")
    result = runner.invoke(cli, ["pack", "test", str(pack_dir)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith("1 passed, 1 error in ")


def test_pack_test_without_scenarios_is_exit_5_as_pytest(runner: CliRunner, pack_dir: Path):
    result = runner.invoke(cli, ["pack", "test", str(pack_dir)])
    assert result.exit_code == 5
    assert "no scenarios ran" in result.stdout


def test_pack_test_runs_a_bundled_pack(runner: CliRunner):
    result = runner.invoke(cli, ["pack", "test", "england"])
    assert result.exit_code in (0, 1), result.output
    assert " passed" in result.stdout.splitlines()[-1]


def test_pack_test_of_a_pack_that_does_not_load_is_exit_2(runner: CliRunner):
    result = runner.invoke(cli, ["pack", "test", "no-such-pack"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


# --- pack show -------------------------------------------------------------------------------


def test_pack_show_prints_the_file_and_the_resolved_pack(runner: CliRunner):
    raw = runner.invoke(cli, ["pack", "show", "stoke"])
    assert raw.exit_code == 0
    assert yaml.safe_load(raw.stdout)["extends"] == "england"
    resolved = runner.invoke(cli, ["pack", "show", "stoke", "--resolved"])
    assert resolved.exit_code == 0
    assert resolved.stdout.startswith("# pack stoke ")
    data = yaml.safe_load(resolved.stdout)
    ids = [rule["id"] for rule in data["rules"]]
    assert "icpc-timescale" in ids and "core-group-minutes" in ids  # inherited and own
    assert runner.invoke(cli, ["pack", "show", "nope"]).exit_code == 2


# --- compare ---------------------------------------------------------------------------------


def test_compare_puts_packs_side_by_side(runner: CliRunner, pack_dir: Path, late_case: Path):
    args = ["compare", str(late_case), "--packs", f"england,{pack_dir}", "--as-of", "2024-06-01"]
    table = runner.invoke(cli, args)
    assert table.exit_code == 1, table.output
    assert "england 2023.1" in table.stdout and "testpack 1" in table.stdout
    assert "late 1 WD (1 d)" in table.stdout
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).stdout)
    assert [p["id"] for p in data["packs"]] == ["england", "testpack"]
    assert data["rules"]["minutes"]["england"] is None  # england has no such rule
    assert data["rules"]["first-core-group"]["testpack"][0]["status"] == "late"
    assert data["rules"]["first-core-group"]["england"][0]["due"] == "2024-04-04"


@pytest.mark.parametrize(
    ("packs", "expected"),
    [
        ("england,nope", "no bundled pack 'nope'"),
        ("england,england", "a pack is named twice"),
        (",", "at least one"),
    ],
)
def test_compare_bad_packs_is_exit_2(runner: CliRunner, late_case: Path, packs: str, expected: str):
    result = runner.invoke(cli, ["compare", str(late_case), "--packs", packs, "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr


# --- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["case", "pack", "finding", "report"])
def test_schema_prints_json_schema(runner: CliRunner, name: str):
    result = runner.invoke(cli, ["schema", name])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$schema"].startswith("https://json-schema.org/")


def test_schema_of_an_unknown_document_is_exit_2(runner: CliRunner):
    result = runner.invoke(cli, ["schema", "visit"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


# --- calendar --------------------------------------------------------------------------------


def test_calendar_add_names_the_holidays_skipped(runner: CliRunner):
    # Tue 19 Mar 2024 + 10 WD, skipping Good Friday 29 Mar and Easter Monday 1 Apr = Thu 4 Apr
    result = runner.invoke(cli, ["calendar", "add", "2024-03-19", "10", "--pack", "england"])
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()
    assert first == "2024-04-04 (Thursday)"
    assert "skipping Good Friday 29 March and Easter Monday 1 April" in second


def test_calendar_add_backwards_and_in_jersey(runner: CliRunner):
    # Tue 2 Apr 2024 - 2 WD: day -1 is Thu 28 Mar (Easter skipped), day -2 Wed 27 Mar
    back = runner.invoke(cli, ["calendar", "add", "2024-04-02", "-2", "--pack", "england"])
    assert back.exit_code == 0, back.output
    assert back.stdout.splitlines()[0] == "2024-03-27 (Wednesday)"
    assert "Easter Monday" in back.stdout
    # Fri 3 May 2024 + 5 Jersey WD: Mon 6 May and Thu 9 May (Liberation Day) skipped = Tue 14 May
    jersey = runner.invoke(cli, ["calendar", "add", "2024-05-03", "5", "--pack", "jersey"])
    assert jersey.stdout.splitlines()[0] == "2024-05-14 (Tuesday)"
    assert "Liberation Day" in jersey.stdout


def test_calendar_between(runner: CliRunner):
    result = runner.invoke(cli, ["calendar", "between", "2024-03-19", "2024-04-05", "--pack", "england"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "11"
    reverse = runner.invoke(cli, ["calendar", "between", "2024-04-05", "2024-04-04", "--pack", "england"])
    assert reverse.stdout.splitlines()[0] == "-1"


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "add", "2024-13-01", "3", "--pack", "england"],
        ["calendar", "add", "2024-01-01", "three", "--pack", "england"],
        ["calendar", "add", "2100-12-30", "10", "--pack", "england"],
        ["calendar", "between", "2024-01-01", "2024-02-01"],
        ["calendar", "between", "2024-01-01", "2024-02-01", "--pack", "nope"],
    ],
)
def test_calendar_bad_input_is_exit_2(runner: CliRunner, args: list[str]):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
