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

from cprules.calendar import WorkingCalendar
from cprules.case import Case, Child, Episode, load_case, parse_case
from cprules.engine import ENGINE_VERSION, evaluate, evaluate_many
from cprules.errors import (
    CalendarRangeError,
    CaseError,
    CprulesError,
    EvaluationError,
    PackError,
    SourceError,
)
from cprules.findings import Finding, Report, Severity, Status
from cprules.pack import Pack, bundled_pack_ids, load_pack
from cprules.readers import read_cases
from cprules.summary import ComplianceSummary

__version__ = ENGINE_VERSION["cprules"]

__all__ = [
    "CalendarRangeError",
    "Case",
    "CaseError",
    "Child",
    "ComplianceSummary",
    "CprulesError",
    "Episode",
    "EvaluationError",
    "Finding",
    "Pack",
    "PackError",
    "Report",
    "Severity",
    "SourceError",
    "Status",
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
