"""cprules.output: results renamed into place only when a run finishes, whole records only, no
output that is an input by another name, CSV a spreadsheet reads as data, text a terminal
shows as text."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import cprules.output as output
from cprules.output import OutputError, OutputFile, check_not_an_input, csv_cell, csv_row, printable

OLD = '{"case_id": "OLD"}\n'


def record(number: int) -> str:
    return json.dumps({"case_id": f"C-{number}", "padding": "x" * 200}) + "\n"


# -- renamed into place only at the end ------------------------------------------------------------


def test_a_finished_run_replaces_the_file_and_leaves_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    out.chmod(0o640)
    with OutputFile(out) as results:
        for number in range(1000):
            results.write(record(number))
        assert out.read_text() == OLD  # nothing replaces it until the end
    assert out.read_text() == "".join(record(n) for n in range(1000))
    assert not (tmp_path / "out.jsonl.partial").exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # the file keeps its permissions


def test_a_failed_run_leaves_the_old_file_and_the_partial_one_with_whole_cases(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    with pytest.raises(RuntimeError), OutputFile(out) as results:
        for number in range(700):
            results.write(record(number))
        raise RuntimeError("the run stopped")
    assert out.read_text() == OLD
    partial = (tmp_path / "out.jsonl.partial").read_text()
    assert partial == "".join(record(n) for n in range(700))
    assert results.written == results.cases == 700


def test_a_leftover_partial_that_is_a_hard_link_to_an_input_is_replaced_not_truncated(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("the input\n")
    os.link(source, tmp_path / "out.jsonl.partial")
    with OutputFile(tmp_path / "out.jsonl") as results:
        results.write(record(1))
    assert source.read_text() == "the input\n"


# -- a full disk ------------------------------------------------------------------------------------


def test_a_full_disk_mid_write_is_cut_back_to_whole_cases_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    room = [150_000]  # bytes the "disk" still takes

    def write(descriptor: int, data: Any) -> int:
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = real_write(descriptor, bytes(data)[: room[0]])  # a short write, then the error
        room[0] -= taken
        return taken

    monkeypatch.setattr(output.os, "write", write)
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    results = OutputFile(out)
    with pytest.raises(OutputError) as raised:
        for number in range(5000):
            results.write(record(number))
        results.commit()
    results.abandon()
    error = raised.value
    partial = (tmp_path / "out.jsonl.partial").read_bytes()
    lines = partial.split(b"\n")
    assert lines[-1] == b""  # it ends with a whole line
    whole = [json.loads(line)["case_id"] for line in lines[:-1]]
    assert whole == [f"C-{n}" for n in range(len(whole))] and len(whole) == error.cases
    assert error.errno == errno.ENOSPC and error.cases > 0
    assert str(error) == f"{out}: the disk is full; {error.cases:,} cases written to {out}.partial"
    assert out.read_text() == OLD


def test_a_name_too_long_for_the_partial_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = "r" * (longest - 3) + ".csv"  # fits, but not with .partial added
    with pytest.raises(OutputError) as raised:
        OutputFile(tmp_path / name)
    assert f"give a name of at most {longest - len('.partial')} bytes" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_the_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        OutputFile(tmp_path / "out.jsonl")
    with pytest.raises(OutputError, match="no such folder"):
        OutputFile(tmp_path / "missing" / "out.jsonl")


# -- never an input by another name -----------------------------------------------------------------


def test_the_same_file_by_any_name_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("x\n")
    os.link(source, tmp_path / "link.jsonl")
    (tmp_path / "sym.jsonl").symlink_to(source)
    monkeypatch.chdir(tmp_path)
    for out, words in [
        ("cases.jsonl", "is the input file"),
        (str(source), "is the input file"),
        ("./sub/../cases.jsonl", "is the input file"),
        ("sym.jsonl", "is the input file"),
        ("link.jsonl", "by another name (a hard link)"),
    ]:
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match=words.replace("(", r"\(").replace(")", r"\)")):
            check_not_an_input(out, ["cases.jsonl"])
    check_not_an_input("other.jsonl", ["cases.jsonl"])
    assert source.read_text() == "x\n"


def test_standard_input_read_from_the_output_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("x\n")
    with (
        open(out, "rb") as stdin,
        pytest.raises(OutputError, match="is the file standard input is read from"),
    ):
        check_not_an_input(str(out), ["-"], stdin=stdin)
    with open(tmp_path / "other", "wb+") as stdin:
        check_not_an_input(str(out), ["-"], stdin=stdin)


def test_standard_output_written_to_an_input_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("x\n")
    with open(source, "a") as appended:  # cprules batch cases.jsonl >> cases.jsonl
        monkeypatch.setattr("sys.stdout", appended)
        with pytest.raises(OutputError, match="standard output is the input file"):
            check_not_an_input("-", [str(source)])


def test_a_file_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    extract = tmp_path / "ssd"
    extract.mkdir()
    (extract / "ssd_person.csv").write_text("pers_person_id\n")
    for out in ("ssd/ssd_person.csv", "ssd/results.csv", "ssd/deeper/results.csv"):
        with pytest.raises(OutputError, match="inside the input folder"):
            check_not_an_input(str(tmp_path / out), [str(extract)])
    check_not_an_input(str(tmp_path / "results.csv"), [str(extract)])


# -- CSV --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1+2", "  =1", "\uff20x"]
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(text: str) -> None:
    [cell] = next(csv.reader(io.StringIO(csv_row([text]))))
    assert cell == "'" + text


def test_cells_with_any_locales_list_separator_are_quoted() -> None:
    line = csv_row(["neglect;emotional", "a,b", 'say "hi"', "plain", 7, None, " lead"])
    assert line == '"neglect;emotional","a,b","say ""hi""",plain,7,," lead"\n'
    # read with the comma (English locales) and with the semicolon (most of Europe): the cells
    # holding the other separator stay whole
    assert next(csv.reader(io.StringIO(line)))[:2] == ["neglect;emotional", "a,b"]
    assert next(csv.reader(io.StringIO(line), delimiter=";"))[0].startswith("neglect;emotional")


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_text() -> None:
    assert csv_cell(-3) == -3 and csv_cell("-3") == "'-3" and csv_cell(True) == "True"


# -- the terminal -----------------------------------------------------------------------------------

HOSTILE = {
    "ESC": "\x1b[2J",
    "OSC": "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
    "CR": "overwritten\rOK",
    "NUL": "a\x00b",
    "CSI (C1)": "\x9b31m",
    "lone surrogate": "A\ud800B",
    "bidi override": "\u202egnp.exe",
    "DEL": "a\x7fb",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_printable_leaves_nothing_a_terminal_obeys(name: str) -> None:
    shown = printable(HOSTILE[name])
    assert all(0x20 <= ord(c) < 0x7F or ord(c) > 0x9F for c in shown)
    assert not any(0xD800 <= ord(c) <= 0xDFFF or 0x202A <= ord(c) <= 0x202E for c in shown)
    shown.encode("utf-8")  # writable anywhere
    assert shown != HOSTILE[name] and "\\" in shown


def test_printable_keeps_ordinary_text_as_it_is() -> None:
    text = "Renée O'Brien — 1 WD late (2024-04-05), £0; 日本"
    assert printable(text) == text


def test_an_interrupt_in_the_middle_of_a_write_loses_no_case_and_leaves_no_half_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls = [0]

    def write(descriptor: int, data: Any) -> int:
        calls[0] += 1
        if calls[0] == 3:  # the third write goes out half-way, then Ctrl-C lands
            real_write(descriptor, bytes(data)[: len(data) // 2 + 7])
            raise KeyboardInterrupt
        return real_write(descriptor, data)

    monkeypatch.setattr(output.os, "write", write)
    results = OutputFile(tmp_path / "out.jsonl")
    with pytest.raises(KeyboardInterrupt):
        for number in range(2000):
            results.write(record(number))
    assert results.abandon() == results.cases
    lines = (tmp_path / "out.jsonl.partial").read_text().splitlines(keepends=True)
    assert all(line.endswith("\n") for line in lines)
    assert [json.loads(line)["case_id"] for line in lines] == [f"C-{n}" for n in range(results.cases)]
    assert results.cases > 600  # everything gathered before the interrupt is kept, not just what was flushed
