"""A batch loses nothing: one result per input case, in input order, with the case id where it
can be read; a rule that fails on one case is an error result for that case, not a dead batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from unittest import mock

from _budget import budget
from hypothesis import given, settings
from hypothesis import strategies as st

import cprules.engine
from cprules import Case, CaseError, EvaluationError, Report, evaluate, evaluate_many, load_pack, parse_case
from cprules.engine import evaluate_lines
from cprules.testing import case_data

STOKE = load_pack("stoke")
AS_OF = date(2025, 6, 1)

small_cases = case_data(pack=STOKE, episodes=(0, 1), plan_days=(14, 200))


def expected_id(item: Any) -> str | None:
    """The case id a reader can get from an input, as CaseError.case_id gives it."""
    if isinstance(item, Case):
        return item.case_id
    try:
        data = json.loads(item) if isinstance(item, str | bytes) else item
    except ValueError:
        return None
    value = data.get("case_id") if isinstance(data, dict) else None
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:200]
    return None


@st.composite
def bad_inputs(draw: st.DrawFn) -> Any:
    """A case that cannot be read: a field wrong, an event type unknown, or not JSON at all."""
    data = draw(small_cases)
    how = draw(st.sampled_from(["date", "type", "id", "garbage", "list"]))
    if how == "date":
        data["child"] = {"date_of_birth": "2024-02-30"}
    elif how == "type":
        data["events"] = [*data["events"], {"type": "visitt", "date": "2024-01-01"}]
    elif how == "id":
        data["case_id"] = draw(st.sampled_from(["", "   ", None]))
    elif how == "garbage":
        return draw(st.sampled_from(['{"case_id": "X-9", ', "not json", b"\xff\xfe", "[]", "17"]))
    else:
        data["events"] = "not a list"
    form = draw(st.sampled_from(["dict", "text", "bytes"]))
    return data if form == "dict" else json.dumps(data) if form == "text" else json.dumps(data).encode()


@st.composite
def good_inputs(draw: st.DrawFn) -> Any:
    data = draw(small_cases)
    form = draw(st.sampled_from(["dict", "text", "bytes", "case"]))
    if form == "case":
        return parse_case(data)
    return data if form == "dict" else json.dumps(data) if form == "text" else json.dumps(data).encode()


mixed_batches = st.lists(st.one_of(good_inputs(), bad_inputs()), max_size=12)


def check_results(inputs: list[Any], results: list[Any]) -> None:
    assert len(results) == len(inputs)
    for item, result in zip(inputs, results, strict=True):
        try:
            case = parse_case(item)
        except CaseError:
            assert isinstance(result, CaseError)
            assert result.case_id == expected_id(item)
        else:
            assert isinstance(result, Report)
            assert result == evaluate(case, STOKE, as_of=AS_OF)


@budget(25)
@given(mixed_batches)
def test_evaluate_many_gives_one_result_per_input_in_order(inputs: list[Any]) -> None:
    check_results(inputs, list(evaluate_many(iter(inputs), STOKE, as_of=AS_OF)))


@budget(25)
@given(mixed_batches)
def test_evaluate_lines_gives_one_line_per_input_in_order(inputs: list[Any]) -> None:
    lines = [
        item if isinstance(item, str | bytes) else json.dumps(item)
        for item in inputs
        if not isinstance(item, Case)
    ]
    out = list(evaluate_lines(iter(lines), STOKE, as_of=AS_OF))
    assert len(out) == len(lines)
    for line, written in zip(lines, out, strict=True):
        record = json.loads(written)
        assert record["case_id"] == expected_id(line)
        try:
            parse_case(line)
        except CaseError:
            assert record["error"]["kind"] == "case"
        else:
            assert "error" not in record
            assert Report.from_json(written).case_id == record["case_id"]


# Worker processes are slow to start: a few examples whatever the profile.
@settings(max_examples=3)
@given(st.lists(st.one_of(good_inputs(), bad_inputs()), min_size=5, max_size=25))
def test_evaluate_many_in_two_processes_keeps_input_order(inputs: list[Any]) -> None:
    check_results(inputs, list(evaluate_many(inputs, STOKE, as_of=AS_OF, jobs=2, chunk_size=3)))


def failing_on(case_id: str, rule_id: str) -> Any:
    """The engine's evaluator, but raising inside one rule for one case."""
    real = cprules.engine.evaluator

    def evaluator(kind: str) -> Any:
        run = real(kind)

        def wrapped(rule: Any, timeline: Any, verdicts: Any) -> Any:
            if timeline.case.case_id == case_id and rule.id == rule_id:
                raise ZeroDivisionError("a bug in a rule")
            return run(rule, timeline, verdicts)

        return wrapped

    return evaluator


def cases_around(broken: str) -> Iterator[dict[str, Any]]:
    for case_id in ("A-1", broken, "A-3"):
        yield {
            "case_id": case_id,
            "events": [{"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"}],
        }


def test_a_rule_that_fails_on_one_case_is_an_error_for_that_case_and_the_batch_goes_on() -> None:
    with mock.patch.object(cprules.engine, "evaluator", failing_on("A-2", "first-core-group")):
        results = list(evaluate_many(cases_around("A-2"), STOKE, as_of=AS_OF))
        lines = [
            json.loads(line)
            for line in evaluate_lines(map(json.dumps, cases_around("A-2")), STOKE, as_of=AS_OF)
        ]
    assert [type(result) for result in results] == [Report, EvaluationError, Report]
    failed = results[1]
    assert isinstance(failed, EvaluationError)
    assert (failed.case_id, failed.rule_id) == ("A-2", "first-core-group")
    assert "ZeroDivisionError" in str(failed)
    assert [line["case_id"] for line in lines] == ["A-1", "A-2", "A-3"]
    assert lines[1]["error"] == {
        "kind": "evaluation",
        "path": None,
        "rule_id": "first-core-group",
        "message": failed.reason,
    }
