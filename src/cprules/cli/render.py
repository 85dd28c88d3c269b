"""What the command line shows, shared by its commands: consoles, the status colours, CSV cells
(with their formula escaping), lateness text, counted words, and error lines.

Everything here writes or formats; nothing reads input or decides an exit code
(:mod:`cprules.cli.common` does). An error line never quotes a value from a case: case data is
personal data about a child, and error text ends up in logs.

Nothing from an input reaches a terminal unescaped: case ids, rule ids, pack titles, citations
and error text can hold ESC, OSC, CR, NUL or a lone surrogate, which a terminal would obey (or
a write would fail on). :func:`error_line` and :func:`echo` escape them
(:func:`cprules.output.printable`); :func:`rich_console` gives a console that reads no markup
in strings (a ``[link=...]`` in a citation is text) and escapes every character it shows, in
tables, ``Text`` and plain strings alike.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cprules.errors import CaseError
from cprules.findings import FINDING_FIELDS, Finding, Report, Status
from cprules.output import csv_cell as _csv_cell
from cprules.output import printable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "ERROR_COLUMNS",
    "FINDING_COLUMNS",
    "STATUS_STYLE",
    "case_error_lines",
    "csv_cell",
    "echo",
    "error_line",
    "finding_row",
    "internal_error_line",
    "lateness",
    "located",
    "os_error_line",
    "plural",
    "rich_console",
    "usage_line",
]

#: columns of a findings CSV (``check --format csv``, ``batch --out x.csv``)
FINDING_COLUMNS = ("case_id", "pack_id", "pack_version", "as_of", *FINDING_FIELDS)
#: further columns of a batch CSV: a case that could not be read or evaluated is one row
ERROR_COLUMNS = ("error_kind", "error_path", "error_rule_id", "error_message")

STATUS_STYLE = {
    Status.MET: "green",
    Status.LATE: "yellow",
    Status.OVERDUE: "bold red",
    Status.MISSED: "bold magenta",
    Status.DUE: "cyan",
    Status.VIOLATED: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.UNDETERMINED: "magenta",
}


def error_line(text: str) -> None:
    """Write one line on standard error (newlines inside become spaces; anything a terminal
    would obey is escaped)."""
    click.echo(printable(" ".join(text.split("\n")).rstrip()), err=True)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that holds input (a pack's words, a scenario's name): line breaks
    are kept, anything else a terminal would obey is escaped."""
    click.echo("\n".join(printable(line) for line in text.split("\n")), err=err, nl=nl)


def located(message: str) -> str:
    """``FILE:LINE:COLUMN: ...`` as is (an editor jumps there); anything else as ``error: ...``."""
    return message if re.match(r"^[^\s:]+(?::\d+){1,2}: ", message) else f"error: {message}"


def usage_line(exc: click.ClickException) -> str:
    """A usage error, pointing to the help of the command it was made in."""
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"error: {message} (see '{ctx.command_path} --help')"
    return f"error: {message}"


def os_error_line(exc: OSError) -> str:
    """A file that could not be opened or read: its name and the reason, never its content."""
    reason = exc.strerror or type(exc).__name__
    return f"error: {exc.filename}: {reason}" if exc.filename else f"error: {reason}"


def internal_error_line(exc: BaseException) -> str:
    """One line naming the exception and where in cprules it was raised; never its text, which
    may quote case data."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next(
        (f" at {Path(f.filename).name}:{f.lineno}" for f in reversed(frames) if "cprules" in f.filename), ""
    )
    return (
        f"internal error: {type(exc).__name__}{where} "
        "(a bug in cprules: please report it; CPRULES_DEBUG=1 shows the traceback)"
    )


def case_error_lines(exc: CaseError, source: str | None) -> list[str]:
    """Each problem of a case on its own line: ``SOURCE: case ID: PATH: message``."""
    prefix = f"{source}: " if source else "error: "
    who = f"case {exc.case_id}" if exc.case_id else "case (id unreadable)"
    lines = []
    for path, message in exc.problems:
        where = f"{path}: " if path else ""
        lines.append(f"{prefix}{who}: {where}{message}")
    return lines


def rich_console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or error): colour and width only on a terminal; no
    markup read from strings, and every character shown escaped as :func:`printable` does."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    width = None if terminal or os.environ.get("COLUMNS") else 120
    return _escaping_console()(file=stream, width=width, highlight=False, soft_wrap=False, markup=False)


def _escaping_console() -> type[Console]:
    """The console class (built on first use: rich is imported only by commands that print)."""
    global _ESCAPING_CONSOLE
    if _ESCAPING_CONSOLE is not None:
        return _ESCAPING_CONSOLE
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment
    from rich.text import Text

    class EscapingConsole(Console):
        """Escapes what it renders: strings before layout (so columns stay aligned), and every
        segment of text after it (a ``Text`` built from input); rich's own control segments
        (cursor moves of a progress bar) and line breaks pass as they are."""

        def render_str(self, text: str, **options: Any) -> Text:
            return super().render_str(_printable_lines(text), **options)

        def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Any:
            for segment in super().render(renderable, options):
                if segment.control or segment.text == "\n" or segment.text.isprintable():
                    yield segment
                else:
                    yield Segment(_printable_lines(segment.text), segment.style, segment.control)

    _ESCAPING_CONSOLE = EscapingConsole
    return EscapingConsole


_ESCAPING_CONSOLE: type[Console] | None = None


def _printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def csv_cell(value: Any) -> str | int:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading '
    (:func:`cprules.output.csv_cell`)."""
    return _csv_cell(value)


def finding_row(report: Report, finding: Finding) -> list[str | int]:
    """A finding as a CSV row of :data:`FINDING_COLUMNS`, every cell escaped."""
    values: dict[str, Any] = finding.to_dict()
    values.update(
        case_id=report.case_id,
        pack_id=report.pack_id,
        pack_version=report.pack_version,
        as_of=report.as_of.isoformat(),
        evidence_events=";".join(finding.evidence_events),
    )
    return [csv_cell(values[column]) for column in FINDING_COLUMNS]


def plural(count: int, word: str, words: str | None = None) -> str:
    """``plural(1, "rule") == "1 rule"``, ``plural(1200, "case") == "1,200 cases"``."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def lateness(finding: Finding) -> str:
    """How late a finding is, as a table shows it: ``3 WD (5 d)``, ``2 WD so far``, or nothing."""
    wd, cd = finding.working_days_late, finding.calendar_days_late
    if finding.status is Status.LATE and wd is not None:
        return f"{wd} WD" + (f" ({cd} d)" if cd is not None else "")
    if finding.status is Status.OVERDUE and wd is not None:
        return f"{wd} WD so far"
    if finding.status is Status.MISSED and wd is not None:
        return f"{wd} WD, missed"
    return ""
