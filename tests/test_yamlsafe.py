"""The YAML layer's own limits: the same message and position whichever PyYAML is installed."""

from __future__ import annotations

import pytest

from cprules.yamlsafe import MAX_DEPTH, YamlProblem, load_yaml


def _block_nested(levels: int) -> str:
    """``levels`` mappings inside one another, in block style, two spaces an indent."""
    return "".join("  " * i + "a:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "b: 1\n"


def test_nesting_up_to_the_limit_is_read() -> None:
    doc = load_yaml(_block_nested(MAX_DEPTH))
    node = doc.data
    for _ in range(MAX_DEPTH - 1):
        node = node["a"]
    assert node == {"b": 1}


def test_block_nesting_one_past_the_limit_is_refused_where_it_is_passed() -> None:
    # level 101 is the mapping whose first key is on line 101, indented 200 spaces
    with pytest.raises(YamlProblem) as caught:
        load_yaml(_block_nested(MAX_DEPTH + 1))
    assert caught.value.message.startswith("nested too deeply")
    assert (caught.value.line, caught.value.column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 999, 5000])
def test_flow_nesting_past_the_limit_gives_the_same_answer_at_any_depth(levels: int) -> None:
    # libyaml gives up at its own depth (about 1,000) with its own words; older PyYAML ran out of
    # Python stack instead: the answer here depends on neither
    with pytest.raises(YamlProblem) as caught:
        load_yaml("x: " + "[" * levels)
    # "x: " then "[" from column 4 at level 2: level 101 is the 100th "[", column 103
    assert (caught.value.line, caught.value.column) == (1, 103)
    assert caught.value.message.startswith("nested too deeply")


def test_the_depth_error_never_quotes_a_library_message() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml("x: " + "{a: " * 3000)
    assert "maximum" not in caught.value.message and "libyaml" not in caught.value.message

