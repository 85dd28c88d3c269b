"""Finding keys do not move: a case system stores findings against their keys.

An event without an id is named by its type and date (``icpc 2024-03-19``), never by its place
in the file, so neither the file order nor an event added elsewhere renames it (docs/case-format.md,
"Event ids"). These properties run on every bundled pack, on cases written without ids.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from _budget import budget
from hypothesis import given
from hypothesis import strategies as st

from cprules import Pack, bundled_pack_ids, evaluate, load_pack, parse_case
from cprules.case import EVENT_MODELS
from cprules.testing import as_of_dates, case_data

PACK_IDS = bundled_pack_ids()


@cache
def pack_named(pack_id: str) -> Pack:
    return load_pack(pack_id)


@cache
def unread_type(pack_id: str) -> str:
    """An event type no rule of the pack reads (so adding one must change nothing at all)."""
    pack = pack_named(pack_id)
    read = {need.partition(".")[0] for needs in pack.rule_needs.values() for need in needs}
    # episodes are built from these, and a birth tells the age limit the child is born
    read |= {"plan_start", "plan_end", "icpc", "transfer_in_conference", "birth"}
    return sorted(set(EVENT_MODELS) - read)[0]


def id_less_case(data: st.DataObject, pack: Pack) -> dict[str, Any]:
    return data.draw(case_data(pack=pack, ids=False, records=False, episodes=(1, 2)), label="case")


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(10)
@given(data=st.data())
def test_reversing_or_shuffling_an_id_less_case_leaves_the_report_json_byte_identical(
    pack_id: str, data: st.DataObject
) -> None:
    pack = pack_named(pack_id)
    raw = id_less_case(data, pack)
    case = parse_case(raw)
    as_of = data.draw(as_of_dates(case), label="as_of")
    text = evaluate(case, pack, as_of=as_of).to_json()
    reversed_events = raw["events"][::-1]
    shuffled = data.draw(st.permutations(raw["events"]), label="file order")
    for events in (reversed_events, shuffled):
        again = evaluate(parse_case(json.dumps({**raw, "events": events})), pack, as_of=as_of)
        assert again.to_json() == text


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(10)
@given(data=st.data(), days_before=st.integers(1, 400))
def test_inserting_a_back_dated_event_keeps_every_other_name_and_every_key(
    pack_id: str, data: st.DataObject, days_before: int
) -> None:
    pack = pack_named(pack_id)
    raw = id_less_case(data, pack)
    case = parse_case(raw)
    as_of = data.draw(as_of_dates(case), label="as_of")
    first = min(event.date for event in case.events)
    kind = unread_type(pack_id)
    back_dated = {"type": kind, "date": (first - timedelta(days=days_before)).isoformat()}
    inserted = parse_case({**raw, "events": [back_dated, *raw["events"]]})
    assert [e.id for e in inserted.events[1:]] == [e.id for e in case.events]
    assert inserted.events[0].id == f"{kind} {back_dated['date']}"
    before = evaluate(case, pack, as_of=as_of)
    after = evaluate(inserted, pack, as_of=as_of)
    assert [f.key for f in after.findings] == [f.key for f in before.findings]
    assert after.to_json() == before.to_json()
