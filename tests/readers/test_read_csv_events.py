"""The CSV event table (docs/data-sources.md): typed cells, case-level columns, sorted and unsorted input."""

from __future__ import annotations

import io
import warnings
from datetime import date
from pathlib import Path

import pytest

from cprules import Case, CaseError, SourceError
from cprules.readers import UnsortedInputWarning, read_cases

DATA = Path(__file__).parent / "data"


def _read(text: str) -> list[Case | CaseError]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsortedInputWarning)
        return list(read_cases(io.StringIO(text), format="csv"))


def test_cells_become_lists_booleans_dates_and_nested_fields() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsortedInputWarning)  # sorted input: no warning
        a1, b2 = read_cases(DATA / "events_sorted.csv")
    assert isinstance(a1, Case) and isinstance(b2, Case)
    assert a1.child.date_of_birth == date(2018, 5, 10)  # on two rows, the same
    assert a1.authority == "peterborough"
    sd, ic, ps, cg, visit = a1.events
    assert sd.s47 is True  # type: ignore[union-attr]
    assert sd.metadata == {"source_code": "SD01"}
    assert ic.categories == ("neglect", "emotional")  # type: ignore[union-attr]
    assert (ic.votes.for_plan, ic.votes.against_plan) == (4, 1)  # type: ignore[union-attr]
    assert ic.quorate is True and ic.minutes_circulated == date(2024, 3, 28)  # type: ignore[union-attr]
    assert ps.date == date(2024, 3, 19)  # written 19/03/2024
    assert ps.categories == ("neglect", "emotional")  # type: ignore[union-attr]  # "neglect; emotional"
    assert cg.status == "held"  # type: ignore[union-attr]
    assert visit.seen_alone is False and visit.outcome == "seen"  # type: ignore[union-attr]
    assert [e.id for e in b2.events] == ["sd", "ic"]
    assert b2.events[1].quorate is False  # type: ignore[union-attr]


def test_unsorted_rows_warn_and_are_grouped_in_first_appearance_order() -> None:
    with pytest.warns(UnsortedInputWarning, match=r"line 2 appears again on line 4"):
        items = list(read_cases(DATA / "events_unsorted.csv"))
    assert [item.case_id for item in items] == ["B-2", "A-1", "C-3"]
    assert [[e.id for e in item.events] for item in items if isinstance(item, Case)] == [
        ["sd", "ic"],
        ["sd", "ic"],
        ["v"],
    ]


def test_adjacent_rows_in_no_sorted_order_stream_without_a_warning() -> None:
    items = _read(
        "case_id,type,date\nB,visit,2024-01-01\nB,visit,2024-01-02\nA,visit,2024-01-03\nC,birth,2024-01-04\n"
    )
    assert [item.case_id for item in items] == ["B", "A", "C"]


def test_a_disagreeing_date_of_birth_is_an_error_naming_the_column() -> None:
    [error, ok] = _read(
        "case_id,type,date,date_of_birth\n"
        "A,visit,2024-01-01,2018-01-01\n"
        "A,visit,2024-01-02,2018-01-02\n"
        "B,visit,2024-01-02,\n"
    )
    assert isinstance(error, CaseError) and isinstance(ok, Case)
    assert error.case_id == "A" and error.path == "line 3.date_of_birth"
    assert "2018" not in str(error)


def test_mistakes_in_a_row_name_the_line_and_column() -> None:
    items = _read(
        "case_id,type,date,outcome,minutes_circulated,votes.for_plan\n"
        "A,visit,2024-13-01,seen,,\n"  # line 2: no 13th month
        "B,icpc,2024-01-01,plan,,many\n"  # line 3: votes not a number
        "C,visit,2024-01-01,,2024-01-05,\n"  # line 4: a visit has no minutes
        "D,visti,2024-01-01,,,\n"  # line 5: a typo in the type
        "E,visit,1970-01-01,,,\n"  # line 6: out of range
        "F,icpc,2024-01-01,maybe,,\n"  # line 7: not an outcome
    )
    assert [(item.case_id, item.path) for item in items if isinstance(item, CaseError)] == [
        ("A", "line 2.date"),
        ("B", "line 3.votes.for_plan"),
        ("C", "line 4.minutes_circulated"),
        ("D", "line 5"),
        ("E", "line 6.date"),
        ("F", "line 7.outcome"),
    ]
    assert "did you mean visit?" in str(items[3])
    assert "outside the supported range" in str(items[4])


def test_a_row_without_a_case_id_is_its_own_error_after_the_case_it_sits_in() -> None:
    items = _read(
        "case_id,type,date\nA,visit,2024-01-01\n,visit,2024-01-02\nA,visit,2024-01-03\nB,birth,2024-01-01\n"
    )
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("A", "Case"),
        (None, "CaseError"),
        ("B", "Case"),
    ]
    assert items[1].path == "line 3.case_id"  # type: ignore[union-attr]
    assert len(items[0].events) == 2  # type: ignore[union-attr]


def test_header_mistakes_are_source_errors_at_line_1() -> None:
    with pytest.raises(SourceError, match=r"line 1|:1:") as raised:
        _read("case_id,type,date,minuts_circulated\nA,icpc,2024-01-01,2024-01-02\n")
    assert "did you mean minutes_circulated?" in str(raised.value)
    assert raised.value.line == 1
    with pytest.raises(SourceError, match="no 'date' column"):
        _read("case_id,type\nA,visit\n")
    with pytest.raises(SourceError, match=r"column 4 of the header repeats column 3 \(date\)"):
        _read("case_id,type,date,date\n")
    with pytest.raises(SourceError, match="empty file"):
        _read("")


SECRET = "zzsecretzz"  # a header is lower-cased as it is read


def test_a_header_that_is_not_a_column_of_the_format_is_named_by_its_place() -> None:
    with pytest.raises(SourceError, match="unknown column 4 of the header: no event has") as raised:
        _read(f"case_id,type,date,{SECRET}\nA,visit,2024-01-01,x\n")
    assert SECRET not in str(raised.value)
    with pytest.raises(SourceError, match="column 5 of the header repeats column 4;") as raised:
        _read(f"case_id,type,date,metadata.{SECRET},metadata.{SECRET}\n")
    assert SECRET not in str(raised.value)


def test_a_multi_line_quoted_cell_keeps_line_numbers_right() -> None:
    items = _read(
        'case_id,type,date,visit_interval_reason\nA,icpc,2024-01-01,"two\nlines"\nB,visit,2024-02-30,\n'
    )
    assert isinstance(items[1], CaseError) and items[1].path == "line 4.date"


def test_a_non_seekable_stream_is_read_once_into_a_spool() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    pipe = io.BufferedReader(Pipe((DATA / "events_unsorted.csv").read_bytes()))
    with pytest.warns(UnsortedInputWarning):
        items = list(read_cases(pipe, format="csv"))
    assert [item.case_id for item in items] == ["B-2", "A-1", "C-3"]


def test_a_case_past_the_event_limit_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cprules.readers.csv_events.MAX_EVENTS_PER_CASE", 3)
    rows = "".join(f"A,visit,2024-01-{day:02d}\n" for day in range(1, 6))
    [error, ok] = _read("case_id,type,date\n" + rows + "B,birth,2024-01-01\n")
    assert isinstance(error, CaseError) and "more than 3 events" in str(error)
    assert isinstance(ok, Case)
