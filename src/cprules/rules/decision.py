"""``decision``: a conference's outcome follows its votes; without a majority it adjourns.

Votes are ``votes.for_plan`` / ``votes.against_plan`` on a conference (at a review, "for" is for
the plan continuing). A majority is more than half of the votes cast, so with two sides there
is no majority exactly when the votes split 50/50. ``require`` picks one of three checks:

- ``outcome_follows_votes``: a majority for gives ``plan`` (ICPC, transfer-in) or ``continue``
  (review); a majority against gives ``no_plan`` / ``cease``; no majority gives ``adjourned``.
- ``adjourn_without_majority``: a conference without a majority is adjourned, and a conference
  naming it in ``reconvened_from`` follows within ``adjourn_within`` (``due``/``overdue`` until
  then, ``met``/``late`` after). ``interim: interim_plan``: a ``plan_start`` with
  ``interim: true`` falls between the two; ``interim: plan_continues``: no ``plan_end`` does.
- ``adjourn_on_split``: the same for a 50% split (for == against > 0), and, when the reconvened
  conference splits 50% again, the split has *persisted*: the child remains on a plan pending
  escalation to senior managers.

Readings (North East Lincolnshire, Child Protection Conferences, section 3, "Consensus and split
decision-making"), chosen as a conference chair would read them:

- A split *persists* when a conference splits 50% and the conference it reconvenes
  (``reconvened_from``) had split 50% too. Its outcome must then be ``plan`` / ``continue`` (not
  a second adjournment): "the child will remain on a plan pending escalation to senior managers
  for a review of the decision prior to the next conference review". So a plan must be open at
  the reconvened conference (the interim plan, or one started that day), and it must not end
  before a later conference (``met`` once a later conference is held with the plan unbroken,
  ``violated`` if the plan ends first, ``not_applicable`` while the plan runs and no later
  conference has been held yet). All three checks treat a persisting split this way;
  ``adjourn_without_majority`` leaves it to ``adjourn_on_split`` (no finding of its own).
- With ``escalation`` (``adjourn_on_split`` only), the persisting split must also be escalated
  "to senior managers for a review of the decision prior to the next conference review": an
  event matching the selector after the reconvened conference (one during the adjournment is the
  members' consultation, not this escalation) and before the plan's next conference (one on the
  next conference's day sorts after it, so it is not before). Next conference held with no such
  event: ``violated``; one whose tested field is blank (an escalation not saying to whom):
  ``undetermined``; no next conference yet: ``met`` once escalated, else ``not_applicable``
  (owed before the next conference, checked then). A plan ending first is ``violated`` as above.
- "If following consultation with agency managers it is concluded that no plan is needed, then
  no further conference will be convened": for an adjourned conference (unless ``interim:
  plan_continues``) the duty to reconvene lapses (``not_applicable``) when a plan started after
  it ends on or before the reconvening due date with no reconvened conference before that end.
  Under ``plan_continues`` (a review) the plan "will continue until the conference is
  reconvened", so a plan end first is ``violated``.
- A conference ``postponed``, or adjourned with ``adjournment_reason`` ``missing_reports`` or
  ``attendance`` (the chair adjourns "its decision-making pending the required information"),
  was not decided by its votes: ``not_applicable`` for it. One adjourned against a majority
  that does not record why is ``undetermined`` under ``outcome_follows_votes``, never
  ``violated``: the blank reason may be one of those. A conference with no votes recorded
  (or none cast) is ``undetermined`` under ``outcome_follows_votes``; the adjournment checks
  pass over it unless it was adjourned for another reason, when whether it had a majority is
  unknown (``undetermined``).

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> from cprules.pack.model import RULE_ADAPTER
>>> from cprules.timeline import Timeline
>>> rule = RULE_ADAPTER.validate_python({"id": "initial-no-majority", "kind": "decision",
...     "title": "Without a majority, adjourn at most 5 working days on an interim plan",
...     "severity": "breach", "citation": "NEL CP Conferences, s3", "conference": "icpc",
...     "require": "adjourn_without_majority", "adjourn_within": {"working_days": 5},
...     "interim": "interim_plan"})
>>> case = parse_case({"case_id": "DC-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-26", "outcome": "adjourned",
...      "votes": {"for_plan": 3, "against_plan": 3}},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-26", "interim": True},
...     {"id": "ic2", "type": "icpc", "date": "2024-04-03", "outcome": "plan",
...      "votes": {"for_plan": 5, "against_plan": 1}, "reconvened_from": "ic"}]})
>>> timeline = Timeline.build(case, date(2024, 4, 30), WorkingCalendar())
>>> [finding] = evaluate(rule, timeline, Verdicts(rule, timeline))
>>> finding.key, finding.status.value, finding.due
('initial-no-majority@ic#1', 'met', datetime.date(2024, 4, 4))
>>> print(finding.explanation)  # doctest: +NORMALIZE_WHITESPACE
Due 2024-04-04: 5 working days after the ICPC ic on 2024-03-26, adjourned without a majority
(3 for a plan and 3 against), for the reconvened conference, skipping Good Friday 29 March and
Easter Monday 1 April (England and Wales). It reconvened as the ICPC ic2, held on 2024-04-03:
on time. The child was on an interim plan meanwhile, from 2024-03-26 (the plan start ps).
"""

from __future__ import annotations

from dataclasses import replace

from cprules.case import AnyEvent, Votes
from cprules.findings import Finding
from cprules.pack.model import DecisionRule, Selector
from cprules.rules import Quiet
from cprules.rules.verdict import Verdicts, empty_fields, label
from cprules.timeline import Timeline
from cprules.words import EVENT_LABELS, aside, capital, named, plural

__all__ = ["evaluate", "quiet"]

_CONFERENCE_TYPES = ("icpc", "review_conference", "transfer_in_conference")
_ANY_CONFERENCE = Selector(event=_CONFERENCE_TYPES)
_PLAN_START = Selector(event="plan_start")
_PLAN_END = Selector(event="plan_end")

#: the outcome a majority for (or against) the plan decides, per conference type
_FOR = {"icpc": "plan", "transfer_in_conference": "plan", "review_conference": "continue"}
_AGAINST = {"icpc": "no_plan", "transfer_in_conference": "no_plan", "review_conference": "cease"}

#: a conference's outcome, in words
_OUTCOME_WORDS = {
    "plan": "a plan",
    "no_plan": "no plan",
    "continue": "the plan continuing",
    "cease": "the plan ending",
    "adjourned": "an adjournment",
    "postponed": "a postponement",
}

#: why the chair put a conference off, in words
_REASON_WORDS = {"missing_reports": "for want of reports", "attendance": "for want of attendance"}

#: the chair adjourns decision-making itself pending reports or attendance (not a vote's result)
_NOT_DECIDED_BY_VOTES = ("missing_reports", "attendance")


def quiet(rule: DecisionRule) -> Quiet:
    """The rule's findings are the same on every case with no conference its selector surely
    accepts: "No ICPC in the timeline." (the first lines of :func:`evaluate`)."""
    return Quiet((rule.conference.types,), rule.conference, surely=True)


def evaluate(rule: DecisionRule, timeline: Timeline, verdicts: Verdicts) -> list[Finding]:
    """One finding per conference the check concerns (``not_applicable`` if none)."""
    conferences = timeline.positions(rule.conference)
    what = rule.conference.words.nouns
    if not conferences:
        return [verdicts.not_applicable(f"No {what} in the timeline")]
    if rule.require == "outcome_follows_votes":
        return [_outcome(timeline, verdicts, position) for position in conferences]
    findings = _adjournments(rule, timeline, verdicts, conferences)
    if not findings:
        without = "split 50%" if rule.require == "adjourn_on_split" else "without a majority"
        findings.append(verdicts.not_applicable(f"No {what} in the timeline was {without}"))
    return findings


# -- reading a conference -----------------------------------------------------------------------


def _votes_of(event: AnyEvent) -> Votes | None:
    votes: Votes | None = getattr(event, "votes", None)
    return votes


def _outcome_of(event: AnyEvent) -> str | None:
    outcome: str | None = getattr(event, "outcome", None)
    return outcome


def _votes_text(event: AnyEvent, votes: Votes) -> str:
    side = "for the plan continuing" if event.type == "review_conference" else "for a plan"  # type: ignore[attr-defined]
    return f"{votes.for_plan} {side} and {votes.against_plan} against"


def _majority(votes: Votes) -> str | None:
    """'for' or 'against' when one side has more than half of the votes cast, else None."""
    total = votes.for_plan + votes.against_plan
    if 2 * votes.for_plan > total:
        return "for"
    if 2 * votes.against_plan > total:
        return "against"
    return None


def _is_split(votes: Votes | None) -> bool:
    return votes is not None and votes.for_plan == votes.against_plan > 0


def _reconvened_from(timeline: Timeline, event: AnyEvent) -> str | None:
    """The id of the adjourned conference ``event`` reconvenes: the one it names, or, for an
    ICPC that names none, the adjourned ICPC whose interim plan it was held under (as the case
    settles it, ``Timeline.implied``)."""
    named: str | None = getattr(event, "reconvened_from", None)
    if named or event.type != "icpc":  # type: ignore[attr-defined]
        return named
    settled = timeline.implied(event, "reconvened_from")
    return settled if isinstance(settled, str) else None


def _persisted_from(timeline: Timeline, position: int) -> AnyEvent | None:
    """The earlier conference that split 50%, when the one at ``position`` reconvenes it."""
    event = timeline.events[position]
    earlier_id = _reconvened_from(timeline, event)
    if not earlier_id:
        return None
    earlier = timeline.position_of(earlier_id)
    if earlier is None or earlier >= position:
        return None
    found = timeline.events[earlier]
    if found.type not in _CONFERENCE_TYPES or not _is_split(_votes_of(found)):  # type: ignore[attr-defined]
        return None
    return found


# -- outcome_follows_votes ----------------------------------------------------------------------


def _outcome(timeline: Timeline, verdicts: Verdicts, position: int) -> Finding:
    event = timeline.events[position]
    kind: str = event.type  # type: ignore[attr-defined]
    votes = _votes_of(event)
    outcome = _outcome_of(event)
    if outcome == "postponed":
        return verdicts.not_applicable(f"{label(event)} was postponed: no decision was taken", trigger=event)
    if votes is None or outcome is None:
        missing = " or ".join(
            name for name, value in (("the votes", votes), ("the outcome", outcome)) if value is None
        )
        return verdicts.undetermined(f"{label(event)} does not record {missing}", trigger=event)
    total = votes.for_plan + votes.against_plan
    if total == 0:
        return verdicts.undetermined(
            f"{label(event)} records no votes cast (0 for, 0 against)", trigger=event
        )
    decided = _majority(votes)
    earlier: AnyEvent | None = None
    if decided == "for":
        expected = _FOR[kind]
        reason = f"{votes.for_plan} of {total} is more than half"
    elif decided == "against":
        expected = _AGAINST[kind]
        reason = f"{votes.against_plan} of {total} against is more than half"
    else:
        earlier = _persisted_from(timeline, position)
        if earlier is not None:
            expected = _FOR[kind]
            reason = (
                f"the 50% split at {label(earlier)} persisted and the child remains on a plan "
                "pending escalation to senior managers"
            )
        else:
            expected = "adjourned"
            reason = "neither side has more than half"
    text = f"{label(event)} voted {_votes_text(event, votes)}: {reason}, so the outcome "
    evidence = (earlier,) if earlier is not None else ()
    if outcome == expected:
        return verdicts.met(
            text + f"is {_OUTCOME_WORDS[expected]}; it was, as the votes decided",
            trigger=event,
            evidence=evidence,
        )
    adjournment_reason = getattr(event, "adjournment_reason", None)
    if outcome == "adjourned" and decided is not None and adjournment_reason in _NOT_DECIDED_BY_VOTES:
        return verdicts.not_applicable(
            f"{label(event)} was adjourned {_REASON_WORDS.get(adjournment_reason, '')}: the chair adjourned "
            "its decision-making, so its votes did not decide",
            trigger=event,
        )
    if outcome == "adjourned" and decided is not None and adjournment_reason is None:
        # the reason is the fact that tells a chair's adjournment for want of reports or
        # attendance from one against the votes: blank, the verdict is unknown (SPEC §4)
        return verdicts.undetermined(
            text + f"should be {_OUTCOME_WORDS[expected]}; it was adjourned, and the record does "
            "not say why: whether the chair adjourned its decision-making for want of reports or "
            "attendance is unknown",
            trigger=event,
        )
    return verdicts.violated(
        text + f"should be {_OUTCOME_WORDS[expected]}, but it was {_OUTCOME_WORDS.get(outcome, 'another')}",
        trigger=event,
        evidence=evidence,
    )


# -- adjourn_without_majority / adjourn_on_split ------------------------------------------------


def _adjournments(
    rule: DecisionRule, timeline: Timeline, verdicts: Verdicts, conferences: list[int]
) -> list[Finding]:
    split_only = rule.require == "adjourn_on_split"
    events = timeline.events
    reconvenings: dict[str, list[int]] | None = None
    findings: list[Finding] = []
    for position in conferences:
        event = events[position]
        votes = _votes_of(event)
        outcome = _outcome_of(event)
        if outcome == "postponed":
            continue  # no decision was taken
        if votes is None or votes.for_plan + votes.against_plan == 0:
            if (
                outcome == "adjourned"
                and getattr(event, "adjournment_reason", None) not in _NOT_DECIDED_BY_VOTES
            ):
                findings.append(
                    verdicts.undetermined(
                        f"{label(event)} was adjourned but does not record its votes, so whether it "
                        f"{'split 50%' if split_only else 'had a majority'} is unknown",
                        trigger=event,
                    )
                )
            continue
        if (not _is_split(votes)) if split_only else (_majority(votes) is not None):
            continue
        earlier = _persisted_from(timeline, position)
        if earlier is not None:
            if split_only:
                findings.append(_persisting(rule, timeline, verdicts, position, earlier))
            continue  # a persisting split is adjourn_on_split's: the plan continues, no re-adjourning
        if reconvenings is None:
            reconvenings = _reconvenings(timeline)
        findings.append(_adjourned(rule, timeline, verdicts, position, votes, reconvenings))
    return findings


def _reconvenings(timeline: Timeline) -> dict[str, list[int]]:
    """Adjourned conference id -> positions of the conferences that name it in reconvened_from."""
    found: dict[str, list[int]] = {}
    for kind in _CONFERENCE_TYPES:
        for position in timeline.by_type.get(kind, ()):
            earlier = _reconvened_from(timeline, timeline.events[position])
            if earlier:
                found.setdefault(earlier, []).append(position)
    for positions in found.values():
        positions.sort()
    return found


def _adjourned(
    rule: DecisionRule,
    timeline: Timeline,
    verdicts: Verdicts,
    position: int,
    votes: Votes,
    reconvenings: dict[str, list[int]],
) -> Finding:
    events = timeline.events
    event = events[position]
    outcome = _outcome_of(event)
    without = f"without a majority ({_votes_text(event, votes)})"
    if outcome is None:
        return verdicts.undetermined(
            f"{label(event)} had no majority but does not record its outcome", trigger=event
        )
    if outcome != "adjourned":
        return verdicts.violated(
            f"{label(event)} ended {without}: it should have adjourned, but its outcome was "
            f"{_OUTCOME_WORDS.get(outcome, 'another')}",
            trigger=event,
        )
    within = rule.adjourn_within
    assert within is not None  # the model requires it for the adjournment checks
    due = within.add(event.date, timeline.calendar)
    later = [p for p in reconvenings.get(event.id, ()) if p > position]
    reconvened = events[later[0]] if later else None
    stop = later[0] if later else len(events)
    evidence: list[AnyEvent] = [reconvened] if reconvened is not None else []
    note = ""
    kind: str = event.type  # type: ignore[attr-defined]
    interim_kind = rule.interim_for(kind)
    closure = None if rule.outlives_plan else timeline.closure(position)
    if interim_kind == "plan_continues":
        end = timeline.first(_PLAN_END, position + 1, stop)
        if end is not None:
            after = (
                f"before it reconvened as {label(reconvened)}"
                if reconvened is not None
                else "and it has not reconvened"
            )
            return verdicts.violated(
                f"{label(event)} adjourned {without}; the plan should continue until the conference "
                f"reconvenes, but it ended on {events[end].date.isoformat()}{aside(events[end], 'plan end')} "
                f"{after}",
                trigger=event,
                due=due,
                evidence=[events[end], *evidence],
            )
        note = " The plan continued meanwhile." if reconvened is not None else ""
    else:
        end = timeline.first(_PLAN_END, position + 1, stop)
        if reconvened is None and end is not None and events[end].date <= due:
            episode = timeline.episode_of(end)
            started = timeline.episode(episode).start_index if episode is not None else -1
            if started > position:
                return verdicts.not_applicable(
                    f"{label(event)} adjourned {without} and did not reconvene: the plan that started on "
                    f"{events[started].date.isoformat()}{aside(events[started], 'plan start')} ended on "
                    f"{events[end].date.isoformat()}{aside(events[end], 'plan end')}, within "
                    f"{within.describe()} "
                    "of the adjournment; no further conference is convened once agency managers conclude "
                    "no plan is needed",
                    trigger=event,
                )
    if interim_kind == "interim_plan":
        starts = timeline.positions(_PLAN_START, position + 1, stop)
        interim = next((p for p in starts if getattr(events[p], "interim", None) is True), None)
        if interim is not None:
            evidence.append(events[interim])
            note = (
                f" The child was on an interim plan meanwhile, from "
                f"{events[interim].date.isoformat()}{aside(events[interim], 'plan start')}."
            )
        elif reconvened is not None:
            unknown = next((p for p in starts if getattr(events[p], "interim", None) is None), None)
            if unknown is not None:
                return verdicts.undetermined(
                    f"{label(events[unknown])} does not record whether it is an interim plan, needed "
                    f"while {label(event)} was adjourned {without}",
                    trigger=event,
                    due=due,
                )
            late = ""
            if reconvened.date > due:  # say the lateness too: it is part of the same conference's story
                working = timeline.calendar.working_days_between(due, reconvened.date)
                late = (
                    f"; it also reconvened {plural(working, 'working day')} after the {due.isoformat()} "
                    f"it was due by ({within.describe()})"
                )
            return verdicts.violated(
                f"{label(event)} adjourned {without} and reconvened as {label(reconvened)}, but no interim "
                f"plan (an interim plan start) was put in place between them{late}",
                trigger=event,
                due=due,
                occurred_on=reconvened.date,
                evidence=evidence,
            )
        else:
            note = " No interim plan is recorded yet."
    finding = verdicts.against_due(
        due=due,
        why_due=(
            f"{within.describe()} after {label(event)}, adjourned {without}, for the reconvened conference"
        ),
        done_on=reconvened.date if reconvened is not None else None,
        done_text=(
            f"It reconvened as the {named(reconvened, EVENT_LABELS[reconvened.type])}, held on "  # type: ignore[attr-defined]
            f"{reconvened.date.isoformat()}"
            if reconvened is not None
            else None
        ),
        wanted="the reconvened conference",
        missing="the conference had not reconvened",
        closure=closure,
        trigger=event,
        evidence=evidence,
        skipped_from=event.date if within.working_days else None,
    )
    return replace(finding, explanation=finding.explanation + note) if note else finding


def _persisting(
    rule: DecisionRule, timeline: Timeline, verdicts: Verdicts, position: int, earlier: AnyEvent
) -> Finding:
    """A reconvened conference split 50% again: the child remains on a plan pending escalation."""
    events = timeline.events
    event = events[position]
    votes = _votes_of(event)
    earlier_votes = _votes_of(earlier)
    assert votes is not None and earlier_votes is not None
    kind: str = event.type  # type: ignore[attr-defined]
    text = (
        f"The 50% split persisted ({_votes_text(earlier, earlier_votes)} at {label(earlier)}, "
        f"{_votes_text(event, votes)} at {label(event)}, which reconvened it), so the child remains on "
        "a plan pending escalation to senior managers"
    )
    outcome = _outcome_of(event)
    if outcome is None:
        return verdicts.undetermined(f"{label(event)} does not record the outcome. {text}", trigger=event)
    if outcome != _FOR[kind]:
        return verdicts.violated(
            f"{text}, but the outcome was {_OUTCOME_WORDS.get(outcome, 'another')} (it should be "
            f"{_OUTCOME_WORDS[_FOR[kind]]})",
            trigger=event,
            evidence=(earlier,),
        )
    episode = timeline.episode_of(position)
    if episode is None:
        return verdicts.violated(
            f"{text}, but no plan was open at the conference or started that day",
            trigger=event,
            evidence=(earlier,),
        )
    stop = timeline.episode_bounds(episode)[1]
    next_conference = timeline.first(_ANY_CONFERENCE, position + 1, stop)
    end = timeline.episode(episode).end_index
    if rule.escalation is not None:
        limit = next_conference if next_conference is not None else (end if end is not None else stop)
        return _escalated(
            rule.escalation, timeline, verdicts, position, earlier, text, next_conference, limit
        )
    if next_conference is not None:
        return verdicts.met(
            f"{text}. The plan continued until {label(events[next_conference])}",
            trigger=event,
            evidence=(earlier, events[next_conference]),
        )
    if end is not None:
        return verdicts.violated(
            f"{text}, but the plan ended on {events[end].date.isoformat()}{aside(events[end], 'plan end')} "
            "before another conference reviewed the decision",
            trigger=event,
            evidence=(earlier, events[end]),
        )
    return verdicts.not_applicable(
        f"{text}. The plan continues; it must not end before the next conference reviews the decision "
        "(checked again then)",
        trigger=event,
    )


def _escalated(
    wanted: Selector,
    timeline: Timeline,
    verdicts: Verdicts,
    position: int,
    earlier: AnyEvent,
    text: str,
    next_conference: int | None,
    limit: int,
) -> Finding:
    """A persisting split with ``escalation``: the plan continues and the decision is escalated
    after the reconvened conference and before the plan's next conference."""
    events = timeline.events
    event = events[position]
    sure, unknown = timeline.split(wanted, position + 1, limit)
    escalation = events[sure[0]] if sure else None
    what = wanted.words.bare
    made = (
        f"the {what} was made on {escalation.date.isoformat()}{aside(escalation, 'escalation')}"
        if escalation is not None
        else ""
    )
    if next_conference is not None:
        reviewed = label(events[next_conference])
        if escalation is not None:
            return verdicts.met(
                f"{text}. The plan continued until {reviewed}, and {made}, before it",
                trigger=event,
                evidence=(earlier, escalation, events[next_conference]),
            )
        if unknown:
            doubtful = events[unknown[0]]
            lacking = empty_fields(wanted, timeline, unknown[0])
            return verdicts.undetermined(
                f"{text}. {capital(label(doubtful))} does not record {lacking}, so "
                f"whether the decision went to senior managers before {reviewed} is unknown",
                trigger=event,
            )
        return verdicts.violated(
            f"{text}, but no {what} is recorded between {label(event)} and {reviewed}, the next "
            "conference, which should have had the senior managers' review of the decision",
            trigger=event,
            evidence=(earlier, events[next_conference]),
        )
    episode = timeline.episode_of(position)
    assert episode is not None  # _persisting returned before this when no plan was open
    end = timeline.episode(episode).end_index
    if end is not None:
        return verdicts.violated(
            f"{text}, but the plan ended on {events[end].date.isoformat()}{aside(events[end], 'plan end')} "
            f"before another conference reviewed the decision{'; ' + made if made else ''}",
            trigger=event,
            evidence=(earlier, events[end]),
        )
    if escalation is not None:
        return verdicts.met(
            f"{text}; {made}. The plan continues; it must not end before the next conference (checked "
            "again then)",
            trigger=event,
            evidence=(earlier, escalation),
        )
    if unknown:
        doubtful = events[unknown[0]]
        lacking = empty_fields(wanted, timeline, unknown[0])
        return verdicts.undetermined(
            f"{text}. {capital(label(doubtful))} does not record {lacking}, so whether "
            "the decision has gone to senior managers is unknown",
            trigger=event,
        )
    return verdicts.not_applicable(
        f"{text}. No {what} is recorded yet; it is owed before the next conference, and checked then",
        trigger=event,
    )

