"""Properties of single rules found while building the testing kit (each states what must hold).

A test marked xfail(strict=True) states a property the engine breaks today: the reason names
the bug. When the bug is fixed the test passes, strict xfail fails the run, and the mark goes.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest
from _budget import KNOWN_BUG_PHASES, budget
from hypothesis import given
from hypothesis import strategies as st

from cprules import EvaluationError, Pack, Status, bundled_pack_ids, evaluate, load_pack, parse_case
from cprules.testing import dates


@cache
def pack_named(pack_id: str) -> Pack:
    return load_pack(pack_id)


def icpc_occurrence(pack_id: str) -> str | None:
    pack = pack_named(pack_id)
    if "icpc-timescale" not in pack.rule_ids:
        return None
    return str(getattr(pack.rule("icpc-timescale"), "occurrence", None))


@pytest.mark.parametrize(
    "pack_id",
    [p for p in bundled_pack_ids() if icpc_occurrence(p) is not None],
)
@budget(20, phases=KNOWN_BUG_PHASES)
@given(
    start=dates(date(2016, 1, 1), date(2029, 12, 31)),
    concluded_after=st.integers(1, 10),
    gap=st.integers(20, 200),
    held_after=st.integers(1, 40),
)
def test_a_new_enquiry_after_one_that_needed_no_conference_gets_its_own_icpc_deadline(
    pack_id: str, start: date, concluded_after: int, gap: int, held_after: int
) -> None:
    pack = pack_named(pack_id)
    calendar = pack.calendar
    concluded = calendar.add_working_days(start, concluded_after)
    second = concluded + timedelta(days=gap)
    held = calendar.add_working_days(second, held_after)
    case = parse_case(
        {
            "case_id": "E-2",
            "events": [
                {"id": "sd1", "type": "strategy_discussion", "date": start.isoformat(), "s47": True},
                {"id": "so1", "type": "s47_outcome", "date": concluded.isoformat(), "icpc_required": False},
                {"id": "sd2", "type": "strategy_discussion", "date": second.isoformat(), "s47": True},
                {"id": "ic", "type": "icpc", "date": held.isoformat(), "outcome": "plan"},
            ],
        }
    )
    report = evaluate(case, pack, as_of=held + timedelta(days=1))
    timescale = [f for f in report.findings if f.rule_id == "icpc-timescale" and f.trigger_event == "sd2"]
    assert len(timescale) == 1, [f.explanation for f in report.findings if f.rule_id == "icpc-timescale"]
    [finding] = timescale
    assert finding.due == calendar.add_working_days(second, 15)
    assert finding.status is (Status.MET if held_after <= 15 else Status.LATE)


@pytest.mark.parametrize(
    ("pack_id", "rule_id"), [("stoke", "unseen-escalation"), ("jersey", "unseen-manager-informed")]
)
@budget(20)
@given(
    start=dates(date(2016, 1, 1), date(2029, 12, 31)),
    visit_after=st.integers(1, 60),
    outcome=st.sampled_from(["no_access", "refused"]),
)
def test_an_escalation_within_its_period_is_met_even_when_the_plan_ended_that_day(
    pack_id: str, rule_id: str, start: date, visit_after: int, outcome: str
) -> None:
    pack = pack_named(pack_id)
    calendar = pack.calendar
    held = calendar.add_working_days(start, 1)
    visited = held + timedelta(days=visit_after)
    told = calendar.add_working_days(visited, 1)  # the next working day: on time (within 1)
    case = parse_case(
        {
            "case_id": "E-3",
            "events": [
                {"id": "ic", "type": "icpc", "date": held.isoformat(), "outcome": "plan"},
                {"id": "ps", "type": "plan_start", "date": held.isoformat()},
                {
                    "id": "v",
                    "type": "visit",
                    "date": visited.isoformat(),
                    "outcome": outcome,
                    "by": "lead_social_worker",
                },
                {"id": "pe", "type": "plan_end", "date": visited.isoformat(), "reason": "moved_out"},
                {"id": "es", "type": "escalation", "date": told.isoformat(), "to": "line_manager"},
            ],
        }
    )
    report = evaluate(case, pack, as_of=told + timedelta(days=30))
    [finding] = [f for f in report.findings if f.rule_id == rule_id]
    assert finding.status is Status.MET, finding.explanation


DUE_DATES_PAST_2100 = pytest.mark.xfail(
    strict=True,
    raises=EvaluationError,
    reason="BUG (calendar range vs case range): a case may hold any date up to 2100-12-31, but a "
    "due date computed from an event in the last weeks of 2100 falls past the calendar's tables, "
    "and add_working_days raises CalendarRangeError, so a valid case gets an EvaluationError",
)


@DUE_DATES_PAST_2100
@pytest.mark.parametrize("pack_id", bundled_pack_ids())
@budget(10, phases=KNOWN_BUG_PHASES)
@given(held=dates(date(2100, 12, 17), date(2100, 12, 31)))
def test_a_case_whose_dates_are_all_in_range_evaluates_even_at_the_end_of_the_range(
    pack_id: str, held: date
) -> None:
    case = parse_case(
        {
            "case_id": "E-4",
            "child": {"date_of_birth": "2095-01-01"},
            "events": [
                {"id": "ic", "type": "icpc", "date": held.isoformat(), "outcome": "plan"},
                {"id": "ps", "type": "plan_start", "date": held.isoformat()},
            ],
        }
    )
    evaluate(case, pack_named(pack_id), as_of=date(2100, 12, 31))
