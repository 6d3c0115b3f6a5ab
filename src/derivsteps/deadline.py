"""Runs a SymPy call in a forked worker process under a deadline (limits.CAS_SECONDS) and a memory cap
(limits.CAS_MEMORY_MB), killing it when it overruns.

A signal cannot interrupt SymPy inside a long C-level bignum operation and works only on the main thread, and a thread
cannot be stopped at all, so the only reliable stop is a process. The worker is a plain os.fork of the caller: SymPy is
already imported there, so the child starts warm and nothing is pickled on the way in (fn and its arguments may be
anything); only the result, or the exception, crosses back through a pipe, pickled. A raw fork rather than
multiprocessing, so it also works inside the daemonic workers of a multiprocessing pool.

Where os.fork does not exist (Windows), run() calls fn in-process with no deadline and no cap: a hang there is a hang.

The limits are read at call time from limits.py; configure() changes them for the rest of the process (the CLI's
--cas-seconds and --cas-memory). SymPy's cache fills in the worker and is lost with it: the parent's stays as it was.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
import traceback

try:
    import resource  # imported here, not in the worker, where an import costs copy-on-write faults
except ImportError:  # Windows: no rlimits, and no fork either
    resource = None

from . import limits
from .errors import CasMemoryError, CasTimeout

# Set in a worker: a run() inside one calls fn directly, under the deadline of the outer call.
_in_worker = False

# The worker's exit status when it could not even write its answer (nothing of ours uses it otherwise).
_FAILED = 70


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


def available() -> bool:
    """Whether run() can enforce its limits on this platform."""
    return hasattr(os, "fork") and resource is not None


def run(fn, *args, seconds: float | None = None, memory_mb: float | None = None, what: str = "verification", **kwargs):
    """fn(*args, **kwargs) in a worker process: its result, or its exception re-raised here with its type.

    Raises CasTimeout when the worker is still busy after `seconds` (default limits.CAS_SECONDS), and CasMemoryError
    when it needs more than `memory_mb` MiB (default limits.CAS_MEMORY_MB) beyond what this process already maps.
    `what` names the work in those messages ("verification", "simplification", ...).
    """
    if _in_worker or not available():
        return fn(*args, **kwargs)
    seconds = limits.CAS_SECONDS if seconds is None else seconds
    memory_mb = limits.CAS_MEMORY_MB if memory_mb is None else memory_mb
    # Measured here, not in the worker: reading /proc in a fresh fork cost 0.9 ms of copy-on-write faults.
    cap = _mapped_bytes() + int(memory_mb * 1024 * 1024)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        os.close(read_end)
        _work(write_end, cap, fn, args, kwargs)
    os.close(write_end)
    data, finished = b"", False
    try:
        data, finished = _collect(read_end, time.monotonic() + seconds)
    finally:  # also on Ctrl-C in the parent: the worker never outlives the call
        os.close(read_end)
        status = _reap(pid, finished)
    if not finished:
        raise CasTimeout(
            f"SymPy's {what} took longer than {seconds:g} s (limits.CAS_SECONDS); raise the limit with --cas-seconds",
            seconds,
        )
    if not data:
        # Killed from outside, or a C-level allocation failure that aborted the worker instead of raising MemoryError.
        raise CasMemoryError(
            f"SymPy's {what} stopped without an answer ({_describe(status)}), most likely at the memory limit of "
            f"{memory_mb:g} MB (limits.CAS_MEMORY_MB); raise it with --cas-memory",
            memory_mb,
        )
    try:
        ok, value = pickle.loads(data)
    except Exception as error:  # an exception class whose constructor wants more than its message, say
        raise RuntimeError(f"the answer of SymPy's {what} cannot be read back: {error!r}") from None
    if ok:
        return value
    if isinstance(value, MemoryError):
        raise CasMemoryError(
            f"SymPy's {what} needed more than {memory_mb:g} MB of memory (limits.CAS_MEMORY_MB); raise the limit with --cas-memory",
            memory_mb,
        ) from None
    raise value


def _work(write_end: int, cap: int, fn, args, kwargs):
    """The worker's whole life: cap memory, run fn, send (ok, value) and leave without running the parent's cleanup."""
    global _in_worker
    _in_worker = True
    status = 0
    try:
        # Ctrl-C and SIGTERM end the worker as they would end a plain process: the parent's handlers (a batch
        # grader that saves its rows) must run in the parent only.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _cap_memory(cap)
        try:
            payload = (True, fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 — every outcome goes back to the parent, which re-raises it
            payload = (False, error)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable result or exception: its type and message still reach the parent
            ok, value = payload
            data = pickle.dumps((False, RuntimeError(f"the SymPy worker's {'result' if ok else 'exception'} cannot be sent back: {value!r}")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:  # noqa: BLE001 — nothing may escape into the parent's code below the fork
        status = _FAILED
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(status)


def _cap_memory(cap: int) -> None:
    """RLIMIT_AS at `cap` bytes of address space (the parent's plus the allowance): a bigger allocation raises MemoryError."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _mapped_bytes() -> int:
    """This process's virtual size (the address space RLIMIT_AS counts), from /proc; the peak resident size elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB on Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _collect(read_end: int, stop: float) -> tuple[bytes, bool]:
    """Everything the worker writes until it closes the pipe (finished) or the deadline passes (not finished)."""
    chunks = []
    poller = select.poll()
    poller.register(read_end, select.POLLIN | select.POLLHUP)
    while True:
        left = stop - time.monotonic()
        if left <= 0:
            return b"", False
        if not poller.poll(left * 1000):
            continue  # timed out: the loop's check above decides
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _reap(pid: int, finished: bool) -> int:
    """Wait for the worker, killing it first unless it has finished, so no zombie is left; its wait status."""
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
