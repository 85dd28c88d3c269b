"""``cprules batch INPUT --pack ID``: a caseload against a pack, a result per case in input order,
and a per-rule compliance summary (with ``--summary``, the Department's figures too); with
``--summary-json FILE`` the summary as data for a BI tool, with ``--html FILE`` the caseload page.

The text summary fits the terminal (``COLUMNS``, else the terminal's width, else 120): numbers
are never cut and rule ids never broken; columns go in a stated order when there is no room
(:data:`cprules.summary.DROP_ORDER`).

A CSV written to a file starts with a UTF-8 byte order mark, so that Excel (which otherwise reads
a CSV in the machine's legacy code page and shows ``Â§`` for ``§``) opens it right; every CSV
reader a program uses skips the mark (Python's ``utf-8-sig``, pandas, R, LibreOffice, Power BI).
``--no-bom`` leaves it out; standard output never has one (it goes to programs).

A batch never loses data. ``--out FILE`` is written as ``FILE.partial`` and renamed to ``FILE``
only when the run has finished; an interrupted (Ctrl-C, ``SIGTERM``, ``SIGHUP``), killed or
failed run leaves the previous ``FILE`` untouched and ``FILE.partial`` holding whole cases
only, and says how many. An output that is an input by another name (a hard link, standard
input redirected from it, a file inside an SSD input folder, the pack) is refused before
anything is read. Exit codes beyond ``check``'s: 4 when the output cannot be written part-way
(a full disk), 5 when a worker process died (the out-of-memory killer), 130 when interrupted,
143 when terminated."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import date
from importlib import import_module
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import click

from cprules.case import MAX_CASE_BYTES, Case, parse_case
from cprules.cli.common import (
    AS_OF_HELP,
    DATE,
    EXIT_BAD_INPUT,
    EXIT_BREACH,
    EXIT_INTERRUPTED,
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
    finding_row,
    plural,
    rich_console,
)
from cprules.engine import ReportText, WorkerError
from cprules.errors import CaseError, CprulesError, EvaluationError
from cprules.findings import Report
from cprules.output import OutputError, OutputFile, StreamOutput, check_not_an_input, csv_row, printable
from cprules.pack.loader import Pack, policies_dir

if TYPE_CHECKING:
    from cprules.summary import ComplianceSummary

__all__ = [
    "EXIT_OUTPUT",
    "EXIT_TERMINATED",
    "EXIT_WORKER",
    "batch",
    "batch_source",
    "progress_bar",
    "summary_width",
]

#: the output could not be written part-way (a full disk, a quota): not bad input
EXIT_OUTPUT = 4
#: a worker process died (killed by the system, usually for memory)
EXIT_WORKER = 5
#: stopped by SIGTERM or SIGHUP (128 + 15, as a shell reports SIGTERM)
EXIT_TERMINATED = 143

Result = Report | ReportText | CaseError | EvaluationError


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
    _refuse_an_input_as_output(input_source, pack_name, out, summary_json, html_out)
    pack = load_pack_arg(pack_name)
    as_of = resolve_as_of(as_of, pack)
    if with_figures:
        _department_figures_available()
    purged = _purged_records()
    items, size, consumed = batch_source(input_source, source_format, parse=with_figures, purged=purged)
    csv_out = output_format == "csv" or (output_format is None and out.lower().endswith(".csv"))

    summary = ComplianceSummary.for_pack(
        pack,
        as_of=as_of,
        department_year=(year if year is not None else as_of.year) if with_figures else None,
    )
    cases = _fed(items, on_case=summary.add_case if with_figures else None)
    workers = jobs or cpu_count()
    # JSON Lines out: the workers write each report's JSON and send back text and a tally, so the
    # parent only moves text; CSV out needs the findings themselves. A reader's CaseError goes
    # through the engine unchanged, so every case keeps its place in input order.
    results: Iterator[Result] = (
        evaluate_many(cases, pack, as_of=as_of, jobs=workers)
        if csv_out
        else evaluate_texts(cases, pack, as_of=as_of, jobs=workers)
    )
    record = _csv_record if csv_out else _jsonl_record
    sink = _open_output(out)
    started = time.perf_counter()
    try:
        bar = progress_bar(size, enabled=not quiet)
        with _stop_signals_interrupt(), _closed_after(results), bar as advance:
            if csv_out:
                if out != "-" and not no_bom:
                    sink.write("\ufeff", cases=0)  # for Excel (see above)
                sink.write(csv_row((*FINDING_COLUMNS, *ERROR_COLUMNS)), cases=0)
            for result in results:
                sink.write(record(result))
                summary.add(result)
                if summary.cases % 256 == 0:
                    advance(summary.cases, consumed())
            advance(summary.cases, consumed())
            sink.commit()
    except BaseException as exc:
        if isinstance(exc, BrokenPipeError):  # the reader of standard output went away
            raise
        held = sink.abandon()
        raise _stopped(exc, sink, held, out) from None
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


def _refuse_an_input_as_output(
    input_source: str, pack_name: str, out: str, summary_json: str | None, html_out: str | None
) -> None:
    """A usage error when a file written (or standard output) would overwrite an input by any
    name: the cases, the pack's folder."""
    inputs: list[str | Path] = [input_source]
    pack_path = Path(pack_name)
    if pack_name != "-" and pack_path.exists():
        inputs.append(pack_path if pack_path.is_dir() else pack_path.parent)
    inputs = [i for i in inputs if str(i) == "-" or not Path(i).resolve().is_relative_to(policies_dir())]
    for option, target in (("--out", out), ("--summary-json", summary_json), ("--html", html_out)):
        if target is None:
            continue
        try:
            check_not_an_input(target, inputs)
        except OutputError as exc:
            raise click.UsageError(exc.reason if target == "-" else f"{option} {exc.reason}") from None


def _open_output(out: str) -> OutputFile | StreamOutput:
    """Where the results go; an output that cannot be created is a bad option (exit 2), before
    any case is read."""
    if out == "-":
        return StreamOutput(sys.stdout)
    try:
        return OutputFile(out)
    except OutputError as exc:
        raise Failure(f"error: --out {exc}", code=EXIT_BAD_INPUT) from None


@contextlib.contextmanager
def _closed_after(results: Iterator[Result]) -> Iterator[None]:
    """Close the engine's generator on the way out, whatever stops the run: its worker
    processes stop then and there, not when the generator is collected."""
    try:
        yield
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop as for Ctrl-C (the workers stop, the partial file is kept)."""

    def __init__(self, number: int) -> None:
        self.signal = signal.Signals(number)
        super().__init__(self.signal.name)


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While the batch runs, SIGTERM and SIGHUP stop it as Ctrl-C does (unwinding, so the worker
    processes are stopped and the partial output is kept and counted)."""

    def stop(number: int, _frame: FrameType | None) -> None:
        raise _Terminated(number)

    previous: dict[int, Any] = {}
    try:
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, stop)
    except ValueError:  # not the main thread: leave signals to whoever owns them
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stopped(exc: BaseException, sink: OutputFile | StreamOutput, held: int, out: str) -> BaseException:
    """What to say when the run stops part-way: what happened, and what the output holds."""
    where = "standard output" if sink.partial is None else str(sink.partial)
    kept = f"{plural(held, 'case')} written to {where}" + (
        "" if sink.partial is None else f"; {out} is as it was"
    )
    if isinstance(exc, _Terminated):
        return Failure(f"terminated ({exc.signal.name}); {kept}", code=EXIT_TERMINATED)
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        return Failure(f"interrupted; {kept}", code=EXIT_INTERRUPTED)
    if isinstance(exc, WorkerError):
        return Failure(
            f"error: a worker process died ({exc.how}); {kept}; the cases after them were not "
            "evaluated; rerun with --jobs 1, or with more memory",
            code=EXIT_WORKER,
        )
    if isinstance(exc, OutputError):
        return Failure(
            f"error: {exc}; {out} is as it was" if sink.partial else f"error: {exc}", code=EXIT_OUTPUT
        )
    if isinstance(exc, CprulesError):  # the input broke off part-way (SourceError)
        message = str(exc)
        return Failure(message if _has_position(message) else f"error: {message}", f"error: {kept}")
    if isinstance(exc, OSError):
        return Failure(f"error: {exc.strerror or type(exc).__name__}; {kept}", code=EXIT_OUTPUT)
    return exc


def _has_position(message: str) -> bool:
    head = message.split(": ", 1)[0]
    return ":" in head and head.rsplit(":", 1)[1].isdigit()


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


def batch_source(
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
            # each line read with a bound: a file that is one 3 GB line costs no more memory than
            # a case may take
            number = 0
            with stream:
                while line := stream.readline(MAX_CASE_BYTES + 1):
                    number += 1
                    counter[0] += len(line)
                    if len(line) > MAX_CASE_BYTES and not line.endswith(b"\n"):
                        while line and not line.endswith(b"\n"):
                            line = stream.readline(1 << 20)
                            counter[0] += len(line)
                        yield CaseError(
                            f"case text over the {MAX_CASE_BYTES // 2**20} MiB limit", path=f"line {number}"
                        )
                    elif line.strip():
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


def _fed(items: Iterator[BatchItem], on_case: Callable[[Case], object] | None) -> Iterator[BatchItem]:
    """The input as the engine takes it, each case first shown to ``on_case`` (the Department's
    figures), in input order."""
    if on_case is None:
        yield from items
        return
    for item in items:
        if isinstance(item, Case):
            on_case(item)
        yield item


def _error_object(error: CaseError | EvaluationError) -> dict[str, Any]:
    if isinstance(error, EvaluationError):
        detail = {"kind": "evaluation", "path": None, "rule_id": error.rule_id, "message": error.reason}
    else:
        detail = {"kind": "case", "path": error.path, "rule_id": None, "message": error.reason}
    return {"case_id": error.case_id, "error": detail}


def _jsonl_record(result: Result) -> str:
    """A case's line of JSON Lines out (a lone surrogate is escaped on the way to the file)."""
    if isinstance(result, ReportText):
        return result.json + "\n"
    if isinstance(result, Report):
        return result.to_json() + "\n"
    return json.dumps(_error_object(result), ensure_ascii=False) + "\n"


_BLANK_ERRORS = [""] * len(ERROR_COLUMNS)


def _csv_record(result: Result) -> str:
    """A case's rows of CSV out: a row per finding, or one row for its error."""
    if isinstance(result, ReportText):  # pragma: no cover - CSV out asks the engine for reports
        raise TypeError("a CSV row per finding needs the whole report")
    if isinstance(result, Report):
        return "".join(
            csv_row([*finding_row(result, finding), *_BLANK_ERRORS]) for finding in result.findings
        )
    detail = _error_object(result)["error"]
    row: list[Any] = [""] * len(FINDING_COLUMNS)
    row[FINDING_COLUMNS.index("case_id")] = result.case_id
    return csv_row([*row, detail["kind"], detail["path"], detail["rule_id"], detail["message"]])


class progress_bar:
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
        # no refresh thread: worker processes are forked only from a process with one thread
        self._bar = Progress(
            *columns,
            TimeElapsedColumn(),
            console=rich_console(stderr=True),
            transient=True,
            auto_refresh=False,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task("0 cases", total=self._total or None)

        def advance(cases: int, read: int) -> None:
            self._bar.update(self._task, description=f"{cases:,} cases", completed=read)
            self._bar.refresh()

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
    return printable(text)


def _print_department(summary: ComplianceSummary) -> None:
    click.echo("", err=True)
    for line in summary.department_lines(summary_width()):
        click.echo(line, err=True)
