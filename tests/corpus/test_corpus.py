"""The corpus of bad packs and bad cases: each gives the error expected.yaml says, and quickly.

Inputs too large to keep in the repository are made here: a pack file and a case file over
their size limits, case text over the limit, and huge strings in a case.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cprules import CaseError, CprulesError, PackError, SourceError, load_case, load_pack, parse_case
from cprules.case import MAX_CASE_BYTES
from cprules.pack.loader import MAX_PACK_BYTES

HERE = Path(__file__).parent
EXPECTED: dict[str, dict[str, dict[str, Any]]] = yaml.safe_load((HERE / "expected.yaml").read_text("utf-8"))
PACKS = EXPECTED["packs"]
CASES = EXPECTED["cases"]
ERRORS: dict[str, type[CprulesError]] = {"CaseError": CaseError, "SourceError": SourceError}
#: "refused quickly" (SPEC §9): a hostile file costs well under this
QUICK_SECONDS = 2.0


def test_every_corpus_file_has_an_expected_error_and_every_expectation_a_file() -> None:
    assert sorted(PACKS) == sorted(p.name for p in (HERE / "packs").iterdir() if p.is_dir())
    assert sorted(CASES) == sorted(p.name for p in (HERE / "cases").iterdir() if p.is_file())


@pytest.mark.parametrize("name", sorted(PACKS))
def test_a_bad_pack_gives_a_pack_error_at_its_file_line_and_column(name: str) -> None:
    expected = PACKS[name]
    folder = HERE / "packs" / name
    started = time.perf_counter()
    with pytest.raises(PackError) as caught:
        load_pack(folder / expected.get("load", "."))
    elapsed = time.perf_counter() - started
    error = caught.value
    assert error.file is not None and error.line is not None and error.column is not None, str(error)
    where = f"{Path(error.file).resolve().relative_to(folder.resolve())}:{error.line}:{error.column}"
    assert where == expected["at"], str(error)
    # as compilers write it: FILE:LINE:COLUMN: [rule ID: ]what is wrong and what to write instead
    assert str(error).startswith(f"{error.file}:{error.line}:{error.column}: "), str(error)
    assert error.rule_id == expected.get("rule"), str(error)
    assert expected["message"] in str(error)
    assert "Traceback" not in str(error) and "\n" not in str(error)
    if expected.get("quick"):
        assert elapsed < QUICK_SECONDS


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_case_gives_the_expected_error_without_its_values(name: str) -> None:
    expected = CASES[name]
    path = HERE / "cases" / name
    with pytest.raises(CprulesError) as caught:
        load_case(path)
    error = caught.value
    assert type(error) is ERRORS[expected["error"]], str(error)
    assert expected["message"] in str(error)
    assert "\n" not in str(error)
    if isinstance(error, CaseError):
        assert error.case_id == expected["case_id"]
        assert error.path == expected["path"]
        assert str(error).startswith(
            f"case {expected['case_id']}: " if expected["case_id"] else "case (id unreadable): "
        )
    else:
        assert isinstance(error, SourceError) and error.file == str(path)
    if name.endswith(".json") and isinstance(error, CaseError):  # the same from the text itself
        with pytest.raises(CaseError) as again:
            parse_case(path.read_bytes())
        assert str(again.value) == str(error)


# --- made here: too large to keep -------------------------------------------------------------


def test_a_pack_file_over_the_size_limit_is_refused_quickly(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    padding = "# " + "x" * 78 + "\n"
    pack.write_text("schema: 1\n" + padding * (MAX_PACK_BYTES // len(padding) + 1), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    assert time.perf_counter() - started < QUICK_SECONDS
    assert str(caught.value).startswith(f"{pack}:1:1: ")
    assert "over the 1024 KiB limit" in str(caught.value)


def test_a_case_file_over_the_size_limit_is_refused_quickly(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_bytes(b'{"case_id": "BIG", "metadata": {"note": "' + b"x" * MAX_CASE_BYTES + b'"}}')
    started = time.perf_counter()
    with pytest.raises(SourceError, match="over the 16 MiB limit"):
        load_case(case)
    with pytest.raises(CaseError, match="over the 16 MiB limit"):
        parse_case(case.read_bytes())
    assert time.perf_counter() - started < QUICK_SECONDS


@pytest.mark.parametrize(
    ("field", "path", "message"),
    [
        ("id", "events[0].id", "too long"),
        ("outcome", "events[0].outcome", "write one of: seen, not_seen, no_access, refused"),
        ("date", "events[0].date", "not a valid date"),
        ("seen_alone", "events[0].seen_alone", "write true or false"),
    ],
)
def test_a_huge_string_in_a_field_is_named_not_repeated(field: str, path: str, message: str) -> None:
    huge = "Jane Doe, 14 Acacia Avenue " * 40_000  # about a megabyte of personal data
    event = {"id": "v", "type": "visit", "date": "2024-03-01", field: huge}
    started = time.perf_counter()
    with pytest.raises(CaseError) as caught:
        parse_case({"case_id": "HUGE-1", "events": [event]})
    assert time.perf_counter() - started < QUICK_SECONDS
    error = caught.value
    assert (error.case_id, error.path) == ("HUGE-1", path)
    assert message in str(error)
    assert "Jane Doe" not in str(error) and len(str(error)) < 500


def test_a_huge_case_id_is_cut_short_in_the_error() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({"case_id": "C" * 1_000_000, "events": "no"})
    assert len(str(caught.value)) < 500
