"""A new pack folder that works at once: ``cprules pack new ID --extends england``.

:func:`scaffold` gives the files' text (the command line writes them): ``pack.yaml`` naming the
pack schema on its first line (so an editor completes and checks it), with commented examples
of an override and a rule; a ``README.md`` skeleton whose coverage table already lists the
inherited rules; and ``tests/example.yaml``, one scenario that passes, for the policy officer
to copy. Pure: the date and the parent pack are passed in.

>>> from datetime import date
>>> from cprules.pack.loader import load_pack
>>> files = scaffold("mine", parent=load_pack("england"), extends="england", today=date(2024, 4, 1))
>>> sorted(files)
['README.md', 'pack.yaml', 'tests/example.yaml']
>>> files["pack.yaml"].splitlines()[0]
'# yaml-language-server: $schema=../pack.schema.json'
"""

from __future__ import annotations

import json
import re
from datetime import date

from cprules.pack.loader import Pack

__all__ = ["EXAMPLE_SCENARIO_RULE", "scaffold"]

#: the inherited rule the example scenario shows, when the parent has it
EXAMPLE_SCENARIO_RULE = "first-core-group"

_ID = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")


def scaffold(
    pack_id: str,
    *,
    parent: Pack,
    extends: str,
    today: date,
    schema_path: str = "../pack.schema.json",
    title: str | None = None,
) -> dict[str, str]:
    """The files of a new pack that extends ``parent``, by path inside the new folder.

    ``extends`` is what ``pack.yaml`` says (a bundled id, or a path from the new folder starting
    with ``.``); ``schema_path`` where the pack schema is, from the new folder.
    Raises ValueError for an id that is not lower-case letters, digits, ``-`` and ``_``.
    """
    if not _ID.match(pack_id):
        raise ValueError(
            f"a pack id is lower-case letters and digits, words joined by - or _ (stoke, "
            f"peterborough_cambs); '{pack_id}' is not"
        )
    shown_title = (
        title or f"{pack_id.replace('_', ' ').replace('-', ' ').title()} child protection procedures"
    )
    return {
        "pack.yaml": _pack_yaml(pack_id, shown_title, parent, extends, today, schema_path),
        "README.md": _readme(pack_id, shown_title, parent, extends),
        "tests/example.yaml": _example(parent),
    }


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _pack_yaml(pack_id: str, title: str, parent: Pack, extends: str, today: date, schema_path: str) -> str:
    example_rule = parent.rule_ids[0] if parent.rule_ids else "first-core-group"
    disable_rule = parent.rule_ids[-1] if parent.rule_ids else "age-limit"
    return f"""# yaml-language-server: $schema={schema_path}
schema: 1
id: {pack_id}
title: {_quoted(title)}
version: "0.1"
effective_from: {today.isoformat()}
source:
  title: "The title of the procedure document this pack encodes"
  publisher: "Who publishes it"
  version: "1"
  date: "Month YYYY"
extends: {extends}

# To change a rule inherited from {parent.id}, give its id and only the fields that change:
#
#   {example_rule}:
#     within: {{working_days: 5}}
#     citation: "Our procedure, section 4.2"
#
# To switch one off, say why:
#
#   {disable_rule}:
#     disabled: true
#     reason: "Our procedure does not have this"
#
# cprules pack show {parent.id} --resolved lists the rules there are to change.
overrides: {{}}

# Rules this pack adds. Each has an id, a kind, a plain-English title, a severity (breach,
# warning or info), a citation of the procedure, and the kind's own fields, e.g.:
#
#   - id: core-group-minutes
#     kind: deadline
#     title: Core group minutes circulated within 3 working days
#     severity: breach
#     citation: "Our procedure, section 5.1"
#     trigger: {{event: core_group, where: {{status: held}}}}
#     expect: {{field: minutes_circulated}}
#     within: {{working_days: 3}}
#
# Then add scenario tests for it under tests/ and run: cprules pack test .
rules: []
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _readme(pack_id: str, title: str, parent: Pack, extends: str) -> str:
    rows = "\n".join(
        f"| {_cell(rule.title)} | {_cell(rule.citation)} | `{rule.id}` (from {parent.id}) | {rule.kind} |"
        for rule in parent.rules
    )
    return f"""# {title}

What this pack encodes: the title, version and date of the procedure document, and who
publishes it (also under `source:` in `pack.yaml`). It extends `{extends}`: every rule of
{parent.title} applies unless this pack overrides or disables it.

Check it with `cprules pack validate {pack_id}`, run its scenario tests with
`cprules pack test {pack_id}`, and see what a change does to a caseload with
`cprules pack diff OLD NEW CASES.jsonl`.

## Coverage

Each requirement of the procedure that has a date, a frequency, a count or a condition, and
the rule that checks it. Replace the inherited rows with this procedure's own words and
sections as you check them against it.

| requirement | section | rule | kind |
|---|---|---|---|
{rows}

## Readings chosen

Where the procedure can be read more than one way, the reading this pack takes and why (also
under the rule's `interpretation:`).

## Left to human judgement

What the procedure asks that a timeline cannot show (the quality of a plan, the content of a
discussion), and why it is not checked.
"""


def _example(parent: Pack) -> str:
    if EXAMPLE_SCENARIO_RULE in parent.rule_ids:
        return f"""schema: 1
tests:
  # One scenario per thing the procedure asks: a case (the events that matter), the date it
  # is looked at (as_of), and the findings expected. Work out expected dates by hand, with
  # the calendar written out, so the test checks the pack rather than repeats it.
  - name: a first core group 8 working days after the initial conference is on time
    case:
      child: {{date_of_birth: 2018-05-10}}
      events:
        - {{id: ic, type: icpc, date: 2024-03-05, outcome: plan}}
        - {{id: ps, type: plan_start, date: 2024-03-05}}
        - {{id: cg, type: core_group, date: 2024-03-15, status: held}}
    as_of: 2024-04-30
    expect:
      # Tue 5 Mar + 10 working days: Wed 6, Thu 7, Fri 8, Mon 11, Tue 12, Wed 13, Thu 14,
      # Fri 15, Mon 18, Tue 19 Mar (no public holiday). Held Fri 15 Mar: on time
      - {{rule: {EXAMPLE_SCENARIO_RULE}, trigger: ic, status: met, due: 2024-03-19, occurred_on: 2024-03-15}}
"""
    first = parent.rule_ids[0] if parent.rule_ids else None
    expect = f"      - {{rule: {first}, status: not_applicable}}\n" if first else ""
    return f"""schema: 1
tests:
  # One scenario per thing the procedure asks: a case (the events that matter), the date it
  # is looked at (as_of), and the findings expected.
  - name: a case with nothing in it triggers no rule
    case:
      child: {{date_of_birth: 2018-05-10}}
      events: []
    as_of: 2024-04-30
    expect:
{expect}"""
