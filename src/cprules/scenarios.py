"""Scenario tests written in YAML beside a pack, by people who are not programmers.

A file ``policies/<id>/tests/*.yaml`` holds ``schema: 1`` and ``tests:``, each a name, a case,
an ``as_of`` and the findings expected (a subset: each entry must match at least one finding).
``cprules pack test ID``, ``pytest --cprules-pack PATH`` and the project's pytest suite run
them; ``cprules pack validate`` checks them without running them.

Every mistake in a scenario file is found in one pass (:func:`check_scenario_file`): the file's
shape, each test's fields, each event of its case at its own line, an expectation naming a rule
the pack does not have or a status that does not exist.

>>> results = run_pack_tests("stoke")
>>> all(result.passed for result in results), len(results) > 0
(True, True)
"""

from __future__ import annotations

import difflib
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cprules.case import parse_case
from cprules.engine import evaluate
from cprules.errors import CaseError, CprulesError, PackError
from cprules.findings import Finding, Status
from cprules.pack.loader import Pack, load_pack
from cprules.pack.messages import problems_of
from cprules.yamlsafe import YamlDocument, YamlProblem, load_yaml

__all__ = [
    "Expectation",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "check_scenario_file",
    "describe_finding",
    "iter_pack_tests",
    "junit_xml",
    "load_scenarios",
    "run_pack_tests",
    "run_scenario",
    "scenario_files",
    "validate_scenarios",
]

_STRICT = ConfigDict(frozen=True, extra="forbid")

#: what to write for a field a test lacks
_TEST_EXAMPLES = {
    "name": '"what the test shows"',
    "case": "{child: {date_of_birth: 2018-05-10}, events: [...]}",
    "as_of": "2024-06-01",
    "expect": "[{rule: first-core-group, status: met}]",
}


class Expectation(BaseModel):
    """One expected finding: ``rule`` and any fields it must have.

    With ``count``, exactly that many findings of the rule match the other fields.
    """

    model_config = _STRICT

    rule: str
    key: str | None = None
    trigger: str | None = None
    status: Status | None = None  # every status the engine has (missed included)
    due: date | None = None
    occurred_on: date | None = None
    working_days_late: int | None = None
    calendar_days_late: int | None = None
    severity: Literal["breach", "warning", "info"] | None = None
    explanation_contains: str | None = None
    count: int | None = Field(default=None, ge=0)

    def matches(self, finding: Finding) -> bool:
        """Whether ``finding`` has every field this expectation gives (``count`` aside)."""
        checks: list[tuple[Any, Any]] = [
            (self.rule, finding.rule_id),
            (self.key, finding.key),
            (self.trigger, finding.trigger_event),
            (self.status, finding.status.value),
            (self.due, finding.due),
            (self.occurred_on, finding.occurred_on),
            (self.working_days_late, finding.working_days_late),
            (self.calendar_days_late, finding.calendar_days_late),
            (self.severity, finding.severity.value),
        ]
        if any(wanted is not None and wanted != actual for wanted, actual in checks):
            return False
        return self.explanation_contains is None or self.explanation_contains in finding.explanation

    def describe(self) -> str:
        """The expectation as written, for failure messages."""
        given = self.model_dump(exclude_none=True, mode="json")
        return "{" + ", ".join(f"{k}: {v}" for k, v in given.items()) + "}"


class Scenario(BaseModel):
    """A named case, an ``as_of`` date, and the findings expected."""

    model_config = _STRICT

    name: str = Field(min_length=1)
    case: dict[str, Any]
    as_of: date
    expect: list[Expectation] = Field(min_length=1)


class ScenarioFile(BaseModel):
    """A scenario test file."""

    model_config = _STRICT

    schema_: Literal[1] = Field(alias="schema")
    tests: list[Scenario] = Field(min_length=1)


class _FileHeader(BaseModel):
    """The top of a scenario file without its tests (each test is checked on its own)."""

    model_config = _STRICT

    schema_: Literal[1] = Field(alias="schema")
    tests: Any = None


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario (or of a file that could not be read: ``errors``)."""

    pack_id: str
    file: str
    line: int
    name: str
    failures: tuple[str, ...]
    errors: tuple[str, ...] = ()
    """Why the scenario could not be run at all (its file or its own fields are wrong)."""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when every expectation matched."""
        return not self.failures and not self.errors

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the scenario, for an editor to jump to."""
        return f"{self.file}:{self.line}"


# -- reading and checking ---------------------------------------------------------------------


def check_scenario_file(
    path: Path, pack: Pack | None = None
) -> tuple[list[tuple[Scenario, int]], list[PackError]]:
    """Read one scenario file: the scenarios that are well formed, each with its line, and every
    mistake found (by position). With ``pack``, an expectation naming a rule the pack does not
    have is a mistake too.

    A test with a mistake is left out of the scenarios; the others can still be run.
    """
    checked = _check_file(path, pack)
    return checked.scenarios, checked.all_errors()


@dataclass
class _CheckedFile:
    scenarios: list[tuple[Scenario, int]]
    #: mistakes outside any one test (the file cannot be read, no schema: ...)
    errors: list[PackError]
    #: each test with a mistake: its name (or how to find it), its line and its mistakes
    broken: list[tuple[str, int, list[PackError]]]

    def all_errors(self) -> list[PackError]:
        found = [*self.errors, *(e for _, _, errors in self.broken for e in errors)]
        return sorted(found, key=lambda e: (e.line or 0, e.column or 0))


def _check_file(path: Path, pack: Pack | None) -> _CheckedFile:
    file = str(path)
    try:
        doc: YamlDocument = load_yaml(path.read_bytes(), file=file, echo=True, keep_going=True)
    except OSError as exc:
        return _CheckedFile([], [PackError(f"cannot read the scenario file ({exc.strerror})", file=file)], [])
    except YamlProblem as exc:
        return _CheckedFile(
            [], [PackError(exc.message, file=file, line=exc.line or 1, column=exc.column or 1)], []
        )
    errors = [PackError(p.message, file=file, line=p.line, column=p.column) for p in doc.problems]
    checked = _CheckedFile([], errors, [])

    def error_at(where: Sequence[Any], message: str, *, key: bool = False) -> PackError:
        line, column = doc.position(tuple(where), key=key) or (1, 1)
        return PackError(message, file=file, line=line, column=column)

    data = doc.data
    if not isinstance(data, dict):
        errors.append(
            error_at((), "a scenario file is a mapping: write schema: 1 and tests: on their own lines")
        )
        return checked
    try:
        _FileHeader.model_validate(data)
    except ValidationError as exc:
        for problem in problems_of(exc, data, root=_FileHeader, owner="a scenario file"):
            errors.append(error_at(problem.path, problem.message, key=problem.key))
    tests = data.get("tests")
    if "tests" not in data:
        errors.append(
            error_at(
                (), "a scenario file needs tests:; add tests: and a test below it, starting with - name:"
            )
        )
    elif not isinstance(tests, list):
        errors.append(
            error_at(("tests",), "tests is a list: write each test on the lines below, starting with - name:")
        )
        tests = []
    elif not tests:
        errors.append(
            error_at(
                ("tests",), "tests is empty; add a test: - name: ..., case: ..., as_of: ..., expect: ..."
            )
        )
    known = set(pack.rule_ids) if pack is not None else None
    for index, item in enumerate(tests or []):
        where: tuple[Any, ...] = ("tests", index)
        mistakes: list[PackError] = []

        def report(steps: Sequence[Any], message: str, *, key: bool = False) -> None:
            mistakes.append(error_at(steps, message, key=key))  # noqa: B023 - used at once

        scenario = _check_test(item, where, report, pack_rules=known, pack_id=pack.id if pack else None)
        line = (doc.position(where) or (1, 1))[0]
        if mistakes or scenario is None:
            name = item.get("name") if isinstance(item, dict) else None
            checked.broken.append(
                (name if isinstance(name, str) and name else f"the test on line {line}", line, mistakes)
            )
        else:
            checked.scenarios.append((scenario, line))
    return checked


def _check_test(
    item: Any,
    where: tuple[Any, ...],
    error: Any,
    *,
    pack_rules: set[str] | None,
    pack_id: str | None,
) -> Scenario | None:
    if not isinstance(item, dict):
        error(where, "a test is a mapping: write name:, case:, as_of: and expect: on their own lines")
        return None
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(item)
    except ValidationError as exc:
        for problem in problems_of(exc, item, root=Scenario, owner="this test", examples=_TEST_EXAMPLES):
            error((*where, *problem.path), problem.message, key=problem.key)
    case = item.get("case")
    if isinstance(case, dict):
        data = dict(case)
        data.setdefault("case_id", str(item.get("name") or "scenario")[:200])
        try:
            parse_case(data)
        except CaseError as exc:
            for case_path, message in exc.problems:
                steps = _steps(case_path)
                error((*where, "case", *steps), f"{case_path}: {message}" if case_path else message)
            scenario = None
    expect = item.get("expect")
    if pack_rules is not None and isinstance(expect, list):
        for position, entry in enumerate(expect):
            rule = entry.get("rule") if isinstance(entry, dict) else None
            if isinstance(rule, str) and rule not in pack_rules:
                close = difflib.get_close_matches(rule, sorted(pack_rules), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                error(
                    (*where, "expect", position, "rule"),
                    f"pack {pack_id} has no rule '{rule}'{hint}; write one of its rule ids "
                    f"(cprules pack show {pack_id} --resolved lists them)",
                )
                scenario = None
    return scenario


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> tuple[str | int, ...]:
    """``events[4].date`` as the keys and indexes of a document: ('events', 4, 'date')."""
    return tuple(name if name else int(index) for name, index in _STEP.findall(path))


def load_scenarios(path: Path) -> list[tuple[Scenario, int]]:
    """Read one scenario file: each scenario with the line it starts on.

    Raises :class:`~cprules.PackError` with ``FILE:LINE:COLUMN:`` for a malformed file (the first
    mistake, every one in its ``problems``).
    """
    scenarios, errors = check_scenario_file(path)
    if errors:
        first = errors[0]
        raise PackError(
            first.reason,
            file=first.file,
            line=first.line,
            column=first.column,
            problems=tuple(errors) if len(errors) > 1 else (),
        )
    return scenarios


def validate_scenarios(pack: Pack) -> list[PackError]:
    """Every mistake in the scenario files of a pack's ``tests/`` folder, by file and position.

    >>> validate_scenarios(load_pack("stoke"))
    []
    """
    found: list[PackError] = []
    for path in scenario_files(pack):
        found.extend(check_scenario_file(path, pack)[1])
    return found


def scenario_files(pack: Pack) -> list[Path]:
    """The scenario files in the pack's ``tests/`` folder, sorted."""
    return sorted((pack.path.parent / "tests").glob("*.yaml"))


# -- running ----------------------------------------------------------------------------------


def run_scenario(pack: Pack, scenario: Scenario) -> tuple[str, ...]:
    """Evaluate one scenario; the failures as readable lines (none when it passes)."""
    data = dict(scenario.case)
    data.setdefault("case_id", scenario.name[:200])
    try:
        case = parse_case(data)
        report = evaluate(case, pack, as_of=scenario.as_of)
    except CprulesError as exc:
        return (f"the case could not be evaluated: {exc}",)
    failures: list[str] = []
    known = set(pack.rule_ids)
    for expectation in scenario.expect:
        if expectation.rule not in known:
            failures.append(f"no rule '{expectation.rule}' in pack {pack.id}")
            continue
        matching = [f for f in report.findings if expectation.matches(f)]
        if expectation.count is not None:
            if len(matching) != expectation.count:
                failures.append(
                    f"expected {expectation.count} finding(s) like {expectation.describe()}, "
                    f"got {len(matching)}" + _found(report.findings, expectation.rule)
                )
        elif not matching:
            failures.append(
                f"no finding like {expectation.describe()}" + _found(report.findings, expectation.rule)
            )
    return tuple(failures)


def describe_finding(finding: Finding) -> str:
    """A finding in one line for a failure message, in words (never ``None``).

    >>> from cprules.findings import Severity
    >>> describe_finding(Finding(key="first-core-group@ic#1", rule_id="first-core-group", title="t",
    ...     kind="deadline", severity=Severity.BREACH, status=Status.OVERDUE, due=date(2024, 4, 4),
    ...     occurred_on=None, working_days_late=3, calendar_days_late=5, trigger_event="ic",
    ...     evidence_events=(), citation="c", explanation="Not held."))
    'first-core-group@ic#1: overdue, due 2024-04-04, not done, 3 working days late so far — Not held.'
    """
    due = f"due {finding.due.isoformat()}" if finding.due is not None else "no due date"
    done = f"done {finding.occurred_on.isoformat()}" if finding.occurred_on is not None else "not done"
    late = finding.working_days_late
    if late is None:
        lateness = "no lateness"
    elif late <= 0:
        lateness = "on time"
    else:
        lateness = f"{late} working day{'s' if late != 1 else ''} late"
        if finding.status is Status.OVERDUE:
            lateness += " so far"
    return f"{finding.key}: {finding.status.value}, {due}, {done}, {lateness} — {finding.explanation}"


def _found(findings: tuple[Finding, ...], rule_id: str) -> str:
    lines = [f"\n      {describe_finding(f)}" for f in findings if f.rule_id == rule_id]
    return "; the rule gave:" + "".join(lines) if lines else "; the rule gave no finding"


def iter_pack_tests(pack: Pack) -> Iterator[tuple[Path, Scenario, int]]:
    """Every scenario of the pack, with its file and line.

    Raises :class:`~cprules.PackError` if a scenario file has a mistake.
    """
    for path in scenario_files(pack):
        for scenario, line in load_scenarios(path):
            yield path, scenario, line


def run_pack_tests(
    pack: Pack | str | Path,
    *,
    keyword: str | None = None,
    exitfirst: bool = False,
    files: Iterable[Path] | None = None,
) -> list[ScenarioResult]:
    """Run every scenario in a pack's ``tests/`` folder (or in ``files``), in file order.

    A scenario file with a mistake gives one result with ``errors`` per mistake (its well-formed
    tests still run); ``keyword`` keeps the scenarios whose name contains it (any case);
    ``exitfirst`` stops after the first scenario that does not pass. Raises
    :class:`~cprules.PackError` if the pack cannot be loaded.
    """
    loaded = pack if isinstance(pack, Pack) else load_pack(pack)
    results: list[ScenarioResult] = []
    for path in scenario_files(loaded) if files is None else files:
        checked = _check_file(path, loaded)
        entries: list[tuple[int, str, Scenario | None, list[PackError]]] = []
        if checked.errors:  # mistakes outside any one test: one error for the file, as pytest has
            entries.append((checked.errors[0].line or 1, "could not be read", None, checked.errors))
        entries += [(line, name, None, mistakes) for name, line, mistakes in checked.broken]
        entries += [(line, scenario.name, scenario, []) for scenario, line in checked.scenarios]
        for line, name, scenario, mistakes in sorted(entries, key=lambda entry: entry[0]):
            # a mistake outside any test is always shown: it may hide tests that match
            if keyword and name != "could not be read" and keyword.lower() not in name.lower():
                continue
            started = time.perf_counter()
            failures = run_scenario(loaded, scenario) if scenario is not None else ()
            elapsed = time.perf_counter() - started
            result = ScenarioResult(
                loaded.id, str(path), line, name, failures, tuple(map(str, mistakes)), seconds=elapsed
            )
            results.append(result)
            if exitfirst and not result.passed:
                return results
    return results


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def junit_xml(results: Sequence[ScenarioResult], *, pack_id: str, seconds: float = 0.0) -> str:
    """The results as JUnit XML, so the CI of a pack repository shows them (one ``testsuite``
    per scenario file, one ``testcase`` per scenario; a file that could not be read is an
    ``error``).

    >>> print(junit_xml([ScenarioResult("stoke", "t.yaml", 3, "a & b", ("no finding",))],
    ...                 pack_id="stoke").splitlines()[2])
      <testsuite name="stoke/t.yaml" tests="1" failures="1" errors="0" skipped="0" time="0.000">
    """

    def text(value: str) -> str:
        return _CONTROL.sub("?", value)

    root = ElementTree.Element("testsuites", name=text(f"cprules pack {pack_id}"))
    by_file: dict[str, list[ScenarioResult]] = {}
    for result in results:
        by_file.setdefault(result.file, []).append(result)
    total = failures = errors = 0
    for file, group in by_file.items():
        suite_failures = sum(1 for r in group if r.failures and not r.errors)
        suite_errors = sum(1 for r in group if r.errors)
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=text(f"{pack_id}/{Path(file).name}"),
            tests=str(len(group)),
            failures=str(suite_failures),
            errors=str(suite_errors),
            skipped="0",
            time=f"{sum(r.seconds for r in group):.3f}",
        )
        for result in group:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=text(f"{pack_id}.{Path(file).stem}"),
                name=text(result.name),
                file=text(file),
                line=str(result.line),
                time=f"{result.seconds:.3f}",
            )
            if result.errors:
                element = ElementTree.SubElement(case, "error", message=text(result.errors[0]))
                element.text = text("\n".join(result.errors))
            elif result.failures:
                element = ElementTree.SubElement(
                    case, "failure", message=text(result.failures[0].split("\n")[0])
                )
                element.text = text("\n".join(result.failures))
        total += len(group)
        failures += suite_failures
        errors += suite_errors
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("time", f"{seconds:.3f}")
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
