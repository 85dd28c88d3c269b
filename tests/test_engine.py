"""evaluate and evaluate_many: purity, every rule reporting, as_of, batches that lose nothing."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cprules
from cprules.findings import Report, Status
from cprules.testing import case_data as drawn_cases

STOKE = cprules.load_pack("stoke")

EVENTS: list[dict[str, Any]] = [
    {"id": "sd", "type": "strategy_discussion", "date": "2024-03-01", "s47": True},
    {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan", "quorate": True},
    {"id": "ps", "type": "plan_start", "date": "2024-03-19", "categories": ["neglect"]},
    {
        "id": "cg1",
        "type": "core_group",
        "date": "2024-04-05",
        "status": "held",
        "minutes_circulated": "2024-04-08",
        "absent_agency_reports": True,
    },
    {"id": "v1", "type": "visit", "date": "2024-04-10", "outcome": "seen", "seen_alone": True},
    {
        "id": "cg2",
        "type": "core_group",
        "date": "2024-05-03",
        "status": "held",
        "minutes_circulated": "2024-05-10",
        "absent_agency_reports": True,
    },
    {"id": "rc1", "type": "review_conference", "date": "2024-06-19", "outcome": "continue", "quorate": True},
]


def case_data(case_id: str = "A-17", events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"case_id": case_id, "child": {"date_of_birth": "2017-02-01"}, "events": events or EVENTS}


def test_report_carries_provenance_and_every_rule_reports() -> None:
    report = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=date(2024, 6, 30))
    assert (report.case_id, report.pack_id, report.pack_version) == ("A-17", "stoke", "2017.8")
    assert report.pack_digest == STOKE.digest
    assert set(report.engine_version) == {"cprules", "holidays"}
    assert {f.rule_id for f in report.findings} == set(STOKE.rule_ids)
    keys = [f.key for f in report.findings]
    assert len(keys) == len(set(keys))


def test_first_core_group_late_as_in_the_spec() -> None:
    report = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=date(2024, 6, 30))
    finding = next(f for f in report.findings if f.key == "first-core-group@ic#1")
    # Tue 19 Mar + 10 WD skipping Good Friday and Easter Monday = Thu 4 Apr; held Fri 5 Apr
    assert (finding.status, finding.due, finding.occurred_on) == (
        Status.LATE,
        date(2024, 4, 4),
        date(2024, 4, 5),
    )
    assert (finding.working_days_late, finding.calendar_days_late) == (1, 1)
    assert finding.evidence_events == ("cg1",)
    assert "skipping Good Friday 29 March and Easter Monday 1 April" in finding.explanation
    assert finding in report.breaches


def test_file_order_does_not_change_the_report() -> None:
    base = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=date(2024, 6, 30))
    shuffled = list(EVENTS)
    random.Random(7).shuffle(shuffled)
    again = cprules.evaluate(cprules.parse_case(case_data(events=shuffled)), STOKE, as_of=date(2024, 6, 30))
    assert again == base


def test_events_after_as_of_are_not_seen() -> None:
    as_of = date(2024, 4, 20)
    report = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=as_of)
    early = [e for e in EVENTS if e["date"] <= as_of.isoformat()]
    same = cprules.evaluate(cprules.parse_case(case_data(events=early)), STOKE, as_of=as_of)
    assert report.findings == same.findings


def test_upcoming_is_soonest_first_and_breaches_are_late_overdue_or_violated() -> None:
    report = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=date(2024, 6, 20))
    dues = [f.due for f in report.upcoming]
    assert dues == sorted(dues) and all(f.status is Status.DUE for f in report.upcoming)
    breach_statuses = (Status.LATE, Status.OVERDUE, Status.MISSED, Status.VIOLATED)
    assert all(f.status in breach_statuses for f in report.breaches)


def test_report_json_round_trip() -> None:
    report = cprules.evaluate(cprules.parse_case(case_data()), STOKE, as_of=date(2024, 6, 30))
    text = report.to_json()
    assert json.loads(text)["findings"][0]["rule_id"] == report.findings[0].rule_id
    assert Report.from_json(text) == report


def test_records_make_unrecorded_rules_undetermined_not_overdue() -> None:
    data = case_data(events=[e for e in EVENTS if e["type"] in ("strategy_discussion", "icpc", "plan_start")])
    data["records"] = [
        "strategy_discussion",
        "s47_outcome",
        "icpc",
        "plan_start",
        "plan_end",
        "review_conference",
    ]
    report = cprules.evaluate(cprules.parse_case(data), STOKE, as_of=date(2024, 6, 30))
    first_core_group = next(f for f in report.findings if f.rule_id == "first-core-group")
    assert first_core_group.status is Status.UNDETERMINED
    assert "does not record core groups" in first_core_group.explanation


def test_evaluate_many_yields_one_result_per_input_in_order() -> None:
    inputs: list[Any] = [
        case_data("good-1"),
        json.dumps(case_data("good-2")),
        {"case_id": "bad-1", "events": [{"type": "visit", "date": "not a date"}]},
        "{not json",
        cprules.parse_case(case_data("good-3")),
    ]
    results = list(cprules.evaluate_many(inputs, STOKE, as_of=date(2024, 6, 30)))
    assert [type(r).__name__ for r in results] == ["Report", "Report", "CaseError", "CaseError", "Report"]
    assert [getattr(r, "case_id", None) for r in results] == ["good-1", "good-2", "bad-1", None, "good-3"]


def test_a_failing_rule_becomes_an_evaluation_error_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cprules.engine as engine

    real = engine.evaluator

    def broken(kind: str) -> Any:
        if kind == "age_limit":

            def explode(rule: Any, timeline: Any, verdicts: Any) -> Any:
                if timeline.case.case_id == "boom":
                    raise ZeroDivisionError
                return real(kind)(rule, timeline, verdicts)

            return explode
        return real(kind)

    monkeypatch.setattr(engine, "evaluator", broken)
    results = list(
        cprules.evaluate_many(
            [case_data("ok-1"), case_data("boom"), case_data("ok-2")], STOKE, as_of=date(2024, 6, 30)
        )
    )
    assert [type(r).__name__ for r in results] == ["Report", "EvaluationError", "Report"]
    error = results[1]
    assert isinstance(error, cprules.EvaluationError)
    assert (error.case_id, error.rule_id) == ("boom", "age-limit")


def test_evaluate_many_with_workers_matches_one_process() -> None:
    inputs = [json.dumps(case_data(f"c-{i}")) for i in range(30)] + ['{"case_id": ""}']
    serial = list(cprules.evaluate_many(inputs, STOKE, as_of=date(2024, 6, 30)))
    parallel = list(cprules.evaluate_many(inputs, STOKE, as_of=date(2024, 6, 30), jobs=2, chunk_size=4))
    assert [r.to_json() if isinstance(r, Report) else str(r) for r in parallel] == [
        r.to_json() if isinstance(r, Report) else str(r) for r in serial
    ]
    assert isinstance(parallel[-1], cprules.CaseError)


def test_errors_survive_pickling_with_their_fields() -> None:
    import pickle

    error = cprules.CaseError("bad", case_id="A", path="events[1].date")
    again = pickle.loads(pickle.dumps(error))
    assert (again.case_id, again.path, str(again)) == ("A", "events[1].date", str(error))
    pack_error = pickle.loads(pickle.dumps(cprules.PackError("x", file="f", line=1, column=2, rule_id="r")))
    assert (pack_error.file, pack_error.line, pack_error.column, pack_error.rule_id) == ("f", 1, 2, "r")


# --- missed is a breach (SPEC §3) -------------------------------------------------------------------


def test_a_missed_finding_is_a_breach_in_the_report_and_in_its_json() -> None:
    # ICPC Tue 19 Mar + 10 WD (Good Friday, Easter Monday) = Thu 4 Apr; the plan ended Mon 8 Apr
    # (moved out, the receiving authority's conference held on Fri 5 Apr): Fri 5, Mon 8 = 2 WD
    events = [
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan", "quorate": True},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
        {"id": "mn", "type": "move_notified", "date": "2024-03-28", "permanent": True, "direction": "out"},
        {"id": "tc", "type": "transfer_in_conference", "date": "2024-04-05", "outcome": "plan"}
        | {"held_by": "receiving_authority"},
        {"id": "pe", "type": "plan_end", "date": "2024-04-08", "reason": "moved_out", "decided_at": "tc"},
    ]
    report = cprules.evaluate(cprules.parse_case(case_data(events=events)), STOKE, as_of=date(2025, 1, 1))
    missed = next(f for f in report.findings if f.key == "first-core-group@ic#1")
    assert (missed.status, missed.working_days_late, missed.is_breach) == (Status.MISSED, 2, True)
    assert missed in report.breaches
    assert json.loads(report.to_json())["findings"][report.findings.index(missed)]["status"] == "missed"
    assert Report.from_json(report.to_json()) == report
    # the plan ended: nothing of it is overdue
    assert not [f for f in report.findings if f.status is Status.OVERDUE]
    route = next(f for f in report.findings if f.rule_id == "cessation-route")
    assert (route.status, route.evidence_events) == (Status.MET, ("tc",))


def test_the_source_not_recording_a_field_is_said_in_words() -> None:
    data = case_data(events=[e for e in EVENTS if e["type"] in ("icpc", "plan_start", "core_group")])
    # a source that records core groups and whether they were held, but not their minutes
    data["records"] = ["icpc", "plan_start", "core_group.status"]
    report = cprules.evaluate(cprules.parse_case(data), STOKE, as_of=date(2024, 6, 30))
    minutes = next(f for f in report.findings if f.rule_id == "core-group-minutes")
    assert minutes.status is Status.UNDETERMINED
    assert minutes.explanation == (
        "The source does not record when the minutes were circulated, for core groups."
    )



def test_a_source_without_an_event_type_is_not_also_said_to_lack_its_fields() -> None:
    # worcestershire's s47-child-seen needs visits and their outcome; a source with no visits
    # at all is said to lack visits, not "visits, the outcome of the visit, for visits"
    case = cprules.parse_case(
        {
            "case_id": "W-1",
            "child": {"date_of_birth": "2017-09-14"},
            "records": ["strategy_discussion", "s47_outcome", "icpc", "plan_start", "plan_end"],
            "events": [
                {"id": "sd", "type": "strategy_discussion", "date": "2024-03-05", "s47": True},
                {"id": "ic", "type": "icpc", "date": "2024-03-26", "outcome": "plan"},
            ],
        }
    )
    report = cprules.evaluate(case, cprules.load_pack("worcestershire"), as_of=date(2024, 4, 30))
    seen = next(f for f in report.findings if f.rule_id == "s47-child-seen")
    assert seen.status is Status.UNDETERMINED
    assert seen.explanation == "The source does not record visits."

# --- another authority's conference is not ours (SPEC §4) --------------------------------------------


def test_the_receiving_authoritys_conference_attracts_none_of_this_authoritys_conference_rules() -> None:
    nelincs = cprules.load_pack("nelincs")
    events = [
        {"id": "ic", "type": "icpc", "date": "2024-01-08", "outcome": "plan", "prebirth": False,
         "votes": {"for_plan": 5, "against_plan": 1}, "minutes_circulated": "2024-01-30",
         "lead_social_worker_named": True, "categories": ["neglect"], "absent_agency_reports": True},
        {"id": "ps", "type": "plan_start", "date": "2024-01-08", "categories": ["neglect"]},
        {"id": "mn", "type": "move_notified", "date": "2024-03-01", "permanent": True, "direction": "out"},
        {"id": "tc", "type": "transfer_in_conference", "date": "2024-03-15", "outcome": "plan",
         "held_by": "receiving_authority"},
        {"id": "pe", "type": "plan_end", "date": "2024-03-18", "reason": "moved_out", "decided_at": "tc",
         "notifications_sent": "2024-03-19"},
    ]
    report = cprules.evaluate(cprules.parse_case(case_data(events=events)), nelincs, as_of=date(2024, 9, 1))
    on_tc = [f for f in report.findings if f.trigger_event == "tc"]
    assert on_tc == []  # no minutes owed, no votes, lead social worker, reports or categories asked
    route = next(f for f in report.findings if f.rule_id == "cessation-route")
    assert (route.status, route.evidence_events) == (Status.MET, ("tc",))
    # without held_by the same conference is taken as this authority's: its minutes are owed
    events[3] = {k: v for k, v in events[3].items() if k != "held_by"}
    report = cprules.evaluate(cprules.parse_case(case_data(events=events)), nelincs, as_of=date(2024, 9, 1))
    minutes = next(f for f in report.findings if f.key == "conference-minutes@tc#1")
    assert minutes.status is Status.OVERDUE


# --- one act, one breach: defers_to (SPEC §3) ----------------------------------------------------------


def _evaluate(events: list[dict[str, Any]], pack: cprules.Pack) -> Report:
    return cprules.evaluate(cprules.parse_case(case_data(events=events)), pack, as_of=date(2024, 6, 1))


def _pack(tmp_path: Any, rules: str) -> cprules.Pack:
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    (folder / "pack.yaml").write_text(
        "schema: 1\nid: p\ntitle: t\nversion: '1'\ncalendar: {country: GB, subdiv: ENG}\nrules:\n" + rules,
        encoding="utf-8",
    )
    return cprules.load_pack(folder)


_MINUTES_RULE = """
  - id: {id}
    kind: deadline
    title: Minutes within {days} working days
    severity: breach
    citation: c
    trigger: {{event: core_group, where: {{status: held}}}}
    expect: {{field: minutes_circulated}}
    within: {{working_days: {days}}}
    defers_to: [{defers}]
"""


def test_a_rule_defers_to_a_more_specific_one_on_the_same_event(tmp_path: Any) -> None:
    rules = _MINUTES_RULE.format(id="general", days=10, defers="specific") + _MINUTES_RULE.format(
        id="specific", days=3, defers=""
    )
    pack = _pack(tmp_path, rules)
    cg = {"id": "cg", "type": "core_group", "date": "2024-05-01", "status": "held"}
    cg["minutes_circulated"] = "2024-05-09"
    report = _evaluate([cg], pack)
    general, specific = report.findings
    # Wed 1 May + 3 WD (Mon 6 May a bank holiday) = Tue 7 May; sent Thu 9: 2 WD late
    assert (specific.key, specific.status, specific.working_days_late) == ("specific@cg#1", Status.LATE, 2)
    assert (general.key, general.status) == ("general@cg#1", Status.NOT_APPLICABLE)
    assert general.explanation == (
        "The core group cg on 2024-05-01 is reported under “Minutes within 3 working days”, the rule "
        "this one defers to: one act gives one finding."
    )
    assert report.breaches == [specific]


def test_deferring_follows_the_chain_and_a_cycle_leaves_one_rule_reporting(tmp_path: Any) -> None:
    cg = {"id": "cg", "type": "core_group", "date": "2024-05-01", "status": "held"}
    chain = (
        _MINUTES_RULE.format(id="a", days=5, defers="b, c")
        + _MINUTES_RULE.format(id="b", days=4, defers="c")
        + _MINUTES_RULE.format(id="c", days=3, defers="")
    )
    report = _evaluate([cg], _pack(tmp_path, chain))
    by_rule = {f.rule_id: f for f in report.findings}
    assert [by_rule[r].status for r in "abc"] == [
        Status.NOT_APPLICABLE,
        Status.NOT_APPLICABLE,
        Status.OVERDUE,
    ]
    to_c = "reported under “Minutes within 3 working days”"
    assert to_c in by_rule["a"].explanation and to_c in by_rule["b"].explanation
    cycle = _MINUTES_RULE.format(id="a", days=5, defers="b") + _MINUTES_RULE.format(
        id="b", days=4, defers="a"
    )
    report = _evaluate([cg], _pack(tmp_path, cycle))
    statuses = sorted(f.status.value for f in report.findings)
    assert statuses == ["not_applicable", "overdue"]  # one act: one finding reports it, not none


def test_a_rule_named_in_defers_to_that_is_missing_or_undetermined_is_passed_over(tmp_path: Any) -> None:
    rules = _MINUTES_RULE.format(id="a", days=5, defers="missing, b") + _MINUTES_RULE.format(
        id="b", days=4, defers=""
    )
    pack = _pack(tmp_path, rules)
    cg = {"id": "cg", "type": "core_group", "date": "2024-05-01"}  # no status: b is undetermined
    report = _evaluate([cg], pack)
    assert [f.status for f in report.findings] == [Status.UNDETERMINED, Status.UNDETERMINED]


QUORATE_CONTINUE = {"outcome": "continue", "quorate": True}
QUORATE_CEASE = {"outcome": "cease", "quorate": True}
ENDED_AT_RC2 = {"reason": "no_longer_at_risk", "decided_at": "rc2"}


def test_a_plan_ended_and_a_new_one_made_on_one_day_are_two_plans_with_their_own_verdicts() -> None:
    case = cprules.parse_case(
        {
            "case_id": "R-1",
            "child": {"date_of_birth": "2015-05-05"},
            "events": [
                {"id": "ic", "type": "icpc", "date": "2024-01-10", "outcome": "plan", "quorate": True},
                {"id": "ps1", "type": "plan_start", "date": "2024-01-10"},
                {"id": "rc1", "type": "review_conference", "date": "2024-04-08", **QUORATE_CONTINUE},
                {"id": "rc2", "type": "review_conference", "date": "2024-06-03", **QUORATE_CEASE},
                {"id": "pe1", "type": "plan_end", "date": "2024-06-03", **ENDED_AT_RC2},
                {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
            ],
        }
    )
    report = cprules.evaluate(case, cprules.load_pack("england"), as_of=date(2024, 7, 1))
    found = {f.key: f for f in report.findings}
    # plan 1 ended at a quorate review the same day: the route its reason needs
    assert found["cessation-route@pe1#1"].status is Status.MET
    # plan 1 ended before the 18th birthday (2033-05-05); plan 2 is open and runs to it
    assert found["age-limit@ps1#1"].status is Status.MET
    assert (found["age-limit@ps2#1"].status, found["age-limit@ps2#1"].due) == (Status.DUE, date(2033, 5, 5))
    # the next review after rc2 was owed by plan 1, which ended: not owed
    assert found["review-interval@rc2#1"].status is Status.NOT_APPLICABLE


def test_a_due_date_past_2100_is_undetermined_and_the_rest_of_the_report_stands() -> None:
    case = cprules.parse_case(
        {
            "case_id": "E-4",
            "child": {"date_of_birth": "2095-01-01"},
            "events": [
                {"id": "ic", "type": "icpc", "date": "2100-12-24", "outcome": "plan"},
                {"id": "ps", "type": "plan_start", "date": "2100-12-24"},
            ],
        }
    )
    report = cprules.evaluate(case, cprules.load_pack("england"), as_of=date(2100, 12, 31))
    by_rule = {f.rule_id: f for f in report.findings}
    # Fri 24 Dec 2100 + 10 WD: Mon 27 to Fri 31 Dec give at most 5, so day 10 is in 2101, whose
    # public holidays are not known: the rule cannot say when the first core group falls due
    first = by_rule["first-core-group"]
    assert (first.status, first.due) == (Status.UNDETERMINED, None)
    assert "1990 to 2100" in first.explanation
    # calendar months need no holidays: 24 Dec 2100 + 3 months = 24 Mar 2101, not yet due
    assert (by_rule["first-review"].status, by_rule["first-review"].due) == (Status.DUE, date(2101, 3, 24))
    # born 1 Jan 2095: 18 on 1 Jan 2113
    assert (by_rule["age-limit"].status, by_rule["age-limit"].due) == (Status.DUE, date(2113, 1, 1))


ENGLAND = cprules.load_pack("england")


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (({"case_id": "A"}, ENGLAND, date(2024, 6, 1)), "case"),
        (('{"case_id": "A"}', ENGLAND, date(2024, 6, 1)), "case"),
        ((None, ENGLAND, date(2024, 6, 1)), "case"),
        ((cprules.parse_case({"case_id": "A"}), "england", date(2024, 6, 1)), "pack"),
        ((cprules.parse_case({"case_id": "A"}), None, date(2024, 6, 1)), "pack"),
        ((cprules.parse_case({"case_id": "A"}), ENGLAND, "2024-06-01"), "as_of"),
        ((cprules.parse_case({"case_id": "A"}), ENGLAND, None), "as_of"),
        ((cprules.parse_case({"case_id": "A"}), ENGLAND, datetime(2024, 6, 1, 9, 30)), "as_of"),
    ],
)
def test_evaluate_names_the_argument_of_the_wrong_type(arguments: tuple[Any, Any, Any], named: str) -> None:
    case, pack, as_of = arguments
    with pytest.raises(TypeError, match=f"^evaluate\\(\\) argument '{named}' must be"):
        cprules.evaluate(case, pack, as_of=as_of)


@pytest.mark.parametrize("as_of", [date(1989, 12, 31), date(2101, 1, 1)])
def test_evaluate_refuses_a_report_date_outside_the_calendar(as_of: date) -> None:
    with pytest.raises(cprules.CalendarRangeError, match=r"1990-01-01\.\.2100-12-31"):
        cprules.evaluate(cprules.parse_case({"case_id": "A"}), ENGLAND, as_of=as_of)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(drawn_cases(pack=STOKE, episodes=(1, 2)), min_size=16, max_size=16), st.randoms())
def test_evaluate_is_thread_safe_over_one_pack(raw: list[dict[str, Any]], rng: random.Random) -> None:
    # 8 threads, each evaluating the whole caseload in its own order over one pack, each case
    # built fresh (so the timeline order worked out on first use is raced for too): the same
    # bytes as one thread gives.
    texts = [json.dumps({**data, "case_id": f"T-{n}"}) for n, data in enumerate(raw)]
    as_of = date(2016, 6, 1)
    expected = [cprules.evaluate(cprules.parse_case(text), STOKE, as_of=as_of).to_json() for text in texts]
    orders = [rng.sample(range(len(texts)), len(texts)) for _ in range(8)]
    start = threading.Barrier(8)

    def run(order: list[int]) -> list[str]:
        cases = [cprules.parse_case(texts[n]) for n in order]
        start.wait()  # all eight at once
        return [cprules.evaluate(case, STOKE, as_of=as_of).to_json() for case in cases]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, orders))
    for order, result in zip(orders, results, strict=True):
        assert result == [expected[n] for n in order]
