"""YAML mistakes in the project's words: what was done, where, and what to write instead.

Each text is a mistake a policy officer makes; the message and position are written out here,
and the same answer must come whichever parser (libyaml or PyYAML's own) reports the error.
"""

from __future__ import annotations

import pytest
import yaml

from cprules.yamlmistakes import describe_syntax_error
from cprules.yamlsafe import YamlProblem, load_yaml

CASES = [
    # (text, line, column, message)
    (
        "schema: 1\nrules:\n  - id: a\n\tkind: deadline\n",
        4,
        1,
        "a tab is not allowed for indentation: use spaces",
    ),
    (
        "rules:\n  - id: a\n    kind: deadline\n   title: x\n    severity: breach\n",
        4,
        4,
        "this line is indented 3 spaces; the rule above uses 4",
    ),
    (
        "rules:\n  - id: a\n    kind: deadline\n     title: x\n",
        4,
        6,
        "this line is indented 5 spaces; the rule above uses 4",
    ),
    ("rules:\n  - id: a\n  kind: x\n", 3, 3, "this line is indented 2 spaces; the rule above uses 4"),
    ("rules:\n- id: a\n  kind: x\n - id: b\n", 4, 2, "this line is indented 1 space; the rule above uses 0"),
    (
        "overrides:\n  first-core-group:\n    within: {working_days: 5}\n   title: x\n",
        4,
        4,
        "this line is indented 3 spaces; the override above uses 4",
    ),
    ("schema: 1\n id: x\n", 2, 2, "this line is indented 1 space; the line above uses 0"),
    (
        "rules:\n  - id: a\n    kind deadline\n    title: x\n",
        3,
        5,
        "this line has no colon after its field name; write kind: deadline",
    ),
    (
        'schema: 1\ntitle: "Stoke\nversion: "1"\n',
        2,
        8,
        'this double quote (") is not closed; end the text with " on the same line',
    ),
    (
        "title: 'Stoke\nversion: x\n",
        1,
        8,
        "this single quote (') is not closed; end the text with ' on the same line",
    ),
    (
        "rules:\n  - id: a\n    within: {working_days: 10\n    title: x\n",
        3,
        13,
        "this brace ({) is not closed on its line; end it with }: {working_days: 10}",
    ),
    (
        "include: [a.yaml, b.yaml\nid: x\n",
        1,
        10,
        "this bracket ([) is not closed on its line; end it with ]: [a.yaml, b.yaml]",
    ),
    ("a: [1, 2]]\n", 1, 10, "one ] too many; remove it (or add the bracket it closes)"),
    (
        "title: Stoke: the plan\n",
        1,
        13,
        "a colon and a space inside a value start a new field; put the value in quotes: "
        'title: "Stoke: the plan"',
    ),
    (
        'title: "a" b\n',
        1,
        12,
        "there is text after the closing quote; put the whole value inside the quotes",
    ),
    (
        "title: [draft] plan\n",
        1,
        8,
        'a value that starts with [ is read as a list; put the whole value in quotes: title: "[draft] plan"',
    ),
    (
        "title: @home\n",
        1,
        8,
        'a value cannot start with @ unless it is in quotes; put it in quotes: title: "@home"',
    ),
    (
        "schema: 1\nid: x\n- a\n",
        3,
        1,
        "this line starts a list item with '-', but the lines above it are fields (name: value); "
        "write it as name: value, or indent it under the field whose list it is",
    ),
    (
        "rules:\n  - id: a\n    trigger: {event: icpc where: {outcome: plan}}\n",
        3,
        32,
        "inside {...} write fields as name: value separated by commas, "
        "e.g. {event: icpc, where: {outcome: plan}}",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), CASES)
def test_a_yaml_mistake_is_described_at_its_place(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, echo=True)
    assert (caught.value.line, caught.value.column, caught.value.message) == (line, column, message)


@pytest.mark.parametrize(("text", "line", "column", "message"), CASES)
def test_the_answer_is_the_same_whichever_parser_finds_the_error(
    text: str, line: int, column: int, message: str
) -> None:
    loaders = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])
    answers = set()
    for loader in loaders:
        with pytest.raises(yaml.YAMLError) as caught:
            yaml.load(text, Loader=loader)
        error = caught.value
        assert isinstance(error, yaml.MarkedYAMLError)
        problem = (error.problem_mark.line, error.problem_mark.column) if error.problem_mark else None
        context = (error.context_mark.line, error.context_mark.column) if error.context_mark else None
        answers.add(describe_syntax_error(text, problem, context, echo=True))
    assert answers == {(message, line, column)}


def test_without_echo_no_text_of_the_document_is_repeated() -> None:
    # a case file: the colon-in-value message must not quote the value (personal data)
    with pytest.raises(YamlProblem) as caught:
        load_yaml("case_id: Jane Doe: 14 Acacia Avenue\n")
    assert "Jane" not in caught.value.message and "Acacia" not in caught.value.message
    assert caught.value.message.startswith("a colon and a space inside a value start a new field")
    with pytest.raises(YamlProblem) as missing_colon:
        load_yaml("case_id: A\nJane Doe\nevents: []\n")
    assert "Jane" not in missing_colon.value.message


def test_a_quoted_value_over_two_lines_is_not_taken_for_an_unclosed_quote() -> None:
    text = 'citation: "Stoke SCB, C06,\n  v8 (2017)"\ntitle: x\nbad line\nother: 1\n'
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, echo=True)
    assert (caught.value.line, caught.value.message) == (
        4,
        "this line has no colon after its field name; write bad: line",
    )


def test_bytes_that_are_not_utf8_are_found_at_their_line_and_column() -> None:
    # "title: Children’s" as Word saves it in Windows-1252: the ’ is byte 0x92, column 16
    text = "schema: 1\ntitle: Children’s procedures\n".encode("cp1252")
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert (caught.value.line, caught.value.column) == (2, 16)
    assert caught.value.message == (
        "not UTF-8 text: this line holds the byte 0x92 (’ in Windows-1252, as Word and Excel save it); "
        "save the file as UTF-8"
    )
    with pytest.raises(YamlProblem, match="saved as UTF-16; save it as UTF-8"):
        load_yaml("schema: 1\n".encode("utf-16"))


def test_duplicate_keys_are_all_kept_as_problems_when_asked_to_keep_going() -> None:
    doc = load_yaml("a: 1\nb: 2\na: 3\nb: 4\n", keep_going=True)
    assert doc.data == {"a": 3, "b": 4}
    assert [(p.line, p.message) for p in doc.problems] == [
        (3, "duplicate key 'a' (first written on line 1); keep one of them"),
        (4, "duplicate key 'b' (first written on line 2); keep one of them"),
    ]
    with pytest.raises(YamlProblem, match="duplicate key 'a'"):
        load_yaml("a: 1\na: 3\n")
