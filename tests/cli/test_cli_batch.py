"""cprules batch: one output line per input case, in order; errors as rows; summary; exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cprules.cli import cli
from cprules.cli.render import ERROR_COLUMNS, FINDING_COLUMNS


def caseload(*cases: dict[str, object] | str) -> str:
    return "".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in cases)


LATE = {
    "case_id": "A-1",
    "events": [
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        {
            "id": "cg1",
            "type": "core_group",
            "date": "2024-04-05",
            "status": "held",
            "minutes_circulated": "2024-04-08",
        },
    ],
}
ON_TIME = {
    "case_id": "A-2",
    "events": [
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        {
            "id": "cg1",
            "type": "core_group",
            "date": "2024-04-04",
            "status": "held",
            "minutes_circulated": "2024-04-08",
        },
    ],
}
BAD_FIELD = {
    "case_id": "A-3",
    "events": [{"id": "v", "type": "visit", "date": "2024-04-01", "seen_alonee": True}],
}
NOT_JSON = "{this is not json"


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(caseload(LATE, BAD_FIELD, ON_TIME, NOT_JSON), encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(cli, ["batch", *args], input=input)


def test_one_line_per_input_case_in_order_with_error_rows(
    runner: CliRunner, pack_dir: Path, input_file: Path, tmp_path: Path
):
    out = tmp_path / "out.jsonl"
    result = run(runner, str(input_file), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--out", str(out))
    assert result.exit_code == 1, result.output  # A-1 has a breach
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["case_id"] for line in lines] == ["A-1", "A-3", "A-2", None]
    assert lines[1] == {
        "case_id": "A-3",
        "error": {
            "kind": "case",
            "path": "events[0].seen_alonee",
            "rule_id": None,
            "message": "unknown field (did you mean seen_alone?); free data goes under metadata",
        },
    }
    assert lines[3]["error"]["kind"] == "case" and lines[3]["error"]["message"] == "not valid JSON"
    assert lines[0]["findings"][0]["status"] == "late"
    # the summary, on standard error
    assert "4 cases under testpack 1 as at 2024-06-01" in result.stderr
    assert "2 cases could not be read" in result.stderr
    assert "1 case with a breach of procedure" in result.stderr
    assert "50.0%" in result.stderr  # first-core-group: 1 met of 2


def test_no_breach_exits_0_even_with_bad_cases(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    path = tmp_path / "ok.jsonl"
    path.write_text(caseload(ON_TIME, BAD_FIELD, NOT_JSON))
    result = run(runner, str(path), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--out", "-")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_only_bad_cases_still_give_a_row_each(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text(caseload(NOT_JSON, BAD_FIELD, "\n", NOT_JSON))
    result = run(runner, str(path), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q")
    assert result.exit_code == 0
    assert [json.loads(line)["error"]["kind"] for line in result.stdout.splitlines()] == ["case"] * 3
    assert result.stderr == ""  # --quiet: no summary


def test_standard_input_is_json_lines(runner: CliRunner, pack_dir: Path):
    result = run(runner, "-", "--pack", str(pack_dir), "--as-of", "2024-06-01", input=caseload(ON_TIME, LATE))
    assert result.exit_code == 1
    assert [json.loads(line)["case_id"] for line in result.stdout.splitlines()] == ["A-2", "A-1"]


def test_csv_out_is_a_row_per_finding_and_per_error(
    runner: CliRunner, pack_dir: Path, input_file: Path, tmp_path: Path
):
    out = tmp_path / "out.csv"
    result = run(runner, str(input_file), "--pack", str(pack_dir), "--as-of", "2024-06-01", "--out", str(out))
    assert result.exit_code == 1
    # a CSV file starts with a byte order mark (for Excel): utf-8-sig reads past it
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [*FINDING_COLUMNS, *ERROR_COLUMNS]
    assert [r["case_id"] for r in rows] == ["A-1", "A-1", "A-3", "A-2", "A-2", ""]
    error = rows[2]
    assert (error["error_kind"], error["error_path"], error["key"]) == ("case", "events[0].seen_alonee", "")
    assert rows[0]["status"] == "late" and rows[0]["error_kind"] == ""


def test_format_csv_on_standard_output(runner: CliRunner, pack_dir: Path):
    result = run(
        runner, "-", "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "csv", input=caseload(LATE)
    )
    assert result.stdout.splitlines()[0].startswith("case_id,pack_id,")


def test_jobs_give_the_same_output_in_the_same_order(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    path = tmp_path / "many.jsonl"
    cases = []
    for i in range(60):
        case = dict(LATE if i % 3 else ON_TIME, case_id=f"C-{i}")
        cases.append(NOT_JSON if i % 7 == 0 else case)
    path.write_text(caseload(*cases))
    one = run(runner, str(path), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q")
    two = run(runner, str(path), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 60


def test_a_rule_that_fails_is_an_evaluation_error_row(
    runner: CliRunner, pack_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import cprules.engine
    from cprules.errors import EvaluationError

    real = cprules.engine.evaluate

    def flaky(case, pack, *, as_of):  # type: ignore[no-untyped-def]
        if case.case_id == "A-1":
            raise EvaluationError("the rule failed (ZeroDivisionError)", case_id="A-1", rule_id="minutes")
        return real(case, pack, as_of=as_of)

    monkeypatch.setattr(cprules.engine, "evaluate", flaky)
    path = tmp_path / "c.jsonl"
    path.write_text(caseload(LATE, ON_TIME))
    result = run(runner, str(path), "--pack", str(pack_dir), "--as-of", "2024-06-01")
    assert result.exit_code == 0
    first = json.loads(result.stdout.splitlines()[0])
    assert first == {
        "case_id": "A-1",
        "error": {
            "kind": "evaluation",
            "path": None,
            "rule_id": "minutes",
            "message": "the rule failed (ZeroDivisionError)",
        },
    }
    assert "1 case failed a rule" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such.jsonl", "--pack", "PACK"], "no-such.jsonl"),
        (["INPUT", "--pack", "nope"], "no bundled pack 'nope'"),
        (["INPUT", "--pack", "PACK", "--out", "INPUT"], "--out is the input file"),
        (["INPUT", "--pack", "PACK", "--year", "2024"], "--year goes with --summary"),
        (["INPUT", "--pack", "PACK", "--jobs", "-1"], "--jobs"),
        (["INPUT", "--pack", "PACK", "--out", "/no/such/dir/out.jsonl"], "/no/such/dir/out.jsonl"),
        (["-", "--pack", "-"], "cannot both come from standard input"),
    ],
)
def test_an_input_that_cannot_be_read_is_exit_2(
    runner: CliRunner, pack_dir: Path, input_file: Path, args: list[str], expected: str
):
    swap = {"INPUT": str(input_file), "PACK": str(pack_dir)}
    result = run(runner, *[swap.get(a, a) for a in args], "--as-of", "2024-06-01")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and expected in result.stderr


def test_a_missing_input_creates_no_output_file(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    result = run(runner, str(tmp_path / "missing.jsonl"), "--pack", str(pack_dir), "--out", str(out))
    assert result.exit_code == 2
    assert not out.exists()


def test_csv_event_table_input_through_the_readers(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    readers = pytest.importorskip("cprules.readers")
    if not hasattr(readers, "read_cases"):
        pytest.skip("cprules.readers has no read_cases yet")
    table = tmp_path / "events.csv"
    table.write_text(
        "case_id,id,type,date,outcome,status,minutes_circulated\n"
        "A-1,ic,icpc,2024-03-19,plan,,\n"
        "A-1,ps,plan_start,2024-03-19,,,\n"
        "A-1,cg1,core_group,2024-04-05,,held,2024-04-08\n"
        "A-2,ic,icpc,2024-03-19,plan,,\n"
        "A-2,ps,plan_start,2024-03-19,,,\n"
        "A-2,cg1,core_group,2024-04-04,,held,2024-04-08\n"
    )
    result = run(runner, str(table), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q")
    assert result.exit_code == 1, result.output
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["case_id"] for r in reports] == ["A-1", "A-2"]
    forced = run(runner, str(table), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q", "--from", "csv")
    assert forced.stdout == result.stdout


def test_a_census_that_is_not_xml_is_exit_2(runner: CliRunner, pack_dir: Path, tmp_path: Path):
    readers = pytest.importorskip("cprules.readers")
    if not hasattr(readers, "read_cases"):
        pytest.skip("cprules.readers has no read_cases yet")
    census = tmp_path / "census.xml"
    census.write_text("<Message><Children><Child>")
    result = run(runner, str(census), "--pack", str(pack_dir), "--as-of", "2024-06-01", "-q")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and str(census) in result.stderr


def test_summary_adds_the_departments_figures(runner: CliRunner, input_file: Path):
    dfe = pytest.importorskip("cprules.dfe")
    if not hasattr(dfe, "DepartmentFigures"):
        pytest.skip("cprules.dfe has no DepartmentFigures yet")
    result = run(runner, str(input_file), "--pack", "england", "--as-of", "2024-06-01", "--summary")
    assert result.exit_code in (0, 1), result.output
    assert "4 cases under england" in result.stderr


def test_csv_error_rows_quote_what_a_spreadsheet_would_run(runner: CliRunner, pack_dir: Path):
    bad = {**BAD_FIELD, "case_id": "=HYPERLINK(1)"}
    result = run(
        runner, "-", "--pack", str(pack_dir), "--as-of", "2024-06-01", "--format", "csv", input=caseload(bad)
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["case_id"], r["error_kind"], r["error_path"]) for r in rows] == [
        ("'=HYPERLINK(1)", "case", "events[0].seen_alonee")
    ]
