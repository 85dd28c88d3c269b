"""Fixtures for the command-line tests: a small pack of our own (so exact expectations do not
move when a bundled pack is edited), cases for it, and a click runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

TEST_PACK = """\
schema: 1
id: testpack
title: Test pack
version: "1"
effective_from: 2020-01-01
calendar: {country: GB, subdiv: ENG}
rules:
  - id: first-core-group
    kind: deadline
    title: First core group within 10 working days of the ICPC
    severity: breach
    citation: "Test procedure, para 1"
    trigger: {event: icpc, where: {outcome: plan}}
    expect: {event: core_group, where: {status: held}}
    within: {working_days: 10}
  - id: minutes
    kind: deadline
    title: Core group minutes within 3 working days
    severity: warning
    citation: "Test procedure, para 2"
    trigger: {event: core_group, where: {status: held}}
    expect: {field: minutes_circulated}
    within: {working_days: 3}
"""

# ICPC Tue 19 Mar 2024 + 10 WD, skipping Good Friday 29 Mar and Easter Monday 1 Apr = Thu 4 Apr;
# a core group on Fri 5 Apr is 1 working day late. Its minutes: Fri 5 Apr + 3 WD = Wed 10 Apr.
LATE_CASE = """\
case_id: T-LATE
child: {date_of_birth: 2018-05-10}
events:
  - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}
  - {id: ps, type: plan_start, date: 2024-03-19}
  - {id: cg1, type: core_group, date: 2024-04-05, status: held, minutes_circulated: 2024-04-08}
"""

ON_TIME_CASE = LATE_CASE.replace("T-LATE", "T-OK").replace("2024-04-05", "2024-04-04")


@pytest.fixture
def runner() -> CliRunner:
    # wide enough that no line of a table or an explanation wraps
    return CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1"})


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "testpack"
    folder.mkdir()
    (folder / "pack.yaml").write_text(TEST_PACK, encoding="utf-8")
    return folder


@pytest.fixture
def late_case(tmp_path: Path) -> Path:
    path = tmp_path / "late.yaml"
    path.write_text(LATE_CASE, encoding="utf-8")
    return path


@pytest.fixture
def on_time_case(tmp_path: Path) -> Path:
    path = tmp_path / "on_time.yaml"
    path.write_text(ON_TIME_CASE, encoding="utf-8")
    return path
