"""The rule kinds: one module each, each with one ``evaluate(rule, timeline, verdicts)``.

A new kind is one model in :mod:`cprules.pack.model` and one module here, registered below.

>>> sorted(KINDS)[:3]
['age_limit', 'alternation', 'cessation']
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from cprules.findings import Finding
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

__all__ = ["KINDS", "RuleFunction", "evaluator"]

RuleFunction = Callable[[Any, Timeline, Verdicts], list[Finding]]

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


def evaluator(kind: str) -> RuleFunction:
    """The ``evaluate`` function of a rule kind (modules import on first use)."""
    found = _LOADED.get(kind)
    if found is None:
        found = import_module(KINDS[kind]).evaluate
        _LOADED[kind] = found
    return found
