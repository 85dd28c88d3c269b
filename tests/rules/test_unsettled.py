"""Facts the case settles for an empty field, and one it leaves open either way (``UNSETTLED``).

A visit at which the child was not seen settles that the child was not seen alone or awake.
A fact the case leaves open either way (``UNSETTLED``): a plan end that names no deciding
conference, after the plan's last review conference records no outcome, may or may not have
been a review conference's decision (Stoke-on-Trent C06:07 and C06:03 hang on it). A selector
testing ``decided_at`` then neither accepts nor refuses it: its verdict is undetermined, never
"not applicable" (which would hide a notification owed) nor a breach."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cprules
from cprules.pack.model import UNSETTLED, Selector
from cprules.testing import as_of_dates, cases
from cprules.timeline import Timeline

STOKE = cprules.load_pack("stoke")
DECIDED = Selector.model_validate({"event": "plan_end", "where": {"decided_at": {"present": True}}})
NOT_DECIDED = Selector.model_validate({"event": "plan_end", "where": {"decided_at": {"present": False}}})


def _timeline(*reviews: dict[str, object], end: dict[str, object] | None = None) -> Timeline:
    events: list[dict[str, object]] = [
        {"id": "ic", "type": "icpc", "date": "2024-01-08", "outcome": "plan"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-08"},
        *reviews,
        {"id": "pe", "type": "plan_end", "date": "2024-07-10", **(end or {})},
    ]
    case = cprules.parse_case({"case_id": "U-1", "events": events})
    return Timeline.build(case, date(2024, 8, 1), STOKE.calendar)


def _review(review_id: str, on: str, outcome: str | None = None) -> dict[str, object]:
    review: dict[str, object] = {"id": review_id, "type": "review_conference", "date": on}
    if outcome is not None:
        review["outcome"] = outcome
    return review


@pytest.mark.parametrize(
    ("reviews", "implied", "decided", "not_decided"),
    [
        # the last review records no outcome: open either way
        ([_review("rc", "2024-07-08")], UNSETTLED, None, None),
        # it ceased the plan: decided there
        ([_review("rc", "2024-07-08", "cease")], "rc", True, False),
        # it kept the plan: the end was no conference's decision
        ([_review("rc", "2024-07-08", "continue")], None, False, True),
        # an earlier review with no outcome was followed by one that kept the plan
        ([_review("r1", "2024-04-08"), _review("r2", "2024-07-08", "continue")], None, False, True),
        # no review at all: no conference decided it
        ([], None, False, True),
    ],
)
def test_a_plan_end_naming_no_conference_is_decided_open_or_not_by_the_last_review(
    reviews: list[dict[str, object]], implied: object, decided: bool | None, not_decided: bool | None
) -> None:
    timeline = _timeline(*reviews)
    end = timeline.events[-1]
    assert timeline.implied(end, "decided_at") == implied
    assert DECIDED.match(end, None, timeline.implied) is decided
    assert NOT_DECIDED.match(end, None, timeline.implied) is not_decided
    last = len(timeline.events) - 1
    sure, unknown = DECIDED.classify(timeline.events, [last], None, timeline.implied)
    assert (last in sure, last in unknown) == (decided is True, decided is None)


def test_another_test_that_fails_still_refuses_an_unsettled_plan_end() -> None:
    # a plan that ended because the child turned 18 owes nothing, whoever decided it (C06:07)
    rule = STOKE.rule("cessation-notifications")
    timeline = _timeline(_review("rc", "2024-07-08"), end={"reason": "turned_18"})
    assert rule.trigger.match(timeline.events[-1], None, timeline.implied) is False


def test_a_plan_end_naming_its_conference_is_not_second_guessed() -> None:
    timeline = _timeline(_review("rc", "2024-07-08"), end={"decided_at": "rc"})
    assert DECIDED.match(timeline.events[-1], None, timeline.implied) is True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_classify_agrees_with_match_on_every_selector_of_every_pack(data: st.DataObject) -> None:
    # on drawn cases, with facts the case settles, leaves open, or refutes
    case = data.draw(cases())
    as_of = data.draw(as_of_dates(case))
    pack = cprules.load_pack(data.draw(st.sampled_from(cprules.bundled_pack_ids())))
    timeline = Timeline.build(case, as_of, pack.calendar)
    for rule in pack.rules:
        for selector in _selectors(rule):
            positions = [p for kind in selector.types for p in timeline.by_type.get(kind, ())]
            positions.sort()
            events, birth, implied = timeline.events, timeline.birth, timeline.implied
            refuted = timeline.refuted_ends()
            sure, unknown = selector.classify(events, positions, birth, implied, refuted=refuted)
            matched = {p: selector.match(events[p], birth, implied, refuted=p in refuted) for p in positions}
            assert sure == [p for p in positions if matched[p] is True], rule.id
            assert unknown == [p for p in positions if matched[p] is None], rule.id
            # and the timeline's own (memoised) selection is the same
            selection = timeline.selection(selector)
            assert (list(selection.sure), list(selection.unknown)) == (sure, unknown), rule.id


def _selectors(rule: object) -> list[Selector]:
    found = []
    for name in type(rule).model_fields:  # type: ignore[attr-defined]
        value = getattr(rule, name)
        if isinstance(value, Selector):
            found.append(value)
    return found


@pytest.mark.parametrize(
    ("outcome", "seen_alone", "child_awake", "bedroom_seen"),
    [
        ("seen", None, None, None),  # seen, but alone? the visit must say
        ("not_seen", False, False, None),
        ("refused", False, False, None),  # the bedroom may still have been seen
        ("no_access", False, False, False),
        (None, None, None, None),
    ],
)
def test_a_visit_at_which_the_child_was_not_seen_did_not_see_the_child_alone(
    outcome: str | None, seen_alone: bool | None, child_awake: bool | None, bedroom_seen: bool | None
) -> None:
    visit: dict[str, object] = {"id": "v", "type": "visit", "date": "2024-02-01"}
    if outcome is not None:
        visit["outcome"] = outcome
    case = cprules.parse_case({"case_id": "V-1", "events": [visit]})
    timeline = Timeline.build(case, date(2024, 3, 1), STOKE.calendar)
    event = timeline.events[0]
    implied = (timeline.implied(event, "seen_alone"), timeline.implied(event, "child_awake"))
    assert implied == (seen_alone, child_awake)
    assert timeline.implied(event, "bedroom_seen") == bedroom_seen

NOT_RECONVENED = Selector.model_validate({"event": "icpc", "where": {"reconvened_from": {"present": False}}})


@pytest.mark.parametrize(
    ("opening", "interim", "implied", "not_reconvened"),
    [
        # an interim plan from an adjourned ICPC: the next ICPC reconvenes that one (§3)
        ("adjourned", True, "ia", False),
        # the plan start does not say it was interim: open either way
        ("adjourned", None, UNSETTLED, None),
        # an ordinary plan start: not an interim plan
        ("adjourned", False, None, True),
        # the plan was made by a conference that decided, not one that adjourned
        ("plan", True, None, True),
    ],
)
def test_an_icpc_naming_no_adjourned_conference_reconvenes_the_one_that_opened_the_interim_plan(
    opening: str, interim: bool | None, implied: object, not_reconvened: bool | None
) -> None:
    start: dict[str, object] = {"id": "ps", "type": "plan_start", "date": "2024-06-03"}
    if interim is not None:
        start["interim"] = interim
    events = [
        {"id": "ia", "type": "icpc", "date": "2024-06-03", "outcome": opening},
        start,
        {"id": "ic", "type": "icpc", "date": "2024-06-07", "outcome": "plan"},
    ]
    case = cprules.parse_case({"case_id": "U-2", "events": events})
    timeline = Timeline.build(case, date(2024, 7, 1), STOKE.calendar)
    later = timeline.events[-1]
    assert later.id == "ic"
    assert timeline.implied(later, "reconvened_from") == implied
    assert NOT_RECONVENED.match(later, None, timeline.implied) is not_reconvened


def test_an_icpc_outside_any_plan_reconvenes_nothing() -> None:
    events = [
        {"id": "ia", "type": "icpc", "date": "2024-06-03", "outcome": "adjourned"},
        {"id": "ic", "type": "icpc", "date": "2024-06-07", "outcome": "no_plan"},
    ]
    case = cprules.parse_case({"case_id": "U-3", "events": events})
    timeline = Timeline.build(case, date(2024, 7, 1), STOKE.calendar)
    assert timeline.implied(timeline.events[-1], "reconvened_from") is None
