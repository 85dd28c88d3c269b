"""``cprules batch INPUT --pack ID``: a caseload against a pack, a result per case in input order,
and a per-rule compliance summary (with ``--summary``, the Department's figures too)."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import IO, Any, TextIO

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
    STATUS_STYLE,
    csv_cell,
    finding_row,
    plural,
    rich_console,
)
from cprules.engine import ReportText
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Report, Status
from cprules.pack.loader import Pack

__all__ = ["batch"]


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
    """Check a caseload (JSON Lines, CSV, census XML, SSD folder, CSC API payloads) against a pack.

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

    source_format = check_format(source_format)
    if year is not None and not department:
        raise click.UsageError("--year goes with --summary")
    if input_source == "-" and pack_name == "-":
        raise click.UsageError("the cases and the pack cannot both come from standard input")
    if out != "-" and input_source != "-" and Path(out).resolve() == Path(input_source).resolve():
        raise click.UsageError("--out is the input file; write the results somewhere else")
    pack = load_pack_arg(pack_name)
    as_of = resolve_as_of(as_of, pack)
    figures = _department_figures(pack, year if year is not None else as_of.year) if department else None
    purged = _purged_records()
    items, size, consumed = _batch_source(
        input_source, source_format, parse=figures is not None, purged=purged
    )
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
        if purged is not None and purged.total:
            rich_console(stderr=True).print(f"{purged.describe()}.")
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


def _print_summary(summary: Any, pack: Pack, as_of: date, elapsed: float, out: str) -> None:
    from rich import box
    from rich.table import Table

    console = rich_console(stderr=True)
    rate = f" ({summary.cases / elapsed:,.0f} cases/s)" if elapsed > 0 and summary.cases else ""
    problems = []
    if summary.case_errors:
        problems.append(f"{plural(summary.case_errors, 'case')} could not be read")
    if summary.evaluation_errors:
        problems.append(f"{plural(summary.evaluation_errors, 'case')} failed a rule")
    console.print(
        f"{plural(summary.cases, 'case')} under {pack.id} {pack.version} as at {as_of} in "
        f"{elapsed:.1f} s{rate}: {summary.reports:,} evaluated"
        + (f", {', '.join(problems)}" if problems else "")
        + f"; {plural(summary.cases_with_breach, 'case')} with a breach of procedure."
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
        style = "" if status is Status.MET else STATUS_STYLE[status]
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
    console = rich_console(stderr=True)
    console.print()
    for line in figures.lines():
        console.print(str(line))
