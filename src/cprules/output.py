"""Output that never destroys input and never ends in half a line.

What ``cprules batch`` writes goes through :class:`OutputFile`: the results are written to
``FILE.partial`` beside ``FILE`` and renamed into place only when the run has finished, so an
interrupted, killed or failed run leaves the previous ``FILE`` untouched and the partial one
named ``FILE.partial``. Records (a case's line, or its CSV rows) reach the disk whole: a write
that fails part-way (a full disk) is cut back to the last whole record, and the count of cases
the partial file holds is known exactly. :func:`check_not_an_input` refuses an output that is
an input by another name (a hard link, standard input redirected from it, a file inside an
input folder), and :class:`OutputError` names the file and what went wrong (a full disk is
not "bad input").

The text helpers are for anything that shows input text: :func:`csv_cell` and :func:`csv_row`
write CSV a spreadsheet in any locale reads as data (the list separator quoted, formulas
defused), and :func:`printable` escapes what a terminal would obey (ESC, OSC, CR, NUL, lone
surrogates, bidirectional overrides).

>>> printable("A-1\\x1b]8;;http://x\\x07\\r")
'A-1\\\\x1b]8;;http://x\\\\x07\\\\r'
>>> print(csv_row(["=1+2", "neglect;emotional", 3]), end="")
'=1+2,"neglect;emotional",3
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from cprules.errors import CprulesError

__all__ = [
    "PARTIAL_SUFFIX",
    "OutputError",
    "OutputFile",
    "StreamOutput",
    "check_not_an_input",
    "csv_cell",
    "csv_row",
    "printable",
]

#: what a run in progress (or one that stopped) names its output
PARTIAL_SUFFIX = ".partial"
#: bytes gathered before they are written (whole records only)
_BUFFER = 64 * 1024

_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than this file system allows",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOENT: "no such folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EIO: "the device reported an input/output error",
}


class OutputError(CprulesError):
    """The output cannot be written: a full disk, no permission, a name too long.

    ``file`` is the output named, ``partial`` the ``FILE.partial`` left behind (None when none
    is), ``cases`` the whole cases it holds, ``errno`` the system's error number.

    >>> full = OSError(28, "No space left on device")
    >>> str(OutputError.of(full, file="out.jsonl", partial="out.jsonl.partial", cases=4400))
    'out.jsonl: the disk is full; 4,400 cases written to out.jsonl.partial'
    """

    _fields = ("file", "partial", "cases", "errno")

    def __init__(
        self,
        message: str,
        *,
        file: str,
        partial: str | None = None,
        cases: int = 0,
        errno: int | None = None,
    ) -> None:
        self.file = file
        self.partial = partial
        self.cases = cases
        self.errno = errno
        self.reason = message
        held = f"; {cases:,} {'case' if cases == 1 else 'cases'} written to {partial}" if partial else ""
        super().__init__(f"{file}: {message}{held}")

    @classmethod
    def of(cls, exc: OSError, *, file: str, partial: str | None = None, cases: int = 0) -> OutputError:
        """The error for a failed system call on the output."""
        why = _WHY.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()
        return cls(why, file=file, partial=partial, cases=cases, errno=exc.errno)


# ---------------------------------------------------------------------------------------------
# Never an input by another name


def _identity(info: os.stat_result) -> tuple[int, int]:
    return (info.st_dev, info.st_ino)


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def check_not_an_input(out: str, inputs: Sequence[str | Path], *, stdin: IO[Any] | None = None) -> None:
    """Raise :class:`OutputError` when writing ``out`` would overwrite one of ``inputs``.

    ``out`` is a path or ``-`` (standard output); an input is a path (a file, or a folder such
    as an SSD extract) or ``-`` (standard input, ``stdin``). Refused: the same path; the same
    file by another name (a hard link, a symlink); a file inside an input folder; standard
    input read from the output file; standard output written to an input file.

    >>> check_not_an_input("results.jsonl", ["cases.jsonl"])
    >>> check_not_an_input("cases.jsonl", ["./cases.jsonl"])
    Traceback (most recent call last):
    ...
    cprules.output.OutputError: cases.jsonl: is the input file; write the results somewhere else
    """
    stdin = stdin if stdin is not None else sys.stdin
    if out == "-":
        target = _fd_stat(sys.stdout)
        if target is None or not stat.S_ISREG(target.st_mode):
            return
        for source in inputs:
            info = _fd_stat(stdin) if str(source) == "-" else _stat(source)
            if info is not None and _identity(info) == _identity(target):
                raise OutputError(
                    "standard output is the input file; write the results to another file with --out",
                    file="<stdout>",
                )
        return
    out_path = Path(out)
    out_real = out_path.resolve()
    out_info = _stat(out_path)
    for source in inputs:
        if str(source) == "-":
            info = _fd_stat(stdin)
            if info is not None and out_info is not None and _identity(info) == _identity(out_info):
                raise OutputError(
                    "is the file standard input is read from; write the results somewhere else", file=out
                )
            continue
        source_real = Path(source).resolve()
        source_info = _stat(source)
        if out_real == source_real:
            raise OutputError("is the input file; write the results somewhere else", file=out)
        if source_info is None:
            continue
        if stat.S_ISDIR(source_info.st_mode):
            if out_real.is_relative_to(source_real):
                raise OutputError(
                    f"is inside the input folder {source}; write the results somewhere else", file=out
                )
            continue
        if out_info is not None and _identity(out_info) == _identity(source_info):
            raise OutputError(
                "is the input file by another name (a hard link); write the results somewhere else",
                file=out,
            )


def _fd_stat(stream: IO[Any]) -> os.stat_result | None:
    try:
        return os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: an in-memory stream
        return None


# ---------------------------------------------------------------------------------------------
# Writing whole records


def _encoded(text: str) -> bytes:
    # a lone surrogate (text that is not valid Unicode) is written as the escape \udXXX: inside a
    # JSON string that is the JSON escape itself, and in CSV it is legible
    return text.encode("utf-8", errors="backslashreplace")


class OutputFile:
    """Results written to ``FILE.partial`` and renamed to ``FILE`` when the run finishes.

    Use :meth:`write` for each case's record (whole lines), then :meth:`commit`; anything else
    (an exception, an interrupt) calls :meth:`abandon`, which leaves ``FILE.partial`` holding
    :attr:`cases` whole cases and ``FILE`` as it was.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with OutputFile(folder / "out.jsonl") as out:
    ...     out.write('{"case_id": "A"}\\n')
    >>> (folder / "out.jsonl").read_text(), (folder / "out.jsonl.partial").exists()
    ('{"case_id": "A"}\\n', False)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + PARTIAL_SUFFIX)
        #: whole cases in the file so far (flushed and not)
        self.cases = 0
        self._buffer = bytearray()
        self._buffered_cases = 0
        #: where each gathered record ends in the buffer, and the cases gathered up to it
        self._ends: list[tuple[int, int]] = []
        self._flushed = 0  # bytes of whole records on disk
        self._flushed_cases = 0
        self._fd: int | None = None
        self._check_name()
        self._open()

    def __enter__(self) -> OutputFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abandon()

    @property
    def written(self) -> int:
        """Whole cases on disk in ``FILE.partial`` (or ``FILE``, once committed)."""
        return self._flushed_cases

    def write(self, record: str, *, cases: int = 1) -> None:
        """Add one record: ``cases`` cases' whole lines (each ending in a newline)."""
        self._buffer += _encoded(record)
        self._buffered_cases += cases
        self._ends.append((len(self._buffer), self._buffered_cases))
        self.cases += cases
        if len(self._buffer) >= _BUFFER:
            self.flush()

    def flush(self) -> None:
        """Write what is gathered. If the writing stops part-way (a full disk, an interrupt),
        the records wholly written are kept and counted, the file is cut back to the end of
        the last of them, and the rest stays gathered."""
        if self._fd is None or not self._buffer:
            return
        data = bytes(self._buffer)
        done = 0
        try:
            while done < len(data):
                done += os.write(self._fd, data[done:])
        except BaseException as exc:
            self._settle(done)
            if isinstance(exc, OSError):
                raise self._error(exc) from None
            raise
        self._settle(done)

    def _settle(self, done: int) -> None:
        """Count the records wholly inside the bytes written as on disk (``done``, or what the
        file's position says when a write was cut off before it could say)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                done = max(done, os.lseek(self._fd, 0, os.SEEK_CUR) - self._flushed)
        kept_bytes = kept_cases = 0
        for end, cases in self._ends:
            if end > done:
                break
            kept_bytes, kept_cases = end, cases
        self._flushed += kept_bytes
        self._flushed_cases += kept_cases
        if kept_bytes != done and self._fd is not None:  # half a record went out: take it back
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._flushed)
                os.lseek(self._fd, self._flushed, os.SEEK_SET)
        del self._buffer[:kept_bytes]
        self._ends = [(end - kept_bytes, cases - kept_cases) for end, cases in self._ends if end > kept_bytes]
        self._buffered_cases -= kept_cases

    def commit(self) -> None:
        """Everything written: make it durable and rename ``FILE.partial`` to ``FILE``."""
        if self._fd is None:
            return
        try:
            self.flush()
            os.fsync(self._fd)
        except OSError as exc:
            self.abandon()
            raise self._error(exc) from None
        os.close(self._fd)
        self._fd = None
        try:
            os.replace(self.partial, self.path)
        except OSError as exc:
            raise self._error(exc) from None
        _sync_folder(self.path.parent)

    def abandon(self) -> int:
        """Stop: write the whole records gathered, keep ``FILE.partial``, leave ``FILE`` as it
        was. Returns the cases ``FILE.partial`` holds."""
        if self._fd is None:
            return self._flushed_cases
        with contextlib.suppress(OSError, CprulesError):
            self.flush()
        self._cut_back()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None
        self.cases = self._flushed_cases
        return self._flushed_cases

    # -- opening ------------------------------------------------------------------------------

    def _check_name(self) -> None:
        folder = self.path.parent
        try:
            longest = os.pathconf(folder if str(folder) else ".", "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            return  # no such folder (opening says so), or no limit to ask about
        size = len(os.fsencode(self.path.name))
        if size + len(PARTIAL_SUFFIX) > longest:
            raise OutputError(
                f"the file name is {size} bytes long; this file system allows {longest}, and the run "
                f"writes to NAME{PARTIAL_SUFFIX} until it finishes: give a name of at most "
                f"{longest - len(PARTIAL_SUFFIX)} bytes",
                file=str(self.path),
                errno=errno.ENAMETOOLONG,
            )

    def _open(self) -> None:
        existing = _stat(self.path)
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise OutputError("it is a folder; give a file name", file=str(self.path), errno=errno.EISDIR)
        try:
            # a leftover FILE.partial is removed, never truncated: it might be another file's
            # hard link
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.partial)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            self._fd = os.open(self.partial, flags, 0o666)
            if existing is not None and stat.S_ISREG(existing.st_mode):
                with contextlib.suppress(OSError):
                    os.chmod(self.partial, stat.S_IMODE(existing.st_mode))
        except IsADirectoryError:
            raise OutputError(
                f"{self.partial} is a folder; remove it or give another name",
                file=str(self.path),
                errno=errno.EISDIR,
            ) from None
        except OSError as exc:
            raise OutputError.of(exc, file=str(self.path)) from None

    # -- failing --------------------------------------------------------------------------------

    def _cut_back(self) -> None:
        """Drop what is gathered, and anything on disk after the last whole record."""
        self._buffer.clear()
        self._ends = []
        self._buffered_cases = 0
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._flushed)

    def _error(self, exc: OSError) -> OutputError:
        self.cases = self._flushed_cases
        return OutputError.of(exc, file=str(self.path), partial=str(self.partial), cases=self._flushed_cases)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system can)."""
    try:
        descriptor = os.open(folder if str(folder) else ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.fsync(descriptor)
    os.close(descriptor)


class StreamOutput:
    """Results written to a stream (standard output): whole records, no renaming.

    The same interface as :class:`OutputFile`, so a command writes either the same way.
    """

    def __init__(self, stream: IO[Any], name: str = "<stdout>") -> None:
        self._stream = getattr(stream, "buffer", stream)
        self.path = Path(name)
        self.partial: Path | None = None
        self.cases = 0
        self._written = 0
        self._buffer = bytearray()
        self._buffered_cases = 0

    def __enter__(self) -> StreamOutput:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abandon()

    @property
    def written(self) -> int:
        """Whole cases written to the stream."""
        return self._written

    def write(self, record: str, *, cases: int = 1) -> None:
        """Add one record (``cases`` cases' whole lines)."""
        self._buffer += _encoded(record)
        self._buffered_cases += cases
        self.cases += cases
        if len(self._buffer) >= _BUFFER:
            self.flush()

    def flush(self) -> None:
        """Write what is gathered."""
        if not self._buffer:
            return
        try:
            self._stream.write(bytes(self._buffer))
            self._stream.flush()
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise OutputError.of(exc, file=str(self.path)) from None
        self._written += self._buffered_cases
        self._buffer.clear()
        self._buffered_cases = 0

    def commit(self) -> None:
        """Write everything gathered."""
        self.flush()

    def abandon(self) -> int:
        """Write the whole records gathered; returns the cases written."""
        with contextlib.suppress(OSError, CprulesError):
            self.flush()
        self.cases = self._written
        return self._written


# ---------------------------------------------------------------------------------------------
# CSV a spreadsheet reads as data, in any locale

#: a cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (the
#: full-width forms too, in East Asian locales)
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
#: a cell holding one of these is quoted: the separators of every locale (, and ;), a tab, a
#: quote, a line break
_NEEDS_QUOTES = re.compile(r'[,;\t"\r\n]|^\s|\s$')


def csv_cell(value: Any) -> str | int:
    """A cell's value: text that would run as a formula gets a leading ``'``.

    >>> csv_cell("-1"), csv_cell(-1), csv_cell(" =cmd"), csv_cell(None), csv_cell("A-1")
    ("'-1", -1, "' =cmd", '', 'A-1')
    """
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    stripped = text.lstrip(" ")
    if stripped[:1] in _FORMULA_START:
        return "'" + text
    return text


def _csv_field(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_row(cells: Iterable[Any]) -> str:
    """One CSV line: each cell through :func:`csv_cell`, quoted where any locale's list separator
    (``,`` or ``;``), a tab, a quote or a line break would split or break it."""
    return ",".join(_csv_field(csv_cell(cell)) for cell in cells) + "\n"


# ---------------------------------------------------------------------------------------------
# Text a terminal shows as text

# C0 controls but tab and newline are handled below; DEL; C1 controls (U+009B is a CSI by
# itself); lone surrogates; bidirectional embeddings, overrides and isolates (text that shows
# in another order than it is)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\r":
        return "\\r"
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with everything a terminal would obey or a reader be misled by escaped.

    >>> printable("plain text, ok"), printable("a\\x00b\\ud800c\\u202ed")
    ('plain text, ok', 'a\\\\x00b\\\\ud800c\\\\u202ed')
    """
    return _UNPRINTABLE.sub(_escape, text)
