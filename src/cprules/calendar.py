"""Working days of a jurisdiction: add them, count them, and say which holidays were skipped.

The counting convention (docs/counting.md) is stated here once: "within N working days of X"
means X plus N working days, **not counting X itself** (day 1 is the first working day after
X, even when X is a weekend or a holiday), and ``working_days_between(a, b)`` counts the
working days x with ``a < x <= b``.

Every answer comes from tables built once per distinct settings (country, subdivision,
closures) and memoised: a prefix count of working days over the day ordinals of 1990 to 2100
and the list of working-day ordinals. A call is a few ordinal conversions, range checks and
list lookups, never a walk through the days.

>>> from datetime import date
>>> england = WorkingCalendar("GB", "ENG")
>>> england.add_working_days(date(2024, 3, 19), 10)   # ICPC + 10 WD, over Easter
datetime.date(2024, 4, 4)
>>> england.working_days_between(date(2024, 3, 19), date(2024, 4, 5))
11
>>> england.describe_skipped(date(2024, 3, 19), date(2024, 4, 4))
'skipping Good Friday 29 March and Easter Monday 1 April (England and Wales)'
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from operator import index
from typing import Any, NoReturn, SupportsIndex

from .errors import CalendarError, CalendarRangeError

__all__ = ["FIRST_SUPPORTED_DATE", "LAST_SUPPORTED_DATE", "WorkingCalendar"]

#: the first date the calendar is exact for
FIRST_SUPPORTED_DATE = date(1990, 1, 1)
#: the last date the calendar is exact for
LAST_SUPPORTED_DATE = date(2100, 12, 31)

_FIRST = FIRST_SUPPORTED_DATE.toordinal()
_LAST = LAST_SUPPORTED_DATE.toordinal()
# cum[o - _BASE] is the number of working days with ordinal <= o, so cum[0] == 0 stands for
# "before the first supported day" and every supported ordinal has an entry.
_BASE = _FIRST - 1
_RANGE_TEXT = f"{FIRST_SUPPORTED_DATE.isoformat()} to {LAST_SUPPORTED_DATE.isoformat()}"

_CLOSURE_NAME = "office closure"

# Human labels for explanations ("... (England and Wales)"). England and Wales share their
# bank holidays, so a reader is told the jurisdiction the law names, not the subdivision code.
_JURISDICTION_NAMES: dict[tuple[str, str | None], str] = {
    ("GB", "ENG"): "England and Wales",
    ("GB", "WLS"): "England and Wales",
    ("GB", "SCT"): "Scotland",
    ("GB", "NIR"): "Northern Ireland",
    ("GB", None): "United Kingdom",
    ("JE", None): "Jersey",
    ("GG", None): "Guernsey",
    ("IM", None): "Isle of Man",
}

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class _Tables:
    """The lookup tables of one calendar; built once, never changed."""

    __slots__ = ("cum", "is_working", "skipped_names", "skipped_ordinals", "working")

    def __init__(
        self,
        cum: list[int],
        is_working: list[bool],
        working: list[int],
        skipped_ordinals: list[int],
        skipped_names: list[str],
    ) -> None:
        #: cum[o - _BASE]: working days with ordinal <= o (cum[0] == 0)
        self.cum = cum
        #: is_working[o - _FIRST]
        self.is_working = is_working
        #: ordinals of the working days, ascending
        self.working = working
        #: ordinals of the weekdays that are not working days, ascending, and their names
        self.skipped_ordinals = skipped_ordinals
        self.skipped_names = skipped_names


def _plain_name(name: str) -> str:
    # `holidays` says "(observed)" for England's moved bank holidays; gov.uk and the
    # procedures say "substitute day", which is what a practitioner reads in an explanation.
    return name.replace("(observed)", "(substitute day)")


@lru_cache(maxsize=16)
def _public_holidays(country: str, subdiv: str | None) -> dict[int, str]:
    """Public holidays of a jurisdiction from 1990 to 2100, by ordinal (a pure cache)."""
    import holidays  # its tables cost ~70 ms to import: paid when a calendar is first built

    entity = holidays.country_holidays(
        country,
        subdiv=subdiv,
        years=range(FIRST_SUPPORTED_DATE.year, LAST_SUPPORTED_DATE.year + 1),
    )
    return {day.toordinal(): _plain_name(name) for day, name in entity.items()}


@lru_cache(maxsize=64)
def _build_tables(country: str, subdiv: str | None, closures: tuple[date, ...]) -> _Tables:
    """Build the lookup tables for one setting of the calendar (a pure cache)."""
    public = _public_holidays(country, subdiv)
    closed = {day.toordinal() for day in closures}
    cum = [0]
    is_working: list[bool] = []
    working: list[int] = []
    skipped_ordinals: list[int] = []
    skipped_names: list[str] = []
    count = 0
    # date(1990, 1, 1) is a Monday, so (ordinal - _FIRST) % 7 is 0..4 on Monday to Friday.
    for ordinal in range(_FIRST, _LAST + 1):
        weekday = (ordinal - _FIRST) % 7 < 5
        name = public.get(ordinal)
        if name is None and ordinal in closed:
            name = _CLOSURE_NAME
        works = weekday and name is None
        if works:
            count += 1
            working.append(ordinal)
        elif weekday and name is not None:
            skipped_ordinals.append(ordinal)
            skipped_names.append(name)
        is_working.append(works)
        cum.append(count)
    return _Tables(cum, is_working, working, skipped_ordinals, skipped_names)


def _out_of_range(day: date) -> NoReturn:
    raise CalendarRangeError(
        f"{day.isoformat()} is outside the range the working-day calendar is exact for ({_RANGE_TEXT})"
    )


def _beyond_range(day: date, n: int) -> NoReturn:
    # a count too long to print (str() of an int past 4,300 digits raises) is not printed
    count = f"{abs(n)} working days" if abs(n) < 10**15 else "that many working days"
    raise CalendarRangeError(
        f"{day.isoformat()} {'+' if n > 0 else '-'} {count} falls "
        f"{'after' if n > 0 else 'before'} the range the working-day calendar is exact for "
        f"({_RANGE_TEXT})"
    )


def _wrong_type(method: str, **arguments: object) -> None:
    """Raise a ``TypeError`` naming the first date argument that is not a date.

    Called only once a call has failed, so the checks cost nothing on the way that works.
    """
    for name, value in arguments.items():
        if not isinstance(value, date):
            raise TypeError(
                f"{method}() argument '{name}' must be a datetime.date, not {type(value).__name__}"
            )


def _whole_number(method: str, n: SupportsIndex) -> int:
    """``n`` as an int (``operator.index``), or a ``TypeError`` naming the argument."""
    try:
        return index(n)
    except TypeError:
        raise TypeError(
            f"{method}() argument 'n' must be a whole number (int), not {type(n).__name__}"
        ) from None


def _day_text(day: date, *, with_year: bool) -> str:
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class WorkingCalendar:
    """Working days: Monday to Friday, less public holidays and office closures.

    Public holidays come from the ``holidays`` package for ``country`` and ``subdiv``
    (``"GB"``/``"ENG"`` for England, ``"JE"``/``None`` for Jersey). ``closures`` are extra
    non-working days, such as a local authority's office closure days. The default ``subdiv``
    ``"ENG"`` only means something for a country with an ``ENG`` subdivision (GB); for any
    other country it is dropped, so ``WorkingCalendar("JE")`` is Jersey.

    A calendar is immutable and hashable. Two calendars with the same settings are equal and
    share their tables, built when the first of them is constructed (about 20 ms; up to 0.1 s
    for the first GB calendar in a process). Every date given or returned must lie in
    1990-01-01..2100-12-31; anything outside raises :class:`~cprules.errors.CalendarRangeError`.

    >>> from datetime import date
    >>> calendar = WorkingCalendar("GB", "ENG", closures=[date(2024, 12, 24)])
    >>> calendar
    WorkingCalendar(country='GB', subdiv='ENG', closures=(datetime.date(2024, 12, 24),))
    >>> calendar == WorkingCalendar(closures=(date(2024, 12, 24), date(2024, 12, 24)))
    True
    >>> WorkingCalendar("JE").name
    'Jersey'
    """

    __slots__ = ("_closures", "_country", "_cum", "_hash", "_is_working", "_subdiv", "_tables",
                 "_working")  # fmt: skip

    _country: str
    _subdiv: str | None
    _closures: tuple[date, ...]
    _hash: int
    _tables: _Tables
    # The tables the per-call paths read, one attribute load each.
    _cum: list[int]
    _working: list[int]
    _is_working: list[bool]

    # country and subdiv are typed object, and checked below, so that a compiled (mypyc)
    # calendar refuses a wrong type with the same TypeError as the pure one: mypyc would check
    # a str parameter itself on entry, with its own message ("str object expected; got int").
    def __init__(
        self,
        country: object = "GB",
        subdiv: object = "ENG",
        closures: Iterable[date] = (),
    ) -> None:
        if not isinstance(country, str):
            raise TypeError(
                f"WorkingCalendar() argument 'country' must be a str, not {type(country).__name__}"
            )
        if subdiv is not None and not isinstance(subdiv, str):
            raise TypeError(
                f"WorkingCalendar() argument 'subdiv' must be a str or None, not {type(subdiv).__name__}"
            )
        if isinstance(closures, str | bytes) or not isinstance(closures, Iterable):
            raise TypeError(
                "WorkingCalendar() argument 'closures' must be an iterable of dates, "
                f"not {type(closures).__name__}"
            )
        country, subdiv = _checked_jurisdiction(country, subdiv)
        days: set[date] = set()
        for day in closures:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(
                    "WorkingCalendar() argument 'closures' must hold dates (YYYY-MM-DD), "
                    f"not {type(day).__name__}"
                )
            if not FIRST_SUPPORTED_DATE <= day <= LAST_SUPPORTED_DATE:
                _out_of_range(day)
            days.add(day)
        closures_tuple = tuple(sorted(days))
        # Built here rather than on first use: every calendar gets used, the build happens once
        # per distinct settings, and the per-call paths then need no "built yet?" test.
        tables = _build_tables(country, subdiv, closures_tuple)
        # Spelt out as object.__setattr__(self, "name", ...) with the name written in: mypyc
        # turns exactly that form into a direct store (an alias of object.__setattr__ is
        # refused by its compiled classes), and plain Python runs it as before.
        object.__setattr__(self, "_country", country)
        object.__setattr__(self, "_subdiv", subdiv)
        object.__setattr__(self, "_closures", closures_tuple)
        object.__setattr__(self, "_hash", hash((country, subdiv, closures_tuple)))
        object.__setattr__(self, "_tables", tables)
        object.__setattr__(self, "_cum", tables.cum)
        object.__setattr__(self, "_working", tables.working)
        object.__setattr__(self, "_is_working", tables.is_working)

    # --- settings (read-only) ------------------------------------------------------------------

    @property
    def country(self) -> str:
        """The ISO 3166 code of the country whose public holidays count, e.g. ``"GB"``."""
        return self._country

    @property
    def subdiv(self) -> str | None:
        """The subdivision code (``"ENG"``), or ``None`` for the whole country."""
        return self._subdiv

    @property
    def closures(self) -> tuple[date, ...]:
        """The extra non-working days (office closures), sorted, without repeats."""
        return self._closures

    # --- value semantics -----------------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"WorkingCalendar is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"WorkingCalendar is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return (self.country, self.subdiv, self.closures) == (
            other.country,
            other.subdiv,
            other.closures,
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        closures = f", closures={self.closures!r}" if self.closures else ""
        return f"WorkingCalendar(country={self.country!r}, subdiv={self.subdiv!r}{closures})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle by settings (for worker processes), not by tables: the worker rebuilds them
        # once, or finds them in its cache.
        return (WorkingCalendar, (self.country, self.subdiv, self.closures))

    @property
    def name(self) -> str:
        """The jurisdiction in words, for explanations.

        >>> WorkingCalendar("GB", "ENG").name, WorkingCalendar("GB", "SCT").name
        ('England and Wales', 'Scotland')
        """
        known = _JURISDICTION_NAMES.get((self.country, self.subdiv))
        if known is not None:
            return known
        return f"{self.country}-{self.subdiv}" if self.subdiv else self.country

    # --- arithmetic ----------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: a weekday, not a public holiday, not a closure.

        >>> from datetime import date
        >>> england = WorkingCalendar()
        >>> england.is_working_day(date(2024, 3, 28)), england.is_working_day(date(2024, 3, 29))
        (True, False)
        """
        try:
            ordinal = d.toordinal()
        except AttributeError:
            _wrong_type("is_working_day", d=d)
            raise
        if not _FIRST <= ordinal <= _LAST:
            _out_of_range(d)
        return self._is_working[ordinal - _FIRST]

    def add_working_days(self, d: date, n: SupportsIndex) -> date:
        """The date ``n`` working days after ``d`` (before it when ``n`` is negative).

        Day 1 is the first working day strictly after ``d``, whatever ``d`` is; day -1 is the
        last working day strictly before ``d``; ``n == 0`` gives ``d`` itself.

        >>> from datetime import date
        >>> england = WorkingCalendar()
        >>> england.add_working_days(date(2024, 5, 1), 3)   # Mon 6 May is a bank holiday
        datetime.date(2024, 5, 7)
        >>> england.add_working_days(date(2024, 4, 2), -2)  # day -1 is Thu 28 March
        datetime.date(2024, 3, 27)
        >>> england.add_working_days(date(2024, 3, 30), 0)  # a Saturday stays a Saturday
        datetime.date(2024, 3, 30)
        """
        try:
            ordinal = d.toordinal()
        except AttributeError:
            _wrong_type("add_working_days", d=d)
            raise
        if not _FIRST <= ordinal <= _LAST:
            _out_of_range(d)
        # n is checked here, not typed int: a compiled (mypyc) calendar would check an int
        # parameter on entry with its own message, and an index past a C ssize_t would raise
        # OverflowError there; the explicit bounds below refuse it the same way pure or compiled.
        count = n if isinstance(n, int) else _whole_number("add_working_days", n)
        if count > 0:
            # k = cum[d] working days fall on or before d, at working[0..k-1]; day 1 is
            # working[k] and day n is working[k + n - 1]: an index of 0 or more.
            at = self._cum[ordinal - _BASE] + count - 1
            if at >= len(self._working):
                _beyond_range(d, count)
        elif count < 0:
            # k = cum[d - 1] working days fall strictly before d; day -1 is working[k - 1]
            # and day n is working[k + n], which must not wrap round to the end of the list.
            at = self._cum[ordinal - 1 - _BASE] + count
            if at < 0:
                _beyond_range(d, count)
        else:
            return d
        return date.fromordinal(self._working[at])

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days x with ``a < x <= b``; negative when ``b`` is before ``a``.

        ``working_days_between(a, add_working_days(a, n)) == n`` for ``n >= 1``, and
        ``working_days_between(b, a) == -working_days_between(a, b)``.

        >>> from datetime import date
        >>> england = WorkingCalendar()
        >>> england.working_days_between(date(2024, 4, 4), date(2024, 4, 5))  # 1 WD late
        1
        >>> england.working_days_between(date(2024, 3, 28), date(2024, 4, 1))  # Easter
        0
        >>> england.working_days_between(date(2024, 4, 5), date(2024, 4, 4))
        -1
        """
        try:
            start = a.toordinal()
            end = b.toordinal()
        except AttributeError:
            _wrong_type("working_days_between", a=a, b=b)
            raise
        if not _FIRST <= start <= _LAST:
            _out_of_range(a)
        if not _FIRST <= end <= _LAST:
            _out_of_range(b)
        cum = self._cum
        return cum[end - _BASE] - cum[start - _BASE]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``.

        >>> from datetime import date
        >>> WorkingCalendar().next_working_day(date(2024, 3, 28))  # Thursday before Easter
        datetime.date(2024, 4, 2)
        """
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``.

        >>> from datetime import date
        >>> WorkingCalendar().previous_working_day(date(2024, 4, 2))
        datetime.date(2024, 3, 28)
        """
        return self.add_working_days(d, -1)

    # --- explanations --------------------------------------------------------------------------

    def holidays_between(self, a: date, b: date) -> tuple[tuple[date, str], ...]:
        """The weekdays x with ``a < x <= b`` that are not working days, with their names.

        Public holidays carry the name ``holidays`` gives them (a moved bank holiday reads
        "(substitute day)"); a closure that is not also a public holiday is an
        ``"office closure"``. Holidays on a weekend are left out: they skip nothing. Empty
        when ``b <= a``.

        >>> from datetime import date
        >>> WorkingCalendar().holidays_between(date(2024, 3, 19), date(2024, 4, 4))
        ((datetime.date(2024, 3, 29), 'Good Friday'), (datetime.date(2024, 4, 1), 'Easter Monday'))
        """
        tables = self._tables
        try:
            start = a.toordinal()
            end = b.toordinal()
        except AttributeError:
            _wrong_type("holidays_between", a=a, b=b)
            raise
        if not _FIRST <= start <= _LAST:
            _out_of_range(a)
        if not _FIRST <= end <= _LAST:
            _out_of_range(b)
        if end <= start:
            return ()
        ordinals = tables.skipped_ordinals
        low = bisect_right(ordinals, start)
        high = bisect_right(ordinals, end)
        names = tables.skipped_names
        return tuple((date.fromordinal(ordinals[i]), names[i]) for i in range(low, high))

    def describe_skipped(self, a: date, b: date) -> str:
        """Say which holidays fall in ``(a, b]``, for an explanation; ``""`` when none do.

        Days read "29 March"; the year is added to every day when they span two years.

        >>> from datetime import date
        >>> england = WorkingCalendar()
        >>> england.describe_skipped(date(2024, 3, 19), date(2024, 4, 4))
        'skipping Good Friday 29 March and Easter Monday 1 April (England and Wales)'
        >>> christmas = england.describe_skipped(date(2024, 12, 20), date(2025, 1, 3))
        >>> print(christmas)  # doctest: +NORMALIZE_WHITESPACE
        skipping Christmas Day 25 December 2024, Boxing Day 26 December 2024 and New Year's Day
        1 January 2025 (England and Wales)
        >>> england.describe_skipped(date(2024, 3, 1), date(2024, 3, 15))
        ''
        """
        skipped = self.holidays_between(a, b)
        if not skipped:
            return ""
        with_year = skipped[0][0].year != skipped[-1][0].year
        parts = [f"{name} {_day_text(day, with_year=with_year)}" for day, name in skipped]
        return f"skipping {_join(parts)} ({self.name})"


@lru_cache(maxsize=64)
def _checked_jurisdiction(country: str, subdiv: str | None) -> tuple[str, str | None]:
    """Normalise a country and subdivision to the codes ``holidays`` uses, or raise CalendarError.

    ``"gb"``, ``"UK"`` and ``"GBR"`` all become ``"GB"``; ``"England"`` and ``"eng"`` become
    ``"ENG"``, so equal settings compare equal however they were written.
    """
    if not country:
        raise CalendarError("country must be an ISO 3166 code such as 'GB' or 'JE'")
    import holidays

    try:
        entity = holidays.country_holidays(country.upper())
    except NotImplementedError:
        raise CalendarError(
            f"country {country!r} is not known to the holidays package; "
            "write an ISO 3166 code such as 'GB' or 'JE'"
        ) from None
    country = str(entity.country)
    codes: tuple[str, ...] = tuple(entity.subdivisions)
    if subdiv is None:
        return country, None
    aliases: dict[str, str] = dict(getattr(entity, "subdivisions_aliases", {}) or {})
    if subdiv in aliases:
        return country, aliases[subdiv]
    if subdiv.upper() in codes:
        return country, subdiv.upper()
    if subdiv == "ENG":
        # The default subdivision is England's; for a country without one (Jersey has no
        # subdivisions at all) it means the whole country.
        return country, None
    if not codes:
        raise CalendarError(f"country {country!r} has no subdivisions; give subdiv None (null)")
    raise CalendarError(
        f"subdivision {subdiv!r} is not known for {country!r}; write one of: " + ", ".join(codes)
    )
