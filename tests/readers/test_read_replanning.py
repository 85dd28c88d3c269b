"""Same-day re-planning, from every format: a plan ended and a new one made on one day.

Census and SSD data hold it (a plan ended and the next made at the same conference). On such a
day the open plan closes first and the next opens (docs/case-format.md, "Plan episodes"), so
each format gives two plans, the first ended, the second open, and no CaseError.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from cprules import Case, CaseError
from cprules.readers import read_cases

SSD = Path(__file__).parent / "data" / "ssd_small"
ENDED = date(2024, 6, 3)


def _plans(case: Case | CaseError) -> list[tuple[str, date, str | None]]:
    """Each episode as (plan_start type, start date, end date or None), from the case."""
    assert isinstance(case, Case), str(case)
    events = case.ordered_events
    found = []
    for episode in case.episodes:
        end = events[episode.end_index].date.isoformat() if episode.end_index is not None else None
        found.append((events[episode.start_index].type, events[episode.start_index].date, end))  # type: ignore[attr-defined]
    return found


EXPECTED = [("plan_start", date(2024, 1, 10), "2024-06-03"), ("plan_start", ENDED, None)]

CASE = {
    "case_id": "R-1",
    "events": [
        {"type": "plan_start", "date": "2024-01-10"},
        {"type": "plan_start", "date": "2024-06-03"},  # written before the end it follows
        {"type": "plan_end", "date": "2024-06-03"},
    ],
}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_documents_and_json_lines(fmt: str) -> None:
    text = json.dumps(CASE) + "\n"  # JSON is YAML too
    [case] = read_cases(io.BytesIO(text.encode()), format=fmt)
    assert _plans(case) == EXPECTED


def test_a_csv_event_table() -> None:
    table = (
        "case_id,type,date,reason\n"
        "R-1,plan_start,2024-01-10,\n"
        "R-1,plan_start,03/06/2024,\n"
        "R-1,plan_end,2024-06-03,no_longer_at_risk\n"
    )
    [case] = read_cases(io.StringIO(table), format="csv")
    assert _plans(case) == EXPECTED


def test_a_census_return() -> None:
    child = (
        "<ChildIdentifiers><LAchildID>R1</LAchildID></ChildIdentifiers><CINdetails>"
        "<ChildProtectionPlans><CPPstartDate>2024-06-03</CPPstartDate></ChildProtectionPlans>"
        "<ChildProtectionPlans><CPPstartDate>2024-01-10</CPPstartDate>"
        "<CPPendDate>2024-06-03</CPPendDate>"
        "<Reviews><CPPreviewDate>2024-04-08</CPPreviewDate><CPPreviewDate>2024-06-03</CPPreviewDate>"
        "</Reviews></ChildProtectionPlans></CINdetails>"
    )
    xml = f'<?xml version="1.0"?><Message><Children><Child>{child}</Child></Children></Message>'
    [case] = read_cases(io.BytesIO(xml.encode()), format="cin-census")
    assert _plans(case) == EXPECTED
    assert isinstance(case, Case)
    # the review that day belongs to the plan that ended, before its end
    ids = [e.id for e in case.ordered_events]
    assert ids.index("cin1.plan-2.review-2") < ids.index("cin1.plan-2.end") < ids.index("cin1.plan-1.start")


def test_an_ssd_extract(tmp_path: Path) -> None:
    folder = tmp_path / "ssd"
    shutil.copytree(SSD, folder)
    plans = folder / "ssd_cp_plans.csv"
    header = plans.read_text().splitlines()[0]
    plans.write_text(
        header + "\n"
        "CP1,R1,I1,P1,2024-01-10,2024-06-03,Neglect,N,Neglect\n"
        "CP2,R1,,P1,03/06/2024,,Neglect,N,Neglect\n"
    )
    for table in ("ssd_cp_visits.csv", "ssd_cp_reviews.csv", "ssd_initial_cp_conference.csv"):
        (folder / table).unlink()
    cases = {item.case_id: item for item in read_cases(folder)}
    assert _plans(cases["P1"]) == EXPECTED
