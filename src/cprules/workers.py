"""Worker processes for a caseload: chunks out, results back in input order, every fault said.

:func:`cprules.evaluate_many` (and ``cprules batch --jobs N``) hands chunks of cases to worker
processes through this module. It is written for the faults a long run meets, not only for
the happy path:

- **Order and completeness.** Results come back in input order. When the source of cases
  raises part-way (a file that breaks off), every result finished before the failure is
  yielded first, in order, and then the source's own exception is raised: nothing read is
  dropped.
- **A worker that dies** (the kernel's out-of-memory killer, ``kill -9``) is found at once
  through its process sentinel. The results before the chunk it held are yielded, then
  :class:`WorkerError` says how it died, how many cases came back and which did not. It is
  never a "bug in cprules" and never a silent gap.
- **No orphans.** Each worker reads its tasks on a thread of its own and exits the moment its
  task pipe closes, so when the parent stops (Ctrl-C, ``SIGTERM``, an exception, a consumer
  that stops iterating, even ``kill -9`` of the parent) the workers go too. On the way out the
  parent closes the pipes, then kills any worker still there after a grace period.
- **The caller's objects, not a reload.** The state the workers need (the pack, ``as_of``) is
  the caller's own: a forked worker inherits it as it is in the parent (with the caches the
  parent has already warmed: the calendar's tables, each rule's prepared words), and a spawned
  one unpickles a copy pickled once in the parent. Either way a worker evaluates exactly what
  the caller passed, whatever has happened on disk since.

Workers ignore ``SIGINT``, ``SIGTERM`` and ``SIGHUP``: a Ctrl-C or a hang-up at a terminal,
or a ``SIGTERM`` to the process group, reaches every worker too, and the parent, not each
worker, decides what happens (a worker that died of it first would be reported as a fault).

Processes are forked when the parent has a single thread (fast, and safe), and spawned
otherwise (forking a process with threads can copy a held lock into the child).

>>> list(run_in_workers(range(7), _double, None, jobs=2, chunk_size=3))
[0, 2, 4, 6, 8, 10, 12]
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cprules.errors import CprulesError

if TYPE_CHECKING:
    from cprules.engine import CaseInput, ReportText, Result
    from cprules.errors import CaseError, EvaluationError
    from cprules.pack import Pack

__all__ = ["WorkerError", "WorkerPool", "run_in_workers"]

#: chunks given to one worker at a time: one it works on, one waiting, so it never idles
_PER_WORKER = 2
#: seconds a worker has to leave once its pipe closes, before it is terminated, then killed
_GRACE = 2.0

Work = Callable[[list[Any], Any], list[Any]]


class WorkerError(CprulesError):
    """A worker process died or failed while it held cases: the run stopped there.

    ``done`` cases (the first ``done`` of the input) came back before the cases the worker
    held, ``lost`` of them, starting at input position ``done + 1``. ``exitcode`` is the
    worker's exit status (negative: the signal that killed it), or None when it failed without
    dying.

    >>> error = WorkerError.died(-9, done=4400, lost=200)
    >>> print(error.how, *str(error).split("; "), sep="\\n")
    killed by signal 9, SIGKILL
    a worker process died (killed by signal 9, SIGKILL) holding cases 4,401 to 4,600
    the 4,400 cases before them were evaluated
    rerun with jobs=1, or with more memory
    """

    _fields = ("exitcode", "done", "lost", "how")

    def __init__(
        self,
        message: str,
        *,
        exitcode: int | None = None,
        done: int = 0,
        lost: int = 0,
        how: str = "",
    ) -> None:
        self.exitcode = exitcode
        self.done = done
        self.lost = lost
        #: how it ended, in words: "killed by signal 9, SIGKILL", "exit code 1", "MemoryError"
        self.how = how
        self.reason = message
        super().__init__(message)

    @classmethod
    def died(cls, exitcode: int | None, *, done: int, lost: int) -> WorkerError:
        """The error for a worker that died with ``exitcode`` holding ``lost`` cases."""
        how = _exit_words(exitcode)
        held = f" holding cases {done + 1:,} to {done + lost:,}" if lost else ""
        return cls(
            f"a worker process died ({how}){held}; the {done:,} cases before them were evaluated; "
            "rerun with jobs=1, or with more memory",
            exitcode=exitcode,
            done=done,
            lost=lost,
            how=how,
        )

    @classmethod
    def failed(cls, what: str, *, done: int, lost: int) -> WorkerError:
        """The error for a worker that could not run a chunk at all (``what``: the exception)."""
        return cls(
            f"a worker process failed ({what}) on cases {done + 1:,} to {done + lost:,}; the {done:,} "
            "cases before them were evaluated; rerun with jobs=1",
            done=done,
            lost=lost,
            how=what,
        )


def _exit_words(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"killed by signal {-exitcode}"
        return f"killed by signal {-exitcode}, {name}"
    return f"exit code {exitcode}"


@dataclass(frozen=True, slots=True)
class _Inherited:
    """The workers' state, handed to a forked worker as the parent's own object."""

    value: Any


@dataclass(frozen=True, slots=True)
class _Pickled:
    """The workers' state, pickled once, for a spawned worker to unpickle."""

    data: bytes


_State = _Inherited | _Pickled


@dataclass(frozen=True, slots=True)
class _Failed:
    """What a worker sends back for a chunk it could not run (an exception outside any case)."""

    what: str


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # parent -> worker
    results: Connection  # worker -> parent
    held: deque[int] = field(default_factory=deque)  # chunk numbers sent and not yet back
    finished: int = 0  # chunks it has sent back


def _start_method() -> str:
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def run_in_workers(
    items: Iterable[Any],
    work: Work,
    state: Any,
    *,
    jobs: int,
    chunk_size: int,
) -> Iterator[Any]:
    """``work(chunk, state)`` over chunks of ``items`` in ``jobs`` worker processes; the results
    of every chunk, flattened, in input order.

    ``work`` is a module-level function (workers find it by name); ``state`` is pickled once and
    given to every chunk. At most ``2 * jobs`` chunks are in flight, so memory stays flat.
    Raises what the source of ``items`` raised after yielding every result before it, and
    :class:`WorkerError` when a worker dies or fails holding a chunk (after yielding every result
    before that chunk). Closing the iterator early stops the workers.
    """
    pool = _Pool(state, jobs)
    try:
        yield from pool.run(work, (), iter(items), max(1, chunk_size))
    finally:
        pool.close()


class WorkerPool:
    """Worker processes kept for many calls, each evaluating under one pack.

    :func:`cprules.evaluate_many` and ``evaluate_lines`` with ``jobs > 1`` start their worker
    processes on every call and stop them at its end (~50 ms, and each worker warms its caches
    again). A pool starts ``jobs`` workers once, when it is made, and every call hands them
    chunks of ``chunk_size`` cases: the workers parse, evaluate and (for
    :meth:`evaluate_lines` and :meth:`evaluate_texts`) write the JSON, so the parent only
    moves text. Each call gives what the function of the same name in :mod:`cprules.engine`
    gives with ``jobs > 1``, with every guarantee of a batch: one result per input case, in
    input order; the results before a fault come out before it is raised; a worker that dies
    raises :class:`WorkerError` (and the next call starts a worker in its place).

    Use it in a ``with`` block, or call :meth:`close`; calling a closed pool raises
    :class:`WorkerError` (``how == "closed"``). One call at a time: start the next call once
    the last one's results have been read (or its iterator closed); a call started while
    another is being read raises :class:`WorkerError` (``how == "busy"``). ``as_of`` is given
    per call, so one pool serves any number of dates.

    >>> import json
    >>> from datetime import date
    >>> import cprules
    >>> with cprules.WorkerPool(cprules.load_pack("england"), jobs=2) as pool:
    ...     first = list(pool.evaluate_lines(['{"case_id": "A"}'], as_of=date(2024, 6, 1)))
    ...     second = list(pool.evaluate_lines(['{"case_id": 3}'], as_of=date(2024, 6, 1)))
    >>> [json.loads(line).get("error", {}).get("kind") for line in first + second]
    [None, 'case']
    """

    def __init__(self, pack: Pack, *, jobs: int = 2, chunk_size: int = 200) -> None:
        from cprules.pack import Pack

        if not isinstance(pack, Pack):
            raise TypeError(f"WorkerPool() argument 'pack' must be a cprules.Pack, not {type(pack).__name__}")
        for name, value in (("jobs", jobs), ("chunk_size", chunk_size)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"WorkerPool() argument {name!r} must be an int, not {type(value).__name__}")
        # as evaluate_many reads them: fewer than one is one
        jobs, chunk_size = max(1, jobs), max(1, chunk_size)
        self.pack = pack
        """The pack every call evaluates under (the workers' own, from when the pool started)."""
        self.jobs = jobs
        """The number of worker processes."""
        self.chunk_size = chunk_size
        """Cases handed to a worker at a time."""
        self._pool: _Pool | None = _Pool(pack, jobs)
        self._pool.start()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run: the workers are gone."""
        return self._pool is None

    def evaluate_lines(self, lines: Iterable[CaseInput], *, as_of: date) -> Iterator[str]:
        """JSON Lines in, JSON Lines out, as :func:`cprules.engine.evaluate_lines` gives them."""
        from cprules.engine import _worker_lines

        return self._call("evaluate_lines", _worker_lines, lines, as_of)

    def evaluate_many(self, cases: Iterable[CaseInput], *, as_of: date) -> Iterator[Result]:
        """A report or an error per case, as :func:`cprules.evaluate_many` gives them."""
        from cprules.engine import _worker_chunk

        return self._call("evaluate_many", _worker_chunk, cases, as_of)

    def evaluate_texts(
        self, cases: Iterable[CaseInput], *, as_of: date
    ) -> Iterator[ReportText | CaseError | EvaluationError]:
        """Each report as text and figures, as :func:`cprules.engine.evaluate_texts` gives them."""
        from cprules.engine import _worker_texts

        return self._call("evaluate_texts", _worker_texts, cases, as_of)

    def _call(self, method: str, work: Work, items: Iterable[Any], as_of: date) -> Iterator[Any]:
        # checked now, not when the results are first read
        if self._pool is None:
            raise WorkerError(
                f"WorkerPool.{method}() on a closed pool: its workers have stopped; make a new pool",
                how="closed",
            )
        if isinstance(as_of, datetime) or not isinstance(as_of, date):
            raise TypeError(
                f"WorkerPool.{method}() argument 'as_of' must be a datetime.date, not {type(as_of).__name__}"
            )
        from cprules.case import MAX_DATE, MIN_DATE
        from cprules.errors import CalendarRangeError

        if not MIN_DATE <= as_of <= MAX_DATE:
            raise CalendarRangeError(
                f"WorkerPool.{method}() argument 'as_of' must lie in {MIN_DATE.isoformat()}.."
                f"{MAX_DATE.isoformat()}, the years the working-day calendar knows"
            )
        return self._pool.run(work, (as_of,), iter(items), self.chunk_size)

    def close(self) -> None:
        """Stop the workers (at once: a worker leaves when its task pipe closes). Idempotent."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._pool is None else f"{self.jobs} workers"
        return f"<WorkerPool {self.pack.id!r}, {state}>"


#: the pools of this process that have workers (weakly held): a worker forked for one pool must
#: close the parent's ends of every pool's pipes, or another pool's workers would not see their
#: pipes close when that pool stops. Bookkeeping of open pipes, never of cases or results.
_LIVE_POOLS: weakref.WeakSet[_Pool] = weakref.WeakSet()


class _Pool:
    def __init__(self, state: Any, jobs: int) -> None:
        self._context: Any = multiprocessing.get_context(_start_method())
        # a forked worker inherits the parent's objects as they are; a spawned one needs a copy
        forked = self._context.get_start_method() == "fork"
        self._state: _State = _Inherited(state) if forked else _Pickled(pickle.dumps(state))
        self._jobs = jobs
        self._workers: list[_Worker] = []
        #: results back from the workers, by chunk number, until their turn to be yielded
        self._ready: dict[int, list[Any] | _Failed] = {}
        #: the first chunk lost with a worker that died, and the worker's exit code
        self._lost: tuple[int, int | None] | None = None
        #: the next chunk number: numbers run on across calls, so a result of a call whose
        #: reader stopped early is told apart from the next call's and dropped
        self._next = 0
        #: the first chunk number of the call being read
        self._base = 0
        self._running = False

    def start(self) -> None:
        """Start the workers, or those that have died since the last call."""
        for index, worker in enumerate(self._workers):
            if not worker.process.is_alive():
                worker.held.clear()
                self._stop(worker)
                self._workers[index] = self._start()
        while len(self._workers) < self._jobs:
            self._workers.append(self._start())
        _LIVE_POOLS.add(self)

    # -- the parent's loop ---------------------------------------------------------------------

    def run(
        self, work: Work, extra: tuple[Any, ...], source: Iterator[Any], chunk_size: int
    ) -> Iterator[Any]:
        """``work`` over chunks of ``source``: ``work(chunk, state)``, or with ``extra`` given,
        ``work(chunk, (state, *extra))``."""
        if self._running:
            raise WorkerError(
                "a WorkerPool runs one call at a time: read the last call's results to the end "
                "(or close its iterator) before starting the next",
                how="busy",
            )
        self._running = True
        try:
            yield from self._run(work, extra, source, chunk_size)
        finally:
            self._running = False

    def _run(
        self, work: Work, extra: tuple[Any, ...], source: Iterator[Any], chunk_size: int
    ) -> Iterator[Any]:
        self.start()
        self._lost = None
        self._ready.clear()
        self._base = self._next
        sizes: dict[int, int] = {}  # chunk number -> cases in it
        ready = self._ready
        sent = self._base  # the next chunk number to send
        written = self._base  # the next chunk number to yield
        done = 0  # cases yielded
        source_error: Exception | None = None
        exhausted = False
        while True:
            while not exhausted and self._lost is None and sent - written < _PER_WORKER * self._jobs:
                chunk, source_error = _take(source, chunk_size)
                exhausted = source_error is not None or len(chunk) < chunk_size
                if chunk:
                    sizes[sent] = len(chunk)
                    self._send(sent, (work, extra, chunk))
                    sent += 1
                    self._next = sent
            while written in ready:
                result = ready.pop(written)
                if isinstance(result, _Failed):
                    raise WorkerError.failed(result.what, done=done, lost=sizes[written])
                yield from result
                done += sizes.pop(written)
                written += 1
            if self._lost is not None and written == self._lost[0]:
                raise WorkerError.died(self._lost[1], done=done, lost=sizes[written])
            if written == sent:
                if not exhausted:
                    continue  # every chunk sent is written: read on
                if source_error is not None:
                    raise source_error
                return
            self._collect()

    def _collect(self) -> None:
        """Wait for a result or a death; file results under their chunk numbers, and note the
        first chunk lost with a worker that died."""
        waiting: dict[Any, _Worker] = {}
        for worker in self._workers:
            if worker.held:
                waiting[worker.results] = worker
                waiting[worker.process.sentinel] = worker
        assert waiting, "a chunk not yet written is held by a worker, ready or lost"
        for handle in wait(list(waiting)):
            worker = waiting[handle]
            if not worker.held:
                continue  # its results and its sentinel were both ready: the results came first
            if handle is worker.results:
                with contextlib.suppress(EOFError, OSError):  # EOF: it died; its sentinel says so
                    self._receive(worker)
                continue
            self._gone(worker)

    def _gone(self, worker: _Worker) -> None:
        """A worker has died: take what it sent before it went, and note the first chunk it
        still held as lost."""
        with contextlib.suppress(EOFError, OSError):
            while worker.held and worker.results.poll():
                self._receive(worker)
        # chunks of an earlier call whose reader stopped early are no loss to this one
        held = [number for number in worker.held if number >= self._base]
        if held:
            worker.process.join(_GRACE)
            first = held[0]
            if self._lost is None or first < self._lost[0]:
                self._lost = (first, worker.process.exitcode)
        worker.held.clear()

    def _receive(self, worker: _Worker) -> None:
        number, result = worker.results.recv()
        if number >= self._base:  # else a chunk of an earlier call whose reader stopped early
            self._ready[number] = result
        worker.held.remove(number)
        worker.finished += 1

    def _send(self, number: int, task: tuple[Work, tuple[Any, ...], list[Any]]) -> None:
        for index, worker in enumerate(self._workers):
            if not worker.process.is_alive():
                self._gone(worker)
                if self._lost is None and worker.finished:
                    # killed between chunks, holding none: replace it, nothing is lost (one that
                    # never finished a chunk is not restarted: it would only die again)
                    self._stop(worker)
                    self._workers[index] = self._start()
        worker = min(self._workers, key=lambda w: (not w.process.is_alive(), len(w.held)))
        worker.held.append(number)
        # a worker that died just now cannot take it (a broken pipe): it stays held, and the
        # worker's sentinel reports the death with this chunk lost
        with contextlib.suppress(OSError):
            worker.tasks.send((number, task))

    # -- starting and stopping -----------------------------------------------------------------

    def _start(self) -> _Worker:
        task_reader, task_writer = self._context.Pipe(duplex=False)
        result_reader, result_writer = self._context.Pipe(duplex=False)
        # a forked worker inherits every descriptor the parent has: it must close the parent's
        # ends of every pipe (its siblings' and its own), or the pipe it reads would not close
        # when the parent dies, and no worker would notice
        inherited: tuple[int, ...] = ()
        if self._context.get_start_method() == "fork":
            workers = [w for pool in {self, *_LIVE_POOLS} for w in pool._workers]
            siblings = [conn for w in workers for conn in (w.tasks, w.results) if not conn.closed]
            inherited = (*(conn.fileno() for conn in siblings), task_writer.fileno(), result_reader.fileno())
        process = self._context.Process(
            target=_worker_main,
            args=(task_reader, result_writer, inherited, self._state),
            name="cprules-worker",
            daemon=True,
        )
        process.start()
        task_reader.close()
        result_writer.close()
        return _Worker(process, task_writer, result_reader)

    def close(self) -> None:
        """Stop every worker: close its pipe (it exits at once), then terminate, then kill."""
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.tasks.close()
        for worker in self._workers:
            self._stop(worker)
        self._workers.clear()
        _LIVE_POOLS.discard(self)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.tasks.close()
        process = worker.process
        process.join(_GRACE)
        if process.is_alive():  # pragma: no cover - a worker stuck in a system call
            process.kill()  # it ignores SIGTERM (see _worker_main)
            process.join()
        with contextlib.suppress(OSError):
            worker.results.close()
        with contextlib.suppress(ValueError):
            process.close()


def _take(source: Iterator[Any], size: int) -> tuple[list[Any], Exception | None]:
    """Up to ``size`` items, and the exception the source raised, if it raised (the items read
    before it are kept: they go out before the exception does)."""
    chunk: list[Any] = []
    try:
        for item in source:
            chunk.append(item)
            if len(chunk) == size:
                break
    except Exception as exc:
        return chunk, exc
    return chunk, None


# -- the worker's side -------------------------------------------------------------------------


def _worker_main(tasks: Connection, results: Connection, inherited: tuple[int, ...], state: _State) -> None:
    # a terminal's Ctrl-C or hang-up, and a SIGTERM to the process group, reach the workers too:
    # the parent decides what they mean, and when it stops, its workers' pipes close and they
    # leave (a forked worker would otherwise run the parent's handlers)
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_IGN)
    for descriptor in inherited:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    inbox: queue.SimpleQueue[tuple[int, tuple[Work, tuple[Any, ...], list[Any]]]] = queue.SimpleQueue()

    def read_tasks() -> None:
        # reading on a thread of its own keeps the pipe drained (the parent never blocks
        # sending) and sees the pipe close while the main thread is busy with a chunk
        try:
            while True:
                inbox.put(tasks.recv())
        except BaseException:  # EOFError: the parent has closed the pipe, or is gone
            os._exit(0)

    threading.Thread(target=read_tasks, name="tasks", daemon=True).start()
    try:
        loaded = state.value if isinstance(state, _Inherited) else pickle.loads(state.data)
    except Exception as exc:  # every chunk gets the reason back
        loaded = _Failed(f"{type(exc).__name__} reading the pack in the worker")
    while True:
        number, (work, extra, chunk) = inbox.get()
        out: list[Any] | _Failed
        if isinstance(loaded, _Failed):
            out = loaded
        else:
            try:
                out = work(chunk, (loaded, *extra) if extra else loaded)
            except Exception as exc:
                out = _Failed(type(exc).__name__)
        try:
            results.send((number, out))
        except (BrokenPipeError, EOFError):
            os._exit(0)  # the parent is gone
        except Exception as exc:  # a result that cannot be pickled (nothing was sent)
            results.send((number, _Failed(f"{type(exc).__name__} sending the results back")))


def _double(chunk: list[int], state: Any) -> list[int]:
    """A work function for the module's example."""
    return [2 * item for item in chunk]
