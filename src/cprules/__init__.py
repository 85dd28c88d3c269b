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
from cprules.calendar import WorkingCalendar
from cprules.case import Case, Child, Episode, load_case, parse_case
from cprules.engine import ENGINE_VERSION as ENGINE_VERSION
from cprules.engine import evaluate, evaluate_many
from cprules.errors import (
    CalendarError,
    CalendarRangeError,
    CaseError,
    CprulesError,
    EvaluationError,
    PackError,
    SourceError,
)
from cprules.findings import Finding, Report, Severity, Status
from cprules.pack import Pack, bundled_pack_ids, load_pack

if TYPE_CHECKING:
    from cprules.output import OutputError
    from cprules.readers import read_cases
    from cprules.summary import ComplianceSummary
    from cprules.workers import WorkerError

#: names whose modules load when first used: the readers (XML, CSV), the summary and the
#: worker pool (multiprocessing) are not needed to evaluate one case
_LAZY = {
    "read_cases": "cprules.readers",
    "ComplianceSummary": "cprules.summary",
    "OutputError": "cprules.output",
    "WorkerError": "cprules.workers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

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
