"""The CIN census reader against a small return written for the tests (data/census_small.xml).

Each child's expected events were worked out by hand from the XML; the counting of working
days is in the comments (England and Wales bank holidays).
"""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import pytest

import cprules
from cprules import Case, CaseError, SourceError
from cprules.readers import read_cases
from cprules.readers.census import RECORDS

DATA = Path(__file__).parent / "data"
CENSUS = DATA / "census_small.xml"


def _read(source: object = CENSUS) -> list[Case | CaseError]:
    return list(read_cases(source, format="cin-census"))  # type: ignore[arg-type]


def _by_id(items: list[Case | CaseError]) -> dict[str, Case | CaseError]:
    return {str(item.case_id): item for item in items}


def _events(case: Case | CaseError) -> list[tuple[str, str, date, dict[str, object]]]:
    assert isinstance(case, Case), str(case)
    rows = []
    for event in case.ordered_events:
        fields = event.model_dump(exclude_none=True, exclude={"id", "type", "date", "metadata"})
        rows.append((event.id, event.type, event.date, fields))  # type: ignore[attr-defined]
    return rows


def test_every_child_gives_one_item_in_source_order() -> None:
    items = _read()
    assert [item.case_id for item in items] == [f"C{n:03d}" for n in range(1, 11)]
    assert [type(item).__name__ for item in items] == [
        "Case", "Case", "Case", "Case", "CaseError", "CaseError", "Case", "Case", "Case", "Case",
    ]  # fmt: skip


def test_section_47_on_a_bank_holiday_maps_to_a_strategy_discussion_and_one_icpc() -> None:
    c001 = _by_id(_read())["C001"]
    # The ICPC date is written twice (CINdetails and Section47): the duplicate is dropped.
    assert _events(c001) == [
        ("cin1.s47-1", "strategy_discussion", date(2024, 5, 6), {"s47": True}),
        ("cin1.s47-1.icpc", "icpc", date(2024, 5, 28), {"outcome": "plan"}),  # a plan starts that day
        ("cin1.plan-1.start", "plan_start", date(2024, 5, 28), {"categories": ("neglect",)}),
        ("cin1.plan-1.review-1", "review_conference", date(2024, 8, 20), {}),
        ("cin1.plan-1.review-2", "review_conference", date(2024, 11, 20), {}),
        ("cin1.plan-1.end", "plan_end", date(2024, 11, 20), {}),
    ]
    assert isinstance(c001, Case)
    assert c001.child.date_of_birth == date(2016, 2, 10)
    assert c001.records == RECORDS
    assert c001.metadata is not None
    assert c001.metadata["duplicate_events_dropped"] == 1
    assert c001.metadata["LEA"] == "999" and c001.metadata["ReferenceDate"] == "2025-03-31"
    assert c001.metadata["CINdetails"] == [
        {
            "CINreferralDate": "2024-05-02",
            "ReferralSource": "1A",
            "PrimaryNeedCode": "N1",
            "ReferralNFA": "false",
        }
    ]
    plan_start = next(e for e in c001.events if e.type == "plan_start")  # type: ignore[attr-defined]
    assert plan_start.metadata == {
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "NEG",
        "NumberOfPreviousCPP": "0",
    }
    # nothing personal beyond what the rules need: no UPN, no ethnicity
    assert "A123456789012" not in c001.model_dump_json()
    assert "WBRI" not in c001.model_dump_json()


def test_mul_category_leaves_the_plan_categories_absent_and_keeps_the_code() -> None:
    c002 = _by_id(_read())["C002"]
    assert isinstance(c002, Case)
    plan_start = next(e for e in c002.events if e.type == "plan_start")  # type: ignore[attr-defined]
    assert plan_start.categories is None  # type: ignore[attr-defined]
    assert plan_start.metadata == {"InitialCategoryOfAbuse": "MUL", "LatestCategoryOfAbuse": "MUL"}


def test_icpc_not_required_is_an_s47_outcome_on_the_enquiry_start() -> None:
    c003 = _by_id(_read())["C003"]
    assert isinstance(c003, Case)
    assert c003.child.expected_delivery_date == date(2024, 9, 15)
    assert _events(c003) == [
        ("cin1.s47-1", "strategy_discussion", date(2024, 6, 3), {"s47": True}),
        ("cin1.s47-1.outcome", "s47_outcome", date(2024, 6, 3), {"icpc_required": False}),
    ]


def test_a_plan_listed_twice_is_one_plan_and_an_enquiry_after_the_plan_is_kept() -> None:
    c004 = _by_id(_read())["C004"]
    assert _events(c004) == [
        ("cin1.plan-1.start", "plan_start", date(2022, 1, 10), {"categories": ("physical",)}),
        ("cin1.plan-1.end", "plan_end", date(2022, 12, 1), {}),
        ("cin2.icpc", "icpc", date(2024, 7, 1), {"outcome": "plan"}),
        ("cin2.plan-1.start", "plan_start", date(2024, 7, 1), {"categories": ("emotional",)}),
        ("cin2.s47-1", "strategy_discussion", date(2024, 8, 1), {"s47": True}),
    ]
    assert isinstance(c004, Case)
    assert len(c004.episodes) == 2
    assert c004.metadata is not None and c004.metadata["duplicate_events_dropped"] == 1


def test_out_of_range_dates_are_one_error_naming_the_element_never_the_value() -> None:
    items = _by_id(_read())
    c005, c006 = items["C005"], items["C006"]
    assert isinstance(c005, CaseError) and isinstance(c006, CaseError)
    assert c005.path == "CINdetails[1].ChildProtectionPlans[1].CPPstartDate"  # 1970-01-01
    assert c006.path == "ChildIdentifiers.ExpectedPersonBirthDate"  # 1024-10-01
    for error in (c005, c006):
        assert "outside the supported range 1990-01-01..2100-12-31" in str(error)
        assert "1970" not in str(error) and "1024" not in str(error)
        assert "\n" not in str(error)


def test_findings_from_a_census_case() -> None:
    items = _by_id(_read())
    england = cprules.load_pack("england")
    c001 = items["C001"]
    c002 = items["C002"]
    assert isinstance(c001, Case) and isinstance(c002, Case)
    report = cprules.evaluate(c001, england, as_of=date(2025, 3, 31))
    findings = {f.rule_id: f for f in report.findings}
    # Mon 6 May 2024 (Early May bank holiday) + 15 WD: Tue 7 (1) ... Fri 24 (14),
    # Mon 27 Spring bank holiday skipped, Tue 28 (15) = due Tue 28 May; ICPC that day: met.
    assert findings["icpc-timescale"].status.value == "met"
    assert findings["icpc-timescale"].due == date(2024, 5, 28)
    # ICPC Tue 28 May + 3 months = Wed 28 Aug; review Tue 20 Aug: met
    assert findings["first-review"].status.value == "met"
    # the census holds no core groups: undetermined, never overdue
    assert findings["first-core-group"].status.value == "undetermined"
    report = cprules.evaluate(c002, england, as_of=date(2025, 3, 31))
    timescale = next(f for f in report.findings if f.rule_id == "icpc-timescale")
    # ICPC Wed 29 May: 1 working day after the due Tue 28 May
    assert (timescale.status.value, timescale.working_days_late) == ("late", 1)


def test_malformed_xml_is_a_source_error_with_its_line_after_the_children_before_it() -> None:
    text = CENSUS.read_text(encoding="utf-8")
    broken = text.replace("2018-07-01</PersonBirthDate>", "2018-07-01</PersonBirthdate>")  # in C002
    line = broken[: broken.index("</PersonBirthdate>")].count("\n") + 1
    got: list[Case | CaseError] = []
    with pytest.raises(SourceError) as raised:
        for item in read_cases(io.BytesIO(broken.encode()), format="cin-census"):
            got.append(item)
    assert [item.case_id for item in got] == ["C001", "C002"]
    assert isinstance(got[1], CaseError) and "breaks off inside this child" in str(got[1])
    assert raised.value.line == line
    assert str(raised.value).startswith(f"<stream>:{line}: not well-formed XML: mismatched tag")


def test_truncated_file_yields_every_whole_child_then_the_cut_child_then_the_error() -> None:
    text = CENSUS.read_bytes()
    cut = text[: text.index(b"<S47ActualStartDate>2024-06-03")]  # inside C003
    got: list[Case | CaseError] = []
    with pytest.raises(SourceError) as raised:
        for item in read_cases(io.BytesIO(cut), format="cin-census"):
            got.append(item)
    assert [item.case_id for item in got] == ["C001", "C002", "C003"]
    assert isinstance(got[0], Case) and isinstance(got[1], Case) and isinstance(got[2], CaseError)
    assert "no element found" in str(raised.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers></Child>
</Children></Message>
"""


def test_entity_expansion_bomb_is_refused_quickly_with_nothing_read(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_bytes(BILLION_LAUGHS)
    started = time.perf_counter()
    with pytest.raises(SourceError) as raised:
        list(read_cases(path))
    assert time.perf_counter() - started < 1.0
    assert raised.value.file == str(path)
    assert "entity expansion is refused" in str(raised.value)
    assert "lol" not in str(raised.value)


def test_external_entity_is_refused() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers>
</Child></Children></Message>"""
    with pytest.raises(SourceError, match="refused"):
        list(read_cases(io.BytesIO(xxe), format="cin-census"))


def _one_child(body: str, *, ns: str = "", header: str = "") -> bytes:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (
        f'<?xml version="1.0"?><Message{xmlns}>{header}<Children><Child>{body}</Child></Children></Message>'
    ).encode()


def test_a_namespaced_return_reads_the_same() -> None:
    body = (
        "<ChildIdentifiers><LAchildID>N1</LAchildID><PersonBirthDate>2015-01-01</PersonBirthDate>"
        "</ChildIdentifiers><CINdetails><ChildProtectionPlans><CPPstartDate>2024-01-02</CPPstartDate>"
        "<InitialCategoryOfAbuse>EMO</InitialCategoryOfAbuse></ChildProtectionPlans></CINdetails>"
    )
    [case] = _read(io.BytesIO(_one_child(body, ns="http://www.dfe.gov.uk/CIN")))
    assert isinstance(case, Case)
    assert _events(case) == [
        ("cin1.plan-1.start", "plan_start", date(2024, 1, 2), {"categories": ("emotional",)})
    ]


def test_a_text_stream_reads_the_same() -> None:
    assert [item.case_id for item in _read(io.StringIO(CENSUS.read_text(encoding="utf-8")))] == [
        item.case_id for item in _read()
    ]


def test_lea_of_a_two_authority_pack_sets_the_authority() -> None:
    header = "<Header><Source><LEA>874</LEA></Source></Header>"
    body = "<ChildIdentifiers><LAchildID>P1</LAchildID></ChildIdentifiers>"
    [case] = _read(io.BytesIO(_one_child(body, header=header)))
    assert isinstance(case, Case) and case.authority == "peterborough"


def test_a_child_with_no_id_is_an_error_with_no_id() -> None:
    [error] = _read(io.BytesIO(_one_child("<ChildIdentifiers><UPN>X</UPN></ChildIdentifiers>")))
    assert isinstance(error, CaseError)
    assert (error.case_id, error.path) == (None, "ChildIdentifiers.LAchildID")


def test_a_bad_flag_and_a_bad_date_are_both_named() -> None:
    body = (
        "<ChildIdentifiers><LAchildID>F1</LAchildID></ChildIdentifiers><CINdetails><Section47>"
        "<S47ActualStartDate>2024-02-30</S47ActualStartDate><ICPCnotRequired>perhaps</ICPCnotRequired>"
        "</Section47></CINdetails>"
    )
    [error] = _read(io.BytesIO(_one_child(body)))
    assert isinstance(error, CaseError)
    assert error.problems == (
        (
            "CINdetails[1].Section47[1].S47ActualStartDate",
            "not a valid date; write YYYY-MM-DD (or DD/MM/YYYY)",
        ),
        ("CINdetails[1].Section47[1].ICPCnotRequired", "write true or false"),
    )
    assert str(error).endswith("(and 1 more problem)")


def test_overlapping_plans_are_named_by_their_census_element() -> None:
    body = (
        "<ChildIdentifiers><LAchildID>O1</LAchildID></ChildIdentifiers><CINdetails>"
        "<ChildProtectionPlans><CPPstartDate>2024-01-02</CPPstartDate></ChildProtectionPlans>"
        "<ChildProtectionPlans><CPPstartDate>2024-03-04</CPPstartDate></ChildProtectionPlans>"
        "</CINdetails>"
    )
    [error] = _read(io.BytesIO(_one_child(body)))
    assert isinstance(error, CaseError)
    assert error.path == "CINdetails[1].ChildProtectionPlans[2].CPPstartDate"
    # the plan still open is named by its census element too, not by an event id
    assert "(the plan_start at CINdetails[1].ChildProtectionPlans[1].CPPstartDate)" in str(error)
    assert "cin1.plan-1.start" not in str(error)


def test_a_root_that_is_not_a_census_message_is_refused() -> None:
    with pytest.raises(SourceError, match="not the census <Message>"):
        list(read_cases(io.BytesIO(b"<html><body/></html>"), format="cin-census"))


def test_a_huge_element_is_refused_without_holding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cprules.readers.census.MAX_CHILD_BYTES", 64 * 1024)
    body = "<ChildIdentifiers><LAchildID>H1</LAchildID><UPN>" + "x" * 200_000 + "</UPN></ChildIdentifiers>"
    with pytest.raises(SourceError, match="runs past"):
        _read(io.BytesIO(_one_child(body)))
