"""No personal data in errors: a CaseError never repeats a value from the case (docs/api.md, "Errors").

Case data is personal data about a child, and error text ends up in logs. The tests plant
random marker strings (and dates out of range, and impossible dates) in the values of a case
and check that no part of the error (its text, ``path``, ``problems``, the batch's error
record) contains them. Only the ``case_id`` is left alone: an error names the case on purpose
(docs/api.md, "Errors"). Event ids are planted too (an error names another event by its
place, ``events[3]``), and so are keys, one at a time: an unknown key is named by its place
(``events[2].<key 5>``) unless it is close to a field of the format.
"""

from __future__ import annotations

import copy
import json
import string
from datetime import date
from typing import Any

from _budget import budget
from hypothesis import assume, given
from hypothesis import strategies as st

from cprules import CaseError, EvaluationError, evaluate, load_pack, parse_case
from cprules.engine import evaluate_lines
from cprules.testing import case_data

ENGLAND = load_pack("england")
IDENTIFIERS = {"case_id"}

#: a marker: a tag no message can contain, then random text (quotes, braces and unicode included)
markers = st.builds(
    lambda tail: f"PII{tail}",
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=4, max_size=24),
)
#: dates as text that are personal data too: a birth date that is out of range or impossible
marker_dates = st.builds(
    lambda year, month, day: f"{year:04d}-{month:02d}-{day:02d}",
    st.one_of(st.integers(1000, 1989), st.integers(2101, 9999)),
    st.integers(1, 12),
    st.integers(1, 28),
) | st.sampled_from(["2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01"])


def plant(value: Any, draw: st.DrawFn, planted: list[str], every: bool) -> Any:
    """The value with markers in its leaves (all of them with ``every``, else some)."""
    if isinstance(value, dict):
        return {
            key: inner if key in IDENTIFIERS else plant(inner, draw, planted, every)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [plant(inner, draw, planted, every) for inner in value]
    if not every and not draw(st.booleans()):
        return value
    marker = (
        draw(marker_dates)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-"
        else draw(markers)
    )
    planted.append(marker)
    return marker


@st.composite
def cases_with_markers(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    data = draw(case_data(episodes=(0, 1), plan_days=(14, 120), extra_events=(0, 2)))
    data["metadata"] = {"note": "free text about the child"}
    data["authority"] = "somewhere"
    planted: list[str] = []
    every = draw(st.booleans())
    marked = plant(copy.deepcopy(data), draw, planted, every)
    if not planted:  # make it a bad case: a date that cannot be one
        marked["child"] = {"date_of_birth": draw(marker_dates)}
        planted.append(marked["child"]["date_of_birth"])
    return marked, planted


def texts_of(error: CaseError) -> list[str]:
    parts = [str(error), repr(error), error.reason, error.path or "", *map(str, error.args)]
    parts.extend(f"{path} {message}" for path, message in error.problems)
    return parts


@budget(80)
@given(cases_with_markers())
def test_no_planted_value_appears_in_a_case_error(marked: tuple[dict[str, Any], list[str]]) -> None:
    data, planted = marked
    for source in (data, json.dumps(data), json.dumps(data).encode()):
        try:
            parse_case(source)
        except CaseError as error:
            for text in texts_of(error):
                for marker in planted:
                    assert marker not in text, f"{marker!r} in {text!r}"
        else:
            assume(False)  # the markers all landed on free text: a valid case


@budget(50)
@given(cases_with_markers())
def test_no_planted_value_appears_in_a_batch_error_record(marked: tuple[dict[str, Any], list[str]]) -> None:
    data, planted = marked
    [line] = evaluate_lines([json.dumps(data)], ENGLAND, as_of=date(2025, 1, 1))
    record = json.loads(line)
    assume("error" in record)
    for marker in planted:
        assert marker not in line and marker not in json.dumps(record, ensure_ascii=False), marker


@budget(100)
@given(
    st.text(alphabet=string.ascii_letters + "{}[]\"'\\:,", min_size=1, max_size=40).map(lambda s: "PII" + s)
)
def test_no_planted_text_appears_when_the_json_is_broken(marker: str) -> None:
    broken = '{"case_id": "A-1", "child": {"date_of_birth": "' + marker + '"'  # no closing braces
    try:
        parse_case(broken)
    except CaseError as error:
        for text in texts_of(error):
            assert marker not in text


def places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every leaf value and every key of a case, as (path, "value" or "key")."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if path == () and key == "case_id":
                continue
            found.append(((*path, key), "key"))
            found.extend(places(inner, (*path, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(places(inner, (*path, index)))
    else:
        found.append((path, "value"))
    return found


def planted_at(data: Any, path: tuple[Any, ...], what: str, marker: str) -> Any:
    """A copy of ``data`` with ``marker`` as the value at ``path``, or as the key there."""
    if not path:
        return marker
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        return [planted_at(item, rest, what, marker) if i == head else item for i, item in enumerate(data)]
    if not rest and what == "key":
        return {(marker if key == head else key): item for key, item in data.items()}
    return {key: planted_at(item, rest, what, marker) if key == head else item for key, item in data.items()}


@st.composite
def one_marker(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A case with one distinctive value in one place: a value, an event id or a key."""
    data = draw(case_data(episodes=(0, 1), plan_days=(14, 120), extra_events=(0, 2)))
    data["metadata"] = {"note": "free text about the child"}
    data["authority"] = "somewhere"
    path, what = draw(st.sampled_from(places(data)), label="place")
    old = data
    for step in path:
        old = old[step]
    is_date = what == "value" and isinstance(old, str) and len(old) == 10 and old[4] == "-"
    marker = draw(marker_dates) if is_date else draw(markers)
    return planted_at(data, path, what, marker), marker


@budget(150)
@given(one_marker())
def test_a_value_or_key_planted_anywhere_never_appears_in_an_error(
    marked: tuple[dict[str, Any], str],
) -> None:
    data, marker = marked
    for source in (data, json.dumps(data), json.dumps(data).encode()):
        try:
            parse_case(source)
        except CaseError as error:
            for text in texts_of(error):
                assert marker not in text, f"{marker!r} in {text!r}"
        else:
            assume(False)  # the marker landed on free data: a valid case
    [line] = evaluate_lines([json.dumps(data)], ENGLAND, as_of=date(2025, 1, 1))
    assert marker not in line


@budget(60)
@given(one_marker())
def test_a_marker_planted_anywhere_reaches_no_evaluation_error(marked: tuple[dict[str, Any], str]) -> None:
    # a case that reads may still fail a rule: an EvaluationError holds no value either
    data, marker = marked
    try:
        case = parse_case(data)
    except CaseError:
        return  # the test above checks these
    try:
        evaluate(case, ENGLAND, as_of=date(2025, 1, 1))
    except EvaluationError as error:
        assert marker not in str(error) and marker not in repr(error)
