"""What a YAML mistake means, in words a policy officer acts on.

PyYAML and libyaml say where a document stops making sense ("did not find expected key",
"mapping values are not allowed here"), in words that differ between the two and from release
to release, and often a line or two after the mistake itself. This module looks at the text
around that place and says what a person did and what to write instead: a tab used to indent, a
line indented 3 spaces among lines indented 4, a field name without its colon, a quote or a
bracket never closed, a colon inside a value that needs quotes. It never quotes the library.

Only the *position* the library gives is used (both parsers agree on it), never its words, so
the message is the same whichever is installed.

With ``echo=False`` (a case file: personal data about a child) a message never repeats text
from the document; with ``echo=True`` (a pack: text the reader wrote) it shows the corrected
line, e.g. ``write kind: deadline``.

>>> describe_syntax_error("rules:\\n  - id: a\\n\\tkind: deadline\\n", (2, 0), None, echo=True)
('a tab is not allowed for indentation: use spaces', 3, 1)
>>> text = "rules:\\n  - id: a\\n    kind deadline\\n    title: x\\n"
>>> describe_syntax_error(text, (3, 4), (2, 4), echo=True)
('this line has no colon after its field name; write kind: deadline', 3, 5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["describe_bad_bytes", "describe_syntax_error"]

#: (0-based line, 0-based column), as PyYAML's marks give them
Mark = tuple[int, int]

_KEY = re.compile(r"""^(?P<key>[^\s'"\[\]{},#&*!|>%@`-][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)""")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
#: characters a plain value cannot start with (``*`` names an alias, the rest are reserved)
_CANNOT_START = frozenset("@`%*")


@dataclass(frozen=True)
class _Line:
    """One line of the document, as far as indentation and keys go."""

    number: int  # 0-based
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))

    @property
    def content(self) -> str:
        return self.text.strip()

    @property
    def meaningful(self) -> bool:
        return bool(self.content) and not self.content.startswith("#")

    @property
    def is_item(self) -> bool:
        return self.content == "-" or self.content.startswith("- ")

    @property
    def body(self) -> str:
        """The line after its indentation and any ``- `` marks."""
        text = self.content
        while text == "-" or text.startswith("- "):
            text = text[1:].lstrip(" ")
        return text

    @property
    def body_indent(self) -> int:
        """The column the body starts at (the key's column for ``- key: value``)."""
        return len(self.text) - len(self.text.lstrip(" ")) + (len(self.content) - len(self.body))

    @property
    def key(self) -> str | None:
        match = _KEY.match(self.body)
        return match.group("key").strip() if match else None

    @property
    def value(self) -> str:
        """The text after ``key:`` (empty when the line opens a nested block)."""
        match = _KEY.match(self.body)
        if not match:
            return self.body
        return _strip_comment(self.body[match.end() :]).strip()


def _strip_comment(text: str) -> str:
    quote = ""
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or text[position - 1] in " \t"):
            return text[:position]
    return text


def _lines(text: str) -> list[_Line]:
    return [_Line(number, line.rstrip("\r")) for number, line in enumerate(text.split("\n"))]


def _structural(lines: list[_Line], upto: int) -> list[_Line]:
    """The lines before ``upto`` that carry structure: not blank, not comments, not the content
    of a ``|`` or ``>`` block, not the continuation of a plain value on the line above."""
    kept: list[_Line] = []
    block_owner: int | None = None  # indentation of a key whose value is a block scalar
    for line in lines[:upto]:
        if not line.meaningful:
            continue
        if block_owner is not None:
            if line.indent > block_owner:
                continue
            block_owner = None
        if kept and line.indent > kept[-1].body_indent and line.key is None and not line.is_item:
            last = kept[-1]
            if last.key is not None and last.value and not _BLOCK_SCALAR.match(last.value):
                continue  # a plain value written over several lines
        kept.append(line)
        if line.key is not None and _BLOCK_SCALAR.match(line.value):
            block_owner = line.body_indent
    return kept


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


def _owner(previous: list[_Line], level: int) -> str:
    """What the block of lines at ``level`` is, for a message: "the rule above" when it is an
    item of ``rules:``, "the test above", "the event above"... else "the line above"."""
    names = {"rules": "rule", "tests": "test", "events": "event", "expect": "expectation"}
    chain: list[_Line] = []  # the enclosing lines, innermost first
    current = level
    for line in reversed(previous):
        # a list may start at its field's own column ("rules:" then "- id: a" below it)
        under_item = bool(chain) and chain[-1].is_item and not line.is_item and not line.value
        if line.indent < current or (under_item and line.indent == current and line.key is not None):
            chain.append(line)
            current = line.indent
    if len(chain) >= 2 and chain[0].is_item and chain[1].key in names:
        return f"the {names[str(chain[1].key)]} above"
    if len(chain) >= 2 and not chain[0].is_item and chain[1].key == "overrides":
        return "the override above"
    return "the line above"


def describe_syntax_error(
    text: str, problem: Mark | None, context: Mark | None, *, echo: bool
) -> tuple[str, int, int]:
    """The mistake behind a YAML syntax error, and its 1-based (line, column).

    ``problem`` and ``context`` are the 0-based marks PyYAML gives (``problem_mark``,
    ``context_mark``).

    >>> describe_syntax_error("title: Stoke: the plan\\n", (0, 12), None, echo=True)[0]
    'a colon and a space inside a value start a new field; put the value in quotes: title: "Stoke: the plan"'
    >>> text = "rules:\\n  - id: a\\n    kind: deadline\\n   title: x\\n"
    >>> describe_syntax_error(text, (3, 3), (1, 2), echo=False)
    ('this line is indented 3 spaces; the rule above uses 4', 4, 4)
    """
    lines = _lines(text)
    if problem is None:
        problem = context or (0, 0)
    problem = (min(problem[0], len(lines) - 1), problem[1])
    for check in (_tab, _unclosed_quote, _flow, _missing_colon, _bad_start, _in_value, _indentation):
        found = check(lines, problem, context, echo)
        if found is not None:
            message, line, column = found
            return message, line + 1, column + 1
    return (
        "this line is not valid YAML; compare it with the lines above: indent with spaces only, "
        "write a colon and a space after each field name, and close every quote and bracket",
        problem[0] + 1,
        problem[1] + 1,
    )


Found = tuple[str, int, int] | None


def _tab(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    for line in lines[: problem[0] + 1]:
        stripped = line.text.lstrip(" \t")
        leading = line.text[: len(line.text) - len(stripped)]
        if "\t" in leading and stripped:
            return "a tab is not allowed for indentation: use spaces", line.number, leading.index("\t")
        if line.is_item or line.body != line.content:
            after_dash = line.text[line.indent + 1 :]
            if after_dash.startswith("\t"):
                return "a tab is not allowed after '-': use a space", line.number, line.indent + 1
    if problem[0] < len(lines):
        text = lines[problem[0]].text
        if 0 <= problem[1] < len(text) and text[problem[1]] == "\t":
            return "a tab is not allowed here: use spaces", problem[0], problem[1]
    return None


def _quote_starts(text: str) -> list[int]:
    """Columns where a quoted value may start on a line: after ``key: ``, ``- ``, ``[``, ``{``
    or ``,`` (a quote inside plain text is just a character)."""
    starts: list[int] = []
    body = text.lstrip(" ")
    column = len(text) - len(body)
    while body.startswith("- ") or body == "-":
        body = body[1:].lstrip(" ")
        column = len(text) - len(body)
    if body[:1] in ("'", '"'):
        starts.append(column)
    match = _KEY.match(body)
    if match:
        rest = body[match.end() :]
        value = rest.lstrip(" ")
        at = column + match.end() + len(rest) - len(value)
        if value[:1] in ("'", '"'):
            starts.append(at)
        elif value[:1] in ("[", "{"):
            starts.extend(_flow_quote_starts(text, at))
    elif body[:1] in ("[", "{"):
        starts.extend(_flow_quote_starts(text, column))
    return starts


def _flow_quote_starts(text: str, start: int) -> list[int]:
    starts: list[int] = []
    position = start
    quote = ""
    expect_value = True
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\" and quote == '"':
                position += 1
            elif char == quote:
                quote = ""
        elif char in "'\"" and expect_value:
            starts.append(position)
            quote = char
        elif char in "[{,:":
            expect_value = True
        elif char != " ":
            expect_value = False
        position += 1
    return starts


def _close_of(lines: list[_Line], line_number: int, column: int) -> Mark | None:
    """Where the quote opened at (line, column) closes, or None if it never does."""
    quote = lines[line_number].text[column]
    row, position = line_number, column + 1
    while row < len(lines):
        text = lines[row].text
        while position < len(text):
            char = text[position]
            if quote == '"' and char == "\\":
                position += 2
                continue
            if char == quote:
                if quote == "'" and text[position + 1 : position + 2] == "'":
                    position += 2
                    continue
                return (row, position)
            position += 1
        row, position = row + 1, 0
    return None


def _unclosed_quote(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    for line in lines[: problem[0] + 1]:
        if not line.meaningful:
            continue
        for column in _quote_starts(line.text):
            close = _close_of(lines, line.number, column)
            if close is not None and close[0] == line.number:
                continue
            if close is not None:
                rest = _strip_comment(lines[close[0]].text[close[1] + 1 :]).strip()
                if rest.strip(",]} ") == "" and close[0] != problem[0]:
                    continue  # a quoted value written over several lines, closed properly
            quote = line.text[column]
            name = "double quote" if quote == '"' else "single quote"
            return (
                f"this {name} ({quote}) is not closed; end the text with {quote} on the same line",
                line.number,
                column,
            )
    return None


def _flow(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    pairs = {"{": "}", "[": "]"}
    names = {"{": "brace", "[": "bracket", "}": "brace", "]": "bracket"}
    if context is not None and context[0] < len(lines):
        text = lines[context[0]].text
        if 0 <= context[1] < len(text) and text[context[1]] in pairs:
            opener = text[context[1]]
            closer = pairs[opener]
            stack: list[tuple[str, int]] = []  # open brackets and their columns
            for position, char in enumerate(_strip_comment(text[context[1] :]), start=context[1]):
                if char in pairs:
                    stack.append((char, position))
                elif char in "}]":
                    if stack and pairs[stack[-1][0]] != char:
                        shut, where = stack[-1]
                        return (
                            f"this {names[shut]} ({shut}) is closed with {char}; end it with {pairs[shut]}",
                            context[0],
                            where,
                        )
                    if stack:
                        stack.pop()
                    if not stack:
                        break
            if stack:
                hint = ""
                if echo:
                    written = _strip_comment(text[context[1] :]).rstrip().rstrip(",")
                    hint = f": {written}{closer}"
                return (
                    f"this {names[opener]} ({opener}) is not closed on its line; end it with {closer}{hint}",
                    context[0],
                    context[1],
                )
            return (
                f"inside {opener}...{closer} write fields as name: value separated by commas, "
                "e.g. {event: icpc, where: {outcome: plan}}",
                problem[0],
                problem[1],
            )
    text = lines[problem[0]].text
    if 0 <= problem[1] < len(text) and text[problem[1]] in "]}":
        char = text[problem[1]]
        return f"one {char} too many; remove it (or add the {names[char]} it closes)", problem[0], problem[1]
    return None


def _missing_colon(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    if context is None or context[0] >= len(lines):
        return None
    line = lines[context[0]]
    if context[1] != line.body_indent or line.key is not None or not line.meaningful:
        return None
    body = _strip_comment(line.body).strip()
    words = body.split(None, 1)
    if len(words) == 2:
        hint = (
            f"write {words[0]}: {words[1]}"
            if echo
            else "write the field name, a colon, a space and the value"
        )
        return f"this line has no colon after its field name; {hint}", line.number, line.body_indent
    hint = f"write {body}: and its value" if echo and body else "write the field name, a colon and its value"
    return (
        f"this line has no colon after its field name; {hint} (or start it with - if it is a list item)",
        line.number,
        line.body_indent,
    )


def _bad_start(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    line = lines[problem[0]]
    if not (0 <= problem[1] < len(line.text)):
        return None
    char = line.text[problem[1]]
    if char not in _CANNOT_START:
        return None
    hint = ""
    if echo and line.key is not None and line.value:
        hint = f": {line.key}: {_quoted(line.value)}"
    return f"a value cannot start with {char} unless it is in quotes; put it in quotes{hint}", *problem


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in_value(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    """A colon inside a value, or text after a quoted or bracketed value."""
    line = lines[problem[0]]
    key = line.key
    if key is None:
        return None
    match = _KEY.match(line.body)
    assert match is not None  # line.key said so
    value_start = line.body_indent + match.end()
    value = line.text[value_start:].lstrip(" ")
    value_start = len(line.text) - len(value)
    hint = f": {key}: {_quoted(_strip_comment(value).strip())}" if echo else ""
    if problem[1] > value_start and line.text[problem[1] : problem[1] + 1] == ":":
        return (
            f"a colon and a space inside a value start a new field; put the value in quotes{hint}",
            problem[0],
            problem[1],
        )
    if problem[1] > value_start and value[:1] in ("'", '"'):
        close = _close_of(lines, problem[0], value_start)
        if close is not None and close[0] == problem[0] and close[1] < problem[1]:
            if value[0] == "'" and line.text[close[1] + 1 : close[1] + 2].isalpha():
                written = _strip_comment(value).strip()[1:]
                inner = written[:-1] if written.endswith("'") else written
                doubled = f" ({key}: '{inner.replace(chr(39), chr(39) * 2)}')" if echo else ""
                return (
                    "an apostrophe inside single quotes ends the text; write it twice"
                    f"{doubled}, or put the text in double quotes",
                    close[0],
                    close[1],
                )
            return (
                "there is text after the closing quote; put the whole value inside the quotes",
                problem[0],
                problem[1],
            )
    if problem[1] > value_start and value[:1] in ("[", "{"):
        what = "a list" if value[0] == "[" else "a mapping"
        return (
            f"a value that starts with {value[0]} is read as {what}; put the whole value in quotes{hint}",
            problem[0],
            value_start,
        )
    return None


def _indentation(lines: list[_Line], problem: Mark, context: Mark | None, echo: bool) -> Found:
    line = lines[problem[0]]
    if not line.meaningful:
        return None
    previous = _structural(lines, problem[0])
    if not previous:
        return None
    above = previous[-1]
    level = above.body_indent
    here = line.indent
    if line.is_item:
        sibling = _previous_item(previous)
        if sibling is not None and sibling.indent != here:
            owner = _owner(previous[: previous.index(sibling) + 1], sibling.body_indent)
            return f"this line is indented {_spaces(here)}; {owner} uses {sibling.indent}", line.number, here
        if not above.is_item and above.key is not None and above.value and here == level:
            return (
                "this line starts a list item with '-', but the lines above it are fields "
                "(name: value); write it as name: value, or indent it under the field whose list it is",
                line.number,
                here,
            )
        return None
    if line.key is None or above.key is None or here == level:
        return None
    if (
        (above.is_item and here == above.indent)
        or here not in _open_levels(previous)
        or (here > level and above.value)
    ):
        return (
            f"this line is indented {_spaces(here)}; {_owner(previous, level)} uses {level}",
            line.number,
            here,
        )
    return None


def _previous_item(previous: list[_Line]) -> _Line | None:
    """The list item the next item line would follow: the last item line whose block the lines
    after it stay inside."""
    floor = None
    for line in reversed(previous):
        if line.is_item and (floor is None or line.indent < floor):
            return line
        floor = line.indent if floor is None else min(floor, line.indent)
        if not line.is_item and line.indent <= 0 and line.key is not None and floor == 0:
            return None
    return None


def _open_levels(previous: list[_Line]) -> set[int]:
    """The columns a field on the next line may start at: the innermost block's and each
    enclosing one's."""
    levels: set[int] = set()
    limit: int | None = None
    for line in reversed(previous):
        if limit is None or line.body_indent < limit:
            levels.add(line.body_indent)
            limit = line.indent if line.is_item else line.body_indent
    return levels


def describe_bad_bytes(data: bytes, start: int) -> tuple[str, int, int]:
    """Where the first byte that is not UTF-8 is, and what to do: 1-based (line, column).

    >>> message, line, column = describe_bad_bytes("title: Children’s\\n".encode("cp1252"), 15)
    >>> line, column, message.split(";")[0]
    (1, 16, 'not UTF-8 text: this line holds the byte 0x92 (’ in Windows-1252, as Word and Excel save it)')
    """
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    byte = data[start]
    try:
        guess = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        guess = ""
    seen = f" ({guess} in Windows-1252, as Word and Excel save it)" if guess.isprintable() and guess else ""
    return (
        f"not UTF-8 text: this line holds the byte 0x{byte:02X}{seen}; save the file as UTF-8",
        line,
        column,
    )
