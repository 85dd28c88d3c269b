"""The invariants every pack keeps (SPEC §3), checked on realistic cases from cprules.testing.

Each test states one invariant in its name and runs it over every bundled pack. Cases come
from :func:`cprules.testing.case_data` with the pack's calendar, authorities and event types,
some late, some with facts missing, some with a ``records`` list; report dates from
:func:`cprules.testing.as_of_dates` (near the case's events, where statuses change).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest
from _budget import budget
from hypothesis import assume, given
from hypothesis import strategies as st

from cprules import (
    CaseError,
    Finding,
    Pack,
    Report,
    Status,
    bundled_pack_ids,
    evaluate,
    load_pack,
    parse_case,
)
from cprules.case import EVENT_MODELS, MAX_DATE, Case
from cprules.findings import Severity
from cprules.pack.model import (
    AlternationRule,
    ConditionRule,
    DeadlineRule,
    DecisionRule,
    EscalationRule,
    FieldExpect,
    IntervalRule,
    Rule,
)
from cprules.testing import EVENT_TYPES, as_of_dates, case_data, events
from cprules.timeline import Timeline

PACK_IDS = bundled_pack_ids()
#: statuses a finding keeps at every later as_of (SPEC §3: "missed is final")
FINAL = frozenset({Status.MET, Status.LATE, Status.VIOLATED, Status.MISSED})
#: kinds whose ``due`` is the last day on time (SPEC §3); the others may use it for the boundary
#: date they check ("no earlier than"), so met there says nothing about the order of the dates
DEADLINE_KINDS = frozenset({"deadline", "interval", "escalation", "window"})
#: follow-up dates: fields of an event that record when something after it was done
FOLLOW_UPS = {
    kind: tuple(
        name for name, info in model.model_fields.items() if name != "date" and "date" in str(info.annotation)
    )
    for kind, model in EVENT_MODELS.items()
}


@cache
def pack_named(pack_id: str) -> Pack:
    return load_pack(pack_id)


def draw_case(data: st.DataObject, pack: Pack) -> tuple[dict[str, Any], Case, date]:
    raw = data.draw(case_data(pack=pack, records=None), label="case")
    case = parse_case(raw)
    as_of = data.draw(as_of_dates(case), label="as_of")
    return raw, case, as_of


def by_key(report: Report) -> dict[str, Finding]:
    return {finding.key: finding for finding in report.findings}


# --- one report -------------------------------------------------------------------------------


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_the_same_input_gives_the_same_report(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    raw, case, as_of = draw_case(data, pack)
    first = evaluate(case, pack, as_of=as_of)
    assert evaluate(case, pack, as_of=as_of) == first
    from_text = evaluate(parse_case(json.dumps(raw)), pack, as_of=as_of)
    assert from_text == first
    assert from_text.to_json() == first.to_json()


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_the_order_of_events_in_the_file_changes_nothing(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    raw, case, as_of = draw_case(data, pack)
    shuffled = data.draw(st.permutations(raw["events"]), label="file order")
    again = evaluate(parse_case({**raw, "events": shuffled}), pack, as_of=as_of)
    assert again == evaluate(case, pack, as_of=as_of)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_every_rule_gives_at_least_one_finding(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    report = evaluate(case, pack, as_of=as_of)
    assert {finding.rule_id for finding in report.findings} == set(pack.rule_ids)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_finding_keys_are_unique_within_a_report(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    keys = [finding.key for finding in evaluate(case, pack, as_of=as_of).findings]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_a_status_is_consistent_with_its_dates(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    calendar = pack.calendar
    for f in evaluate(case, pack, as_of=as_of).findings:
        where = f"{f.key}: {f.status} due {f.due} occurred {f.occurred_on} — {f.explanation}"
        if f.occurred_on is not None:  # nothing after as_of is seen, so nothing after it is cited
            assert f.occurred_on <= as_of, where
        if f.status is Status.LATE:
            assert f.due is not None and f.occurred_on is not None, where
            assert f.occurred_on > f.due, where
            assert f.working_days_late == calendar.working_days_between(f.due, f.occurred_on), where
            assert f.working_days_late >= 0, where
            assert f.calendar_days_late == (f.occurred_on - f.due).days >= 1, where
        elif f.status is Status.MET and f.kind in DEADLINE_KINDS and f.due and f.occurred_on:
            assert f.occurred_on <= f.due, where
        elif f.status is Status.DUE:
            assert f.due is not None and f.due >= as_of, where
            assert f.occurred_on is None, where
        elif f.status is Status.OVERDUE:
            assert f.due is not None and f.due < as_of, where
            assert f.occurred_on is None, where
            assert f.working_days_late == calendar.working_days_between(f.due, as_of), where
        elif f.status is Status.MISSED:  # the window closed after the due date, by as_of
            assert f.due is not None and f.due < as_of, where
            assert f.occurred_on is None, where
            assert f.calendar_days_late is not None, where
            assert 1 <= f.calendar_days_late <= (as_of - f.due).days, where
            assert f.working_days_late is not None, where
            assert 0 <= f.working_days_late <= calendar.working_days_between(f.due, as_of), where


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(8)
@given(data=st.data())
def test_a_report_reads_back_from_its_json(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    report = evaluate(case, pack, as_of=as_of)
    assert Report.from_json(report.to_json()) == report


# --- two report dates ---------------------------------------------------------------------------


def two_dates(data: st.DataObject, case: Case) -> tuple[date, date]:
    first = data.draw(as_of_dates(case), label="as_of")
    later = max(first, data.draw(as_of_dates(case), label="later as_of"))
    return first, later


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_met_late_violated_and_missed_findings_keep_their_status_and_dates_later(
    pack_id: str, data: st.DataObject
) -> None:
    pack = pack_named(pack_id)
    raw = data.draw(case_data(pack=pack, records=None), label="case")
    case = parse_case(raw)
    first, later = two_dates(data, case)
    then = evaluate(case, pack, as_of=first)
    now = by_key(evaluate(case, pack, as_of=later))
    for finding in then.findings:
        if finding.status not in FINAL:
            continue
        assert finding.key in now, f"{finding.key} ({finding.status} on {first}) is gone on {later}"
        seen = now[finding.key]
        assert (seen.status, seen.due, seen.occurred_on, seen.working_days_late) == (
            finding.status,
            finding.due,
            finding.occurred_on,
            finding.working_days_late,
        ), f"{finding.key} on {first}: {finding.explanation} / on {later}: {seen.explanation}"


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_an_overdue_finding_never_turns_back_into_due_later(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    # a rule with occurrence: latest restarts its clock on a new trigger: due again is right
    restarting = {rule.id for rule in pack.rules if getattr(rule, "occurrence", None) == "latest"}
    raw = data.draw(case_data(pack=pack, records=None), label="case")
    case = parse_case(raw)
    first, later = two_dates(data, case)
    now = by_key(evaluate(case, pack, as_of=later))
    for finding in evaluate(case, pack, as_of=first).findings:
        if finding.status is not Status.OVERDUE or finding.rule_id in restarting:
            continue
        seen = now.get(finding.key)
        assert seen is None or seen.status is not Status.DUE, (
            f"{finding.key} overdue on {first}: {finding.explanation} / due on {later}: {seen.explanation}"
        )


# --- what happens after as_of -------------------------------------------------------------------


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_an_event_dated_after_as_of_changes_nothing(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    raw, case, as_of = draw_case(data, pack)
    assume(as_of < MAX_DATE)
    when = st.dates(min_value=as_of + timedelta(days=1), max_value=min(MAX_DATE, as_of + timedelta(days=400)))
    later = data.draw(events(EVENT_TYPES, on=when, id="after-as-of"), label="event after as_of")
    try:
        with_later = parse_case({**raw, "events": [*raw["events"], later]})
    except CaseError:
        # a plan_start while a plan is open, or a plan_end with none open: not a valid case
        assume(False)
        raise
    assert evaluate(with_later, pack, as_of=as_of) == evaluate(case, pack, as_of=as_of)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_a_follow_up_date_after_as_of_changes_nothing(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    raw, _, as_of = draw_case(data, pack)
    assume(as_of < MAX_DATE)
    after = st.dates(min_value=as_of + timedelta(days=1), max_value=min(MAX_DATE, as_of + timedelta(days=90)))
    unseen: list[dict[str, Any]] = []  # minutes, outline plans, notifications not yet sent by as_of
    later: list[dict[str, Any]] = []  # the same, sent after as_of
    for event in raw["events"]:
        fields = FOLLOW_UPS[event["type"]]
        if not fields or date.fromisoformat(event["date"]) > as_of:
            unseen.append(event)
            later.append(event)
            continue
        pending = {name for name in fields if name not in event or date.fromisoformat(event[name]) > as_of}
        unseen.append({name: value for name, value in event.items() if name not in pending})
        later.append(
            {**event, **{name: data.draw(after, label=name).isoformat() for name in sorted(pending)}}
        )
    not_yet = evaluate(parse_case({**raw, "events": unseen}), pack, as_of=as_of)
    assert evaluate(parse_case({**raw, "events": later}), pack, as_of=as_of) == not_yet


# --- obligations that end, one act one breach (SPEC §3) ------------------------------------------


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_no_overdue_finding_belongs_to_a_plan_that_has_ended(pack_id: str, data: st.DataObject) -> None:
    """'overdue' always means still open and actionable today: an obligation set by an event of a
    plan that has ended (other than that plan's end) is not_applicable, met, late or missed."""
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    timeline = Timeline.build(case, as_of, pack.calendar)
    outliving = {rule.id for rule in pack.rules if rule.outlives_plan}
    for finding in evaluate(case, pack, as_of=as_of).findings:
        if finding.status is not Status.OVERDUE or finding.rule_id in outliving:
            continue
        if finding.trigger_event is None:
            continue
        position = timeline.position_of(finding.trigger_event)
        assert position is not None
        number = timeline.episode_of(position)
        if number is None:
            continue
        end = timeline.episode(number).end_index
        assert end is None or end <= position, (
            f"{finding.key} is overdue but its plan ended on {timeline.events[end].date}: "
            f"{finding.explanation}"
        )


def act_of(rule: Rule, finding: Finding) -> tuple[object, ...]:
    """What a finding is about, as a key: the trigger, the due date and the thing expected (two
    breaches with one key are one act reported twice). A conference's decision is one act
    whatever the rule checks of it (the outcome, the adjournment, the reconvening)."""
    if isinstance(rule, DecisionRule):
        return (finding.trigger_event, "the conference's decision")
    what: object = rule.kind
    if isinstance(rule, DeadlineRule):
        what = rule.expect.field if isinstance(rule.expect, FieldExpect) else rule.expect.key
    elif isinstance(rule, EscalationRule):
        what = rule.expect.key
    elif isinstance(rule, IntervalRule):
        what = rule.event.key
    elif isinstance(rule, AlternationRule):
        what = tuple(sorted(rule.property))
    elif isinstance(rule, ConditionRule):
        wanted = rule.preceded_by or rule.followed_by
        what = wanted.key if wanted is not None else tuple(sorted(rule.require))
    return (finding.trigger_event, finding.due, what)


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(12)
@given(data=st.data())
def test_a_report_never_holds_two_breaches_for_one_act(pack_id: str, data: st.DataObject) -> None:
    pack = pack_named(pack_id)
    _, case, as_of = draw_case(data, pack)
    rules = {rule.id: rule for rule in pack.rules}
    seen: dict[tuple[object, ...], Finding] = {}
    for finding in evaluate(case, pack, as_of=as_of).findings:
        if not finding.is_breach or finding.trigger_event is None:
            continue
        act = act_of(rules[finding.rule_id], finding)
        other = seen.setdefault(act, finding)
        assert other is finding or other.rule_id == finding.rule_id, (
            f"one act, two breaches: {other.key} ({other.status}: {other.explanation}) and "
            f"{finding.key} ({finding.status}: {finding.explanation})"
        )


def test_act_of_tells_a_split_reported_twice_from_two_different_acts() -> None:
    """The act key itself: the two nelincs rules that once both reported a late reconvening share
    a key; two deadlines on one ICPC expecting different things do not."""
    nelincs = pack_named("nelincs")
    f = Finding(
        "x@ic#1", "x", "t", "decision", Severity.BREACH, Status.LATE, date(2024, 6, 10),
        date(2024, 6, 11), 1, 1, "ic", (), "c", "e",
    )
    assert act_of(nelincs.rule("split-decision"), f) == act_of(nelincs.rule("initial-no-majority"), f)
    first_core_group = act_of(nelincs.rule("first-core-group"), f)
    outline_plan = act_of(nelincs.rule("outline-plan-circulated"), f)
    assert first_core_group != outline_plan
