"""Reports as JSON: the versioned format, reading it back, and errors that say what is wrong."""

from __future__ import annotations

import json
import pickle
from datetime import date

import pytest
from pydantic import ValidationError

import cprules
from cprules import Finding, Report, Severity, SourceError, Status
from cprules.findings import REPORT_SCHEMA_VERSION
from cprules.schemas import schema

CASE = cprules.parse_case(
    {
        "case_id": "A-17",
        "events": [
            {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
            {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
            {"id": "cg1", "type": "core_group", "date": "2024-04-05", "status": "held"},
        ],
    }
)
REPORT = cprules.evaluate(CASE, cprules.load_pack("stoke"), as_of=date(2024, 4, 30))


def test_the_report_json_says_its_format_version_first() -> None:
    text = REPORT.to_json()
    assert text.startswith('{"report_schema": 1, "case_id": "A-17", ')
    assert json.loads(text)["report_schema"] == REPORT_SCHEMA_VERSION == 1
    assert REPORT.to_dict()["report_schema"] == 1
    assert text == json.dumps(REPORT.to_dict(), ensure_ascii=False)


def test_the_report_json_schema_has_the_version() -> None:
    properties = schema("report")["properties"]
    assert properties["report_schema"]["const"] == 1


def test_a_report_reads_back_whole() -> None:
    assert Report.from_json(REPORT.to_json()) == REPORT
    assert Report.from_json(REPORT.to_json().encode()) == REPORT


def test_a_report_written_before_the_version_field_reads_as_version_1() -> None:
    data = REPORT.to_dict()
    del data["report_schema"]  # as cprules 0.1.0 wrote it
    assert Report.from_json(json.dumps(data)) == REPORT


def test_a_report_of_a_later_format_is_refused_saying_so() -> None:
    data = {**REPORT.to_dict(), "report_schema": 2}
    with pytest.raises(SourceError, match=r"report_schema: a report format this cprules does not read"):
        Report.from_json(json.dumps(data))


SECRET = "ZZSECRETZZ"
FIRST_FINDING = REPORT.to_dict()["findings"][0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json " + SECRET, "not valid JSON"),
        ("{}", "case_id: required field is missing"),
        ("[1, 2]", "write a mapping of field: value"),
        (
            json.dumps({**REPORT.to_dict(), "as_of": SECRET}),
            "as_of: not a valid date; write YYYY-MM-DD",
        ),
        (
            json.dumps({**REPORT.to_dict(), "findings": [{**FIRST_FINDING, "status": SECRET}]}),
            "findings[0].status: not one of the values the format allows",
        ),
    ],
)
def test_text_that_is_not_a_report_is_a_source_error_without_its_values(text: str, words: str) -> None:
    with pytest.raises(SourceError) as raised:
        Report.from_json(text)
    error = raised.value
    assert words in str(error)
    assert SECRET not in str(error)
    assert isinstance(error.__cause__, ValidationError)  # pydantic's detail, for a debugger


@pytest.mark.parametrize("text", [None, 5, ["{}"], {"case_id": "A"}])
def test_from_json_names_the_argument_of_the_wrong_type(text: object) -> None:
    with pytest.raises(TypeError, match="argument 'text' must be str or bytes"):
        Report.from_json(text)  # type: ignore[arg-type]


def test_a_finding_made_by_the_engine_is_the_same_as_one_made_by_hand() -> None:
    # the engine builds findings through make_finding (plain stores, then a class assignment):
    # the result must be indistinguishable from the public constructor's, and as immutable
    from dataclasses import FrozenInstanceError

    from cprules.findings import make_finding, rule_json

    args = (
        "r@e1#1", "r", "Title", "deadline", Severity.BREACH, Status.LATE, date(2024, 4, 4),
        date(2024, 4, 5), 1, 1, "e1", ("e1", "e2"), "§2", "Due 4 April 2024.",
    )
    by_hand = Finding(*args)
    made = make_finding(*args, rule_json("r", "Title", "deadline", Severity.BREACH, "§2"))
    assert type(made) is Finding and made == by_hand and hash(made) == hash(by_hand)
    assert repr(made) == repr(by_hand) and made.to_dict() == by_hand.to_dict()
    report = Report(case_id="A-1", pack_id="p", pack_version="1", pack_digest="sha256:0",
                    engine_version={"cprules": "0"}, as_of=date(2024, 6, 1), findings=(made, by_hand))
    assert report.to_json() == json.dumps(report.to_dict(), ensure_ascii=False)
    for finding in (made, by_hand):
        with pytest.raises(FrozenInstanceError):
            finding.status = Status.MET  # type: ignore[misc]
        with pytest.raises(FrozenInstanceError):
            del finding.explanation
    assert pickle.loads(pickle.dumps(made)) == by_hand
