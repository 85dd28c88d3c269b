"""What a pack change does to a caseload, before it ships (``cprules pack diff OLD NEW CASES``).

:func:`rule_changes` compares two packs rule by rule (added, removed, changed and which fields);
:func:`diff_caseload` reads each case once, evaluates it under both packs, and counts, rule by
rule, the findings whose status changes (``late -> met: 2,910``) and those whose status stays
but whose due date, date done or lateness moves, with a few example cases of each kind of
change (the two findings side by side), and each rule's compliance before and after. Memory
stays flat however long the caseload: only counts and a bounded number of examples are kept.

Findings are matched by their stable key (rule id, trigger event, occurrence): a finding that
exists under one pack only (a rule added or removed, a trigger that one pack's selector takes
and the other's does not) changes from or to ``absent``.

Pure: no I/O, no clock; ``as_of`` is passed. With ``jobs > 1`` worker processes load both packs
from their folders and send back only what changed.

>>> from datetime import date
>>> import cprules
>>> case = {"case_id": "A-1", "child": {"date_of_birth": "2018-05-10"}, "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"}]}
>>> england = cprules.load_pack("england")
>>> diff = diff_caseload([case], england, england, as_of=date(2024, 6, 1))
>>> diff.changed, diff.cases, diff.status_changes
(False, 1, ())
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from cprules.case import Case, parse_case
from cprules.engine import evaluate
from cprules.errors import CaseError, EvaluationError
from cprules.findings import Finding, Report
from cprules.pack.loader import Pack, load_pack
from cprules.summary import percent

__all__ = [
    "ABSENT",
    "DetailChange",
    "Example",
    "PackDiff",
    "RuleChange",
    "RuleCompliance",
    "StatusChange",
    "diff_caseload",
    "rule_changes",
]

#: the "status" of a finding that one pack gives and the other does not
ABSENT = "absent"

CaseInput = Case | Mapping[str, Any] | str | bytes | CaseError

#: statuses counted in "% on time" and "% compliant" (SPEC §8); the rest are not counted
_ON_TIME = ("met", "late", "overdue", "missed")
_COMPLIANT = (*_ON_TIME, "violated")
#: the finding fields whose change, with the status the same, is a change of detail
_DETAILS = ("due", "occurred_on", "working_days_late", "calendar_days_late")


@dataclass(frozen=True)
class RuleChange:
    """A rule added, removed, or changed between the two packs (and which of its fields)."""

    rule_id: str
    change: Literal["added", "removed", "changed"]
    title: str
    fields: tuple[str, ...] = ()
    """For a changed rule: the fields whose value differs (``within``, ``citation``...)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule_id": self.rule_id,
            "change": self.change,
            "title": self.title,
            "fields": list(self.fields),
        }


def _rule_data(pack: Pack) -> dict[str, dict[str, Any]]:
    return {rule.id: rule.model_dump(mode="json", exclude_none=True, by_alias=True) for rule in pack.rules}


def rule_changes(old: Pack, new: Pack) -> list[RuleChange]:
    """The rules added, removed and changed from ``old`` to ``new``, in pack order (new's, then
    the removed ones in old's).

    >>> import cprules
    >>> [(c.rule_id, c.change) for c in rule_changes(cprules.load_pack("england"),
    ...                                                cprules.load_pack("stoke"))][:2]
    [('first-core-group', 'changed'), ('cessation-route', 'changed')]
    """
    before, after = _rule_data(old), _rule_data(new)
    changes: list[RuleChange] = []
    for rule in new.rules:
        if rule.id not in before:
            changes.append(RuleChange(rule.id, "added", rule.title))
            continue
        was, now = before[rule.id], after[rule.id]
        fields = tuple(name for name in dict.fromkeys([*now, *was]) if was.get(name) != now.get(name))
        if fields:
            changes.append(RuleChange(rule.id, "changed", rule.title, fields))
    for rule in old.rules:
        if rule.id not in after:
            changes.append(RuleChange(rule.id, "removed", rule.title))
    return changes


def _calendar_changes(old: Pack, new: Pack) -> tuple[str, ...]:
    was, now = old.calendar, new.calendar
    return tuple(
        name for name in ("country", "subdiv", "closures") if getattr(was, name) != getattr(now, name)
    )


@dataclass(frozen=True)
class Example:
    """One case that shows a kind of change: the finding under each pack (None: absent)."""

    case_id: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"case_id": self.case_id, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class StatusChange:
    """Findings of one rule whose status changed from ``old`` to ``new``, and how many."""

    rule_id: str
    old: str
    new: str
    count: int
    examples: tuple[Example, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule_id": self.rule_id,
            "old": self.old,
            "new": self.new,
            "count": self.count,
            "examples": [example.to_dict() for example in self.examples],
        }


@dataclass(frozen=True)
class DetailChange:
    """Findings of one rule whose status stayed ``status`` but whose due date, date done or
    lateness changed (a deadline moved, say, with every core group still on time)."""

    rule_id: str
    status: str
    count: int
    fields: tuple[str, ...]
    """Which of due, occurred_on, working_days_late, calendar_days_late changed (in any)."""
    examples: tuple[Example, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule_id": self.rule_id,
            "status": self.status,
            "count": self.count,
            "fields": list(self.fields),
            "examples": [example.to_dict() for example in self.examples],
        }


@dataclass(frozen=True)
class RuleCompliance:
    """One rule's figures over the caseload under each pack (None: the pack has no such rule,
    or nothing fell due)."""

    rule_id: str
    title: str
    old_counts: Mapping[str, int]
    new_counts: Mapping[str, int]

    @staticmethod
    def _percent(counts: Mapping[str, int], statuses: tuple[str, ...]) -> float | None:
        return percent(counts.get("met", 0), sum(counts.get(s, 0) for s in statuses))

    @property
    def old_on_time(self) -> float | None:
        """% on time under the old pack: met / (met + late + overdue + missed)."""
        return self._percent(self.old_counts, _ON_TIME)

    @property
    def new_on_time(self) -> float | None:
        """% on time under the new pack."""
        return self._percent(self.new_counts, _ON_TIME)

    @property
    def old_compliant(self) -> float | None:
        """% compliant under the old pack: met / (met + late + overdue + missed + violated)."""
        return self._percent(self.old_counts, _COMPLIANT)

    @property
    def new_compliant(self) -> float | None:
        """% compliant under the new pack."""
        return self._percent(self.new_counts, _COMPLIANT)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "old": {
                "counts": dict(self.old_counts),
                "on_time": self.old_on_time,
                "compliant": self.old_compliant,
            },
            "new": {
                "counts": dict(self.new_counts),
                "on_time": self.new_on_time,
                "compliant": self.new_compliant,
            },
        }


@dataclass(frozen=True)
class PackDiff:
    """What changes from ``old`` to ``new`` over a caseload."""

    old_pack: Mapping[str, str]
    """id, version and digest of the old pack."""
    new_pack: Mapping[str, str]
    as_of: date
    rules: tuple[RuleChange, ...]
    calendar: tuple[str, ...]
    """The calendar settings that changed (country, subdiv, closures)."""
    cases: int
    unreadable: int
    """Cases that could not be read (the same under both packs)."""
    evaluation_errors: Mapping[str, tuple[int, int]]
    """Rule id -> cases on which it failed under the old pack and under the new."""
    status_changes: tuple[StatusChange, ...]
    detail_changes: tuple[DetailChange, ...]
    compliance: tuple[RuleCompliance, ...]

    @property
    def changed(self) -> bool:
        """Whether anything changes: a rule, the calendar, or a finding of any case."""
        errors_differ = any(old != new for old, new in self.evaluation_errors.values())
        return bool(
            self.rules or self.calendar or self.status_changes or self.detail_changes or errors_differ
        )

    @property
    def findings_changed(self) -> int:
        """Findings whose status or details differ."""
        return sum(c.count for c in self.status_changes) + sum(c.count for c in self.detail_changes)

    def to_dict(self) -> dict[str, Any]:
        """The whole diff as JSON-ready values."""
        return {
            "old": dict(self.old_pack),
            "new": dict(self.new_pack),
            "as_of": self.as_of.isoformat(),
            "changed": self.changed,
            "cases": self.cases,
            "unreadable": self.unreadable,
            "rules": [change.to_dict() for change in self.rules],
            "calendar": list(self.calendar),
            "evaluation_errors": {
                rule_id: {"old": old, "new": new} for rule_id, (old, new) in self.evaluation_errors.items()
            },
            "status_changes": [change.to_dict() for change in self.status_changes],
            "detail_changes": [change.to_dict() for change in self.detail_changes],
            "compliance": [rule.to_dict() for rule in self.compliance],
        }


# -- one case ---------------------------------------------------------------------------------

#: (rule id, old status, new status, old finding, new finding): finding dicts only for examples
_Change = tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]
#: (rule id, status, changed detail fields, old finding, new finding)
_Detail = tuple[str, str, tuple[str, ...], dict[str, Any] | None, dict[str, Any] | None]


@dataclass
class _CaseDiff:
    """What one case contributes: small enough to send back from a worker."""

    case_id: str | None
    readable: bool = True
    old_counts: list[tuple[str, str]] = field(default_factory=list)
    new_counts: list[tuple[str, str]] = field(default_factory=list)
    old_error: str | None = None
    new_error: str | None = None
    changes: list[_Change] = field(default_factory=list)
    details: list[_Detail] = field(default_factory=list)


def _outcome(case: Case, pack: Pack, as_of: date) -> Report | EvaluationError:
    try:
        return evaluate(case, pack, as_of=as_of)
    except EvaluationError as exc:
        return exc


def _case_diff(
    item: CaseInput, old: Pack, new: Pack, as_of: date, wanted: Callable[[tuple[Any, ...]], bool]
) -> _CaseDiff:
    """Evaluate one case under both packs and compare. ``wanted(kind)`` says whether an example
    of that kind of change is still wanted (so finding dicts are built only for those)."""
    if isinstance(item, CaseError):
        return _CaseDiff(item.case_id, readable=False)
    try:
        case = item if isinstance(item, Case) else parse_case(item)
    except CaseError as exc:
        return _CaseDiff(exc.case_id, readable=False)
    result = _CaseDiff(case.case_id)
    before, after = _outcome(case, old, as_of), _outcome(case, new, as_of)
    old_findings: dict[str, Finding] = {}
    new_findings: dict[str, Finding] = {}
    if isinstance(before, Report):
        old_findings = {f.key: f for f in before.findings}
        result.old_counts = [(f.rule_id, f.status.value) for f in before.findings]
    else:
        result.old_error = before.rule_id or ""
    if isinstance(after, Report):
        new_findings = {f.key: f for f in after.findings}
        result.new_counts = [(f.rule_id, f.status.value) for f in after.findings]
    else:
        result.new_error = after.rule_id or ""
    if not isinstance(before, Report) or not isinstance(after, Report):
        return result  # a rule failed under one pack: counted as an error, not compared
    for key in dict.fromkeys([*new_findings, *old_findings]):
        was, now = old_findings.get(key), new_findings.get(key)
        rule_id = (now or was).rule_id  # type: ignore[union-attr]  # one of them exists
        old_status = was.status.value if was is not None else ABSENT
        new_status = now.status.value if now is not None else ABSENT
        if old_status != new_status:
            kind: tuple[Any, ...] = ("status", rule_id, old_status, new_status)
            shown = wanted(kind)
            result.changes.append(
                (
                    rule_id,
                    old_status,
                    new_status,
                    was.to_dict() if shown and was is not None else None,
                    now.to_dict() if shown and now is not None else None,
                )
            )
            continue
        assert was is not None and now is not None
        moved = tuple(name for name in _DETAILS if getattr(was, name) != getattr(now, name))
        if moved:
            kind = ("detail", rule_id, old_status)
            shown = wanted(kind)
            result.details.append(
                (
                    rule_id,
                    old_status,
                    moved,
                    was.to_dict() if shown else None,
                    now.to_dict() if shown else None,
                )
            )
    return result


# -- the caseload -----------------------------------------------------------------------------


class _Tally:
    """The running totals of a diff (flat: counts and at most ``examples`` cases a kind)."""

    def __init__(self, examples: int) -> None:
        self.examples = examples
        self.cases = 0
        self.unreadable = 0
        self.old_counts: Counter[tuple[str, str]] = Counter()
        self.new_counts: Counter[tuple[str, str]] = Counter()
        self.errors: dict[str, list[int]] = {}
        self.status: Counter[tuple[str, str, str]] = Counter()
        self.detail: Counter[tuple[str, str]] = Counter()
        self.detail_fields: dict[tuple[str, str], set[str]] = {}
        self.shown: dict[tuple[Any, ...], list[Example]] = {}

    def wanted(self, kind: tuple[Any, ...]) -> bool:
        return len(self.shown.get(kind, ())) < self.examples

    def add(self, diff: _CaseDiff) -> None:
        self.cases += 1
        if not diff.readable:
            self.unreadable += 1
            return
        self.old_counts.update(diff.old_counts)
        self.new_counts.update(diff.new_counts)
        for side, rule_id in ((0, diff.old_error), (1, diff.new_error)):
            if rule_id is not None:
                self.errors.setdefault(rule_id, [0, 0])[side] += 1
        case_id = diff.case_id or ""
        for rule_id, old_status, new_status, was, now in diff.changes:
            self.status[(rule_id, old_status, new_status)] += 1
            self._example(("status", rule_id, old_status, new_status), case_id, was, now)
        for rule_id, status, moved, was, now in diff.details:
            self.detail[(rule_id, status)] += 1
            self.detail_fields.setdefault((rule_id, status), set()).update(moved)
            self._example(("detail", rule_id, status), case_id, was, now)

    def _example(self, kind: tuple[Any, ...], case_id: str, was: Any, now: Any) -> None:
        if (was is None and now is None) or not self.wanted(kind):
            return
        self.shown.setdefault(kind, []).append(Example(case_id, was, now))


def diff_caseload(
    cases: Iterable[CaseInput],
    old: Pack,
    new: Pack,
    *,
    as_of: date,
    jobs: int = 1,
    examples: int = 3,
    chunk_size: int = 200,
    on_case: Callable[[], object] | None = None,
) -> PackDiff:
    """Evaluate every case under ``old`` and ``new`` (each case read once) and say what changes.

    ``cases`` are :class:`~cprules.Case` objects, mappings, JSON text, or the
    :class:`~cprules.CaseError` a reader gave for a case it could not read (counted as
    unreadable). ``examples`` cases are kept for each kind of change; ``on_case`` is called once
    per case (a progress bar). With ``jobs > 1``, worker processes evaluate chunks of
    ``chunk_size`` cases, at most ``2 * jobs`` chunks in flight.
    """
    tally = _Tally(examples)
    for diff in _case_diffs(cases, old, new, as_of, jobs, chunk_size, tally):
        tally.add(diff)
        if on_case is not None:
            on_case()
    return _result(tally, old, new, as_of)


def _case_diffs(
    cases: Iterable[CaseInput], old: Pack, new: Pack, as_of: date, jobs: int, chunk_size: int, tally: _Tally
) -> Iterator[_CaseDiff]:
    if jobs <= 1:
        for item in cases:
            yield _case_diff(item, old, new, as_of, tally.wanted)
        return
    source = iter(cases)
    pending: deque[Future[list[_CaseDiff]]] = deque()
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(str(old.path), str(new.path))
    ) as pool:
        while True:
            while len(pending) < 2 * jobs:
                chunk = list(islice(source, chunk_size))
                if not chunk:
                    break
                # each worker sends the finding dicts of a few examples a chunk; the parent keeps the first
                pending.append(pool.submit(_worker_chunk, chunk, as_of, tally.examples))
            if not pending:
                return
            yield from pending.popleft().result()


_WORKER_PACKS: dict[str, Pack] = {}


def _init_worker(old_path: str, new_path: str) -> None:
    _WORKER_PACKS["old"] = _cached_pack(old_path)
    _WORKER_PACKS["new"] = _cached_pack(new_path)


@lru_cache(maxsize=8)
def _cached_pack(pack_path: str) -> Pack:
    return load_pack(Path(pack_path))


def _worker_chunk(chunk: list[CaseInput], as_of: date, examples: int) -> list[_CaseDiff]:
    old, new = _WORKER_PACKS["old"], _WORKER_PACKS["new"]
    shown: Counter[tuple[Any, ...]] = Counter()

    def wanted(kind: tuple[Any, ...]) -> bool:
        shown[kind] += 1
        return shown[kind] <= examples

    return [_case_diff(item, old, new, as_of, wanted) for item in chunk]


def _result(tally: _Tally, old: Pack, new: Pack, as_of: date) -> PackDiff:
    order = {
        rule_id: position for position, rule_id in enumerate(dict.fromkeys([*new.rule_ids, *old.rule_ids]))
    }

    def rank(rule_id: str) -> int:
        return order.get(rule_id, len(order))

    status_changes = tuple(
        StatusChange(
            rule_id,
            was,
            now,
            count,
            tuple(tally.shown.get(("status", rule_id, was, now), ())),
        )
        for (rule_id, was, now), count in sorted(
            tally.status.items(), key=lambda item: (rank(item[0][0]), -item[1])
        )
    )
    detail_changes = tuple(
        DetailChange(
            rule_id,
            status,
            count,
            tuple(name for name in _DETAILS if name in tally.detail_fields[(rule_id, status)]),
            tuple(tally.shown.get(("detail", rule_id, status), ())),
        )
        for (rule_id, status), count in sorted(
            tally.detail.items(), key=lambda item: (rank(item[0][0]), -item[1])
        )
    )
    titles = {rule.id: rule.title for rule in (*old.rules, *new.rules)}
    compliance = tuple(
        RuleCompliance(
            rule_id,
            titles.get(rule_id, rule_id),
            {status: n for (rule, status), n in tally.old_counts.items() if rule == rule_id},
            {status: n for (rule, status), n in tally.new_counts.items() if rule == rule_id},
        )
        for rule_id in order
    )
    return PackDiff(
        old_pack={"id": old.id, "version": old.version, "digest": old.digest},
        new_pack={"id": new.id, "version": new.version, "digest": new.digest},
        as_of=as_of,
        rules=tuple(rule_changes(old, new)),
        calendar=_calendar_changes(old, new),
        cases=tally.cases,
        unreadable=tally.unreadable,
        evaluation_errors={rule_id: (sides[0], sides[1]) for rule_id, sides in tally.errors.items()},
        status_changes=status_changes,
        detail_changes=detail_changes,
        compliance=compliance,
    )
