"""JSON Lines: one case a line, streamed; a bad line is one error and the rest goes on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cprules import Case, CaseError
from cprules.readers import read_cases

DATA = Path(__file__).parent / "data"


def test_each_line_is_a_case_or_an_error_blank_lines_skipped() -> None:
    items = list(read_cases(DATA / "cases.jsonl"))
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("J-1", "Case"),
        ("J-2", "CaseError"),
        ("J-3", "Case"),
        ("J-4", "CaseError"),
    ]
    j2, j4 = items[1], items[3]
    assert isinstance(j2, CaseError) and j2.path == "events[0].date"  # 30 February
    # the last line is cut off: not JSON, but its case id is still legible
    assert isinstance(j4, CaseError) and j4.path == "line 5" and "not valid JSON" in str(j4)


def test_a_line_over_the_size_limit_is_skipped_without_holding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cprules.readers.jsonl.MAX_CASE_BYTES", 100)
    big = b'{"case_id": "BIG", "metadata": {"x": "' + b"y" * 5000 + b'"}}\n'
    text = b'{"case_id": "A"}\n' + big + b'{"case_id": "B"}\n'
    items = list(read_cases(io.BytesIO(text), format="jsonl"))
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("A", "Case"),
        ("BIG", "CaseError"),
        ("B", "Case"),
    ]
    assert "over the" in str(items[1]) and items[1].path == "line 2"  # type: ignore[union-attr]


def test_a_text_stream_reads_the_same() -> None:
    text = (DATA / "cases.jsonl").read_text(encoding="utf-8")
    assert [item.case_id for item in read_cases(io.StringIO(text), format="jsonl")] == [
        "J-1",
        "J-2",
        "J-3",
        "J-4",
    ]


def test_a_line_without_a_legible_id_says_where_it_is() -> None:
    [error, ok] = read_cases(io.BytesIO(b'[1, 2]\n{"case_id": "A"}\n'), format="jsonl")
    assert isinstance(error, CaseError) and error.case_id is None and error.path == "line 1"
    assert isinstance(ok, Case)


def test_a_byte_order_mark_on_the_first_line_is_skipped() -> None:
    [case] = read_cases(io.BytesIO(b'\xef\xbb\xbf{"case_id": "A"}\n'), format="jsonl")
    assert isinstance(case, Case) and case.case_id == "A"
