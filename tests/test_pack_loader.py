"""Loading packs: extends, overrides, disabled rules, include, and errors at FILE:LINE:COLUMN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cprules
from cprules.pack import load_pack

HEADER = """schema: 1
id: {id}
title: Test pack
version: "1"
"""

RULE = """  - id: first-core-group
    kind: deadline
    title: First core group
    severity: breach
    citation: Somewhere
    trigger: {event: icpc, where: {outcome: plan}}
    expect: {event: core_group}
    within: {working_days: 10}
"""


def write_pack(folder: Path, body: str, pack_id: str = "local") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pack.yaml"
    path.write_text(HEADER.format(id=pack_id) + body)
    return path


def pack_error(path: Path) -> cprules.PackError:
    with pytest.raises(cprules.PackError) as raised:
        load_pack(path.parent)
    return raised.value


def test_bundled_packs_load_by_id_and_by_path() -> None:
    stoke = load_pack("stoke")
    assert stoke.chain == ("stoke", "england")
    assert load_pack(stoke.path.parent).digest == stoke.digest
    assert stoke.digest.startswith("sha256:") and stoke.digest != load_pack("england").digest


def test_extends_inherits_and_overrides_change_only_what_they_name(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path / "p",
        "extends: england\noverrides:\n  first-core-group:\n    within: {working_days: 5}\n"
        "  age-limit:\n    disabled: true\n    reason: not ours\n",
    )
    pack = load_pack(path.parent)
    england = load_pack("england")
    rule = pack.rule("first-core-group")
    assert rule.within.working_days == 5  # type: ignore[union-attr]
    assert rule.citation == england.rule("first-core-group").citation
    assert "age-limit" not in pack.rule_ids
    assert [(d.id, d.reason) for d in pack.disabled] == [("age-limit", "not ours")]
    assert pack.calendar == england.calendar


def test_include_adds_rules_from_files_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_pack(folder, "calendar: {country: GB, subdiv: ENG}\ninclude: [more.yaml]\n")
    (folder / "more.yaml").write_text("schema: 1\nrules:\n" + RULE)
    assert load_pack(folder).rule_ids == ("first-core-group",)


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        # an unknown kind, with the closest valid one suggested
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("kind: deadline", "kind: dealine"),
            8,
            11,
            "unknown kind 'dealine' (did you mean deadline?)",
        ),
        # an unknown event type in a selector
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("event: icpc", "event: icpcc"),
            12,
            22,
            "unknown event type 'icpcc' (did you mean icpc?)",
        ),
        # an unknown field in a selector's where
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("outcome: plan", "outcom: plan"),
            12,
            36,
            "no field 'outcom' (did you mean outcome?)",
        ),
        # a value the field cannot take
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("outcome: plan", "outcome: plann"),
            12,
            36,
            "'plann' is not a value of icpc.outcome",
        ),
        # a negative period
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("working_days: 10", "working_days: -3"),
            14,
            13,
            "a period must be a positive whole number",
        ),
        # an unknown field on the rule
        (
            "calendar: {country: GB}\nrules:\n" + RULE.replace("within:", "withn:"),
            14,
            5,
            "unknown field 'withn' (did you mean within?)",
        ),
        # a duplicate key, which PyYAML would keep silently
        (
            "calendar: {country: GB}\nrules:\n" + RULE + "    within: {days: 3}\n",
            15,
            5,
            "duplicate key 'within'",
        ),
        # a duplicate rule id
        ("calendar: {country: GB}\nrules:\n" + RULE + RULE, 15, 9, "duplicate rule id 'first-core-group'"),
        # an inherited rule written under rules
        ("extends: england\nrules:\n" + RULE, 7, 9, "put it under overrides"),
        # an override of a rule that does not exist
        (
            "extends: england\noverrides:\n  first-core-grup:\n    title: x\n",
            7,
            3,
            "did you mean first-core-group?",
        ),
        # a pack that extends nothing must name its calendar
        ("rules:\n" + RULE, 1, 1, "add calendar:"),
        # a calendar the holidays package does not know
        ("calendar: {country: XX}\n", 5, 11, "country 'XX' is not known"),
        # YAML tags are refused
        ("calendar: {country: GB}\nrules: !!python/object:os.system {}\n", 6, 8, "YAML tags"),
    ],
)
def test_pack_errors_point_at_file_line_column(
    tmp_path: Path, body: str, line: int, column: int, words: str
) -> None:
    path = write_pack(tmp_path / "p", body)
    error = pack_error(path)
    assert str(error).startswith(f"{path}:{line}:{column}: "), str(error)
    assert words in str(error)
    assert (error.file, error.line, error.column) == (str(path), line, column)


def test_error_in_an_override_points_at_the_override(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path / "p", "extends: england\noverrides:\n  first-core-group:\n    within: {weeks: 0}\n"
    )
    error = pack_error(path)
    assert str(error).startswith(f"{path}:8:13: rule first-core-group: ")
    assert error.rule_id == "first-core-group"


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    write_pack(tmp_path / "a", "extends: ../b\n", "a")
    write_pack(tmp_path / "b", "extends: ../a\n", "b")
    with pytest.raises(cprules.PackError, match=r"cycle \(a -> b -> a\)"):
        load_pack(tmp_path / "a")


def test_disabling_needs_a_reason(tmp_path: Path) -> None:
    path = write_pack(tmp_path / "p", "extends: england\noverrides:\n  age-limit: {disabled: true}\n")
    assert "needs a reason" in str(pack_error(path))


def test_unknown_bundled_pack_suggests_a_name() -> None:
    with pytest.raises(cprules.PackError, match="did you mean stoke"):
        load_pack("stok")


def test_alias_bomb_and_size_limit_are_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write_pack(tmp_path / "bomb", "calendar: {country: GB}\n" + "\n".join(lines) + "\n")
    assert "aliases" in str(pack_error(path))
    big = write_pack(tmp_path / "big", "calendar: {country: GB}\n# " + "x" * (1 << 20) + "\n")
    assert re.search(r"over the \d+ KiB limit", str(pack_error(big)))


def test_validate_pack_reports_every_bad_rule_in_file_order(tmp_path: Path) -> None:
    bad_kind = RULE.replace("kind: deadline", "kind: dealine").replace("first-core-group", "a")
    bad_period = RULE.replace("working_days: 10", "working_days: 0").replace("first-core-group", "b")
    path = write_pack(tmp_path / "p", "calendar: {country: GB}\nrules:\n" + bad_kind + bad_period + RULE)
    errors = cprules.pack.validate_pack(path.parent)
    assert [(e.rule_id, e.line) for e in errors] == [("a", 8), ("b", 22)]  # kind of a; within of b
    assert cprules.pack.validate_pack("stoke") == []
