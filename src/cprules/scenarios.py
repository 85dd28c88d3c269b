"""Scenario tests written in YAML beside a pack, by people who are not programmers.

A file ``policies/<id>/tests/*.yaml`` holds ``schema: 1`` and ``tests:``, each a name, a case,
an ``as_of`` and the findings expected (a subset: each entry must match at least one finding).
``cprules pack test ID`` and the project's pytest suite run them.

>>> results = run_pack_tests("stoke")
>>> all(result.passed for result in results), len(results) > 0
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cprules.case import parse_case
from cprules.engine import evaluate
from cprules.errors import CprulesError, PackError
from cprules.findings import Finding
from cprules.pack.loader import Pack, load_pack
from cprules.yamlsafe import YamlDocument, YamlProblem, load_yaml

__all__ = ["Expectation", "Scenario", "ScenarioFile", "ScenarioResult", "load_scenarios", "run_pack_tests"]

_STRICT = ConfigDict(frozen=True, extra="forbid")


class Expectation(BaseModel):
    """One expected finding: ``rule`` and any fields it must have.

    With ``count``, exactly that many findings of the rule match the other fields.
    """

    model_config = _STRICT

    rule: str
    key: str | None = None
    trigger: str | None = None
    status: (
        Literal["met", "late", "overdue", "due", "missed", "violated", "not_applicable", "undetermined"]
        | None
    ) = None
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


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario."""

    pack_id: str
    file: str
    line: int
    name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when every expectation matched."""
        return not self.failures

    @property
    def where(self) -> str:
        """``FILE:LINE`` of the scenario, for an editor to jump to."""
        return f"{self.file}:{self.line}"


def load_scenarios(path: Path) -> list[tuple[Scenario, int]]:
    """Read one scenario file: each scenario with the line it starts on.

    Raises :class:`~cprules.PackError` with ``FILE:LINE:COLUMN:`` for a malformed file.
    """
    try:
        doc: YamlDocument = load_yaml(path.read_bytes(), file=str(path))
    except YamlProblem as exc:
        raise PackError(exc.message, file=str(path), line=exc.line or 1, column=exc.column or 1) from None
    try:
        parsed = ScenarioFile.model_validate(doc.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple("schema" if part == "schema_" else part for part in error["loc"])
        line, column = doc.position(loc) or (1, 1)
        where = ".".join(str(part) for part in loc)
        raise PackError(f"{where}: {error['msg']}", file=str(path), line=line, column=column) from None
    return [
        (scenario, (doc.position(("tests", i)) or (1, 1))[0]) for i, scenario in enumerate(parsed.tests)
    ]


def scenario_files(pack: Pack) -> list[Path]:
    """The scenario files in the pack's ``tests/`` folder, sorted."""
    return sorted((pack.path.parent / "tests").glob("*.yaml"))


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


def _found(findings: tuple[Finding, ...], rule_id: str) -> str:
    lines = [
        f"\n      {f.key}: {f.status.value}, due {f.due}, occurred {f.occurred_on}, "
        f"{f.working_days_late} WD late — {f.explanation}"
        for f in findings
        if f.rule_id == rule_id
    ]
    return "; the rule gave:" + "".join(lines) if lines else "; the rule gave no finding"


def iter_pack_tests(pack: Pack) -> Iterator[tuple[Path, Scenario, int]]:
    """Every scenario of the pack, with its file and line."""
    for path in scenario_files(pack):
        for scenario, line in load_scenarios(path):
            yield path, scenario, line


def run_pack_tests(pack: Pack | str | Path) -> list[ScenarioResult]:
    """Run every scenario in a pack's ``tests/`` folder.

    Raises :class:`~cprules.PackError` if the pack or a scenario file cannot be read.
    """
    loaded = pack if isinstance(pack, Pack) else load_pack(pack)
    return [
        ScenarioResult(loaded.id, str(path), line, scenario.name, run_scenario(loaded, scenario))
        for path, scenario, line in iter_pack_tests(loaded)
    ]
