"""``age_limit``: no plan stays open past the child's 18th (``age``-th) birthday.

One finding per plan episode, a deadline whose ``due`` is the birthday: a plan that ended on or
before it is ``met``, after it ``late``; an open plan is ``due`` until the birthday and
``overdue`` after it. A birthday on 29 February falls on 28 February in other years. Without a
date of birth the date of a recorded ``birth`` event stands in; an unborn child (an expected
delivery date and no birth yet) is ``not_applicable``.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "age-limit", "kind": "age_limit",
...     "title": "No plan past the child's 18th birthday", "severity": "breach",
...     "citation": "WT 2023", "age": 18})
>>> case = parse_case({"case_id": "A-1", "child": {"date_of_birth": "2006-03-28"}, "events": [
...     {"id": "ps", "type": "plan_start", "date": "2024-01-05"},
...     {"id": "pe", "type": "plan_end", "date": "2024-04-02", "reason": "turned_18"}]})
>>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value, finding.due, finding.working_days_late
('age-limit@ps#1', 'late', datetime.date(2024, 3, 28), 1)
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-03-28: the child's 18th birthday (born 2006-03-28), by which plan 1 must end.
The plan ended on 2024-04-02 (plan end pe): 1 working day late (5 calendar days).
"""

from __future__ import annotations

from cprules.findings import Finding
from cprules.pack.model import AgeLimitRule
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline, birthday
from cprules.words import happened, named, ordinal

__all__ = ["evaluate", "quiet"]


def quiet(rule: AgeLimitRule) -> Quiet:
    """The rule's findings are the same on every case with no plan: "No plan in the timeline." (the
    first lines of :func:`evaluate`)."""
    return Quiet((("plan_start",),))


def evaluate(rule: AgeLimitRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per plan episode (``not_applicable`` when there is no plan).

    >>> from cprules.pack.model import RULE_ADAPTER
    >>> RULE_ADAPTER.validate_python({"id": "a", "kind": "age_limit", "title": "t",
    ...     "severity": "breach", "citation": "c"}).age
    18
    """
    if not timeline.episodes:
        return [verdicts.not_applicable("No plan in the timeline")]
    events = timeline.events
    born = timeline.birth
    source = ""
    births = timeline.by_type.get("birth")
    if born is not None and timeline.case.child.date_of_birth is None and births:
        birth = events[births[0]]
        source = f", the {named(birth, 'birth')}" if birth.unnamed_number is None else ", the birth"
    findings: list[Finding] = []
    if born is None:
        expected = timeline.case.child.expected_delivery_date
        for episode in timeline.episodes:
            plan_start = events[episode.start_index]
            if expected is not None:
                findings.append(
                    verdicts.not_applicable(
                        f"The child is not born yet as at {timeline.as_of.isoformat()} (expected "
                        f"{expected.isoformat()}), so plan {episode.number} cannot outlast their "
                        f"{ordinal(rule.age)} birthday",
                        trigger=plan_start,
                    )
                )
            else:
                findings.append(
                    verdicts.undetermined(
                        f"The child's date of birth is not recorded, so the {ordinal(rule.age)} "
                        f"birthday that plan {episode.number} must end by is unknown",
                        trigger=plan_start,
                    )
                )
        return findings
    due = birthday(born, rule.age)  # born on 29 February: 28 February in other years
    why = f"the child's {ordinal(rule.age)} birthday (born {born.isoformat()}{source}), by which plan"
    for episode in timeline.episodes:
        end = events[episode.end_index] if episode.end_index is not None else None
        findings.append(
            verdicts.against_due(
                due=due,
                why_due=f"{why} {episode.number} must end",
                done_on=end.date if end is not None else None,
                done_text=happened(end, start=True) if end is not None else None,
                wanted="the end of the plan",
                missing="the plan had not ended",
                trigger=events[episode.start_index],
                evidence=(end,) if end is not None else (),
            )
        )
    return findings

