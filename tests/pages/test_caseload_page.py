"""The caseload page, opened in a real headless Chromium with the network off: the rules worst
first with their counts, the overdue list in due order, the Department's figures, links to the
citations, nothing requested from anywhere; for 50,000 cases, and from ``cprules batch``."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import multiprocessing
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
from browser import Browser
from click.testing import CliRunner

import cprules
from cprules.cli import cli
from cprules.pages import render_caseload
from cprules.summary import ComplianceSummary, summary_json_schema

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 6, 1)
CASES = 50_000
CHUNK = 2_500
OVERDUE_LIMIT = 1_000
HOSTILE = "<script>alert('x')</script> Zoë §3"

_spec = importlib.util.spec_from_file_location("bench_caseload", ROOT / "bench" / "caseload.py")
assert _spec is not None and _spec.loader is not None
bench_caseload = importlib.util.module_from_spec(_spec)
sys.modules["bench_caseload"] = bench_caseload
_spec.loader.exec_module(bench_caseload)


def _chunk(start: int) -> ComplianceSummary:
    """Cases ``start`` to ``start + CHUNK - 1`` of the benchmark's synthetic caseload (a seed per
    chunk), evaluated and summed into one summary (run in a worker process)."""
    pack = cprules.load_pack("england")
    summary = ComplianceSummary.for_pack(pack, as_of=AS_OF, department_year=2024, overdue_limit=OVERDUE_LIMIT)
    rng = random.Random(2024 + start)
    for number in range(start, start + CHUNK):
        case = cprules.parse_case(bench_caseload.synthetic_case(rng, number))
        summary.add_case(case)
        summary.add(cprules.evaluate(case, pack, as_of=AS_OF))
    return summary


def _expected_order(data: dict[str, Any]) -> list[str]:
    """Worst first, worked out from the counts alone: lowest % compliant (exactly, as a fraction),
    then most breaches, then the pack's order; rules with nothing judged last."""
    pack_order = [rule.id for rule in cprules.load_pack("england").rules]

    def key(rule: dict[str, Any]) -> tuple[bool, float, int, int]:
        c = rule["counts"]
        judged = c["met"] + c["late"] + c["overdue"] + c["missed"] + c["violated"]
        breaches = judged - c["met"]
        return (
            judged == 0,
            c["met"] / judged if judged else 0.0,
            -breaches,
            pack_order.index(rule["rule_id"]),
        )

    return [rule["rule_id"] for rule in sorted(data["rules"], key=key)]


def test_a_50000_case_caseload_page_in_a_browser(browser: Browser, page_file: Any, tmp_path: Path):
    pack = cprules.load_pack("england")
    summary = ComplianceSummary.for_pack(pack, as_of=AS_OF, department_year=2024, overdue_limit=OVERDUE_LIMIT)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        for part in pool.map(_chunk, range(0, CASES, CHUNK)):
            summary.merge(part)
    assert summary.cases == summary.reports == CASES
    data = summary.to_dict()
    jsonschema.validate(data, summary_json_schema())

    html = render_caseload(summary)
    # the page holds the aggregates and the bounded overdue list, not the findings
    assert len(html.encode()) < 1_500_000
    path = page_file("caseload-50000.html", html)
    page = browser.open(path, width=1280, height=1000)
    assert page.requests() == [path.resolve().as_uri()]
    assert page.failed_loads() == []
    assert page.evaluate("document.scripts.length") == 0

    # a row per rule, worst first, with its counts as the summary has them
    rows = page.evaluate(
        """[...document.querySelectorAll('tr.rule-row')].map(r => [r.dataset.rule,
             Object.fromEntries([...r.querySelectorAll('td[data-status]')].map(
               td => [td.dataset.status, Number(td.textContent.replace(/,/g, ''))]))])"""
    )
    assert [rule_id for rule_id, _ in rows] == _expected_order(data)
    counts = {rule["rule_id"]: rule["counts"] for rule in data["rules"]}
    for rule_id, shown in rows:
        assert shown == {status: counts[rule_id][status] for status in shown}
        assert {"met", "late", "overdue"} <= set(shown)
    # each bar's parts are the statuses that count against the rule, in proportion
    segments = page.evaluate(
        """[...document.querySelectorAll('tr.rule-row')].map(r => [r.dataset.rule,
             [...r.querySelectorAll('rect.segment')].map(
               s => [s.dataset.status, Number(s.getAttribute('width'))])])"""
    )
    for rule_id, parts in segments:
        c = counts[rule_id]
        judged = c["met"] + c["late"] + c["overdue"] + c["missed"] + c["violated"]
        for status, width in parts:
            assert abs(width - 260 * c[status] / judged) < 0.02

    # every rule links to its citation
    links = page.evaluate(
        """[...document.querySelectorAll('tr.rule-row td.rule a')].map(a => {
             const target = document.querySelector(a.getAttribute('href'));
             return [a.textContent, target.nextElementSibling.textContent];
           })"""
    )
    citations = {rule.id: rule.citation for rule in pack.rules}
    assert {rule_id: text for rule_id, text in links} == citations

    # the overdue list: the oldest 1,000 of them all, in due order
    overdue = page.evaluate(
        "[...document.querySelectorAll('tr.overdue-item')]"
        ".map(r => [r.dataset.due, r.dataset.case, r.dataset.key])"
    )
    assert summary.overdue_total > OVERDUE_LIMIT
    assert len(overdue) == OVERDUE_LIMIT
    assert [due for due, _, _ in overdue] == sorted(due for due, _, _ in overdue)
    assert overdue == [[item["due"], item["case_id"], item["key"]] for item in data["overdue"]["items"]]
    assert f"The 1,000 oldest of {summary.overdue_total:,} are listed" in page.evaluate(
        "document.body.innerText"
    )

    # the Department's figures, each with its definition, for the year to 31 March 2024
    figures = page.evaluate("[...document.querySelectorAll('tr[data-figure]')].map(r => r.dataset.figure)")
    assert figures == [f["key"] for f in data["department"]["figures"]]
    text = page.evaluate("document.body.innerText")
    assert "1 April 2023 to 31 March 2024" in text
    assert "icpc-timescale (" in text and "counts only those held from 1 April 2023 to 31 March 2024" in text

    shot = page.screenshot(tmp_path / "caseload-50000.png")
    assert shot.stat().st_size > 50_000
    page.print_media()
    assert page.pdf(tmp_path / "caseload-50000.pdf").read_bytes()[:5] == b"%PDF-"


def test_an_empty_caseload_page_renders(browser: Browser, page_file: Any, tmp_path: Path):
    summary = ComplianceSummary.for_pack(cprules.load_pack("england"), as_of=AS_OF, department_year=2024)
    page = browser.open(page_file("empty.html", render_caseload(summary)))
    text = page.evaluate("document.body.innerText")
    assert "Nothing is overdue." in text and "Nothing was late, overdue or missed." in text
    # every rule listed, none judged
    assert page.evaluate("document.querySelectorAll('tr.rule-row').length") == len(summary.rules)
    assert page.evaluate("document.querySelectorAll('rect.segment').length") == 0
    page.screenshot(tmp_path / "caseload-empty.png")


# -- from the command line ------------------------------------------------------------------------


def _caseload_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "caseload.jsonl"
    lines = list(bench_caseload.caseload_lines(count - 1))
    # a hostile case id must stay text on the page: a case whose ICPC is overdue, so that it is on
    # the overdue list (Mon 6 May 2024 + 15 WD, skipping the bank holiday on 27 May = Tue 28 May)
    hostile = {
        "case_id": HOSTILE,
        "events": [{"type": "strategy_discussion", "date": "2024-05-06", "s47": True}],
    }
    lines.insert(0, json.dumps(hostile, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batch_writes_the_page_and_the_summary_json(browser: Browser, tmp_path: Path):
    source = _caseload_file(tmp_path, 150)
    html, summary_json, out = tmp_path / "page.html", tmp_path / "summary.json", tmp_path / "out.jsonl"
    result = CliRunner(env={"COLUMNS": "100"}).invoke(
        cli,
        ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--out", str(out),
         "--html", str(html), "--summary-json", str(summary_json), "--year", "2024"],
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr  # the synthetic caseload has breaches
    data = json.loads(summary_json.read_text(encoding="utf-8"))
    jsonschema.validate(data, summary_json_schema())
    assert data["cases"] == 150 and data["department"]["year"] == 2024
    # the same figures as the library gives from the results file
    pack = cprules.load_pack("stoke")
    again = ComplianceSummary.for_pack(pack, as_of=AS_OF, department_year=2024)
    for line in source.read_text(encoding="utf-8").splitlines():
        case = cprules.parse_case(line)
        again.add_case(case)
        again.add(cprules.evaluate(case, pack, as_of=AS_OF))
    expected = again.to_dict()
    assert data["rules"] == expected["rules"] and data["department"] == expected["department"]
    assert data["overdue"] == expected["overdue"]
    assert html.read_text(encoding="utf-8") == render_caseload(again)

    page = browser.open(html)
    assert page.requests() == [html.resolve().as_uri()]
    assert page.evaluate("document.scripts.length") == 0
    assert [r["rule_id"] for r in data["rules"]] == page.evaluate(
        "[...document.querySelectorAll('tr.rule-row')].map(r => r.dataset.rule)"
    )
    overdue_cases = page.evaluate(
        "[...document.querySelectorAll('tr.overdue-item')].map(r => r.dataset.case)"
    )
    assert HOSTILE in overdue_cases
    page.screenshot(tmp_path / "caseload-cli.png")


def test_batch_refuses_to_write_two_outputs_to_one_file(tmp_path: Path):
    source = _caseload_file(tmp_path, 2)
    same = tmp_path / "x.html"
    for args, message in (
        (["--out", str(same), "--html", str(same)], "--html is --out"),
        (["--html", str(source)], "--html is the input file"),
        (
            ["--summary-json", "-", "--out", "-"],
            "--out and --summary-json cannot both write to standard output",
        ),
    ):
        result = CliRunner().invoke(cli, ["batch", str(source), "--pack", "england", *args])
        assert result.exit_code == 2, args
        assert message in result.stderr


def test_csv_files_open_in_excel_with_a_byte_order_mark(tmp_path: Path):
    source = _caseload_file(tmp_path, 3)
    out = tmp_path / "out.csv"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--out", str(out)]
    )
    assert result.exit_code == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads § and ë as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["case_id"] == HOSTILE
    # formula escaping stays: nothing a spreadsheet would run
    assert all(not str(value).startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    # --no-bom for a program that reads plain UTF-8; standard output never has one
    result = runner.invoke(
        cli, ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--out", str(out), "--no-bom"]
    )
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(
        cli, ["batch", str(source), "--pack", "stoke", "--as-of", "2024-06-01", "--format", "csv", "-q"]
    )
    assert not result.stdout_bytes.startswith(b"\xef\xbb\xbf") and result.stdout.startswith("case_id,")
