"""The fast parse (msgspec, cprules._fastcase) gives what the pydantic parse gives, or nothing.

``fast_parse`` only ever accepts: whenever it returns a case, that case must equal the one
``parse_case`` builds with pydantic alone (the same models, values, set fields, ids, timeline
order, episodes, and the same report under every pack); whenever pydantic refuses a text, the
fast parse must have returned None, so that ``parse_case`` gives pydantic's error, the same
message and paths as before. Checked on the benchmark's caseload, on cprules.testing's
generated cases and on mutations of them, on the bad-input corpus, and on each doubt the fast
path has by design.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cprules import CaseError, Pack, bundled_pack_ids, evaluate, load_pack
from cprules import case as case_module
from cprules._fastcase import fast_parse
from cprules.case import Case, parse_case
from cprules.testing import case_data

HERE = Path(__file__).parent
CORPUS = HERE / "corpus" / "cases"
AS_OF = date(2025, 1, 1)


@cache
def pack_named(pack_id: str) -> Pack:
    return load_pack(pack_id)


def _parse_with(fast: bool, text: str | bytes) -> Case:
    switched = case_module._FAST_PARSE
    case_module._FAST_PARSE = fast
    try:
        return parse_case(text)
    finally:
        case_module._FAST_PARSE = switched


def slow_parse(text: str | bytes) -> Case:
    """``parse_case`` with the fast path switched off: pydantic alone."""
    return _parse_with(False, text)


def fast_first_parse(text: str | bytes) -> Case:
    """``parse_case`` with the fast path switched on: msgspec first, pydantic for the rest."""
    return _parse_with(True, text)


def _models(case: Case) -> Iterator[tuple[str, Any]]:
    yield "case", case
    yield "child", case.child
    for position, event in enumerate(case.events):
        yield f"events[{position}]", event
        votes = getattr(event, "votes", None)
        if votes is not None:
            yield f"events[{position}].votes", votes


def assert_same_case(fast: Case, slow: Case) -> None:
    """Equal in every way a caller or a rule can see."""
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    for (where, mine), (_, theirs) in zip(_models(fast), _models(slow), strict=True):
        assert type(mine) is type(theirs), where
        assert mine.model_fields_set == theirs.model_fields_set, where
        assert mine.model_extra == theirs.model_extra, where
        assert mine.__pydantic_private__ == theirs.__pydantic_private__, where
        fields = {name: value for name, value in vars(theirs).items() if name in type(theirs).model_fields}
        assert list(vars(mine).items())[: len(fields)] == list(fields.items()), where
    assert [event.id for event in fast.ordered_events] == [event.id for event in slow.ordered_events]
    assert fast.ordered_events == slow.ordered_events
    assert fast.positions_by_type == slow.positions_by_type
    assert fast.positions_by_id == slow.positions_by_id
    assert fast.episodes == slow.episodes
    assert [event.label for event in fast.ordered_events] == [event.label for event in slow.ordered_events]


def assert_equivalent(text: str | bytes) -> Case | None:
    """The fast parse accepts only what pydantic accepts, as pydantic builds it; parse_case
    with the fast path on gives what it gives with it off (the case, or the same error)."""
    fast = fast_parse(text)
    try:
        slow = slow_parse(text)
    except CaseError as refused:
        assert fast is None, "the fast parse accepted a case pydantic refuses"
        with pytest.raises(CaseError) as caught:
            fast_first_parse(text)
        assert str(caught.value) == str(refused)
        assert caught.value.path == refused.path
        assert caught.value.problems == refused.problems
        assert caught.value.case_id == refused.case_id
        return None
    if fast is not None:
        assert_same_case(fast, slow)
    assert_same_case(fast_first_parse(text), slow)
    return fast


def assert_same_reports(fast: Case, slow: Case, pack_ids: tuple[str, ...]) -> None:
    for pack_id in pack_ids:
        pack = pack_named(pack_id)
        assert evaluate(fast, pack, as_of=AS_OF).to_json() == evaluate(slow, pack, as_of=AS_OF).to_json()


# --- the benchmark's caseload ------------------------------------------------------------------


def _bench_lines(count: int, seed: int) -> list[str]:
    import sys

    sys.path.insert(0, str(HERE.parent / "bench"))
    try:
        from caseload import caseload_lines  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return list(caseload_lines(count, seed=seed))


@pytest.mark.parametrize("seed", [2024, 11])
def test_the_fast_parse_reads_every_benchmark_case_as_pydantic_does(seed: int) -> None:
    for text in _bench_lines(150, seed):
        fast = assert_equivalent(text)
        assert fast is not None, "a realistic case left to pydantic: the fast path is not used"
        assert_equivalent(text.encode())
        assert_equivalent(b"\xef\xbb\xbf" + text.encode())


def test_every_pack_reports_the_same_on_fast_and_pydantic_cases() -> None:
    texts = _bench_lines(12, 5)
    for text in texts:
        fast = fast_parse(text)
        assert fast is not None
        assert_same_reports(fast, slow_parse(text), tuple(bundled_pack_ids()))


# --- generated cases and mutations of them -----------------------------------------------------


@given(
    case_data(records=None, ids=False, shuffle=True)
    | case_data(records=True, extra_events=(0, 6), authority=["cambridgeshire", None])
)
def test_generated_cases_parse_the_same(data: dict[str, Any]) -> None:
    text = json.dumps(data)
    fast = assert_equivalent(text)
    assert fast is not None
    assert_same_reports(fast, slow_parse(text), ("nelincs", "stoke"))


STRINGS = st.sampled_from([" padded ", "tab\t", "\u00a0nbsp", "x" * 201, "", "ok", "a:b"])
ODD_VALUES = st.one_of(
    st.none(),
    st.sampled_from([True, False, 0, 1, 7, 7.0, 1.5, -1, 367, 10**20, "7", "true", "yes"]),
    st.sampled_from(["2024-02-30", "1989-12-31", "1990-01-01", "2100-12-31", "2101-01-01"]),
    st.sampled_from(["2024-03-19T00:00:00", "2024-03-19T10:00:00", "2024-03-19 ", " 2024-03-19"]),
    STRINGS,
    st.sampled_from([[], ["neglect"], ["neglect", " physical"], {}, {"for_plan": 3, "against_plan": 1}]),
    st.sampled_from([{"for_plan": 3}, {"for_plan": -1, "against_plan": 1}, {" k ": 1}, {"k": [1, {"a": 2}]}]),
)


def _mutate(draw: st.DrawFn, data: dict[str, Any]) -> None:
    events = data.get("events") or []
    how = draw(
        st.sampled_from(
            ["value", "drop-id", "same-id", "new-field", "metadata", "case-field", "plans", "deep", "null"]
        )
    )
    event = draw(st.sampled_from(events)) if events else None
    if how == "value" and event is not None:
        names = [name for name in case_module.EVENT_MODELS[event["type"]].model_fields if name != "type"]
        event[draw(st.sampled_from(names))] = copy.deepcopy(draw(ODD_VALUES))
    elif how == "drop-id":
        for other in events:
            if draw(st.booleans()):
                other.pop("id", None)
    elif how == "same-id" and len(events) > 1:
        events[-1]["id"] = events[0].get("id", "x")
    elif how == "new-field" and event is not None:
        event[draw(st.sampled_from(["outcome", "votes", "kind", "colour", "metadata"]))] = draw(ODD_VALUES)
    elif how == "metadata":
        target = event if event is not None and draw(st.booleans()) else data
        target["metadata"] = {"note": draw(STRINGS), "codes": draw(ODD_VALUES)}
    elif how == "case-field":
        key = draw(st.sampled_from(["case_id", "authority", "records", "schema", "child", "metadata"]))
        data[key] = copy.deepcopy(draw(ODD_VALUES | st.sampled_from([["visit", "icpc.votes", "visit.x"]])))
    elif how == "plans":
        for other in events:
            if other["type"] in ("plan_start", "plan_end") and draw(st.booleans()):
                other["type"] = "plan_end" if other["type"] == "plan_start" else "plan_start"
    elif how == "deep" and event is not None:
        depth = draw(st.sampled_from([50, 99, 100, 101, 150, 190, 196, 197, 198, 250]))
        event["metadata"] = {"a": json.loads("[" * depth + "]" * depth)}
    elif how == "null" and event is not None:
        for name in case_module.EVENT_MODELS[event["type"]].model_fields:
            if name not in ("type", "date", "id") and draw(st.booleans()):
                event[name] = None


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    data = copy.deepcopy(draw(case_data(episodes=(0, 2), plan_days=(14, 200), extra_events=(0, 4))))
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, data)
    text = json.dumps(data)
    if draw(st.booleans()) and '"id": ' in text:  # a key written twice
        at = text.index('"id": ')
        text = text[:at] + '"id": "twice", ' + text[at:]
    return text


@given(mutated_texts())
def test_mutated_cases_parse_the_same_or_fail_the_same(text: str) -> None:
    assert_equivalent(text)


@given(mutated_texts())
def test_the_validator_checks_plans_in_full_only_when_they_do_not_simply_alternate(text: str) -> None:
    """The validator's quick look at the plan events (case._plans_alternate) passes a case only
    when the full check would pass it unchanged: no error, no re-planning day reordered."""
    try:
        case = slow_parse(text)
    except CaseError:
        return
    if case_module._plans_alternate(case.events):
        timeline = tuple(sorted(case.events, key=case_module._sort_key))
        case._check_episodes()  # raises on an overlap or an unopened end
        assert case.ordered_events == timeline


# --- the bad-input corpus, and each doubt by design --------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.json")))
def test_every_bad_case_of_the_corpus_gives_pydantics_error(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    assert fast_parse(raw) is None
    assert assert_equivalent(raw) is None


VISIT = '{"type": "visit", "date": "2024-03-05", "id": "v1"%s}'


def _case(events: str = VISIT % "", top: str = "") -> str:
    return '{"case_id": "F-1"' + top + ', "events": [' + events + "]}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_case(VISIT % ', "outcome": " seen"'), "a value pydantic refuses unstripped"),
        (_case('{"type": "visit", "date": "2024-03-05", "id": " v1 "}'), "an id pydantic strips"),
        (_case(top=', "authority": "stoke "'), "text pydantic strips"),
        (_case(VISIT % ', "metadata": {" k": 1}'), "a metadata key pydantic strips"),
        (_case(VISIT % ', "seen_alone": 1'), "a value pydantic coerces"),
        (_case(VISIT % ', "metadata": {"a": %s}' % ("[" * 150 + "]" * 150)), "nesting near pydantic's limit"),
        (_case('{"type": "visit", "date": "1989-12-31"}'), "a date before 1990"),
        (_case('{"type": "core_group", "date": "2024-03-05", "minutes_circulated": "2101-01-01"}'), "2101"),
        (_case(VISIT % ', "id": "v2"'), "a key written twice"),
        (_case(VISIT % ', "metadata": {"time": "10:30"}'), "a colon inside a string"),
        (
            _case(
                '{"type": "plan_start", "date": "2024-03-05", "id": "a"},'
                '{"type": "plan_start", "date": "2024-05-05", "id": "b"}'
            ),
            "a plan opened twice",
        ),
        (_case('{"type": "plan_end", "date": "2024-03-05"}'), "a plan ended with none open"),
        (_case(VISIT % "" + "," + VISIT % ""), "a repeated id"),
    ],
)
def test_each_doubt_is_left_to_pydantic(text: str, why: str) -> None:
    assert fast_parse(text) is None, why
    assert_equivalent(text)


def test_a_replanning_day_is_left_to_pydantic_and_ordered_as_before() -> None:
    text = _case(
        '{"type": "plan_start", "date": "2024-01-05", "id": "ps1"},'
        '{"type": "review_conference", "date": "2024-06-05", "id": "rc", "outcome": "cease"},'
        '{"type": "plan_end", "date": "2024-06-05", "id": "pe1"},'
        '{"type": "icpc", "date": "2024-06-05", "id": "ic2", "outcome": "plan"},'
        '{"type": "plan_start", "date": "2024-06-05", "id": "ps2"}'
    )
    assert fast_parse(text) is None
    case = parse_case(text)
    assert [event.id for event in case.ordered_events] == ["ps1", "rc", "pe1", "ic2", "ps2"]


def test_unnamed_events_are_named_as_pydantic_names_them() -> None:
    text = _case(
        '{"type": "visit", "date": "2024-03-05", "outcome": "seen"},'
        '{"type": "visit", "date": "2024-03-05", "outcome": "no_access"},'
        '{"type": "visit", "date": "2024-03-05", "id": "visit 2024-03-05"}'
    )
    fast = assert_equivalent(text)
    assert fast is not None
    # the given id keeps its name; the two unnamed, in the canonical order of their fields
    # (no_access before seen), take (2) and (3)
    assert {event.id: event.outcome for event in fast.events} == {  # type: ignore[attr-defined]
        "visit 2024-03-05 (2)": "no_access",
        "visit 2024-03-05 (3)": "seen",
        "visit 2024-03-05": None,
    }


def test_model_validate_and_the_json_schema_are_pydantics_still() -> None:
    data = json.loads(_case(VISIT % ', "outcome": "seen"'))
    assert Case.model_validate(data) == fast_parse(json.dumps(data))
    assert "events" in Case.model_json_schema()["properties"]
