"""The one worker runtime: pre-forked processes, each held to a deadline and a memory cap and replaced when killed,
that run every SymPy call (run(): limits.CAS_SECONDS, limits.CAS_MEMORY_MB) and every row of a batch (Pool.map).

A signal cannot interrupt SymPy inside a long C-level bignum operation and works only on the main thread, and a thread
cannot be stopped at all, so the only reliable stop is a process. A worker is an os.fork of this process: SymPy is
already imported, so it starts warm. It serves job after job (function and arguments pickled in, the result or the
exception pickled back through a pipe), keeping SymPy's cache, until a job overruns: then it is killed, and a fresh
one is forked for the next job. A worker whose job ran out of memory answers and then leaves (its heap may be full of
debris). run() keeps a pool of one (the kept worker), forked when first needed; a call whose function or arguments
cannot be pickled (a lambda, a closure) gets a worker of its own, forked for it and gone after it. Raw os.fork and
pipes rather than multiprocessing: one small protocol for both, no helper threads, and it works in any child.

A pool made with calls_here=True (deriv grade --jobs N: one row per job) runs the SymPy calls of each job in the
worker itself, so there are never more than two levels of processes. There run() holds a call to its deadline with a
timer signal (SIGALRM, raised into the call again every RING_AGAIN seconds should SymPy swallow it) and to its memory
with the worker's own cap, and a worker whose call was stopped so leaves after the job. The job's own deadline, which
kills the worker, stays the backstop for a C-level operation that no signal interrupts.

Measured on the answer corpus's 174 equivalence rows (CPU time of parent and workers together, against the same
checks in-process): a fresh fork per call cost 3.2x until the parent was primed and 1.35x after (a fresh process pays
copy-on-write faults as it touches SymPy, about 10 ms a check), and the kept worker 1.0x. One call's fixed cost is
about 0.02 ms in the kept worker, 2 ms for a fork; the first call of a process (fork plus the faults) about 14 ms.
Grading the corpus's 513 pairs with its SymPy calls in the row's worker rather than in a worker of that worker: the
same CPU time with --jobs 1 (9.7 s), 6% less with --jobs 2 (11.4 s to 10.7 s), and half the processes.

A worker sees this process as it was when forked, except for the limits in limits.py (and Python's limit on printed
integer digits), which every job brings along: code that patches a module afterwards (a test's monkeypatch of
something the worker runs) calls reset() to start a fresh kept worker. Where os.fork does not exist (Windows), run()
calls the function in this process, with no deadline and no cap: a hang there is a hang.

The limits are read from limits.py at every call; configure() changes them for the rest of the process (the CLI's
--cas-seconds and --cas-memory).
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import select
import signal
import struct
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

try:
    import resource  # imported here, not in the worker, where an import costs copy-on-write faults
except ImportError:  # Windows: no rlimits, and no fork either
    resource = None

from ..core import limits
from ..core.errors import CasMemoryError, CasTimeout

_MB = 1024 * 1024

# Set in every worker, which never forks another: there run() calls fn in the worker itself; in a kept worker under
# the deadline of the outer call, in a worker of a calls_here pool under a timer signal and the worker's own cap.
_in_worker = False
_calls_here = False
_base = 0  # in a worker: the address space it started with (its cap is this plus the allowance in MB)
_armed = False  # an in-process call is under its timer now
_spoiled = False  # an in-process call was stopped (time or memory): the worker leaves after its job

# SymPy does much of its set-up on first use (the first simplify imports 17 modules and takes about 200 ms, the first
# diff 50 ms), and a worker's set-up dies with it. So before the second worker is forked (before the first of a
# calls_here pool of several), this process runs the primers once (registered with primer()), and every later worker
# starts warm. Not before the first: a one-shot command, or a batch with one worker, would pay twice.
_primers: list = []
_waiting_work: list = []  # meanwhile()
_forked = 0

# CPU seconds a worker may use beyond the deadline before the kernel stops it (SIGXCPU): a backstop for a worker
# whose parent died mid-job and so can no longer kill it.
CPU_MARGIN = 2
# Seconds between the timer's repeats once an in-process call is past its deadline, should SymPy catch the first.
RING_AGAIN = 0.05

_REQUEST = struct.Struct("!Q")  # the length of a request
_ANSWER = struct.Struct("!Q?")  # the length of an answer, and whether the worker leaves after it
_UNREADABLE = b"unreadable"  # a worker's answer to a request it cannot unpickle (no pickle starts so)

_lock = threading.Lock()  # one call at a time uses the kept worker; a concurrent one gets a worker of its own
_kept: Pool | None = None  # run()'s pool of one, made by the first call that can use it
_live: set[_Worker] = set()  # every worker this process forked and has not yet reaped


def configure(seconds: float | None = None, memory_mb: float | None = None) -> None:
    """Change limits.CAS_SECONDS and/or limits.CAS_MEMORY_MB for every later call in this process."""
    if seconds is not None:
        if not seconds > 0:
            raise ValueError(f"the SymPy time limit must be a positive number of seconds, not {seconds!r}")
        limits.CAS_SECONDS = float(seconds)
    if memory_mb is not None:
        if not memory_mb > 0:
            raise ValueError(f"the SymPy memory limit must be a positive number of MB, not {memory_mb!r}")
        limits.CAS_MEMORY_MB = memory_mb


def primer(fn):
    """Register fn (no arguments, our own constant input) to warm SymPy up in this process once; a decorator too."""
    _primers.append(fn)
    return fn


def meanwhile(fn) -> None:
    """Run fn (no arguments) in this process the next time it waits for a worker's answer: work it needs afterwards
    anyway (importing the renderer of the output) then costs nothing, done while the worker still imports SymPy."""
    _waiting_work.append(fn)


def _meanwhile() -> None:
    while _waiting_work:
        work = _waiting_work.pop(0)
        try:
            work()
        except Exception:  # noqa: BLE001 — it only saves time later; what it would have done is done then instead
            pass


def available() -> bool:
    """Whether run() and Pool can enforce their limits on this platform."""
    return hasattr(os, "fork") and resource is not None


def start(*preload: str) -> None:
    """Fork the kept worker now, before this process imports SymPy, and let it import the `preload` modules itself.

    A command that will verify calls this first: on a machine with two cores the worker imports SymPy (about 300 ms)
    while this process parses and differentiates, and this process never imports SymPy at all for a text answer.
    Nothing happens when a worker is kept already or limits cannot be enforced here.
    """
    global _kept
    if _in_worker or not available():
        return
    with _lock:
        if _kept is None:
            _kept = Pool(1, memory_mb=limits.CAS_MEMORY_MB, preload=preload).start()


@contextmanager
def in_this_process() -> Iterator[None]:
    """Within the block, run() calls its function in this process, with no deadline and no cap, as a kept worker does.

    For warming a server's caches on its own constant input before it forks its workers (deriv serve), so that every
    worker starts with SymPy's first-use set-up done; never for anything a user typed.
    """
    global _in_worker, _calls_here
    saved = _in_worker, _calls_here
    _in_worker, _calls_here = True, False
    try:
        yield
    finally:
        _in_worker, _calls_here = saved


def reset() -> None:
    """Stop the kept worker, so that the next call forks a fresh copy of this process as it is now."""
    global _kept
    with _lock:
        if _kept is not None:
            _kept.close()
            _kept = None


def run(fn, *args, seconds: float | None = None, memory_mb: float | None = None, what: str = "verification", **kwargs):
    """fn(*args, **kwargs) in a worker process: its result, or its exception re-raised here with its type.

    Raises CasTimeout when the worker is still busy after `seconds` (default limits.CAS_SECONDS), and CasMemoryError
    when it needs more than `memory_mb` MiB (default limits.CAS_MEMORY_MB) beyond what this process maps at the fork.
    `what` names the work in those messages ("verification", "simplification", ...).
    """
    if _in_worker:
        if not _calls_here:
            return fn(*args, **kwargs)
        seconds = limits.CAS_SECONDS if seconds is None else seconds
        memory_mb = limits.CAS_MEMORY_MB if memory_mb is None else memory_mb
        return _here(fn, args, kwargs, seconds, memory_mb, what)
    if not available():
        return fn(*args, **kwargs)
    seconds = limits.CAS_SECONDS if seconds is None else seconds
    memory_mb = limits.CAS_MEMORY_MB if memory_mb is None else memory_mb
    try:
        request = _request(fn, args, kwargs, seconds)
    except Exception:  # noqa: BLE001 — a lambda, a closure, an open file: this call gets a worker of its own
        request = None
    outcome = None
    if request is not None and _lock.acquire(blocking=False):
        try:
            outcome = _kept_call(request, seconds, memory_mb)
        finally:
            _lock.release()
    if outcome is None:
        outcome = _one_shot(fn, args, kwargs, seconds, memory_mb)
    return _result(outcome, seconds, memory_mb, what)


def _kept_call(request: bytes, seconds: float, memory_mb: float) -> tuple | None:
    global _kept
    if _kept is not None and _kept.memory_mb != memory_mb:
        _kept.close()
        _kept = None
    if _kept is None:
        _kept = Pool(1, memory_mb=memory_mb)
    return _kept.call(request, seconds)


def _result(outcome: tuple, seconds: float, memory_mb: float, what: str):
    """The value of a finished call, or the exception that says how it ended."""
    kind, value = outcome
    if kind == "timeout":
        raise _timeout(seconds, what)
    if kind == "died":
        # Killed from outside, or a C-level allocation failure that aborted the worker instead of raising MemoryError.
        raise CasMemoryError(
            f"SymPy's {what} stopped without an answer ({value}), most likely at the memory limit of {memory_mb:g} MB "
            "(limits.CAS_MEMORY_MB); raise it with --cas-memory",
            memory_mb,
        )
    try:
        ok, value = pickle.loads(value)
    except Exception as error:  # noqa: BLE001 — an exception class whose constructor wants more than its message, say
        raise RuntimeError(f"the answer of SymPy's {what} cannot be read back: {error!r}") from None
    if ok:
        return value
    if isinstance(value, MemoryError):
        raise _out_of_memory(memory_mb, what) from None
    raise value


def _timeout(seconds: float, what: str) -> CasTimeout:
    return CasTimeout(
        f"SymPy's {what} took longer than {seconds:g} s (limits.CAS_SECONDS); raise the limit with --cas-seconds",
        seconds,
    )


def _out_of_memory(memory_mb: float, what: str) -> CasMemoryError:
    return CasMemoryError(
        f"SymPy's {what} needed more than {memory_mb:g} MB of memory (limits.CAS_MEMORY_MB); raise the limit with --cas-memory",
        memory_mb,
    )


# -- the pool ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outcome:
    """How one job of Pool.map ended: its value, the exception it raised, its deadline, or its worker's death."""

    value: object = None
    error: BaseException | None = None  # the exception the job raised, re-raised nowhere: the caller decides
    timed_out: bool = False  # still running at its deadline: its worker was killed
    died: int | None = None  # the wait status of a worker that stopped without an answer (os.WIFSIGNALED, ...)


class Pool:
    """`size` pre-forked workers, each serving one job at a time under a deadline and a memory cap, each replaced when
    it is killed or leaves. run() keeps one of size 1; a batch grader makes its own and sends it every row (map)."""

    def __init__(
        self, size: int = 1, *, memory_mb: float | None = None, calls_here: bool = False, preload: Iterable[str] = ()
    ):
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.memory_mb = limits.CAS_MEMORY_MB if memory_mb is None else memory_mb
        self.calls_here = calls_here  # the jobs' own CAS calls run in the worker (run() under a timer signal)
        self.preload = tuple(preload)  # modules a worker imports itself, after the fork (start())
        self.workers: list[_Worker | None] = [None] * size
        # The slots no job() holds: a call takes one, so calls from several threads never share a worker.
        self._idle: queue.SimpleQueue[int] = queue.SimpleQueue()
        for slot in range(size):
            self._idle.put(slot)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> Pool:
        """Fork every worker now rather than at its first job; the pool itself."""
        for slot in range(len(self.workers)):
            self._worker(slot)
        return self

    def close(self) -> None:
        """Stop every worker at once, idle or busy; no process is left behind."""
        for slot in range(len(self.workers)):
            self._drop(slot)

    def call(self, request: bytes, seconds: float) -> tuple | None:
        """One pickled request (_request) on the first worker, waited for `seconds` at most: ("answer", data),
        ("timeout", None), ("died", how), or None when the worker cannot unpickle it (a worker of its own must)."""
        for attempt in (1, 2):
            worker = self._worker(0)
            try:
                worker.send(request)
                stop = time.monotonic() + seconds
                _meanwhile()
                answer = worker.receive(stop)
            except OSError:  # it died while idle (the OOM killer, a stray signal): a fresh one takes the call
                self._drop(0)
                if attempt == 2:
                    raise
                continue
            except BaseException:  # Ctrl-C while waiting: the worker's state is unknown, so it goes
                self._drop(0)
                raise
            break
        if answer is False:
            self._drop(0)
            return "timeout", None
        if answer is None:
            return "died", _describe(self._drop(0))
        data, leaving = answer
        if leaving:
            self._drop(0)
        if data == _UNREADABLE:
            return None
        return "answer", data

    def job(self, fn: Callable, *args, seconds: float | None = None, **kwargs) -> Outcome:
        """fn(*args, **kwargs) on an idle worker, waited for `seconds` at most (None: no limit): how it ended.

        Safe to call from several threads at once (a server's request threads; not beside map() or call()): each call
        takes a worker of its own, waiting for one to be idle, so a pool of n runs n jobs at a time. A worker killed at
        the deadline, or gone, is replaced by a fresh fork at its slot's next job. fn must be picklable by name.
        """
        request = _request(fn, args, kwargs, seconds)  # before taking a worker, which then waits for nothing else
        slot = self._idle.get()
        try:
            self._dispatch(slot, request)
            return self._collect(slot, None if seconds is None else time.monotonic() + seconds)
        except BaseException:  # Ctrl-C, a fork that failed: the worker's state is unknown, so it goes
            self._drop(slot)
            raise
        finally:
            self._idle.put(slot)

    def map(self, fn: Callable, items: Iterable, *, seconds: float | None = None) -> Iterator[Outcome]:
        """fn(item) for every item, one job each, spread over the workers; yields each Outcome in input order as soon
        as it and all before it are ready. A job still running `seconds` after it was sent (None: no limit) has its
        worker killed, and a fresh one takes the next job. fn must be picklable by name. Stopping early (Ctrl-C, an
        exception, closing the iterator) kills the workers that were busy."""
        items = list(items)
        waiting = deque(enumerate(items))
        done: dict[int, Outcome] = {}
        jobs: dict[int, tuple[int, float | None]] = {}  # slot -> (the item's index, its deadline)
        next_out = 0
        try:
            while next_out < len(items):
                for slot in range(len(self.workers)):
                    if waiting and slot not in jobs:
                        index, item = waiting.popleft()
                        self._dispatch(slot, _request(fn, (item,), {}, seconds))
                        jobs[slot] = (index, None if seconds is None else time.monotonic() + seconds)
                ready = self._ready(jobs)
                for slot, (index, stop) in list(jobs.items()):
                    if slot in ready:
                        done[index] = self._collect(slot, stop)
                    elif stop is not None and time.monotonic() >= stop:
                        self._drop(slot)
                        done[index] = Outcome(timed_out=True)
                    else:
                        continue
                    del jobs[slot]
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            for slot in jobs:
                self._drop(slot)

    def _worker(self, slot: int) -> _Worker:
        """The worker in `slot`, forked now if there is none."""
        worker = self.workers[slot]
        if worker is None:
            if self.calls_here and len(self.workers) > 1:
                _prime()  # each of them would pay SymPy's first-use set-up (one alone: _fork primes for the second)
            worker = self.workers[slot] = _Worker(self.memory_mb, self.preload, self.calls_here)
        return worker

    def _drop(self, slot: int) -> int:
        """Kill and reap the worker in `slot`, if any; its wait status."""
        worker, self.workers[slot] = self.workers[slot], None
        return worker.kill() if worker is not None else 0

    def _dispatch(self, slot: int, request: bytes) -> None:
        try:
            self._worker(slot).send(request)
        except OSError:  # it died while idle: a fresh one takes the job
            self._drop(slot)
            self._worker(slot).send(request)

    def _ready(self, jobs: dict[int, tuple[int, float | None]]) -> set[int]:
        """The slots whose worker has answered (or died), waiting until the first deadline at most."""
        poller = select.poll()
        slots = {}
        for slot in jobs:
            fd = self.workers[slot].answers
            poller.register(fd, select.POLLIN)  # POLLHUP, a worker that died, comes anyway
            slots[fd] = slot
        stops = [stop for _, stop in jobs.values() if stop is not None]
        timeout = None if not stops else max(0.0, min(stops) - time.monotonic()) * 1000
        return {slots[fd] for fd, _ in poller.poll(timeout)}

    def _collect(self, slot: int, stop: float | None) -> Outcome:
        answer = self.workers[slot].receive(stop)
        if answer is False:
            self._drop(slot)
            return Outcome(timed_out=True)
        if answer is None:
            return Outcome(died=self._drop(slot))
        data, leaving = answer
        if leaving:
            self._drop(slot)
        if data == _UNREADABLE:
            return Outcome(error=RuntimeError("a worker cannot find the function of its job (defined after the fork?)"))
        try:
            ok, value = pickle.loads(data)
        except Exception as error:  # noqa: BLE001
            return Outcome(error=RuntimeError(f"the answer of a job cannot be read back: {error!r}"))
        return Outcome(value=value) if ok else Outcome(error=value)


class _Worker:
    """One forked process serving jobs through two pipes, one length-prefixed pickle each way per job."""

    def __init__(self, memory_mb: float, preload: tuple[str, ...] = (), calls_here: bool = False):
        cap = None if preload else _cap_for(memory_mb)  # with preload, measured in the worker after its imports
        request_read, self.requests = os.pipe()
        self.answers, answer_write = os.pipe()
        self.pid = _fork()
        if self.pid == 0:
            os.close(self.requests)
            os.close(self.answers)
            _serve(request_read, answer_write, cap, preload, memory_mb, calls_here)
        os.close(request_read)
        os.close(answer_write)
        _live.add(self)

    def send(self, request: bytes) -> None:
        _write_all(self.requests, _REQUEST.pack(len(request)) + request)

    def receive(self, stop: float | None):
        """The answer to the job sent, waiting until `stop` (time.monotonic; None: forever): (data, leaving); None
        when the worker died first; False at the deadline."""
        header = _read(self.answers, _ANSWER.size, stop)
        if header is None or header is False:
            return header
        size, leaving = _ANSWER.unpack(header)
        data = _read(self.answers, size, stop)
        if data is None or data is False:
            return data
        return data, leaving

    def kill(self) -> int:
        """Kill it now (an idle one too) and reap it; its wait status."""
        _live.discard(self)
        for fd in (self.requests, self.answers):
            try:
                os.close(fd)
            except OSError:
                pass
        return _reap(self.pid, finished=False)


def _serve(
    requests: int, answers: int, cap: int | None, preload: tuple[str, ...], memory_mb: float, calls_here: bool
) -> None:
    """A worker's whole life: one job per request until the parent closes the pipe or the worker must leave; never
    returns."""
    status = 0
    try:
        if preload:
            import importlib

            for module in preload:
                importlib.import_module(module)
            cap = _cap_for(memory_mb)
        _become_worker(cap, memory_mb, calls_here)
        while True:
            header = _read(requests, _REQUEST.size, None)
            if not header:
                break
            body = _read(requests, _REQUEST.unpack(header)[0], None)
            if not body:
                break
            data, leaving = _answer(body)
            _write_all(answers, _ANSWER.pack(len(data), leaving) + data)
            if leaving:
                break
    except BaseException:  # noqa: BLE001 — nothing may escape into the parent's code below the fork
        status = _complain()
    finally:
        os._exit(status)


def _answer(request: bytes) -> tuple[bytes, bool]:
    """Run one pickled request: its pickled (ok, value), and whether this worker must leave after it. _UNREADABLE when
    the request names code this worker cannot find (a module imported in the parent after the fork): the parent then
    forks a worker of its own for it."""
    try:
        fn, args, kwargs, seconds, settings = pickle.loads(request)
    except Exception:  # noqa: BLE001
        return _UNREADABLE, False
    try:
        _apply(settings)
        _limit_cpu(seconds)
        payload = (True, fn(*args, **kwargs))
    except BaseException as error:  # noqa: BLE001 — every outcome goes back to the parent, which re-raises it
        payload = (False, error)
    leaving = _spoiled or (not payload[0] and isinstance(payload[1], MemoryError))
    return _dumps(payload), leaving


def _request(fn, args: tuple, kwargs: dict, seconds: float | None) -> bytes:
    return pickle.dumps((fn, args, kwargs, seconds, _settings()), protocol=pickle.HIGHEST_PROTOCOL)


def _settings() -> tuple[dict, int]:
    """What a worker must share with this process at each job, though it was forked earlier: the limits (a command's
    --max-steps sets them after start-up) and Python's own limit on the digits of a printed integer."""
    values = {name: value for name, value in vars(limits).items() if name.isupper()}
    return values, sys.get_int_max_str_digits()


def _apply(settings: tuple[dict, int]) -> None:
    values, str_digits = settings
    vars(limits).update(values)
    sys.set_int_max_str_digits(str_digits)


# -- a call in a calls_here worker, under a timer signal ---------------------------------------------------------------
class _Alarm(BaseException):
    """Raised into an in-process call at its deadline: a BaseException, which SymPy's `except Exception` lets pass."""


def _here(fn, args: tuple, kwargs: dict, seconds: float, memory_mb: float, what: str):
    """run() in a worker of a calls_here pool: fn in this process, stopped at `seconds` by SIGALRM and at the memory
    cap by the worker's own limit; a call stopped either way spoils the worker, which leaves after its job."""
    global _armed, _spoiled
    if _armed or threading.current_thread() is not threading.main_thread():
        # a call inside a call, under the outer one's deadline as in a kept worker; or off the main thread, which
        # no signal reaches: under the job's deadline only
        return fn(*args, **kwargs)
    previous_cap = _set_cap(_base + int(memory_mb * _MB))
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6), RING_AGAIN)  # 0 would mean no timer at all
    try:
        try:
            return fn(*args, **kwargs)
        finally:
            _disarm(previous_cap)
    except _Alarm:
        _disarm(previous_cap)  # again: the signal may have come inside the finally, before it disarmed
        _spoiled = True
        raise _timeout(seconds, what) from None
    except MemoryError:
        _spoiled = True
        raise _out_of_memory(memory_mb, what) from None


def _ring(signum, frame) -> None:
    if _armed:
        raise _Alarm


def _disarm(cap: int) -> None:
    """Stop the timer and put back the memory cap; harmless twice. (_ring stays: a signal already on its way when the
    timer stopped must find a handler, which does nothing now.)"""
    global _armed
    _armed = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    _set_cap(cap)


# -- a worker of its own, for a call that cannot be pickled ------------------------------------------------------------
def _one_shot(fn, args, kwargs, seconds: float, memory_mb: float) -> tuple:
    cap = _cap_for(memory_mb)
    read_end, write_end = os.pipe()
    pid = _fork()
    if pid == 0:
        os.close(read_end)
        status = 0
        try:
            _become_worker(cap, memory_mb, False)
            _limit_cpu(seconds)
            try:
                payload = (True, fn(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001
                payload = (False, error)
            _write_all(write_end, _dumps(payload))
        except BaseException:  # noqa: BLE001
            status = _complain()
        finally:
            os._exit(status)
    os.close(write_end)
    data, finished = None, False
    try:
        data = _read(read_end, None, time.monotonic() + seconds)
        finished = data is not False
    finally:  # also on Ctrl-C here: the worker never outlives the call
        os.close(read_end)
        status = _reap(pid, finished)
    if data is False:
        return "timeout", None
    if not data:
        return "died", _describe(status)
    return "answer", data


# -- every kind of worker ----------------------------------------------------------------------------------------------
def _fork() -> int:
    global _forked
    if _forked == 1:
        _prime()
    _forked += 1
    return os.fork()


def _prime() -> None:
    while _primers:
        warm = _primers.pop()
        try:
            warm()
        except Exception:  # noqa: BLE001 — a primer only saves time; a failing one costs a worker the set-up, no more
            pass


def _become_worker(cap: int, memory_mb: float, calls_here: bool) -> None:
    global _in_worker, _calls_here, _base
    _in_worker, _calls_here, _base = True, calls_here, cap - int(memory_mb * _MB)
    # Ctrl-C on the terminal reaches the whole process group: the parent decides what to keep and kills its workers
    # (were they to die first, it would take their jobs for failures). SIGTERM ends a worker as it would a plain
    # process: the parent's handler (a batch grader that saves its rows) must run in the parent only.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if calls_here:
        signal.signal(signal.SIGALRM, _ring)  # for the timer of each in-process call (_here)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # SIGXCPU dumps no core
    _set_cap(cap)


def _set_cap(cap: int) -> int:
    """Limit this process's address space to `cap` bytes (within the hard limit); the limit it had."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if cap != soft:
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    return soft


def _limit_cpu(seconds: float | None) -> None:
    """The kernel stops this worker after `seconds` + CPU_MARGIN more CPU seconds, should its parent be gone."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + CPU_MARGIN
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _cap_for(memory_mb: float) -> int:
    """A worker's address-space limit: this process's, which it starts with, plus the allowance.

    Measured here, not in the worker: reading /proc in a fresh fork cost 0.9 ms of copy-on-write faults.
    """
    return _mapped_bytes() + int(memory_mb * _MB)


def _mapped_bytes() -> int:
    """This process's virtual size (the address space RLIMIT_AS counts), from /proc; the peak resident size elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB on Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _dumps(payload: tuple) -> bytes:
    try:
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 — an unpicklable result or exception: its type and message still get back
        ok, value = payload
        message = f"the SymPy worker's {'result' if ok else 'exception'} cannot be sent back: {value!r}"
        return pickle.dumps((False, RuntimeError(message)))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int, size: int | None, stop: float | None):
    """`size` bytes (None: everything until the writer closes), waiting until `stop` at most (None: forever).

    The bytes; None when the writer closed before `size` bytes (or b"" when it wrote nothing); False at the deadline.
    """
    chunks, have = [], 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while size is None or have < size:
        if stop is not None:
            left = stop - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                if time.monotonic() >= stop:
                    return False
                continue
        chunk = os.read(fd, 1 << 16 if size is None else min(size - have, 1 << 20))
        if not chunk:
            if size is None:
                return b"".join(chunks)
            return None
        chunks.append(chunk)
        have += len(chunk)
    return b"".join(chunks)


def _reap(pid: int, finished: bool) -> int:
    """Wait for a worker, killing it first unless it has finished, so no zombie is left; its wait status."""
    if not finished:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        try:
            name = signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            name = f"signal {os.WTERMSIG(status)}"
        return f"killed by {name}"
    return f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"wait status {status}"


def _complain() -> int:
    """A worker's own failure (not fn's: those go back to the parent): printed, and its exit status."""
    try:
        traceback.print_exc()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001
        pass
    return 70


def _forget_workers_after_fork() -> None:
    """In any forked child (a worker, a multiprocessing pool's): this process's workers belong to the parent, so let go
    of them.

    Closing the inherited pipe ends matters: a worker leaves when its parent's ends close, which never happens while
    a child still holds copies.
    """
    global _kept, _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    for worker in _live:
        for fd in (worker.requests, worker.answers):
            try:
                os.close(fd)
            except OSError:
                pass
    _live.clear()
    _kept = None


def _stop_all() -> None:
    """At exit: the kept worker, and any pool's workers that nobody closed."""
    reset()
    for worker in list(_live):
        worker.kill()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_after_fork)
atexit.register(_stop_all)
