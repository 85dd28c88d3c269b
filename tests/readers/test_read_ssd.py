"""The SSD reader against a small extract written for the tests (data/ssd_small/).

Column names are the SSD's (data-to-insight/ssd-data-model, data/objects/*.yml). The visits
file is the older shape with no cppv_person_id: its rows reach the child through the plan id.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import cprules
from cprules import Case, CaseError, SourceError
from cprules.readers import detect_format, read_cases
from cprules.readers.ssd import categories_of

SSD = Path(__file__).parent / "data" / "ssd_small"

ALL_RECORDS = (
    "plan_start.categories",
    "plan_end.date",
    "strategy_discussion.s47",
    "s47_outcome.icpc_required",
    "icpc.outcome",
    "transfer_in_conference.outcome",
    "visit.date",
    "visit.outcome",
    "visit.seen_alone",
    "visit.bedroom_seen",
    "review_conference.outcome",
    "review_conference.quorate",
)


def _events(case: Case | CaseError) -> list[tuple[str, str, date, dict[str, object]]]:
    assert isinstance(case, Case), str(case)
    return [
        (
            event.id,
            event.type,  # type: ignore[attr-defined]
            event.date,
            event.model_dump(exclude_none=True, exclude={"id", "type", "date", "metadata"}),
        )
        for event in case.ordered_events
    ]


def _copy(tmp_path: Path, *leave_out: str) -> Path:
    folder = tmp_path / "extract"
    shutil.copytree(SSD, folder)
    for name in leave_out:
        (folder / name).unlink()
    return folder


def test_children_with_child_protection_rows_come_in_person_order() -> None:
    assert detect_format(SSD) == "ssd"
    items = list(read_cases(SSD))
    # P4 has no child protection rows: not a case. P5's date of birth is from 1970.
    assert [(item.case_id, type(item).__name__) for item in items] == [
        ("P1", "Case"), ("P2", "Case"), ("P3", "Case"), ("P5", "CaseError"),
    ]  # fmt: skip


def test_a_child_on_a_plan() -> None:
    p1 = next(iter(read_cases(SSD)))
    assert isinstance(p1, Case)
    assert p1.child.date_of_birth == date(2015, 3, 1)  # "2015-03-01 00:00:00.000": the time dropped
    assert p1.records == ALL_RECORDS
    assert _events(p1) == [
        ("s47:S1", "strategy_discussion", date(2024, 5, 6), {"s47": True}),
        # end date with CP_CONFERENCE_FLAG Y in the outcome JSON: a conference is needed
        ("s47:S1.outcome", "s47_outcome", date(2024, 5, 20), {"icpc_required": True}),
        ("icpc:I1", "icpc", date(2024, 5, 28), {"outcome": "plan"}),
        ("plan:CP1.start", "plan_start", date(2024, 5, 28), {"categories": ("neglect", "emotional")}),
        # V1: Y, Yes, 1; V2: N, No, 0 (reached through plan CP1: the file has no person id)
        (
            "visit:V1",
            "visit",
            date(2024, 6, 4),
            {"outcome": "seen", "seen_alone": True, "bedroom_seen": True},
        ),
        (
            "visit:V2",
            "visit",
            date(2024, 6, 18),
            {"outcome": "not_seen", "seen_alone": False, "bedroom_seen": False},
        ),
        ("review:RV1", "review_conference", date(2024, 8, 27), {"outcome": "continue", "quorate": True}),
    ]
    # the plan row is in the file twice; the review RV2 is scheduled, not held
    assert p1.metadata == {
        "source": "ssd",
        "rows_without_date": {"ssd_cp_reviews": 1},
        "duplicate_events_dropped": 1,
    }


def test_a_transfer_in_and_an_unborn_child() -> None:
    items = list(read_cases(SSD))
    p2, p3 = items[1], items[2]
    assert isinstance(p2, Case)
    assert p2.child.date_of_birth == date(2019, 10, 10)  # 10/10/2019
    assert _events(p2) == [
        ("icpc:I2", "transfer_in_conference", date(2024, 7, 15), {"outcome": "plan"}),
        ("plan:CP2.start", "plan_start", date(2024, 7, 15), {"categories": ("physical",)}),
        (
            "visit:V3",
            "visit",
            date(2024, 7, 29),
            {"outcome": "seen", "seen_alone": True, "bedroom_seen": False},
        ),
        ("review:RV3", "review_conference", date(2024, 10, 14), {"outcome": "cease", "quorate": True}),
        ("plan:CP2.end", "plan_end", date(2025, 1, 10), {}),
    ]
    assert isinstance(p3, Case)
    assert p3.child.expected_delivery_date == date(2024, 11, 30)
    assert _events(p3) == [
        ("s47:S2", "strategy_discussion", date(2024, 6, 3), {"s47": True}),
        ("s47:S2.outcome", "s47_outcome", date(2024, 6, 14), {"icpc_required": False}),  # NFA: Y
    ]


def test_a_1970_date_of_birth_is_one_error_naming_file_line_and_column() -> None:
    p5 = list(read_cases(SSD))[3]
    assert isinstance(p5, CaseError)
    assert p5.path == "ssd_person.csv line 6.pers_dob"
    assert str(p5) == (
        "case P5: ssd_person.csv line 6.pers_dob: date outside the supported range 1990-01-01..2100-12-31"
    )


def test_missing_tables_are_left_out_of_records(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "ssd_cp_visits.csv", "ssd_cp_reviews.csv")
    p1 = next(iter(read_cases(folder, format="ssd")))
    assert isinstance(p1, Case)
    assert p1.records == tuple(r for r in ALL_RECORDS if not r.startswith(("visit", "review_conference")))
    report = cprules.evaluate(p1, cprules.load_pack("england"), as_of=date(2024, 9, 30))
    first_review = next(f for f in report.findings if f.rule_id == "first-review")
    assert first_review.status.value == "undetermined"  # not overdue: the extract has no reviews


def test_a_bad_flag_is_one_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    visits = folder / "ssd_cp_visits.csv"
    visits.write_text(
        visits.read_text().replace("V3,CP2,2024-07-29,Y,true,false", "V3,CP2,2024-07-29,Y,maybe,false")
    )
    items = list(read_cases(folder))
    assert [item.case_id for item in items] == ["P1", "P2", "P3", "P5"]
    p2 = items[1]
    assert isinstance(p2, CaseError)
    assert (p2.path, p2.reason) == ("ssd_cp_visits.csv line 4.cppv_cp_visit_seen_alone", "write Y or N")
    assert isinstance(items[0], Case) and isinstance(items[2], Case)


def test_older_review_outcome_column_and_person_ids_through_plans(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "ssd_cp_reviews.csv").write_text(
        "cppr_cp_review_id,cppr_cp_plan_id,cppr_cp_review_due,cppr_cp_review_date,cppr_cp_review_outcome,"
        "cppr_cp_review_quorate\nRV1,CP1,2024-08-28,27/08/2024,Yes,No\n"
    )
    p1 = next(iter(read_cases(folder)))
    review = next(e for e in _events(p1) if e[1] == "review_conference")
    assert review == (
        "review:RV1",
        "review_conference",
        date(2024, 8, 27),
        {"outcome": "continue", "quorate": False},
    )


def test_a_plan_that_starts_before_its_enquiry_is_read_as_it_is(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    s47 = folder / "ssd_s47_enquiry.csv"
    s47.write_text(
        s47.read_text().replace("P1,2024-05-06 00:00:00.000,2024-05-20", "P1,2024-06-10,2024-06-20")
    )
    p1 = next(iter(read_cases(folder)))
    assert isinstance(p1, Case)
    assert [e[0] for e in _events(p1)][:5] == ["icpc:I1", "plan:CP1.start", "visit:V1", "s47:S1", "visit:V2"]


def test_a_row_naming_no_child_is_reported_after_the_children(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    plans = folder / "ssd_cp_plans.csv"
    plans.write_text(plans.read_text() + "CP9,R9,,,2024-01-01,,Neglect,N,Neglect\n")
    items = list(read_cases(folder))
    assert isinstance(items[-1], CaseError)
    assert (items[-1].case_id, items[-1].path) == (None, "ssd_cp_plans.csv line 5.cppl_person_id")


def test_a_folder_with_no_tables_or_a_bad_file_is_a_source_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no ssd_"):
        read_cases(empty)
    with pytest.raises(SourceError, match="none of the SSD tables"):
        read_cases(empty, format="ssd")  # raised at once, before iterating
    folder = _copy(tmp_path)
    (folder / "ssd_cp_plans.csv").write_bytes(b"cppl_person_id,cppl_cp_plan_start_date\nP1,\xff\xfe\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        list(read_cases(folder))


def test_categories_as_the_ssd_writes_them() -> None:
    assert categories_of("Neglect") == ("neglect",)
    assert categories_of("Multiple: Physical abuse; Sexual abuse") == ("physical", "sexual")
    assert categories_of("Multiple") is None  # several, unknown which
    assert categories_of("Something else") is None
