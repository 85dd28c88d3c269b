"""Faults inside a batch (``evaluate_many`` and friends, jobs 1 and 2): a source that breaks off,
a worker killed, a worker that fails, the caller walking away. For each: every result finished
before the fault comes out, in input order, then an error that says what happened; no worker
outlives the batch (the ``no_process_left`` fixture checks every test)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cprules import CaseError, Report, SourceError, evaluate_many, load_pack, read_cases
from cprules.engine import WorkerError, evaluate_lines, evaluate_texts
from cprules.workers import run_in_workers

AS_OF = date(2024, 6, 1)
ENGLAND = load_pack("england")
DATA = Path(__file__).resolve().parents[1] / "readers" / "data"


def case_lines(count: int, *, start: int = 0) -> Iterator[str]:
    for number in range(start, start + count):
        yield json.dumps({"case_id": f"C-{number}"})


def breaks_off_after(count: int) -> Iterator[str]:
    """A source of ``count`` cases that then fails, as a reader does on a truncated file."""
    yield from case_lines(count)
    raise SourceError("the file breaks off here", file="caseload.jsonl", line=count + 1)


def case_id_of(result: Any) -> str | None:
    if isinstance(result, str):  # evaluate_lines
        return json.loads(result)["case_id"]
    return result.case_id


RUNNERS: dict[str, Callable[..., Iterator[Any]]] = {
    "evaluate_many": evaluate_many,
    "evaluate_texts": evaluate_texts,
    "evaluate_lines": evaluate_lines,
}


def drain(results: Iterator[Any]) -> tuple[list[Any], BaseException | None]:
    """Every result until the iterator ends or raises, and what it raised."""
    out: list[Any] = []
    try:
        for result in results:
            out.append(result)
    except Exception as exc:
        return out, exc
    return out, None


# -- a source that fails part-way ----------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("count", [150, 500, 1500])
@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_a_source_that_breaks_off_gives_every_case_before_it_in_order_then_its_error(
    runner: str, count: int, jobs: int
) -> None:
    # chunks of 200 with 4 in flight: 150 ends inside the first chunk, 500 inside the third, and
    # 1,500 after more chunks than are ever in flight at once
    results, error = drain(RUNNERS[runner](breaks_off_after(count), ENGLAND, as_of=AS_OF, jobs=jobs))
    assert [case_id_of(r) for r in results] == [f"C-{n}" for n in range(count)]
    assert isinstance(error, SourceError)
    assert str(error) == f"caseload.jsonl:{count + 1}: the file breaks off here"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_source_that_breaks_off_on_a_chunk_boundary_loses_nothing(jobs: int) -> None:
    results, error = drain(evaluate_many(breaks_off_after(400), ENGLAND, as_of=AS_OF, jobs=jobs))
    assert len(results) == 400 and isinstance(error, SourceError)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_census_that_breaks_off_inside_a_child_gives_that_childs_error_before_the_source_error(
    tmp_path: Path, jobs: int
) -> None:
    text = (DATA / "census_small.xml").read_text(encoding="utf-8")
    # cut inside the third child (C003), after its id
    cut = text.index("<LAchildID>C003</LAchildID>") + len("<LAchildID>C003</LAchildID>") + 20
    broken = tmp_path / "census.xml"
    broken.write_text(text[:cut], encoding="utf-8")
    results, error = drain(evaluate_many(read_cases(broken), ENGLAND, as_of=AS_OF, jobs=jobs))
    assert [type(r).__name__ for r in results] == ["Report", "Report", "CaseError"]
    assert [r.case_id for r in results] == ["C001", "C002", "C003"]
    assert "breaks off inside this child" in str(results[-1])
    assert isinstance(error, SourceError)


# -- a reader's CaseError through evaluate_many (issue 12) -----------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_readers_case_error_comes_out_of_evaluate_many_unchanged_and_in_order(
    tmp_path: Path, jobs: int
) -> None:
    caseload = tmp_path / "caseload.jsonl"
    good = {"case_id": "A", "events": [{"type": "visit", "date": "2024-01-05"}]}
    typo = {"case_id": "B", "events": [{"type": "plan_start", "date": "2024-01-05", "categroies": []}]}
    caseload.write_text("\n".join(json.dumps(c) for c in (good, typo, {**good, "case_id": "C"})) + "\n")
    read = list(read_cases(caseload))
    assert isinstance(read[1], CaseError)
    results = list(evaluate_many(read_cases(caseload), ENGLAND, as_of=AS_OF, jobs=jobs, chunk_size=1))
    assert [type(r).__name__ for r in results] == ["Report", "CaseError", "Report"]
    error = results[1]
    assert (error.case_id, error.path, error.reason) == (read[1].case_id, read[1].path, read[1].reason)
    assert error.path == "events[0].categroies" and "did you mean categories" in error.reason
    if jobs == 1:
        assert error is read[1] or str(error) == str(read[1])
    lines = list(evaluate_lines(read_cases(caseload), ENGLAND, as_of=AS_OF, jobs=jobs))
    assert json.loads(lines[1])["error"]["path"] == "events[0].categroies"


# -- chunks that finish out of order ----------------------------------------------------------------


def _slow_where_told(chunk: list[int], state: Any) -> list[int]:
    """Work that takes ``state[item]`` seconds on the chunks holding such an item."""
    time.sleep(sum(state.get(item, 0.0) for item in chunk))
    return chunk


def test_a_slow_first_chunk_does_not_end_the_run_when_every_later_chunk_is_already_back() -> None:
    # chunk 0 (items 0-9) is slow; chunks 1-3 come back first, so when chunk 0 arrives every chunk
    # sent is ready at once: the run must read on, not stop there
    out = list(run_in_workers(range(200), _slow_where_told, {0: 0.3}, jobs=2, chunk_size=10))
    assert out == list(range(200))


@pytest.mark.parametrize(("count", "chunk_size", "jobs"), [(0, 5, 2), (1, 5, 2), (97, 7, 2), (500, 13, 3)])
def test_every_item_comes_back_once_in_order_whichever_chunks_are_slow(
    count: int, chunk_size: int, jobs: int
) -> None:
    delays = {item: 0.002 * (item % 5) for item in range(0, count, 3)}
    assert list(
        run_in_workers(range(count), _slow_where_told, delays, jobs=jobs, chunk_size=chunk_size)
    ) == list(range(count))


# -- a worker killed, or failing -------------------------------------------------------------------


def _kill_self_on_marker(chunk: list[str], state: Any) -> list[str]:
    """Work that dies as the out-of-memory killer would kill it, on the item "KILL"."""
    if "KILL" in chunk:
        os.kill(os.getpid(), signal.SIGKILL)
    return [item.lower() for item in chunk]


def _fail_on_marker(chunk: list[str], state: Any) -> list[str]:
    if "FAIL" in chunk:
        raise MemoryError
    return [item.lower() for item in chunk]


def test_a_worker_killed_by_sigkill_is_reported_as_such_after_every_result_before_its_cases() -> None:
    items = [f"I{n}" for n in range(100)]
    items[57] = "KILL"  # in the chunk of items 50-59
    out, error = drain(run_in_workers(items, _kill_self_on_marker, None, jobs=2, chunk_size=10))
    assert out == [f"i{n}" for n in range(50)]
    assert isinstance(error, WorkerError)
    assert (error.exitcode, error.done, error.lost) == (-signal.SIGKILL, 50, 10)
    assert str(error).startswith("a worker process died (killed by signal 9, SIGKILL) holding cases 51 to 60")
    assert "rerun with jobs=1, or with more memory" in str(error) and "bug" not in str(error)


def test_a_worker_killed_in_the_first_chunk_gives_nothing_and_says_so() -> None:
    out, error = drain(run_in_workers(["KILL", "a", "b"], _kill_self_on_marker, None, jobs=2, chunk_size=2))
    assert out == [] and isinstance(error, WorkerError) and (error.done, error.lost) == (0, 2)


def test_a_worker_that_fails_outside_any_case_is_reported_with_what_failed() -> None:
    items = ["A"] * 30 + ["FAIL"] + ["B"] * 30
    out, error = drain(run_in_workers(items, _fail_on_marker, None, jobs=2, chunk_size=10))
    assert out == ["a"] * 30
    assert isinstance(error, WorkerError) and error.how == "MemoryError" and error.done == 30


def test_evaluate_many_reports_a_killed_worker_with_the_count_of_cases_before_it(
    killed_at_c333: str,
) -> None:
    results, error = drain(evaluate_many(case_lines(1000), ENGLAND, as_of=AS_OF, jobs=2, chunk_size=100))
    assert [r.case_id for r in results] == [f"C-{n}" for n in range(300)]
    assert isinstance(error, WorkerError) and (error.done, error.lost, error.exitcode) == (300, 100, -9)


def _idle(pid: int) -> bool:
    """Whether every thread of a process is asleep (a worker waiting for its next chunk)."""
    states = [
        task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0]
        for task in Path(f"/proc/{pid}/task").iterdir()
    ]
    return all(state == "S" for state in states)


def test_a_worker_killed_between_chunks_is_replaced_and_nothing_is_lost() -> None:
    import multiprocessing

    killed: list[int] = []

    def source() -> Iterator[str]:
        for number in range(400):
            if number == 100:
                # chunks 0 and 1 went one to each worker; once both workers are asleep they have
                # sent their results back and hold nothing: kill one of them
                workers = [p.pid for p in multiprocessing.active_children() if p.pid]
                deadline = time.monotonic() + 10
                streak = 0
                while streak < 5 and time.monotonic() < deadline:
                    streak = streak + 1 if all(_idle(pid) for pid in workers) else 0
                    time.sleep(0.02)
                os.kill(workers[0], signal.SIGKILL)
                # gone when the system says so to its parent (every thread of it has exited)
                while workers[0] in {p.pid for p in multiprocessing.active_children()}:
                    time.sleep(0.01)
                killed.append(workers[0])
            yield f"I{number}"

    out = list(run_in_workers(source(), _kill_self_on_marker, None, jobs=2, chunk_size=50))
    assert out == [f"i{n}" for n in range(400)]
    assert killed and killed[0] not in {p.pid for p in multiprocessing.active_children()}


# -- the caller walking away, or interrupted --------------------------------------------------------


def test_closing_the_results_early_stops_every_worker() -> None:
    results = evaluate_many(case_lines(5000), ENGLAND, as_of=AS_OF, jobs=2, chunk_size=50)
    first = [next(results) for _ in range(10)]
    assert [r.case_id for r in first] == [f"C-{n}" for n in range(10)]
    results.close()  # the fixture checks that no worker is left


def test_an_interrupt_in_the_source_stops_every_worker_and_propagates() -> None:
    def interrupted() -> Iterator[str]:
        yield from case_lines(700)
        raise KeyboardInterrupt

    got: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        for result in evaluate_many(interrupted(), ENGLAND, as_of=AS_OF, jobs=2, chunk_size=50):
            got.append(result)
    assert [r.case_id for r in got] == [f"C-{n}" for n in range(len(got))]


# -- workers see the caller's pack -----------------------------------------------------------------

EDITED = "title: First core group within 10 working days of the ICPC"


def _local_pack(folder: Path) -> Path:
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "schema: 1\nid: local\ntitle: Local\nversion: '1'\nextends: england\n"
        "overrides:\n  first-core-group:\n    within: {working_days: 5}\n",
        encoding="utf-8",
    )
    return folder


def _core_group_case() -> str:
    # ICPC Tue 5 Mar 2024 + 5 WD = Tue 12 Mar; a core group on Wed 13 Mar is 1 WD late under the
    # local pack; under england's 10 WD (due Tue 19 Mar) it is on time
    return json.dumps(
        {
            "case_id": "CG",
            "child": {"date_of_birth": "2018-01-01"},
            "events": [
                {"id": "sd", "type": "strategy_discussion", "date": "2024-02-20", "s47": True},
                {"id": "ic", "type": "icpc", "date": "2024-03-05", "outcome": "plan"},
                {"id": "ps", "type": "plan_start", "date": "2024-03-05"},
                {"id": "cg", "type": "core_group", "date": "2024-03-13", "status": "held"},
            ],
        }
    )


def _first_core_group(result: Any) -> str:
    assert isinstance(result, Report), result
    return next(f.status.value for f in result.findings if f.rule_id == "first-core-group")


@pytest.mark.parametrize("change", ["deleted", "moved", "edited", "chdir"])
def test_workers_evaluate_the_callers_pack_whatever_happens_to_its_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _local_pack(tmp_path / "local")
    pack = load_pack("./local")  # a relative path
    if change == "deleted":
        shutil.rmtree(folder)
    elif change == "moved":
        folder.rename(tmp_path / "elsewhere")
    elif change == "edited":
        (folder / "pack.yaml").write_text((folder / "pack.yaml").read_text().replace("5}", "50}"))
    else:
        other = tmp_path / "other"
        other.mkdir()
        monkeypatch.chdir(other)
    inputs = [_core_group_case()] * 5
    serial = [_first_core_group(r) for r in evaluate_many(inputs, pack, as_of=AS_OF)]
    parallel = [_first_core_group(r) for r in evaluate_many(inputs, pack, as_of=AS_OF, jobs=2, chunk_size=2)]
    assert serial == parallel == ["late"] * 5
    texts = list(evaluate_texts(inputs, pack, as_of=AS_OF, jobs=2, chunk_size=2))
    assert all(json.loads(t.json)["pack_digest"] == pack.digest for t in texts)  # type: ignore[union-attr]


def test_a_pack_built_in_python_is_evaluated_as_built() -> None:
    from dataclasses import replace

    rule = ENGLAND.rule("first-core-group")
    tighter = rule.model_copy(update={"within": rule.within.model_copy(update={"working_days": 5})})
    built = replace(
        ENGLAND,
        id="built",
        rules=tuple(tighter if r.id == rule.id else r for r in ENGLAND.rules),
        path=Path("/nowhere/at/all/pack.yaml"),
        digest="sha256:built-in-python",
    )
    pickle.loads(pickle.dumps(built))  # what a worker receives
    results = list(evaluate_many([_core_group_case()] * 3, built, as_of=AS_OF, jobs=2, chunk_size=1))
    assert [_first_core_group(r) for r in results] == ["late"] * 3
    assert {r.pack_id for r in results} == {"built"}  # type: ignore[union-attr]


def test_with_threads_running_the_workers_are_spawned_and_give_the_same_results() -> None:
    import threading

    from cprules.workers import _start_method

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        # forking a process with threads could copy a lock held by another thread into the child
        assert _start_method() == "spawn"
        inputs = [_core_group_case(), *case_lines(30)]
        parallel = list(evaluate_many(inputs, ENGLAND, as_of=AS_OF, jobs=2, chunk_size=4))
    finally:
        stop.set()
        thread.join()
    serial = list(evaluate_many(inputs, ENGLAND, as_of=AS_OF))
    assert [r.to_json() for r in parallel] == [r.to_json() for r in serial]  # type: ignore[union-attr]
