"""Fault tests: each one bounded in time and leaving no process behind.

Every test here gets ``no_process_left``: after the test, no child process of the test run
may still be alive (a worker that outlived its pool would be a leak in production too).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from datetime import date

import pytest
from _procs import children, command_line, wait_gone

import cprules
import cprules.engine as engine
from cprules import Report


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    before = children()
    yield
    multiprocessing.active_children()  # reaps finished ones
    # multiprocessing's resource tracker (started once, by the first spawned process) stays for
    # the life of the test run, by design; it is not a worker
    new = {pid for pid in children() - before if "resource_tracker" not in command_line(pid)}
    left = wait_gone(new, timeout=5.0)
    assert not left, f"processes left behind: {sorted(left)}"


@pytest.fixture
def killed_at_c333(monkeypatch: pytest.MonkeyPatch) -> str:
    """A worker that evaluates case ``C-333`` dies at once (SIGKILL), as if the machine ran out
    of memory; forked workers inherit the patched ``engine.evaluate``. Gives the case id."""
    real = engine.evaluate

    def dies_on_marker(case: cprules.Case, pack: cprules.Pack, *, as_of: date) -> Report:
        if case.case_id == "C-333":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(case, pack, as_of=as_of)

    monkeypatch.setattr(engine, "evaluate", dies_on_marker)
    return "C-333"
