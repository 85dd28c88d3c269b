"""cprules.cli.render: what the commands share on screen and in CSV."""

from __future__ import annotations

import pytest

from cprules.cli.render import csv_cell, located, plural


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_csv_cell_a_spreadsheet_would_run_starts_with_a_quote(text: str):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(("value", "cell"), [(None, ""), (-3, -3), (0, 0), ("T-1", "T-1"), ("a=b", "a=b")])
def test_other_csv_cells_are_as_they_are(value: object, cell: object):
    assert csv_cell(value) == cell


def test_plural_counts_with_thousands_separators():
    assert plural(1, "rule") == "1 rule"
    assert plural(0, "rule") == "0 rules"
    assert plural(1200, "breach", "breaches") == "1,200 breaches"


def test_a_located_message_keeps_its_position_and_any_other_is_an_error():
    assert located("pack.yaml:3:5: rule x: bad") == "pack.yaml:3:5: rule x: bad"
    assert located("pack.yaml:3: bad") == "pack.yaml:3: bad"
    assert located("no pack named x") == "error: no pack named x"
