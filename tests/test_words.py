"""How a selector reads aloud: the words a chair hears for the events a rule looks for."""

from __future__ import annotations

from typing import Any

from cprules.pack.model import Selector
from cprules.words import selector_words


def _no(selector: dict[str, Any]) -> str:
    return selector_words(Selector.model_validate(selector)).no


def test_a_reason_follows_the_clause_it_explains() -> None:
    # 'because ...' explains the decision, so it comes after 'that a conference decided', not
    # joined to it by 'and' as if it were a second fact about the plan end
    decided = {"event": "plan_end", "where": {"reason": "looked_after", "decided_at": {"present": True}}}
    assert _no(decided) == "no plan end that a conference decided because the child became looked after"
    assert _no({"event": "plan_end", "where": {"reason": "looked_after"}}) == (
        "no plan end because the child became looked after"
    )


def test_not_said_once_joins_the_reasons_with_or() -> None:
    excluded = {"event": "plan_end", "where": {"reason": {"not_one_of": ["died", "left_uk"]}}}
    assert _no(excluded) == "no plan end not because the child died or left the UK"


def test_words_survive_pickle_and_copy_field_for_field() -> None:
    # a pack sent to a worker process carries its selectors' words (compiled or pure alike)
    import copy
    import pickle

    from cprules.words import FIELDS, FOLLOW_UPS

    said = selector_words(Selector.model_validate({"event": "plan_end", "where": {"reason": "looked_after"}}))
    values = [said, *FOLLOW_UPS.values(), *FIELDS.values()]
    values += [value for field in FIELDS.values() for value in field.values.values()]
    for value in values:
        for clone in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
            assert clone == value
            assert type(clone) is type(value)
    assert pickle.loads(pickle.dumps(said)).no == "no plan end because the child became looked after"
