"""The command group itself: ``python -m cprules``, bare groups printing their help, and the
error paths every command shares (an unknown command, an interrupt)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from cprules.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PATH": "/usr/bin:/bin", "COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, env=ENV)


def test_python_dash_m_cprules_prints_the_version():
    result = run(sys.executable, "-m", "cprules", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # read from the installed distributions, not from cprules
    assert result.stdout == f"cprules {version('cprules')} (holidays {version('holidays')})\n"


def launchers() -> list[list[str]]:
    script = Path(sys.executable).with_name("cprules")
    found = [[sys.executable, "-m", "cprules"]]
    if script.exists():
        found.append([str(script)])
    return found


@pytest.mark.parametrize("launcher", launchers(), ids=lambda c: "python -m" if len(c) == 3 else "script")
def test_bare_cprules_prints_the_help_as_help_does_and_exits_0(launcher: list[str]):
    bare = run(*launcher)
    asked = run(*launcher, "--help")
    assert asked.returncode == 0 and asked.stderr == ""
    assert (bare.returncode, bare.stderr) == (0, "")
    assert bare.stdout == asked.stdout
    # laid out over lines, as --help lays it out, not squashed into one error line
    assert bare.stdout.startswith("Usage: cprules [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n" in bare.stdout and "error" not in bare.stdout


@pytest.mark.parametrize("group", ["pack", "calendar"])
def test_a_bare_command_group_prints_its_help_as_help_does(group: str):
    runner = CliRunner(env={"COLUMNS": "100", "NO_COLOR": "1"})
    bare = runner.invoke(cli, [group])
    asked = runner.invoke(cli, [group, "--help"])
    assert asked.exit_code == 0
    assert (bare.exit_code, bare.stderr) == (0, "")
    assert bare.stdout == asked.stdout
    assert bare.stdout.startswith(f"Usage: cprules {group} [OPTIONS] COMMAND [ARGS]...\n")


def test_an_unknown_command_is_one_line_pointing_to_the_help_exit_2():
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2
    assert result.stdout == ""
    # click's own words sit in the middle; the frame around them is ours
    assert result.stderr.count("\n") == 1 and "'nope'" in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.endswith(" (see 'cprules --help')\n")


def test_an_interrupt_is_one_word_exit_130(
    runner: CliRunner, pack_dir: Path, late_case: Path, monkeypatch: pytest.MonkeyPatch
):
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cprules.engine.evaluate", interrupt)
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 130
    assert result.stderr == "\ninterrupted\n"  # click first ends the line the ^C was typed on
