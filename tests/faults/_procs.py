"""Processes of a fault test, from /proc: the children of a process, and whether one still runs."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first, then the parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid: int | None = None) -> set[int]:
    """The running (not zombie) child processes of ``pid`` (this process by default)."""
    pid = pid or os.getpid()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None and fields[1] == str(pid) and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that is still running (a zombie has finished)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def wait_gone(pids: set[int], timeout: float = 10.0) -> set[int]:
    """Wait for ``pids`` to finish; those still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = {pid for pid in pids if running(pid)}
        if not alive:
            return set()
        time.sleep(0.05)
    return {pid for pid in pids if running(pid)}


def command_line(pid: int) -> str:
    """The command line of ``pid`` ('' when it has gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
