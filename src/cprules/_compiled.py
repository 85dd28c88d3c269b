"""Which modules of cprules may be compiled by mypyc, and which of them are.

``COMPILED_CANDIDATES`` is the one list of modules the build hook (``hatch_build.py``) and
the developer command (``bench/compile.py``) hand to mypyc. Each is plain typed Python, and
the same file is the pure fallback: a wheel built without a C compiler or without mypyc
simply ships the ``.py`` files alone, and a compiled wheel ships both (Python loads the
extension module when one sits next to the source).

Left out on purpose: ``calendar`` (it compiles, but mypyc checks argument types on entry
with its own messages, "int object expected; got str", where the calendar's promise is a
``TypeError`` naming the argument, and a count beyond a C ``ssize_t`` raises OverflowError
rather than CalendarRangeError; compiling it needs ``object``-typed public entry points);
``findings``, ``case`` and ``pack.model`` (pydantic models, or classes whose ``__class__`` is
swapped), and ``engine`` (tests replace its functions, which a compiled
module would call directly, past the replacement), and ``words``: mypyc compiles it, but
``_render`` gives one variable first a one-item tuple and then a longer one, which mypy's
inference allows (the items are ``Any``) and mypyc's fixed-length tuple refuses at run time
(``chosen: tuple[Any, ...]`` declared there would let it in).
"""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec

__all__ = ["COMPILED_CANDIDATES", "compiled_modules"]

#: the modules handed to mypyc, in one group (``cprules._native``) so calls between them are native
COMPILED_CANDIDATES: tuple[str, ...] = (
    "cprules.timeline",
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
