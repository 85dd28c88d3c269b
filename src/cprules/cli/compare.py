"""``cprules compare CASE --packs A,B``: one case under several packs, side by side."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from cprules.case import Case
from cprules.cli.common import (
    AS_OF_HELP,
    DATE,
    EXIT_BAD_INPUT,
    EXIT_BREACH,
    EXIT_OK,
    FROM_HELP,
    breach_count,
    check_format,
    evaluate_case,
    has_breach,
    read_one_case,
    resolve_as_of,
)
from cprules.cli.render import STATUS_STYLE, error_line, lateness, plural, rich_console
from cprules.errors import EvaluationError
from cprules.findings import Finding, Report, Status
from cprules.pack.loader import Pack, load_pack

__all__ = ["compare"]

#: worst first: the status a cell of several findings is coloured by
_STATUS_RANK = {
    status: rank
    for rank, status in enumerate(
        (
            Status.OVERDUE,
            Status.MISSED,
            Status.VIOLATED,
            Status.LATE,
            Status.UNDETERMINED,
            Status.DUE,
            Status.MET,
            Status.NOT_APPLICABLE,
        )
    )
}


@click.command()
@click.argument("case_source", metavar="CASE")
@click.option("--packs", "pack_names", required=True, metavar="A,B,C", help="Packs, comma-separated.")
@click.option("--as-of", "as_of", type=DATE, help=AS_OF_HELP)
@click.option("--from", "source_format", metavar="FORMAT", help=FROM_HELP)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def compare(
    case_source: str, pack_names: str, as_of: date | None, source_format: str | None, output_format: str
) -> int:
    """One CASE under several packs, side by side, a row per rule id.

    Exit 1 when any pack finds a breach, 2 for bad input or a rule that failed.

    \b
    Example:
      cprules compare examples/england-icpc-late.yaml --packs england,stoke,nelincs
    """
    source_format = check_format(source_format)
    names = [name.strip() for name in pack_names.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("name at least one pack", param_hint="--packs")
    if len(set(names)) != len(names):
        raise click.BadParameter("a pack is named twice", param_hint="--packs")
    if "-" in names:
        raise click.BadParameter("packs are ids or paths here, not -", param_hint="--packs")
    packs = [load_pack(name) for name in names]
    case = read_one_case(case_source, source_format)
    day = resolve_as_of(as_of)
    reports: list[Report | EvaluationError] = []
    for pack in packs:
        resolve_as_of(day, pack)
        try:
            reports.append(evaluate_case(case, pack, day))
        except EvaluationError as exc:
            error_line(f"error: pack {pack.id}: {exc}")
            reports.append(exc)
    rows = _compare_rows(packs, reports)
    if output_format == "json":
        click.echo(json.dumps(_compare_json(case, day, packs, reports, rows), indent=2, ensure_ascii=False))
    else:
        _print_compare(case, day, packs, reports, rows)
    if any(isinstance(r, EvaluationError) for r in reports):
        return EXIT_BAD_INPUT
    return EXIT_BREACH if any(has_breach(r.findings) for r in reports if isinstance(r, Report)) else EXIT_OK


CompareCell = list[Finding] | str | None  # findings; "disabled: reason"; "error"; None: not in pack


def _compare_rows(packs: list[Pack], reports: list[Report | EvaluationError]) -> dict[str, list[CompareCell]]:
    rows: dict[str, list[CompareCell]] = {}
    for pack in packs:
        for rule in pack.rules:
            rows.setdefault(rule.id, [None] * len(packs))
    for column, (pack, report) in enumerate(zip(packs, reports, strict=True)):
        for disabled in pack.disabled:
            rows.setdefault(disabled.id, [None] * len(packs))[column] = f"disabled: {disabled.reason}"
        for rule in pack.rules:
            cell: CompareCell = (
                "error"
                if isinstance(report, EvaluationError)
                else [f for f in report.findings if f.rule_id == rule.id]
            )
            rows[rule.id][column] = cell
    return rows


def _compare_text(cell: CompareCell) -> tuple[str, str]:
    """A cell's text and style."""
    if cell is None:
        return "—", "dim"
    if isinstance(cell, str):
        return ("disabled", "dim") if cell.startswith("disabled") else ("error", "bold red")
    if not cell:
        return "no finding", "dim"
    worst = min(cell, key=lambda f: _STATUS_RANK[f.status])
    if len(cell) == 1:
        finding = cell[0]
        text = finding.status.value.replace("_", " ")
        late = lateness(finding)
        if late:
            text += f" {late}"
        elif finding.status is Status.DUE and finding.due:
            text += f" {finding.due}"
        return text, STATUS_STYLE[finding.status]
    counts: dict[Status, int] = {}
    for finding in cell:
        counts[finding.status] = counts.get(finding.status, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: _STATUS_RANK[item[0]])
    short = {Status.NOT_APPLICABLE: "n/a", Status.UNDETERMINED: "undet."}
    text = ", ".join(f"{n} {short.get(s, s.value)}" for s, n in ordered)
    return text, STATUS_STYLE[worst.status]


def _print_compare(
    case: Case,
    as_of: date,
    packs: list[Pack],
    reports: list[Report | EvaluationError],
    rows: dict[str, list[CompareCell]],
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = rich_console()
    console.print(Text.assemble(("Case ", "bold"), (case.case_id, "bold"), f" as at {as_of}"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("rule", no_wrap=True)
    for pack in packs:
        table.add_column(f"{pack.id} {pack.version}", overflow="fold")
    for rule_id, cells in rows.items():
        texts = [_compare_text(cell) for cell in cells]
        differs = len({text for text, _ in texts}) > 1
        table.add_row(Text(rule_id, style="bold" if differs else ""), *(Text(t, style=s) for t, s in texts))
    footer = []
    for report in reports:
        if isinstance(report, EvaluationError):
            footer.append(Text("a rule failed", style="bold red"))
        else:
            count = breach_count(report)
            footer.append(Text(plural(count, "breach", "breaches"), style="red" if count else "green"))
    table.add_section()
    table.add_row(Text("breaches of procedure", style="bold"), *footer)
    console.print(table)
    console.print("— : the pack has no such rule. Rules in bold differ between packs.", style="dim")


def _compare_json(
    case: Case,
    as_of: date,
    packs: list[Pack],
    reports: list[Report | EvaluationError],
    rows: dict[str, list[CompareCell]],
) -> dict[str, Any]:
    pack_entries = []
    for pack, report in zip(packs, reports, strict=True):
        entry: dict[str, Any] = {"id": pack.id, "version": pack.version, "title": pack.title}
        if isinstance(report, EvaluationError):
            entry["error"] = {"rule_id": report.rule_id, "message": report.reason}
        else:
            entry["pack_digest"] = report.pack_digest
            entry["breaches"] = breach_count(report)
        pack_entries.append(entry)
    rules: dict[str, dict[str, Any]] = {}
    for rule_id, cells in rows.items():
        by_pack: dict[str, Any] = {}
        for pack, cell in zip(packs, cells, strict=True):
            if cell is None or cell == "error":
                by_pack[pack.id] = None
            elif isinstance(cell, str):
                by_pack[pack.id] = {"disabled": cell.removeprefix("disabled: ")}
            else:
                by_pack[pack.id] = [finding.to_dict() for finding in cell]
        rules[rule_id] = by_pack
    return {"case_id": case.case_id, "as_of": as_of.isoformat(), "packs": pack_entries, "rules": rules}
