"""A plan end's recorded reason that the timeline refutes is not taken on trust (SPEC §4): a
selector testing the reason reads it as some other reason, which one unknown. So a rule that a
reason would excuse (Stoke-on-Trent C06:07's notifications are not owed for a child who turned
18) is undetermined, naming both facts, rather than "not applicable"; a test that every other
reason passes or fails alike still decides."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

import cprules
from cprules.case import PlanEnd
from cprules.pack.model import PLAN_END_REASONS, FieldTest, Selector
from cprules.rules.verdict import empty_fields
from cprules.timeline import Timeline

STOKE = cprules.load_pack("stoke")


def _timeline(reason: str, born: str = "2015-02-11") -> Timeline:
    case = cprules.parse_case(
        {
            "case_id": "R-1",
            "child": {"date_of_birth": born},
            "events": [
                {"id": "ic", "type": "icpc", "date": "2024-01-08", "outcome": "plan"},
                {"id": "ps", "type": "plan_start", "date": "2024-01-08"},
                {"id": "rc", "type": "review_conference", "date": "2024-07-08", "outcome": "cease"},
                {"id": "pe", "type": "plan_end", "date": "2024-07-08", "reason": reason, "decided_at": "rc"},
            ],
        }
    )
    return Timeline.build(case, date(2024, 8, 1), STOKE.calendar)


def test_the_reasons_a_test_weighs_are_those_a_plan_end_may_give() -> None:
    annotation = PlanEnd.model_fields["reason"].annotation
    assert set(PLAN_END_REASONS) == {arg for member in get_args(annotation) for arg in get_args(member)}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # every other reason is not turned_18: decided
        ({"reason": {"not_one_of": ["turned_18"]}}, True),
        ({"reason": "turned_18"}, False),
        # some other reasons pass and some fail: unknown
        ({"reason": {"not_one_of": ["turned_18", "died"]}}, None),
        ({"reason": "no_longer_at_risk"}, None),
        ({"reason": {"present": True}}, True),
    ],
)
def test_a_refuted_reason_is_some_other_reason(where: dict[str, object], expected: bool | None) -> None:
    timeline = _timeline("turned_18")
    end = len(timeline.events) - 1
    assert timeline.refuted_ends() == frozenset({end})
    selector = Selector.model_validate({"event": "plan_end", "where": where})
    assert selector.match(timeline.events[end], timeline.birth, timeline.implied, refuted=True) is expected
    selection = timeline.selection(selector)
    assert (end in selection.sure, end in selection.unknown) == (expected is True, expected is None)


def test_a_reason_the_timeline_bears_out_is_taken_as_recorded() -> None:
    timeline = _timeline("turned_18", born="2006-07-08")  # 18 on the day the plan ended
    assert timeline.refuted_ends() == frozenset()
    selector = Selector.model_validate({"event": "plan_end", "where": {"reason": "no_longer_at_risk"}})
    assert timeline.selection(selector).possible == []


def test_the_sentence_names_both_facts() -> None:
    timeline = _timeline("turned_18")
    selector = Selector.model_validate({"event": "plan_end", "where": {"reason": "no_longer_at_risk"}})
    said = empty_fields(selector, timeline, len(timeline.events) - 1)
    assert said == (
        "a reason the timeline bears out: it says the child turned 18, but the date of birth, "
        "2015-02-11, shows the child was 9 that day (18 on 2033-02-11)"
    )


def test_a_field_test_weighs_the_other_values() -> None:
    choices = ("a", "b", "c")
    assert FieldTest.model_validate({"one_of": ["b", "c"]}).test_other_than("a", choices) is True
    assert FieldTest.model_validate({"one_of": ["a"]}).test_other_than("a", choices) is False
    assert FieldTest.model_validate({"one_of": ["b"]}).test_other_than("a", choices) is None
