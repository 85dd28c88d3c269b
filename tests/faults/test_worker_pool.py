"""``cprules.WorkerPool``: workers started once and reused across calls, with every guarantee of
a batch (one result per case, in order; results before a fault first; a dead worker said).

Each test gets ``no_process_left`` (tests/faults/conftest.py): a pool closed leaves no worker."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

import cprules
from cprules import SourceError, WorkerError, WorkerPool, evaluate_many, load_pack
from cprules.engine import evaluate_lines, evaluate_texts

AS_OF = date(2024, 6, 1)
ENGLAND = load_pack("england")


def case_lines(count: int, *, start: int = 0) -> Iterator[str]:
    # a core group 11 working days after its ICPC in half the cases, so reports differ by case
    # (ICPC Tue 5 Mar 2024 + 10 WD = Tue 19 Mar: a core group on Wed 20 Mar is 1 WD late)
    for number in range(start, start + count):
        held = "2024-03-20" if number % 2 else "2024-03-12"
        yield json.dumps(
            {
                "case_id": f"C-{number}",
                "events": [
                    {"id": "ic", "type": "icpc", "date": "2024-03-05", "outcome": "plan"},
                    {"id": "ps", "type": "plan_start", "date": "2024-03-05"},
                    {"id": "cg", "type": "core_group", "date": held, "status": "held"},
                ],
            }
        )


def test_two_calls_on_one_pool_give_what_two_fresh_calls_give() -> None:
    first, second = list(case_lines(450)), [*case_lines(300, start=450), '{"case_id": 3}']
    fresh = [
        list(evaluate_lines(lines, ENGLAND, as_of=AS_OF, jobs=2, chunk_size=50)) for lines in (first, second)
    ]
    with WorkerPool(ENGLAND, jobs=2, chunk_size=50) as pool:
        reused = [list(pool.evaluate_lines(lines, as_of=AS_OF)) for lines in (first, second)]
        pids = {p.pid for p in multiprocessing.active_children()}
        again = list(pool.evaluate_lines(first, as_of=AS_OF))
        assert {p.pid for p in multiprocessing.active_children()} == pids  # the same workers
    assert reused == fresh and again == fresh[0]
    assert len(reused[1]) == 301 and json.loads(reused[1][-1])["error"]["kind"] == "case"
    # and the same as one job
    assert reused[0] == list(evaluate_lines(first, ENGLAND, as_of=AS_OF))
    late = [json.loads(line) for line in reused[0][:2]]
    status = [next(f["status"] for f in r["findings"] if f["rule_id"] == "first-core-group") for r in late]
    assert status == ["met", "late"]


def test_each_call_has_its_own_as_of() -> None:
    # as at Mon 18 Mar 2024 the core group of Wed 20 Mar is not seen: due Tue 19 Mar, still due
    lines = list(case_lines(4))
    with WorkerPool(ENGLAND, jobs=2, chunk_size=1) as pool:
        early = list(pool.evaluate_many(lines, as_of=date(2024, 3, 18)))
        later = list(pool.evaluate_many(lines, as_of=AS_OF))
    assert early == list(evaluate_many(lines, ENGLAND, as_of=date(2024, 3, 18)))
    assert later == list(evaluate_many(lines, ENGLAND, as_of=AS_OF))
    assert early != later


def test_evaluate_texts_on_a_pool_gives_what_evaluate_texts_gives() -> None:
    lines = list(case_lines(30))
    with WorkerPool(ENGLAND, jobs=2, chunk_size=7) as pool:
        assert list(pool.evaluate_texts(lines, as_of=AS_OF)) == list(
            evaluate_texts(lines, ENGLAND, as_of=AS_OF)
        )


def test_a_pool_used_after_close_says_it_is_closed() -> None:
    pool = WorkerPool(ENGLAND, jobs=2)
    assert not pool.closed
    pool.close()
    pool.close()  # idempotent
    assert pool.closed and "closed" in repr(pool)
    with pytest.raises(WorkerError, match="on a closed pool: its workers have stopped; make a new pool"):
        pool.evaluate_lines(case_lines(1), as_of=AS_OF)  # raised at the call, not when read
    with WorkerPool(ENGLAND) as other:
        pass
    with pytest.raises(WorkerError) as error:
        other.evaluate_many([], as_of=AS_OF)
    assert error.value.how == "closed"


def test_a_second_call_read_while_the_first_is_being_read_is_refused() -> None:
    with WorkerPool(ENGLAND, jobs=2, chunk_size=10) as pool:
        first = pool.evaluate_lines(case_lines(100), as_of=AS_OF)
        next(first)
        with pytest.raises(WorkerError, match="one call at a time") as error:
            next(pool.evaluate_lines(case_lines(5), as_of=AS_OF))
        assert error.value.how == "busy"
        assert len(list(first)) == 99  # the first call goes on, whole


def test_a_call_whose_reader_stops_early_leaves_the_next_call_whole_and_in_order() -> None:
    with WorkerPool(ENGLAND, jobs=2, chunk_size=20) as pool:
        abandoned = pool.evaluate_lines(case_lines(1000), as_of=AS_OF)
        assert [json.loads(next(abandoned))["case_id"] for _ in range(3)] == ["C-0", "C-1", "C-2"]
        abandoned.close()  # chunks still in the workers: their results must not leak into the next call
        out = list(pool.evaluate_lines(case_lines(200, start=5000), as_of=AS_OF))
    assert [json.loads(line)["case_id"] for line in out] == [f"C-{n}" for n in range(5000, 5200)]


def test_a_source_that_breaks_off_gives_every_case_before_it_then_its_error_and_the_pool_goes_on() -> None:
    def breaks_off() -> Iterator[str]:
        yield from case_lines(130)
        raise SourceError("the file breaks off here", file="caseload.jsonl", line=131)

    with WorkerPool(ENGLAND, jobs=2, chunk_size=20) as pool:
        got: list[str] = []
        with pytest.raises(SourceError, match=r"caseload\.jsonl:131"):
            got.extend(pool.evaluate_lines(breaks_off(), as_of=AS_OF))
        assert len(got) == 130
        assert len(list(pool.evaluate_lines(case_lines(10), as_of=AS_OF))) == 10


def test_a_worker_killed_in_a_call_is_reported_and_replaced_for_the_next_call(
    killed_at_c333: str,
) -> None:
    with WorkerPool(ENGLAND, jobs=2, chunk_size=100) as pool:
        results: list[Any] = []
        with pytest.raises(WorkerError) as error:
            results.extend(pool.evaluate_many(case_lines(1000), as_of=AS_OF))
        assert [r.case_id for r in results] == [f"C-{n}" for n in range(300)]
        assert (error.value.done, error.value.lost, error.value.exitcode) == (300, 100, -9)
        # the next call gets a new worker in the dead one's place, and loses nothing
        after = list(pool.evaluate_many(case_lines(400, start=1000), as_of=AS_OF))
        assert [r.case_id for r in after] == [f"C-{n}" for n in range(1000, 1400)]
        assert len(multiprocessing.active_children()) == 2


def test_two_pools_at_once_each_close_cleanly() -> None:
    # a worker forked for the second pool must not keep the first pool's pipes open
    first = WorkerPool(ENGLAND, jobs=2)
    second = WorkerPool(ENGLAND, jobs=2)
    assert len(list(first.evaluate_lines(case_lines(5), as_of=AS_OF))) == 5
    first.close()
    assert len(list(second.evaluate_lines(case_lines(5), as_of=AS_OF))) == 5
    second.close()


@pytest.mark.parametrize("value", [None, "england", {"id": "england"}, 3])
def test_a_pool_of_what_is_not_a_pack_is_a_type_error_naming_the_argument(value: Any) -> None:
    with pytest.raises(TypeError, match=r"argument 'pack' must be a cprules\.Pack"):
        WorkerPool(value)


@pytest.mark.parametrize("argument", ["jobs", "chunk_size"])
@pytest.mark.parametrize("value", [None, "2", 2.0, True])
def test_jobs_and_chunk_size_must_be_whole_numbers(argument: str, value: Any) -> None:
    with pytest.raises(TypeError, match=f"argument '{argument}' must be an int"):
        WorkerPool(ENGLAND, **{argument: value})


@pytest.mark.parametrize("value", [None, "2024-06-01", 20240601])
def test_as_of_must_be_a_date_and_in_the_calendars_years(value: Any) -> None:
    from datetime import datetime

    with WorkerPool(ENGLAND, jobs=1) as pool:
        with pytest.raises(TypeError, match=r"argument 'as_of' must be a datetime\.date"):
            pool.evaluate_lines([], as_of=value)
        with pytest.raises(TypeError, match=r"argument 'as_of' must be a datetime\.date, not datetime"):
            pool.evaluate_many([], as_of=datetime(2024, 6, 1))
        with pytest.raises(cprules.CalendarRangeError, match=r"must lie in 1990-01-01\.\.2100-12-31"):
            pool.evaluate_texts([], as_of=date(1900, 1, 1))
