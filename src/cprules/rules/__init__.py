"""The rule kinds: one module each, each with one ``evaluate(rule, timeline, verdicts)``.

A new kind is one model in :mod:`cprules.pack.model` and one module here, registered below. A
kind may also have ``quiet(rule) -> Quiet``: when its findings are the same on every case that
lacks some events (the shared "No ICPC in the timeline." finding), so that the engine can hand
back the findings of the first such case instead of running the rule on the others.

>>> sorted(KINDS)[:3]
['age_limit', 'alternation', 'cessation']
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any, NamedTuple

from cprules.findings import Finding
from cprules.pack.model import Selector
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

__all__ = ["KINDS", "Quiet", "RuleFunction", "evaluator", "quiet"]

RuleFunction = Callable[[Any, Timeline, Verdicts], list[Finding]]


class Quiet(NamedTuple):
    """When a rule is *quiet* on a case: its ``evaluate`` then gives the same findings, whatever
    else the case holds (a promise its kind's module makes by reading its own code).

    The rule is quiet when, for one of the groups in ``absent``, no event of the group's types
    occurs on or before ``as_of``, or when ``empty`` accepts no event (surely, or maybe either,
    unless ``surely``: a kind that reads only the events its selector surely accepts).
    """

    absent: tuple[tuple[str, ...], ...]
    empty: Selector | None = None
    surely: bool = False

    def holds(self, timeline: Timeline) -> bool:
        """Whether the rule is quiet on ``timeline``."""
        by_type = timeline.by_type
        for group in self.absent:
            for kind in group:
                if kind in by_type:
                    break
            else:
                return True
        empty = self.empty
        if empty is None:
            return False
        found = timeline.selection(empty)  # the pass the rule would make first: shared, kept
        return not (found.sure if self.surely else found.possible)

#: kind -> module implementing it
KINDS: dict[str, str] = {
    "deadline": "cprules.rules.deadline",
    "interval": "cprules.rules.interval",
    "alternation": "cprules.rules.alternation",
    "escalation": "cprules.rules.escalation",
    "minimum_duration": "cprules.rules.minimum_duration",
    "cessation": "cprules.rules.cessation",
    "sustained_change": "cprules.rules.sustained_change",
    "decision": "cprules.rules.decision",
    "window": "cprules.rules.window",
    "age_limit": "cprules.rules.age_limit",
    "condition": "cprules.rules.condition",
}

_LOADED: dict[str, RuleFunction] = {}
_QUIET: dict[str, Callable[[Any], Quiet] | None] = {}


def evaluator(kind: str) -> RuleFunction:
    """The ``evaluate`` function of a rule kind (modules import on first use)."""
    found = _LOADED.get(kind)
    if found is None:
        found = import_module(KINDS[kind]).evaluate
        _LOADED[kind] = found
    return found


def quiet(rule: Any) -> Quiet | None:
    """When ``rule`` is quiet (see :class:`Quiet`), or None for a kind that makes no such promise.

    >>> from cprules.pack.model import RULE_ADAPTER
    >>> quiet(RULE_ADAPTER.validate_python({"id": "a", "kind": "age_limit", "title": "t",
    ...     "severity": "info", "citation": "c"})).absent
    (('plan_start',),)
    """
    kind: str = rule.kind
    if kind not in _QUIET:
        _QUIET[kind] = getattr(import_module(KINDS[kind]), "quiet", None)
    found = _QUIET[kind]
    return found(rule) if found is not None else None
