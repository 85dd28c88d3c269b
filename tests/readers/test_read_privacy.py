"""Errors never echo case data: a marker planted in a bad field never reaches an error's text.

Case data is personal data about a child and error text ends up in logs (SPEC §9). Each
property plants a marker (``ZQ...QZ``, which no message of ours contains) as the value of one
bad field, in every format, and checks the error that field causes.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cprules import CaseError, CprulesError
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
