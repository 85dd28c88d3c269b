"""cprules.packdiff and ``cprules pack diff``: what a pack change does to a caseload.

The diff is checked against a second computation made another way: two batch runs
(``evaluate_lines``, one per pack, JSON out) whose findings are matched by key here.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cprules import load_pack
from cprules.cli import cli
from cprules.engine import evaluate_lines
from cprules.pack.loader import Pack, policies_dir
from cprules.packdiff import ABSENT, diff_caseload, rule_changes

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2024, 6, 1)
DETAILS = ("due", "occurred_on", "working_days_late", "calendar_days_late")


def _caseload_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_caseload", ROOT / "bench" / "caseload.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES: list[str] = list(_caseload_module().caseload_lines(400, seed=14))


def stoke_with(tmp_path: Path, old: str, new: str, name: str = "stoke5") -> Path:
    """A copy of the stoke pack with one line of its core-group-minutes rule changed."""
    text = (policies_dir() / "stoke" / "pack.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: core-group-minutes")
    end = text.index("\n  - id:", start + 1)
    rule = text[start:end]
    assert old in rule
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pack.yaml").write_text(text[:start] + rule.replace(old, new) + text[end:], encoding="utf-8")
    return folder


def batch_findings(pack: Pack) -> dict[str, dict[str, dict[str, Any]]]:
    """case id -> finding key -> finding, from a batch run's JSON Lines."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for line in evaluate_lines(CASES, pack, as_of=AS_OF):
        report = json.loads(line)
        found[report["case_id"]] = {f["key"]: f for f in report["findings"]}
    return found


def test_a_pack_against_itself_changes_nothing() -> None:
    stoke = load_pack("stoke")
    diff = diff_caseload(CASES, stoke, stoke, as_of=AS_OF)
    assert not diff.changed
    assert diff.cases == len(CASES) and diff.unreadable == 0
    assert diff.rules == () and diff.calendar == ()
    assert diff.status_changes == () and diff.detail_changes == ()
    # and every rule's figures are the same on both sides
    assert all(rule.old_counts == rule.new_counts for rule in diff.compliance)
    assert sum(sum(rule.old_counts.values()) for rule in diff.compliance) > len(CASES) * 10


def test_stoke_minutes_at_5_working_days_reports_exactly_what_two_batch_runs_show(tmp_path: Path) -> None:
    old = load_pack("stoke")
    new = load_pack(stoke_with(tmp_path, "within: {working_days: 3}", "within: {working_days: 5}"))
    diff = diff_caseload(CASES, old, new, as_of=AS_OF, examples=2)

    # the second computation: two batch runs, findings matched by key
    before, after = batch_findings(old), batch_findings(new)
    status: Counter[tuple[str, str, str]] = Counter()
    details: Counter[tuple[str, str]] = Counter()
    for case_id, was_findings in before.items():
        now_findings = after[case_id]
        for key in set(was_findings) | set(now_findings):
            was, now = was_findings.get(key), now_findings.get(key)
            rule = (was or now)["rule_id"]  # type: ignore[index]
            old_status = was["status"] if was else ABSENT
            new_status = now["status"] if now else ABSENT
            if old_status != new_status:
                status[(rule, old_status, new_status)] += 1
            elif any(was[name] != now[name] for name in DETAILS):  # type: ignore[index]
                details[(rule, old_status)] += 1

    assert {(c.rule_id, c.old, c.new): c.count for c in diff.status_changes} == dict(status)
    assert {(c.rule_id, c.status): c.count for c in diff.detail_changes} == dict(details)
    # more working days to circulate minutes: some late become met, nothing gets worse, and
    # only the rule that changed moves
    assert status[("core-group-minutes", "late", "met")] > 0
    assert {rule for rule, _, _ in status} == {"core-group-minutes"}
    assert not any(new in ("late", "overdue") for _, _, new in status)
    assert [(c.rule_id, c.change, c.fields) for c in diff.rules] == [
        ("core-group-minutes", "changed", ("within",))
    ]
    # examples: at most two of each kind, and each is the change it illustrates
    for change in diff.status_changes:
        assert 1 <= len(change.examples) <= 2
        for example in change.examples:
            assert example.old is not None and example.new is not None
            assert (example.old["status"], example.new["status"]) == (change.old, change.new)
            assert before[example.case_id][example.old["key"]] == example.old
    minutes = next(c for c in diff.compliance if c.rule_id == "core-group-minutes")
    assert minutes.new_on_time is not None and minutes.old_on_time is not None
    assert minutes.new_on_time > minutes.old_on_time
    assert diff.changed


def test_workers_give_the_same_diff_as_one_process(tmp_path: Path) -> None:
    old = load_pack("stoke")
    new = load_pack(stoke_with(tmp_path, "within: {working_days: 3}", "within: {working_days: 1}"))
    one = diff_caseload(CASES[:150], old, new, as_of=AS_OF)
    two = diff_caseload(CASES[:150], old, new, as_of=AS_OF, jobs=2, chunk_size=40)
    assert one.to_dict() == two.to_dict()
    assert any(c.new == "late" for c in one.status_changes)  # fewer days: some met become late


def test_rule_changes_name_added_removed_and_changed_fields(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "schema: 1\nid: p\ntitle: P\nversion: '1'\nextends: england\n"
        "overrides:\n  age-limit: {disabled: true, reason: not ours}\n"
        "  first-review:\n    title: First review within three months\n    within: {months: 2}\n"
        "rules:\n  - id: extra\n    kind: age_limit\n    title: Extra\n    severity: info\n"
        "    citation: c\n    age: 17\n",
        encoding="utf-8",
    )
    england, mine = load_pack("england"), load_pack(folder)
    changes = {(c.rule_id, c.change, c.fields) for c in rule_changes(england, mine)}
    assert changes == {
        ("first-review", "changed", ("title", "within")),
        ("extra", "added", ()),
        ("age-limit", "removed", ()),
    }
    diff = diff_caseload(CASES[:60], england, mine, as_of=AS_OF)
    kinds = {(c.rule_id, c.old, c.new) for c in diff.status_changes}
    # a removed rule's findings go, an added rule's come: from and to "absent"
    assert any(rule == "age-limit" and new == ABSENT for rule, _, new in kinds)
    assert any(rule == "extra" and old == ABSENT for rule, old, _ in kinds)


def test_unreadable_cases_are_counted_and_change_nothing() -> None:
    england = load_pack("england")
    diff = diff_caseload(['{"case_id": "A"}', "not json", '{"case_id": ""}'], england, england, as_of=AS_OF)
    assert (diff.cases, diff.unreadable, diff.changed) == (3, 2, False)


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def caseload_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(CASES[:120]) + "\n", encoding="utf-8")
    return path


def test_the_command_exits_0_for_no_change_and_1_for_a_change(tmp_path: Path, caseload_file: Path) -> None:
    runner = CliRunner()
    same = runner.invoke(cli, ["pack", "diff", "stoke", "stoke", str(caseload_file), "--as-of", "2024-06-01"])
    assert same.exit_code == 0, same.output
    assert "Nothing changes" in same.stdout
    folder = stoke_with(tmp_path, "within: {working_days: 3}", "within: {working_days: 5}")
    args = ["pack", "diff", "stoke", str(folder), str(caseload_file), "--as-of", "2024-06-01"]
    table = runner.invoke(cli, args)
    assert table.exit_code == 1, table.output
    assert "changed  core-group-minutes (within)" in table.stdout
    assert "core-group-minutes  late -> met: " in table.stdout
    assert "None" not in table.stdout
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).stdout)
    library = diff_caseload(CASES[:120], load_pack("stoke"), load_pack(folder), as_of=AS_OF)
    assert data["status_changes"] == library.to_dict()["status_changes"]
    rows = runner.invoke(cli, [*args, "--format", "csv"]).stdout.splitlines()
    assert rows[0] == "what,rule_id,old,new,count,fields"
    assert "rule changed,core-group-minutes,,,,within" in rows


def test_the_page_escapes_what_came_from_the_input(tmp_path: Path) -> None:
    hostile = json.loads(CASES[3])
    hostile["case_id"] = "<script>alert(1)</script>\x1b[31m"
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    folder = stoke_with(tmp_path, "within: {working_days: 3}", "within: {working_days: 20}")
    page = tmp_path / "diff.html"
    result = CliRunner().invoke(
        cli, ["pack", "diff", "stoke", str(folder), str(path), "--as-of", "2024-06-01", "--html", str(page)]
    )
    assert result.exit_code == 1, result.output
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text and "\x1b" not in text
    assert "\x1b" not in result.stdout
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Tags().feed(text)
    assert "script" not in tags and tags.count("table") == 5


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_pack_at_a_git_revision(tmp_path: Path, caseload_file: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "packs").mkdir(parents=True)
    shutil.copytree(policies_dir() / "england", repo / "packs" / "england")
    shutil.copytree(policies_dir() / "stoke", repo / "packs" / "stoke")
    stoke_file = repo / "packs" / "stoke" / "pack.yaml"
    stoke_text = stoke_file.read_text(encoding="utf-8")
    assert "\nextends: england\n" in stoke_text
    stoke_file.write_text(
        stoke_text.replace("\nextends: england\n", "\nextends: ../england\n"), encoding="utf-8"
    )

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "as shipped")
    # the next commit gives the national baseline's first core group 20 working days: a stoke
    # at HEAD~1 takes the england it extends from HEAD~1 too, not the one beside it now
    england = repo / "packs" / "england" / "pack.yaml"
    text = england.read_text(encoding="utf-8")
    start = text.index("  - id: first-core-group")
    end = text.index("\n  - id:", start + 1)
    england.write_text(
        text[:start] + text[start:end].replace("working_days: 10", "working_days: 20") + text[end:],
        encoding="utf-8",
    )
    git("commit", "-qam", "twenty days")
    runner = CliRunner()
    stoke = str(repo / "packs" / "stoke")
    args = [str(caseload_file), "--as-of", "2024-06-01", "--format", "json"]
    result = runner.invoke(cli, ["pack", "diff", f"{stoke}@HEAD~1", stoke, *args])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [(r["rule_id"], r["fields"]) for r in data["rules"]] == [("first-core-group", ["within"])]
    unchanged = runner.invoke(cli, ["pack", "diff", f"{stoke}@HEAD", stoke, *args])
    assert unchanged.exit_code == 0, unchanged.output
    missing = runner.invoke(cli, ["pack", "diff", f"{stoke}@no-such-rev", stoke, *args])
    assert missing.exit_code == 2 and "no-such-rev" in missing.stderr


def test_a_bundled_pack_at_a_revision_extends_that_revisions_bundled_packs(tmp_path: Path) -> None:
    from cprules.cli.packdiff import _point_extends_at_siblings

    for name, extends in (("england", None), ("stoke", "england"), ("mine", "jersey")):
        (tmp_path / name).mkdir()
        line = f"extends: {extends}  # the baseline\n" if extends else "calendar: {country: GB}\n"
        (tmp_path / name / "pack.yaml").write_text(f"schema: 1\nid: {name}\n{line}", encoding="utf-8")
    for name in ("stoke", "mine"):
        _point_extends_at_siblings(tmp_path / name / "pack.yaml")
    # england is in the revision's copy beside stoke; jersey is not, so it stays a bundled id
    assert "extends: ../england\n" in (tmp_path / "stoke" / "pack.yaml").read_text(encoding="utf-8")
    assert "extends: jersey  # the baseline" in (tmp_path / "mine" / "pack.yaml").read_text(encoding="utf-8")
