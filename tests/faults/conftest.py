"""Fault tests: each one bounded in time and leaving no process behind.

Every test here gets ``no_process_left``: after the test, no child process of the test run
may still be alive (a worker that outlived its pool would be a leak in production too).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from _procs import children, command_line, wait_gone


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
