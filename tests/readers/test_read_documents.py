"""JSON and YAML files holding one case or a list of cases."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from cprules import Case, SourceError
from cprules.readers import read_cases

DATA = Path(__file__).parent / "data"


def test_json_list_one_bad_element_is_one_error() -> None:
    items = list(read_cases(DATA / "cases.json"))
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("N-1", "Case"),
        (None, "CaseError"),
        ("N-3", "Case"),
    ]
    assert items[1].path == "[1].case_id"  # type: ignore[union-attr]


def test_json_single_case() -> None:
    [case] = read_cases(io.BytesIO(b'{"case_id": "S", "events": []}'), format="json")
    assert isinstance(case, Case) and case.case_id == "S"


def test_json_that_does_not_parse_is_a_source_error_with_its_line() -> None:
    with pytest.raises(SourceError) as raised:
        list(read_cases(io.BytesIO(b'[\n{"case_id": "A"},\n{"case_id": }\n]'), format="json"))
    assert raised.value.line == 3
    with pytest.raises(SourceError, match="holds a case"):
        list(read_cases(io.BytesIO(b"42"), format="json"))


def test_yaml_documents_each_a_case_or_a_list() -> None:
    items = list(read_cases(DATA / "cases.yaml"))
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("Y-1", "Case"),
        ("Y-2", "Case"),
        ("Y-3", "CaseError"),
    ]
    assert isinstance(items[0], Case) and items[0].child.date_of_birth == date(2018, 5, 10)
    assert items[2].path == "events[0].date"  # type: ignore[union-attr]  # 1970


YAML_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused() -> None:
    with pytest.raises(SourceError, match="billion laughs"):
        list(read_cases(io.BytesIO(YAML_BOMB), format="yaml"))


def test_yaml_with_a_key_twice_or_a_python_tag_is_refused() -> None:
    twice = r"a key is written twice in one mapping \(first on line 1"
    with pytest.raises(SourceError, match=twice) as raised:
        list(read_cases(io.BytesIO(b"case_id: A\ncase_id: B\n"), format="yaml"))
    assert raised.value.line == 2
    # the key is not repeated in the message: a key may be anything a source wrote
    with pytest.raises(SourceError) as raised:
        list(read_cases(io.BytesIO(b"case_id: A\nmetadata: {ZZSECRETZZ: 1, ZZSECRETZZ: 2}\n"), format="yaml"))
    assert "ZZSECRETZZ" not in str(raised.value)
    with pytest.raises(SourceError, match="tags"):
        list(read_cases(io.BytesIO(b"case_id: !!python/object:os.system A\n"), format="yaml"))


def test_a_document_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cprules.readers.documents.MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(SourceError, match="JSON Lines"):
        list(read_cases(io.BytesIO(b'{"case_id": "A", "events": []}'), format="json"))


def test_an_impossible_unquoted_yaml_date_is_one_case_error() -> None:
    items = list(
        read_cases(
            io.BytesIO(b"- {case_id: A, child: {date_of_birth: 2018-02-30}}\n- {case_id: B}\n"), format="yaml"
        )
    )
    assert [(item.case_id, type(item).__name__) for item in items] == [("A", "CaseError"), ("B", "Case")]
    assert items[0].path == "child.date_of_birth"  # type: ignore[union-attr]
