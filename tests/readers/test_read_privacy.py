"""Errors never echo case data: a marker planted in a bad field never reaches an error's text.

Case data is personal data about a child and error text ends up in logs (docs/api.md). Each
property plants a marker (``ZQ...QZ``, which no message of ours contains) as the value of one
bad field, in every format, and checks the error that field causes.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cprules import CaseError, CprulesError, SourceError
from cprules.readers import read_cases

DATA = Path(__file__).parent / "data"

markers = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/", min_size=1, max_size=12).map(
    lambda middle: f"ZQ{middle}QZ"
)


def _errors(items: list[object]) -> list[CaseError]:
    return [item for item in items if isinstance(item, CaseError)]


def _clean(error: CprulesError, marker: str) -> bool:
    texts = [str(error), repr(error)]
    if isinstance(error, CaseError):
        texts += [error.path or "", *(f"{path} {message}" for path, message in error.problems)]
    return not any(marker in text for text in texts)


CSV_FIELDS = {
    "date": "case_id,type,date\nA,visit,{m}\n",
    "bool": "case_id,type,date,s47\nA,strategy_discussion,2024-01-01,{m}\n",
    "literal": "case_id,type,date,outcome\nA,visit,2024-01-01,{m}\n",
    "list": "case_id,type,date,categories\nA,plan_start,2024-01-01,neglect;{m}\n",
    "nested int": "case_id,type,date,votes.for_plan,votes.against_plan\nA,icpc,2024-01-01,{m},1\n",
    "follow-up date": "case_id,type,date,minutes_circulated\nA,icpc,2024-01-01,2024-01-{m}\n",
    "date of birth": "case_id,type,date,date_of_birth\nA,visit,2024-01-01,{m}\n",
    "type": "case_id,type,date\nA,{m},2024-01-01\n",
    "disagreeing birth": (
        "case_id,type,date,date_of_birth\nA,visit,2024-01-01,2018-01-01\nA,visit,2024-01-02,{m}\n"
    ),
}


@settings(max_examples=60, deadline=None)
@given(marker=markers, field=st.sampled_from(sorted(CSV_FIELDS)))
def test_csv_errors_never_contain_the_bad_value(marker: str, field: str) -> None:
    text = CSV_FIELDS[field].format(m=marker)
    errors = _errors(list(read_cases(io.StringIO(text), format="csv")))
    assert errors, field
    assert all(_clean(error, marker) for error in errors)


JSON_FIELDS = {
    "date": '{{"case_id": "A", "events": [{{"type": "visit", "date": "{m}"}}]}}',
    "literal": '{{"case_id": "A", "events": [{{"type": "visit", "date": "2024-01-01", "outcome": "{m}"}}]}}',
    "type": '{{"case_id": "A", "events": [{{"type": "{m}", "date": "2024-01-01"}}]}}',
    "int": '{{"case_id": "A", "events": [{{"type": "icpc", "date": "2024-01-01", "votes": '
    '{{"for_plan": "{m}", "against_plan": 1}}}}]}}',
    "child": '{{"case_id": "A", "child": {{"date_of_birth": "{m}"}}}}',
    "truncated": '{{"case_id": "A", "events": [{{"type": "visit", "date": "{m}',
}


@settings(max_examples=60, deadline=None)
@given(marker=markers, field=st.sampled_from(sorted(JSON_FIELDS)))
def test_json_lines_errors_never_contain_the_bad_value(marker: str, field: str) -> None:
    line = JSON_FIELDS[field].format(m=marker) + "\n"
    errors = _errors(list(read_cases(io.BytesIO(line.encode()), format="jsonl")))
    assert errors, field
    assert all(_clean(error, marker) for error in errors)


CENSUS_FIELDS = {
    "birth date": ("<PersonBirthDate>2016-02-10</PersonBirthDate>", "<PersonBirthDate>{m}</PersonBirthDate>"),
    "s47 start": (
        "<S47ActualStartDate>2024-05-06</S47ActualStartDate>",
        "<S47ActualStartDate>{m}</S47ActualStartDate>",
    ),
    "icpc not required": (
        "<ICPCnotRequired>false</ICPCnotRequired>",
        "<ICPCnotRequired>{m}</ICPCnotRequired>",
    ),
    "plan end": ("<CPPendDate>2024-11-20</CPPendDate>", "<CPPendDate>{m}</CPPendDate>"),
    "review": ("<CPPreviewDate>2024-08-20</CPPreviewDate>", "<CPPreviewDate>{m}</CPPreviewDate>"),
}


@settings(max_examples=40, deadline=None)
@given(marker=markers, field=st.sampled_from(sorted(CENSUS_FIELDS)))
def test_census_errors_never_contain_the_bad_value(marker: str, field: str) -> None:
    text = (DATA / "census_small.xml").read_text(encoding="utf-8")
    good, bad = CENSUS_FIELDS[field]
    text = text.replace(good, bad.format(m=marker), 1)  # in C001
    errors = _errors(list(read_cases(io.StringIO(text), format="cin-census")))
    assert [error.case_id for error in errors] == ["C001", "C005", "C006"]
    assert all(_clean(error, marker) for error in errors)


SSD_FIELDS = {
    "ssd_person.csv": ("P2,F,02,WBRI,10/10/2019", "P2,F,02,WBRI,{m}"),
    "ssd_cp_visits.csv": ("V3,CP2,2024-07-29,Y,true,false", "V3,CP2,2024-07-29,Y,{m},false"),
    "ssd_cp_reviews.csv": (
        "RV3,P2,CP2,2024-10-15,2024-10-14,MR3,N,Y,",
        "RV3,P2,CP2,2024-10-15,2024-10-14,MR3,{m},Y,",
    ),
    "ssd_cp_plans.csv": ("CP2,R9,I2,P2,2024-07-15,2025-01-10", "CP2,R9,I2,P2,2024-07-15,{m}"),
    "ssd_initial_cp_conference.csv": ("P2,CP2,R9,Y,,15/07/2024", "P2,CP2,R9,{m},,15/07/2024"),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marker=markers, table=st.sampled_from(sorted(SSD_FIELDS)))
def test_ssd_errors_never_contain_the_bad_value(tmp_path: Path, marker: str, table: str) -> None:
    # tmp_path is shared by every example hypothesis draws (and by its replays): a folder each
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "ssd"
    shutil.copytree(DATA / "ssd_small", folder)
    good, bad = SSD_FIELDS[table]
    path = folder / table
    path.write_text(path.read_text().replace(good, bad.format(m=marker)))
    errors = _errors(list(read_cases(folder)))
    assert "P2" in [error.case_id for error in errors]
    assert all(_clean(error, marker) for error in errors)


# --- a distinctive value in every field and key, in turn, through every reader ----------------
#
# Each test below walks a whole input (a case file, a CSV event table, a census return, an SSD
# extract), replaces one value or one key at a time with a marker, reads it, and checks every
# error: the marker may appear only as the case id.

MARK = "ZQmarkQZ"


def _leaks(items: list[object], marker: str) -> list[str]:
    """Error texts that hold the marker other than as the case id."""
    found = []
    for item in items:
        if not isinstance(item, CprulesError):
            continue
        texts = [item.reason, repr(getattr(item, "path", "")), repr(getattr(item, "file", ""))]
        if isinstance(item, CaseError):
            texts += [f"{path} {message}" for path, message in item.problems]
            if item.case_id != marker:
                texts.append(str(item))
        found += [text for text in texts if marker in text]
    return found


def _read_all(source: object, **options: object) -> list[object]:
    """Everything a read gives: its items, then the SourceError that ended it, if any."""
    items: list[object] = []
    try:
        for item in read_cases(source, **options):  # type: ignore[arg-type]
            items.append(item)
    except SourceError as error:
        items.append(error)
    return items


RICH_CASE = {
    "schema": 1,
    "case_id": "R-1",
    "child": {"date_of_birth": "2016-02-10"},
    "authority": "peterborough",
    "records": ["icpc", "plan_start", "core_group.minutes_circulated"],
    "metadata": {"team": "north", "codes": [{"code": "N1"}]},
    "events": [
        {"id": "sd", "type": "strategy_discussion", "date": "2024-03-01", "s47": True},
        {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan", "categories": ["neglect"],
         "votes": {"for_plan": 4, "against_plan": 1}, "quorate": True, "visit_interval_days": 10,
         "visit_interval_reason": "a baby", "minutes_circulated": "2024-03-28"},
        {"id": "ps", "type": "plan_start", "date": "2024-03-19", "metadata": {"source": "x"}},
        {"id": "cg", "type": "core_group", "date": "2024-04-02", "status": "held"},
        {"id": "pe", "type": "plan_end", "date": "2024-09-19", "reason": "no_longer_at_risk",
         "decided_at": "ic", "notifications_sent": "2024-09-20"},
        {"id": "ps2", "type": "plan_start", "date": "2024-10-01"},
    ],
}  # fmt: skip


def _places(value: object, path: tuple[object, ...] = ()) -> list[tuple[tuple[object, ...], str]]:
    found: list[tuple[tuple[object, ...], str]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if not (path == () and key == "case_id"):
                found.append(((*path, key), "key"))
                found += _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _places(inner, (*path, index))
    else:
        found.append((path, "value"))
    return found


def _planted(data: object, path: tuple[object, ...], what: str) -> object:
    if not path:
        return MARK
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        return [_planted(item, rest, what) if i == head else item for i, item in enumerate(data)]
    assert isinstance(data, dict)
    if not rest and what == "key":
        return {(MARK if key == head else key): item for key, item in data.items()}
    return {key: _planted(item, rest, what) if key == head else item for key, item in data.items()}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_every_field_and_key_of_a_case_file_in_turn(fmt: str) -> None:
    import json

    import yaml

    leaks = []
    for path, what in _places(RICH_CASE):
        data = _planted(RICH_CASE, path, what)
        if fmt == "yaml":
            text = yaml.safe_dump(data, sort_keys=False)
        elif fmt == "json":
            text = json.dumps([data, RICH_CASE])
        else:
            text = json.dumps(data) + "\n" + json.dumps(data)[:-7] + "\n"  # a whole line, a broken one
        leaks += [f"{path} {what}: {t}" for t in _leaks(_read_all(io.StringIO(text), format=fmt), MARK)]
    assert not leaks


def test_every_cell_and_header_of_a_csv_event_table_in_turn() -> None:
    import csv

    rows = list(csv.reader(io.StringIO((DATA / "events_sorted.csv").read_text(encoding="utf-8"))))
    leaks = []
    for r, row in enumerate(rows):
        for c, _ in enumerate(row):
            if r > 0 and rows[0][c] == "case_id":
                continue  # the case id, which an error names on purpose
            changed = [list(line) for line in rows]
            changed[r][c] = MARK
            out = io.StringIO()
            csv.writer(out).writerows(changed)
            items = _read_all(io.StringIO(out.getvalue()), format="csv")
            leaks += [f"row {r} column {c}: {t}" for t in _leaks(items, MARK) + _leaks(items, MARK.lower())]
    assert not leaks


def test_every_element_and_tag_of_a_census_return_in_turn() -> None:
    import re

    text = (DATA / "census_small.xml").read_text(encoding="utf-8")
    leaks = []
    values = list(re.finditer(r">([^<>\s][^<>]*)</", text))
    tags = list(re.finditer(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s>])", text))
    for match in values:
        if "LAchildID" in text[match.end() : match.end() + 12]:
            continue  # the case id
        changed = text[: match.start(1)] + MARK + text[match.end(1) :]
        leaks += [f"value at {match.start()}: {t}" for t in _leaks(_read_all(io.StringIO(changed)), MARK)]
    for match in tags:
        if match[1]:
            continue  # closing tags follow their opening tag
        name = match[2]
        # rename this element: its opening tag and the next closing tag of that name
        close = text.find(f"</{name}>", match.end())
        if close < 0:
            continue
        changed = (
            text[: match.start(2)] + MARK + text[match.end(2) : close]
            + f"</{MARK}>" + text[close + len(name) + 3 :]
        )  # fmt: skip
        items = _read_all(io.StringIO(changed), format="cin-census")
        leaks += [f"tag at {match.start()}: {t}" for t in _leaks(items, MARK)]
    assert not leaks


def test_every_cell_and_header_of_an_ssd_extract_in_turn(tmp_path: Path) -> None:
    import csv

    tables = {
        path.name: list(csv.reader(io.StringIO(path.read_text()))) for path in (DATA / "ssd_small").iterdir()
    }
    leaks = []
    n = 0
    for name, rows in tables.items():
        for r, row in enumerate(rows):
            for c, _ in enumerate(row):
                if r > 0 and rows[0][c].lower().endswith("_person_id"):
                    continue  # the case id (pers_person_id, and the tables' links to it)
                n += 1
                folder = tmp_path / f"x{n}"
                shutil.copytree(DATA / "ssd_small", folder)
                changed = [list(line) for line in rows]
                changed[r][c] = MARK
                with (folder / name).open("w", newline="") as handle:
                    csv.writer(handle).writerows(changed)
                items = _read_all(folder)
                leaks += [f"{name} row {r} column {c}: {t}" for t in _leaks(items, MARK)]
                shutil.rmtree(folder)
    assert not leaks


def test_every_field_and_key_of_a_csc_api_payload_in_turn() -> None:
    import json

    payload = json.loads((DATA / "csc" / "full_payload.json").read_text(encoding="utf-8"))
    leaks = []
    for path, what in _places(payload):
        if path[-1:] == ("la_child_id",) and what == "value":
            continue  # the case id, which an error names on purpose
        text = json.dumps(_planted(payload, path, what))
        for fmt_text in (text, text + "\n" + text[:-9] + "\n"):  # whole, then a line broken off
            items = _read_all(io.StringIO(fmt_text), format="csc-api")
            leaks += [f"{path} {what}: {t}" for t in _leaks(items, MARK)]
    assert not leaks
