"""``cprules pack diff OLD NEW CASELOAD``: what a pack change does to a caseload, before it ships.

OLD and NEW are bundled pack ids or pack folders, or either with ``@REV`` for the pack as it
was at a git revision (``stoke@HEAD~1``, ``policies/mine@main``). Each case is read once and
evaluated under both; the report says which rules were added, removed or changed (and which
fields), per rule how many findings change status (``late -> met: 2,910``) and how many keep
their status but move their dates, each rule's compliance before and after, and a few example
cases of each kind of change with the two findings side by side.

Exit 0 when nothing changes, 1 when something does, 2 for bad input. The logic is
:mod:`cprules.packdiff`; this module reads the input and shows the result.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click

from cprules.cli.common import (
    AS_OF_HELP,
    DATE,
    EXIT_BREACH,
    EXIT_OK,
    FROM_HELP,
    Failure,
    check_format,
    load_pack_arg,
    resolve_as_of,
)
from cprules.cli.render import csv_cell, plural
from cprules.pack.loader import Pack, bundled_pack_ids, policies_dir

__all__ = ["pack_diff"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain(value: object) -> str:
    """Text from an input, safe for a terminal: control characters (escape codes) become '?'."""
    return _CONTROL.sub("?", str(value))


@click.command("diff")
@click.argument("old_name", metavar="OLD")
@click.argument("new_name", metavar="NEW")
@click.argument("caseload", metavar="CASELOAD")
@click.option("--as-of", "as_of", type=DATE, help=AS_OF_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="What to print on standard output.",
)
@click.option(
    "--html", "html_path", metavar="FILE", type=click.Path(dir_okay=False), help="Also write a page."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core).",
)
@click.option("--from", "source_format", metavar="FORMAT", help=FROM_HELP + " Standard input: jsonl.")
@click.option(
    "--examples",
    type=click.IntRange(0, 50),
    default=3,
    show_default=True,
    help="Example cases shown for each kind of change.",
)
def pack_diff(
    old_name: str,
    new_name: str,
    caseload: str,
    as_of: date | None,
    output_format: str,
    html_path: str | None,
    jobs: int,
    source_format: str | None,
    examples: int,
) -> int:
    """What changes from pack OLD to pack NEW over the cases in CASELOAD.

    OLD and NEW: a bundled pack id or a pack folder, or either as it was at a git revision
    (stoke@HEAD~1). CASELOAD as for cprules batch (JSON Lines, CSV, census XML, SSD folder).

    \b
    Example:
      cprules pack diff stoke@HEAD~1 stoke cases.jsonl --as-of 2024-06-01
    """
    from cprules.cli.batch import batch_source, progress_bar
    from cprules.engine import cpu_count
    from cprules.packdiff import diff_caseload

    source_format = check_format(source_format)
    if caseload == "-" and "-" in (old_name, new_name):
        raise click.UsageError("the cases and a pack cannot both come from standard input")
    old = _pack_at(old_name)
    new = _pack_at(new_name)
    as_of = resolve_as_of(as_of, new)
    items, size, consumed = batch_source(caseload, source_format, parse=False)
    started = time.perf_counter()
    with progress_bar(size, enabled=True) as advance:
        seen = [0]

        def tick() -> None:
            seen[0] += 1
            if seen[0] % 256 == 0:
                advance(seen[0], consumed())

        diff = diff_caseload(
            items, old, new, as_of=as_of, jobs=jobs or cpu_count(), examples=examples, on_case=tick
        )
    elapsed = time.perf_counter() - started
    labels = (old_name, new_name)
    if output_format == "json":
        click.echo(
            json.dumps({"old_name": old_name, "new_name": new_name, **diff.to_dict()}, ensure_ascii=False)
        )
    elif output_format == "csv":
        click.echo(_csv(diff), nl=False)
    else:
        click.echo(_table(diff, labels, elapsed), nl=False)
    if html_path is not None:
        Path(html_path).write_text(_page(diff, labels), encoding="utf-8")
        if output_format == "table":
            click.echo(f"wrote {html_path}")
    return EXIT_BREACH if diff.changed else EXIT_OK


# -- packs, at a revision or not --------------------------------------------------------------


def _pack_at(spec: str) -> Pack:
    """A pack argument: ``ID``, ``PATH``, or either with ``@REV`` (a git revision)."""
    name, at, revision = spec.rpartition("@")
    if not at or not name or not revision or Path(spec).exists():
        return load_pack_arg(spec)
    return _pack_from_git(name, revision)


def _pack_from_git(name: str, revision: str) -> Pack:
    """The pack ``name`` as it was at ``revision`` of the git repository its folder is in.

    The folder that holds the pack folder (``policies/``) is taken from that revision into a
    temporary folder, so a pack it extends by path (``extends: ../england``) is that revision's
    too; for a bundled pack (in a source checkout) so is a bundled pack it extends by id.
    """
    bundled = name in bundled_pack_ids() and not Path(name).exists()
    folder = (policies_dir() / name) if bundled else Path(name)
    folder = folder.parent if folder.name == "pack.yaml" else folder
    if not folder.is_dir():
        raise Failure(f"error: {name}: no such pack folder; give a bundled pack id or a folder, then @REV")
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        raise Failure(
            f"error: {name}@{revision}: {folder} is not in a git repository; give the pack without @"
        )
    root = Path(top.strip())
    container = folder.resolve().parent.relative_to(root.resolve())
    archive = _git_bytes(root, "archive", "--format=tar", revision, "--", container.as_posix() or ".")
    if archive is None:
        raise Failure(
            f"error: {name}@{revision}: git has no {container.as_posix()} at revision {revision}; "
            "give a revision that has the pack (git log lists them)"
        )
    ctx = click.get_current_context()
    temporary = Path(ctx.with_resource(tempfile.TemporaryDirectory(prefix="cprules-rev-")))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(temporary, filter="data")
    extracted = temporary / container / folder.resolve().name
    if not (extracted / "pack.yaml").is_file():
        raise Failure(f"error: {name}@{revision}: the pack is not there at revision {revision}")
    if folder.resolve().parent == policies_dir().resolve():  # a bundled pack, in a source checkout
        for pack_file in (temporary / container).glob("*/pack.yaml"):
            _point_extends_at_siblings(pack_file)
    return load_pack_arg(str(extracted))


_EXTENDS = re.compile(r"^extends:[ \t]*(['\"]?)([a-z0-9]+(?:[_-][a-z0-9]+)*)\1[ \t]*(#.*)?$", re.MULTILINE)


def _point_extends_at_siblings(pack_file: Path) -> None:
    """``extends: england`` names the bundled pack of today; in a revision's copy of the bundled
    packs it must name the copy beside it (``extends: ../england``), or the old side of the diff
    would mix two revisions. (Only the ``extends`` line is rewritten, and ``extends`` is not part
    of a pack's digest.)"""
    text = pack_file.read_text(encoding="utf-8", errors="surrogateescape")

    def sibling(match: re.Match[str]) -> str:
        if (pack_file.parent.parent / match.group(2) / "pack.yaml").is_file():
            return f"extends: ../{match.group(2)}"
        return match.group(0)

    changed = _EXTENDS.sub(sibling, text)
    if changed != text:
        pack_file.write_text(changed, encoding="utf-8", errors="surrogateescape")


def _git(folder: Path, *args: str) -> str | None:
    found = _git_bytes(folder, *args)
    return found.decode("utf-8", errors="replace") if found is not None else None


def _git_bytes(folder: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# -- what is shown ----------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _finding_line(finding: Mapping[str, Any] | None) -> str:
    if finding is None:
        return "no such finding"
    status = finding.get("status")
    due = f"due {finding['due']}" if finding.get("due") else "no due date"
    done = f"done {finding['occurred_on']}" if finding.get("occurred_on") else "not done"
    late = finding.get("working_days_late")
    if status == "met" or (late is not None and late <= 0):
        lateness = "on time"
    elif late is None:
        lateness = "no lateness"
    else:
        lateness = f"{plural(late, 'working day')} late" + (" so far" if status == "overdue" else "")
    return f"{status}, {due}, {done}, {lateness}"


def _table(diff: Any, labels: tuple[str, str], elapsed: float) -> str:
    out: list[str] = []
    old, new = diff.old_pack, diff.new_pack
    out.append(
        f"pack diff: {_plain(labels[0])} ({old['id']} {_plain(old['version'])}) -> {_plain(labels[1])} "
        f"({new['id']} {_plain(new['version'])}), {diff.cases:,} cases as at {diff.as_of}, {elapsed:.1f}s"
    )
    if diff.unreadable:
        out.append(f"{plural(diff.unreadable, 'case')} could not be read (the same under both packs)")
    out.append("")
    if not diff.changed:
        out.append("Nothing changes: the same rules, and the same findings for every case.")
        return "\n".join(out) + "\n"
    out.append("Rules")
    if not diff.rules:
        out.append("  no rule added, removed or changed")
    for change in diff.rules:
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        out.append(f"  {change.change:<8} {change.rule_id}{fields}: {_plain(change.title)}")
    if diff.calendar:
        out.append(f"  the calendar changed: {', '.join(diff.calendar)}")
    out.append("")
    out.append("Findings whose status changes")
    if not diff.status_changes:
        out.append("  none")
    width = max((len(c.rule_id) for c in (*diff.status_changes, *diff.detail_changes)), default=10)
    for change in diff.status_changes:
        out.append(f"  {change.rule_id:<{width}}  {change.old} -> {change.new}: {change.count:,}")
    if diff.detail_changes:
        out.append("")
        out.append("Findings whose status stays but whose dates or lateness move")
        for change in diff.detail_changes:
            out.append(
                f"  {change.rule_id:<{width}}  {change.status} ({', '.join(change.fields)}): {change.count:,}"
            )
    errors = {rule: sides for rule, sides in diff.evaluation_errors.items() if sides[0] or sides[1]}
    if errors:
        out.append("")
        out.append("Cases on which a rule failed (old, new)")
        for rule_id, (was, now) in errors.items():
            out.append(f"  {rule_id or '(unknown rule)'}: {was:,}, {now:,}")
    moved = [
        c for c in diff.compliance if (c.old_on_time, c.old_compliant) != (c.new_on_time, c.new_compliant)
    ]
    out.append("")
    out.append("Compliance that moves (% on time; % compliant)")
    if not moved:
        out.append("  none")
    for rule in moved:
        out.append(
            f"  {rule.rule_id:<{width}}  {_percent(rule.old_on_time)} -> {_percent(rule.new_on_time)}; "
            f"{_percent(rule.old_compliant)} -> {_percent(rule.new_compliant)}"
        )
    shown = [(f"{c.rule_id}: {c.old} -> {c.new}", c.examples) for c in diff.status_changes] + [
        (f"{c.rule_id}: {c.status}, {', '.join(c.fields)} moved", c.examples) for c in diff.detail_changes
    ]
    if any(examples for _, examples in shown):
        out.append("")
        out.append("Examples (old, then new)")
        for title, examples in shown:
            if not examples:
                continue
            out.append(f"  {title}")
            for example in examples:
                out.append(f"    case {_plain(example.case_id)}")
                out.append(f"      old: {_plain(_finding_line(example.old))}")
                out.append(f"      new: {_plain(_finding_line(example.new))}")
    return "\n".join(out) + "\n"


_CSV_COLUMNS = ("what", "rule_id", "old", "new", "count", "fields")


def _csv(diff: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)

    def row(*cells: object) -> None:
        writer.writerow([csv_cell(cell) for cell in cells])

    for change in diff.rules:
        row("rule " + change.change, change.rule_id, "", "", "", ";".join(change.fields))
    if diff.calendar:
        row("calendar changed", "", "", "", "", ";".join(diff.calendar))
    for status in diff.status_changes:
        row("status", status.rule_id, status.old, status.new, status.count, "")
    for detail in diff.detail_changes:
        row("detail", detail.rule_id, detail.status, detail.status, detail.count, ";".join(detail.fields))
    for rule in diff.compliance:
        on_time = ("" if v is None else v for v in (rule.old_on_time, rule.new_on_time))
        compliant = ("" if v is None else v for v in (rule.old_compliant, rule.new_compliant))
        row("% on time", rule.rule_id, *on_time, "", "")
        row("% compliant", rule.rule_id, *compliant, "", "")
    return buffer.getvalue()


def _page(diff: Any, labels: tuple[str, str]) -> str:
    """A page of its own (no script, no outside resource); everything from an input escaped."""

    def e(value: object) -> str:
        return html.escape(_plain(value), quote=True)

    rows_rules = (
        "".join(
            f"<tr><td>{e(c.change)}</td><td><code>{e(c.rule_id)}</code></td><td>{e(c.title)}</td>"
            f"<td>{e(', '.join(c.fields))}</td></tr>"
            for c in diff.rules
        )
        or '<tr><td colspan="4">no rule added, removed or changed</td></tr>'
    )
    rows_status = (
        "".join(
            f"<tr><td><code>{e(c.rule_id)}</code></td><td>{e(c.old)} &rarr; {e(c.new)}</td>"
            f'<td class="n">{c.count:,}</td></tr>'
            for c in diff.status_changes
        )
        or '<tr><td colspan="3">none</td></tr>'
    )
    rows_detail = (
        "".join(
            f"<tr><td><code>{e(c.rule_id)}</code></td><td>{e(c.status)} ({e(', '.join(c.fields))})</td>"
            f'<td class="n">{c.count:,}</td></tr>'
            for c in diff.detail_changes
        )
        or '<tr><td colspan="3">none</td></tr>'
    )
    rows_compliance = "".join(
        f"<tr><td><code>{e(c.rule_id)}</code></td><td>{e(c.title)}</td>"
        + "".join(
            f'<td class="n">{e(_percent(value))}</td>'
            for value in (c.old_on_time, c.new_on_time, c.old_compliant, c.new_compliant)
        )
        + "</tr>"
        for c in diff.compliance
    )
    examples = []
    for title, group in [(f"{c.rule_id}: {c.old} → {c.new}", c.examples) for c in diff.status_changes] + [
        (f"{c.rule_id}: {c.status}, {', '.join(c.fields)} moved", c.examples) for c in diff.detail_changes
    ]:
        for example in group:
            sides = "".join(
                f"<td>{e(_finding_line(side))}<br>"
                f"<small>{e((side or {}).get('explanation', ''))}</small></td>"
                for side in (example.old, example.new)
            )
            examples.append(f"<tr><td>{e(title)}</td><td>{e(example.case_id)}</td>{sides}</tr>")
    verdict = "Something changes." if diff.changed else "Nothing changes."
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>pack diff: {e(labels[0])} to {e(labels[1])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
th, td {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; }}
</style></head><body>
<h1>What changes from {e(labels[0])} to {e(labels[1])}</h1>
<p>{diff.cases:,} cases as at {e(diff.as_of)}; {diff.unreadable:,} could not be read. {verdict}
Old pack {e(diff.old_pack["id"])} {e(diff.old_pack["version"])}, new pack {e(diff.new_pack["id"])}
{e(diff.new_pack["version"])}.</p>
<h2>Rules</h2>
<table><tr><th>change</th><th>rule</th><th>title</th><th>fields</th></tr>{rows_rules}</table>
<h2>Findings whose status changes</h2>
<table><tr><th>rule</th><th>change</th><th>findings</th></tr>{rows_status}</table>
<h2>Findings whose dates or lateness move</h2>
<table><tr><th>rule</th><th>status (what moved)</th><th>findings</th></tr>{rows_detail}</table>
<h2>Compliance</h2>
<table><tr><th>rule</th><th>title</th><th>% on time, old</th><th>new</th><th>% compliant, old</th>
<th>new</th></tr>{rows_compliance}</table>
<h2>Examples</h2>
<table><tr><th>change</th><th>case</th><th>old</th><th>new</th></tr>{"".join(examples)}</table>
</body></html>
"""
