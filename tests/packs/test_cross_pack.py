"""One case under several packs: the calendar and the local rules make the difference."""

from __future__ import annotations

from datetime import date

import cprules
from cprules.findings import Status

CASE = cprules.parse_case(
    {
        "case_id": "JE-HOL-1",
        "child": {"date_of_birth": "2018-05-10"},
        "events": [
            {
                "id": "ic",
                "type": "icpc",
                "date": "2024-05-02",
                "outcome": "plan",
                "lead_social_worker_named": True,
            },
            {"id": "ps", "type": "plan_start", "date": "2024-05-02"},
            {"id": "cg1", "type": "core_group", "date": "2024-05-20", "status": "held"},
        ],
    }
)


def first_core_group(pack_id: str) -> cprules.Finding:
    report = cprules.evaluate(CASE, cprules.load_pack(pack_id), as_of=date(2024, 5, 31))
    return next(f for f in report.findings if f.rule_id == "first-core-group")


def test_liberation_day_moves_the_jersey_due_date() -> None:
    # Thu 2 May 2024 + 10 WD.
    # England and Wales: Fri 3 (1), Mon 6 May bank holiday, 7-10 (5), 13-17 (10) = Fri 17 May,
    #   so a core group on Mon 20 May is 1 working day (3 calendar days) late.
    # Jersey: Fri 3 (1), Mon 6 May bank holiday, 7-8 (3), Thu 9 May Liberation Day, 10 (4),
    #   13-17 (9), 20 (10) = Mon 20 May: on time.
    england = first_core_group("england")
    jersey = first_core_group("jersey")
    assert (england.status, england.due, england.working_days_late) == (Status.LATE, date(2024, 5, 17), 1)
    assert (jersey.status, jersey.due) == (Status.MET, date(2024, 5, 20))
    assert "Liberation Day" in jersey.explanation and "Liberation Day" not in england.explanation


def test_english_packs_share_the_baseline_where_they_do_not_override_it() -> None:
    dues = {pack_id: first_core_group(pack_id).due for pack_id in ("england", "stoke", "worcestershire")}
    assert set(dues.values()) == {date(2024, 5, 17)}
