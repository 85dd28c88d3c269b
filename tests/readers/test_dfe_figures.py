"""The Department's figures over the small census return, counted by hand.

Reporting year 2025: 1 April 2024 to 31 March 2025, England and Wales bank holidays.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cprules import Case, WorkingCalendar, parse_case
from cprules.dfe import DepartmentFigures
from cprules.readers import read_cases

CENSUS = Path(__file__).parent / "data" / "census_small.xml"
ENGLAND = WorkingCalendar("GB", "ENG")


def _census_cases() -> list[Case]:
    return [item for item in read_cases(CENSUS) if isinstance(item, Case)]


def _figures(cases: list[Case], year: int = 2025) -> dict[str, Any]:
    figures = DepartmentFigures(year, ENGLAND)
    for case in cases:
        figures.add(case)
    result: dict[str, Any] = figures.to_dict()
    return result


def test_figures_of_the_small_census() -> None:
    result = _figures(_census_cases())
    assert (result["year"], result["from"], result["to"], result["cases"]) == (
        2025,
        "2024-04-01",
        "2025-03-31",
        8,
    )
    got = {key: (f["count"], f["denominator"], f["percent"]) for key, f in result["figures"].items()}
    assert got == {
        # ICPCs in the year paired with a section 47 start:
        #   C001 Mon 6 May (bank holiday) -> Tue 28 May: Tue 7 (1) .. Fri 24 (14), Mon 27 bank
        #        holiday, Tue 28 (15): within
        #   C002 the same start -> Wed 29 May: 16: not within
        #   C007 Mon 25 Mar -> Mon 15 Apr: Tue 26 (1) Wed 27 (2) Thu 28 (3), Good Friday and
        #        Easter Monday skipped, Tue 2 Apr (4) .. Mon 15 (13): within
        #   C009 Tue 10 Sep -> Tue 1 Oct: Wed 11 (1) .. Mon 30 (14), Tue 1 Oct (15): within
        #   C004's ICPC (1 Jul) has no section 47 before it: left out
        "icpc_within_15_working_days": (3, 4, 75.0),
        # first reviews held in the year:
        #   C001 20 Aug <= 28 May + 3 months (28 Aug): on time
        #   C002 2 Sep > 29 May + 3 months (29 Aug): late
        #   C007 10 Jul <= 15 Apr + 3 months (15 Jul): on time
        "first_reviews_within_3_months": (2, 3, 66.7),
        # later reviews held in the year:
        #   C001 20 Nov <= 20 Aug + 6 months (20 Feb): on time
        #   C002 3 Mar 2025 > 2 Sep + 6 months (2 Mar 2025): late
        "later_reviews_within_6_months": (1, 2, 50.0),
        # plans ended in the year, 5 of them:
        #   C009 1 Oct -> 20 Dec: <= 1 Jan (3 months)
        "plans_ended_3_months_or_less": (1, 5, 20.0),
        #   C001 28 May -> 20 Nov: > 28 Aug, <= 28 Nov (6 months)
        "plans_ended_over_3_up_to_6_months": (1, 5, 20.0),
        #   C007 15 Apr 2024 -> 31 Mar 2025: > 15 Oct, < 15 Apr 2025 (1 year)
        "plans_ended_over_6_months_under_1_year": (1, 5, 20.0),
        #   C010 1 Feb 2023 -> 30 Sep 2024: >= 1 Feb 2024, < 1 Feb 2025
        "plans_ended_1_to_under_2_years": (1, 5, 20.0),
        #   C008 4 Jan 2021 -> 3 Jun 2024: >= 4 Jan 2023
        "plans_ended_2_years_or_more": (1, 5, 20.0),
        # open at 31 March 2025: C002 and C004's second plan (C007 ended on 31 March)
        "plans_open_at_31_march": (2, None, None),
        # plans starting in the year: C001, C002, C004 (2nd), C007 (NumberOfPreviousCPP 2), C009
        "second_or_later_plans": (2, 5, 40.0),
    }
    assert all(f["basis"] and "\n" not in f["basis"] for f in result["figures"].values())


def test_lines_read_as_sentences() -> None:
    figures = DepartmentFigures(2025, ENGLAND)
    for case in _census_cases():
        figures.add(case)
    lines = figures.lines()
    assert lines[0] == "Department for Education figures, 1 April 2024 to 31 March 2025 (8 cases):"
    assert lines[1] == "ICPCs within 15 working days of the section 47 start: 3 of 4 (75.0%)"
    assert "Plans open at 31 March: 2" in lines


def test_the_order_cases_are_added_in_does_not_matter() -> None:
    cases = _census_cases()
    expected = _figures(cases)
    for seed in range(5):
        shuffled = cases[:]
        random.Random(seed).shuffle(shuffled)
        assert _figures(shuffled) == expected


def _plan(start: str, end: str) -> Case:
    return parse_case(
        {
            "case_id": f"{start}-{end}",
            "events": [{"type": "plan_start", "date": start}, {"type": "plan_end", "date": end}],
        }
    )


@pytest.mark.parametrize(
    ("start", "end", "band"),
    [
        ("2024-01-31", "2024-04-30", "plans_ended_3_months_or_less"),  # 31 Jan + 3 months = 30 Apr
        ("2024-01-31", "2024-05-01", "plans_ended_over_3_up_to_6_months"),
        ("2023-11-30", "2024-05-30", "plans_ended_over_3_up_to_6_months"),  # exactly 6 months
        ("2023-11-30", "2024-05-31", "plans_ended_over_6_months_under_1_year"),
        ("2023-06-01", "2024-05-31", "plans_ended_over_6_months_under_1_year"),
        ("2023-06-01", "2024-06-01", "plans_ended_1_to_under_2_years"),  # exactly 1 year
        ("2022-06-02", "2024-06-01", "plans_ended_1_to_under_2_years"),
        ("2022-06-01", "2024-06-01", "plans_ended_2_years_or_more"),  # exactly 2 years
    ],
)
def test_duration_band_edges(start: str, end: str, band: str) -> None:
    figures = _figures([_plan(start, end)])["figures"]
    assert [key for key, f in figures.items() if key.startswith("plans_ended") and f["count"]] == [band]


def test_percent_rounds_half_up_to_one_place() -> None:
    # 1 of 16 ICPCs on time: 6.25% -> 6.3 (half up, not to even)
    cases = [
        parse_case(
            {
                "case_id": f"R{n}",
                "events": [
                    {"type": "strategy_discussion", "date": "2024-06-03", "s47": True},
                    {"type": "icpc", "date": "2024-06-10" if n == 0 else "2024-08-01"},
                ],
            }
        )
        for n in range(16)
    ]
    assert _figures(cases)["figures"]["icpc_within_15_working_days"]["percent"] == 6.3


def test_a_source_without_reviews_is_left_out_of_the_review_figures() -> None:
    case = parse_case(
        {
            "case_id": "S",
            "records": ["plan_start.date", "plan_end.date", "icpc.outcome", "strategy_discussion.s47"],
            "events": [{"type": "plan_start", "date": "2024-05-01"}],
        }
    )
    figures = _figures([case])["figures"]
    assert figures["first_reviews_within_3_months"]["cases_left_out"] == 1
    assert figures["plans_open_at_31_march"]["count"] == 1
    assert figures["plans_open_at_31_march"]["cases_left_out"] == 0


def test_a_postponed_icpc_is_not_the_one_held() -> None:
    case = parse_case(
        {
            "case_id": "P",
            "events": [
                {"type": "strategy_discussion", "date": "2024-06-03", "s47": True},
                {"type": "icpc", "date": "2024-06-20", "outcome": "postponed"},
                {"type": "icpc", "date": "2024-07-01", "outcome": "plan"},
            ],
        }
    )
    icpc = _figures([case])["figures"]["icpc_within_15_working_days"]
    # Mon 3 Jun + 15 WD = Mon 24 Jun; held Mon 1 Jul: not within
    assert (icpc["count"], icpc["denominator"]) == (0, 1)
    assert date(2024, 7, 1) > ENGLAND.add_working_days(date(2024, 6, 3), 15)
