"""One error tree: whatever a caller passes to the public API, cprules raises a CprulesError
or a TypeError naming the argument, never a raw AttributeError, KeyError or ValueError.

Each public function is called with values of every kind in place of one argument at a time.
The last test makes sure every name of ``cprules.__all__`` is either checked here or listed,
with the reason, among the names that are not functions a caller passes input to.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cprules
import cprules.pack
from cprules import CprulesError

ENGLAND = cprules.load_pack("england")
CASE = cprules.parse_case({"case_id": "A-1", "events": [{"id": "b", "type": "birth", "date": "2024-01-05"}]})
CALENDAR = ENGLAND.calendar

#: anything a caller might pass by mistake
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.builds(lambda: 10**5000),  # str() of it raises ValueError (built: hypothesis reprs a just())
    st.floats(allow_nan=True),
    st.text(max_size=60),
    st.binary(max_size=60),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
    st.dates(),
    st.datetimes(),
    st.builds(object),
    st.just(io.BytesIO(b"\x00\xff not a case")),
)

CHECKED: set[str] = set()


def fails_cleanly(call: Callable[[], Any], *arguments: str) -> None:
    """``call`` succeeds, raises a CprulesError, or a TypeError naming one of ``arguments``."""
    try:
        result = call()
        if isinstance(result, Iterator):
            for _ in result:
                pass
    except CprulesError:
        pass
    except TypeError as error:
        assert any(f"argument '{name}'" in str(error) for name in arguments), repr(error)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(anything)
def test_parse_case(value: Any) -> None:
    CHECKED.add("parse_case")
    fails_cleanly(lambda: cprules.parse_case(value), "data")


@SETTINGS
@given(st.one_of(anything, st.text(max_size=60).map(lambda s: f"/nonexistent/{s}.json")))
def test_load_case(value: Any) -> None:
    CHECKED.add("load_case")
    fails_cleanly(lambda: cprules.load_case(value), "path")


@SETTINGS
@given(anything)
def test_load_pack(value: Any) -> None:
    CHECKED.add("load_pack")
    fails_cleanly(lambda: cprules.load_pack(value), "name_or_path")


def test_load_pack_of_a_huge_number_or_a_name_too_long() -> None:
    # a number is not a pack name: refused by type before str() of it can raise ValueError
    with pytest.raises(TypeError, match="argument 'name_or_path'"):
        cprules.load_pack(10**5000)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'name_or_path'"):
        cprules.pack.validate_pack(5)  # type: ignore[arg-type]
    # a name longer than the file system allows (255 bytes a component): a PackError that
    # shows only the start of the name
    with pytest.raises(cprules.PackError) as caught:
        cprules.load_pack("a" * 300)
    assert "a" * 100 not in str(caught.value)
    with pytest.raises(cprules.PackError):
        cprules.load_pack("./" + "b" * 300)


@SETTINGS
@given(anything, st.one_of(st.none(), anything, st.sampled_from(["json", "jsonl", "csv", "ssd"])))
def test_read_cases(source: Any, format: Any) -> None:
    CHECKED.add("read_cases")
    if isinstance(source, io.BytesIO):
        source.seek(0)
    fails_cleanly(lambda: cprules.read_cases(source, format=format), "source", "format")


@SETTINGS
@given(st.sampled_from(["case", "pack", "as_of"]), anything)
def test_evaluate(argument: str, value: Any) -> None:
    CHECKED.add("evaluate")
    given_ = {"case": CASE, "pack": ENGLAND, "as_of": date(2024, 6, 1), argument: value}
    fails_cleanly(lambda: cprules.evaluate(given_["case"], given_["pack"], as_of=given_["as_of"]), argument)


@SETTINGS
@given(st.sampled_from(["pack", "as_of", "cases"]), anything)
def test_evaluate_many(argument: str, value: Any) -> None:
    CHECKED.add("evaluate_many")
    if argument == "cases":  # any items: each is a result (a CaseError for a bad one), never a raise
        results = list(cprules.evaluate_many([value, CASE], ENGLAND, as_of=date(2024, 6, 1)))
        assert len(results) == 2 and isinstance(results[1], cprules.Report)
        assert isinstance(results[0], cprules.Report | cprules.CaseError)
        return
    given_ = {"pack": ENGLAND, "as_of": date(2024, 6, 1), argument: value}
    fails_cleanly(lambda: cprules.evaluate_many([CASE], given_["pack"], as_of=given_["as_of"]), argument)


@SETTINGS
@given(anything)
def test_report_from_json(value: Any) -> None:
    CHECKED.add("Report")
    fails_cleanly(lambda: cprules.Report.from_json(value), "text")


@SETTINGS
@given(st.sampled_from(["country", "subdiv", "closures"]), anything)
def test_working_calendar(argument: str, value: Any) -> None:
    CHECKED.add("WorkingCalendar")
    given_: dict[str, Any] = {"country": "GB", "subdiv": "ENG", "closures": (), argument: value}
    fails_cleanly(lambda: cprules.WorkingCalendar(**given_), argument)


@SETTINGS
@given(
    st.sampled_from(
        [
            ("is_working_day", ("d",)),
            ("add_working_days", ("d", "n")),
            ("working_days_between", ("a", "b")),
            ("holidays_between", ("a", "b")),
            ("describe_skipped", ("a", "b")),
            ("next_working_day", ("d",)),
            ("previous_working_day", ("d",)),
        ]
    ),
    st.data(),
    anything,
)
def test_working_calendar_methods(
    method: tuple[str, tuple[str, ...]], data: st.DataObject, value: Any
) -> None:
    CHECKED.add("WorkingCalendar")
    name, parameters = method
    bad = data.draw(st.sampled_from(parameters), label="argument")
    good = {"d": date(2024, 3, 28), "n": 3, "a": date(2024, 3, 28), "b": date(2024, 4, 5)}
    arguments = [value if parameter == bad else good[parameter] for parameter in parameters]
    call = getattr(CALENDAR, name)
    # the wrapper methods name the argument as the method they call does: 'd' either way
    fails_cleanly(lambda: call(*arguments), bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cprules.ComplianceSummary.for_pack("england", as_of=date(2024, 6, 1)),  # type: ignore[arg-type]
        lambda: cprules.ComplianceSummary(5),  # type: ignore[arg-type]
        lambda: cprules.ComplianceSummary([("a-rule",)]),  # type: ignore[list-item]
        lambda: cprules.ComplianceSummary.for_pack(
            ENGLAND, as_of=date(2024, 6, 1), department_year=2024
        ).add_case(5),  # type: ignore[arg-type]
        lambda: cprules.ComplianceSummary().add(5),  # type: ignore[arg-type]
        lambda: cprules.ComplianceSummary().merge("england"),  # type: ignore[arg-type]
        lambda: cprules.ComplianceSummary(overdue_limit=-1),
        lambda: cprules.ComplianceSummary(as_of="2024-06-01"),  # type: ignore[arg-type]
    ],
    ids=[
        "for_pack of a name",
        "rules not a list",
        "a rule entry too short",
        "add_case of a number",
        "add of a number",
        "merge of a name",
        "a negative overdue limit",
        "as_of as text",
    ],
)
def test_compliance_summary(call: Callable[[], Any]) -> None:
    CHECKED.add("ComplianceSummary")
    # each call is a caller's mistake: it must be refused with the argument named, never run on
    # to an AttributeError or an IndexError inside the summary, nor be counted as a case
    with pytest.raises(TypeError, match="argument '"):
        call()


def test_compliance_summary_merges_only_one_pack_at_one_date() -> None:
    stoke = cprules.load_pack("stoke")
    june, july = date(2024, 6, 1), date(2024, 7, 1)
    with pytest.raises(ValueError, match="different packs"):
        cprules.ComplianceSummary.for_pack(ENGLAND, as_of=june).merge(
            cprules.ComplianceSummary.for_pack(stoke, as_of=june)
        )
    with pytest.raises(ValueError, match="different dates"):
        cprules.ComplianceSummary.for_pack(ENGLAND, as_of=june).merge(
            cprules.ComplianceSummary.for_pack(ENGLAND, as_of=july)
        )


def test_bundled_pack_ids() -> None:
    CHECKED.add("bundled_pack_ids")
    with pytest.raises(TypeError):
        cprules.bundled_pack_ids("england")  # type: ignore[call-arg]
    assert "england" in cprules.bundled_pack_ids()


def test_a_file_name_with_a_nul_or_of_bytes_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(cprules.SourceError, match="NUL character"):
        cprules.load_case("case\x00.yaml")
    with pytest.raises(cprules.SourceError, match="NUL character"):
        cprules.read_cases(str(tmp_path / "cases\x00.jsonl"))
    with pytest.raises(TypeError, match="argument 'path'"):
        cprules.load_case(b"case.yaml")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'source'"):
        cprules.read_cases(b"cases.jsonl")  # type: ignore[arg-type]


#: names of cprules.__all__ that are not functions a caller passes input to, and why
NOT_INPUT_FUNCTIONS = {
    "CalendarError": "an exception class",
    "CalendarRangeError": "an exception class",
    "CaseError": "an exception class",
    "CprulesError": "an exception class",
    "EvaluationError": "an exception class",
    "PackError": "an exception class",
    "SourceError": "an exception class",
    "OutputError": "an exception class",
    "WorkerError": "an exception class",
    "WorkerPool": "starts processes: its bad-input tests are in tests/faults/test_worker_pool.py",
    "Status": "a str enum: Status('x') raises ValueError, as every Enum lookup does",
    "Severity": "a str enum, as Status",
    "Case": "a pydantic model: parse_case is the checked way in; Case.model_validate keeps pydantic's errors",
    "Child": "a pydantic model, part of Case",
    "Episode": "a record the case builds; never built from input",
    "Finding": "a record the engine builds; its constructor checks nothing, for speed",
    "Pack": "built by load_pack, which is checked here",
    "__version__": "a string",
}


def test_every_public_name_is_checked_or_listed_with_a_reason() -> None:
    missing = set(cprules.__all__) - CHECKED - set(NOT_INPUT_FUNCTIONS)
    # the tests above run first in file order; run alone, this one only checks the listing
    if CHECKED:
        assert not missing, f"public names with no bad-input test: {sorted(missing)}"
    assert set(NOT_INPUT_FUNCTIONS) <= set(cprules.__all__)


def test_datetime_is_not_a_date_for_evaluate() -> None:
    with pytest.raises(TypeError, match=r"argument 'as_of' must be a datetime\.date, not datetime"):
        cprules.evaluate(CASE, ENGLAND, as_of=datetime(2024, 6, 1, 12))  # type: ignore[arg-type]
