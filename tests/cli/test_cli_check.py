"""cprules check: formats, exit codes, standard input, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cprules import Report
from cprules.cli import cli
from cprules.cli.render import FINDING_COLUMNS


def one_line(text: str) -> str:
    """The text is exactly one line (an error is never more), returned without its newline."""
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text.rstrip("\n")


def test_a_late_breach_exits_1_and_the_table_shows_it(runner: CliRunner, pack_dir: Path, late_case: Path):
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "first-core-group@ic#1" in out
    assert "2024-04-04" in out and "2024-04-05" in out  # due, done
    assert "1 WD (1 d)" in out
    assert "Test procedure, para 1" in out
    assert "skipping Good Friday 29 March and Easter Monday 1 April" in out
    assert "1 breach of procedure" in out
    assert result.stderr == ""


def test_a_missed_breach_exits_1_and_the_table_shows_it_frozen(runner: CliRunner, tmp_path: Path):
    # ICPC and plan Fri 1 Mar 2024; first core group due Fri 1 Mar + 10 WD = Fri 15 Mar (Easter
    # is later). None held; the plan ends Tue 30 Apr: missed, lateness frozen at the plan end:
    # Mar 18-22 (5), 25-28 (4, Good Friday 29th), Apr 2-5 (4, Easter Monday 1st), 8-12, 15-19,
    # 22-26 (15), 29-30 (2) = 30 working days, whatever the as-of date
    case = tmp_path / "missed.yaml"
    case.write_text(
        "case_id: M-1\nchild: {date_of_birth: 2015-05-10}\nevents:\n"
        "  - {id: ic, type: icpc, date: 2024-03-01, outcome: plan}\n"
        "  - {id: ps, type: plan_start, date: 2024-03-01}\n"
        "  - {id: pe, type: plan_end, date: 2024-04-30, reason: died}\n"
    )
    for as_of in ("2024-06-01", "2025-06-01"):
        result = runner.invoke(cli, ["check", str(case), "--pack", "england", "--as-of", as_of])
        assert result.exit_code == 1, result.output
        row = next(line for line in result.stdout.splitlines() if "first-core-group@ic#1" in line)
        assert row.split()[0] == "missed" and "30 WD, missed" in row
        assert "1 breach of procedure (1 missed" in result.stdout


def test_all_on_time_exits_0(runner: CliRunner, pack_dir: Path, on_time_case: Path):
    result = runner.invoke(
        cli, ["check", str(on_time_case), "--pack", str(pack_dir), "--as-of", "2024-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "No breach of procedure" in result.stdout


def test_a_late_warning_is_not_a_breach(
    runner: CliRunner, pack_dir: Path, tmp_path: Path, on_time_case: Path
):
    # minutes due Wed 10 Apr, sent Fri 12 Apr: late, but the rule is a warning
    case = tmp_path / "c.yaml"
    case.write_text(
        on_time_case.read_text().replace("minutes_circulated: 2024-04-08", "minutes_circulated: 2024-04-12")
    )
    result = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "warning" in result.stdout


def test_json_is_the_report(runner: CliRunner, pack_dir: Path, late_case: Path):
    result = runner.invoke(
        cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "json"]
    )
    assert result.exit_code == 1
    report = Report.from_json(result.stdout)
    assert report.case_id == "T-LATE" and report.pack_id == "testpack"
    late = next(f for f in report.findings if f.rule_id == "first-core-group")
    assert (late.status.value, late.due, late.working_days_late) == ("late", date(2024, 4, 4), 1)


def test_csv_is_a_row_per_finding(runner: CliRunner, pack_dir: Path, late_case: Path):
    result = runner.invoke(
        cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 1
    assert list(rows[0]) == list(FINDING_COLUMNS)
    assert {row["key"]: row["status"] for row in rows} == {
        "first-core-group@ic#1": "late",
        "minutes@cg1#1": "met",
    }
    assert rows[0]["case_id"] == "T-LATE" and rows[0]["working_days_late"] == "1"


def test_csv_quotes_what_a_spreadsheet_would_run(
    runner: CliRunner, pack_dir: Path, tmp_path: Path, late_case: Path
):
    case = tmp_path / "c.yaml"
    case.write_text(late_case.read_text().replace("case_id: T-LATE", "case_id: '=HYPERLINK(1)'"))
    result = runner.invoke(
        cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["case_id"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "text",
    [
        "LATE_CASE",
        json.dumps(
            {
                "case_id": "T-LATE",
                "events": [
                    {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
                    {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
                    {"id": "cg1", "type": "core_group", "date": "2024-04-05", "status": "held"},
                ],
            }
        ),
    ],
    ids=["yaml", "json"],
)
def test_dash_reads_the_case_from_standard_input(
    runner: CliRunner, pack_dir: Path, late_case: Path, text: str
):
    text = late_case.read_text() if text == "LATE_CASE" else text
    result = runner.invoke(
        cli, ["check", "-", "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "json"], input=text
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["case_id"] == "T-LATE"


def test_the_pack_can_come_from_standard_input(runner: CliRunner, pack_dir: Path, late_case: Path):
    result = runner.invoke(
        cli,
        ["check", str(late_case), "--pack", "-", "--as-of", "2024-06-01", "--format", "json"],
        input=(pack_dir / "pack.yaml").read_text(),
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["pack_id"] == "testpack"


def test_a_bad_case_is_one_line_per_problem_naming_file_and_path_never_the_value(
    runner: CliRunner, pack_dir: Path, tmp_path: Path
):
    case = tmp_path / "bad.yaml"
    case.write_text(
        "case_id: B-1\nevents:\n"
        "  - {id: ic, type: icpc, date: 2024-03-19, outcome: plan}\n"
        "  - {id: v, type: visit, date: 'Jane Smith 2024', outcome: seen}\n"
        "  - {id: cg, type: core_group, date: 2024-04-01, statuss: held}\n"
    )
    result = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{case}: case B-1: events[1].date: ")
    assert lines[1].startswith(f"{case}: case B-1: events[2].statuss: unknown field")
    assert "Jane" not in result.stderr


def test_a_case_that_is_not_yaml_gives_file_and_line(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    case = tmp_path / "broken.yaml"
    case.write_text("case_id: X\nevents: [\n  {type: icpc\n")
    result = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir)])
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(f"{case}:")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "no-such-case.yaml", "--pack", "england"], "no-such-case.yaml"),
        (["check", "CASE", "--pack", "no-such-pack"], "no bundled pack 'no-such-pack'"),
        (["check", "CASE", "--pack", "englnd"], "did you mean england?"),
        (["check", "CASE", "--pack", "england", "--as-of", "2024-02-30"], "not a date; write YYYY-MM-DD"),
        (["check", "CASE", "--pack", "england", "--as-of", "1900-01-01"], "outside the supported range"),
        (["check", "CASE"], "Missing option '--pack'"),
        (["check", "CASE", "--pack", "england", "--format", "xml"], "'xml' is not one of"),
        (["check", "CASE", "--pack", "england", "--from", "pdf"], "unknown format 'pdf'"),
        (["check", "-", "--pack", "-"], "cannot both come from standard input"),
        (["chek"], "No such command 'chek'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner: CliRunner, late_case: Path, args: list[str], expected: str):
    args = [str(late_case) if a == "CASE" else a for a in args]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert expected in line
    assert "Traceback" not in result.output


def test_a_case_file_over_the_limit_is_refused(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    big = tmp_path / "big.json"
    big.write_bytes(b'{"case_id": "X", "metadata": {"pad": "' + b"x" * (17 * 2**20) + b'"}}')
    result = runner.invoke(cli, ["check", str(big), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert "limit" in one_line(result.stderr)


def test_as_of_before_the_pack_took_effect_warns(runner: CliRunner, pack_dir: Path, late_case: Path):
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2019-06-01"])
    assert result.exit_code == 0
    assert one_line(result.stderr).startswith("warning: as at 2019-06-01 is before pack testpack took effect")


def test_as_of_defaults_to_today_in_london(
    runner: CliRunner, pack_dir: Path, late_case: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("cprules.cli.common.today_in_london", lambda: date(2024, 6, 1))
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--format", "json"])
    assert json.loads(result.stdout)["as_of"] == "2024-06-01"


def test_today_in_london_is_a_date():
    from cprules.cli.common import today_in_london

    assert isinstance(today_in_london(), date)


def test_a_rule_that_fails_is_exit_2_with_the_rule_named(
    runner: CliRunner, pack_dir: Path, late_case: Path, monkeypatch: pytest.MonkeyPatch
):
    from cprules.errors import EvaluationError

    def fail(*args: object, **kwargs: object) -> None:
        raise EvaluationError("the rule failed (ZeroDivisionError)", case_id="T-LATE", rule_id="minutes")

    monkeypatch.setattr("cprules.engine.evaluate", fail)
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert one_line(result.stderr) == "error: case T-LATE: rule minutes: the rule failed (ZeroDivisionError)"


def test_an_unexpected_exception_is_one_line_exit_3_without_its_text(
    runner: CliRunner, pack_dir: Path, late_case: Path, monkeypatch: pytest.MonkeyPatch
):
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("Jane Smith")  # text that could be case data must not be printed

    monkeypatch.setattr("cprules.engine.evaluate", crash)
    monkeypatch.delenv("CPRULES_DEBUG", raising=False)
    result = runner.invoke(cli, ["check", str(late_case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert line.startswith("internal error: KeyError at ")
    assert "Jane" not in line


def test_help_and_version(runner: CliRunner):
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    assert "check" in runner.invoke(cli, ["--help"]).stdout
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("cprules ")
    assert runner.invoke(cli, ["check", "--help"]).exit_code == 0


def test_all_shows_not_applicable_findings_too(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    case = tmp_path / "empty.yaml"
    case.write_text("case_id: E-1\n")
    quiet = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert "Not applicable to this case: first-core-group, minutes." in quiet.stdout
    loud = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--all"])
    assert "first-core-group@-#1" in loud.stdout


def test_an_impossible_unquoted_date_is_bad_input_not_a_crash(
    runner: CliRunner, pack_dir: Path, tmp_path: Path
):
    case = tmp_path / "typo.yaml"
    case.write_text("case_id: X\nevents:\n  - {type: visit, date: 2024-02-30}\n")
    result = runner.invoke(cli, ["check", str(case), "--pack", str(pack_dir), "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert "events[0].date: not a valid date" in one_line(result.stderr)
