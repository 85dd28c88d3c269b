"""The exception hierarchy: every error cprules raises on bad input is a :class:`CprulesError`.

Messages never contain values from a case: case data is personal data about a child and error
text ends up in logs. They name where the problem is (a file position, a field path, a rule id)
and what to write instead.

>>> try:
...     raise CaseError("event type is not known", case_id="A-1", path="events[2].type")
... except CprulesError as error:
...     print(error)
case A-1: events[2].type: event type is not known
"""

from __future__ import annotations

from functools import partial
from typing import Any

__all__ = [
    "CalendarError",
    "CalendarRangeError",
    "CaseError",
    "CprulesError",
    "EvaluationError",
    "PackError",
    "SourceError",
]


class CprulesError(Exception):
    """Base class of every error cprules raises on bad input or a failed rule.

    Whatever a caller passes, cprules raises a ``CprulesError`` (the library's own error, with
    the underlying exception kept as ``__cause__``) or a ``TypeError`` that names the argument
    of the wrong type; nothing else (docs/api.md, "Errors").
    """

    #: keyword arguments that rebuild the error (so errors cross process boundaries intact)
    _fields: tuple[str, ...] = ()
    reason: str

    def __reduce__(self) -> str | tuple[Any, ...]:
        if not self._fields:
            return super().__reduce__()
        keywords = {name: getattr(self, name) for name in self._fields}
        return (partial(type(self), **keywords), (self.reason,))


class PackError(CprulesError):
    """A policy pack that cannot be loaded.

    The message starts ``FILE:LINE:COLUMN:`` (as compilers write it) when the position is
    known, then ``rule <id>:`` when the mistake is in one rule, then what is wrong and what to
    write instead. ``line`` and ``column`` are 1-based.

    >>> str(PackError("unknown kind 'dealine'; write one of: deadline, interval",
    ...               file="pack.yaml", line=12, column=11, rule_id="first-core-group"))
    "pack.yaml:12:11: rule first-core-group: unknown kind 'dealine'; write one of: deadline, interval"
    """

    _fields = ("file", "line", "column", "rule_id", "_problems")

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule_id: str | None = None,
        problems: tuple[PackError, ...] = (),
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.rule_id = rule_id
        self.reason = message
        self._problems = problems
        super().__init__(self._render())

    @property
    def problems(self) -> tuple[PackError, ...]:
        """Every mistake found in the pack, in file and position order, this one first (just
        this one when it was the only one): printed one a line, a policy officer fixes them all
        in one round."""
        return self._problems or (self,)

    def __reduce__(self) -> str | tuple[Any, ...]:
        keywords = {name.lstrip("_"): getattr(self, name) for name in self._fields}
        return (partial(type(self), **keywords), (self.reason,))

    def _render(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        rule = f"rule {self.rule_id}: " if self.rule_id else ""
        more = len(self._problems) - 1
        also = f" (and {more} more {'mistake' if more == 1 else 'mistakes'} in the pack)" if more > 0 else ""
        return f"{where}{rule}{self.reason}{also}"


class CaseError(CprulesError):
    """A case that cannot be read: names the case and the field path, never the value.

    >>> error = CaseError("not a valid date; write YYYY-MM-DD", case_id="A-17", path="events[4].date")
    >>> (error.case_id, error.path, str(error))
    ('A-17', 'events[4].date', 'case A-17: events[4].date: not a valid date; write YYYY-MM-DD')
    """

    _fields = ("case_id", "path", "problems")

    def __init__(
        self,
        message: str,
        *,
        case_id: str | None = None,
        path: str | None = None,
        problems: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.case_id = case_id
        self.path = path
        self.reason = message
        #: every (path, message) pair found, when a case has more than one mistake
        self.problems = problems or ((path or "", message),)
        who = f"case {case_id}: " if case_id else "case (id unreadable): "
        where = f"{path}: " if path else ""
        super().__init__(f"{who}{where}{message}")


class EvaluationError(CprulesError):
    """A rule failed on a case (a bug or an unforeseen timeline): the batch goes on.

    >>> str(EvaluationError("date out of range", case_id="A-1", rule_id="first-review"))
    'case A-1: rule first-review: date out of range'
    """

    _fields = ("case_id", "rule_id")

    def __init__(self, message: str, *, case_id: str | None = None, rule_id: str | None = None):
        self.case_id = case_id
        self.rule_id = rule_id
        self.reason = message
        who = f"case {case_id}: " if case_id else ""
        rule = f"rule {rule_id}: " if rule_id else ""
        super().__init__(f"{who}{rule}{message}")


class SourceError(CprulesError):
    """An input that cannot be read as a whole: missing, not well-formed, hostile or too large.

    >>> str(SourceError("not well-formed XML", file="census.xml", line=3))
    'census.xml:3: not well-formed XML'
    """

    _fields = ("file", "line")

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        self.reason = message
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(f"{where}{message}")


class CalendarError(CprulesError, ValueError):
    """A working-day calendar that cannot be built: an unknown country or subdivision.

    A ``ValueError`` too, so code written for the standard library's conventions still works.

    >>> isinstance(CalendarError("country 'XX' is not known"), ValueError)
    True
    """


class CalendarRangeError(CalendarError):
    """A date outside the range the working-day calendar is exact for (1990 to 2100).

    >>> isinstance(CalendarRangeError("2101-01-02 is outside 1990-01-01..2100-12-31"), ValueError)
    True
    """
