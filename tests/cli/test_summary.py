"""cprules.summary: counts per status, % on time to one decimal, median and worst lateness."""

from __future__ import annotations

from datetime import date

from cprules.errors import CaseError, EvaluationError
from cprules.findings import Finding, Report, Severity, Status
from cprules.summary import ComplianceSummary, percent


def finding(
    rule: str, status: Status, late: int | None = None, severity: Severity = Severity.BREACH
) -> Finding:
    return Finding(
        key=f"{rule}@x#1",
        rule_id=rule,
        title=rule.title(),
        kind="deadline",
        severity=severity,
        status=status,
        due=None,
        occurred_on=None,
        working_days_late=late,
        calendar_days_late=None,
        trigger_event=None,
        evidence_events=(),
        citation="c",
        explanation="e",
    )


def report(*findings: Finding) -> Report:
    return Report(
        case_id="A",
        pack_id="p",
        pack_version="1",
        pack_digest="",
        engine_version={},
        as_of=date(2024, 6, 1),
        findings=findings,
    )


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(2, 3) == 66.7
    assert percent(1, 3) == 33.3
    assert percent(1, 16) == 6.3  # 6.25: half up, where float rounding would give 6.2
    assert percent(1, 8) == 12.5
    assert percent(5, 5) == 100.0
    assert percent(0, 4) == 0.0
    assert percent(0, 0) is None


def test_on_time_is_met_over_met_late_and_overdue():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.MET), finding("r", Status.LATE, 2), finding("r", Status.DUE)))
    summary.add(report(finding("r", Status.OVERDUE, 7), finding("r", Status.NOT_APPLICABLE)))
    tally = summary.rule("r")
    # met 1 / (met 1 + late 1 + overdue 1): due and n/a do not count
    assert tally.percent_on_time == 33.3
    assert tally.counts[Status.DUE] == 1 and tally.findings == 5


def test_median_and_worst_working_days_late_over_late_and_overdue():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.LATE, 1), finding("r", Status.LATE, 4)))
    summary.add(report(finding("r", Status.OVERDUE, 10), finding("r", Status.LATE, 4)))
    tally = summary.rule("r")
    assert tally.median_working_days_late == 4  # 1, 4, 4, 10: the middle two are 4 and 4
    assert tally.worst_working_days_late == 10
    summary.add(report(finding("r", Status.LATE, 11)))
    assert tally.median_working_days_late == 4  # 1, 4, 4, 10, 11
    summary.add(report(finding("r", Status.LATE, 12)))
    assert tally.median_working_days_late == 7  # 1, 4, 4, 10, 11, 12: (4 + 10) / 2


def test_an_even_median_can_end_in_a_half():
    summary = ComplianceSummary()
    summary.add(report(finding("r", Status.LATE, 1), finding("r", Status.LATE, 2)))
    assert summary.rule("r").median_working_days_late == 1.5


def test_nothing_due_gives_none():
    summary = ComplianceSummary([("r", "R", "breach")])
    tally = summary.rule("r")
    assert (tally.percent_on_time, tally.median_working_days_late, tally.worst_working_days_late) == (
        None,
    ) * 3


def test_cases_errors_and_breaches_are_counted():
    summary = ComplianceSummary([("b", "B", "breach"), ("a", "A", "breach")])
    summary.add(report(finding("a", Status.LATE, 1)))
    summary.add(report(finding("a", Status.LATE, 1, severity=Severity.WARNING)))  # a warning: no breach
    summary.add(CaseError("bad", case_id="X"))
    summary.add(EvaluationError("failed", case_id="Y", rule_id="a"))
    assert (summary.cases, summary.reports, summary.case_errors, summary.evaluation_errors) == (4, 2, 1, 1)
    assert summary.cases_with_breach == 1
    assert [t.rule_id for t in summary.rules] == ["b", "a"]  # the pack's order, given up front
    data = summary.to_dict()
    assert data["rules"][1]["counts"]["late"] == 2 and data["rules"][0]["percent_on_time"] is None


def test_a_summary_from_report_text_equals_one_from_reports() -> None:
    from datetime import date

    import cprules
    from cprules.engine import ReportText
    from cprules.summary import ComplianceSummary

    pack = cprules.load_pack("stoke")
    lines = [
        '{"case_id": "A", "events": [{"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},'
        ' {"id": "ps", "type": "plan_start", "date": "2024-03-19"}]}',
        '{"case_id": "B"}',
        '{"case_id": ""}',
    ]
    from_reports = ComplianceSummary((r.id, r.title, r.severity) for r in pack.rules)
    from_texts = ComplianceSummary((r.id, r.title, r.severity) for r in pack.rules)
    for result in cprules.evaluate_many(lines, pack, as_of=date(2024, 6, 1)):
        from_reports.add(result)
        from_texts.add(ReportText.of(result) if isinstance(result, cprules.Report) else result)
    assert from_texts.to_dict() == from_reports.to_dict()
    assert from_texts.cases_with_breach == 1
