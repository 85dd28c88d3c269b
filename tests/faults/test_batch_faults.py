"""Faults around ``cprules batch`` in real processes: a worker killed, the parent terminated,
interrupted or killed, an input that breaks off, a full disk, an output that is the input by
another name. For each: the old output is intact, the partial one holds whole cases, exactly as
many as the message says and as the source gave before the fault, and no process is left.

Each test is bounded (every wait has a timeout) and kills what it started if it fails."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _procs import children, running, wait_gone
from click.testing import CliRunner

import cprules.output
from cprules.cli import cli

DATA = Path(__file__).resolve().parents[1] / "readers" / "data"
OLD = '{"case_id": "OLD", "note": "the previous run"}\n'
TIMEOUT = 30.0
WRITTEN = re.compile(r"([\d,]+) cases? written to (\S+)")


def caseload(path: Path, count: int) -> Path:
    """``count`` small cases, C-0 to C-(count-1): long enough a run to stop part-way."""
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(f'{{"case_id": "C-{number}"}}\n')
    return path


def whole_cases(partial: Path) -> list[str]:
    """The case ids of a partial output, checking that it ends with a whole line and that every
    line is a whole JSON record."""
    data = partial.read_bytes()
    assert data == b"" or data.endswith(b"\n"), "the partial output ends in half a line"
    return [json.loads(line)["case_id"] for line in data.splitlines()]


class Batch:
    """A ``cprules batch`` process in its own session (so a signal can go to its whole group,
    as a terminal sends Ctrl-C), killed with its workers if the test fails."""

    def __init__(self, *args: str, stdin: Any = subprocess.DEVNULL) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cprules", "batch", *args],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "COLUMNS": "200"},
            # as from a terminal: a test run started in the background (a shell's "&" without job
            # control) ignores SIGINT, and a process that starts so keeps ignoring Ctrl-C
            preexec_fn=_default_sigint,
        )
        self.workers: set[int] = set()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(TIMEOUT)
        for pid in self.workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def wait_mid_run(self, partial: Path, workers: int) -> None:
        """Until the run has written something and its workers are up."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read().decode()  # type: ignore[union-attr]
            self.workers = children(self.process.pid)
            if partial.exists() and partial.stat().st_size > 0 and len(self.workers) >= workers:
                return
            time.sleep(0.02)
        pytest.fail("the batch did not get going")

    def finish(self) -> tuple[int, str]:
        code = self.process.wait(TIMEOUT)
        assert self.process.stderr is not None
        return code, self.process.stderr.read().decode("utf-8")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def written(message: str) -> tuple[int, str]:
    match = WRITTEN.search(message)
    assert match is not None, message
    return int(match[1].replace(",", "")), match[2].rstrip(";")


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "out.jsonl").write_text(OLD)
    caseload(tmp_path / "cases.jsonl", 200_000)
    return tmp_path


def test_a_worker_killed_with_sigkill_stops_the_run_and_says_so(run_dir: Path) -> None:
    out, partial = run_dir / "out.jsonl", run_dir / "out.jsonl.partial"
    with Batch(str(run_dir / "cases.jsonl"), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out),
               "--jobs", "2") as batch:  # fmt: skip
        batch.wait_mid_run(partial, workers=2)
        os.kill(min(batch.workers), signal.SIGKILL)  # as the out-of-memory killer would
        code, stderr = batch.finish()
    assert code == 5, stderr
    assert stderr.startswith("error: a worker process died (killed by signal 9, SIGKILL); ")
    assert "rerun with --jobs 1, or with more memory" in stderr and "bug" not in stderr
    assert stderr.count("\n") == 1
    count, where = written(stderr)
    assert where == str(partial)
    assert whole_cases(partial) == [f"C-{n}" for n in range(count)]
    assert out.read_text() == OLD
    assert not wait_gone(batch.workers)


@pytest.mark.parametrize(("how", "code", "words"), [
    ("SIGTERM", 143, "terminated (SIGTERM); "),
    ("SIGHUP", 143, "terminated (SIGHUP); "),
    ("SIGINT", 130, "interrupted; "),
])  # fmt: skip
def test_the_parent_stopped_by_a_signal_keeps_what_it_wrote_and_stops_every_worker(
    run_dir: Path, how: str, code: int, words: str
) -> None:
    out, partial = run_dir / "out.jsonl", run_dir / "out.jsonl.partial"
    with Batch(str(run_dir / "cases.jsonl"), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out),
               "--jobs", "2") as batch:  # fmt: skip
        batch.wait_mid_run(partial, workers=2)
        # to the whole group, as a terminal sends Ctrl-C (and systemd or kill 0 send SIGTERM)
        os.killpg(batch.process.pid, getattr(signal, how))
        exit_code, stderr = batch.finish()
        assert not wait_gone(batch.workers), "a worker outlived its parent"
    assert exit_code == code, stderr
    assert stderr.startswith(words) and stderr.count("\n") == 1
    count, where = written(stderr)
    assert where == str(partial) and f"{out} is as it was" in stderr
    assert whole_cases(partial) == [f"C-{n}" for n in range(count)] and count > 0
    assert out.read_text() == OLD


def test_the_parent_killed_with_sigkill_takes_its_workers_with_it(run_dir: Path) -> None:
    out, partial = run_dir / "out.jsonl", run_dir / "out.jsonl.partial"
    with Batch(str(run_dir / "cases.jsonl"), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out),
               "--jobs", "2") as batch:  # fmt: skip
        batch.wait_mid_run(partial, workers=2)
        os.kill(batch.process.pid, signal.SIGKILL)  # nothing of it can run: no handler, no cleanup
        assert batch.process.wait(TIMEOUT) == -signal.SIGKILL
        # each worker sees its task pipe close and leaves at once
        assert not wait_gone(batch.workers, timeout=10), "workers outlived a killed parent"
    # a process killed with SIGKILL can be stopped by the kernel part-way through a write, so
    # (only here) the last line may be cut: every line before it is whole and in order
    data = partial.read_bytes()
    lines = data.split(b"\n")[:-1]
    ids = [json.loads(line)["case_id"] for line in lines]
    assert ids == [f"C-{n}" for n in range(len(ids))] and ids
    assert out.read_text() == OLD


# -- an input that breaks off part-way ------------------------------------------------------------


def census(path: Path, children_count: int, *, cut: bool) -> Path:
    """A census of ``children_count`` children (copies of the first child of the test census),
    cut off inside the next one when ``cut``."""
    text = (DATA / "census_small.xml").read_text(encoding="utf-8")
    head = text[: text.index("<Child>")]
    child = text[text.index("<Child>") : text.index("</Child>") + len("</Child>")]
    tail = text[text.rindex("</Child>") + len("</Child>") :]
    body = "".join(child.replace("<LAchildID>C001<", f"<LAchildID>K{n:05d}<") for n in range(children_count))
    if cut:
        broken = child.replace("<LAchildID>C001<", "<LAchildID>KCUT<")
        path.write_text(head + body + broken[: broken.index("</CINreferralDate>")], encoding="utf-8")
    else:
        path.write_text(head + body + tail, encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("count", [150, 500, 1500])
def test_an_input_that_breaks_off_gives_every_case_before_it_then_the_error(
    tmp_path: Path, count: int, jobs: str
) -> None:
    source = census(tmp_path / "census.xml", count, cut=True)
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    result = CliRunner().invoke(
        cli, ["batch", str(source), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out), "-q",
              "--jobs", jobs],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    first, second = result.stderr.splitlines()
    assert first.startswith(f"{source}:") and "not well-formed" in first
    held, where = written(second)
    # every child before the cut, then the cut child's own error row, before the source error
    assert held == count + 1 and where == f"{out}.partial"
    lines = (tmp_path / "out.jsonl.partial").read_text().splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == [f"K{n:05d}" for n in range(count)] + ["KCUT"]
    assert "breaks off inside this child" in json.loads(lines[-1])["error"]["message"]
    assert out.read_text() == OLD


# -- a full disk -----------------------------------------------------------------------------------


def test_a_full_disk_is_its_own_exit_code_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = caseload(tmp_path / "cases.jsonl", 400)
    out = tmp_path / "out.jsonl"
    out.write_text(OLD)
    real_write = os.write
    room = [300_000]

    def write(descriptor: int, data: Any) -> int:
        if descriptor > 2 and room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = real_write(descriptor, bytes(data)[: max(room[0], 1)])
        room[0] -= taken
        return taken

    monkeypatch.setattr(cprules.output.os, "write", write)
    result = CliRunner().invoke(
        cli, ["batch", str(source), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out), "-q"]
    )
    assert result.exit_code == 4, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {out}: the disk is full; ") and "bad input" not in line
    count, where = written(line)
    assert where == f"{out}.partial" and 0 < count < 400
    assert whole_cases(tmp_path / "out.jsonl.partial") == [f"C-{n}" for n in range(count)]
    assert out.read_text() == OLD


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k none $d"],
        capture_output=True,
        timeout=TIMEOUT,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="no user namespaces to mount a small tmpfs in")
def test_a_real_full_disk_a_256k_tmpfs_keeps_the_old_output_and_whole_cases(tmp_path: Path) -> None:
    source = caseload(tmp_path / "cases.jsonl", 2000)
    disk = tmp_path / "disk"
    disk.mkdir()
    # in a mount namespace of its own: the tmpfs goes when the shell does, whatever happens
    script = f"""
        mount -t tmpfs -o size=256k none {disk} || exit 99
        printf '%s' '{OLD.strip()}' > {disk}/out.jsonl
        {sys.executable} -m cprules batch {source} --pack england --as-of 2024-06-01 -q --out {disk}/out.jsonl
        echo "exit=$?" >&2
        cp {disk}/out.jsonl {tmp_path}/old-after.jsonl
        cp {disk}/out.jsonl.partial {tmp_path}/partial.jsonl
    """
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, timeout=120)
    stderr = done.stderr.decode()
    message, status = stderr.splitlines()[-2:]
    assert status == "exit=4", stderr
    assert message.startswith(f"error: {disk}/out.jsonl: the disk is full; "), message
    count, _ = written(message)
    assert whole_cases(tmp_path / "partial.jsonl") == [f"C-{n}" for n in range(count)] and count > 0
    assert (tmp_path / "old-after.jsonl").read_text() == OLD.strip()


# -- an output that is the input by another name ---------------------------------------------------


def test_a_hard_linked_output_is_refused_and_the_input_is_intact(tmp_path: Path) -> None:
    source = caseload(tmp_path / "cases.jsonl", 10)
    before = source.read_bytes()
    os.link(source, tmp_path / "results.jsonl")
    result = CliRunner().invoke(
        cli, ["batch", str(source), "--pack", "england", "--out", str(tmp_path / "results.jsonl"), "-q"]
    )
    assert result.exit_code == 2
    assert "--out is the input file by another name (a hard link)" in result.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "results.jsonl.partial").exists()


def test_standard_input_redirected_from_the_output_file_is_refused(tmp_path: Path) -> None:
    out = caseload(tmp_path / "out.jsonl", 10)
    before = out.read_bytes()
    with out.open("rb") as stdin, Batch("-", "--pack", "england", "--out", str(out), stdin=stdin) as batch:
        code, stderr = batch.finish()
    assert code == 2 and "--out is the file standard input is read from" in stderr
    assert out.read_bytes() == before


def test_standard_output_appended_to_the_input_is_refused(tmp_path: Path) -> None:
    source = caseload(tmp_path / "cases.jsonl", 10)
    before = source.read_bytes()
    with source.open("ab") as appended:
        done = subprocess.run(
            [sys.executable, "-m", "cprules", "batch", str(source), "--pack", "england", "-q"],
            stdout=appended,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT,
        )
    assert done.returncode == 2 and b"standard output is the input file" in done.stderr
    assert source.read_bytes() == before


def test_an_output_inside_the_ssd_folder_read_is_refused(tmp_path: Path) -> None:
    extract = tmp_path / "ssd"
    shutil.copytree(DATA / "ssd_small", extract)
    before = {p.name: p.read_bytes() for p in extract.iterdir()}
    table = next(p for p in extract.iterdir() if p.name.startswith("ssd_"))
    result = CliRunner().invoke(cli, ["batch", str(extract), "--pack", "england", "--out", str(table), "-q"])
    assert result.exit_code == 2 and "--out is inside the input folder" in result.stderr
    assert {p.name: p.read_bytes() for p in extract.iterdir()} == before


def test_an_output_over_the_pack_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text("schema: 1\nid: p\ntitle: P\nversion: '1'\nextends: england\n")
    source = caseload(tmp_path / "cases.jsonl", 3)
    result = CliRunner().invoke(
        cli, ["batch", str(source), "--pack", str(folder), "--out", str(folder / "pack.yaml"), "-q"]
    )
    assert result.exit_code == 2 and "--out is" in result.stderr
    assert (folder / "pack.yaml").read_text().startswith("schema: 1")


def test_a_file_name_too_long_is_a_clear_error_before_any_work(tmp_path: Path) -> None:
    source = caseload(tmp_path / "cases.jsonl", 3)
    name = "r" * (os.pathconf(tmp_path, "PC_NAME_MAX") - 4) + ".jsonl"
    out = str(tmp_path / name)
    result = CliRunner().invoke(cli, ["batch", str(source), "--pack", "england", "--out", out])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "the file name is" in line and "give a name of at most" in line


# -- a case id that is not valid Unicode -------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_lone_surrogate_case_id_is_an_error_row_and_the_batch_goes_on(
    tmp_path: Path, jobs: str, suffix: str
) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text('{"case_id": "A-1"}\n{"case_id": "B\\ud800X"}\n{"case_id": "C-3"}\n', encoding="utf-8")
    out = tmp_path / f"out.{suffix}"
    args = ["batch", str(source), "--pack", "england", "--as-of", "2024-06-01", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--jobs", jobs])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")  # valid UTF-8: the surrogate is written escaped
    if suffix == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        assert [r["case_id"] for r in rows] == ["A-1", "B\ud800X", "C-3"]  # JSON's own escape
        assert "error" in rows[1] and "error" not in rows[0] and "error" not in rows[2]
    else:
        ids = [line.split(",", 1)[0] for line in text.splitlines()[1:]]
        assert ids[0] == "A-1" and ids[-1] == "C-3" and "B\\ud800X" in ids
    assert "3 cases under england" in result.stderr


def test_a_json_lines_file_that_is_one_huge_line_costs_no_more_than_a_case(tmp_path: Path) -> None:
    from cprules.case import MAX_CASE_BYTES

    source = tmp_path / "cases.jsonl"
    with source.open("wb") as handle:
        handle.write(b'{"case_id": "A-1"}\n')
        handle.write(b'{"case_id": "HUGE", "x": "' + b"y" * (MAX_CASE_BYTES * 3) + b'"}\n')
        handle.write(b'{"case_id": "A-3"}\n')
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(source), "--pack", "england", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("case_id") for r in rows] == ["A-1", None, "A-3"]
    assert rows[1]["error"]["path"] == "line 2" and "over the" in rows[1]["error"]["message"]
