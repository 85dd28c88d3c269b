"""Evaluating cases against a pack: :func:`evaluate` for one, :func:`evaluate_many` for a caseload.

The core is pure: the caller passes ``as_of``; nothing here reads a clock, a file or a global
that changes results.

>>> from datetime import date
>>> import cprules
>>> case = cprules.parse_case({"case_id": "E-1", "child": {"date_of_birth": "2019-02-01"},
...     "events": [{"id": "sd", "type": "strategy_discussion", "date": "2024-03-01", "s47": True},
...                {"id": "ic", "type": "icpc", "date": "2024-03-25", "outcome": "plan"}]})
>>> report = evaluate(case, cprules.load_pack("england"), as_of=date(2024, 4, 30))
>>> finding = next(f for f in report.findings if f.rule_id == "icpc-timescale")
>>> finding.status.value, finding.due, finding.working_days_late
('late', datetime.date(2024, 3, 22), 1)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from cprules._version import __version__
from cprules.case import MAX_DATE, MIN_DATE, Case, parse_case
from cprules.errors import CalendarRangeError, CaseError, EvaluationError
from cprules.findings import BREACH_STATUSES, Finding, Report, Status
from cprules.pack.loader import Pack
from cprules.pack.model import Rule
from cprules.rules import evaluator, quiet
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline
from cprules.words import capital, need

if TYPE_CHECKING:
    from cprules.workers import WorkerError

__all__ = [
    "ENGINE_VERSION",
    "ReportText",
    "WorkerError",
    "error_record",
    "evaluate",
    "evaluate_lines",
    "evaluate_many",
    "evaluate_texts",
]


@cache
def _versions() -> dict[str, str]:
    import holidays  # imported when first asked, not with cprules (it costs ~70 ms)

    return {"cprules": __version__, "holidays": str(getattr(holidays, "__version__", "unknown"))}


class _EngineVersion(Mapping[str, str]):
    """The versions of cprules and of the holidays package, read when first asked for."""

    __slots__ = ()

    def __getitem__(self, name: str) -> str:
        return _versions()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_versions())

    def __len__(self) -> int:
        return len(_versions())

    def __repr__(self) -> str:
        return repr(_versions())


#: ``{"cprules": ..., "holidays": ...}``: what every report's ``engine_version`` says
ENGINE_VERSION: Mapping[str, str] = _EngineVersion()


def __getattr__(name: str) -> Any:
    if name == "WorkerError":  # the worker pool (and multiprocessing) load when first used
        from cprules.workers import WorkerError

        return WorkerError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CaseInput = Case | CaseError | Mapping[str, Any] | str | bytes
"""What a batch takes: a case, a case's JSON text or mapping, or a reader's :class:`CaseError`
(what :func:`cprules.read_cases` yields passes through unchanged)."""
Result = Report | CaseError | EvaluationError


def evaluate(case: Case, pack: Pack, *, as_of: date) -> Report:
    """Every finding of every rule of ``pack`` on ``case``, as at ``as_of``.

    Events (and follow-up dates) after ``as_of`` are not seen. Raises
    :class:`~cprules.EvaluationError` if a rule fails on this case, a ``TypeError`` naming the
    argument when ``case`` is not a :class:`~cprules.Case` (build one with
    :func:`~cprules.parse_case`), ``pack`` not a :class:`~cprules.Pack` or ``as_of`` not a
    ``datetime.date``, and :class:`~cprules.CalendarRangeError` when ``as_of`` is outside
    1990-01-01..2100-12-31, the years the working-day calendar knows.

    Thread-safe: any number of threads may evaluate cases over one pack at once. A pack, a
    case and a calendar are immutable; what ``evaluate`` caches on them (a case's timeline
    order, a rule's phrases) is worked out from immutable fields, so a race stores the same
    value twice, and the report is the same whichever thread wins.

    >>> from datetime import date
    >>> import cprules
    >>> england = cprules.load_pack("england")
    >>> report = evaluate(cprules.parse_case({"case_id": "A-1"}), england, as_of=date(2024, 6, 1))
    >>> [f.status.value for f in report.findings][:2]
    ['not_applicable', 'not_applicable']
    >>> try:
    ...     evaluate({"case_id": "A-1"}, england, as_of=date(2024, 6, 1))
    ... except TypeError as error:
    ...     print(str(error)[:49])
    evaluate() argument 'case' must be a cprules.Case
    """
    if not isinstance(case, Case):
        raise TypeError(
            "evaluate() argument 'case' must be a cprules.Case (cprules.parse_case builds one from a "
            f"dict or JSON text), not {type(case).__name__}"
        )
    if not isinstance(pack, Pack):
        raise TypeError(
            "evaluate() argument 'pack' must be a cprules.Pack (cprules.load_pack loads one), "
            f"not {type(pack).__name__}"
        )
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise TypeError(f"evaluate() argument 'as_of' must be a datetime.date, not {type(as_of).__name__}")
    if not MIN_DATE <= as_of <= MAX_DATE:
        raise CalendarRangeError(
            f"evaluate() argument 'as_of' must lie in {MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}, "
            "the years the working-day calendar knows"
        )
    timeline = Timeline.build(case, as_of, pack.calendar)
    steps = _STEPS.get(pack)
    if steps is None:
        steps = _STEPS[pack] = tuple(_Step(rule) for rule in pack.rules)
    findings: list[Finding] = []
    for step in steps:
        findings.extend(_run(step, timeline, pack))
    deferring = _PLANS.get(pack)
    if deferring is None:
        deferring = _PLANS[pack] = _deferrals(tuple((rule.id, rule.defers_to) for rule in pack.rules))
    if deferring:
        findings = _defer(findings, deferring, pack, timeline)
    return Report(
        case_id=case.case_id,
        pack_id=pack.id,
        pack_version=pack.version,
        pack_digest=pack.digest,
        engine_version=dict(_versions()),
        as_of=as_of,
        findings=tuple(findings),
    )


class _Step:
    """One rule of a pack as the engine runs it, worked out once per pack: when it is quiet
    (:class:`~cprules.rules.Quiet`), and its findings then."""

    __slots__ = ("fixed", "quiet", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.quiet = quiet(rule)
        #: the rule's findings on a case where it is quiet: those of the first such case (the
        #: kind's promise makes them the same on every other); immutable, so shared
        self.fixed: tuple[Finding, ...] | None = None


def _run(step: _Step, timeline: Timeline, pack: Pack) -> Sequence[Finding]:
    rule = step.rule
    if rule.applies_when is not None or timeline.records is not None:
        screened = _screen(rule, timeline, pack)
        if screened is not None:
            return screened
    quiet = step.quiet
    if quiet is not None and quiet.holds(timeline):
        if step.fixed is not None:
            return step.fixed  # a rule whose triggers are absent costs a look-up, not a run
        return _call(step, timeline, keep=True)
    return _call(step, timeline, keep=False)


def _screen(rule: Rule, timeline: Timeline, pack: Pack) -> list[Finding] | None:
    """The finding of a rule that cannot run on this case: it applies only to other
    authorities, or the case's source does not record what it needs. None when it can run."""
    if rule.applies_when is not None:
        holds = rule.applies_when.holds(timeline.case.authority)
        if holds is None:
            return [
                Verdicts(rule, timeline).undetermined(
                    "The rule applies only to some authorities and the case does not say its authority"
                )
            ]
        if not holds:
            verdicts = Verdicts(rule, timeline)
            return [verdicts.not_applicable("The rule does not apply to this case's authority")]
    if timeline.records is not None:
        missing = sorted(need for need in pack.rule_needs[rule.id] if not timeline.recorded(need))
        if missing:
            # a source without visits need not also be said to lack the outcome of a visit
            types = {need for need in missing if "." not in need}
            missing = [need for need in missing if need.partition(".")[0] not in types or need in types]
            what = " or ".join(_need_label(need) for need in missing[:3])
            return [Verdicts(rule, timeline).undetermined(f"The source does not record {what}")]
    return None


def _call(step: _Step, timeline: Timeline, *, keep: bool) -> Sequence[Finding]:
    """What the rule's kind finds on ``timeline``; with ``keep``, kept as the rule's findings
    whenever it is quiet."""
    rule = step.rule
    verdicts = Verdicts(rule, timeline)
    try:
        findings = evaluator(rule.kind)(rule, timeline, verdicts)
    except CalendarRangeError:
        # A valid case may hold any date to 2100-12-31, but a date worked out from one (10
        # working days after an ICPC on 2100-12-24) can fall past the years whose public
        # holidays are known: the rule cannot say when that falls due (docs/counting.md).
        return [
            verdicts.undetermined(
                "A date this rule works out falls outside 1990 to 2100, the years whose public "
                "holidays the working-day calendar knows, so it cannot say when this falls due"
            )
        ]
    except Exception as exc:  # a bug must not kill a caseload run: report it for this case
        raise EvaluationError(
            f"the rule failed ({type(exc).__name__})", case_id=timeline.case.case_id, rule_id=rule.id
        ) from exc
    if not findings:  # every rule reports (docs/statuses.md)
        findings = [verdicts.not_applicable("Nothing in the timeline triggered this rule")]
    if keep:
        step.fixed = tuple(findings)
    return findings


def _need_label(entry: str) -> str:
    return need(entry)


@lru_cache(maxsize=64)
def _deferrals(rules: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The rules that defer to others (one act, one breach: SPEC §3), each with the rules of the
    pack it may defer to, in an order where every rule comes after those it defers to (a cycle
    is broken at the rule met first in pack order). Empty when no rule defers."""
    present = {rule_id for rule_id, _ in rules}
    targets = {
        rule_id: tuple(t for t in defers if t in present and t != rule_id) for rule_id, defers in rules
    }
    if not any(targets.values()):
        return ()
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(rule_id: str) -> None:
        state[rule_id] = 1
        for target in targets[rule_id]:
            if state.get(target) is None:
                visit(target)
        state[rule_id] = 2
        order.append(rule_id)

    for rule_id, _ in rules:
        if state.get(rule_id) is None:
            visit(rule_id)
    return tuple((rule_id, targets[rule_id]) for rule_id in order if targets[rule_id])


def _defer(
    findings: list[Finding],
    deferring: tuple[tuple[str, tuple[str, ...]], ...],
    pack: Pack,
    timeline: Timeline,
) -> list[Finding]:
    """Each finding of a deferring rule on an event another rule reports on (the first of its
    ``defers_to`` with a finding on that trigger that is not ``undetermined``, other than one
    that itself deferred) becomes ``not_applicable``, naming that rule. A breach also defers to
    a breach of such a rule that names its trigger among its evidence: the act one rule reports
    on the event that set the duty (section 20 accommodation), the other on the event that broke
    it (the plan end)."""
    deferrers = {rule_id for rule_id, _ in deferring}
    targets = {target for _, named in deferring for target in named}
    # (rule id, trigger) a rule reports on itself: an undetermined finding does not (the rule
    # may not even concern the event), a not_applicable one does (its obligation lapsed, or it
    # waits for the next conference: the act is its to report)
    reports: set[tuple[str, str]] = set()
    broken: set[tuple[str, str]] = set()  # (rule id, event) a breach of the rule names as evidence
    mine: dict[str, list[int]] = {}
    for index, finding in enumerate(findings):
        rule_id = finding.rule_id
        trigger = finding.trigger_event
        if trigger is None:
            continue
        if rule_id in targets and finding.status is not Status.UNDETERMINED:
            reports.add((rule_id, trigger))
            if finding.status in BREACH_STATUSES:
                broken.update((rule_id, evidence) for evidence in finding.evidence_events)
        if rule_id in deferrers:
            mine.setdefault(rule_id, []).append(index)
    if not mine:
        return findings
    replaced: dict[int, Finding] = {}
    for rule_id, named in deferring:
        verdicts: Verdicts | None = None
        for index in mine.get(rule_id, ()):
            finding = findings[index]
            trigger = finding.trigger_event
            assert trigger is not None
            chosen = next((t for t in named if (t, trigger) in reports), None)
            if chosen is None and finding.status in BREACH_STATUSES:
                chosen = next((t for t in named if (t, trigger) in broken), None)
            if chosen is None:
                continue
            if verdicts is None:
                verdicts = Verdicts(pack.rule(rule_id), timeline)
            position = timeline.position_of(trigger)
            event = timeline.events[position] if position is not None else None
            what = capital(event.label) if event is not None else "This event"
            replaced[index] = verdicts.finding(
                Status.NOT_APPLICABLE,
                f"{what} is reported under “{pack.rule(chosen).title}”, the rule this one defers "
                "to: one act gives one finding.",
                trigger=event,
                occurrence=int(finding.key.rsplit("#", 1)[1]),
            )
            reports.discard((rule_id, trigger))  # a rule that deferred reports nothing to defer to
    if not replaced:
        return findings
    return [replaced.get(index, finding) for index, finding in enumerate(findings)]



#: each pack's deferring rules, worked out once per pack (a pure cache: packs are immutable)
_PLANS: WeakKeyDictionary[Pack, tuple[tuple[str, tuple[str, ...]], ...]] = WeakKeyDictionary()
#: each pack's rules as the engine runs them (a cache: what a step keeps is the same whichever
#: case or thread stores it first)
_STEPS: WeakKeyDictionary[Pack, tuple[_Step, ...]] = WeakKeyDictionary()


def _evaluate_one(item: CaseInput, pack: Pack, as_of: date) -> Result:
    if isinstance(item, CaseError):  # a reader's error for a case it could not read: keep it
        return item
    try:
        case = item if isinstance(item, Case) else parse_case(item)
    except CaseError as exc:
        return exc
    try:
        return evaluate(case, pack, as_of=as_of)
    except EvaluationError as exc:
        return exc


def evaluate_many(
    cases: Iterable[CaseInput],
    pack: Pack,
    *,
    as_of: date,
    jobs: int = 1,
    chunk_size: int = 200,
) -> Iterator[Result]:
    """Evaluate a caseload: one result per input case, streamed, in input order.

    Each result is a :class:`~cprules.Report`, a :class:`~cprules.CaseError` for a case that
    could not be read (a reader's ``CaseError`` in ``cases`` comes out unchanged), or an
    :class:`~cprules.EvaluationError` for a case on which a rule failed; the batch goes on
    either way. With ``jobs > 1`` worker processes evaluate chunks of ``chunk_size`` cases,
    with at most ``2 * jobs`` chunks in flight, so memory stays flat however long the input;
    each worker evaluates a copy of ``pack`` itself (never a reload from disk).

    When ``cases`` raises part-way (a file that breaks off), every result before the failure
    comes out first, then the exception. A worker process that dies (the out-of-memory killer)
    raises :class:`WorkerError` after every result before the cases it held.

    >>> from datetime import date
    >>> import cprules
    >>> results = list(evaluate_many(['{"case_id": "A"}', '{"case_id": ""}'],
    ...                cprules.load_pack("england"), as_of=date(2024, 6, 1)))
    >>> [type(r).__name__ for r in results]
    ['Report', 'CaseError']
    """
    if jobs <= 1:
        for item in cases:
            yield _evaluate_one(item, pack, as_of)
        return
    from cprules.workers import run_in_workers

    yield from run_in_workers(cases, _worker_chunk, (pack, as_of), jobs=jobs, chunk_size=chunk_size)


def error_record(error: CaseError | EvaluationError) -> dict[str, Any]:
    """The batch output for a case that gave no report (docs/report-format.md).

    >>> error = CaseError("required field is missing", case_id="A", path="events[0].date")
    >>> error_record(error)["error"]["kind"]
    'case'
    """
    is_case = isinstance(error, CaseError)
    return {
        "case_id": error.case_id,
        "error": {
            "kind": "case" if is_case else "evaluation",
            "path": error.path if isinstance(error, CaseError) else None,
            "rule_id": error.rule_id if isinstance(error, EvaluationError) else None,
            "message": error.reason,
        },
    }


def _line_of(result: Result) -> str:
    if isinstance(result, Report):
        try:
            return result.to_json()
        except Exception as exc:  # text that is not valid Unicode, say: this case's error row
            result = _unwritable(result, exc)
    return json.dumps(error_record(result), ensure_ascii=False)


def _unwritable(report: Report, exc: Exception) -> EvaluationError:
    return EvaluationError(
        f"the report could not be written as JSON ({type(exc).__name__})", case_id=report.case_id
    )


@dataclass(frozen=True, slots=True)
class ReportText:
    """A report already written as JSON, with the few figures per finding a summary needs.

    What a worker process sends back in :func:`evaluate_texts`: moving text and small tuples
    between processes costs a fraction of moving findings.
    """

    case_id: str
    json: str
    findings: tuple[tuple[str, str, str, int | None], ...]
    """(rule id, severity, status, working days late) per finding."""

    @classmethod
    def of(cls, report: Report) -> ReportText:
        """The text and figures of ``report``."""
        return cls(
            report.case_id,
            report.to_json(),
            tuple(
                (f.rule_id, f.severity.value, f.status.value, f.working_days_late) for f in report.findings
            ),
        )


def _text_of(item: CaseInput, pack: Pack, as_of: date) -> ReportText | CaseError | EvaluationError:
    result = _evaluate_one(item, pack, as_of)
    if not isinstance(result, Report):
        return result
    try:
        return ReportText.of(result)
    except Exception as exc:  # text that is not valid Unicode, say: this case's error row
        return _unwritable(result, exc)


def evaluate_texts(
    cases: Iterable[CaseInput],
    pack: Pack,
    *,
    as_of: date,
    jobs: int = 1,
    chunk_size: int = 200,
) -> Iterator[ReportText | CaseError | EvaluationError]:
    """Like :func:`evaluate_many`, but each report comes back as :class:`ReportText`.

    With ``jobs > 1`` the workers parse, evaluate and serialise; the parent only moves text (this
    is what ``cprules batch`` uses for JSON Lines out).

    >>> from datetime import date
    >>> import cprules
    >>> [result] = evaluate_texts(['{"case_id": "A"}'], cprules.load_pack("england"), as_of=date(2024, 6, 1))
    >>> result.case_id, result.findings[0][2]
    ('A', 'not_applicable')
    """
    if jobs <= 1:
        for item in cases:
            yield _text_of(item, pack, as_of)
        return
    from cprules.workers import run_in_workers

    yield from run_in_workers(cases, _worker_texts, (pack, as_of), jobs=jobs, chunk_size=chunk_size)


def evaluate_lines(
    lines: Iterable[CaseInput],
    pack: Pack,
    *,
    as_of: date,
    jobs: int = 1,
    chunk_size: int = 200,
) -> Iterator[str]:
    """JSON Lines in, JSON Lines out: one output line per input case, in input order.

    Each output line is a report as :meth:`Report.to_json` writes it, or an error record
    (:func:`error_record`). ``lines`` may hold what :func:`evaluate_many` takes as well (cases,
    a reader's errors). With ``jobs > 1`` the workers parse and serialise, so the parent only
    moves text; at most ``2 * jobs`` chunks are in flight.

    >>> from datetime import date
    >>> import cprules
    >>> out = list(evaluate_lines(['{"case_id": "A"}', '{"case_id": 3}'],
    ...            cprules.load_pack("england"), as_of=date(2024, 6, 1)))
    >>> [json.loads(line).get("error", {}).get("kind") for line in out]
    [None, 'case']
    """
    if jobs <= 1:
        for line in lines:
            yield _line_of(_evaluate_one(line, pack, as_of))
        return
    from cprules.workers import run_in_workers

    yield from run_in_workers(lines, _worker_lines, (pack, as_of), jobs=jobs, chunk_size=chunk_size)


# what a worker process runs on each chunk: ``state`` is the caller's (pack, as_of), pickled once


def _worker_chunk(chunk: list[CaseInput], state: tuple[Pack, date]) -> list[Result]:
    pack, as_of = state
    return [_evaluate_one(item, pack, as_of) for item in chunk]


def _worker_texts(
    chunk: list[CaseInput], state: tuple[Pack, date]
) -> list[ReportText | CaseError | EvaluationError]:
    pack, as_of = state
    return [_text_of(item, pack, as_of) for item in chunk]


def _worker_lines(chunk: list[CaseInput], state: tuple[Pack, date]) -> list[str]:
    pack, as_of = state
    return [_line_of(_evaluate_one(item, pack, as_of)) for item in chunk]


def cpu_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
