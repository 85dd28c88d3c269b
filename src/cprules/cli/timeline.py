"""``cprules timeline CASE --pack ID --html FILE``: one case as a self-contained HTML page.

The page (:func:`cprules.pages.render_timeline`) draws the plan episodes, every event and every
finding on one date axis, with each finding's explanation and citation on hover and in a list
below; it has no script and loads nothing, so it opens offline and prints.

Exit 0 when the page is written (it is a picture, not a verdict: ``cprules check`` gives the exit
code for breaches), 2 for bad input.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import click

from cprules.cli.common import (
    AS_OF_HELP,
    DATE,
    EXIT_OK,
    FROM_HELP,
    PACK_HELP,
    breach_count,
    check_format,
    evaluate_case,
    load_pack_arg,
    read_one_case,
    resolve_as_of,
)
from cprules.cli.render import plural

__all__ = ["timeline"]


@click.command()
@click.argument("case_source", metavar="CASE")
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=PACK_HELP)
@click.option("--as-of", "as_of", type=DATE, help=AS_OF_HELP)
@click.option(
    "--html",
    "html_out",
    required=True,
    metavar="FILE",
    help="Where to write the page (- for standard output).",
)
@click.option("--from", "source_format", metavar="FORMAT", help=FROM_HELP)
def timeline(
    case_source: str, pack_name: str, as_of: date | None, html_out: str, source_format: str | None
) -> int:
    """Draw one CASE's timeline as an HTML page: plans, events and deadlines on a date axis.

    Each deadline runs from what started it to its due date, coloured and shaped by its status;
    bank holidays that moved a due date are shaded; every finding is explained below the chart.

    \b
    Example:
      cprules timeline examples/stoke-late-core-group.yaml --pack stoke --as-of 2024-06-01 \\
        --html case.html
    """
    from cprules.pages import render_timeline

    source_format = check_format(source_format)
    if case_source == "-" and pack_name == "-":
        raise click.UsageError("the case and the pack cannot both come from standard input")
    if html_out != "-" and case_source != "-" and Path(html_out).resolve() == Path(case_source).resolve():
        raise click.UsageError("--html is the case file; write the page somewhere else")
    pack = load_pack_arg(pack_name)
    case = read_one_case(case_source, source_format)
    report = evaluate_case(case, pack, resolve_as_of(as_of, pack))
    page = render_timeline(case, report, pack)
    if html_out == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
        return EXIT_OK
    _write_whole(Path(html_out), page)
    breaches = breach_count(report)
    click.echo(
        f"{html_out}: {plural(len(report.findings), 'finding')}, "
        f"{plural(breaches, 'breach', 'breaches')} of procedure, as at {report.as_of}",
        err=True,
    )
    return EXIT_OK


def _write_whole(path: Path, text: str) -> None:
    """Write the page beside its place and rename it there: never a half-written page."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
