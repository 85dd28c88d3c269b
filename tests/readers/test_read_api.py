"""read_cases and detect_format: formats, detection, standard input and whole-input errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from cprules import SourceError
from cprules.readers import FORMATS, detect_format, read_cases

DATA = Path(__file__).parent / "data"


def test_formats() -> None:
    assert FORMATS == ("json", "yaml", "jsonl", "csv", "cin-census", "ssd", "csc-api")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cases.json", "json"),
        ("cases.yaml", "yaml"),
        ("x.YML", "yaml"),
        ("cases.jsonl", "jsonl"),
        ("x.ndjson", "jsonl"),
        ("events_sorted.csv", "csv"),
        ("census_small.xml", "cin-census"),
        ("ssd_small", "ssd"),
    ],
)
def test_detected_from_the_extension_or_folder(name: str, expected: str) -> None:
    assert detect_format(DATA / name) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'\xef\xbb\xbf<?xml version="1.0"?><Message/>', "cin-census"),
        (b'[{"case_id": "A"}]', "json"),
        (b'{"case_id": "A"}\n{"case_id": "B"}\n', "jsonl"),
        (b'{\n  "case_id": "A"\n}\n', "json"),
        (b"case_id,type,date\nA,visit,2024-01-01\n", "csv"),
        (b"case_id: A\nevents: []\n", "yaml"),
        (b"---\n- case_id: A\n", "yaml"),
    ],
)
def test_sniffed_from_the_first_bytes(head: bytes, expected: str) -> None:
    stream = io.BytesIO(head)
    assert detect_format(stream) == expected
    assert stream.tell() == 0


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (DATA / "events_sorted.csv").read_bytes()
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)))  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "stdin", stdin)
    assert [item.case_id for item in read_cases("-")] == ["A-1", "B-2"]


def test_whole_input_errors_are_raised_before_reading(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No such file") as raised:
        read_cases(tmp_path / "missing.xml")
    assert raised.value.file == str(tmp_path / "missing.xml")
    with pytest.raises(SourceError, match="unknown format 'xls'"):
        read_cases(DATA / "cases.json", format="xls")
    with pytest.raises(SourceError, match="cannot tell the format"):
        read_cases(io.BytesIO(b"hello world"))
    with pytest.raises(SourceError, match="empty"):
        read_cases(io.BytesIO(b"  \n"))
    with pytest.raises(SourceError, match="from a folder"):
        read_cases(io.BytesIO(b"x"), format="ssd")
    with pytest.raises(SourceError, match="folder cannot be read as csv"):
        read_cases(DATA / "ssd_small", format="csv")


def test_a_stream_passed_in_is_left_open() -> None:
    stream = io.BytesIO((DATA / "cases.jsonl").read_bytes())
    list(read_cases(stream, format="jsonl"))
    assert not stream.closed
