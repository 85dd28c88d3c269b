"""A case error names places, never values; strict where strictness protects; no crash.

Case data is personal data about a child and error text ends up in logs: an error names the
case id, field paths and positions, and field names of the case format, nothing else. A key
that is not a field of the format may be anything a source wrote (a child's name), so it is
named by its place (``events[2].<key 5>``) unless it is close to a field (a typo, named with
the fix).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import cprules
from cprules import CaseError, SourceError
from cprules.case import MAX_EVENTS_PER_CASE
from cprules.readers import read_cases

SECRET = "ZZSECRETZZ"


def error_of(data: Any) -> CaseError:
    with pytest.raises(CaseError) as raised:
        cprules.parse_case(data)
    error = raised.value
    texts = [str(error), repr(error), error.path or "", *(f"{p} {m}" for p, m in error.problems)]
    assert not any(SECRET in text for text in texts), texts
    return error


def visit(**fields: Any) -> dict[str, Any]:
    return {"type": "visit", "date": "2024-01-02", **fields}


# --- event ids in episode errors ------------------------------------------------------------


def test_an_episode_error_names_the_open_plan_by_its_place_not_its_id() -> None:
    error = error_of(
        {
            "case_id": "E-1",
            "events": [
                {"id": SECRET, "type": "plan_start", "date": "2024-01-01"},
                {"type": "plan_start", "date": "2024-02-01"},
            ],
        }
    )
    assert (error.path, error.reason.split(";")[0]) == (
        "events[1]",
        "a plan starts while another is open (the plan_start at events[0])",
    )


# --- unknown keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"case_id": "E-1", "events": [visit(**{SECRET: 1})]}, "events[0].<key 3>", "unknown field;"),
        ({"case_id": "E-1", SECRET: 1}, "<key 2>", "unknown field;"),
        ({"case_id": "E-1", "child": {SECRET: "2018-01-01"}}, "child.<key 1>", "unknown field;"),
        (
            {
                "case_id": "E-1",
                "events": [
                    {
                        "type": "icpc",
                        "date": "2024-01-02",
                        "votes": {"for_plan": 1, "against_plan": 0, SECRET: 2},
                    }
                ],
            },
            "events[0].votes.<key 3>",
            "unknown field;",
        ),
        # close to a field: a typo, named with the fix
        (
            {"case_id": "E-1", "events": [visit(categroies=["neglect"])]},
            "events[0].categroies",
            "did you mean categories?",
        ),
        # a field of another event type: named, since it is a word of the format
        (
            {"case_id": "E-1", "events": [{"type": "icpc", "date": "2024-01-02", "seen_alone": True}]},
            "events[0].seen_alone",
            "not a field of an event of type icpc",
        ),
    ],
)
def test_an_unknown_key_is_named_by_its_place_unless_it_is_close_to_a_field(
    data: dict[str, Any], path: str, words: str
) -> None:
    for given in (data, json.dumps(data)):
        error = error_of(given)
        assert error.path == path and words in error.reason


# --- metadata keys that are not text --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"case_id": "E-1", "metadata": {"team": "north", 31415926: SECRET}}, "metadata.<key 2>"),
        ({"case_id": "E-1", "events": [visit(metadata={27182818: "x"})]}, "events[0].metadata.<key 1>"),
        ({"case_id": "E-1", 14142135: "x"}, "<key 2>"),
    ],
)
def test_a_key_that_is_not_text_is_named_by_its_place(data: dict[Any, Any], path: str) -> None:
    error = error_of(data)
    assert (error.path, error.reason) == (path, "a key must be text")
    for number in ("31415926", "27182818", "14142135"):
        assert number not in str(error)


# --- keys written twice in JSON -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"case_id": "E-1", "case_id": "E-2"}', "case_id"),
        (
            '{"case_id": "E-1", "events": [{"type": "visit", "date": "2024-01-02", '
            '"outcome": "seen", "outcome": "no_access"}]}',
            "events[0].outcome",
        ),
        (f'{{"case_id": "E-1", "metadata": {{"{SECRET}": 1, "a": 2, "{SECRET}": 3}}}}', "metadata.<key 3>"),
        # whitespace before the colon, and a string holding a colon, do not hide a repeat
        ('{"case_id": "E-1", "authority" : "x", "metadata": {"t": "10:30"}, "authority": "y"}', "authority"),
    ],
)
def test_a_key_written_twice_in_json_is_refused_as_in_yaml(text: str, path: str) -> None:
    for given in (text, text.encode()):
        error = error_of(given)
        assert (error.path, error.reason) == (path, "a key is written twice in one mapping; write it once")


def test_json_with_no_repeated_key_is_read_whatever_its_strings_hold() -> None:
    text = json.dumps(
        {
            "case_id": "E-1",
            "metadata": {"note": 'at 10:30 "sharp": see {"a": 1}', "nested": {"a": {"a": 1}}},
            "events": [visit(metadata={"a": [{"a": 1}, {"a": 2}]})],
        }
    )
    assert cprules.parse_case(text).metadata is not None


def test_a_json_file_with_a_key_twice_is_one_case_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    text = '[{"case_id": "A", "authority": "x", "authority": "y"}, {"case_id": "B"}]'
    items = list(read_cases(io.BytesIO(text.encode()), format="json"))
    assert isinstance(items[0], CaseError) and items[0].path == "authority"
    assert isinstance(items[1], cprules.Case)


# --- a UTF-8 byte-order mark ----------------------------------------------------------------


def test_a_byte_order_mark_is_accepted_in_json(tmp_path: Path) -> None:
    bom = "\ufeff" + json.dumps({"case_id": "B-1", "events": [visit()]})
    assert cprules.parse_case(bom).case_id == "B-1"
    assert cprules.parse_case(bom.encode("utf-8")).case_id == "B-1"
    path = tmp_path / "case.json"
    path.write_bytes(bom.encode("utf-8"))
    assert cprules.load_case(path).case_id == "B-1"
    [case] = read_cases(io.StringIO(bom), format="json")
    assert isinstance(case, cprules.Case)


# --- how many events a case may have --------------------------------------------------------


def test_parse_case_refuses_more_events_than_the_readers_allow() -> None:
    events = [{"type": "birth", "date": "2024-01-05"}] * (MAX_EVENTS_PER_CASE + 1)
    error = error_of({"case_id": "E-1", "events": events})
    assert error.path == "events" and f"more than {MAX_EVENTS_PER_CASE} events" in error.reason


# --- numbers past Python's 4,300-digit limit ------------------------------------------------

HUGE = "9" * 5000
ICPC = {"type": "icpc", "date": "2024-01-02"}


@pytest.mark.parametrize(
    "text",
    [
        '{"case_id": "E-1", "metadata": {"x": ' + HUGE + "}}",
        '{"case_id": "E-1", "events": [{"type": "icpc", "date": "2024-01-02", "votes": '
        '{"for_plan": ' + HUGE + ', "against_plan": 0}}]}',
        '{"case_id": ' + HUGE + "}",
    ],
)
def test_a_number_past_4300_digits_in_json_is_a_case_error(text: str) -> None:
    error = error_of(text)
    assert "too long" in error.reason
    assert "9999" not in str(error)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"case_id": 10**5000}, "case_id"),
        ({"case_id": "E-1", "schema": 10**5000}, "schema"),
        (
            {"case_id": "E-1", "events": [{**ICPC, "visit_interval_days": 10**5000}]},
            "events[0].visit_interval_days",
        ),
        (
            {"case_id": "E-1", "events": [{**ICPC, "visit_interval_days": 987654321987}]},
            "events[0].visit_interval_days",
        ),
    ],
)
def test_a_huge_number_in_a_mapping_is_a_case_error(data: dict[str, Any], path: str) -> None:
    assert error_of(data).path == path


def test_a_huge_number_in_a_yaml_or_json_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(f"case_id: E-1\nmetadata: {{x: {HUGE}}}\n")
    with pytest.raises(SourceError, match="over 4,300 digits"):
        cprules.load_case(path)
    for fmt, text in (("yaml", path.read_text()), ("json", '{"case_id": "E-1", "x": ' + HUGE + "}")):
        with pytest.raises(SourceError, match="over 4,300 digits"):
            list(read_cases(io.StringIO(text), format=fmt))
    [item] = read_cases(io.StringIO('{"case_id": "E-1", "x": ' + HUGE + "}\n"), format="jsonl")
    assert isinstance(item, CaseError) and "too long" in item.reason


# --- a case id guessed from a JSON Lines line -----------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        f'{{"metadata": {{"case_id": "{SECRET}"}}, "events": [{{"type": "vis',
        f'{{"events": [{{"type": "visit", "case_id": "{SECRET}", "date": "2024',
        f'{{"note": "\\"case_id\\": \\"{SECRET}\\"", "events": [',
        f'{{"note": "case_id", "x": "{SECRET}", "events": [',
    ],
)
def test_a_broken_json_lines_line_gives_only_its_own_top_level_case_id(line: str) -> None:
    [error] = read_cases(io.BytesIO(line.encode() + b"\n"), format="jsonl")
    assert isinstance(error, CaseError)
    assert error.case_id is None and SECRET not in str(error)


def test_a_broken_json_lines_line_keeps_a_top_level_case_id() -> None:
    line = b'{"metadata": {"case_id": "X"}, "case_id": "A-1", "events": [{"type": "vis'
    [error] = read_cases(io.BytesIO(line + b"\n"), format="jsonl")
    assert isinstance(error, CaseError) and error.case_id == "A-1"


# --- load_case reads a bounded amount ---------------------------------------------------------


def test_load_case_reads_no_more_than_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cprules.case.MAX_CASE_BYTES", 64)
    path = tmp_path / "big.yaml"
    path.write_text("case_id: A\nmetadata: {note: " + "x" * 1000 + "}\n")
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, *args, **kwargs)
        read = handle.read

        def bounded(size: int = -1) -> Any:
            reads.append(size)
            return read(size)

        handle.read = bounded
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    with pytest.raises(SourceError, match="limit"):
        cprules.load_case(path)
    assert reads and all(0 < size <= 65 for size in reads)
