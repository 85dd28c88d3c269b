"""What the commands share: the command group that turns errors into exit codes, the date
parameter and the options' help, reading packs and cases, and what counts as a breach.

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

import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import click

from cprules.case import MAX_CASE_BYTES, MAX_DATE, MIN_DATE, Case, load_case, parse_case
from cprules.cli.render import (
    case_error_lines,
    error_line,
    internal_error_line,
    located,
    os_error_line,
    usage_line,
)
from cprules.errors import CaseError, CprulesError, PackError, SourceError
from cprules.findings import BREACH_STATUSES, Finding, Report, Severity
from cprules.pack.loader import Pack, load_pack

__all__ = [
    "AS_OF_HELP",
    "BREACH_STATUSES",
    "DATE",
    "EXIT_BAD_INPUT",
    "EXIT_BREACH",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "FROM_HELP",
    "KNOWN_FORMATS",
    "PACK_HELP",
    "CprulesGroup",
    "DateParam",
    "Failure",
    "breach_count",
    "check_format",
    "display_name",
    "evaluate_case",
    "has_breach",
    "load_pack_arg",
    "read_one_case",
    "readers_module",
    "resolve_as_of",
    "today_in_london",
]

EXIT_OK = 0
EXIT_BREACH = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

#: input formats of cprules.readers (the reader module says which it has)
KNOWN_FORMATS = ("json", "yaml", "jsonl", "csv", "cin-census", "ssd", "csc-api")


class Failure(Exception):
    """Stop the command: print ``lines`` on standard error (one line each) and exit ``code``."""

    def __init__(self, *lines: str, code: int = EXIT_BAD_INPUT) -> None:
        self.lines = lines
        self.code = code
        super().__init__(" ".join(lines))


# ---------------------------------------------------------------------------------------------
# The command group, and the one place errors become exit codes


class CprulesGroup(click.Group):
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
                error_line(line)
            code = failure.code
        except click.exceptions.Abort:
            error_line("interrupted")
            code = EXIT_INTERRUPTED
        except click.exceptions.NoArgsIsHelpError as exc:
            print_help_when_bare(exc)
            code = EXIT_OK
        except click.ClickException as exc:
            error_line(usage_line(exc))
            code = EXIT_BAD_INPUT
        except KeyboardInterrupt:
            error_line("interrupted")
            code = EXIT_INTERRUPTED
        except CaseError as exc:
            for line in case_error_lines(exc, None):
                error_line(line)
            code = EXIT_BAD_INPUT
        except PackError as exc:  # every mistake of the pack, one a line, in position order
            for problem in exc.problems:
                error_line(located(str(problem)))
            code = EXIT_BAD_INPUT
        except CprulesError as exc:
            error_line(located(str(exc)))
            code = EXIT_BAD_INPUT
        except OSError as exc:
            error_line(os_error_line(exc))
            code = EXIT_BAD_INPUT
        except Exception as exc:
            if os.environ.get("CPRULES_DEBUG"):
                raise
            error_line(internal_error_line(exc))
            code = EXIT_INTERNAL
        sys.exit(code)


def print_help_when_bare(exc: click.exceptions.NoArgsIsHelpError) -> None:
    """Print the help of a group run with nothing after it (bare ``cprules``, ``cprules pack``).

    Click 8.2 and later treat that as a usage error: the help squashed into one ``error:`` line
    on standard error, exit 2. Asking a program for nothing is asking what it does, not a
    mistake, so, as pip does, the help goes to standard output, laid out exactly as ``--help``
    lays it out (it can be piped to ``less`` or ``grep``), and the exit is 0.
    """
    click.echo(exc.ctx.get_help(), color=exc.ctx.color)


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

AS_OF_HELP = "The date to judge the case as at (YYYY-MM-DD). Default: today in Europe/London."
PACK_HELP = "A bundled pack id (cprules packs lists them), or a path to a pack folder or pack.yaml."
FROM_HELP = f"Input format: {', '.join(KNOWN_FORMATS)}. Default: from the file name."


def today_in_london() -> date:
    """Today's date in England (where the procedures apply), whatever the machine's zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return datetime.now(ZoneInfo("Europe/London")).date()
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without tz data (tzdata absent)
        return date.today()


def resolve_as_of(value: date | None, pack: Pack | None = None) -> date:
    """``--as-of`` or today; a warning line when the date is before ``pack`` took effect."""
    as_of = value if value is not None else today_in_london()
    if pack is not None and pack.effective_from is not None and as_of < pack.effective_from:
        error_line(
            f"warning: as at {as_of} is before pack {pack.id} took effect ({pack.effective_from}); "
            "the findings apply this version of the procedure to an earlier date"
        )
    return as_of


# ---------------------------------------------------------------------------------------------
# Reading packs and cases


def load_pack_arg(value: str) -> Pack:
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
        raise Failure(*(located(str(p).replace(str(path), "<stdin>")) for p in exc.problems)) from None


def readers_module() -> ModuleType | None:
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


def check_format(value: str | None) -> str | None:
    """The ``--from`` value when the readers know it; a usage error listing the formats otherwise."""
    if value is None:
        return None
    formats = _reader_formats(readers_module())
    if value not in formats:
        raise click.BadParameter(f"unknown format '{value}'; write one of: {', '.join(formats)}")
    return value


def display_name(source: str) -> str:
    """A file as an error line names it: ``-`` is ``<stdin>``."""
    return "<stdin>" if source == "-" else source


def read_one_case(source: str, source_format: str | None) -> Case:
    """The one case in ``source`` (a file or ``-``); every problem a :class:`Failure`."""
    name = display_name(source)
    suffix = Path(source).suffix.lower()
    native = source_format in ("json", "yaml") or (
        source_format is None and (source == "-" or suffix in (".json", ".yaml", ".yml"))
    )
    if native and source_format is None and suffix == ".json":
        readers = readers_module()  # a .json file of CSC API payloads is read by its reader
        native = readers is None or readers.detect_format(source) != "csc-api"
    try:
        if native:
            return _read_native_case(source, source_format)
        readers = readers_module()
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
        raise Failure(*case_error_lines(exc, name)) from None


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


def evaluate_case(case: Case, pack: Pack, as_of: date) -> Report:
    """The engine's report (imported here, so that commands that do not evaluate start fast)."""
    from cprules.engine import evaluate

    return evaluate(case, pack, as_of=as_of)


def has_breach(findings: Iterable[Finding]) -> bool:
    """Whether a finding of severity breach is late, overdue, missed or violated: exit 1."""
    return any(f.severity is Severity.BREACH and f.status in BREACH_STATUSES for f in findings)


def breach_count(report: Report) -> int:
    """How many findings of a report are breaches of procedure."""
    return sum(1 for f in report.findings if f.severity is Severity.BREACH and f.status in BREACH_STATUSES)
