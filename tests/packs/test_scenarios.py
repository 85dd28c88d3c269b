"""Every bundled pack's YAML scenario tests, one pytest item each (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cprules.pack import bundled_pack_ids, load_pack
from cprules.scenarios import Scenario, iter_pack_tests, run_scenario


def _scenarios() -> list[tuple[str, Path, Scenario, int]]:
    found = []
    for pack_id in bundled_pack_ids():
        for path, scenario, line in iter_pack_tests(load_pack(pack_id)):
            found.append((pack_id, path, scenario, line))
    return found


_ALL = _scenarios()


@pytest.mark.parametrize(
    ("pack_id", "path", "scenario", "line"),
    _ALL,
    ids=[f"{p}/{path.name}:{line}" for p, path, _, line in _ALL],
)
def test_scenario(pack_id: str, path: Path, scenario: Scenario, line: int) -> None:
    failures = run_scenario(load_pack(pack_id), scenario)
    assert not failures, f"{path}:{line}: {scenario.name}\n" + "\n".join(failures)


def test_every_bundled_rule_has_three_scenarios() -> None:
    """SPEC §6 / the issues: at least three scenarios per rule, in the pack that defines it."""
    short: list[str] = []
    for pack_id in bundled_pack_ids():
        pack = load_pack(pack_id)
        own = set(_own_rule_ids(pack_id))
        counts = dict.fromkeys(own, 0)
        for _, scenario, _ in iter_pack_tests(pack):
            for rule_id in {e.rule for e in scenario.expect}:
                if rule_id in counts:
                    counts[rule_id] += 1
        short += [f"{pack_id}:{rule_id} has {n}" for rule_id, n in counts.items() if n < 3]
    assert not short, "rules with fewer than three scenarios: " + ", ".join(sorted(short))


def _own_rule_ids(pack_id: str) -> list[str]:
    """Rules a pack adds or overrides (inherited, untouched rules are tested in their own pack)."""
    pack = load_pack(pack_id)
    if pack.extends is None:
        return list(pack.rule_ids)
    parent = load_pack(pack.extends)
    return [rule.id for rule in pack.rules if rule.id not in parent.rule_ids or rule != parent.rule(rule.id)]
