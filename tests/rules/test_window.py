"""The ``window`` kind: an event inside a window set from an anchor date.

The pre-birth reading (North East Lincolnshire, s15: "not normally be convened before the 24th
week of pregnancy, but at the latest should take place by the 30th week"): pregnancy weeks are
counted back from the expected delivery date, which is 40+0; the window opens at 24+0 = EDD - 16
weeks and closes at 30+0 = EDD - 10 weeks, both days included.

Dates worked out by hand (2024): EDD Fri 5 Jul. 16 weeks = 112 days before: Jul 5 -> Jun 5 (30)
-> May 5 (61) -> Apr 5 (91) -> Fri 15 Mar (112). 10 weeks = 70 days before: May 5 (61) -> Fri 26
Apr (70). Apr-May 2024: Fri 26, Sat 27, Sun 28, Mon 29, Tue 30, Wed 1 May, Thu 2, Fri 3, Sat 4,
Sun 5, Mon 6 (bank holiday), Tue 7.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from cprules import parse_case
from cprules.calendar import WorkingCalendar
from cprules.findings import Finding, Status
from cprules.pack.model import RULE_ADAPTER
from cprules.rules.verdict import Verdicts
from cprules.rules.window import evaluate
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()
AS_OF = date(2024, 12, 31)


def _rule(**params: Any) -> Any:
    base: dict[str, Any] = {
        "id": "prebirth-window",
        "kind": "window",
        "title": "Pre-birth ICPC not before week 24 and by week 30 of pregnancy",
        "severity": "breach",
        "citation": "NEL Child Protection Conferences, s15",
        "event": {"event": "icpc", "where": {"prebirth": True}},
        "anchor": "expected_delivery_date",
        "not_before": {"weeks": 16, "direction": "before"},
        "not_after": {"weeks": 10, "direction": "before"},
    }
    base.update(params)
    return RULE_ADAPTER.validate_python(base)


PREBIRTH = _rule()


def _run(
    rule: Any, events: list[dict[str, Any]], as_of: date = AS_OF, child: dict[str, str] | None = None
) -> list[Finding]:
    case = parse_case(
        {
            "case_id": "WIN",
            "child": {"expected_delivery_date": "2024-07-05"} if child is None else child,
            "events": events,
        }
    )
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _icpc(day: str, id_: str = "ic", **more: Any) -> dict[str, Any]:
    return {"id": id_, "type": "icpc", "date": day, "prebirth": True, **more}


def test_on_the_opening_day_is_met() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-03-15")])
    assert (finding.key, finding.status.value) == ("prebirth-window@ic#1", "met")
    assert (finding.due, finding.occurred_on) == (date(2024, 4, 26), date(2024, 3, 15))
    assert "opening 2024-03-15" in finding.explanation and "closing 2024-04-26" in finding.explanation


def test_the_day_before_the_window_opens_is_violated() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-03-14")])
    assert finding.status.value == "violated"
    # Jul 5 - Mar 14 = 113 days = 16 weeks and 1 day
    assert "16 weeks and 1 day before the expected delivery date 2024-07-05" in finding.explanation
    assert "on 2024-03-15: 1 day too early" in finding.explanation


def test_too_early_is_explained_in_weeks() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-03-01")])  # 126 days = 18 weeks before the EDD
    assert finding.status.value == "violated"
    assert "18 weeks before" in finding.explanation and "2 weeks too early" in finding.explanation


def test_on_the_closing_day_is_met() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-04-26")])
    assert (finding.status.value, finding.due) == ("met", date(2024, 4, 26))


def test_one_working_day_after_closing_is_one_late() -> None:
    # Fri 26 Apr -> Mon 29 Apr: 1 WD, 3 calendar days
    [finding] = _run(PREBIRTH, [_icpc("2024-04-29")])
    assert (finding.status.value, finding.due, finding.working_days_late, finding.calendar_days_late) == (
        "late",
        date(2024, 4, 26),
        1,
        3,
    )


def test_the_weekend_straight_after_a_friday_closing_is_zero_working_days_late() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-04-27")])
    assert (finding.status.value, finding.working_days_late, finding.calendar_days_late) == ("late", 0, 1)


def test_late_across_a_bank_holiday() -> None:
    # Fri 26 Apr -> Tue 7 May: Mon 29, Tue 30, Wed 1, Thu 2, Fri 3, (Mon 6 bank holiday), Tue 7 = 6 WD
    [finding] = _run(PREBIRTH, [_icpc("2024-05-07")])
    assert (finding.status.value, finding.working_days_late, finding.calendar_days_late) == ("late", 6, 11)


def test_no_expected_delivery_date_is_undetermined() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-04-01")], child={"date_of_birth": "2024-07-01"})
    assert finding.status.value == "undetermined"
    assert "expected delivery date" in finding.explanation


def test_no_qualifying_event_is_not_applicable() -> None:
    events = [{"id": "ic", "type": "icpc", "date": "2024-01-01", "prebirth": False}]
    [finding] = _run(PREBIRTH, events)
    assert (finding.key, finding.status.value) == ("prebirth-window@-#1", "not_applicable")


def test_an_event_after_as_of_is_unseen() -> None:
    [finding] = _run(PREBIRTH, [_icpc("2024-05-07")], as_of=date(2024, 5, 6))
    assert finding.status.value == "not_applicable"


def test_an_event_that_may_not_qualify_is_met_inside_and_undetermined_outside() -> None:
    events = [
        {"id": "ic1", "type": "icpc", "date": "2024-03-01"},  # prebirth not recorded, too early
        {"id": "ic2", "type": "icpc", "date": "2024-04-01"},  # inside
        {"id": "ic3", "type": "icpc", "date": "2024-05-10"},  # after closing
    ]
    findings = _run(PREBIRTH, events)
    assert [(f.key, f.status.value) for f in findings] == [
        ("prebirth-window@ic1#1", "undetermined"),
        ("prebirth-window@ic2#1", "met"),
        ("prebirth-window@ic3#1", "undetermined"),
    ]
    assert "does not record whether it was a pre-birth conference" in findings[0].explanation
    assert findings[2].due == date(2024, 4, 26)


def test_each_qualifying_event_in_date_order() -> None:
    findings = _run(PREBIRTH, [_icpc("2024-05-03", "b"), _icpc("2024-03-20", "a")])
    assert [(f.key, f.status.value) for f in findings] == [
        ("prebirth-window@a#1", "met"),
        ("prebirth-window@b#1", "late"),
    ]


# --- an event anchor -------------------------------------------------------------------------

CORE_GROUP = _rule(
    id="first-core-group-window",
    event={"event": "core_group"},
    anchor={"event": "icpc"},
    not_before=None,
    not_after={"working_days": 10},
)


def test_working_day_window_from_an_event_names_the_holidays() -> None:
    # Tue 19 Mar + 10 WD: Wed 20, Thu 21, Fri 22, Mon 25, Tue 26, Wed 27, Thu 28, (Good Friday 29,
    # Easter Monday 1 Apr), Tue 2, Wed 3, Thu 4 = Thu 4 Apr
    events = [
        {"id": "ic", "type": "icpc", "date": "2024-03-19"},
        {"id": "cg", "type": "core_group", "date": "2024-04-05"},
    ]
    [finding] = _run(CORE_GROUP, events, child={"date_of_birth": "2020-01-01"})
    assert (finding.status.value, finding.due, finding.working_days_late) == ("late", date(2024, 4, 4), 1)
    assert "Good Friday 29 March and Easter Monday 1 April" in finding.explanation
    assert finding.evidence_events == ("ic",)
    on_time = [events[0], {**events[1], "date": "2024-04-04"}]
    assert _run(CORE_GROUP, on_time, child={"date_of_birth": "2020-01-01"})[0].status.value == "met"


def test_the_latest_anchor_before_the_event_counts() -> None:
    # ic2 Mon 8 Apr + 10 WD: Tue 9, Wed 10, Thu 11, Fri 12, Mon 15, Tue 16, Wed 17, Thu 18, Fri 19,
    # Mon 22 = Mon 22 Apr (from ic1 it would be Thu 4 Apr, and Fri 19 Apr late)
    events = [
        {"id": "ic1", "type": "icpc", "date": "2024-03-19"},
        {"id": "ic2", "type": "icpc", "date": "2024-04-08"},
        {"id": "cg", "type": "core_group", "date": "2024-04-19"},
    ]
    [finding] = _run(CORE_GROUP, events, child={"date_of_birth": "2020-01-01"})
    assert (finding.status.value, finding.due, finding.evidence_events) == (
        "met",
        date(2024, 4, 22),
        ("ic2",),
    )


def test_no_anchor_event_before_is_undetermined() -> None:
    events = [
        {"id": "cg", "type": "core_group", "date": "2024-03-18"},
        {"id": "ic", "type": "icpc", "date": "2024-03-19"},
    ]
    [finding] = _run(CORE_GROUP, events, child={"date_of_birth": "2020-01-01"})
    assert finding.status.value == "undetermined"
    assert "No ICPC before" in finding.explanation


def test_a_date_of_birth_after_as_of_is_not_known_yet() -> None:
    rule = _rule(
        id="reconvene-after-birth",
        event={"event": "review_conference"},
        anchor="date_of_birth",
        not_before={"days": 1, "direction": "after"},
        not_after=None,
    )
    events = [{"id": "rc", "type": "review_conference", "date": "2024-06-03"}]
    [unknown] = _run(rule, events, as_of=date(2024, 6, 10), child={"date_of_birth": "2024-06-20"})
    assert unknown.status.value == "undetermined"
    [early] = _run(rule, events, as_of=date(2024, 6, 30), child={"date_of_birth": "2024-06-03"})
    assert early.status.value == "violated"  # on the day of birth: the window opens the day after
    assert early.due is None
    [met] = _run(rule, events, as_of=date(2024, 6, 30), child={"date_of_birth": "2024-06-02"})
    assert met.status.value == "met"


@pytest.mark.parametrize("as_of", [date(2024, 5, 3), date(2024, 6, 1), date(2025, 1, 1)])
def test_findings_do_not_change_at_later_dates(as_of: date) -> None:
    events = [_icpc("2024-03-14", "early"), _icpc("2024-04-01", "inside"), _icpc("2024-05-03", "late")]
    assert [f.status.value for f in _run(PREBIRTH, events, as_of=as_of)] == ["violated", "met", "late"]


def test_a_window_needs_a_bound() -> None:
    with pytest.raises(ValidationError, match="needs not_before, not_after or both"):
        _rule(not_before=None, not_after=None)


# --- not noisy: the case settles whether an ICPC was pre-birth (SPEC §4) -------------------------


def test_an_ordinary_icpc_of_a_child_born_before_it_is_not_applicable() -> None:
    # born 2016-04-02, ICPC 2024-05-01 without prebirth recorded: plainly not a pre-birth
    # conference, so the rule does not concern it (it used to be undetermined on every such ICPC)
    events = [{"id": "ic", "type": "icpc", "date": "2024-05-01", "outcome": "plan"}]
    [finding] = _run(PREBIRTH, events, child={"date_of_birth": "2016-04-02"})
    assert (finding.status, finding.trigger_event) == (Status.NOT_APPLICABLE, None)
    assert finding.explanation == "No pre-birth ICPC in the timeline."


def test_an_icpc_before_a_recorded_birth_that_does_not_say_is_still_checked() -> None:
    # an unborn child (expected 5 Jul 2024): an ICPC of 29 Apr not marked either way may be the
    # pre-birth conference: outside the window (closing Fri 26 Apr) it is undetermined, not late
    events = [{"id": "ic", "type": "icpc", "date": "2024-04-29"}]
    [finding] = _run(PREBIRTH, events)
    assert finding.status is Status.UNDETERMINED
    assert "does not record whether it was a pre-birth conference" in finding.explanation
