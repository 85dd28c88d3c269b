"""The command line as people run it: a real process, and the README's example cases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cprules import bundled_pack_ids, load_case

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: example -> (pack, as of): one example per pack
EXAMPLE_PACKS = {
    "stoke-late-core-group.yaml": ("stoke", "2024-06-01"),
    "england-icpc-late.yaml": ("england", "2024-12-02"),
    "jersey-fortnightly-visits.yaml": ("jersey", "2024-07-01"),
    "nelincs-adjourned-icpc.yaml": ("nelincs", "2024-08-01"),
    "worcestershire-second-core-group.yaml": ("worcestershire", "2024-10-01"),
    "peterborough_cambs-plan-ends.yaml": ("peterborough_cambs", "2025-03-03"),
}


def cprules(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console script when it is installed beside this Python, else ``python -m``."""
    script = Path(sys.executable).with_name("cprules")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cprules"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    )


def test_readme_first_command_in_a_real_process():
    result = cprules(
        "check", "examples/stoke-late-core-group.yaml", "--pack", "stoke", "--as-of", "2024-06-01"
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert "first-core-group@ic#1" in result.stdout
    assert "1 WD (1 d)" in result.stdout


def test_a_real_process_reports_bad_input_in_one_line_without_a_traceback():
    result = cprules("check", "examples/no-such-case.yaml", "--pack", "stoke")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    piped = cprules(
        "check",
        "-",
        "--pack",
        "england",
        "--as-of",
        "2024-06-01",
        "--format",
        "json",
        stdin='{"case_id": "P-1"}',
    )
    assert piped.returncode == 0 and json.loads(piped.stdout)["case_id"] == "P-1"


def test_packs_lists_all_bundled_packs_in_a_real_process():
    result = cprules("packs")
    assert result.returncode == 0, result.stderr
    for pack_id in bundled_pack_ids():
        assert pack_id in result.stdout


def test_batch_over_the_example_caseload_in_a_real_process(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    result = cprules(
        "batch",
        "examples/caseload.jsonl",
        "--pack",
        "stoke",
        "--as-of",
        "2024-06-01",
        "--out",
        str(out),
        "--jobs",
        "2",
    )
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    inputs = (EXAMPLES / "caseload.jsonl").read_text().splitlines()
    assert [line["case_id"] for line in lines] == [json.loads(text)["case_id"] for text in inputs]
    errors = [line for line in lines if "error" in line]
    assert len(errors) == 1 and errors[0]["error"]["path"] == "events[2].categroies"
    assert "on time" in result.stderr  # the per-rule summary


def test_every_bundled_pack_has_an_example():
    assert set(bundled_pack_ids()) <= {pack for pack, _ in EXAMPLE_PACKS.values()}
    for name in EXAMPLE_PACKS:
        assert (EXAMPLES / name).is_file(), name


@pytest.mark.parametrize("name", sorted(EXAMPLE_PACKS))
def test_each_example_is_a_valid_case_with_a_mix_of_on_time_and_late(name: str):
    from click.testing import CliRunner

    from cprules.cli import cli

    load_case(EXAMPLES / name)
    pack, as_of = EXAMPLE_PACKS[name]
    if pack not in bundled_pack_ids():
        pytest.skip(f"pack {pack} is not written yet")
    result = CliRunner().invoke(
        cli, ["check", str(EXAMPLES / name), "--pack", pack, "--as-of", as_of, "--format", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    statuses = {f["status"] for f in json.loads(result.stdout)["findings"]}
    assert "met" in statuses and statuses & {"late", "overdue", "violated"}, (name, statuses)
