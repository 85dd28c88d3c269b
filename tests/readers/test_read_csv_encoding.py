"""A CSV event table that is not UTF-8 is one SourceError naming the line, never a crash: Excel's
"Unicode text" (UTF-16, with or without a byte-order mark) and a legacy code page (Windows-1252)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cprules import SourceError
from cprules.readers import read_cases

TABLE = "case_id,type,date\nA-1,visit,2024-01-05\nA-2,visit,2024-01-06\nA-3,visit,2024-01-07\n"


def refused(data: bytes, tmp_path: Path) -> SourceError:
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    with pytest.raises(SourceError) as raised:
        list(read_cases(path))
    with pytest.raises(SourceError) as from_stream:  # an unseekable stream is spooled first
        list(read_cases(_Unseekable(data), format="csv"))
    assert (from_stream.value.line, from_stream.value.reason) == (raised.value.line, raised.value.reason)
    return raised.value


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_text_is_refused_at_line_1_with_what_to_do(tmp_path: Path, encoding: str) -> None:
    error = refused(TABLE.encode(encoding), tmp_path)
    assert error.line == 1 and "UTF-16 text, not UTF-8; save the table as UTF-8" in error.reason


def test_a_windows_1252_byte_is_refused_naming_its_line(tmp_path: Path) -> None:
    # "é" in Windows-1252 is the single byte 0xE9, not UTF-8; it is on the fourth line
    data = (TABLE + "A-4,visit,2024-01-08\n").replace("A-3", "Ren\u00e9").encode("cp1252")
    error = refused(data, tmp_path)
    assert (error.line, error.reason) == (4, "not UTF-8 text; save the table as UTF-8 (in Excel: CSV UTF-8)")
    assert "Ren" not in str(error)


def test_a_bad_byte_far_into_a_big_table_is_found_on_its_line(tmp_path: Path) -> None:
    rows = "".join(f"C-{n:06d},visit,2024-01-05\n" for n in range(60_000))  # about 1.4 MB
    data = ("case_id,type,date\n" + rows).encode() + b"C-\xff,visit,2024-01-05\n"
    assert refused(data, tmp_path).line == 60_002


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TABLE.encode())
    assert [case.case_id for case in read_cases(path)] == ["A-1", "A-2", "A-3"]  # type: ignore[union-attr]
