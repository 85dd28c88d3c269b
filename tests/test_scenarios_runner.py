"""The YAML scenario runner: every mistake in a scenario file at its line, failures in words
(never None), -x, JUnit XML, exit 5 when nothing ran, and the pytest plugin."""

from __future__ import annotations

import doctest
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import date
from itertools import product
from pathlib import Path

import pytest
from click.testing import CliRunner

import cprules.scenarios
from cprules import load_pack
from cprules.cli import cli
from cprules.findings import Finding, Severity, Status
from cprules.scenarios import check_scenario_file, describe_finding, junit_xml, run_pack_tests

PACK = """\
schema: 1
id: runner
title: Runner pack
version: "1"
extends: england
"""

# ICPC Tue 19 Mar 2024 + 10 WD, skipping Good Friday 29 Mar and Easter Monday 1 Apr = Thu 4 Apr
SCENARIOS = """\
schema: 1
tests:
  - name: on the due date is on time
    case:
      events:
        - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
        - {id: ps, type: plan_start, date: 2024-03-19}
        - {id: cg, type: core_group, date: 2024-04-04, status: held}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: met, due: 2024-04-04}
  - name: a wrong expectation
    case:
      events:
        - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
        - {id: ps, type: plan_start, date: 2024-03-19}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: met}
  - name: one that would pass after the failure
    case:
      events: []
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: not_applicable}
"""

BROKEN = """\
schema: 1
tests:
  - name: events with mistakes
    case:
      events:
        - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
        - {id: cg, type: core_grop, date: 2024-03-26}
        - {id: v, type: visit, date: 2024-02-30, outcom: seen}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-grup, status: met}
      - {rule: first-core-group, status: lat}
  - name: a date written the British way
    case: {events: []}
    as_of: 1 June 2024
    expect:
      - {rule: first-core-group, status: not_applicable}
  - name: fine
    case: {events: []}
    as_of: 2024-06-01
    expect:
      - {rule: first-core-group, status: not_applicable}
"""


@pytest.fixture
def pack_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "runner"
    (folder / "tests").mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    return folder


def test_every_mistake_in_a_scenario_file_is_found_at_its_line(pack_folder: Path) -> None:
    path = pack_folder / "tests" / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    scenarios, errors = check_scenario_file(path, load_pack(pack_folder))
    assert [name for name, _ in ((s.name, line) for s, line in scenarios)] == ["fine"]
    statuses = ", ".join(status.value for status in Status)
    assert [str(e).removeprefix(f"{path}:") for e in errors] == [
        "7:11: events[1]: unknown event type; did you mean core_group? write one of: "
        + ", ".join(__import__("cprules.case", fromlist=["EVENT_MODELS"]).EVENT_MODELS),
        "8:38: events[2].date: not a valid date; write YYYY-MM-DD",
        "8:58: events[2].outcom: unknown field (did you mean outcome?); free data goes under metadata",
        "11:16: pack runner has no rule 'first-core-grup' (did you mean first-core-group?); write one of "
        "its rule ids (cprules pack show runner --resolved lists them)",
        f"12:42: 'lat' is not allowed for status (did you mean late?); write one of: {statuses}",
        "15:12: a date must be YYYY-MM-DD: write as_of: 2024-06-01, not 1 June 2024",
    ]


def test_a_failure_says_what_the_rule_gave_in_words(pack_folder: Path) -> None:
    (pack_folder / "tests" / "a.yaml").write_text(SCENARIOS, encoding="utf-8")
    results = run_pack_tests(pack_folder)
    assert [(r.name, r.passed) for r in results] == [
        ("on the due date is on time", True),
        ("a wrong expectation", False),
        ("one that would pass after the failure", True),
    ]
    failure = results[1].failures[0]
    assert failure.startswith("no finding like {rule: first-core-group, status: met}; the rule gave:")
    # Tue 19 Mar + 10 WD = Thu 4 Apr; nothing held by Sat 1 June: working days after 4 Apr up
    # to 1 Jun: April 5, 8-12, 15-19, 22-26, 29-30 (18); May 1-3, 7-10, 13-17, 20-24, 28-31
    # (21; bank holidays 6 and 27 May skipped) = 39
    assert "overdue, due 2024-04-04, not done, 39 working days late so far" in failure
    assert "None" not in failure
    first = run_pack_tests(pack_folder, exitfirst=True)
    assert [r.name for r in first] == ["on the due date is on time", "a wrong expectation"]
    assert [r.name for r in run_pack_tests(pack_folder, keyword="DUE DATE")] == ["on the due date is on time"]


@pytest.mark.parametrize(
    ("status", "due", "done", "late"),
    list(product(Status, (None, date(2024, 4, 4)), (None, date(2024, 4, 5)), (None, 0, 3))),
)
def test_a_finding_is_described_without_none(
    status: Status, due: date | None, done: date | None, late: int | None
) -> None:
    finding = Finding(
        key="r@e#1", rule_id="r", title="t", kind="deadline", severity=Severity.BREACH, status=status,
        due=due, occurred_on=done, working_days_late=late, calendar_days_late=None, trigger_event=None,
        evidence_events=(), citation="c", explanation="Why.",
    )  # fmt: skip
    text = describe_finding(finding)
    assert "None" not in text
    assert ("not done" in text) == (done is None)
    assert ("no due date" in text) == (due is None)


def test_junit_xml_counts_and_escapes(pack_folder: Path) -> None:
    (pack_folder / "tests" / "a.yaml").write_text(
        # YAML's \\e is the escape character, which a terminal takes as the start of a command
        SCENARIOS.replace("name: a wrong expectation", 'name: "a wrong <expectation> & \\"quotes\\"\\e"'),
        encoding="utf-8",
    )
    (pack_folder / "tests" / "b.yaml").write_text("schema: 2\ntests: []\n", encoding="utf-8")
    results = run_pack_tests(pack_folder)
    root = ElementTree.fromstring(junit_xml(results, pack_id="runner", seconds=1.5))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {suite.get("name"): suite for suite in root}
    assert sorted(suites) == ["runner/a.yaml", "runner/b.yaml"]
    names = [case.get("name") for case in suites["runner/a.yaml"]]
    assert names[1] == 'a wrong <expectation> & "quotes"?'
    (error,) = suites["runner/b.yaml"].iter("error")
    assert "is not a version of the format; write schema: 1" in (error.text or "")


def test_pack_test_x_junit_and_exit_5(pack_folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(cli, ["pack", "test", str(pack_folder)])
    assert empty.exit_code == 5 and "no scenarios ran" in empty.stdout
    (pack_folder / "tests" / "a.yaml").write_text(SCENARIOS, encoding="utf-8")
    report = tmp_path / "junit.xml"
    result = runner.invoke(cli, ["pack", "test", str(pack_folder), "-x", "--junit-xml", str(report)])
    assert result.exit_code == 1, result.output
    assert "a.yaml .F\n" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 passed, 1 failed in ")
    assert result.stdout.splitlines()[-1].endswith("(stopped at the first failure: -x)")
    assert "None" not in result.stdout
    assert ElementTree.parse(report).getroot().get("tests") == "2"
    nothing = runner.invoke(cli, ["pack", "test", str(pack_folder), "-k", "no such scenario"])
    assert nothing.exit_code == 5


def test_the_pytest_plugin_runs_a_packs_scenarios(pack_folder: Path, tmp_path: Path) -> None:
    (pack_folder / "tests" / "a.yaml").write_text(SCENARIOS, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
         "--cprules-pack", str(pack_folder), "-q", "--rootdir", str(tmp_path), "-o", "addopts="],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1].startswith("1 failed, 2 passed in ")
    assert "a wrong expectation" in run.stdout and "no finding like {rule: first-core-group" in run.stdout


def test_the_modules_examples_run() -> None:
    failures, tried = doctest.testmod(cprules.scenarios)
    assert failures == 0 and tried > 0


def test_every_bundled_packs_scenario_files_are_free_of_mistakes() -> None:
    from cprules import bundled_pack_ids
    from cprules.scenarios import validate_scenarios

    for pack_id in bundled_pack_ids():
        assert [str(e) for e in validate_scenarios(load_pack(pack_id))] == [], pack_id
