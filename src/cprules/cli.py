"""The command line (``cprules``): the only module of cprules that prints.

Commands (SPEC §8): ``check``, ``batch``, ``compare``, ``packs``, ``pack validate|test|show``,
``schema``, ``calendar add|between``. ``-`` reads standard input wherever a file is read.

Exit codes: 0 when all is well; 1 when a finding of severity ``breach`` is late, overdue or
violated (``check``, ``batch``, ``compare``) or a pack fails validation or its tests; 2 for bad
input (a case, a pack, a file or an option that cannot be read); 3 for an internal error (a bug:
reported in one line, with ``CPRULES_DEBUG=1`` showing the traceback); 130 when interrupted. When
the reader of standard output goes away (``| head``), click stops quietly with exit 1.
Every error is one line on standard error, never a traceback, and never quotes a value from a
case (case data is personal data about a child, and error text ends up in logs).

The date "today" (the default ``--as-of``) is read here, in Europe/London, and passed to the
engine; the core never reads a clock.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, NoReturn, TextIO

import click

from cprules.case import MAX_CASE_BYTES, MAX_DATE, MIN_DATE, Case, load_case, parse_case
from cprules.engine import ReportText
from cprules.errors import CaseError, CprulesError, EvaluationError, PackError, SourceError
from cprules.findings import Finding, Report, Severity, Status
from cprules.pack.loader import Pack, bundled_pack_ids, load_pack, policies_dir, validate_pack

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["cli", "main"]

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

#: input formats of cprules.readers (the reader module says which it has)
KNOWN_FORMATS = ("json", "yaml", "jsonl", "csv", "cin-census", "ssd")

#: columns of a findings CSV (``check --format csv``, ``batch --out x.csv``)
FINDING_COLUMNS = (
    "case_id",
    "pack_id",
    "pack_version",
    "as_of",
    "key",
    "rule_id",
    "title",
    "kind",
    "severity",
    "status",
    "due",
    "occurred_on",
    "working_days_late",
    "calendar_days_late",
    "trigger_event",
    "evidence_events",
    "citation",
    "explanation",
)
#: further columns of a batch CSV: a case that could not be read or evaluated is one row
ERROR_COLUMNS = ("error_kind", "error_path", "error_rule_id", "error_message")

_BREACH_STATUSES = frozenset({Status.LATE, Status.OVERDUE, Status.VIOLATED})
_STATUS_STYLE = {
    Status.MET: "green",
    Status.LATE: "yellow",
    Status.OVERDUE: "bold red",
    Status.DUE: "cyan",
    Status.VIOLATED: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.UNDETERMINED: "magenta",
}
_STATUS_RANK = {
    status: rank
    for rank, status in enumerate(
        (
            Status.OVERDUE,
            Status.VIOLATED,
            Status.LATE,
            Status.UNDETERMINED,
            Status.DUE,
            Status.MET,
            Status.NOT_APPLICABLE,
        )
    )
}


class Failure(Exception):
    """Stop the command: print ``lines`` on standard error (one line each) and exit ``code``."""

    def __init__(self, *lines: str, code: int = EXIT_BAD_INPUT) -> None:
        self.lines = lines
        self.code = code
        super().__init__(" ".join(lines))


# ---------------------------------------------------------------------------------------------
# The command group, and the one place errors become exit codes


class _Cli(click.Group):
    """A click group whose every error is one line on standard error and an exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        try:
            result = super().main(
                args=list(args) if args is not None else None,
                prog_name=prog_name or "cprules",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = result if isinstance(result, int) else EXIT_OK
        except Failure as failure:
            for line in failure.lines:
                _error_line(line)
            code = failure.code
        except click.exceptions.Abort:
            _error_line("interrupted")
            code = EXIT_INTERRUPTED
        except click.ClickException as exc:
            _error_line(_usage_message(exc))
            code = EXIT_BAD_INPUT
        except KeyboardInterrupt:
            _error_line("interrupted")
            code = EXIT_INTERRUPTED
        except CaseError as exc:
            for line in _case_error_lines(exc, None):
                _error_line(line)
            code = EXIT_BAD_INPUT
        except CprulesError as exc:
            _error_line(_located(str(exc)))
            code = EXIT_BAD_INPUT
        except OSError as exc:
            _error_line(_os_error(exc))
            code = EXIT_BAD_INPUT
        except Exception as exc:
            if os.environ.get("CPRULES_DEBUG"):
                raise
            _error_line(_internal_error(exc))
            code = EXIT_INTERNAL
        sys.exit(code)


def _error_line(text: str) -> None:
    """Write one line on standard error (newlines inside become spaces)."""
    click.echo(" ".join(text.split("\n")).rstrip(), err=True)


def _located(message: str) -> str:
    """``FILE:LINE:COLUMN: ...`` as is (an editor jumps there); anything else as ``error: ...``."""
    return message if re.match(r"^[^\s:]+(?::\d+){1,2}: ", message) else f"error: {message}"


def _usage_message(exc: click.ClickException) -> str:
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"error: {message} (see '{ctx.command_path} --help')"
    return f"error: {message}"


def _os_error(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return f"error: {exc.filename}: {reason}" if exc.filename else f"error: {reason}"


def _internal_error(exc: BaseException) -> str:
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


def _case_error_lines(exc: CaseError, source: str | None) -> list[str]:
    """Each problem of a case on its own line: ``SOURCE: case ID: PATH: message``."""
    prefix = f"{source}: " if source else "error: "
    who = f"case {exc.case_id}" if exc.case_id else "case (id unreadable)"
    lines = []
    for path, message in exc.problems:
        where = f"{path}: " if path else ""
        lines.append(f"{prefix}{who}: {where}{message}")
    return lines


cli = _Cli(
    name="cprules",
    help=(
        "Check child protection case timelines against an authority's procedure.\n\n"
        "A case (YAML or JSON) and a policy pack in; cited findings out: what was on time, "
        "what was late and by how many working days, what is overdue and what falls due next."
    ),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``cprules`` console script."""
    cli.main(args=argv, prog_name="cprules")


cli.params.append(
    click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        help="Show the version and exit.",
        callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    )
)


def _print_version(ctx: click.Context) -> None:
    from cprules.engine import ENGINE_VERSION

    click.echo(f"cprules {ENGINE_VERSION['cprules']} (holidays {ENGINE_VERSION['holidays']})")
    ctx.exit(EXIT_OK)


# ---------------------------------------------------------------------------------------------
# Parameters


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5
    """A date written YYYY-MM-DD, inside the range the calendar is exact for."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            self.fail("not a date; write YYYY-MM-DD", param, ctx)
        if not MIN_DATE <= day <= MAX_DATE:
            self.fail(f"outside the supported range {MIN_DATE}..{MAX_DATE}", param, ctx)
        return day


DATE = DateParam()

_AS_OF_HELP = "The date to judge the case as at (YYYY-MM-DD). Default: today in Europe/London."
_PACK_HELP = "A bundled pack id (cprules packs lists them), or a path to a pack folder or pack.yaml."
_FROM_HELP = f"Input format: {', '.join(KNOWN_FORMATS)}. Default: from the file name."


def today_in_london() -> date:
    """Today's date in England (where the procedures apply), whatever the machine's zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return datetime.now(ZoneInfo("Europe/London")).date()
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without tz data (tzdata absent)
        return date.today()


def _as_of(value: date | None, pack: Pack | None = None, *, quiet: bool = False) -> date:
    as_of = value if value is not None else today_in_london()
    if pack is not None and pack.effective_from is not None and as_of < pack.effective_from and not quiet:
        _error_line(
            f"warning: as at {as_of} is before pack {pack.id} took effect ({pack.effective_from}); "
            "the findings apply this version of the procedure to an earlier date"
        )
    return as_of


# ---------------------------------------------------------------------------------------------
# Reading packs and cases


def _load_pack(value: str) -> Pack:
    """A bundled pack id, a path, or ``-`` (a pack.yaml on standard input)."""
    if value != "-":
        return load_pack(value)
    ctx = click.get_current_context()
    folder = Path(ctx.with_resource(tempfile.TemporaryDirectory(prefix="cprules-pack-")))
    path = folder / "pack.yaml"
    data = sys.stdin.buffer.read()
    path.write_bytes(data)
    try:
        return load_pack(path)
    except PackError as exc:
        raise Failure(_located(str(exc).replace(str(path), "<stdin>"))) from None


def _readers() -> ModuleType | None:
    """``cprules.readers`` when this install has it (imported only by commands that read)."""
    try:
        module = import_module("cprules.readers")
    except ModuleNotFoundError as exc:
        if exc.name == "cprules.readers":
            return None
        raise
    return module if hasattr(module, "read_cases") else None


def _reader_formats(readers: ModuleType | None) -> tuple[str, ...]:
    formats = getattr(readers, "FORMATS", None) if readers is not None else None
    return tuple(formats) if formats else KNOWN_FORMATS


def _check_format(value: str | None) -> str | None:
    if value is None:
        return None
    formats = _reader_formats(_readers())
    if value not in formats:
        raise click.BadParameter(f"unknown format '{value}'; write one of: {', '.join(formats)}")
    return value


def _display(source: str) -> str:
    return "<stdin>" if source == "-" else source


def _read_one_case(source: str, source_format: str | None) -> Case:
    """The one case in ``source`` (a file or ``-``); every problem a :class:`Failure`."""
    name = _display(source)
    suffix = Path(source).suffix.lower()
    native = source_format in ("json", "yaml") or (
        source_format is None and (source == "-" or suffix in (".json", ".yaml", ".yml"))
    )
    try:
        if native:
            return _read_native_case(source, source_format)
        readers = _readers()
        if readers is None:
            raise Failure(
                f"error: {name}: reading {source_format or suffix or 'this input'} needs cprules.readers, "
                "which this version of cprules does not have; give a YAML or JSON case"
            )
        found: Case | None = None
        for item in readers.read_cases(source, format=source_format):
            if isinstance(item, CaseError):
                raise item
            if found is not None:
                raise Failure(f"error: {name}: holds more than one case; check them with cprules batch")
            found = item
        if found is None:
            raise Failure(f"error: {name}: holds no case")
        return found
    except CaseError as exc:
        raise Failure(*_case_error_lines(exc, name)) from None


def _read_native_case(source: str, source_format: str | None) -> Case:
    if source != "-":
        if source_format == "json" and Path(source).suffix.lower() != ".json":
            return parse_case(_read_bytes(source))
        return load_case(source)
    raw = sys.stdin.buffer.read(MAX_CASE_BYTES + 1)
    if len(raw) > MAX_CASE_BYTES:
        raise SourceError(f"case over the {MAX_CASE_BYTES // 2**20} MiB limit", file="<stdin>")
    if source_format == "json" or (source_format is None and raw.lstrip()[:1] in (b"{", b"[")):
        return parse_case(raw)
    from cprules.yamlsafe import load_yaml_data

    data = load_yaml_data(raw, file="<stdin>")
    if not isinstance(data, dict):
        raise SourceError("a case is a mapping (case_id:, child:, events: ...)", file="<stdin>")
    return parse_case(data)


def _read_bytes(source: str) -> bytes:
    try:
        with open(source, "rb") as stream:
            raw = stream.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read the case file ({exc.strerror})", file=source) from None
    if len(raw) > MAX_CASE_BYTES:
        raise SourceError(f"case file over the {MAX_CASE_BYTES // 2**20} MiB limit", file=source)
    return raw


def _evaluate(case: Case, pack: Pack, as_of: date) -> Report:
    from cprules.engine import evaluate

    return evaluate(case, pack, as_of=as_of)


def _has_breach(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.BREACH and f.status in _BREACH_STATUSES for f in findings)


def _breach_count(report: Report) -> int:
    return sum(1 for f in report.findings if f.severity is Severity.BREACH and f.status in _BREACH_STATUSES)


# ---------------------------------------------------------------------------------------------
# Output helpers


def _console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or error): colour and width only on a terminal."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    width = None if terminal or os.environ.get("COLUMNS") else 120
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def _csv_cell(value: Any) -> str | int:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _finding_row(report: Report, finding: Finding) -> list[str | int]:
    values: dict[str, Any] = finding.to_dict()
    values.update(
        case_id=report.case_id,
        pack_id=report.pack_id,
        pack_version=report.pack_version,
        as_of=report.as_of.isoformat(),
        evidence_events=";".join(finding.evidence_events),
    )
    return [_csv_cell(values[column]) for column in FINDING_COLUMNS]


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def _lateness(finding: Finding) -> str:
    wd, cd = finding.working_days_late, finding.calendar_days_late
    if finding.status is Status.LATE and wd is not None:
        return f"{wd} WD" + (f" ({cd} d)" if cd is not None else "")
    if finding.status is Status.OVERDUE and wd is not None:
        return f"{wd} WD so far"
    return ""


# ---------------------------------------------------------------------------------------------
# check


@cli.command()
@click.argument("case_source", metavar="CASE")
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=_PACK_HELP)
@click.option("--as-of", "as_of", type=DATE, help=_AS_OF_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people, json (the report) for programs, csv (a row per finding) for spreadsheets.",
)
@click.option("--from", "source_format", metavar="FORMAT", help=_FROM_HELP)
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

    Exit 0 when no finding of severity breach is late, overdue or violated; 1 when one is;
    2 for bad input.

    \b
    Example:
      cprules check examples/stoke-late-core-group.yaml --pack stoke --as-of 2024-06-01
    """
    source_format = _check_format(source_format)
    if case_source == "-" and pack_name == "-":
        raise click.UsageError("the case and the pack cannot both come from standard input")
    pack = _load_pack(pack_name)
    case = _read_one_case(case_source, source_format)
    report = _evaluate(case, pack, _as_of(as_of, pack))
    if output_format == "json":
        click.echo(report.to_json(indent=2))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(_finding_row(report, finding) for finding in report.findings)
    else:
        _print_report(report, pack, show_all=show_all)
    return EXIT_BREACH if _has_breach(report.findings) else EXIT_OK


def _print_report(report: Report, pack: Pack, *, show_all: bool) -> None:
    from rich import box
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = _console()
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
            Text(finding.status.value.replace("_", " "), style=_STATUS_STYLE[finding.status]),
            # the severity matters where something is wrong: a late warning is not a breach
            finding.severity.value
            if finding.status in _BREACH_STATUSES and finding.severity is not Severity.BREACH
            else "",
            finding.key,
            finding.due.isoformat() if finding.due else "",
            finding.occurred_on.isoformat() if finding.occurred_on else "",
            _lateness(finding),
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
        console.print(
            Text(f"{_plural(more, 'more finding')} not applicable (--all shows them).", style="dim")
        )
    explained = [
        f for f in report.findings if show_all or f.status not in (Status.MET, Status.NOT_APPLICABLE)
    ]
    for finding in explained:
        console.print()
        head = Text(finding.key, style="bold")
        head.append(f"  {finding.status.value.replace('_', ' ')}", style=_STATUS_STYLE[finding.status])
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
    breaches = [f for f in report.findings if f.severity is Severity.BREACH and f.status in _BREACH_STATUSES]
    parts = [
        f"{counts[status]} {status.value.replace('_', ' ')}"
        for status in (
            Status.LATE,
            Status.OVERDUE,
            Status.VIOLATED,
            Status.DUE,
            Status.MET,
            Status.UNDETERMINED,
            Status.NOT_APPLICABLE,
        )
        if counts[status]
    ]
    head = (
        f"{_plural(len(breaches), 'breach', 'breaches')} of procedure"
        if breaches
        else "No breach of procedure"
    )
    upcoming = report.upcoming
    nxt = f"; next due {upcoming[0].due} ({upcoming[0].rule_id})" if upcoming and upcoming[0].due else ""
    return f"{head} ({', '.join(parts) or 'no findings'}){nxt}."


# ---------------------------------------------------------------------------------------------
# batch


@cli.command()
@click.argument("input_source", metavar="INPUT")
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=_PACK_HELP)
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write: FILE.jsonl (a line per case) or FILE.csv (a row per finding); - is stdout.",
)
@click.option("--as-of", "as_of", type=DATE, help=_AS_OF_HELP)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core).",
)
@click.option("--from", "source_format", metavar="FORMAT", help=_FROM_HELP + " Standard input: jsonl.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv"]),
    help="Output format. Default: csv when FILE ends .csv, else jsonl.",
)
@click.option("--summary", "department", is_flag=True, help="Add the Department's figures for the year.")
@click.option(
    "--year",
    type=click.IntRange(1991, 2100),
    help="With --summary: the reporting year to 31 March of YEAR. Default: the year of --as-of.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def batch(
    input_source: str,
    pack_name: str,
    out: str,
    as_of: date | None,
    jobs: int,
    source_format: str | None,
    output_format: str | None,
    department: bool,
    year: int | None,
    quiet: bool,
) -> int:
    """Check a caseload (JSON Lines, CSV, census XML, SSD folder) against a pack.

    - reads JSON Lines from standard input (--from names another format).

    Writes one JSON line per input case, in input order (the report, or
    {"case_id": ..., "error": {"kind", "path", "rule_id", "message"}} for a case that could not
    be read or evaluated), or with --out FILE.csv a row per finding plus a row per error. A
    per-rule compliance summary goes to standard error at the end.

    Exit 0 or 1 as check, over the cases that could be read; 2 only when INPUT as a whole
    cannot be read.
    """
    from cprules.engine import cpu_count, evaluate_many, evaluate_texts
    from cprules.summary import ComplianceSummary

    source_format = _check_format(source_format)
    if year is not None and not department:
        raise click.UsageError("--year goes with --summary")
    if input_source == "-" and pack_name == "-":
        raise click.UsageError("the cases and the pack cannot both come from standard input")
    if out != "-" and input_source != "-" and Path(out).resolve() == Path(input_source).resolve():
        raise click.UsageError("--out is the input file; write the results somewhere else")
    pack = _load_pack(pack_name)
    as_of = _as_of(as_of, pack)
    figures = _department_figures(pack, year if year is not None else as_of.year) if department else None
    items, size, consumed = _batch_source(input_source, source_format, parse=figures is not None)
    csv_out = output_format == "csv" or (output_format is None and out.lower().endswith(".csv"))

    summary = ComplianceSummary((rule.id, rule.title, rule.severity) for rule in pack.rules)
    feed = _CaseFeed(items, on_case=figures.add if figures is not None else None)
    workers = jobs or cpu_count()
    # JSON Lines out: the workers write each report's JSON and send back text and a tally, so the
    # parent only moves text; CSV out needs the findings themselves
    engine: Iterator[Report | ReportText | CaseError | EvaluationError] = (
        evaluate_many(feed.cases(), pack, as_of=as_of, jobs=workers)
        if csv_out
        else evaluate_texts(feed.cases(), pack, as_of=as_of, jobs=workers)
    )
    results = _in_order(feed, engine)
    started = time.perf_counter()
    with _output(out) as stream, _progress(size, enabled=not quiet) as advance:
        write = _csv_writer(stream) if csv_out else _jsonl_writer(stream)
        for result in results:
            write(result)
            summary.add(result)
            if summary.cases % 256 == 0:
                advance(summary.cases, consumed())
        advance(summary.cases, consumed())
    elapsed = time.perf_counter() - started
    if not quiet:
        _print_summary(summary, pack, as_of, elapsed, out)
        if figures is not None:
            _print_department(figures)
    return EXIT_BREACH if summary.cases_with_breach else EXIT_OK


def _department_figures(pack: Pack, year: int) -> Any:
    try:
        dfe = import_module("cprules.dfe")
    except ModuleNotFoundError as exc:
        if exc.name != "cprules.dfe":
            raise
        raise Failure(
            "error: --summary needs cprules.dfe, which this version of cprules does not have"
        ) from None
    return dfe.DepartmentFigures(year, pack.calendar)


BatchItem = Case | CaseError | bytes


def _batch_source(
    source: str, source_format: str | None, *, parse: bool
) -> tuple[Iterator[BatchItem], int | None, Callable[[], int]]:
    """The input as a stream of cases, errors, or JSON lines; its size in bytes when known; and a
    function giving the bytes read so far (for the progress bar)."""
    suffix = Path(source).suffix.lower()
    jsonl = source_format == "jsonl" or (
        source_format is None and (source == "-" or suffix in (".jsonl", ".ndjson", ".jsonlines"))
    )
    if jsonl:
        if source == "-":
            stream: IO[bytes] = sys.stdin.buffer
            size = None
        else:
            stream = open(source, "rb")  # noqa: SIM115 - closed by the generator
            size = os.fstat(stream.fileno()).st_size
        counter = [0]

        def lines() -> Iterator[BatchItem]:
            with stream:
                for line in stream:
                    counter[0] += len(line)
                    if line.strip():
                        yield _parsed(line) if parse else line

        return lines(), size, lambda: counter[0]
    readers = _readers()
    if readers is None:
        raise Failure(
            f"error: {_display(source)}: reading {source_format or suffix or 'this input'} needs "
            "cprules.readers, which this version of cprules does not have; give JSON Lines (.jsonl)"
        )
    items: Iterator[BatchItem] = iter(readers.read_cases(source, format=source_format))
    # a reader raises SourceError for an input that cannot be read at all: find out before writing
    first = next(items, None)
    head: list[BatchItem] = [first] if first is not None else []

    def chained() -> Iterator[BatchItem]:
        yield from head
        yield from items

    return chained(), None, lambda: 0


def _parsed(line: bytes) -> Case | CaseError:
    try:
        return parse_case(line)
    except CaseError as exc:
        return exc


class _CaseFeed:
    """Splits the input: cases (or their text) go to the engine, read errors wait beside them so
    that the output keeps input order."""

    def __init__(self, items: Iterator[BatchItem], on_case: Callable[[Case], object] | None) -> None:
        self._items = items
        self._on_case = on_case
        #: in input order, what was sent: None for a case given to the engine, or the read error
        self.order: deque[CaseError | None] = deque()

    def cases(self) -> Iterator[Case | bytes]:
        for item in self._items:
            if isinstance(item, CaseError):
                self.order.append(item)
                continue
            if self._on_case is not None and isinstance(item, Case):
                self._on_case(item)
            self.order.append(None)
            yield item


def _in_order(
    feed: _CaseFeed, results: Iterator[Report | ReportText | CaseError | EvaluationError]
) -> Iterator[Report | ReportText | CaseError | EvaluationError]:
    """The engine's results with the read errors put back in their places."""
    order = feed.order
    for result in results:
        # the engine has read the case this result is for, so its marker is in ``order``
        while order[0] is not None:
            yield order.popleft()  # type: ignore[misc]
        order.popleft()
        yield result
    # read errors after the last case: the engine has read the input to its end by now
    while order:
        leftover = order.popleft()
        if leftover is not None:
            yield leftover


class _output:
    """Standard output, or a file opened for writing (UTF-8)."""

    def __init__(self, target: str) -> None:
        self._target = target
        self._stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self._target == "-":
            return sys.stdout
        self._stream = open(self._target, "w", encoding="utf-8", newline="")
        return self._stream

    def __exit__(self, *exc: object) -> None:
        if self._stream is not None:
            self._stream.close()


def _jsonl_writer(stream: TextIO) -> Callable[[Report | ReportText | CaseError | EvaluationError], None]:
    def write(result: Report | ReportText | CaseError | EvaluationError) -> None:
        if isinstance(result, ReportText):
            stream.write(result.json)
        elif isinstance(result, Report):
            stream.write(result.to_json())
        else:
            stream.write(json.dumps(_error_object(result), ensure_ascii=False))
        stream.write("\n")

    return write


def _error_object(error: CaseError | EvaluationError) -> dict[str, Any]:
    if isinstance(error, EvaluationError):
        detail = {"kind": "evaluation", "path": None, "rule_id": error.rule_id, "message": error.reason}
    else:
        detail = {"kind": "case", "path": error.path, "rule_id": None, "message": error.reason}
    return {"case_id": error.case_id, "error": detail}


def _csv_writer(stream: TextIO) -> Callable[[Report | ReportText | CaseError | EvaluationError], None]:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow((*FINDING_COLUMNS, *ERROR_COLUMNS))
    blank_errors = [""] * len(ERROR_COLUMNS)
    blank_findings = [""] * len(FINDING_COLUMNS)
    case_id_column = FINDING_COLUMNS.index("case_id")

    def write(result: Report | ReportText | CaseError | EvaluationError) -> None:
        if isinstance(result, ReportText):  # pragma: no cover - CSV out asks the engine for reports
            raise TypeError("a CSV row per finding needs the whole report")
        if isinstance(result, Report):
            writer.writerows([*_finding_row(result, finding), *blank_errors] for finding in result.findings)
            return
        detail = _error_object(result)["error"]
        row: list[str | int] = list(blank_findings)
        row[case_id_column] = _csv_cell(result.case_id)
        writer.writerow(
            [
                *row,
                detail["kind"],
                _csv_cell(detail["path"]),
                _csv_cell(detail["rule_id"]),
                _csv_cell(detail["message"]),
            ]
        )

    return write


class _progress:
    """A rich progress bar on standard error when it is a terminal; nothing otherwise."""

    def __init__(self, total_bytes: int | None, *, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._total = total_bytes
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        if not self._enabled:
            return lambda cases, read: None
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        columns: list[Any] = [TextColumn("{task.description}")]
        if self._total:
            columns += [BarColumn(), TaskProgressColumn()]
        self._bar = Progress(*columns, TimeElapsedColumn(), console=_console(stderr=True), transient=True)
        self._bar.__enter__()
        self._task = self._bar.add_task("0 cases", total=self._total or None)

        def advance(cases: int, read: int) -> None:
            self._bar.update(self._task, description=f"{cases:,} cases", completed=read)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _print_summary(summary: Any, pack: Pack, as_of: date, elapsed: float, out: str) -> None:
    from rich import box
    from rich.table import Table

    console = _console(stderr=True)
    rate = f" ({summary.cases / elapsed:,.0f} cases/s)" if elapsed > 0 and summary.cases else ""
    problems = []
    if summary.case_errors:
        problems.append(f"{_plural(summary.case_errors, 'case')} could not be read")
    if summary.evaluation_errors:
        problems.append(f"{_plural(summary.evaluation_errors, 'case')} failed a rule")
    console.print(
        f"{_plural(summary.cases, 'case')} under {pack.id} {pack.version} as at {as_of} in "
        f"{elapsed:.1f} s{rate}: {summary.reports:,} evaluated"
        + (f", {', '.join(problems)}" if problems else "")
        + f"; {_plural(summary.cases_with_breach, 'case')} with a breach of procedure."
        + ("" if out == "-" else f" Results in {out}.")
    )
    from cprules.summary import STATUS_ORDER

    # met, late and overdue always (they make "on time"); the other statuses when a rule had one
    statuses = [
        status
        for status in STATUS_ORDER
        if status in (Status.MET, Status.LATE, Status.OVERDUE) or any(t.counts[status] for t in summary.rules)
    ]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("rule", no_wrap=True)
    for status in statuses:
        header = {"not_applicable": "n/a", "undetermined": "undet."}.get(status.value, status.value)
        style = "" if status is Status.MET else _STATUS_STYLE[status]
        table.add_column(header, justify="right", style=style, no_wrap=True, min_width=len(header))
    for header in ("on time", "median", "worst"):
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for tally in summary.rules:
        on_time = tally.percent_on_time
        median = tally.median_working_days_late
        worst = tally.worst_working_days_late
        table.add_row(
            tally.rule_id,
            *(f"{tally.counts[status]:,}" for status in statuses),
            "—" if on_time is None else f"{on_time:.1f}%",
            "—" if median is None else str(median),
            "—" if worst is None else str(worst),
        )
    console.print(table)
    console.print(
        "on time = met / (met + late + overdue); median and worst: working days late, "
        "over the late and overdue findings."
    )


def _print_department(figures: Any) -> None:
    console = _console(stderr=True)
    console.print()
    for line in figures.lines():
        console.print(str(line))


# ---------------------------------------------------------------------------------------------
# compare


@cli.command()
@click.argument("case_source", metavar="CASE")
@click.option("--packs", "pack_names", required=True, metavar="A,B,C", help="Packs, comma-separated.")
@click.option("--as-of", "as_of", type=DATE, help=_AS_OF_HELP)
@click.option("--from", "source_format", metavar="FORMAT", help=_FROM_HELP)
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
    source_format = _check_format(source_format)
    names = [name.strip() for name in pack_names.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("name at least one pack", param_hint="--packs")
    if len(set(names)) != len(names):
        raise click.BadParameter("a pack is named twice", param_hint="--packs")
    if "-" in names:
        raise click.BadParameter("packs are ids or paths here, not -", param_hint="--packs")
    packs = [load_pack(name) for name in names]
    case = _read_one_case(case_source, source_format)
    day = as_of if as_of is not None else today_in_london()
    reports: list[Report | EvaluationError] = []
    for pack in packs:
        _as_of(day, pack)
        try:
            reports.append(_evaluate(case, pack, day))
        except EvaluationError as exc:
            _error_line(f"error: pack {pack.id}: {exc}")
            reports.append(exc)
    rows = _compare_rows(packs, reports)
    if output_format == "json":
        click.echo(json.dumps(_compare_json(case, day, packs, reports, rows), indent=2, ensure_ascii=False))
    else:
        _print_compare(case, day, packs, reports, rows)
    if any(isinstance(r, EvaluationError) for r in reports):
        return EXIT_BAD_INPUT
    return EXIT_BREACH if any(_has_breach(r.findings) for r in reports if isinstance(r, Report)) else EXIT_OK


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
        late = _lateness(finding)
        if late:
            text += f" {late}"
        elif finding.status is Status.DUE and finding.due:
            text += f" {finding.due}"
        return text, _STATUS_STYLE[finding.status]
    counts: dict[Status, int] = {}
    for finding in cell:
        counts[finding.status] = counts.get(finding.status, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: _STATUS_RANK[item[0]])
    short = {Status.NOT_APPLICABLE: "n/a", Status.UNDETERMINED: "undet."}
    text = ", ".join(f"{n} {short.get(s, s.value)}" for s, n in ordered)
    return text, _STATUS_STYLE[worst.status]


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

    console = _console()
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
            count = _breach_count(report)
            footer.append(Text(_plural(count, "breach", "breaches"), style="red" if count else "green"))
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
            entry["breaches"] = _breach_count(report)
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


# ---------------------------------------------------------------------------------------------
# packs, pack validate / test / show


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def packs(output_format: str) -> int:
    """List the bundled packs: id, version, rules, what each extends, title."""
    entries: list[dict[str, Any]] = []
    code = EXIT_OK
    for pack_id in bundled_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackError as exc:
            _error_line(_located(str(exc)))
            entries.append({"id": pack_id, "error": exc.reason})
            code = EXIT_BREACH
            continue
        entries.append(
            {
                "id": pack.id,
                "version": pack.version,
                "rules": len(pack.rules),
                "extends": pack.extends,
                "title": pack.title,
                "effective_from": pack.effective_from.isoformat() if pack.effective_from else None,
                "calendar": pack.calendar.name,
            }
        )
    if output_format == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return code
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, justify in (
        ("id", "left"),
        ("version", "left"),
        ("rules", "right"),
        ("extends", "left"),
        ("title", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in entries:
        if "error" in entry:
            table.add_row(entry["id"], "", "", "", f"[red]does not load: {entry['error']}[/red]")
        else:
            table.add_row(
                entry["id"], entry["version"], str(entry["rules"]), entry["extends"] or "—", entry["title"]
            )
    _console().print(table)
    return code


@cli.group("pack")
def pack_group() -> None:
    """Tools for people who write packs: validate, test, show."""


@pack_group.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def pack_validate(paths: tuple[str, ...]) -> int:
    """Check packs (a folder, a pack.yaml, a bundled id, or - ) and their scenario test files.

    Every mistake is one line, FILE:LINE:COLUMN: rule ID: what is wrong and what to write.
    Exit 1 when there is one.
    """
    code = EXIT_OK
    for target in paths:
        problems, pack = _pack_problems(target)
        for problem in problems:
            _error_line(_located(problem))
        if problems:
            code = EXIT_BREACH
            click.echo(f"{_display(target)}: {_plural(len(problems), 'error')}")
        elif pack is not None:
            inherited = len(pack.chain) > 1
            click.echo(
                f"{_display(target)}: ok — pack {pack.id} {pack.version}, {_plural(len(pack.rules), 'rule')}"
                + (f" (extends {' -> '.join(pack.chain[1:])})" if inherited else "")
                + (f", {len(pack.disabled)} disabled" if pack.disabled else "")
            )
    return code


def _pack_problems(target: str) -> tuple[list[str], Pack | None]:
    """Every problem found in a pack and its scenario files, ordered by file and position."""
    from cprules.scenarios import load_scenarios

    pack: Pack | None = None
    problems: list[str] = []
    try:
        pack = _load_pack(target)
    except Failure as failure:
        problems.extend(failure.lines)
    except PackError as exc:
        problems.append(str(exc))
        if target != "-":
            problems.extend(str(e) for e in validate_pack(target) if str(e) not in problems)
    folder = _pack_folder(target, pack)
    if folder is not None:
        for path in sorted((folder / "tests").glob("*.yaml")):
            try:
                load_scenarios(path)
            except PackError as exc:
                problems.append(str(exc))
    return sorted(problems, key=_position_key), pack


def _pack_folder(target: str, pack: Pack | None) -> Path | None:
    if pack is not None:
        return pack.path.parent
    if target == "-":
        return None
    path = Path(target)
    if path.is_dir():
        return path
    if path.is_file():
        return path.parent
    bundled = policies_dir() / target
    return bundled if bundled.is_dir() else None


def _position_key(problem: str) -> tuple[str, int, int]:
    match = re.match(r"^(.+?):(\d+):(\d+): ", problem)
    if match is None:
        return ("", 0, 0)
    return (match.group(1), int(match.group(2)), int(match.group(3)))


@pack_group.command("test")
@click.argument("target", metavar="ID|PATH")
@click.option("-k", "keyword", metavar="TEXT", help="Run only scenarios whose name contains TEXT.")
@click.option("--verbose", "-v", is_flag=True, help="Name every scenario as it runs.")
def pack_test(target: str, keyword: str | None, verbose: bool) -> int:
    """Run a pack's YAML scenario tests (its tests/*.yaml), with a pytest-like summary.

    Exit 1 when a scenario fails or a test file cannot be read.
    """
    from cprules.scenarios import load_scenarios, run_scenario, scenario_files

    started = time.perf_counter()
    pack = _load_pack(target)
    files = scenario_files(pack) if target != "-" else []
    passed = failed = errors = 0
    failures: list[tuple[str, str, tuple[str, ...]]] = []
    click.echo(
        f"pack {pack.id} {pack.version}: {_plural(len(files), 'scenario file')} in "
        f"{_short_path(pack.path.parent / 'tests')}"
    )
    for path in files:
        shown = _short_path(path)
        try:
            scenarios = load_scenarios(path)
        except PackError as exc:
            errors += 1
            click.echo(f"{shown} E")
            failures.append((shown, "could not be read", (str(exc),)))
            continue
        marks = []
        for scenario, line in scenarios:
            if keyword and keyword.lower() not in scenario.name.lower():
                continue
            problems = run_scenario(pack, scenario)
            if problems:
                failed += 1
                failures.append((f"{shown}:{line}", scenario.name, problems))
            else:
                passed += 1
            if verbose:
                click.echo(f"{shown}:{line} {scenario.name} {'FAILED' if problems else 'PASSED'}")
            marks.append("F" if problems else ".")
        if not verbose and marks:
            click.echo(f"{shown} {''.join(marks)}")
    for where, name, problems in failures:
        click.echo("")
        click.echo(f"FAILED {where}: {name}")
        for problem in problems:
            click.echo(f"    {problem}")
    parts = [f"{passed} passed"]
    if failed:
        parts.append(f"{failed} failed")
    if errors:
        parts.append(_plural(errors, "error"))
    if not (passed or failed or errors):
        parts = ["no scenarios ran" + (f" matching -k {keyword}" if keyword else "")]
    click.echo(f"{', '.join(parts)} in {time.perf_counter() - started:.2f}s")
    return EXIT_BREACH if failed or errors else EXIT_OK


def _short_path(path: Path) -> str:
    """A path relative to the working directory when it is under it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@pack_group.command("show")
@click.argument("target", metavar="ID|PATH")
@click.option("--resolved", is_flag=True, help="The effective pack: extends, include and overrides applied.")
def pack_show(target: str, resolved: bool) -> int:
    """Print a pack as YAML: its pack.yaml as written, or with --resolved the effective rules."""
    pack = _load_pack(target)
    if not resolved:
        text = pack.path.read_text(encoding="utf-8") if target != "-" else ""
        click.echo(text, nl=not text.endswith("\n"))
        return EXIT_OK
    import yaml

    chain = " -> ".join(pack.chain)
    header = (
        f"# pack {pack.id} {pack.version}, resolved ({chain}); {_plural(len(pack.rules), 'rule')}\n"
        f"# digest {pack.digest}\n"
    )
    body = yaml.safe_dump(pack.resolved(), sort_keys=False, allow_unicode=True, width=100)
    click.echo(header + body, nl=False)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# schema


@cli.command()
@click.argument("name", type=click.Choice(["case", "pack", "finding", "report"]))
def schema(name: str) -> int:
    """Print the JSON Schema of a case, a pack, a finding or a report."""
    from cprules.schemas import render

    click.echo(render(name), nl=False)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# calendar


@cli.group("calendar")
def calendar_group() -> None:
    """Working-day arithmetic in a pack's calendar (weekends, public holidays, closures)."""


@calendar_group.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("count", metavar="N", type=int)
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=_PACK_HELP)
def calendar_add(day: date, count: int, pack_name: str) -> int:
    """The date N working days after DATE (before it when N is negative).

    Day 1 is the first working day after DATE, whatever DATE is.

    \b
    Example:
      cprules calendar add 2024-03-19 10 --pack england
    """
    calendar = _load_pack(pack_name).calendar
    result = calendar.add_working_days(day, count)
    click.echo(f"{result.isoformat()} ({result:%A})")
    # the days counted are those after DATE up to the result, or from the result up to DATE's eve
    if count >= 0:
        skipped = calendar.describe_skipped(day, result)
    else:
        skipped = calendar.describe_skipped(result, _day_before(day))
    direction = "after" if count >= 0 else "before"
    click.echo(
        f"{_plural(abs(count), 'working day')} {direction} {day:%a} {day.isoformat()} "
        f"in the {calendar.name} calendar" + (f", {skipped}" if skipped else ", no holidays skipped")
    )
    return EXIT_OK


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


@calendar_group.command("between")
@click.argument("start", metavar="A", type=DATE)
@click.argument("end", metavar="B", type=DATE)
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=_PACK_HELP)
def calendar_between(start: date, end: date, pack_name: str) -> int:
    """The number of working days after A up to and including B (negative when B is before A).

    \b
    Example:
      cprules calendar between 2024-04-04 2024-04-05 --pack england    # 1: a day late
    """
    calendar = _load_pack(pack_name).calendar
    count = calendar.working_days_between(start, end)
    click.echo(str(count))
    low, high = (start, end) if start <= end else (end, start)
    skipped = calendar.describe_skipped(low, high)
    click.echo(
        f"working days after {low:%a} {low.isoformat()} up to {high:%a} {high.isoformat()} "
        f"in the {calendar.name} calendar" + (f", {skipped}" if skipped else ", no holidays skipped")
    )
    return EXIT_OK


if __name__ == "__main__":
    main()
