"""bench/caseload.py: the benchmark's synthetic caseload is seed-stable and marks another
authority's conference as the engine reads it (SPEC §4, "Another authority's conference")."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

from cprules import evaluate, load_pack, parse_case

ROOT = Path(__file__).resolve().parents[1]


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_caseload_gen", ROOT / "bench" / "caseload.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES: list[dict[str, Any]] = list(_module().caseload(300, seed=2024))


def _moved_out() -> list[dict[str, Any]]:
    return [
        case
        for case in CASES
        if any(e["type"] == "plan_end" and e.get("reason") == "moved_out" for e in case["events"])
    ]


def test_the_same_seed_gives_the_same_caseload() -> None:
    assert list(_module().caseload_lines(50, seed=7)) == list(_module().caseload_lines(50, seed=7))
    assert list(_module().caseload_lines(50, seed=7)) != list(_module().caseload_lines(50, seed=8))


def test_a_move_out_ends_at_the_receiving_authoritys_transfer_in_conference() -> None:
    moved = _moved_out()
    assert moved, "the caseload should hold some moves out"
    for case in moved:
        transfers = [e for e in case["events"] if e["type"] == "transfer_in_conference"]
        assert len(transfers) == 1
        assert transfers[0]["held_by"] == "receiving_authority"


def test_no_conference_rule_of_ours_reports_on_the_receiving_authoritys_conference() -> None:
    # nelincs' minutes rule once gave an overdue breach for a conference it never held; the
    # transfer-in conference stays evidence of the move-out route (cessation-route is met)
    pack = load_pack("nelincs")
    as_of = date(2024, 6, 1)
    ended = [
        data
        for data in _moved_out()
        if all(e["type"] != "plan_end" or date.fromisoformat(e["date"]) <= as_of for e in data["events"])
    ]
    assert len(ended) >= 5
    for data in ended[:10]:
        case = parse_case(data)
        transfer = next(e["id"] for e in data["events"] if e["type"] == "transfer_in_conference")
        report = evaluate(case, pack, as_of=as_of)
        on_transfer = [f for f in report.findings if f.trigger_event == transfer]
        assert all(f.rule_id == "cessation-route" for f in on_transfer), [f.key for f in on_transfer]
        route = [f for f in report.findings if f.rule_id == "cessation-route"]
        assert any(transfer in f.evidence_events and f.status.value == "met" for f in route)
