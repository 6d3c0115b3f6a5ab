"""workers.py: SymPy calls, and the jobs of a pool, run in worker processes, stopped at the time limit and the memory
cap and replaced, and nothing is left behind; in a calls_here pool a job's SymPy calls run in its own worker, under
the same limits; verification and the checker turn a stop into "could not verify" / "inconclusive"."""

from __future__ import annotations

import math
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sympy

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas import equivalence, sympy_steps, verification, workers
from derivsteps.checking.answers import Verdict, check_answer, check_antiderivative, equivalent_expressions
from derivsteps.core import limits
from derivsteps.core.derivation import Verification
from derivsteps.core.errors import (
    CasLimitError,
    CasMemoryError,
    CasTimeout,
    DerivError,
    EngineError,
    InputError,
    LimitError,
)
from derivsteps.core.tree import Deriv, Var
from derivsteps.language.parser import parse

pytestmark = pytest.mark.skipif(not workers.available(), reason="no os.fork: run() calls in-process, without limits")

# Seconds a stop may take beyond its deadline: killing and reaping take milliseconds, but the machine is shared.
MARGIN = 1.5
SHORT = 0.4


@pytest.fixture(autouse=True)
def fresh_worker():
    """Each test starts with no kept worker, so the first call forks a copy of this process as the test patched it."""
    workers.reset()
    yield
    workers.reset()


# Module-level functions: the kept worker gets them pickled by name. A lambda around one gets a worker of its own.
def _sleep(seconds):
    time.sleep(seconds)
    return "woke up"


def _spin():
    while True:
        pass


def _bignum():
    return math.factorial(10**7)  # one C call of many seconds: no signal handler could run before it returns


def _factor_semiprime():
    return sympy.factorint(sympy.nextprime(10**40) * sympy.nextprime(10**41))


def _allocate(megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def _pid():
    return os.getpid()


def _nested():
    return os.getpid(), workers.run(_pid)


def _raise(error):
    raise error


def _unpicklable_result():
    return (n for n in range(3))


def _cpu_limit():
    return resource.getrlimit(resource.RLIMIT_CPU)[0]


VIA = ["kept", "own"]  # the kept worker (picklable call), and a worker of its own (a lambda)


def _call(via, fn, *args, **options):
    if via == "kept":
        return workers.run(fn, *args, **options)
    return workers.run(lambda: fn(*args), **options)


def _timed(fn, *args, **kwargs):
    start = time.monotonic()
    try:
        return fn(*args, **kwargs), time.monotonic() - start
    except Exception as error:  # noqa: BLE001 — the test asserts on it
        return error, time.monotonic() - start


def _children() -> dict[int, str]:
    """This process's child processes and their states (Z: a zombie), from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found[int(entry)] = fields[0]
    return found


# -- the deadline ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize(
    "work", [_sleep, _spin, _bignum, _factor_semiprime], ids=["sleep", "python-loop", "c-bignum", "factorint"]
)
def test_a_call_that_would_hang_is_stopped_at_the_deadline(via, work):
    args = (60,) if work is _sleep else ()
    error, took = _timed(_call, via, work, *args, seconds=SHORT, what="test")
    assert isinstance(error, CasTimeout), error
    assert SHORT <= took < SHORT + MARGIN
    assert isinstance(error, LimitError) and isinstance(error, DerivError)  # the CLI's exit 2 with a message
    assert "SymPy's test took longer than 0.4 s" in str(error) and "--cas-seconds" in str(error)
    assert error.limit == SHORT
    assert not _children()  # killed and reaped: no worker, no zombie


def test_a_call_within_the_deadline_returns_its_value():
    assert workers.run(_sleep, 0.05, seconds=5) == "woke up"


def test_the_limit_is_read_at_call_time(monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", SHORT)
    error, took = _timed(workers.run, _sleep, 60)
    assert isinstance(error, CasTimeout) and took < SHORT + MARGIN


def test_configure_sets_the_limits_for_later_calls(monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", limits.CAS_SECONDS)
    monkeypatch.setattr(limits, "CAS_MEMORY_MB", limits.CAS_MEMORY_MB)
    workers.configure(seconds=SHORT, memory_mb=64)
    assert (limits.CAS_SECONDS, limits.CAS_MEMORY_MB) == (SHORT, 64)
    assert isinstance(_timed(workers.run, _sleep, 60)[0], CasTimeout)
    assert isinstance(workers.run(lambda: _timed(_allocate, 200)[0]), MemoryError)
    for bad in ({"seconds": 0}, {"seconds": -1}, {"memory_mb": 0}):
        with pytest.raises(ValueError):
            workers.configure(**bad)


# -- memory ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIA)
def test_the_memory_cap_stops_a_giant_allocation(via):
    with pytest.raises(CasMemoryError) as caught:
        _call(via, _allocate, 2000, memory_mb=100, what="test")
    assert "needed more than 100 MB" in str(caught.value) and "--cas-memory" in str(caught.value)
    assert _call(via, _allocate, 20, memory_mb=100) == 20 * 1024 * 1024  # below the cap: fine
    assert all(state != "Z" for state in _children().values())


def test_a_worker_that_ran_out_of_memory_is_replaced():
    first = workers.run(_pid, memory_mb=100)
    with pytest.raises(CasMemoryError):
        workers.run(_allocate, 2000, memory_mb=100)
    assert workers.run(_pid, memory_mb=100) != first


def test_a_worker_killed_from_outside_is_reported_and_replaced():
    pid = workers.run(_pid)
    with pytest.raises(CasLimitError) as caught:
        workers.run(os.kill, pid, signal.SIGKILL)
    assert "stopped without an answer (killed by SIGKILL)" in str(caught.value)
    assert workers.run(_pid) not in (pid, os.getpid())


# -- what crosses the pipe ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIA)
def test_exceptions_keep_their_type_and_fields(via):
    with pytest.raises(ZeroDivisionError):
        _call(via, _raise, ZeroDivisionError("division by zero"))
    with pytest.raises(EngineError) as caught:
        _call(via, _raise, EngineError("no rule", (0, 1)))
    assert caught.value.path == (0, 1)
    try:
        parse("x + * 2")
    except InputError as error:
        sent = error
    with pytest.raises(InputError) as caught:
        _call(via, _raise, sent)
    assert (
        type(caught.value) is type(sent) and str(caught.value) == str(sent) and caught.value.position == sent.position
    )


@pytest.mark.parametrize("via", VIA)
def test_results_round_trip(via):
    tree = parse("sin(x)^2 + 3*x_1/(y + 1) - exp(-x)").expr
    x = sympy.Symbol("x", real=True)
    values = (
        tree,
        x**2 + sympy.sin(x),
        Verification(True, "symbolic", "", tree),
        Verdict("correct", "numeric", "ok", tree, ("a note",)),
    )
    back = _call(via, lambda: values) if via == "own" else workers.run(tuple, values)
    assert back == values
    assert back[1].free_symbols == {x}  # the assumption real=True survives


def test_a_result_that_cannot_be_sent_back_says_so():
    with pytest.raises(RuntimeError, match="cannot be sent back"):
        workers.run(_unpicklable_result)


def test_the_kept_worker_serves_many_calls_and_is_replaced_after_a_timeout():
    first = workers.run(_pid)
    assert first != os.getpid() and workers.run(_pid) == first
    with pytest.raises(CasTimeout):
        workers.run(_sleep, 60, seconds=SHORT)
    second = workers.run(_pid)
    assert second not in (first, os.getpid())
    assert set(_children()) == {second}


def test_a_call_inside_a_worker_runs_there():
    outer, inner = workers.run(_nested)
    assert outer == inner != os.getpid()


def test_the_worker_has_a_cpu_limit_in_case_its_parent_dies():
    soft = workers.run(_cpu_limit, seconds=3)
    assert soft != resource.RLIM_INFINITY and soft <= 3 + workers.CPU_MARGIN + 1


@pytest.mark.slow  # a few CPU seconds of spinning, by design
def test_a_worker_whose_parent_died_mid_call_is_stopped_by_its_cpu_limit(tmp_path):
    script = textwrap.dedent(
        """
        import os, threading
        from derivsteps.cas import workers

        def spin():
            while True:
                pass

        def report_and_die():
            print(workers._kept.workers[0].pid, flush=True)
            os._exit(0)  # as if killed: no chance to stop the worker

        threading.Timer(0.3, report_and_die).start()
        workers.run(spin, seconds=1)
        """
    )
    out = tmp_path / "pid.txt"
    with out.open("w") as sink:  # a file, not a pipe: the orphan keeps its copy of stdout open while it spins
        subprocess.run([sys.executable, "-c", script], stdout=sink, timeout=30, check=True)
    orphan = int(out.read_text().split()[0])
    stop = time.monotonic() + 20  # 1 + CPU_MARGIN CPU seconds, on a machine shared with others
    while time.monotonic() < stop and os.path.exists(f"/proc/{orphan}"):
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{orphan}")


def test_ctrl_c_while_waiting_kills_the_worker():
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            workers.run(_sleep, 60, seconds=30)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not _children()


def test_reset_leaves_no_process_behind():
    pid = workers.run(_pid)
    assert pid in _children()
    workers.reset()
    assert not _children()


# -- a pool of workers (deriv grade --jobs N) --------------------------------------------------------------------------
def _job(what):
    """One job of the pool tests, by name: module-level, so the pool can pickle it."""
    kind, _, value = what.partition(" ")
    if kind == "pid":
        return os.getpid()
    if kind == "sleep":
        time.sleep(float(value))
        return os.getpid()
    if kind == "allocate":
        return _allocate(int(value))
    if kind == "exit":
        os._exit(int(value))
    if kind == "raise":
        raise ZeroDivisionError(value)
    if kind == "cas":  # a CAS call inside the job: (where the job ran, where the call ran, the job's own children)
        return os.getpid(), workers.run(_pid), _children()
    if kind == "cas-stopped":  # a CAS call that overruns or runs out of memory, caught as a row's check catches it
        work = {"spin": (_spin,), "stubborn": (_stubborn,), "allocate": (_allocate, 2000)}[value]
        start = time.monotonic()
        try:
            workers.run(*work, seconds=SHORT, memory_mb=100, what="test")
        except CasLimitError as error:
            return os.getpid(), type(error).__name__, str(error), time.monotonic() - start
    raise AssertionError(what)


def _stubborn():
    """Spins, swallowing the first stop as some SymPy code swallows every exception; spins again after."""
    try:
        while True:
            pass
    except BaseException:  # noqa: BLE001
        pass
    while True:
        pass


def _values(outcomes):
    return [outcome.value for outcome in outcomes]


def test_a_pool_answers_in_input_order_from_several_workers():
    jobs = ["sleep 0.3", "pid", "sleep 0.1", "pid", "pid", "raise boom"]
    with workers.Pool(2) as pool:
        outcomes = list(pool.map(_job, jobs, seconds=10))
    assert [outcome.value is not None for outcome in outcomes] == [True] * 5 + [False]
    assert len(set(_values(outcomes[:5]))) == 2 and os.getpid() not in _values(outcomes)
    assert isinstance(outcomes[5].error, ZeroDivisionError) and str(outcomes[5].error) == "boom"
    assert not _children()


def test_a_job_past_its_deadline_has_its_worker_killed_and_replaced():
    with workers.Pool(1) as pool:
        start = time.monotonic()
        first, late, after = pool.map(_job, ["pid", "sleep 60", "pid"], seconds=SHORT)
        assert time.monotonic() - start < SHORT + MARGIN
        assert late.timed_out and late.value is None
        assert after.value not in (first.value, None)
        assert set(_children()) == {after.value}  # the killed worker is reaped
    assert not _children()


def test_a_worker_that_died_or_ran_out_of_memory_is_replaced():
    with workers.Pool(1, memory_mb=100) as pool:
        outcomes = list(pool.map(_job, ["pid", "allocate 2000", "pid", "exit 3", "pid", "allocate 20"]))
    first, memory, second, died, third, small = outcomes
    assert isinstance(memory.error, MemoryError)
    assert second.value not in (first.value, None)  # it left after answering: a fresh worker took the next job
    assert os.WIFEXITED(died.died) and os.WEXITSTATUS(died.died) == 3
    assert third.value not in (second.value, None)
    assert small.value == 20 * 1024 * 1024


def test_closing_a_pool_mid_map_kills_its_workers():
    pool = workers.Pool(2)
    outcomes = pool.map(_job, ["pid", "sleep 60", "sleep 60", "pid"])
    next(outcomes)
    outcomes.close()
    pool.close()
    assert not _children()


def test_in_a_calls_here_pool_the_cas_calls_of_a_job_run_in_its_worker():
    with workers.Pool(2, calls_here=True) as pool:
        outcomes = list(pool.map(_job, ["cas"] * 4))
    for outcome in outcomes:
        worker, call, children = outcome.value
        assert call == worker != os.getpid() and children == {}  # no grandchild: two levels of processes


@pytest.mark.parametrize("work", ["spin", "stubborn", "allocate"])
def test_a_cas_call_in_a_calls_here_worker_is_stopped_and_the_worker_replaced(work):
    with workers.Pool(1, calls_here=True) as pool:
        stopped, after = pool.map(_job, [f"cas-stopped {work}", "pid"], seconds=30)
    worker, error, message, took = stopped.value
    if work == "allocate":
        assert error == "CasMemoryError" and "SymPy's test needed more than 100 MB" in message
    else:
        assert error == "CasTimeout" and message.startswith("SymPy's test took longer than 0.4 s (limits.CAS_SECONDS)")
        assert SHORT <= took < SHORT + MARGIN
    assert after.value not in (worker, None)  # the worker that was stopped so left after its job


# -- the callers: verification, the checker, cas ----------------------------------------------------------------------------
def test_verification_of_a_normal_expression_still_verifies():
    result = verification.verify(differentiate("x^2*sin(x) + exp(3*x)/x", "x"))
    assert (result.verified, result.method) == (True, "symbolic")
    x = sympy.Symbol("x")
    assert workers.run(equivalence.compare, sympy.sin(x) ** 2, 1 - sympy.cos(x) ** 2).verdict == "correct"


def _slow_equivalent(*args, **kwargs):
    time.sleep(60)


def test_verification_past_the_deadline_could_not_verify(monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", SHORT)
    monkeypatch.setattr(equivalence, "compare", _slow_equivalent)
    workers.reset()  # the worker must see the patch
    result, took = _timed(verification.verify, differentiate("x^2", "x"))
    assert took < SHORT + MARGIN
    # SymPy gave up; our own evaluator decided instead, and the reason says both
    assert result.verified is True and result.method == "evaluator"
    assert result.reason.startswith(
        "SymPy's verification took longer than 0.4 s (limits.CAS_SECONDS); raise the limit with --cas-seconds; "
    )
    result = verification.verify(differentiate("f(x)^2", "x", functions=["f"]))  # no values: could not verify
    assert result.verified is None and result.reason.startswith("SymPy's verification took longer")
    # the equivalence service past the deadline: undecided, never "different" (the probe finds these equal)
    assert equivalence.equivalent(parse("x").expr, parse("x + 0").expr).verdict == "inconclusive"


def _slow_simplify(*args, **kwargs):
    time.sleep(60)


# Each answer below is right, and only the symbolic layer's rewriting can show it (the values agree, so sampling first
# decides nothing); the rewriting (equivalence._simplifies_to_zero: cheap rewritings, then simplify) is made to hang,
# as simplify really does on some 11-operation differences (more than 20 s measured).
@pytest.mark.parametrize(
    "check",
    [
        lambda: equivalent_expressions("sin(x)^2 + cos(x)^2", "1 + 0*y"),
        lambda: check_answer("sin(x)^2", "x", "sin(2x)"),
        lambda: check_antiderivative("sin(2x)", "x", "sin(x)^2"),
    ],
    ids=["equiv", "check", "antiderivative"],
)
def test_a_check_whose_simplification_is_too_slow_is_inconclusive(monkeypatch, check):
    monkeypatch.setattr(limits, "CAS_SECONDS", SHORT)
    monkeypatch.setattr(equivalence, "_simplifies_to_zero", _slow_simplify)
    workers.reset()  # the worker must see the patch
    try:
        verdict, took = _timed(check)
    finally:
        monkeypatch.undo()
        workers.reset()
    assert isinstance(verdict, Verdict), verdict
    assert verdict.verdict == "inconclusive" and verdict.decided_by is None
    assert verdict.feedback.startswith("could not decide: SymPy's") and "--cas-seconds" in verdict.feedback
    assert took < SHORT + MARGIN
    assert len(_children()) <= 1  # at most the fresh kept worker: the one that overran is gone


def test_the_checker_still_decides_within_the_limit():
    assert check_answer("x^3*sin(x)", "x", "3*x^2*sin(x) + x^3*cos(x)").verdict == "correct"
    assert check_answer("x^3*sin(x)", "x", "3*x^2*cos(x)").verdict == "incorrect"
    assert check_antiderivative("2*x", "x", "x^2 + C").verdict == "correct"


def test_simplification_past_the_deadline_finds_no_shorter_form(monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", SHORT)
    monkeypatch.setattr(sympy_steps.sympy, "simplify", _slow_simplify)
    workers.reset()
    result, took = _timed(sympy_steps.simplified, parse("sin(x)^2 + cos(x)^2").expr)
    assert result is None and took < SHORT + MARGIN


def test_a_cas_derivative_past_the_deadline_is_a_limit_error(monkeypatch):
    monkeypatch.setattr(limits, "CAS_SECONDS", SHORT)
    monkeypatch.setattr(sympy_steps, "_derivative", _slow_equivalent)
    workers.reset()
    error, took = _timed(sympy_steps.derivative, Deriv(parse("x^2").expr, Var("x")))
    assert isinstance(error, CasTimeout) and took < SHORT + MARGIN
    assert "SymPy's derivative (cas_fallback) took longer than 0.4 s" in str(error)
    with pytest.raises(CasTimeout):  # with no rule at all, the engine's first step is the cas_fallback
        differentiate("x^2", "x", rules=())


def test_the_engine_falls_back_to_sympy_through_the_worker():
    derivation = differentiate("x^3", "x", rules=())
    assert [step.rewrites[0].rule for step in derivation.steps][:1] == ["cas_fallback"]
    assert derivation.result == parse("3*x^2").expr


def test_a_function_the_kept_worker_cannot_find_gets_a_worker_of_its_own(tmp_path, monkeypatch):
    kept = workers.run(_pid)
    (tmp_path / "made_after_the_fork.py").write_text(
        "import os\n\ndef pid():\n    return os.getpid()\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import made_after_the_fork

    (tmp_path / "made_after_the_fork.py").unlink()  # the kept worker cannot import it either
    own = workers.run(made_after_the_fork.pid)
    assert own not in (kept, os.getpid())
    assert workers.run(_pid) == kept  # and the kept worker goes on serving


def _limits_seen():
    return limits.MAX_STEPS, sys.get_int_max_str_digits()


def test_the_kept_worker_sees_the_limits_as_they_are_at_each_call(monkeypatch):
    workers.run(_pid)  # the worker exists before the limits change, as in a run that sets --max-steps late
    monkeypatch.setattr(limits, "MAX_STEPS", 7)
    digits = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(9000)
    try:
        assert workers.run(_limits_seen) == (7, 9000)
    finally:
        sys.set_int_max_str_digits(digits)


def test_work_given_meanwhile_runs_once_while_this_process_waits_for_the_worker():
    done = []
    workers.meanwhile(lambda: done.append("imported"))
    workers.meanwhile(lambda: 1 / 0)  # a failure only means the work is done later, where it is needed
    assert workers.run(pow, 2, 10) == 1024
    assert done == ["imported"]
    assert workers.run(pow, 2, 3) == 8 and done == ["imported"]  # once, not on every call
