"""Runs SymPy calls in a worker process under a deadline (limits.CAS_SECONDS) and a memory cap (limits.CAS_MEMORY_MB),
killing the worker when it overruns.

A signal cannot interrupt SymPy inside a long C-level bignum operation and works only on the main thread, and a thread
cannot be stopped at all, so the only reliable stop is a process. The worker is an os.fork of this process, made when
first needed: SymPy is already imported, so it starts warm. It then serves call after call (function and arguments
pickled in, the result or the exception pickled back through a pipe), keeping SymPy's cache, until a call overruns:
then it is killed, and the next call forks a fresh one. A call whose function or arguments cannot be pickled (a
lambda, a closure) gets a worker of its own, forked for it and gone after it. Raw os.fork and pipes rather than
multiprocessing, so all this also works inside the daemonic workers of a multiprocessing pool.

Measured on the answer corpus's 174 equivalence rows (CPU time of parent and workers together, against the same
checks in-process): a fresh fork per call cost 3.2x until the parent was primed and 1.35x after (a fresh process pays
copy-on-write faults as it touches SymPy, about 10 ms a check), and the kept worker 1.0x. One call's fixed cost is
about 0.02 ms in the kept worker, 2 ms for a fork; the first call of a process (fork plus the faults) about 14 ms.

The kept worker sees this process as it was when forked, except for the limits in limits.py (and Python's limit on
printed integer digits), which every call brings along: code that patches a module afterwards (a test's monkeypatch
of something the worker runs) calls reset() to start a fresh one. Where os.fork does not exist (Windows), run() calls the
function in this process, with no deadline and no cap: a hang there is a hang.

The limits are read from limits.py at every call; configure() changes them for the rest of the process (the CLI's
--cas-seconds and --cas-memory).
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import traceback

try:
    import resource  # imported here, not in the worker, where an import costs copy-on-write faults
except ImportError:  # Windows: no rlimits, and no fork either
    resource = None

from ..core import limits
from ..core.errors import CasMemoryError, CasTimeout

# Set in a worker: a run() inside one calls fn directly, under the deadline of the outer call.
_in_worker = False

# SymPy does much of its set-up on first use (the first simplify imports 17 modules and takes about 200 ms, the first
# diff 50 ms), and a worker's set-up dies with it. So before the second worker is forked, this process runs the
# primers once (registered with primer()), and every later worker starts warm. Not before the first: a one-shot
# command would pay twice.
_primers: list = []
_forked = 0

# CPU seconds a worker may use beyond the deadline before the kernel stops it (SIGXCPU): a backstop for a worker
# whose parent died mid-call and so can no longer kill it.
CPU_MARGIN = 2

_HEADER = struct.Struct("!Q")  # the length of each message on a kept worker's pipes
_UNREADABLE = b"unreadable"  # the kept worker's answer to a request it cannot unpickle (no pickle starts so)

_lock = threading.Lock()  # one call at a time uses the kept worker; a concurrent one gets a worker of its own
_worker = None  # the kept worker (_Worker), made by the first call that can use it


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
    """Register fn (no arguments, our own constant input) to warm SymPy up in this process once; usable as a decorator."""
    _primers.append(fn)
    return fn


def available() -> bool:
    """Whether run() can enforce its limits on this platform."""
    return hasattr(os, "fork") and resource is not None


def start(*preload: str) -> None:
    """Fork the kept worker now, before this process imports SymPy, and let it import the `preload` modules itself.

    A command that will verify calls this first: on a machine with two cores the worker imports SymPy (about 300 ms)
    while this process parses and differentiates, and this process never imports SymPy at all for a text answer.
    Nothing happens when a worker is kept already or limits cannot be enforced here.
    """
    global _worker
    if _in_worker or not available():
        return
    with _lock:
        if _worker is None:
            _worker = _Worker(limits.CAS_MEMORY_MB, preload)


def reset() -> None:
    """Stop the kept worker, so that the next call forks a fresh copy of this process as it is now."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.kill()
            _worker = None


def run(fn, *args, seconds: float | None = None, memory_mb: float | None = None, what: str = "verification", **kwargs):
    """fn(*args, **kwargs) in a worker process: its result, or its exception re-raised here with its type.

    Raises CasTimeout when the worker is still busy after `seconds` (default limits.CAS_SECONDS), and CasMemoryError
    when it needs more than `memory_mb` MiB (default limits.CAS_MEMORY_MB) beyond what this process maps at the fork.
    `what` names the work in those messages ("verification", "simplification", ...).
    """
    if _in_worker or not available():
        return fn(*args, **kwargs)
    seconds = limits.CAS_SECONDS if seconds is None else seconds
    memory_mb = limits.CAS_MEMORY_MB if memory_mb is None else memory_mb
    try:
        request = pickle.dumps((fn, args, kwargs, seconds, _settings()), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 — a lambda, a closure, an open file: this call gets a worker of its own
        request = None
    outcome = None
    if request is not None and _lock.acquire(blocking=False):
        try:
            outcome = _kept(request, seconds, memory_mb)
        finally:
            _lock.release()
    if outcome is None:
        outcome = _one_shot(fn, args, kwargs, seconds, memory_mb)
    return _result(outcome, seconds, memory_mb, what)


def _result(outcome: tuple, seconds: float, memory_mb: float, what: str):
    """The value of a finished call, or the exception that says how it ended."""
    kind, value = outcome
    if kind == "timeout":
        raise CasTimeout(
            f"SymPy's {what} took longer than {seconds:g} s (limits.CAS_SECONDS); raise the limit with --cas-seconds",
            seconds,
        )
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
        raise CasMemoryError(
            f"SymPy's {what} needed more than {memory_mb:g} MB of memory (limits.CAS_MEMORY_MB); raise the limit with --cas-memory",
            memory_mb,
        ) from None
    raise value


# -- the kept worker ------------------------------------------------------------------------------------------------------
class _Worker:
    """A forked process serving calls through two pipes, one length-prefixed pickle each way per call."""

    def __init__(self, memory_mb: float, preload: tuple[str, ...] = ()):
        self.memory_mb = memory_mb
        cap = None if preload else _cap_for(memory_mb)  # with preload, measured in the worker after its imports
        request_read, self.requests = os.pipe()
        self.answers, answer_write = os.pipe()
        self.pid = _fork()
        if self.pid == 0:
            os.close(self.requests)
            os.close(self.answers)
            _serve(request_read, answer_write, cap, preload, memory_mb)
        os.close(request_read)
        os.close(answer_write)

    def call(self, request: bytes, stop: float) -> tuple:
        """Send one request and wait for its answer until `stop` (time.monotonic): ("answer", data) or how it failed."""
        _write_all(self.requests, _HEADER.pack(len(request)) + request)
        header = _read(self.answers, _HEADER.size, stop)
        if header is None or header is False:
            return header
        return _read(self.answers, _HEADER.unpack(header)[0], stop)

    def kill(self) -> str:
        """Kill it now; how it ended, for a message."""
        for fd in (self.requests, self.answers):
            try:
                os.close(fd)
            except OSError:
                pass
        return _describe(_reap(self.pid, finished=False))


def _kept(request: bytes, seconds: float, memory_mb: float) -> tuple | None:
    global _worker
    if _worker is not None and _worker.memory_mb != memory_mb:
        _worker.kill()
        _worker = None
    for attempt in (1, 2):
        if _worker is None:
            _worker = _Worker(memory_mb)
        try:
            answer = _worker.call(request, time.monotonic() + seconds)
        except OSError:  # it died while idle (the OOM killer, a stray signal): a fresh one takes the call
            _worker.kill()
            _worker = None
            if attempt == 2:
                raise
            continue
        except BaseException:  # Ctrl-C while waiting: the worker's state is unknown, so it goes
            _worker.kill()
            _worker = None
            raise
        break
    if answer is False:
        _worker.kill()
        _worker = None
        return "timeout", None
    if answer is None:
        how = _worker.kill()
        _worker = None
        return "died", how
    if answer == _UNREADABLE:
        return None  # the worker cannot find fn: a worker of its own will have it
    if b"MemoryError" in answer[:200] and _is_memory_error(answer):
        _worker.kill()  # it ran out mid-call; its heap may be full of debris, so the next call gets a fresh one
        _worker = None
    return "answer", answer


def _is_memory_error(data: bytes) -> bool:
    try:
        ok, value = pickle.loads(data)
    except Exception:  # noqa: BLE001
        return False
    return ok is False and isinstance(value, MemoryError)


def _serve(requests: int, answers: int, cap: int | None, preload: tuple[str, ...] = (), memory_mb: float = 0):
    """The kept worker's whole life: one call per request until this process closes the pipe; never returns."""
    status = 0
    try:
        if preload:
            import importlib

            for module in preload:
                importlib.import_module(module)
            cap = _cap_for(memory_mb)
        _become_worker(cap)
        while True:
            header = _read(requests, _HEADER.size, None)
            if not header:
                break
            body = _read(requests, _HEADER.unpack(header)[0], None)
            if not body:
                break
            _write_all(answers, _answer(body))
    except BaseException:  # noqa: BLE001 — nothing may escape into the parent's code below the fork
        status = _complain()
    finally:
        os._exit(status)


def _answer(request: bytes) -> bytes:
    """Run one pickled request; its pickled (ok, value), framed. _UNREADABLE when the request names code this worker
    cannot find (a module imported in the parent after the fork): the parent then forks a worker of its own for it."""
    try:
        fn, args, kwargs, seconds, settings = pickle.loads(request)
    except Exception:  # noqa: BLE001
        return _HEADER.pack(len(_UNREADABLE)) + _UNREADABLE
    try:
        _apply(settings)
        _limit_cpu(seconds)
        payload = (True, fn(*args, **kwargs))
    except BaseException as error:  # noqa: BLE001 — every outcome goes back to the parent, which re-raises it
        payload = (False, error)
    data = _dumps(payload)
    return _HEADER.pack(len(data)) + data


def _settings() -> tuple[dict, int]:
    """What the kept worker must share with this process at each call, though it was forked earlier: the limits (a
    command's --max-steps sets them after start-up) and Python's own limit on the digits of a printed integer."""
    values = {name: value for name, value in vars(limits).items() if name.isupper()}
    return values, sys.get_int_max_str_digits()


def _apply(settings: tuple[dict, int]) -> None:
    values, str_digits = settings
    vars(limits).update(values)
    sys.set_int_max_str_digits(str_digits)


# -- a worker of its own, for a call that cannot be pickled --------------------------------------------------------------
def _one_shot(fn, args, kwargs, seconds: float, memory_mb: float) -> tuple:
    cap = _cap_for(memory_mb)
    read_end, write_end = os.pipe()
    pid = _fork()
    if pid == 0:
        os.close(read_end)
        status = 0
        try:
            _become_worker(cap)
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


# -- both kinds of worker ----------------------------------------------------------------------------------------------
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


def _become_worker(cap: int) -> None:
    global _in_worker, _worker
    _in_worker = True
    _worker = None  # the parent's kept worker is not ours (its pipes were closed by _forget_worker_after_fork)
    # Ctrl-C and SIGTERM end a worker as they would a plain process: the parent's handlers (a batch grader that saves
    # its rows) must run in the parent only.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # SIGXCPU dumps no core
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


def _limit_cpu(seconds: float) -> None:
    """The kernel stops this worker after `seconds` + CPU_MARGIN more CPU seconds, should its parent be gone."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds) + CPU_MARGIN
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _cap_for(memory_mb: float) -> int:
    """The worker's address-space limit: this process's, which it starts with, plus the allowance.

    Measured here, not in the worker: reading /proc in a fresh fork cost 0.9 ms of copy-on-write faults.
    """
    return _mapped_bytes() + int(memory_mb * 1024 * 1024)


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


def _forget_worker_after_fork() -> None:
    """In any forked child (ours, a multiprocessing pool's): the kept worker belongs to the parent, so let go of it.

    Closing the inherited pipe ends matters: a worker leaves when its parent's ends close, which never happens while
    a child still holds copies.
    """
    global _worker, _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    if _worker is not None:
        for fd in (_worker.requests, _worker.answers):
            try:
                os.close(fd)
            except OSError:
                pass
        _worker = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker_after_fork)
atexit.register(reset)
