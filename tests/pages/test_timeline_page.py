"""The case timeline page, opened in a real headless Chromium with the network off: a marker per
finding with its status, the episodes, every event, the holidays that moved a due date,
keyboard focus, text alternatives, print, and nothing requested from anywhere."""

from __future__ import annotations

import json
import struct
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser import Browser
from click.testing import CliRunner

import cprules
from cprules.cli import cli
from cprules.findings import Finding, Report, Severity
from cprules.pages import render_timeline, timeline_page
from cprules.pages.templating import STATUS_LOOK

#: statuses of the SPEC, in a test's own words (the page must give each its own glyph)
SPEC_STATUSES = ("met", "late", "overdue", "missed", "due", "violated", "not_applicable", "undetermined")
#: the order the list below the chart gives them: what to act on first
SPEC_ORDER = ("overdue", "missed", "late", "violated", "due", "undetermined", "met", "not_applicable")


def _dated(report: Report, case: cprules.Case) -> list[Any]:
    """The findings that have a date to draw: a due date, a done date, or a trigger event that is
    in the timeline as at the report's date."""
    ids = {e.id for e in case.events if e.date <= report.as_of}
    return [f for f in report.findings if f.due or f.occurred_on or (f.trigger_event in ids)]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_long_case_page_in_a_browser(
    browser: Browser,
    long_case: dict[str, Any],
    long_case_as_of: date,
    page_file: Any,
    bank_holidays: dict[date, str],
    tmp_path: Path,
):
    pack = cprules.load_pack("stoke")
    case = cprules.parse_case(long_case)
    assert len(case.events) == 120 and len(case.episodes) == 2
    report = cprules.evaluate(case, pack, as_of=long_case_as_of)
    path = page_file("long.html", render_timeline(case, report, pack))
    page = browser.open(path, width=1280, height=1000)

    # nothing left the page: the only request is the page itself, and nothing failed to load
    assert page.requests() == [path.resolve().as_uri()]
    assert page.failed_loads() == []
    assert page.evaluate("document.scripts.length") == 0

    # every event on the axis, and the two plans as bands
    events = page.evaluate("[...document.querySelectorAll('circle.event')].map(e => e.dataset.id)")
    assert sorted(events) == sorted(e.id for e in case.events)
    bands = page.evaluate("[...document.querySelectorAll('g.episode')].map(g => g.dataset.number)")
    assert bands == ["1", "2"]

    # one marker per finding that has a date, carrying its status; none for the others
    markers = page.evaluate(
        "[...document.querySelectorAll('a.marker')].map(a => [a.dataset.key, a.dataset.status])"
    )
    dated = _dated(report, case)
    assert Counter(key for key, _ in markers) == Counter(f.key for f in dated)
    assert dict(markers) == {f.key: f.status.value for f in dated}
    assert len(dated) > 80  # the chart is busy: two years of core groups, their minutes and reports
    # and every finding, dated or not, in the list below with its status
    rows = page.evaluate(
        "[...document.querySelectorAll('tr.finding')].map(r => [r.dataset.key, r.dataset.status])"
    )
    assert sorted(map(tuple, rows)) == sorted((f.key, f.status.value) for f in report.findings)

    # each marker links to its finding in the list, which gives the explanation and the citation
    links = page.evaluate(
        """[...document.querySelectorAll('a.marker')].map(a => {
             const row = document.querySelector(a.getAttribute('href'));
             return [a.dataset.key, row.dataset.key, row.textContent];
           })"""
    )
    by_key = {f.key: f for f in report.findings}
    for key, row_key, row_text in links:
        assert row_key == key
        assert by_key[key].explanation in " ".join(row_text.split()) or by_key[key].explanation in row_text
        assert by_key[key].citation in row_text

    # text alternatives: the chart has a title and a description; each marker a label and a tooltip
    assert page.evaluate("document.querySelector('svg.chart > title').textContent").startswith(
        "Timeline of case"
    )
    labels = page.evaluate(
        "[...document.querySelectorAll('a.marker')].map(a => [a.getAttribute('aria-label'), "
        "a.querySelector('title').textContent])"
    )
    for (label, tooltip), finding in zip(labels, [by_key[k] for k, _ in markers], strict=True):
        assert finding.title in label and STATUS_LOOK[finding.status.value].label in label
        assert finding.explanation in tooltip and finding.citation in tooltip

    # colour is never the only signal: each status has a glyph of its own shape
    glyphs = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('a.marker')].map(a => "
        "[a.dataset.status, a.querySelector('use').getAttribute('href')]))"
    )
    assert len(set(glyphs.values())) == len(glyphs)
    assert len({STATUS_LOOK[s].glyph for s in SPEC_STATUSES}) == len(SPEC_STATUSES)
    assert page.evaluate(
        "[...new Set([...document.querySelectorAll('symbol')].map(s => s.id))].length"
    ) >= len(SPEC_STATUSES)

    # keyboard: from the top of the page the Tab key reaches the chart (past the skip link and the
    # overdue list), and every marker takes the focus
    reached = None
    for _ in range(40):
        page.press_tab()
        reached = page.evaluate(
            "document.activeElement.classList.contains('marker') && document.activeElement.dataset.key"
        )
        if reached:
            break
    assert reached in by_key
    focusable = page.evaluate(
        "[...document.querySelectorAll('a.marker')]"
        ".every(a => { a.focus(); return document.activeElement === a; })"
    )
    assert focusable

    # the bank holidays that moved a due date of a working-day rule, from the gov.uk list
    # (the stoke and england rules whose periods are in working days, read from their pack.yaml)
    working_day_rules = {
        "icpc-timescale", "first-core-group", "core-group-minutes", "seen-alone", "cessation-notifications",
        "transfer-in-conference", "unseen-escalation", "interim-care-order-discharge",
        "removed-from-accommodation",
    }  # fmt: skip
    trigger_dates = {e.id: e.date for e in case.events}
    expected = set()
    for finding in report.findings:
        if finding.rule_id in working_day_rules and finding.due and finding.trigger_event in trigger_dates:
            start = trigger_dates[finding.trigger_event]
            expected |= {d for d in bank_holidays if start < d <= finding.due and d.weekday() < 5}
    shaded = page.evaluate("[...document.querySelectorAll('rect.holiday')].map(r => r.dataset.date)")
    assert sorted(shaded) == sorted(d.isoformat() for d in expected)
    # Good Friday and Easter Monday 2024 moved the first core group's due date (19 Mar + 10 WD = 4 Apr)
    assert {"2024-03-29", "2024-04-01"} <= set(shaded)

    # the overdue findings come first, in due order, in the box at the top
    needs = page.evaluate("[...document.querySelectorAll('.needs li a')].map(a => a.getAttribute('href'))")
    overdue = sorted((f for f in report.findings if f.status.value == "overdue"), key=lambda f: f.due)
    anchors = {
        f.key: a for f, a in ((e.finding, "#" + e.anchor) for e in timeline_page(case, report, pack).entries)
    }
    assert needs == [anchors[f.key] for f in overdue]

    # a screenshot as a test artefact (under tmp_path, never committed)
    shot = page.screenshot(tmp_path / "timeline-long.png")
    width, height = _png_size(shot)
    assert width == 1280 and height > 1000

    # printed: the chart and the list are there, the links back to the chart are not
    page.print_media()
    assert page.evaluate("getComputedStyle(document.querySelector('svg.chart')).display") != "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.back')).display") == "none"
    pdf = page.pdf(tmp_path / "timeline-long.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_a_case_with_no_findings_and_no_events_renders(browser: Browser, page_file: Any, tmp_path: Path):
    pack = cprules.load_pack("england")
    case = cprules.parse_case({"case_id": "EMPTY"})
    empty = Report(case_id="EMPTY", pack_id=pack.id, pack_version=pack.version, pack_digest=pack.digest,
                   engine_version={}, as_of=date(2024, 6, 1), findings=())  # fmt: skip
    page = browser.open(page_file("empty.html", render_timeline(case, empty, pack)))
    assert page.requests() == [(tmp_path / "empty.html").resolve().as_uri()]
    text = page.evaluate("document.body.innerText")
    assert "No findings" in text and "Nothing to draw" in text
    assert page.evaluate("document.querySelectorAll('a.marker, g.episode, circle.event').length") == 0
    page.screenshot(tmp_path / "timeline-empty.png")
    # the same case as the engine sees it: every rule not applicable, none with a date to draw
    report = cprules.evaluate(case, pack, as_of=date(2024, 6, 1))
    page = browser.open(page_file("na.html", render_timeline(case, report, pack)))
    statuses = page.evaluate("[...document.querySelectorAll('tr.finding')].map(r => r.dataset.status)")
    assert statuses == ["not_applicable"] * len(pack.rules)
    assert page.evaluate("document.querySelectorAll('a.marker').length") == 0


def test_hostile_text_in_a_case_stays_text(browser: Browser, page_file: Any):
    pack = cprules.load_pack("england")
    hostile = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
    case = cprules.parse_case(
        {"case_id": hostile, "events": [
            {"id": '"><svg onload=alert(1)>', "type": "strategy_discussion", "date": "2024-05-06",
             "s47": True}]}
    )  # fmt: skip
    report = cprules.evaluate(case, pack, as_of=date(2024, 6, 1))
    html = render_timeline(case, report, pack)
    assert "<script>" not in html and "<img" not in html
    page = browser.open(page_file("hostile.html", html))
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('img, svg svg').length") == 0
    assert page.evaluate("document.querySelector('h1').textContent") == f"Case {hostile}"
    assert page.requests() == [page.requests()[0]] and page.requests()[0].startswith("file://")


def test_the_timeline_command_writes_the_page(
    tmp_path: Path, long_case: dict[str, Any], long_case_as_of: date
):
    source = tmp_path / "case.json"
    source.write_text(json.dumps(long_case), encoding="utf-8")
    out = tmp_path / "case.html"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "timeline",
            str(source),
            "--pack",
            "stoke",
            "--as-of",
            long_case_as_of.isoformat(),
            "--html",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    pack = cprules.load_pack("stoke")
    case = cprules.parse_case(long_case)
    assert html == render_timeline(case, cprules.evaluate(case, pack, as_of=long_case_as_of), pack)
    assert f"{out}: " in result.stderr and "findings" in result.stderr
    # - writes the page to standard output
    result = runner.invoke(
        cli,
        ["timeline", str(source), "--pack", "stoke", "--as-of", long_case_as_of.isoformat(), "--html", "-"],
    )
    assert result.exit_code == 0 and result.stdout == html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pack", "stoke"], "Missing option '--html'"),
        (["--pack", "nosuchpack", "--html", "x.html"], "nosuchpack"),
    ],
)
def test_the_timeline_command_refuses_bad_input(tmp_path: Path, args: list[str], message: str):
    source = tmp_path / "case.yaml"
    source.write_text("case_id: A\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["timeline", str(source), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_timeline_command_will_not_write_over_the_case(tmp_path: Path):
    source = tmp_path / "case.yaml"
    source.write_text("case_id: A\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["timeline", str(source), "--pack", "england", "--html", str(source)])
    assert result.exit_code == 2 and "--html is the case file" in result.stderr
    assert source.read_text(encoding="utf-8") == "case_id: A\n"


def _finding(status: str, **fields: Any) -> Finding:
    values: dict[str, Any] = {
        "key": f"{status}-rule@ic#1", "rule_id": f"{status}-rule", "title": f"A rule that is {status}",
        "kind": "deadline", "severity": Severity.BREACH, "status": status, "due": None, "occurred_on": None,
        "working_days_late": None, "calendar_days_late": None, "trigger_event": "ic", "evidence_events": (),
        "citation": f"Procedure, para {status}", "explanation": f"It is {status}.",
    }  # fmt: skip
    values.update(fields)
    return Finding(**values)


def test_every_status_has_its_own_glyph_and_its_lateness_is_drawn_to_scale(browser: Browser, page_file: Any):
    """One finding of each status (missed given by its value: the engine may not have it yet)."""
    pack = cprules.load_pack("england")
    case = cprules.parse_case(
        {"case_id": "ALL", "events": [{"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"}]}
    )
    due = date(2024, 4, 4)  # Tue 19 Mar + 10 WD, skipping Good Friday and Easter Monday
    findings = (
        _finding("met", due=due, occurred_on=date(2024, 4, 2)),
        _finding("late", due=due, occurred_on=date(2024, 4, 5), working_days_late=1, calendar_days_late=1),
        _finding("overdue", due=due, working_days_late=41),
        # the window closed 5 working days after the due date: Fri 5, Mon 8, Tue 9, Wed 10, Thu 11 Apr
        _finding("missed", due=due, working_days_late=5),
        _finding("due", due=date(2024, 6, 10)),
        _finding("violated", occurred_on=date(2024, 5, 1)),
        _finding("not_applicable"),
        _finding("undetermined"),
    )
    report = Report(case_id="ALL", pack_id=pack.id, pack_version=pack.version, pack_digest=pack.digest,
                    engine_version={}, as_of=date(2024, 6, 3), findings=findings)  # fmt: skip
    page = browser.open(page_file("all.html", render_timeline(case, report, pack)))
    markers = page.evaluate(
        """Object.fromEntries([...document.querySelectorAll('a.marker')].map(a => [a.dataset.status, {
             glyph: a.querySelector('use').getAttribute('href'),
             x: Number(a.querySelector('use').getAttribute('x')) + 7,
             bar: [...a.querySelectorAll('rect:not(.hit)')].map(r => [Number(r.getAttribute('x')),
                    Number(r.getAttribute('width'))])[0] ?? null}]))"""
    )
    assert sorted(markers) == sorted(SPEC_STATUSES)
    assert len({m["glyph"] for m in markers.values()}) == len(SPEC_STATUSES)  # a shape per status
    # the late bar runs from the due date (Thu 4 Apr) to the day it was done (Fri 5 Apr): one day
    day = markers["late"]["bar"][1]
    assert day > 0 and markers["late"]["x"] == pytest.approx(markers["late"]["bar"][0] + day, abs=0.2)
    # missed: from the due date to the day the window closed, Thu 11 Apr, 7 calendar days on
    assert markers["missed"]["bar"][0] == pytest.approx(markers["late"]["bar"][0], abs=0.2)
    # (positions are drawn to a tenth of a unit: the widths agree to that)
    assert markers["missed"]["bar"][1] == pytest.approx(7 * day, rel=0.03)
    # overdue: from the due date to the as-at date, Mon 3 Jun: 60 days on
    assert markers["overdue"]["bar"][1] == pytest.approx(60 * day, rel=0.03)
    assert markers["met"]["bar"] is None and markers["due"]["bar"] is None  # nothing late to draw
    # each one, in words, in the list
    words = page.evaluate("[...document.querySelectorAll('tr.finding')].map(r => r.innerText)")
    for finding, text in zip(
        sorted(findings, key=lambda f: SPEC_ORDER.index(str(f.status))), words, strict=True
    ):
        assert finding.explanation in text and finding.citation in text
    assert "5 working days late when the window closed" in " ".join(words)
