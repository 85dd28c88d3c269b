"""Loading packs: extends, overrides, disabled rules, include, and errors at FILE:LINE:COLUMN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import cprules
from cprules.pack import load_pack, policies_dir

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


# --- every mistake at once ---------------------------------------------------------------------

SIX_MISTAKES = """\
schema: 1
id: Mine
title: Six mistakes
version: 2017.8
effective_from: 2024-02-30
extends: england
overrides:
  first-core-grup:
    title: x
  first-review:
    within: {months: three}
rules:
  - id: a
    kind: deadline
    title: First core group
    severity: fatal
    citation: c
    trigger: {event: icpc}
    expect: {event: core_group}
    within: [working_days, 10]
  - just a rule name
"""


def test_every_mistake_is_reported_in_one_run_in_position_order(tmp_path: Path) -> None:
    folder = tmp_path / "six"
    folder.mkdir()
    path = folder / "pack.yaml"
    path.write_text(SIX_MISTAKES, encoding="utf-8")
    expected = [
        "2:5: a pack id is lower-case letters and digits, words joined by - or _ (stoke, "
        "peterborough_cambs); write it that way",
        '4:10: version is text; put it in quotes: version: "2017.8"',
        "5:17: a date must be YYYY-MM-DD and real: 2024-02-30 is not a day",
        "8:3: this pack inherits no rule 'first-core-grup' (did you mean first-core-group?); "
        "to add a new rule, put it under rules",
        # "    within: {months: " is 21 characters: the value starts in column 22
        "11:22: rule first-review: 'three' is not a whole number; write digits, e.g. months: 3",
        "16:15: rule a: 'fatal' is not allowed for severity; write one of: breach, warning, info",
        "20:13: rule a: within is a mapping (name: value), not a list; write e.g. within: {working_days: 10}",
        "21:5: a rule is a mapping of fields (id:, kind:, title:, severity:, citation: ...); "
        "write each field on its own line, as name: value",
    ]
    errors = cprules.pack.validate_pack(folder)
    assert [str(e).removeprefix(f"{path}:") for e in errors] == expected
    with pytest.raises(cprules.PackError) as raised:
        load_pack(folder)
    error = raised.value
    assert [str(p) for p in error.problems] == [str(e) for e in errors]
    assert str(error) == f"{path}:{expected[0]} (and 7 more mistakes in the pack)"
    assert (error.line, error.column) == (2, 5)


def test_mistakes_in_an_included_file_and_a_duplicate_key_come_with_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_pack(
        folder, "calendar: {country: GB}\ninclude: [more.yaml]\nrules:\n" + RULE + "    within: {days: 3}\n"
    )
    (folder / "more.yaml").write_text("schema: 1\nnotes: x\nrules:\n" + RULE.replace("first-core-group", "b"))
    errors = cprules.pack.validate_pack(folder)
    where = [(Path(e.file or "").name, e.line, e.column) for e in errors]
    # pack.yaml: 4 header lines, calendar, include, rules:, then the rule on lines 8 to 15; the
    # second within is line 16
    assert where == [("more.yaml", 2, 1), ("pack.yaml", 16, 5)]
    assert "unknown field 'notes'; write one of: schema, rules" in str(errors[0])
    assert "duplicate key 'within' (first written on line 15)" in str(errors[1])


# --- resolved packs are packs ----------------------------------------------------------------


@pytest.mark.parametrize("pack_id", cprules.bundled_pack_ids())
@pytest.mark.parametrize("origin", [False, True])
def test_a_resolved_pack_loads_back_to_the_same_digest(tmp_path: Path, pack_id: str, origin: bool) -> None:
    from cprules.pack.resolved import resolved_yaml

    pack = load_pack(pack_id)
    text = resolved_yaml(pack, origin=origin)
    assert f"# digest {pack.digest}" in text.splitlines()[1]
    data = yaml.safe_load(text)
    assert "extends" not in data and "overrides" not in data and "include" not in data
    assert not any("disabled" in rule for rule in data["rules"])
    folder = tmp_path / pack_id
    folder.mkdir()
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    again = load_pack(folder)
    assert again.digest == pack.digest
    assert again.rules == pack.rules and again.calendar == pack.calendar and again.extends is None


def test_origin_says_where_each_rule_and_changed_field_was_written(tmp_path: Path) -> None:
    from cprules.pack.resolved import resolved_yaml

    path = write_pack(
        tmp_path / "p",
        "extends: england\noverrides:\n  first-core-group:\n    within: {working_days: 5}\n"
        "  age-limit:\n    disabled: true\n    reason: not in our procedure\n",
    )
    pack = load_pack(path.parent)
    england = policies_dir() / "england" / "pack.yaml"
    origin = pack.origins.rules["first-core-group"]
    # england's pack.yaml has the rule's "- id: first-core-group" on line 36; this pack's
    # override writes within on line 8 (4 header lines, extends, overrides, the rule id)
    assert (origin.rule.pack_id, origin.rule.file, origin.rule.line) == ("england", str(england), 36)
    assert {name: (o.pack_id, o.line) for name, o in origin.fields.items()} == {"within": ("local", 8)}
    assert (pack.origins.disabled["age-limit"].pack_id, pack.origins.disabled["age-limit"].line) == (
        "local",
        9,
    )
    text = resolved_yaml(pack, origin=True, show_file=lambda file: Path(file).parent.name)
    lines = text.splitlines()
    assert "# rule first-core-group: from england (england:36); within (line 8) from local (p)" in lines
    assert "# rule age-limit: disabled by local (p:9): not in our procedure" in lines
    assert "# calendar: from england (england:12)" in lines


def test_the_modules_examples_run() -> None:
    import doctest

    from cprules import errors, yamlmistakes, yamlsafe
    from cprules.pack import loader, messages, resolved, scaffold

    for module in (errors, yamlmistakes, yamlsafe, loader, messages, resolved, scaffold):
        failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert failures == 0 and tried > 0, module.__name__


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("within", "'three' is not a whole number; write digits, e.g. weeks: 4"),
        ("due_at", "unknown field 'evnt'"),
    ],
)
def test_a_mistake_inside_an_optional_field_is_that_mistake_not_a_wish_to_leave_it_out(
    tmp_path: Path, field: str, words: str
) -> None:
    # within and due_at may be left out (one of them is needed): a mapping that does not fit is
    # reported inside it, never as "cannot be a mapping"
    value = "{weeks: three}" if field == "within" else "{evnt: core_group}"
    expect = "{event: core_group}" if field == "within" else "{field: minutes_circulated}"
    body = (
        "extends: england\nrules:\n  - id: x\n    kind: deadline\n    title: X\n"
        "    severity: breach\n    citation: c\n"
        f"    trigger: {{event: icpc}}\n    expect: {expect}\n    {field}: {value}\n"
    )
    error = pack_error(write_pack(tmp_path / "p", body))
    assert words in str(error) and "cannot be a mapping" not in str(error), str(error)
