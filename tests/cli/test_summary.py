"""cprules.summary: counts per status, % on time and % compliant to one decimal, lateness, worst
first, the overdue list, the JSON shape, and the text table at any width."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import cprules
from cprules.cli import cli
from cprules.engine import ReportText
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Finding, Report, Severity, Status
from cprules.summary import (
    DROP_ORDER,
    STATUS_ORDER,
    SUMMARY_SCHEMA_VERSION,
    ComplianceSummary,
    percent,
    summary_json_schema,
)


def finding(
    rule: str,
    status: Status | str,
    late: int | None = None,
    severity: Severity = Severity.BREACH,
    due: date | None = None,
    key: str | None = None,
) -> Finding:
    return Finding(
        key=key or f"{rule}@x#1",
        rule_id=rule,
        title=rule.title(),
        kind="deadline",
        severity=severity,
        status=status,  # type: ignore[arg-type]  # a status value the enum may not have yet
        due=due,
        occurred_on=None,
        working_days_late=late,
        calendar_days_late=None,
        trigger_event=None,
        evidence_events=(),
        citation="c",
        explanation="e",
    )


def report(*findings: Finding, case_id: str = "A") -> Report:
    return Report(
        case_id=case_id,
        pack_id="p",
        pack_version="1",
        pack_digest="",
        engine_version={},
        as_of=date(2024, 6, 1),
        findings=findings,
    )


def text(case_id: str, *rows: tuple[str, str, str, int | None]) -> ReportText:
    """A report as a worker sends it back: only (rule, severity, status, lateness) per finding."""
    return ReportText(case_id, '{"findings": []}', rows)


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(2, 3) == 66.7
    assert percent(1, 3) == 33.3
    assert percent(1, 16) == 6.3  # 6.25: half up, where float rounding would give 6.2
    assert percent(1, 8) == 12.5
    assert percent(5, 5) == 100.0
    assert percent(0, 4) == 0.0
    assert percent(0, 0) is None


def test_on_time_counts_met_late_overdue_and_missed():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.MET), finding("r", Status.LATE, 2), finding("r", Status.DUE)))
    summary.add(report(finding("r", Status.OVERDUE, 7), finding("r", Status.NOT_APPLICABLE)))
    summary.add(text("B", ("r", "breach", "missed", 4)))
    tally = summary.rule("r")
    # met 1 / (met 1 + late 1 + overdue 1 + missed 1): due and n/a do not count
    assert tally.percent_on_time == 25.0
    assert tally.counts["due"] == 1 and tally.counts["missed"] == 1 and tally.findings == 6


def test_a_rule_broken_by_violations_is_not_compliant_though_on_time():
    # the cessation-route: 81 violated and nothing late gave "100.0%" on time
    summary = ComplianceSummary([("cessation-route", "Cessation", "breach")])
    summary.add(text("A", *([("cessation-route", "breach", "violated", None)] * 81)))
    summary.add(text("B", *([("cessation-route", "breach", "met", None)] * 19)))
    tally = summary.rule("cessation-route")
    assert tally.percent_on_time == 100.0  # 19 met / 19 that fell due
    assert tally.percent_compliant == 19.0  # 19 met / (19 + 81 violated)
    assert tally.breaches == 81


def test_median_and_worst_working_days_late_over_late_overdue_and_missed():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.LATE, 1), finding("r", Status.LATE, 4)))
    summary.add(report(finding("r", Status.OVERDUE, 10), finding("r", Status.LATE, 4)))
    tally = summary.rule("r")
    assert tally.median_working_days_late == 4  # 1, 4, 4, 10: the middle two are 4 and 4
    assert tally.worst_working_days_late == 10
    summary.add(text("C", ("r", "breach", "missed", 11)))
    assert tally.median_working_days_late == 4  # 1, 4, 4, 10, 11
    summary.add(report(finding("r", Status.LATE, 12)))
    assert tally.median_working_days_late == 7  # 1, 4, 4, 10, 11, 12: (4 + 10) / 2
    assert tally.worst_working_days_late == 12
    # 1 | 4, 4 | 10 | 11, 12 in the bands 1, 2-5, 6-10, 11-20
    assert dict(tally.lateness_bands()) == {
        "0": 0, "1": 1, "2–5": 2, "6–10": 1, "11–20": 2, "21–60": 0, "61+": 0,
    }  # fmt: skip


def test_an_even_median_can_end_in_a_half():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.LATE, 1), finding("r", Status.LATE, 2)))
    assert summary.rule("r").median_working_days_late == 1.5


def test_nothing_due_gives_none():
    summary = ComplianceSummary([("r", "R", "breach")])
    tally = summary.rule("r")
    assert (tally.percent_on_time, tally.percent_compliant, tally.median_working_days_late) == (None,) * 3


def test_cases_errors_and_breaches_are_counted():
    summary = ComplianceSummary([("b", "B", "breach"), ("a", "A", "breach")])
    summary.add(report(finding("a", Status.LATE, 1)))
    summary.add(report(finding("a", Status.LATE, 1, severity=Severity.WARNING)))  # a warning: no breach
    summary.add(text("M", ("a", "breach", "missed", 3)))  # missed is a breach
    summary.add(text("W", ("a", "info", "violated", None)))  # info: not a breach of procedure
    summary.add(CaseError("bad", case_id="X"))
    summary.add(EvaluationError("failed", case_id="Y", rule_id="a"))
    assert (summary.cases, summary.reports, summary.case_errors, summary.evaluation_errors) == (6, 4, 1, 1)
    assert summary.cases_with_breach == 2
    assert [t.rule_id for t in summary.rules] == ["b", "a"]  # the pack's order, given up front


def test_worst_first_is_lowest_compliant_then_most_breaches_then_pack_order():
    summary = ComplianceSummary(
        [(rule, rule, "breach") for rule in ("nothing", "tie-few", "tie-many", "good", "bad")]
    )
    # tie-few: 1 met of 2 (50.0%), 1 breach; tie-many: 2 met of 4 (50.0%), 2 breaches
    summary.add(text("A", ("tie-few", "breach", "met", None), ("tie-few", "breach", "late", 1)))
    summary.add(text("B", *[("tie-many", "breach", s, 1) for s in ("met", "met", "late", "overdue")]))
    summary.add(text("C", ("good", "breach", "met", None), ("bad", "breach", "violated", None)))
    summary.add(text("D", ("nothing", "breach", "due", None)))
    assert [t.rule_id for t in summary.ranked] == ["bad", "tie-many", "tie-few", "good", "nothing"]
    assert [r["rank"] for r in summary.to_dict()["rules"]] == [1, 2, 3, 4, 5]
    assert summary.to_dict()["rules"][0]["rule_id"] == "bad"


def test_the_overdue_list_keeps_the_oldest_whatever_the_order_cases_come_in():
    def run(order: list[int]) -> ComplianceSummary:
        summary = ComplianceSummary(overdue_limit=3)
        for n in order:
            # case n has one overdue finding due on day n of May 2024
            summary.add(
                report(
                    finding("r", Status.OVERDUE, 5, due=date(2024, 5, n), key=f"r@e{n}#1"), case_id=f"C{n}"
                )
            )
        return summary

    forwards = run(list(range(1, 21)))
    backwards = run(list(range(20, 0, -1)))
    assert [item.case_id for item in forwards.overdue] == ["C1", "C2", "C3"]
    assert forwards.overdue == backwards.overdue
    assert forwards.overdue_total == 20
    data = forwards.to_dict()["overdue"]
    assert (data["total"], data["limit"], [i["due"] for i in data["items"]]) == (
        20,
        3,
        ["2024-05-01", "2024-05-02", "2024-05-03"],
    )


def test_the_overdue_list_from_report_text_reads_the_reports_own_json():
    pack = cprules.load_pack("england")
    as_of = date(2024, 6, 1)
    # strategy discussion Mon 6 May 2024 (s47) + 15 WD, skipping the bank holiday Mon 27 May = Tue 28 May
    case = cprules.parse_case(
        {"case_id": "A", "events": [{"type": "strategy_discussion", "date": "2024-05-06", "s47": True}]}
    )
    summary = ComplianceSummary.for_pack(pack, as_of=as_of)
    summary.add(ReportText.of(cprules.evaluate(case, pack, as_of=as_of)))
    [item] = summary.overdue
    assert (item.case_id, item.rule_id, item.due) == ("A", "icpc-timescale", date(2024, 5, 28))
    # Tue 28 May to Sat 1 Jun: Wed 29, Thu 30, Fri 31 = 3 working days so far
    assert item.working_days_late == 3


def test_a_summary_from_report_text_equals_one_from_reports() -> None:
    pack = cprules.load_pack("stoke")
    lines = [
        '{"case_id": "A", "events": [{"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},'
        ' {"id": "ps", "type": "plan_start", "date": "2024-03-19"}]}',
        '{"case_id": "B"}',
        '{"case_id": ""}',
    ]
    from_reports = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1))
    from_texts = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1))
    for result in cprules.evaluate_many(lines, pack, as_of=date(2024, 6, 1)):
        from_reports.add(result)
        from_texts.add(ReportText.of(result) if isinstance(result, cprules.Report) else result)
    assert from_texts.to_dict() == from_reports.to_dict()
    assert from_texts.cases_with_breach == 1
    assert from_texts.overdue_total == len(from_texts.overdue) > 0


def test_the_json_shape_is_versioned_and_names_every_status():
    pack = cprules.load_pack("england")
    summary = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1), department_year=2024)
    case = cprules.parse_case(
        {
            "case_id": "A",
            "events": [
                {"type": "strategy_discussion", "date": "2024-01-08", "s47": True},
                {"type": "icpc", "date": "2024-01-26", "outcome": "plan"},
                {"type": "plan_start", "date": "2024-01-26"},
            ],
        }
    )
    summary.add_case(case)
    summary.add(cprules.evaluate(case, pack, as_of=date(2024, 6, 1)))
    data = summary.to_dict()
    jsonschema.validate(data, summary_json_schema())
    assert data["schema"] == "cprules-compliance-summary" and data["schema_version"] == SUMMARY_SCHEMA_VERSION
    assert data["pack"]["id"] == "england" and data["as_of"] == "2024-06-01"
    for rule in data["rules"]:
        assert list(rule["counts"])[: len(STATUS_ORDER)] == list(STATUS_ORDER)
        assert rule["citation"]  # from the pack, for a BI tool to link
    figures = {f["key"]: f for f in data["department"]["figures"]}
    # Mon 8 Jan + 15 WD = Mon 29 Jan: the ICPC on Fri 26 Jan is on time; held in the year to 31 Mar 2024
    icpc = figures["icpc_within_15_working_days"]
    assert (icpc["count"], icpc["denominator"], icpc["percent"]) == (1, 1, 100.0)
    assert icpc["same_question_as_rule"] == "icpc-timescale"
    assert figures["plans_open_at_31_march"]["same_question_as_rule"] is None


def test_one_sentence_says_what_the_rule_and_the_department_each_count():
    pack = cprules.load_pack("england")
    summary = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1), department_year=2024)
    # one ICPC on time in the reporting year, one overdue now (after 31 March 2024): 50.0% against 100.0%
    for case_id, events in (
        ("A", [("strategy_discussion", "2024-01-08"), ("icpc", "2024-01-26")]),
        ("B", [("strategy_discussion", "2024-05-06")]),
    ):
        case = cprules.parse_case(
            {
                "case_id": case_id,
                "events": [
                    {"type": kind, "date": day, **({"s47": True} if kind == "strategy_discussion" else {})}
                    for kind, day in events
                ],
            }
        )
        summary.add_case(case)
        summary.add(cprules.evaluate(case, pack, as_of=date(2024, 6, 1)))
    [(tally, _key, figure)] = [c for c in summary.comparisons() if c[0].rule_id == "icpc-timescale"]
    sentence = summary.comparison_sentence(tally, figure)
    assert "icpc-timescale (50.0% on time)" in sentence
    assert "(100.0%)" in sentence and "1 April 2023 to 31 March 2024" in sentence
    lines = summary.department_lines(80)
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    assert sum("icpc-timescale (50.0% on time)" in line for line in lines) == 1


# -- the text table at any width -----------------------------------------------------------------

LONG = "looked-after-paper-delist-discussion"  # 36 characters, the longest bundled id


def _wide_summary() -> ComplianceSummary:
    """Rules with long ids and counts in the millions: the hardest table to fit."""
    summary = ComplianceSummary(
        [(LONG, "", "breach"), ("icpc-timescale", "", "breach"), ("age-limit", "", "info")]
    )
    summary.rule(LONG).counts.update(
        {
            "met": 1_234_567,
            "late": 98_765,
            "overdue": 4_321,
            "missed": 12,
            "violated": 3,
            "due": 55_555,
            "not_applicable": 7_654_321,
        }
    )
    summary.rule(LONG).lateness.update({1: 50_000, 17: 48_765, 380: 4_333})
    summary.rule("icpc-timescale").counts.update({"met": 2, "late": 1, "undetermined": 9})
    summary.rule("icpc-timescale").lateness.update({3: 1})
    summary.rule("age-limit").counts.update({"due": 40})
    return summary  # fmt: skip


def _expected_cells(summary: ComplianceSummary) -> dict[str, dict[str, str]]:
    """Every cell worked out here, independently of the table code."""

    def share(part: int, whole: int) -> str:
        if whole == 0:
            return "—"
        tenths = Fraction(part * 1000, whole)
        return f"{int(tenths + Fraction(1, 2)) / 10:.1f}%"  # half up

    cells = {}
    for tally in summary.rules:
        c = tally.counts
        judged = c["met"] + c["late"] + c["overdue"] + c["missed"]
        cells[tally.rule_id] = {
            "compliant": share(c["met"], judged + c["violated"]),
            "on time": share(c["met"], judged),
            **{header: f"{c[status]:,}" for header, status in (
                ("met", "met"), ("late", "late"), ("overdue", "overdue"), ("missed", "missed"),
                ("violated", "violated"), ("due", "due"), ("n/a", "not_applicable"),
                ("undet.", "undetermined"),
            )},
            "worst": f"{max(tally.lateness):,}" if tally.lateness else "—",
        }  # fmt: skip
    # medians by hand: LONG has 50,000 at 1, 48,765 at 17, 4,333 at 380 (103,098 in all): the
    # 51,549th and 51,550th are both 17
    cells[LONG]["median"] = "17"
    cells["icpc-timescale"]["median"] = "3"
    cells["age-limit"]["median"] = "—"
    return cells


def _parse_table(lines: list[str], ids: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    header = lines[0].split()
    # the header "on time" is two words: join them again
    joined: list[str] = []
    for word in header[1:]:
        if word == "time" and joined and joined[-1] == "on":
            joined[-1] = "on time"
        else:
            joined.append(word)
    rows: dict[str, list[str]] = {}
    pending: str | None = None
    for line in lines[1:]:
        if line.startswith(("Left out", "compliant =")):
            break  # the notes below the table
        words = line.split()
        if pending is not None:
            rows[pending] = words
            pending = None
        elif words[0] in ids and len(words) == 1:
            pending = words[0]  # an id on a line of its own; its figures follow
        else:
            rows[words[0]] = words[1:]
    return joined, rows


@pytest.mark.parametrize("width", [80, 100, 120])
def test_the_text_table_keeps_every_number_whole_at_any_width(width: int):
    summary = _wide_summary()
    lines = summary.table_lines(width)
    ids = [t.rule_id for t in summary.ranked]
    assert all(line == line.rstrip() for line in lines), "no trailing spaces"
    assert all(len(line) <= width for line in lines)
    headers, rows = _parse_table(lines, ids)
    assert list(rows) == ids  # worst first, every rule, ids whole
    expected = _expected_cells(summary)
    for rule_id, values in rows.items():
        assert len(values) == len(headers), (rule_id, values)
        for header, value in zip(headers, values, strict=True):
            assert value == expected[rule_id][header], (width, rule_id, header)
    # what is left out is said, in the stated order
    dropped = [h for h in DROP_ORDER if h not in headers and any(e.get(h) for e in expected.values())]
    note = " ".join(line for line in lines if not line.startswith(tuple(ids)))
    if dropped:
        assert f"Left out at this width: {', '.join(dropped)}" in note
        assert dropped == list(DROP_ORDER[: len(dropped)])
    else:
        assert "Left out" not in note
    for must in ("compliant", "on time", "late", "overdue", "missed", "violated"):
        assert must in headers  # the breaches and both percentages never go


def test_at_120_columns_every_id_stays_in_line_even_with_counts_in_millions():
    lines = _wide_summary().table_lines(120)
    assert LONG not in lines  # not on a line of its own
    assert any(line.startswith(LONG + " ") for line in lines)


def test_at_120_columns_a_caseload_of_50000_keeps_every_figure_a_manager_reads():
    # about what a 50,000-case run gives: counts up to a few hundred thousand
    summary = ComplianceSummary([(LONG, "", "breach"), ("core-group-interval", "", "breach")])
    summary.rule(LONG).counts.update(
        {
            "met": 412_345,
            "late": 98_765,
            "overdue": 4_321,
            "missed": 1_200,
            "violated": 3,
            "due": 5_555,
            "not_applicable": 654_321,
            "undetermined": 12_000,
        }
    )
    summary.rule(LONG).lateness.update({1: 50_000, 17: 48_765, 1_380: 4_333})
    lines = summary.table_lines(120)
    assert lines[0].split()[1:] == [
        "compliant",
        "on",
        "time",
        "met",
        "late",
        "overdue",
        "missed",
        "violated",
        "median",
        "worst",
    ]
    assert "Left out at this width: undet., n/a, due (" in " ".join(lines)
    # 412,345 / (412,345 + 98,765 + 4,321 + 1,200 + 3) = 0.79814...: 79.8%
    assert lines[1].split() == [
        LONG,
        "79.8%",
        "79.8%",
        "412,345",
        "98,765",
        "4,321",
        "1,200",
        "3",
        "17",
        "1,380",
    ]


def test_at_80_columns_a_long_id_takes_a_line_of_its_own():
    lines = _wide_summary().table_lines(80)
    assert LONG in lines  # alone on its line, unbroken
    assert not any(LONG[:10] in line and line != LONG for line in lines)


def test_too_narrow_for_a_table_each_rule_is_a_paragraph_with_whole_numbers():
    lines = _wide_summary().table_lines(30)
    assert LONG in lines
    body = "\n".join(lines)
    # 1,234,567 met / (1,234,567 + 98,765 + 4,321 + 12 + 3) = 0.92292...: 92.3%
    for number in ("1,234,567", "98,765", "7,654,321", "92.3%"):
        assert number in body
        assert any(number in line for line in lines)  # on one line, never split
    assert all(line == line.rstrip() for line in lines)


# -- the summary cprules batch prints, at COLUMNS=80, 100 and 120 ---------------------------------


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A synthetic caseload of 300 cases (bench/caseload.py) under Stoke's pack, as JSON Lines."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("bench_caseload_cli", root / "bench" / "caseload.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("batch")
    source = folder / "caseload.jsonl"
    source.write_text("\n".join(module.caseload_lines(300)) + "\n", encoding="utf-8")
    summary = folder / "summary.json"
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli,
        ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--out", str(folder / "out.jsonl"),
         "--summary-json", str(summary), "-q"],
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    return {"source": source, "folder": folder, "data": json.loads(summary.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_the_batch_summary_keeps_every_number_whole_at(columns: int, batch_run: dict[str, Any]):
    source, folder, data = batch_run["source"], batch_run["folder"], batch_run["data"]
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(
        cli,
        ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--out", str(folder / "o.jsonl"),
         "--summary"],
    )  # fmt: skip
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert all(line == line.rstrip() for line in lines), "no trailing spaces"
    assert all(len(line) <= columns for line in lines)  # the first lines wrap at spaces too
    assert lines[0].startswith("300 cases under stoke 2017.8 as at 2024-06-01 in ")
    table = lines[next(n for n, line in enumerate(lines) if line.startswith("rule ")) :]
    ids = [rule["rule_id"] for rule in data["rules"]]
    headers, rows = _parse_table(table, ids)
    assert list(rows) == ids  # every rule, worst first, as the JSON ranks them
    for rule in data["rules"]:
        c = rule["counts"]
        judged = c["met"] + c["late"] + c["overdue"] + c["missed"]

        def share(part: int, whole: int) -> str:
            return "—" if whole == 0 else f"{int(Fraction(part * 1000, whole) + Fraction(1, 2)) / 10:.1f}%"

        late = rule["working_days_late"]
        expected = {
            "compliant": share(c["met"], judged + c["violated"]),
            "on time": share(c["met"], judged),
            "met": f"{c['met']:,}", "late": f"{c['late']:,}", "overdue": f"{c['overdue']:,}",
            "missed": f"{c['missed']:,}", "violated": f"{c['violated']:,}", "due": f"{c['due']:,}",
            "n/a": f"{c['not_applicable']:,}", "undet.": f"{c['undetermined']:,}",
            "median": "—" if late["median"] is None else f"{late['median']:g}",
            "worst": "—" if late["worst"] is None else f"{late['worst']:,}",
        }  # fmt: skip
        assert dict(zip(headers, rows[rule["rule_id"]], strict=True)) == {h: expected[h] for h in headers}
    # the Department's figures, and one sentence for each rule that answers one of their questions
    text = "\n".join(lines)
    assert "Department for Education figures, 1 April 2023 to 31 March 2024 (300 cases):" in text
    for rule_id in ("icpc-timescale", "first-review", "review-interval"):
        assert sum(line.startswith(f"{rule_id} (") for line in lines) == 1
    if columns == 120:
        assert "Left out" not in text or "median" in headers
