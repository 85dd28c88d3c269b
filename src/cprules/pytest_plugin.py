"""A pytest plugin: a pack's YAML scenario tests as pytest items, for a pack repository's CI.

    pytest --cprules-pack policies/mine            # a folder, a pack.yaml or a bundled id
    pytest --cprules-pack policies/a --cprules-pack policies/b --junit-xml=results.xml

Each scenario of ``<pack>/tests/*.yaml`` is one item (``-k``, ``-x``, ``--junit-xml`` and the
rest of pytest apply); a test with a mistake in it, or a file that cannot be read, is an item
that fails with the mistakes at their lines. Without other arguments only the packs' scenarios
run. The plugin is registered through the ``pytest11`` entry point and does nothing unless
``--cprules-pack`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cprules.errors import PackError
from cprules.pack.loader import Pack, load_pack
from cprules.scenarios import Scenario, _check_file, run_scenario

__all__ = ["ScenarioItem", "ScenarioYamlFile", "pytest_addoption", "pytest_collect_file", "pytest_configure"]

_PACKS = pytest.StashKey[dict[Path, Pack]]()
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--cprules-pack PATH`` (repeatable)."""
    group = parser.getgroup("cprules", "cprules policy packs")
    group.addoption(
        "--cprules-pack",
        action="append",
        default=[],
        metavar="PATH",
        help="Run the YAML scenario tests of a cprules pack (a folder, a pack.yaml or a bundled id).",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Load each pack and collect its ``tests/`` folder (only those, when no path was given).

    A pack that does not load stops the run with its mistakes, one a line (pytest's exit 4).
    """
    names: list[str] = config.getoption("cprules_pack") or []
    if not names:
        return
    packs: dict[Path, Pack] = {}
    for name in names:
        try:
            pack = load_pack(name)
        except PackError as exc:
            lines = "\n".join(str(problem) for problem in exc.problems)
            raise pytest.UsageError(f"--cprules-pack {name}: the pack does not load:\n{lines}") from None
        packs[(pack.path.parent / "tests").resolve()] = pack
    config.stash[_PACKS] = packs
    folders = [str(folder) for folder in packs if folder.is_dir()]
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args[:] = folders
    else:
        config.args.extend(folders)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A ``.yaml`` file in a given pack's ``tests/`` folder is a file of scenarios."""
    packs = parent.config.stash.get(_PACKS, None)
    if not packs or file_path.suffix != ".yaml" or file_path.parent.resolve() not in packs:
        return None
    collector: pytest.Collector = ScenarioYamlFile.from_parent(parent, path=file_path)
    return collector


class _Mistakes(Exception):
    """A scenario (or its file) with mistakes, or one that failed: shown as its lines."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class ScenarioYamlFile(pytest.File):
    """One scenario file: an item per scenario, and one per test (or file) with mistakes."""

    def collect(self) -> Iterator[pytest.Item]:
        pack = self.config.stash[_PACKS][self.path.parent.resolve()]
        checked = _check_file(self.path, pack)
        if checked.errors:
            yield ScenarioItem.from_parent(
                self, name="could not be read", pack=pack, scenario=None, line=checked.errors[0].line or 1,
                mistakes=tuple(map(str, checked.errors)),
            )  # fmt: skip
        entries: list[tuple[int, str, Scenario | None, tuple[str, ...]]] = [
            (line, name, None, tuple(map(str, mistakes))) for name, line, mistakes in checked.broken
        ]
        entries += [(line, scenario.name, scenario, ()) for scenario, line in checked.scenarios]
        for line, name, scenario, mistakes in sorted(entries, key=lambda entry: entry[0]):
            yield ScenarioItem.from_parent(
                self, name=_CONTROL.sub("?", name), pack=pack, scenario=scenario, line=line, mistakes=mistakes
            )


class ScenarioItem(pytest.Item):
    """One scenario: passes when every expectation matches a finding."""

    def __init__(
        self,
        *,
        pack: Pack,
        scenario: Scenario | None,
        line: int,
        mistakes: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pack = pack
        self.scenario = scenario
        self.line = line
        self.mistakes = mistakes

    def runtest(self) -> None:
        """Evaluate the scenario's case and check its expectations."""
        if self.mistakes or self.scenario is None:
            raise _Mistakes(self.mistakes)
        failures = run_scenario(self.pack, self.scenario)
        if failures:
            raise _Mistakes(failures)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The failure in words, without a traceback."""
        if isinstance(excinfo.value, _Mistakes):
            where = f"{self.path}:{self.line}: {self.name}"
            return where + "\n" + "\n".join(f"    {_CONTROL.sub('?', line)}" for line in excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the scenario is, for pytest's report."""
        return self.path, self.line - 1, self.name
