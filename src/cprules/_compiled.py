"""Which modules of cprules may be compiled by mypyc, and which of them are.

``COMPILED_CANDIDATES`` is the one list of modules the build hook (``hatch_build.py``) and
the developer command (``bench/compile.py``) hand to mypyc. Each is plain typed Python, and
the same file is the pure fallback: a wheel built without a C compiler or without mypyc
simply ships the ``.py`` files alone, and a compiled wheel ships both (Python loads the
extension module when one sits next to the source).

``calendar`` and ``words`` are in since their public entry points check argument types in
their own code: ``WorkingCalendar(country, subdiv)`` takes ``object`` and
``add_working_days(d, n)`` a ``SupportsIndex``, which mypyc does not check on entry (it would
check a ``str`` or ``int`` parameter itself, with its own message, "int object expected; got
str", not the calendar's ``TypeError`` naming the argument), and the day count is bounded
before it indexes a table (an index past a C ``ssize_t`` is OverflowError in compiled code, not
CalendarRangeError); ``words._render`` declares ``chosen: tuple[Any, ...]``, which it first
gives one item and then more (mypyc fixes a tuple's length at the first assignment otherwise).

Left out on purpose: ``findings``, ``case`` and ``pack.model`` (pydantic models, or classes
whose ``__class__`` is swapped, which mypyc's native classes refuse), and ``engine`` (tests
replace its functions, which a compiled module would call directly, past the replacement).
The rest (the command line, pack loading, readers, output, pages, schemas, ``_fastcase``)
run once per pack or per file, or spend their time in pydantic, msgspec, YAML or I/O: not
hot per case, so compiling them would add build time and risk for no measurable gain.
"""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec

__all__ = ["COMPILED_CANDIDATES", "compiled_modules"]

#: the modules handed to mypyc, in one group (``cprules._native``) so calls between them are native
COMPILED_CANDIDATES: tuple[str, ...] = (
    "cprules.timeline",
    "cprules.calendar",
    "cprules.words",
    "cprules.rules.verdict",
    "cprules.rules.age_limit",
    "cprules.rules.alternation",
    "cprules.rules.cessation",
    "cprules.rules.condition",
    "cprules.rules.deadline",
    "cprules.rules.decision",
    "cprules.rules.escalation",
    "cprules.rules.interval",
    "cprules.rules.minimum_duration",
    "cprules.rules.sustained_change",
    "cprules.rules.window",
)


def _is_extension(origin: str | None) -> bool:
    return origin is not None and origin.endswith(tuple(EXTENSION_SUFFIXES))


def compiled_modules() -> tuple[str, ...]:
    """The modules of cprules running as compiled (mypyc) code; ``()`` for a pure install.

    A module already imported is judged by the file it was loaded from, any other by the
    file an import would load (without importing it).

    >>> set(compiled_modules()) <= set(COMPILED_CANDIDATES)
    True
    """
    found = []
    for name in COMPILED_CANDIDATES:
        module = sys.modules.get(name)
        if module is not None:
            origin = getattr(module, "__file__", None)
        else:
            spec = find_spec(name)
            origin = spec.origin if spec is not None else None
        if _is_extension(origin):
            found.append(name)
    return tuple(found)
