"""The ``decision`` kind: outcomes follow votes; without a majority, adjourn and reconvene.

Dates are worked out by hand. England 2024, the weeks used here:
    Mar: Tue 19, Wed 20, Thu 21, Fri 22 | Mon 25, Tue 26, Wed 27, Thu 28, Fri 29 (Good Friday)
    Sat 30, Sun 31 | Mon 1 Apr (Easter Monday), Tue 2, Wed 3, Thu 4, Fri 5 | Mon 8, Tue 9
    May: Wed 1, Thu 2, Fri 3 | Mon 6 (bank holiday), Tue 7, Wed 8, Thu 9, Fri 10
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from cprules import parse_case
from cprules.calendar import WorkingCalendar
from cprules.findings import Finding
from cprules.pack.model import RULE_ADAPTER
from cprules.rules.decision import evaluate
from cprules.rules.verdict import Verdicts
from cprules.timeline import Timeline

CALENDAR = WorkingCalendar()


def _rule(require: str, conference: Any = ("icpc", "review_conference"), **extra: Any) -> Any:
    return RULE_ADAPTER.validate_python(
        {
            "id": "decision-rule",
            "kind": "decision",
            "title": "Decisions follow the votes",
            "severity": "breach",
            "citation": "NEL Child Protection Conferences, s3",
            "conference": {"event": list(conference) if isinstance(conference, tuple) else conference},
            "require": require,
            **extra,
        }
    )


def _run(rule: Any, events: list[dict[str, Any]], as_of: date) -> list[Finding]:
    case = parse_case({"case_id": "DEC", "child": {"date_of_birth": "2019-01-01"}, "events": events})
    timeline = Timeline.build(case, as_of, CALENDAR)
    return evaluate(rule, timeline, Verdicts(rule, timeline))


def _icpc(
    id_: str, day: str, outcome: str | None, votes: tuple[int, int] | None, **more: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {"id": id_, "type": "icpc", "date": day, **more}
    if outcome is not None:
        event["outcome"] = outcome
    if votes is not None:
        event["votes"] = {"for_plan": votes[0], "against_plan": votes[1]}
    return event


def _review(
    id_: str, day: str, outcome: str | None, votes: tuple[int, int] | None, **more: Any
) -> dict[str, Any]:
    event = _icpc(id_, day, outcome, votes, **more)
    event["type"] = "review_conference"
    return event


def _statuses(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.key, f.status.value) for f in findings]


AS_OF = date(2024, 12, 31)


# --- outcome_follows_votes -------------------------------------------------------------------


class TestOutcomeFollowsVotes:
    rule = _rule("outcome_follows_votes")

    def test_majority_for_a_plan_gives_a_plan(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "plan", (4, 2))], AS_OF)
        assert (finding.key, finding.status.value) == ("decision-rule@ic#1", "met")
        assert "4 of 6 is more than half" in finding.explanation

    def test_three_of_five_is_more_than_half(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "plan", (3, 2))], AS_OF)
        assert finding.status.value == "met"

    def test_a_majority_for_with_no_plan_is_violated(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "no_plan", (3, 2))], AS_OF)
        assert finding.status.value == "violated"
        assert "should be a plan, but it was no plan" in finding.explanation

    def test_majority_against_gives_no_plan_or_cessation(self) -> None:
        events = [
            _icpc("ic", "2024-03-19", "no_plan", (1, 5)),
            _review("rc1", "2024-06-10", "cease", (1, 5)),
            _review("rc2", "2024-09-10", "cease", (5, 1)),  # a majority for continuing: cease is wrong
            _review("rc3", "2024-10-10", "continue", (5, 1)),
        ]
        assert _statuses(_run(self.rule, events, AS_OF)) == [
            ("decision-rule@ic#1", "met"),
            ("decision-rule@rc1#1", "met"),
            ("decision-rule@rc2#1", "violated"),
            ("decision-rule@rc3#1", "met"),
        ]

    def test_no_majority_must_adjourn(self) -> None:
        events = [
            _icpc("ic1", "2024-03-19", "adjourned", (3, 3)),
            _icpc("ic2", "2024-05-01", "plan", (2, 2)),  # not a reconvening of ic1: a fresh split
        ]
        findings = _run(self.rule, events, AS_OF)
        assert _statuses(findings) == [("decision-rule@ic1#1", "met"), ("decision-rule@ic2#1", "violated")]
        assert "neither side has more than half" in findings[1].explanation

    def test_a_split_that_persists_at_the_reconvened_conference_keeps_the_plan(self) -> None:
        events = [
            _icpc("ic1", "2024-03-19", "adjourned", (3, 3)),
            _icpc("ic2", "2024-03-25", "plan", (3, 3), reconvened_from="ic1"),
        ]
        findings = _run(self.rule, events, AS_OF)
        assert _statuses(findings) == [("decision-rule@ic1#1", "met"), ("decision-rule@ic2#1", "met")]
        assert "persisted" in findings[1].explanation
        assert findings[1].evidence_events == ("ic1",)
        adjourned_again = [events[0], {**events[1], "outcome": "adjourned"}]
        assert _statuses(_run(self.rule, adjourned_again, AS_OF))[1] == ("decision-rule@ic2#1", "violated")

    def test_reconvening_a_conference_adjourned_for_reports_is_a_fresh_decision(self) -> None:
        events = [
            _icpc("ic1", "2024-03-19", "adjourned", None, adjournment_reason="missing_reports"),
            _icpc("ic2", "2024-03-25", "adjourned", (3, 3), reconvened_from="ic1"),
        ]
        # ic1 has no votes: undetermined; ic2 is the first split, so adjourning is right
        assert _statuses(_run(self.rule, events, AS_OF)) == [
            ("decision-rule@ic1#1", "undetermined"),
            ("decision-rule@ic2#1", "met"),
        ]

    def test_missing_votes_or_outcome_is_undetermined_naming_it(self) -> None:
        events = [
            _icpc("ic", "2024-03-19", "plan", None),
            _review("rc", "2024-06-10", None, (4, 1)),
            _review("rc2", "2024-09-10", None, None),
        ]
        findings = _run(self.rule, events, AS_OF)
        assert [f.status.value for f in findings] == ["undetermined"] * 3
        assert "does not record the votes." in findings[0].explanation
        assert "does not record the outcome." in findings[1].explanation
        assert "the votes or the outcome" in findings[2].explanation

    def test_no_votes_cast_is_undetermined(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "adjourned", (0, 0))], AS_OF)
        assert finding.status.value == "undetermined"
        assert "no votes cast" in finding.explanation

    def test_postponed_conference_took_no_decision(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "postponed", (3, 1))], AS_OF)
        assert finding.status.value == "not_applicable"

    def test_adjourned_for_missing_reports_is_not_decided_by_votes(self) -> None:
        events = [
            _icpc("ic1", "2024-03-19", "adjourned", (4, 1), adjournment_reason="missing_reports"),
            _icpc("ic2", "2024-05-01", "adjourned", (4, 1), adjournment_reason="other"),
        ]
        assert _statuses(_run(self.rule, events, AS_OF)) == [
            ("decision-rule@ic1#1", "not_applicable"),
            ("decision-rule@ic2#1", "violated"),
        ]

    def test_adjourned_against_a_majority_without_a_reason_is_undetermined(self) -> None:
        # the blank reason may be missing reports or attendance, which would excuse it
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "adjourned", (4, 1))], AS_OF)
        assert finding.status.value == "undetermined"
        assert "does not say why" in finding.explanation
        assert "reports or attendance" in finding.explanation

    def test_nothing_to_check_is_not_applicable(self) -> None:
        [finding] = _run(self.rule, [{"id": "v", "type": "visit", "date": "2024-03-19"}], AS_OF)
        assert (finding.key, finding.status.value) == ("decision-rule@-#1", "not_applicable")
        assert "ICPC or review conference" in finding.explanation

    def test_a_conference_after_as_of_is_unseen(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-19", "no_plan", (5, 1))], date(2024, 3, 18))
        assert finding.status.value == "not_applicable"

    def test_only_selected_conference_types(self) -> None:
        rule = _rule("outcome_follows_votes", conference="review_conference")
        events = [
            _icpc("ic", "2024-03-19", "no_plan", (5, 1)),
            _review("rc", "2024-06-10", "continue", (5, 1)),
        ]
        assert _statuses(_run(rule, events, AS_OF)) == [("decision-rule@rc#1", "met")]


# --- adjourn_without_majority ------------------------------------------------------------------


class TestAdjournWithoutMajority:
    rule = _rule(
        "adjourn_without_majority",
        conference="icpc",
        adjourn_within={"working_days": 5},
        interim="interim_plan",
    )
    review_rule = _rule(
        "adjourn_without_majority",
        conference="review_conference",
        adjourn_within={"working_days": 5},
        interim="plan_continues",
    )

    # Tue 26 Mar + 5 WD: Wed 27, Thu 28, (Good Fri 29, Easter Mon 1 Apr), Tue 2, Wed 3, Thu 4 = Thu 4 Apr
    ADJOURNED: ClassVar[dict[str, Any]] = _icpc("ic", "2024-03-26", "adjourned", (3, 3))
    INTERIM: ClassVar[dict[str, Any]] = {
        "id": "ps",
        "type": "plan_start",
        "date": "2024-03-26",
        "interim": True,
    }

    def _reconvened(self, day: str, **more: Any) -> dict[str, Any]:
        return _icpc("ic2", day, "plan", (5, 1), reconvened_from="ic", **more)

    def test_reconvened_on_the_due_date_is_met(self) -> None:
        events = [self.ADJOURNED, self.INTERIM, self._reconvened("2024-04-04")]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.key, finding.status.value, finding.due) == (
            "decision-rule@ic#1",
            "met",
            date(2024, 4, 4),
        )
        assert finding.occurred_on == date(2024, 4, 4)
        assert finding.evidence_events == ("ic2", "ps")
        assert "Good Friday 29 March and Easter Monday 1 April" in finding.explanation
        assert "interim plan meanwhile, from 2024-03-26 (the plan start ps)" in finding.explanation

    def test_one_working_day_after_is_one_late(self) -> None:
        events = [self.ADJOURNED, self.INTERIM, self._reconvened("2024-04-05")]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.status.value, finding.working_days_late, finding.calendar_days_late) == ("late", 1, 1)

    def test_adjourned_on_a_saturday_counts_from_the_next_working_day(self) -> None:
        # Sat 30 Mar + 5 WD: (Mon 1 Apr Easter Monday) Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 = Mon 8 Apr
        events = [
            _icpc("ic", "2024-03-30", "adjourned", (2, 2)),
            {"id": "ps", "type": "plan_start", "date": "2024-03-30", "interim": True},
            self._reconvened("2024-04-09"),
        ]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.status.value, finding.due, finding.working_days_late) == ("late", date(2024, 4, 8), 1)

    def test_not_yet_reconvened_is_due_then_overdue(self) -> None:
        events = [self.ADJOURNED, self.INTERIM, self._reconvened("2024-04-10")]
        [on_due] = _run(self.rule, events, date(2024, 4, 4))
        assert (on_due.status.value, on_due.due, on_due.working_days_late) == ("due", date(2024, 4, 4), None)
        [after] = _run(self.rule, events, date(2024, 4, 8))  # Fri 5, Mon 8: 2 WD overdue
        assert (after.status.value, after.working_days_late, after.calendar_days_late) == ("overdue", 2, 4)
        [finally_] = _run(self.rule, events, date(2024, 4, 10))  # Wed 10: Fri 5, Mon 8, Tue 9, Wed 10
        assert (finally_.status.value, finally_.working_days_late) == ("late", 4)

    def test_missing_interim_plan_before_reconvening_is_reported_with_the_deadline(self) -> None:
        [finding] = _run(self.rule, [self.ADJOURNED], date(2024, 3, 28))
        assert finding.status.value == "due"
        assert "No interim plan is recorded yet" in finding.explanation

    def test_no_interim_plan_by_the_reconvened_conference_is_violated(self) -> None:
        events = [
            self.ADJOURNED,
            self._reconvened("2024-04-03"),
            {"id": "ps", "type": "plan_start", "date": "2024-04-03"},
        ]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "violated"
        assert "no interim plan" in finding.explanation

    def test_a_plan_start_that_does_not_say_interim_is_undetermined(self) -> None:
        events = [
            self.ADJOURNED,
            {"id": "ps", "type": "plan_start", "date": "2024-03-26"},
            self._reconvened("2024-04-03"),
        ]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "undetermined"
        assert "plan start ps" in finding.explanation and "interim" in finding.explanation

    def test_a_plan_start_marked_not_interim_is_violated(self) -> None:
        events = [
            self.ADJOURNED,
            {"id": "ps", "type": "plan_start", "date": "2024-03-26", "interim": False},
            self._reconvened("2024-04-03"),
        ]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "violated"

    def test_no_majority_but_not_adjourned_is_violated(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-26", "no_plan", (3, 3))], AS_OF)
        assert finding.status.value == "violated"
        assert "should have adjourned, but its outcome was no plan" in finding.explanation

    def test_no_majority_without_an_outcome_is_undetermined(self) -> None:
        [finding] = _run(self.rule, [_icpc("ic", "2024-03-26", None, (3, 3))], AS_OF)
        assert finding.status.value == "undetermined"

    def test_conferences_with_a_majority_give_no_finding(self) -> None:
        events = [_icpc("ic", "2024-03-19", "plan", (4, 2)), _icpc("ic9", "2024-05-01", "no_plan", (1, 5))]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.key, finding.status.value) == ("decision-rule@-#1", "not_applicable")
        assert "without a majority" in finding.explanation

    def test_an_adjourned_conference_without_votes_is_undetermined_unless_adjourned_for_reports(self) -> None:
        events = [
            _icpc("ic1", "2024-03-19", "adjourned", None),
            _icpc("ic2", "2024-05-01", "adjourned", None, adjournment_reason="attendance"),
            _icpc("ic3", "2024-06-03", "plan", None),
        ]
        assert _statuses(_run(self.rule, events, AS_OF)) == [("decision-rule@ic1#1", "undetermined")]

    def test_the_interim_plan_ending_within_the_adjournment_lapses_the_reconvening(self) -> None:
        # managers concluded no plan is needed: "no further conference will be convened"
        events = [
            self.ADJOURNED,
            self.INTERIM,
            {"id": "pe", "type": "plan_end", "date": "2024-04-04", "reason": "no_longer_at_risk"},
        ]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "not_applicable"
        assert "did not reconvene" in finding.explanation

    def test_the_interim_plan_ending_after_the_due_date_does_not_lapse_it(self) -> None:
        events = [self.ADJOURNED, self.INTERIM, {"id": "pe", "type": "plan_end", "date": "2024-04-05"}]
        [finding] = _run(self.rule, events, AS_OF)
        # due Thu 4 Apr; the interim plan ended Fri 5 Apr with no reconvened conference: the
        # window closed a working day after the due date, so missed, frozen at 1 WD (SPEC §3)
        assert (finding.status.value, finding.due, finding.working_days_late) == (
            "missed",
            date(2024, 4, 4),
            1,
        )

    def test_reconvening_after_as_of_is_unseen(self) -> None:
        events = [self.ADJOURNED, self.INTERIM, self._reconvened("2024-04-04")]
        [finding] = _run(self.rule, events, date(2024, 4, 3))
        assert finding.status.value == "due"
        assert finding.occurred_on is None

    def test_each_adjourned_conference_has_its_own_reconvening(self) -> None:
        # second plan episode: ic3 adjourned Wed 1 May + 5 WD: Thu 2, Fri 3, (Mon 6 bank holiday),
        # Tue 7, Wed 8, Thu 9 = Thu 9 May; reconvened Fri 10: 1 WD late
        events = [
            self.ADJOURNED,
            self.INTERIM,
            self._reconvened("2024-04-04"),
            {"id": "pe", "type": "plan_end", "date": "2024-04-20", "reason": "no_longer_at_risk"},
            _icpc("ic3", "2024-05-01", "adjourned", (1, 1)),
            {"id": "ps3", "type": "plan_start", "date": "2024-05-01", "interim": True},
            _icpc("ic4", "2024-05-10", "plan", (3, 0), reconvened_from="ic3"),
        ]
        findings = _run(self.rule, events, AS_OF)
        assert [(f.key, f.status.value, f.due) for f in findings] == [
            ("decision-rule@ic#1", "met", date(2024, 4, 4)),
            ("decision-rule@ic3#1", "late", date(2024, 5, 9)),
        ]
        assert findings[1].evidence_events == ("ic4", "ps3")

    def test_review_plan_continues_until_reconvened(self) -> None:
        # review Wed 1 May + 5 WD = Thu 9 May (Mon 6 bank holiday)
        base = [
            _icpc("ic", "2024-02-01", "plan", (5, 0)),
            {"id": "ps", "type": "plan_start", "date": "2024-02-01"},
            _review("rc", "2024-05-01", "adjourned", (2, 2)),
        ]
        met = [*base, _review("rc2", "2024-05-09", "continue", (4, 0), reconvened_from="rc")]
        [finding] = _run(self.review_rule, met, AS_OF)
        assert (finding.key, finding.status.value, finding.due) == (
            "decision-rule@rc#1",
            "met",
            date(2024, 5, 9),
        )
        assert "The plan continued meanwhile" in finding.explanation
        ended = [*base, {"id": "pe", "type": "plan_end", "date": "2024-05-03"}]
        [finding] = _run(self.review_rule, ended, AS_OF)
        assert finding.status.value == "violated"
        assert "ended on 2024-05-03" in finding.explanation
        assert finding.evidence_events == ("pe",)

    def test_review_plan_ending_the_day_of_the_adjourned_review_is_violated(self) -> None:
        # plan_end sorts after the conference on its day: it ended after the adjournment
        events = [
            {"id": "ps", "type": "plan_start", "date": "2024-02-01"},
            _review("rc", "2024-05-01", "adjourned", (2, 2)),
            {"id": "pe", "type": "plan_end", "date": "2024-05-01"},
        ]
        [finding] = _run(self.review_rule, events, AS_OF)
        assert finding.status.value == "violated"

    def test_a_persisting_split_is_left_to_the_split_rule(self) -> None:
        events = [
            self.ADJOURNED,
            self.INTERIM,
            _icpc("ic2", "2024-04-03", "plan", (3, 3), reconvened_from="ic"),
        ]
        assert _statuses(_run(self.rule, events, AS_OF)) == [("decision-rule@ic#1", "met")]

    @pytest.mark.parametrize(
        "as_of", [date(2024, 4, 4), date(2024, 4, 5), date(2024, 6, 1), date(2025, 3, 1)]
    )
    def test_a_met_finding_stays_met_at_later_dates(self, as_of: date) -> None:
        events = [
            self.ADJOURNED,
            self.INTERIM,
            self._reconvened("2024-04-04"),
            {"id": "pe", "type": "plan_end", "date": "2024-05-20", "reason": "no_longer_at_risk"},
        ]
        [finding] = _run(self.rule, events, as_of)
        assert finding.status.value == "met"


# --- adjourn_on_split ----------------------------------------------------------------------


class TestAdjournOnSplit:
    rule = _rule("adjourn_on_split", adjourn_within={"working_days": 5})

    FIRST: ClassVar[dict[str, Any]] = _icpc("ic", "2024-03-26", "adjourned", (3, 3))
    INTERIM: ClassVar[dict[str, Any]] = {
        "id": "ps",
        "type": "plan_start",
        "date": "2024-03-26",
        "interim": True,
    }

    def test_a_split_adjourns_and_reconvenes_within_five_working_days(self) -> None:
        events = [self.FIRST, self.INTERIM, _icpc("ic2", "2024-04-04", "plan", (5, 1), reconvened_from="ic")]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.key, finding.status.value, finding.due) == (
            "decision-rule@ic#1",
            "met",
            date(2024, 4, 4),
        )

    def test_an_icpc_under_the_interim_plan_reconvenes_the_split_one_without_naming_it(self) -> None:
        # Tue 26 Mar + 5 WD: Wed 27, Thu 28, (Good Friday, Easter Monday), Tue 2, Wed 3, Thu 4 Apr
        events = [self.FIRST, self.INTERIM, _icpc("ic2", "2024-04-04", "plan", (5, 1))]
        [finding] = _run(self.rule, events, AS_OF)
        assert (finding.key, finding.status.value, finding.due, finding.evidence_events) == (
            "decision-rule@ic#1",
            "met",
            date(2024, 4, 4),
            ("ic2",),
        )

    def test_a_split_persisting_at_an_unnamed_reconvening_keeps_the_plan(self) -> None:
        events = [self.FIRST, self.INTERIM, _icpc("ic2", "2024-04-04", "no_plan", (3, 3))]
        statuses = dict(_statuses(_run(self.rule, events, AS_OF)))
        assert statuses["decision-rule@ic#1"] == "met"
        assert statuses["decision-rule@ic2#1"] == "violated"

    def test_only_an_exact_split_counts(self) -> None:
        events = [_icpc("ic", "2024-03-19", "plan", (4, 3)), _icpc("ic5", "2024-05-01", "adjourned", (0, 0))]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "undetermined"  # 0-0 adjourned: whether it split is unknown
        [finding] = _run(self.rule, events[:1], AS_OF)
        assert (finding.status.value, finding.key) == ("not_applicable", "decision-rule@-#1")
        assert "split 50%" in finding.explanation

    def _persisting(self, *later: dict[str, Any], outcome: str = "plan") -> list[dict[str, Any]]:
        return [
            self.FIRST,
            self.INTERIM,
            _icpc("ic2", "2024-04-03", outcome, (2, 2), reconvened_from="ic"),
            *later,
        ]

    def test_a_persisting_split_keeps_the_plan_until_a_later_conference(self) -> None:
        events = self._persisting(_review("rc", "2024-06-20", "continue", (5, 0)))
        findings = _run(self.rule, events, AS_OF)
        assert _statuses(findings) == [("decision-rule@ic#1", "met"), ("decision-rule@ic2#1", "met")]
        assert findings[1].evidence_events == ("ic", "rc")
        assert "pending escalation to senior managers" in findings[1].explanation

    def test_a_persisting_split_with_no_later_conference_yet_is_not_yet_decided(self) -> None:
        findings = _run(self.rule, self._persisting(), AS_OF)
        assert findings[1].status.value == "not_applicable"
        assert "checked again" in findings[1].explanation

    def test_a_plan_ended_before_a_later_conference_is_violated(self) -> None:
        events = self._persisting({"id": "pe", "type": "plan_end", "date": "2024-05-01"})
        findings = _run(self.rule, events, AS_OF)
        assert findings[1].status.value == "violated"
        assert "ended on 2024-05-01" in findings[1].explanation

    def test_a_plan_ended_at_the_next_review_is_met(self) -> None:
        # the review sorts before the plan end on its day: the review took the decision
        events = self._persisting(
            _review("rc", "2024-06-20", "cease", (0, 5)),
            {"id": "pe", "type": "plan_end", "date": "2024-06-20", "reason": "no_longer_at_risk"},
        )
        assert _run(self.rule, events, AS_OF)[1].status.value == "met"

    def test_a_persisting_split_ending_with_no_plan_is_violated(self) -> None:
        findings = _run(self.rule, self._persisting(outcome="no_plan"), AS_OF)
        assert findings[1].status.value == "violated"
        assert "the outcome was no plan (it should be a plan)" in findings[1].explanation

    def test_a_persisting_split_with_no_plan_open_is_violated(self) -> None:
        events = [self.FIRST, _icpc("ic2", "2024-04-03", "plan", (2, 2), reconvened_from="ic")]
        findings = _run(self.rule, events, AS_OF)
        assert findings[1].status.value == "violated"
        assert "no plan was open" in findings[1].explanation

    def test_a_persisting_split_at_a_review(self) -> None:
        events = [
            {"id": "ps", "type": "plan_start", "date": "2024-01-10"},
            _review("rc", "2024-05-01", "adjourned", (3, 3)),
            _review("rc2", "2024-05-08", "continue", (3, 3), reconvened_from="rc"),
            _review("rc3", "2024-08-01", "continue", (6, 0)),
        ]
        findings = _run(self.rule, events, AS_OF)
        assert _statuses(findings) == [("decision-rule@rc#1", "met"), ("decision-rule@rc2#1", "met")]
        assert "for the plan continuing" in findings[1].explanation


class TestEscalationAfterAPersistingSplit:
    """NEL s3: "Where the 50% split continues the child will remain on a plan pending escalation
    to senior managers for a review of the decision prior to the next conference review"."""

    rule = _rule(
        "adjourn_on_split",
        adjourn_within={"working_days": 5},
        interim={"icpc": "interim_plan", "review_conference": "plan_continues"},
        escalation={"event": "escalation", "where": {"to": "senior_manager"}},
    )
    # Tue 26 Mar split 3-3, interim plan; reconvened Wed 3 Apr (3 working days after Good Friday
    # and Easter Monday), split 2-2 again: the split persisted.
    OPENING: ClassVar[list[dict[str, Any]]] = [
        _icpc("ic", "2024-03-26", "adjourned", (3, 3)),
        {"id": "ps", "type": "plan_start", "date": "2024-03-26", "interim": True},
        _icpc("ic2", "2024-04-03", "plan", (2, 2), reconvened_from="ic"),
    ]

    @staticmethod
    def _escalation(id_: str, day: str, to: str | None = "senior_manager") -> dict[str, Any]:
        event: dict[str, Any] = {"id": id_, "type": "escalation", "date": day}
        if to is not None:
            event["to"] = to
        return event

    def _persisting(self, *later: dict[str, Any]) -> Finding:
        findings = _run(self.rule, [*self.OPENING, *later], AS_OF)
        assert [f.key for f in findings] == ["decision-rule@ic#1", "decision-rule@ic2#1"]
        return findings[1]

    def test_escalated_before_the_first_review_is_met(self) -> None:
        finding = self._persisting(
            self._escalation("esc", "2024-04-10"), _review("rc", "2024-06-20", "continue", (5, 0))
        )
        assert finding.status.value == "met"
        assert finding.evidence_events == ("ic", "esc", "rc")
        assert (
            "The plan continued until the review conference rc on 2024-06-20, and the escalation to a "
            "senior manager was made on 2024-04-10 (the escalation esc), before it" in finding.explanation
        )

    def test_a_persisting_split_never_escalated_before_the_review_is_violated(self) -> None:
        # before this option the split rule read it met: the plan continued until the review
        finding = self._persisting(_review("rc", "2024-06-20", "continue", (5, 0)))
        assert finding.status.value == "violated"
        assert "no escalation to a senior manager is recorded between the ICPC ic2" in finding.explanation
        assert finding.evidence_events == ("ic", "rc")

    def test_an_escalation_only_after_the_review_does_not_count(self) -> None:
        finding = self._persisting(
            _review("rc", "2024-06-20", "continue", (5, 0)), self._escalation("esc", "2024-06-21")
        )
        assert finding.status.value == "violated"

    def test_an_escalation_on_the_review_day_is_not_before_it(self) -> None:
        # on one day a conference comes before an escalation (the timeline holds no times)
        finding = self._persisting(
            _review("rc", "2024-06-20", "continue", (5, 0)), self._escalation("esc", "2024-06-20")
        )
        assert finding.status.value == "violated"

    def test_an_escalation_during_the_adjournment_is_not_the_one_after_the_persisting_split(self) -> None:
        events = [
            *self.OPENING[:2],
            self._escalation("esc", "2024-03-28"),
            self.OPENING[2],
            _review("rc", "2024-06-20", "continue", (5, 0)),
        ]
        findings = _run(self.rule, events, AS_OF)
        assert findings[1].status.value == "violated"

    def test_an_escalation_to_the_line_manager_is_not_to_senior_managers(self) -> None:
        finding = self._persisting(
            self._escalation("esc", "2024-04-10", "line_manager"),
            _review("rc", "2024-06-20", "continue", (5, 0)),
        )
        assert finding.status.value == "violated"

    def test_an_escalation_that_does_not_say_to_whom_is_undetermined(self) -> None:
        finding = self._persisting(
            self._escalation("esc", "2024-04-10", None), _review("rc", "2024-06-20", "continue", (5, 0))
        )
        assert finding.status.value == "undetermined"
        assert "The escalation esc on 2024-04-10 does not record who was told" in finding.explanation

    def test_not_yet_escalated_with_no_review_yet_is_owed_later(self) -> None:
        finding = self._persisting()
        assert finding.status.value == "not_applicable"
        assert "owed before the next conference" in finding.explanation

    def test_escalated_with_no_review_yet_is_met(self) -> None:
        finding = self._persisting(self._escalation("esc", "2024-04-10"))
        assert finding.status.value == "met"

    def test_the_plan_ending_before_the_review_is_violated_even_when_escalated(self) -> None:
        finding = self._persisting(
            self._escalation("esc", "2024-04-10"),
            {"id": "pe", "type": "plan_end", "date": "2024-05-01", "reason": "no_longer_at_risk"},
        )
        assert finding.status.value == "violated"
        assert "ended on 2024-05-01" in finding.explanation

    def test_a_split_that_did_not_persist_needs_no_escalation(self) -> None:
        events = [*self.OPENING[:2], _icpc("ic2", "2024-04-03", "plan", (5, 1), reconvened_from="ic")]
        [finding] = _run(self.rule, events, AS_OF)
        assert finding.status.value == "met"


# --- the pack format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"conference": "core_group", "require": "outcome_follows_votes"}, "looks at conferences"),
        ({"conference": "icpc", "require": "adjourn_on_split"}, "needs adjourn_within"),
        (
            {"conference": "icpc", "require": "outcome_follows_votes", "interim": "interim_plan"},
            "apply only to require: adjourn",
        ),
        (
            {"conference": "icpc", "require": "outcome_follows_votes", "escalation": "escalation"},
            "only require: adjourn_on_split checks",
        ),
    ],
)
def test_a_rule_that_cannot_work_is_refused(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RULE_ADAPTER.validate_python(
            {"id": "x", "kind": "decision", "title": "t", "severity": "breach", "citation": "c", **extra}
        )
