"""The case timeline: parsing every event type, ids, order, episodes, and errors without values."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import cprules
from cprules.case import EVENT_MODELS, Case

# one valid example of every event type, with every field it has filled in
FULL_EVENTS: list[dict[str, Any]] = [
    {"type": "strategy_discussion", "date": "2024-03-01", "s47": True},
    {"type": "s47_outcome", "date": "2024-03-10", "icpc_required": True},
    {
        "type": "icpc",
        "date": "2024-03-19",
        "outcome": "plan",
        "categories": ["neglect", "emotional"],
        "secondary_factors": ["domestic abuse"],
        "votes": {"for_plan": 5, "against_plan": 1},
        "quorate": True,
        "prebirth": False,
        "lead_social_worker_named": True,
        "visit_interval_days": 10,
        "visit_interval_reason": "baby",
        "core_group_interval_days": 28,
        "outline_plan_circulated": "2024-03-20",
        "minutes_circulated": "2024-04-02",
        "absent_agency_reports": True,
    },
    {"type": "plan_start", "date": "2024-03-19", "categories": ["neglect"], "interim": False},
    {
        "type": "core_group",
        "date": "2024-04-02",
        "status": "held",
        "minutes_circulated": "2024-04-04",
        "rescheduled_in_writing": True,
        "absent_agency_reports": True,
    },
    {
        "type": "visit",
        "date": "2024-04-03",
        "outcome": "seen",
        "seen_alone": True,
        "bedroom_seen": True,
        "child_awake": True,
        "by": "lead_social_worker",
    },
    {"type": "escalation", "date": "2024-04-04", "to": "line_manager"},
    {"type": "plan_changed", "date": "2024-04-05", "decided_at": "x"},
    {"type": "hospital_admission", "date": "2024-04-06", "planned": False},
    {"type": "hospital_discharge", "date": "2024-04-08", "planned": False},
    {"type": "significant_change", "date": "2024-04-09", "kind": "moved_to_different_family"},
    {"type": "sustained_change_from", "date": "2024-04-10"},
    {
        "type": "looked_after",
        "date": "2024-04-11",
        "basis": "section_20",
        "living_with_family": False,
        "unsupervised_contact_with_risk": False,
        "rehabilitation_planned": False,
    },
    {"type": "looked_after_end", "date": "2024-04-12", "basis": "section_20"},
    {"type": "removed_from_accommodation", "date": "2024-04-13"},
    {"type": "move_notified", "date": "2024-04-14", "permanent": True, "direction": "out"},
    {"type": "birth", "date": "2024-04-15"},
    {"type": "cin_meeting", "date": "2024-04-16"},
    {"type": "case_discussion", "date": "2024-04-17"},
    {"type": "plan_sent_to_iro", "date": "2024-04-18"},
    {"type": "lac_review", "date": "2024-04-19"},
    {"type": "quality_assurance_notification", "date": "2024-04-20"},
    {"type": "transfer_in_conference", "date": "2024-04-21", "outcome": "plan", "quorate": True},
    {
        "type": "review_conference",
        "date": "2024-06-19",
        "outcome": "cease",
        "quorate": True,
        "votes": {"for_plan": 1, "against_plan": 6},
        "neglect_assessment_revised": True,
        "cin_plan_presented": True,
        "reconvened_from": None,
        "adjournment_reason": None,
    },
    {
        "type": "plan_end",
        "date": "2024-06-19",
        "reason": "no_longer_at_risk",
        "decided_at": "review_conference 2024-06-19",
        "notifications_sent": "2024-06-21",
    },
]


def test_every_event_type_parses_with_all_its_fields() -> None:
    case = cprules.parse_case(
        {"case_id": "A-1", "child": {"date_of_birth": "2015-05-05"}, "events": FULL_EVENTS}
    )
    assert {e.type for e in case.events} == set(EVENT_MODELS)  # the example covers the vocabulary
    icpc = case.events[2]
    assert icpc.votes is not None and icpc.votes.for_plan == 5  # type: ignore[attr-defined]
    assert icpc.categories == ("neglect", "emotional")  # type: ignore[attr-defined]
    assert case.events[0].date == date(2024, 3, 1)


def test_unnamed_events_are_named_by_type_and_date_and_ids_kept() -> None:
    case = cprules.parse_case(
        {
            "case_id": "A",
            "events": [
                {"type": "birth", "date": "2024-01-01"},
                {"id": "v", "type": "visit", "date": "2024-01-02"},
                {"type": "visit", "date": "2024-01-02"},
            ],
        }
    )
    assert [e.id for e in case.events] == ["birth 2024-01-01", "v", "visit 2024-01-02"]


TWO_VISITS_ONE_DAY = [
    {"type": "visit", "date": "2024-01-02", "outcome": "seen", "seen_alone": True},
    {"type": "visit", "date": "2024-01-02", "outcome": "no_access"},
]


def test_two_unnamed_events_of_a_type_on_one_day_are_numbered_whatever_their_order() -> None:
    names = []
    for events in (TWO_VISITS_ONE_DAY, TWO_VISITS_ONE_DAY[::-1]):
        case = cprules.parse_case({"case_id": "A", "events": events})
        names.append({e.id: e.outcome for e in case.events})  # type: ignore[attr-defined]
    assert names[0] == names[1]
    assert set(names[0]) == {"visit 2024-01-02", "visit 2024-01-02 (2)"}


def test_the_order_of_two_unnamed_events_does_not_depend_on_the_order_of_their_keys() -> None:
    first = {"type": "visit", "date": "2024-01-02", "metadata": {"a": 1, "b": 2}}
    second = {"type": "visit", "date": "2024-01-02", "metadata": {"a": 1, "b": 3}}
    second_reordered = {"metadata": {"b": 3, "a": 1}, "date": "2024-01-02", "type": "visit"}
    one = cprules.parse_case({"case_id": "A", "events": [first, second]})
    two = cprules.parse_case({"case_id": "A", "events": [second_reordered, first]})
    assert {e.id: e.metadata["b"] for e in one.events} == {e.id: e.metadata["b"] for e in two.events}  # type: ignore[index]


def test_a_generated_name_an_explicit_id_holds_is_skipped() -> None:
    case = cprules.parse_case(
        {
            "case_id": "A",
            "events": [
                {"type": "visit", "date": "2024-01-02"},
                {"id": "visit 2024-01-02", "type": "visit", "date": "2024-03-04"},
            ],
        }
    )
    assert [e.id for e in case.events] == ["visit 2024-01-02 (2)", "visit 2024-01-02"]


def test_inserting_a_back_dated_event_leaves_the_other_names_alone() -> None:
    events: list[dict[str, Any]] = [
        {"type": "icpc", "date": "2024-03-19", "outcome": "plan"},
        {"type": "plan_start", "date": "2024-03-19"},
        {"type": "core_group", "date": "2024-04-02", "status": "held"},
    ]
    before = [e.id for e in cprules.parse_case({"case_id": "A", "events": events}).events]
    inserted = [{"type": "strategy_discussion", "date": "2024-03-01", "s47": True}, *events]
    after = [e.id for e in cprules.parse_case({"case_id": "A", "events": inserted}).events]
    assert after == ["strategy_discussion 2024-03-01", *before]
    assert before == ["icpc 2024-03-19", "plan_start 2024-03-19", "core_group 2024-04-02"]


def test_explanations_name_an_unnamed_event_by_its_date_only() -> None:
    case = cprules.parse_case(
        {"case_id": "A", "events": [*TWO_VISITS_ONE_DAY, {"type": "icpc", "date": "2024-03-19"}]}
    )
    labels = sorted(e.label for e in case.events)
    assert labels == ["the 2nd visit on 2024-01-02", "the ICPC on 2024-03-19", "the visit on 2024-01-02"]
    named = cprules.parse_case(
        {"case_id": "A", "events": [{"id": "ic", "type": "icpc", "date": "2024-03-19"}]}
    )
    assert named.events[0].label == "the ICPC ic on 2024-03-19"


def test_timeline_order_puts_strategy_then_conference_then_plan_start_then_rest_then_plan_end() -> None:
    events = [
        {"id": "pe", "type": "plan_end", "date": "2024-05-01", "reason": "died"},
        {"id": "cg", "type": "core_group", "date": "2024-05-01"},
        {"id": "ps", "type": "plan_start", "date": "2024-01-01"},
        {"id": "ic", "type": "icpc", "date": "2024-01-01"},
        {"id": "sd", "type": "strategy_discussion", "date": "2024-01-01"},
        {"id": "rc", "type": "review_conference", "date": "2024-05-01"},
    ]
    case = cprules.parse_case({"case_id": "A", "events": events})
    assert [e.id for e in case.ordered_events] == ["sd", "ic", "ps", "rc", "cg", "pe"]
    reversed_case = cprules.parse_case({"case_id": "A", "events": list(reversed(events))})
    assert [e.id for e in reversed_case.ordered_events] == [e.id for e in case.ordered_events]


def test_episodes_with_their_opening_conference() -> None:
    case = cprules.parse_case(
        {
            "case_id": "A",
            "events": [
                {"id": "ic1", "type": "icpc", "date": "2024-01-01", "outcome": "plan"},
                {"id": "ps1", "type": "plan_start", "date": "2024-01-01"},
                {"id": "pe1", "type": "plan_end", "date": "2024-03-01"},
                {"id": "ps2", "type": "plan_start", "date": "2024-06-01"},
            ],
        }
    )
    first, second = case.episodes
    ids = [e.id for e in case.ordered_events]
    assert (ids[first.start_index], ids[first.end_index or 0], first.opened_by_index) == ("ps1", "pe1", 0)
    assert (ids[second.start_index], second.end_index, second.opened_by_index) == ("ps2", None, None)


@pytest.mark.parametrize(
    ("events", "path", "words"),
    [
        ([{"type": "plan_end", "date": "2024-01-01"}], "events[0]", "no plan open"),
        (
            [{"type": "plan_start", "date": "2024-01-01"}, {"type": "plan_start", "date": "2024-02-01"}],
            "events[1]",
            "another is open",
        ),
    ],
)
def test_impossible_episodes_are_case_errors(events: list[dict[str, Any]], path: str, words: str) -> None:
    with pytest.raises(cprules.CaseError) as raised:
        cprules.parse_case({"case_id": "E-1", "events": events})
    assert raised.value.path == path and words in str(raised.value)


SECRET = "Jane-Doe-1"  # stands for personal data: it must never appear in an error


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"case_id": "E-1", "events": [{"type": "visit", "date": SECRET}]}, "events[0].date", "YYYY-MM-DD"),
        ({"case_id": "E-1", "events": [{"type": "visit", "date": "2024-02-30"}]}, "events[0].date", "date"),
        (
            {"case_id": "E-1", "events": [{"type": "visit", "date": "1989-12-31"}]},
            "events[0].date",
            "1990-01-01..2100-12-31",
        ),
        (
            {"case_id": "E-1", "events": [{"type": SECRET, "date": "2024-01-01"}]},
            "events[0]",
            "unknown event type",
        ),
        (
            {"case_id": "E-1", "events": [{"type": "vist", "date": "2024-01-01"}]},
            "events[0]",
            "did you mean visit",
        ),
        (
            {"case_id": "E-1", "events": [{"type": "visit", "date": "2024-01-01", "seen_alone": SECRET}]},
            "events[0].seen_alone",
            "true or false",
        ),
        (
            {"case_id": "E-1", "events": [{"type": "visit", "date": "2024-01-01", "outcome": SECRET}]},
            "events[0].outcome",
            "seen, not_seen",
        ),
        (
            {"case_id": "E-1", "events": [{"type": "visit", "date": "2024-01-01", "seen_alne": True}]},
            "events[0].seen_alne",
            "did you mean seen_alone",
        ),
        ({"case_id": "E-1", "childe": {}}, "childe", "unknown field"),
        ({"events": []}, "case_id", "required"),
        (
            {
                "case_id": "E-1",
                "events": [
                    {"id": "a", "type": "birth", "date": "2024-01-01"},
                    {"id": "a", "type": "birth", "date": "2024-01-02"},
                ],
            },
            "events[1].id",
            "duplicate event id",
        ),
        ({"case_id": "E-1", "records": ["visits"]}, "records[0]", "not an event type"),
        ({"case_id": "E-1", "child": {"date_of_birth": SECRET}}, "child.date_of_birth", "YYYY-MM-DD"),
    ],
)
def test_bad_case_names_the_path_never_the_value(data: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(cprules.CaseError) as raised:
        cprules.parse_case(data)
    error = raised.value
    assert error.path == path
    assert words in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error.problems)
    if "case_id" in data:
        assert error.case_id == "E-1"


def test_json_text_errors_keep_the_case_id_and_hide_values() -> None:
    text = json.dumps({"case_id": "J-9", "events": [{"type": "visit", "date": SECRET}]})
    with pytest.raises(cprules.CaseError) as raised:
        cprules.parse_case(text)
    assert raised.value.case_id == "J-9" and SECRET not in str(raised.value)
    with pytest.raises(cprules.CaseError, match="not valid JSON"):
        cprules.parse_case('{"case_id": "J-9", ')


def test_case_is_frozen_and_round_trips_through_json() -> None:
    case = cprules.parse_case({"case_id": "A-1", "events": FULL_EVENTS})
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own frozen error
        case.case_id = "other"  # type: ignore[misc]
    again = cprules.parse_case(case.model_dump_json(by_alias=True))
    assert again == case


def test_load_case_reads_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "case.yaml"
    yaml_file.write_text("case_id: Y-1\nevents:\n  - {type: visit, date: 2024-01-05, outcome: seen}\n")
    json_file = tmp_path / "case.json"
    json_file.write_text(json.dumps({"case_id": "J-1", "events": [{"type": "birth", "date": "2024-01-05"}]}))
    assert cprules.load_case(yaml_file).case_id == "Y-1"
    assert cprules.load_case(json_file).events[0].type == "birth"
    with pytest.raises(cprules.SourceError):
        cprules.load_case(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: [unclosed\n")
    with pytest.raises(cprules.SourceError) as raised:
        cprules.load_case(bad)
    assert raised.value.line is not None


def test_model_validate_works_with_pydantic_errors() -> None:
    assert Case.model_validate({"case_id": "P"}).events == ()


# --- same-day re-planning: a plan ended and a new one made on one day ------------------------

REPLANNED: list[dict[str, Any]] = [
    {"id": "ic1", "type": "icpc", "date": "2024-01-10", "outcome": "plan"},
    {"id": "ps1", "type": "plan_start", "date": "2024-01-10"},
    {"id": "rc", "type": "review_conference", "date": "2024-06-03", "outcome": "cease", "quorate": True},
    {"id": "pe1", "type": "plan_end", "date": "2024-06-03", "reason": "no_longer_at_risk"},
    {"id": "ic2", "type": "icpc", "date": "2024-06-03", "outcome": "plan"},
    {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
    {"id": "cg", "type": "core_group", "date": "2024-06-03", "status": "held"},
]


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_a_plan_ended_and_a_new_one_made_on_one_day_closes_the_first_then_opens_the_second(
    order: str,
) -> None:
    events = REPLANNED if order == "as written" else REPLANNED[::-1]
    case = cprules.parse_case({"case_id": "R-1", "events": events})
    ids = [e.id for e in case.ordered_events]
    # the review that ended plan 1 before its end; the ICPC that opened plan 2, and the day's
    # core group, after it
    assert ids == ["ic1", "ps1", "rc", "pe1", "ic2", "ps2", "cg"]
    first, second = case.episodes
    assert (ids[first.start_index], ids[first.end_index or 0]) == ("ps1", "pe1")
    assert (ids[second.start_index], second.end_index) == ("ps2", None)
    assert second.opened_by_index is not None and ids[second.opened_by_index] == "ic2"


def test_a_plan_that_starts_and_ends_on_one_day_with_none_open_is_a_one_day_plan() -> None:
    events = [
        {"id": "pe", "type": "plan_end", "date": "2024-06-03"},
        {"id": "ps", "type": "plan_start", "date": "2024-06-03"},
    ]
    case = cprules.parse_case({"case_id": "R-2", "events": events})
    assert [e.id for e in case.ordered_events] == ["ps", "pe"]
    [episode] = case.episodes
    assert (episode.start_index, episode.end_index) == (0, 1)


def test_on_a_replanning_day_only_one_plan_end_closes_the_open_plan() -> None:
    # open plan; that day: an end, a new start, and the new plan's end (a one-day plan)
    events = [
        {"id": "ps1", "type": "plan_start", "date": "2024-01-10"},
        {"id": "pe-b", "type": "plan_end", "date": "2024-06-03"},
        {"id": "pe-a", "type": "plan_end", "date": "2024-06-03"},
        {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
    ]
    case = cprules.parse_case({"case_id": "R-3", "events": events})
    assert [e.id for e in case.ordered_events] == ["ps1", "pe-a", "ps2", "pe-b"]
    assert len(case.episodes) == 2


def test_two_plans_made_on_a_replanning_day_are_still_an_error() -> None:
    events = [
        {"id": "ps1", "type": "plan_start", "date": "2024-01-10"},
        {"id": "pe1", "type": "plan_end", "date": "2024-06-03"},
        {"id": "ps2", "type": "plan_start", "date": "2024-06-03"},
        {"id": "ps3", "type": "plan_start", "date": "2024-06-03"},
    ]
    with pytest.raises(cprules.CaseError, match="a plan starts while another is open") as raised:
        cprules.parse_case({"case_id": "R-4", "events": events})
    assert raised.value.path == "events[3]"
    assert "ps2" not in str(raised.value)  # named by its position: events[2]
    assert "(the plan_start at events[2])" in str(raised.value)
