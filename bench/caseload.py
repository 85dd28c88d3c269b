"""A seeded synthetic caseload: realistic child protection timelines for the benchmark.

Each case is a strategy discussion and section 47 enquiry, an initial conference (some late,
some adjourned and reconvened), a plan of up to two years with core groups (some late, some
cancelled), visits every week or two (some with no access), reviews, and sometimes a move out
(ending at the receiving authority's transfer-in conference, ``held_by: receiving_authority``),
a looked-after episode or an early end; some are pre-birth cases. 60 to 120 events.

    python bench/caseload.py 1000 > caseload.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

START = date(2021, 4, 1)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def synthetic_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One case as a dict in the case format (SPEC §4)."""
    events: list[dict[str, Any]] = []
    counter = 0

    def add(kind: str, day: date, **fields: Any) -> str:
        nonlocal counter
        counter += 1
        event_id = f"e{counter}"
        events.append({"id": event_id, "type": kind, "date": day.isoformat(), **fields})
        return event_id

    prebirth = rng.random() < 0.08
    start = _weekday(START + timedelta(days=rng.randrange(0, 900)))
    child: dict[str, Any]
    if prebirth:
        edd = start + timedelta(days=rng.randrange(70, 120))
        child = {"expected_delivery_date": edd.isoformat()}
    else:
        child = {"date_of_birth": (start - timedelta(days=rng.randrange(200, 6000))).isoformat()}

    add("strategy_discussion", start, s47=True)
    if rng.random() < 0.15:
        add("strategy_discussion", _weekday(start + timedelta(days=rng.randrange(2, 7))), s47=True)
    if rng.random() < 0.1:  # the enquiry finds no conference is needed: a short case
        add("s47_outcome", _weekday(start + timedelta(days=12)), icpc_required=False)
        for k in range(rng.randrange(58, 80)):  # the family is supported as a child in need
            add("visit", _weekday(start + timedelta(days=14 + 7 * k)), outcome="seen")
        return {"case_id": f"SYN-{number:07d}", "child": child, "events": events}

    add("visit", _weekday(start + timedelta(days=rng.randrange(1, 8))), outcome="seen", seen_alone=True)
    icpc_day = _weekday(start + timedelta(days=rng.randrange(14, 26)))
    votes_for = rng.randrange(3, 8)
    if rng.random() < 0.06:  # adjourned for want of a majority, then reconvened
        first = add(
            "icpc",
            icpc_day,
            outcome="adjourned",
            votes={"for_plan": 3, "against_plan": 3},
            adjournment_reason="other",
            quorate=True,
            prebirth=prebirth,
        )
        icpc_day = _weekday(icpc_day + timedelta(days=rng.randrange(3, 9)))
        add(
            "icpc",
            icpc_day,
            outcome="plan",
            reconvened_from=first,
            quorate=True,
            prebirth=prebirth,
            votes={"for_plan": votes_for, "against_plan": 1},
            lead_social_worker_named=True,
        )
    else:
        add(
            "icpc",
            icpc_day,
            outcome="plan",
            quorate=True,
            prebirth=prebirth,
            votes={"for_plan": votes_for, "against_plan": rng.randrange(0, 2)},
            categories=[rng.choice(["neglect", "physical", "emotional", "sexual"])],
            lead_social_worker_named=rng.random() < 0.95,
            outline_plan_circulated=_weekday(icpc_day + timedelta(days=rng.choice([1, 1, 1, 3]))).isoformat(),
            minutes_circulated=_weekday(icpc_day + timedelta(days=rng.randrange(10, 40))).isoformat(),
        )
    categories = [rng.choice(["neglect", "physical", "emotional", "sexual"])]
    add("plan_start", icpc_day, categories=categories)

    length = rng.randrange(430, 730)
    end_day = icpc_day + timedelta(days=length)
    if prebirth:
        add("birth", _weekday(date.fromisoformat(child["expected_delivery_date"])))

    day = icpc_day + timedelta(days=rng.choice([9, 12, 14, 15, 16]))
    while day < end_day:  # core groups about four-weekly, some late, some cancelled
        held_day = _weekday(day)
        status = "cancelled" if rng.random() < 0.05 else "held"
        add(
            "core_group",
            held_day,
            status=status,
            minutes_circulated=_weekday(held_day + timedelta(days=rng.choice([1, 2, 3, 3, 5]))).isoformat(),
            absent_agency_reports=rng.random() < 0.9,
        )
        day = held_day + timedelta(days=rng.choice([26, 28, 28, 30, 35]))

    day = icpc_day + timedelta(days=rng.randrange(3, 10))
    misses = 0
    while day < end_day:  # visits every week or two
        roll = rng.random()
        outcome = "no_access" if roll < 0.06 else "refused" if roll < 0.08 else "seen"
        add(
            "visit",
            _weekday(day),
            outcome=outcome,
            seen_alone=outcome == "seen" and rng.random() < 0.6,
            bedroom_seen=outcome == "seen" and rng.random() < 0.55,
            by="lead_social_worker",
        )
        if outcome != "seen":
            misses += 1
            if rng.random() < 0.7:
                add("escalation", _weekday(day + timedelta(days=rng.choice([1, 1, 2, 4]))), to="line_manager")
        day = _weekday(day) + timedelta(days=rng.choice([7, 7, 10, 10, 12, 14, 15]))

    review_day = icpc_day + timedelta(days=rng.choice([85, 88, 90, 92, 95]))
    reviews = []
    while review_day < end_day:
        reviews.append(
            add(
                "review_conference",
                _weekday(review_day),
                outcome="continue",
                quorate=True,
                votes={"for_plan": rng.randrange(4, 8), "against_plan": rng.randrange(0, 2)},
            )
        )
        review_day = _weekday(review_day) + timedelta(days=rng.choice([170, 178, 182, 185, 190]))

    roll = rng.random()
    final_day = _weekday(end_day)
    if roll < 0.55:  # still open
        pass
    elif roll < 0.8:
        decided = add(
            "review_conference",
            final_day,
            outcome="cease",
            quorate=rng.random() < 0.95,
            cin_plan_presented=True,
            votes={"for_plan": 1, "against_plan": 6},
        )
        add(
            "plan_end",
            final_day,
            reason="no_longer_at_risk",
            decided_at=decided,
            notifications_sent=_weekday(final_day + timedelta(days=rng.randrange(1, 9))).isoformat(),
        )
        if rng.random() < 0.6:
            add("cin_meeting", _weekday(final_day + timedelta(days=rng.randrange(5, 16))))
    elif roll < 0.88:
        add("move_notified", final_day - timedelta(days=20), permanent=True, direction="out")
        # the receiving authority's conference, not this authority's (SPEC §4): evidence of the
        # move-out route only, so this authority's conference rules leave it out
        add(
            "transfer_in_conference",
            _weekday(final_day - timedelta(days=3)),
            outcome="plan",
            held_by="receiving_authority",
        )
        add("plan_end", final_day, reason="moved_out")
    else:
        add(
            "looked_after",
            final_day - timedelta(days=10),
            basis=rng.choice(["interim_care_order", "section_20"]),
            living_with_family=False,
            unsupervised_contact_with_risk=False,
            rehabilitation_planned=False,
        )
        add("plan_end", final_day, reason="looked_after")
    rng.shuffle(events)  # the engine must not depend on file order
    return {"case_id": f"SYN-{number:07d}", "child": child, "events": events}


def caseload(count: int, seed: int = 2024) -> Iterator[dict[str, Any]]:
    """``count`` synthetic cases, the same for the same seed."""
    rng = random.Random(seed)
    for number in range(count):
        yield synthetic_case(rng, number)


def caseload_lines(count: int, seed: int = 2024) -> Iterator[str]:
    """The caseload as JSON Lines text, one case a line."""
    for case in caseload(count, seed):
        yield json.dumps(case, separators=(",", ":"))


if __name__ == "__main__":
    for line in caseload_lines(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
        sys.stdout.write(line + "\n")
