"""What a pack may read, and what numbers it may hold: ``extends`` confined to bundled packs and
the allowed root, nothing quoted from a file that is not a pack, a limit on ``extends`` chains,
files measured before they are read, and whole numbers in plain digits only."""

from __future__ import annotations

import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from cprules import PackError
from cprules.pack import load_pack
from cprules.pack.loader import MAX_EXTENDS_DEPTH, validate_pack

HEADER = 'schema: 1\nid: {id}\ntitle: Test pack\nversion: "1"\n'
# a rule whose period is written on line 14 (HEADER is 4 lines, calendar line 5, rules: line 6,
# the rule's id line 7):
#   14:    within: {working_days: NUMBER}    "{" is column 13, NUMBER starts at column 28
RULE = """calendar: {{country: GB, subdiv: ENG}}
rules:
  - id: first-core-group
    kind: deadline
    title: First core group
    severity: breach
    citation: Somewhere
    trigger: {{event: icpc, where: {{outcome: plan}}}}
    expect: {{event: core_group}}
    within: {{working_days: {number}}}
"""
SECRET = "ZZSECRETZZ"


def write_pack(folder: Path, body: str, pack_id: str = "local") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pack.yaml"
    path.write_text(HEADER.format(id=pack_id) + body, encoding="utf-8")
    return path


def refused(target: Path | str, **options: object) -> PackError:
    with pytest.raises(PackError) as raised:
        load_pack(target, **options)  # type: ignore[arg-type]
    assert SECRET not in str(raised.value)
    return raised.value


# -- extends -----------------------------------------------------------------------------------------


def test_extends_of_a_file_that_is_not_a_pack_quotes_nothing_of_it(tmp_path: Path) -> None:
    # the attack of issue 17: extends: /etc/shadow echoed the file's first key
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    path = write_pack(tmp_path / "packs" / "p", f"extends: {secret}\n")
    error = refused(path.parent)
    # extends: on line 5, its value at column 10
    assert str(error).startswith(f"{path}:5:10: not a pack: give a pack folder")


def test_extends_outside_the_allowed_root_is_refused_even_when_it_is_a_pack(tmp_path: Path) -> None:
    write_pack(tmp_path / "elsewhere" / "base", RULE.format(number=10) + f"# {SECRET}\n", "base")
    path = write_pack(tmp_path / "packs" / "p", f"extends: {tmp_path / 'elsewhere' / 'base'}\n")
    error = refused(path.parent)
    assert str(error).startswith(f"{path}:5:10: extends reaches outside the folders a pack may read")
    assert "england" in error.reason and str(tmp_path / "packs") in error.reason
    # the caller may allow a wider root
    assert load_pack(path.parent, root=tmp_path).chain == ("local", "base")


def test_extends_by_a_relative_path_cannot_climb_out_of_the_root(tmp_path: Path) -> None:
    write_pack(tmp_path / "base", RULE.format(number=10), "base")
    path = write_pack(tmp_path / "packs" / "p", "extends: ../../base\n")
    assert "reaches outside" in refused(path.parent).reason


def test_extends_through_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    write_pack(tmp_path / "elsewhere" / "base", RULE.format(number=10), "base")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "base").symlink_to(tmp_path / "elsewhere" / "base")
    path = write_pack(tmp_path / "packs" / "p", "extends: ../base\n")
    assert "reaches outside" in refused(path.parent).reason


def test_a_sibling_pack_and_a_bundled_pack_may_be_extended(tmp_path: Path) -> None:
    write_pack(tmp_path / "base", "extends: england\n", "base")
    path = write_pack(tmp_path / "p", "extends: ../base\n")
    assert load_pack(path.parent).chain == ("local", "base", "england")


def test_a_yaml_file_without_schema_is_not_a_pack_and_none_of_its_keys_is_quoted(tmp_path: Path) -> None:
    other = tmp_path / "notes.yaml"
    other.write_text(f"{SECRET}: 1\nanother: 2\n")
    path = write_pack(tmp_path / "p", "extends: ../notes.yaml\n")
    error = refused(path.parent)
    assert str(error) == (
        f"{other}:1:1: not a pack file: it has no 'schema: 1' line; a pack starts schema: 1, id:, title:"
    )
    assert refused(other).reason == error.reason


def test_a_top_level_pack_that_is_not_yaml_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(f"{SECRET}: x\n")
    error = refused(str(secret))
    assert str(error).startswith(f"{secret}: not a pack")
    assert [str(e) for e in validate_pack(str(secret))] == [str(error)]


def test_an_extends_chain_deeper_than_the_limit_is_refused_with_its_position(tmp_path: Path) -> None:
    write_pack(tmp_path / "p0", "extends: england\n", "p0")
    for number in range(1, MAX_EXTENDS_DEPTH + 2):
        write_pack(tmp_path / f"p{number}", f"extends: ../p{number - 1}\n", f"p{number}")
    # p11 -> p10 -> ... -> p0 -> england is 13 packs: the tenth down the chain (p2) may not extend
    # another
    error = refused(tmp_path / f"p{MAX_EXTENDS_DEPTH + 1}")
    assert str(error).startswith(f"{tmp_path / 'p2' / 'pack.yaml'}:5:10: extends chains more than 10 packs")
    # p8 -> ... -> p0 -> england is 10 packs: it loads; p9 -> ... -> england (11) does not
    assert len(load_pack(tmp_path / f"p{MAX_EXTENDS_DEPTH - 2}").chain) == MAX_EXTENDS_DEPTH
    assert "chains more than" in refused(tmp_path / f"p{MAX_EXTENDS_DEPTH - 1}").reason


def test_include_takes_only_yaml_files_of_rules(tmp_path: Path) -> None:
    path = write_pack(tmp_path / "p", "calendar: {country: GB}\ninclude: [notes.txt]\n")
    (path.parent / "notes.txt").write_text(f"{SECRET}: 1\n")
    assert refused(path.parent).reason == "include names .yaml files of this pack's folder"
    path.write_text(path.read_text().replace("notes.txt", "notes.yaml"))
    (path.parent / "notes.yaml").write_text(f"{SECRET}: 1\n")
    error = refused(path.parent)
    assert str(error).startswith(f"{path.parent / 'notes.yaml'}:1:1: not a file of rules")


# -- files measured before they are read ---------------------------------------------------------------


def test_a_3_gb_pack_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    with open(folder / "pack.yaml", "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: no disk, but 3 GB to anything that reads it
    tracemalloc.start()
    try:
        error = refused(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "over the 1024 KiB limit" in error.reason and (error.line, error.column) == (1, 1)
    assert peak < 4 * 2**20


def test_a_fifo_named_pack_yaml_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    os.mkfifo(folder / "pack.yaml")
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_pack(folder)
        except PackError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock it before failing
        with open(folder / "pack.yaml", "wb"):
            pass
        pytest.fail("load_pack waited on a FIFO")
    assert "no pack at" in str(outcome[0])


# -- numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("yes", "not true or false"),  # YAML 1.1: true, which lax validation would take as 1
        ("true", "not true or false"),
        ('"10"', "write digits"),
        ("10.0", "is not a whole number"),
        ("1e1", "write digits"),
        ("0x10", "plain digits"),  # YAML 1.1: 16
        ("010", "plain digits"),  # YAML 1.1: octal 8
        ("0o10", "write digits"),
        ("1_0", "plain digits"),  # YAML 1.1: 10
        ("1:30", "plain digits"),  # YAML 1.1: sexagesimal 90
        ('!!int "10"', "plain digits"),
    ],
)
def test_a_period_takes_whole_numbers_in_plain_digits_only(tmp_path: Path, written: str, why: str) -> None:
    path = write_pack(tmp_path / "p", RULE.format(number=written))
    error = refused(path.parent)
    assert str(error).startswith(f"{path}:14:28: "), str(error)
    # it says what is wrong, and what to write instead
    assert why in error.reason
    assert "working_days: 10" in error.reason or "e.g. 10" in error.reason


@pytest.mark.parametrize("written", ["10", "+10"])
def test_plain_digits_are_taken(tmp_path: Path, written: str) -> None:
    path = write_pack(tmp_path / "p", RULE.format(number=written))
    assert load_pack(path.parent).rule("first-core-group").within.working_days == 10  # type: ignore[union-attr]


def test_an_anchored_number_is_checked_where_it_is_written(tmp_path: Path) -> None:
    body = RULE.format(number="&ten 10") + "x-spare: *ten\n"
    path = write_pack(tmp_path / "p", body.replace("x-spare: *ten\n", ""))
    assert load_pack(path.parent).rule("first-core-group").within.working_days == 10  # type: ignore[union-attr]
    path = write_pack(tmp_path / "q", RULE.format(number="&ten 0x10"))
    assert "plain digits" in refused(path.parent).reason


def test_a_number_past_pythons_digit_limit_is_refused_with_its_position(tmp_path: Path) -> None:
    path = write_pack(tmp_path / "p", RULE.format(number="9" * 5000))
    error = refused(path.parent)
    assert str(error).startswith(f"{path}:14:28: a number too long to read")


@pytest.mark.parametrize(
    ("period", "column"),
    [
        ("{working_days: 987654321987}", 13),
        ("{days: 987654321987}", 13),
        ("{months: 1321}", 13),
        ("{weeks: 5701}", 13),
    ],
)
def test_a_period_too_long_for_any_date_is_refused_at_load(tmp_path: Path, period: str, column: int) -> None:
    body = RULE.format(number=10).replace("within: {working_days: 10}", f"within: {period}")
    path = write_pack(tmp_path / "p", body)
    error = refused(path.parent)
    assert str(error).startswith(f"{path}:14:{column}: rule first-core-group: a period of"), str(error)
    assert "reaches past the dates cprules works with" in error.reason


def test_a_condition_rules_within_has_the_same_ceiling(tmp_path: Path) -> None:
    body = """calendar: {country: GB, subdiv: ENG}
rules:
  - id: review-before-end
    kind: condition
    title: A review before the plan ends
    severity: breach
    citation: Somewhere
    event: plan_end
    preceded_by: review_conference
    within: {days: 987654321987}
"""
    path = write_pack(tmp_path / "p", body)
    error = refused(path.parent)
    # id on line 7, then kind, title, severity, citation, event, preceded_by: within on line 14
    assert str(error).startswith(f"{path}:14:13: rule review-before-end: a period of"), str(error)


@pytest.mark.parametrize(
    ("field", "written"), [("count", "yes"), ("count", '"3"'), ("at_least_every", "2.0")]
)
def test_other_numbers_of_a_rule_are_whole_numbers_too(tmp_path: Path, field: str, written: str) -> None:
    kind = "escalation" if field == "count" else "alternation"
    extra = (
        "    event: visit\n    failure: {outcome: not_seen}\n    expect: strategy_discussion\n"
        f"    within: {{working_days: 5}}\n    count: {written}\n"
        if kind == "escalation"
        else f"    event: visit\n    property: {{seen_alone: true}}\n    at_least_every: {written}\n"
    )
    body = (
        "calendar: {country: GB, subdiv: ENG}\nrules:\n  - id: r\n"
        f"    kind: {kind}\n    title: T\n    severity: breach\n    citation: C\n" + extra
    )
    path = write_pack(tmp_path / "p", body)
    assert "whole number" in refused(path.parent).reason
