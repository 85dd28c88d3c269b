"""``cprules check CASE --pack ID``: one case against one pack, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import sys
from datetime import date

import click

from cprules.cli.common import (
    AS_OF_HELP,
    BREACH_STATUSES,
    DATE,
    EXIT_BREACH,
    EXIT_OK,
    FROM_HELP,
    PACK_HELP,
    check_format,
    evaluate_case,
    has_breach,
    load_pack_arg,
    read_one_case,
    resolve_as_of,
)
from cprules.cli.render import FINDING_COLUMNS, STATUS_STYLE, finding_row, lateness, plural, rich_console
from cprules.findings import Report, Severity, Status
from cprules.pack.loader import Pack

__all__ = ["check"]


@click.command()
@click.argument("case_source", metavar="CASE")
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=PACK_HELP)
@click.option("--as-of", "as_of", type=DATE, help=AS_OF_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people, json (the report) for programs, csv (a row per finding) for spreadsheets.",
)
@click.option("--from", "source_format", metavar="FORMAT", help=FROM_HELP)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Show every finding and explain each (by default n/a ones are only named, met ones not explained).",
)
def check(
    case_source: str,
    pack_name: str,
    as_of: date | None,
    output_format: str,
    source_format: str | None,
    show_all: bool,
) -> int:
    """Check one CASE (a YAML or JSON file, or - for standard input) against a pack.

    --from reads the one case of another format (a CSV event table, a census return).

    Exit 0 when no finding of severity breach is late, overdue, missed or violated; 1 when one is;
    2 for bad input.

    \b
    Example:
      cprules check examples/stoke-late-core-group.yaml --pack stoke --as-of 2024-06-01
    """
    source_format = check_format(source_format)
    if case_source == "-" and pack_name == "-":
        raise click.UsageError("the case and the pack cannot both come from standard input")
    pack = load_pack_arg(pack_name)
    case = read_one_case(case_source, source_format)
    report = evaluate_case(case, pack, resolve_as_of(as_of, pack))
    if output_format == "json":
        click.echo(report.to_json(indent=2))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(finding_row(report, finding) for finding in report.findings)
    else:
        _print_report(report, pack, show_all=show_all)
    return EXIT_BREACH if has_breach(report.findings) else EXIT_OK


def _print_report(report: Report, pack: Pack, *, show_all: bool) -> None:
    from rich import box
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = rich_console()
    console.print(
        Text.assemble(
            ("Case ", "bold"),
            (report.case_id, "bold"),
            f" under {pack.title} ",
            (f"({pack.id} {pack.version})", "dim"),
            ", as at ",
            (report.as_of.isoformat(), "bold"),
        )
    )
    shown = [f for f in report.findings if show_all or f.status is not Status.NOT_APPLICABLE]
    # every column at its natural width but the citation, which takes what is left (cut with …);
    # on a narrow terminal the citation is left to the explanations below the table
    with_citation = console.width >= 110
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=with_citation)
    table.add_column("status", no_wrap=True)
    table.add_column("severity", no_wrap=True, style="dim")
    table.add_column("finding", overflow="fold")
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("done", no_wrap=True, min_width=10)
    table.add_column("late", no_wrap=True, justify="right")
    if with_citation:
        table.add_column("citation", no_wrap=True, overflow="ellipsis", style="dim", ratio=1, min_width=10)
    for finding in shown:
        table.add_row(
            Text(finding.status.value.replace("_", " "), style=STATUS_STYLE[finding.status]),
            # the severity matters where something is wrong: a late warning is not a breach
            finding.severity.value
            if finding.status in BREACH_STATUSES and finding.severity is not Severity.BREACH
            else "",
            finding.key,
            finding.due.isoformat() if finding.due else "",
            finding.occurred_on.isoformat() if finding.occurred_on else "",
            lateness(finding),
            *((finding.citation,) if with_citation else ()),
        )
    console.print(table)
    listed = {f.rule_id for f in shown}
    hidden = [f for f in report.findings if f not in shown]
    idle = sorted({f.rule_id for f in hidden if f.rule_id not in listed})
    if idle:
        console.print(Text(f"Not applicable to this case: {', '.join(idle)}.", style="dim"))
    more = sum(1 for f in hidden if f.rule_id in listed)
    if more:
        console.print(Text(f"{plural(more, 'more finding')} not applicable (--all shows them).", style="dim"))
    explained = [
        f for f in report.findings if show_all or f.status not in (Status.MET, Status.NOT_APPLICABLE)
    ]
    for finding in explained:
        console.print()
        head = Text(finding.key, style="bold")
        head.append(f"  {finding.status.value.replace('_', ' ')}", style=STATUS_STYLE[finding.status])
        head.append(f"  {finding.title}")
        console.print(head)
        console.print(Padding(Text(finding.explanation), (0, 0, 0, 4), expand=False))
        console.print(Padding(Text(finding.citation, style="dim"), (0, 0, 0, 4), expand=False))
    console.print()
    console.print(_report_verdict(report))


def _report_verdict(report: Report) -> str:
    counts = {status: 0 for status in Status}
    for finding in report.findings:
        counts[finding.status] += 1
    breaches = [f for f in report.findings if f.severity is Severity.BREACH and f.status in BREACH_STATUSES]
    parts = [
        f"{counts[status]} {status.value.replace('_', ' ')}"
        for status in (
            Status.LATE,
            Status.OVERDUE,
            Status.MISSED,
            Status.VIOLATED,
            Status.DUE,
            Status.MET,
            Status.UNDETERMINED,
            Status.NOT_APPLICABLE,
        )
        if counts[status]
    ]
    head = (
        f"{plural(len(breaches), 'breach', 'breaches')} of procedure"
        if breaches
        else "No breach of procedure"
    )
    upcoming = report.upcoming
    nxt = f"; next due {upcoming[0].due} ({upcoming[0].rule_id})" if upcoming and upcoming[0].due else ""
    return f"{head} ({', '.join(parts) or 'no findings'}){nxt}."
