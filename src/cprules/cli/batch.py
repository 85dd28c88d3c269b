"""``cprules batch INPUT --pack ID``: a caseload against a pack, a result per case in input order,
and a per-rule compliance summary (with ``--summary``, the Department's figures too); with
``--summary-json FILE`` the summary as data for a BI tool, with ``--html FILE`` the caseload page.

The text summary fits the terminal (``COLUMNS``, else the terminal's width, else 120): numbers
are never cut and rule ids never broken; columns go in a stated order when there is no room
(:data:`cprules.summary.DROP_ORDER`).

A CSV written to a file starts with a UTF-8 byte order mark, so that Excel (which otherwise reads
a CSV in the machine's legacy code page and shows ``Â§`` for ``§``) opens it right; every CSV
reader a program uses skips the mark (Python's ``utf-8-sig``, pandas, R, LibreOffice, Power BI).
``--no-bom`` leaves it out; standard output never has one (it goes to programs)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
import textwrap
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

import click

from cprules.case import Case, parse_case
from cprules.cli.common import (
    AS_OF_HELP,
    DATE,
    EXIT_BREACH,
    EXIT_OK,
    FROM_HELP,
    PACK_HELP,
    Failure,
    check_format,
    display_name,
    load_pack_arg,
    readers_module,
    resolve_as_of,
)
from cprules.cli.render import (
    ERROR_COLUMNS,
    FINDING_COLUMNS,
    csv_cell,
    finding_row,
    plural,
    rich_console,
)
from cprules.engine import ReportText
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Report
from cprules.pack.loader import Pack

if TYPE_CHECKING:
    from cprules.summary import ComplianceSummary

__all__ = ["batch", "summary_width"]


@click.command()
@click.argument("input_source", metavar="INPUT")
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=PACK_HELP)
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write: FILE.jsonl (a line per case) or FILE.csv (a row per finding); - is stdout.",
)
@click.option("--as-of", "as_of", type=DATE, help=AS_OF_HELP)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core).",
)
@click.option("--from", "source_format", metavar="FORMAT", help=FROM_HELP + " Standard input: jsonl.")
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
    help="With --summary, --summary-json or --html: the reporting year to 31 March of YEAR. "
    "Default: the year of --as-of.",
)
@click.option(
    "--summary-json",
    "summary_json",
    metavar="FILE",
    help="Also write the summary as JSON (versioned; cprules.summary.summary_json_schema) for a BI "
    "tool: per-rule counts and percentages worst first, the Department's figures, the overdue list.",
)
@click.option(
    "--html",
    "html_out",
    metavar="FILE",
    help="Also write the caseload page: compliance per rule, lateness, the Department's figures and "
    "what is overdue now (self-contained HTML: no script, works offline).",
)
@click.option(
    "--no-bom",
    "no_bom",
    is_flag=True,
    help="A CSV file without the UTF-8 byte order mark Excel needs to show § and accents right.",
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
    summary_json: str | None,
    html_out: str | None,
    no_bom: bool,
    quiet: bool,
) -> int:
    """Check a caseload (JSON Lines, CSV, census XML, SSD folder, CSC API payloads) against a pack.

    - reads JSON Lines from standard input (--from names another format).

    Writes one JSON line per input case, in input order (the report, or
    {"case_id": ..., "error": {"kind", "path", "rule_id", "message"}} for a case that could not
    be read or evaluated), or with --out FILE.csv a row per finding plus a row per error. A
    per-rule compliance summary, worst first, goes to standard error at the end.

    \b
    Example:
      cprules batch caseload.jsonl --pack stoke --out results.csv --as-of 2024-06-01 \\
        --summary --html caseload.html --summary-json summary.json

    Exit 0 or 1 as check, over the cases that could be read; 2 only when INPUT as a whole
    cannot be read.
    """
    from cprules.engine import cpu_count, evaluate_many, evaluate_texts
    from cprules.summary import ComplianceSummary

    source_format = check_format(source_format)
    # the Department's figures: on the text summary with --summary; always in the data and the page
    with_figures = department or summary_json is not None or html_out is not None
    if year is not None and not with_figures:
        raise click.UsageError("--year goes with --summary, --summary-json or --html")
    if input_source == "-" and pack_name == "-":
        raise click.UsageError("the cases and the pack cannot both come from standard input")
    _check_targets(input_source, out, summary_json, html_out)
    pack = load_pack_arg(pack_name)
    as_of = resolve_as_of(as_of, pack)
    if with_figures:
        _department_figures_available()
    purged = _purged_records()
    items, size, consumed = _batch_source(input_source, source_format, parse=with_figures, purged=purged)
    csv_out = output_format == "csv" or (output_format is None and out.lower().endswith(".csv"))

    summary = ComplianceSummary.for_pack(
        pack,
        as_of=as_of,
        department_year=(year if year is not None else as_of.year) if with_figures else None,
    )
    feed = _CaseFeed(items, on_case=summary.add_case if with_figures else None)
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
    with _output(out, bom=csv_out and not no_bom) as stream, _progress(size, enabled=not quiet) as advance:
        write = _csv_writer(stream) if csv_out else _jsonl_writer(stream)
        for result in results:
            write(result)
            summary.add(result)
            if summary.cases % 256 == 0:
                advance(summary.cases, consumed())
        advance(summary.cases, consumed())
    elapsed = time.perf_counter() - started
    if summary_json is not None:
        _write_text(summary_json, json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n")
    if html_out is not None:
        from cprules.pages import render_caseload

        _write_text(html_out, render_caseload(summary))
    if not quiet:
        _print_summary(summary, pack, as_of, elapsed, out)
        if purged is not None and purged.total:
            rich_console(stderr=True).print(f"{purged.describe()}.")
        if department:
            _print_department(summary)
    return EXIT_BREACH if summary.cases_with_breach else EXIT_OK


def _department_figures_available() -> None:
    try:
        import_module("cprules.dfe")
    except ModuleNotFoundError as exc:
        if exc.name != "cprules.dfe":
            raise
        raise Failure(
            "error: the Department's figures need cprules.dfe, which this version of cprules does not have"
        ) from None


def _check_targets(input_source: str, out: str, summary_json: str | None, html_out: str | None) -> None:
    """Every file written is a different file, and none is the input."""
    named = [("--out", out), ("--summary-json", summary_json), ("--html", html_out)]
    seen: dict[Path, str] = {}
    if input_source != "-":
        seen[Path(input_source).resolve()] = "the input file"
    to_stdout = [option for option, target in named if target == "-"]
    if len(to_stdout) > 1:
        raise click.UsageError(f"{' and '.join(to_stdout)} cannot both write to standard output")
    for option, target in named:
        if target is None or target == "-":
            continue
        path = Path(target).resolve()
        if path in seen:
            if seen[path] == "the input file" and option == "--out":
                raise click.UsageError("--out is the input file; write the results somewhere else")
            raise click.UsageError(f"{option} is {seen[path]}; write it somewhere else")
        seen[path] = option


def _write_text(target: str, text: str) -> None:
    """Write a whole file (UTF-8) so that it is never seen half-written: a temporary file beside
    it, then renamed over it. ``-`` is standard output."""
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


BatchItem = Case | CaseError | bytes


def _purged_records() -> Any:
    """A counter of the records a CSC API input withdrew (``purge: true``), when the readers have one."""
    readers = readers_module()
    counter = getattr(readers, "PurgedRecords", None) if readers is not None else None
    return counter() if counter is not None else None


def _holds_payloads(source: str) -> bool:
    """Whether a ``.jsonl`` file holds CSC API payloads rather than cases (its first record says)."""
    readers = readers_module()
    if source == "-" or readers is None or not hasattr(readers, "detect_format"):
        return False
    return bool(readers.detect_format(source) == "csc-api")


def _batch_source(
    source: str, source_format: str | None, *, parse: bool, purged: Any = None
) -> tuple[Iterator[BatchItem], int | None, Callable[[], int]]:
    """The input as a stream of cases, errors, or JSON lines; its size in bytes when known; and a
    function giving the bytes read so far (for the progress bar)."""
    suffix = Path(source).suffix.lower()
    jsonl = source_format == "jsonl" or (
        source_format is None
        and (source == "-" or suffix in (".jsonl", ".ndjson", ".jsonlines"))
        and not _holds_payloads(source)
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
    readers = readers_module()
    if readers is None:
        raise Failure(
            f"error: {display_name(source)}: reading {source_format or suffix or 'this input'} needs "
            "cprules.readers, which this version of cprules does not have; give JSON Lines (.jsonl)"
        )
    found = source_format or readers.detect_format(source)
    options = {"purged": purged} if found == "csc-api" and purged is not None else {}
    items: Iterator[BatchItem] = iter(readers.read_cases(source, format=found, **options))
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
    """Standard output, or a file opened for writing (UTF-8; with ``bom``, a byte order mark first
    when it is a file, for Excel)."""

    def __init__(self, target: str, *, bom: bool = False) -> None:
        self._target = target
        self._bom = bom
        self._stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self._target == "-":
            return sys.stdout
        self._stream = open(self._target, "w", encoding="utf-8-sig" if self._bom else "utf-8", newline="")
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
            writer.writerows([*finding_row(result, finding), *blank_errors] for finding in result.findings)
            return
        detail = _error_object(result)["error"]
        row: list[str | int] = list(blank_findings)
        row[case_id_column] = csv_cell(result.case_id)
        writer.writerow(
            [
                *row,
                detail["kind"],
                csv_cell(detail["path"]),
                csv_cell(detail["rule_id"]),
                csv_cell(detail["message"]),
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
        self._bar = Progress(*columns, TimeElapsedColumn(), console=rich_console(stderr=True), transient=True)
        self._bar.__enter__()
        self._task = self._bar.add_task("0 cases", total=self._total or None)

        def advance(cases: int, read: int) -> None:
            self._bar.update(self._task, description=f"{cases:,} cases", completed=read)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def summary_width() -> int:
    """The width the text summary is laid out to: ``COLUMNS`` when set, else the terminal's
    width when standard error is one, else 120."""
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stderr.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 120


def _print_summary(summary: ComplianceSummary, pack: Pack, as_of: date, elapsed: float, out: str) -> None:
    rate = f" ({summary.cases / elapsed:,.0f} cases/s)" if elapsed > 0 and summary.cases else ""
    problems = []
    if summary.case_errors:
        problems.append(f"{plural(summary.case_errors, 'case')} could not be read")
    if summary.evaluation_errors:
        problems.append(f"{plural(summary.evaluation_errors, 'case')} failed a rule")
    head = (
        f"{plural(summary.cases, 'case')} under {_shown(pack.id)} {_shown(pack.version)} as at {as_of} in "
        f"{elapsed:.1f} s{rate}: {summary.reports:,} evaluated"
        + (f", {', '.join(problems)}" if problems else "")
        + f"; {plural(summary.cases_with_breach, 'case')} with a breach of procedure."
        + ("" if out == "-" else f" Results in {_shown(out)}.")
    )
    # laid out here, to the width, so that no number is cut and no rule id broken
    width = summary_width()
    for line in textwrap.wrap(
        head, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    ):
        click.echo(line.rstrip(), err=True)
    for line in summary.table_lines(width):
        click.echo(line, err=True)


def _shown(text: str) -> str:
    """Text from a pack or a command line, with anything a terminal would act on made visible."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _print_department(summary: ComplianceSummary) -> None:
    click.echo("", err=True)
    for line in summary.department_lines(summary_width()):
        click.echo(line, err=True)
