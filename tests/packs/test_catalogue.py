"""The rule catalogue of SPEC §7: every listed id is in its pack, titled and cited."""

from __future__ import annotations

import pytest

from cprules.pack import bundled_pack_ids, load_pack

CATALOGUE: dict[str, list[str]] = {
    "england": [
        "icpc-timescale",
        "first-core-group",
        "first-review",
        "review-interval",
        "transfer-in-conference",
        "cessation-route",
        "age-limit",
    ],
    "stoke": [
        "seen-alone",
        "unseen-escalation",
        "first-core-group",
        "core-group-interval",
        "core-group-minutes",
        "minimum-duration",
        "cessation-route",
        "cessation-notifications",
        "interim-care-order-discharge",
        "section-20-continues",
        "removed-from-accommodation",
        "looked-after-ceasing-criteria",
    ],
    "jersey": [
        "first-core-group",
        "second-core-group",
        "core-group-interval",
        "core-group-notes",
        "core-group-rescheduled-in-writing",
        "visit-frequency",
        "seen-alone-alternate",
        "bedroom-alternate",
        "infant-seen-awake",
        "no-access-escalation",
        "hospital-admission-core-group",
        "plan-changes-at-review",
        "lead-social-worker-named",
    ],
    "nelincs": [
        "icpc-timescale",
        "icpc-child-seen",
        "outline-plan-circulated",
        "first-core-group",
        "first-review",
        "review-interval",
        "decision-majority",
        "initial-no-majority",
        "review-no-majority",
        "split-decision",
        "quality-assurance-notification",
        "neglect-sustained-change",
        "neglect-review-assessment",
        "transfer-in-conference",
        "cessation-route",
        "cessation-notifications",
        "cin-plan-presented",
        "prebirth-window",
        "prebirth-reconvene",
        "conference-minutes",
    ],
    "worcestershire": [
        "icpc-timescale",
        "first-core-group",
        "second-core-group",
        "first-review",
        "review-interval",
        "absent-agency-report",
    ],
    "peterborough_cambs": [
        "cin-meeting-after-plan",
        "looked-after-paper-delist-discussion",
        "review-before-child-care-review",
        "plan-sent-to-iro",
    ],
}


@pytest.mark.parametrize("pack_id", sorted(CATALOGUE))
def test_catalogue_rules_present(pack_id: str) -> None:
    if pack_id not in bundled_pack_ids():
        pytest.fail(f"pack {pack_id} is not bundled")
    pack = load_pack(pack_id)
    missing = [rule_id for rule_id in CATALOGUE[pack_id] if rule_id not in pack.rule_ids]
    assert not missing, f"{pack_id} lacks {missing}"


@pytest.mark.parametrize("pack_id", sorted(CATALOGUE))
def test_every_rule_is_titled_and_cited(pack_id: str) -> None:
    if pack_id not in bundled_pack_ids():
        pytest.skip("pack not bundled yet")
    for rule in load_pack(pack_id).rules:
        assert rule.title.strip() and rule.citation.strip(), rule.id
        # a citation names the source, never this repository's seed files
        assert "seeds" not in rule.citation and ".txt" not in rule.citation, rule.id


def test_english_packs_extend_england_and_jersey_stands_alone() -> None:
    for pack_id in ("stoke", "nelincs", "worcestershire", "peterborough_cambs"):
        if pack_id in bundled_pack_ids():
            assert load_pack(pack_id).chain[-1] == "england"
    if "jersey" in bundled_pack_ids():
        jersey = load_pack("jersey")
        assert jersey.extends is None and jersey.calendar.country == "JE"
