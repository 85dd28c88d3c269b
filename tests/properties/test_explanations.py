"""Every explanation of every bundled pack reads as plain sentences (SPEC §3, STYLE "Words in
one place"): rendered over a generated caseload (bench/caseload.py, and the testing kit's
strategies with facts left empty, ids left out and sources that record only some things), none
holds selector syntax, ``None``, a field name, an event type slug, an id standing alone or a
verb that does not fit its event, and an undetermined finding never states an overdue figure.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from _budget import budget
from hypothesis import given
from hypothesis import strategies as st

from cprules import (
    Case,
    Finding,
    Pack,
    Report,
    Severity,
    Status,
    bundled_pack_ids,
    evaluate,
    load_pack,
    parse_case,
)
from cprules.case import EVENT_MODELS
from cprules.testing import as_of_dates, case_data
from cprules.words import EVENT_LABELS, MEETINGS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from caseload import caseload

PACK_IDS = bundled_pack_ids()

#: words of selector syntax (SPEC §3: "never selector syntax ('with outcome not postponed')")
SYNTAX = [
    (re.compile(r"(?:^| )with ", re.IGNORECASE), "selector syntax ' with '"),
    (re.compile(r"\bone of\b", re.IGNORECASE), "selector syntax 'one of'"),
    (re.compile(r"\b(?:true|false)\b", re.IGNORECASE), "'true' or 'false' as a word"),
    (re.compile(r"\bNone\b"), "None"),
]
#: every name with an underscore a reader could meet: event field names, event types, values
SLUGS = sorted(
    {
        name
        for model in EVENT_MODELS.values()
        for name in model.model_fields
        if "_" in name
    }
    | {kind for kind in EVENT_MODELS if "_" in kind}
    | {
        value
        for model in EVENT_MODELS.values()
        for info in model.model_fields.values()
        for value in re.findall(r"'([a-z0-9]+_[a-z0-9_]+)'", str(info.annotation))
    },
    key=len,
    reverse=True,
)
SLUG = re.compile(r"\b(?:" + "|".join(map(re.escape, SLUGS)) + r"|icpc)\b")
#: '... plan end pe held', 'the quality-assurance notification qan was held'
WRONG_VERB = [
    (re.compile(rf"\b{re.escape(noun)} \S+ (?:was )?held\b", re.IGNORECASE), noun)
    for kind, noun in EVENT_LABELS.items()
    if kind not in MEETINGS
]


def problems(report: Report, case: Case) -> list[str]:
    """What is wrong with the words of each finding of ``report`` (empty: nothing)."""
    nouns = {event.id: EVENT_LABELS[event.type] for event in case.events}  # type: ignore[attr-defined]
    names = "|".join(re.escape(i) for i in sorted(nouns, key=len, reverse=True))
    ids = re.compile(r"(?<![\w\[\]\-])(" + names + r")(?![\w\[\]\-])") if nouns else None
    found: list[str] = []
    for finding in report.findings:
        text = finding.explanation
        where = f"{finding.key} ({finding.status}): {text}"
        for pattern, what in SYNTAX:
            if pattern.search(text):
                found.append(f"{what} in {where}")
        slug = SLUG.search(text)
        if slug:
            found.append(f"field name, type or value {slug.group(0)!r} in {where}")
        for pattern, noun in WRONG_VERB:
            if pattern.search(text):
                found.append(f"'held' after a {noun} in {where}")
        if ids is not None:
            for match in ids.finditer(text):
                noun = nouns[match.group(1)]
                if not text[: match.start()].lower().endswith(noun.lower() + " "):
                    found.append(f"id {match.group(1)!r} standing alone (not 'the {noun} ...') in {where}")
        if finding.status is Status.UNDETERMINED and re.search(r"overdue by|\d+ working days? late", text):
            found.append(f"an undetermined finding states a lateness as fact in {where}")
        if not text or not (text[0].isupper() or text[0].isdigit()) or text[-1] not in ".!?":
            found.append(f"not a sentence (capital, full stop) in {where}")
    return found


@cache
def pack_named(pack_id: str) -> Pack:
    return load_pack(pack_id)


def test_the_checks_catch_what_they_look_for() -> None:
    """The checker itself: each kind of mistake the issue quoted is caught."""
    case = parse_case(
        {
            "case_id": "W-1",
            "events": [
                {"id": "ps", "type": "plan_start", "date": "2024-01-01"},
                {"id": "pe", "type": "plan_end", "date": "2024-02-01"},
                {"id": "qan", "type": "quality_assurance_notification", "date": "2024-01-10"},
                {"id": "la", "type": "looked_after", "date": "2024-01-12"},
            ],
        }
    )
    bad = [
        "Due 2024-01-05: for the icpc with outcome not postponed.",
        "For the escalation with to line_manager.",
        "categories is None, not recorded.",
        "The start of being looked after la.",
        "Plan end pe held 2024-02-01.",
        "Quality-assurance notification qan held 2024-01-10.",
        "Seen alone true on the visit.",
        "Outcome one of seen, refused.",
        "The plan pe ended.",
    ]
    good = "The plan ended on 2024-02-01 (plan end pe): on time."

    def finding(text: str, status: Status = Status.MET) -> Finding:
        nothing = (None, None, None, None)
        return Finding("r@pe#1", "r", "t", "deadline", Severity.BREACH, status, *nothing, "pe", (), "c", text)

    def report(*findings: Finding) -> Report:
        return Report("W-1", "p", "1", "sha256:0", {}, date(2024, 6, 1), findings)

    for text in bad:
        assert problems(report(finding(text)), case), text
    assert problems(report(finding(good)), case) == []
    overdue = finding("Due 2024-01-05: x. No core group held by 2024-06-01: overdue by 3 working days.")
    assert problems(report(overdue), case) == []
    assert problems(report(finding(overdue.explanation, Status.UNDETERMINED)), case)


@cache
def bench_cases() -> tuple[Case, ...]:
    return tuple(parse_case(data) for data in caseload(150, seed=13))


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_explanation_on_the_benchmark_caseload_reads_as_plain_words(pack_id: str) -> None:
    pack = pack_named(pack_id)
    found: list[str] = []
    for case in bench_cases():
        for as_of in (date(2022, 3, 1), date(2023, 6, 1), date(2025, 1, 15)):
            found += problems(evaluate(case, pack, as_of=as_of), case)
    assert not found, f"{len(found)} problems, e.g.:\n" + "\n".join(sorted(set(found))[:15])


@pytest.mark.parametrize("pack_id", PACK_IDS)
@budget(25)
@given(data=st.data(), ids=st.booleans())
def test_every_explanation_on_generated_cases_reads_as_plain_words(
    pack_id: str, data: st.DataObject, ids: bool
) -> None:
    pack = pack_named(pack_id)
    raw: dict[str, Any] = data.draw(
        case_data(pack=pack, records=None, missing_probability=0.15, late_probability=0.3, ids=ids),
        label="case",
    )
    case = parse_case(raw)
    as_of = data.draw(as_of_dates(case), label="as_of")
    found = problems(evaluate(case, pack, as_of=as_of), case)
    assert not found, "\n".join(found)
