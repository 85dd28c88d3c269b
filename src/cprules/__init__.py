"""cprules: a rules engine for UK child protection procedures.

Read a child's case timeline and an authority's policy pack; get typed compliance findings,
each citing the procedure's paragraph and showing its arithmetic.

>>> import cprules
>>> from datetime import date
>>> pack = cprules.load_pack("stoke")
>>> case = cprules.parse_case({"case_id": "A-17", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...     {"id": "cg1", "type": "core_group", "date": "2024-04-05", "status": "held",
...      "minutes_circulated": "2024-04-08"}]})
>>> report = cprules.evaluate(case, pack, as_of=date(2024, 4, 30))
>>> [(f.key, f.status.value, f.working_days_late) for f in report.breaches][:1]
[('first-core-group@ic#1', 'late', 1)]
"""

from typing import TYPE_CHECKING, Any

from cprules._compiled import compiled_modules as compiled_modules
from cprules._version import __version__
from cprules.errors import (
    CalendarError,
    CalendarRangeError,
    CaseError,
    CprulesError,
    EvaluationError,
    PackError,
    SourceError,
)

if TYPE_CHECKING:
    from cprules.calendar import WorkingCalendar
    from cprules.case import Case, Child, Episode, load_case, parse_case
    from cprules.engine import ENGINE_VERSION as ENGINE_VERSION
    from cprules.engine import evaluate, evaluate_many
    from cprules.findings import Finding, Report, Severity, Status
    from cprules.output import OutputError
    from cprules.pack import Pack, bundled_pack_ids, load_pack
    from cprules.readers import read_cases
    from cprules.summary import ComplianceSummary
    from cprules.workers import WorkerError, WorkerPool

#: every public name but the errors, by the module it comes from, loaded when first used
#: (PEP 562): the case and pack models (pydantic), YAML, the readers, the summary and the worker
#: pool cost ~300 ms to import, which a program that only catches ``cprules.CaseError``, or a
#: command's ``--help``, need not pay; ``from cprules import Case`` loads ``cprules.case`` then
_LAZY = {
    "WorkingCalendar": "cprules.calendar",
    "Case": "cprules.case",
    "Child": "cprules.case",
    "Episode": "cprules.case",
    "load_case": "cprules.case",
    "parse_case": "cprules.case",
    "ENGINE_VERSION": "cprules.engine",
    "evaluate": "cprules.engine",
    "evaluate_many": "cprules.engine",
    "Finding": "cprules.findings",
    "Report": "cprules.findings",
    "Severity": "cprules.findings",
    "Status": "cprules.findings",
    "OutputError": "cprules.output",
    "Pack": "cprules.pack",
    "bundled_pack_ids": "cprules.pack",
    "load_pack": "cprules.pack",
    "read_cases": "cprules.readers",
    "ComplianceSummary": "cprules.summary",
    "WorkerError": "cprules.workers",
    "WorkerPool": "cprules.workers",
}


def __getattr__(name: str) -> Any:
    import importlib
    import importlib.util

    module = _LAZY.get(name)
    if module is None:
        # a submodule not imported yet (``cprules.engine`` after a bare ``import cprules``, as
        # it was when the package imported it eagerly)
        if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "CalendarError",
    "CalendarRangeError",
    "Case",
    "CaseError",
    "Child",
    "ComplianceSummary",
    "CprulesError",
    "Episode",
    "EvaluationError",
    "Finding",
    "OutputError",
    "Pack",
    "PackError",
    "Report",
    "Severity",
    "SourceError",
    "Status",
    "WorkerError",
    "WorkerPool",
    "WorkingCalendar",
    "__version__",
    "bundled_pack_ids",
    "evaluate",
    "evaluate_many",
    "load_case",
    "load_pack",
    "parse_case",
    "read_cases",
]
