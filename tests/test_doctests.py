"""Every example in a docstring of cprules runs and gives what it shows.

The docstrings are the reference a developer reads first; an example that no longer holds
(a case the case format now refuses, a message reworded) misleads more than none would.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cprules

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(cprules.__path__, prefix="cprules.")
    if name != "cprules.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_module_hold(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    failures, _ = doctest.testmod(module, optionflags=flags, report=True)
    assert failures == 0, f"{name}: {failures} docstring example(s) do not hold"


def test_the_package_has_examples_to_check() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples) for name in MODULES for test in finder.find(importlib.import_module(name))
    )
    assert examples > 100
