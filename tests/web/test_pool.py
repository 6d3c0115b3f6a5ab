"""What deriv serve relies on in the worker runtime (cas/workers.py): Pool.job called from many threads at once, each
call on a worker of its own, a job past its deadline killed and its worker replaced; and in_this_process, with which
the server warms itself up before it forks."""

from __future__ import annotations

import os
import threading
import time

import pytest

from derivsteps.cas import workers

pytestmark = pytest.mark.skipif(not workers.available(), reason="no os.fork here: the pool cannot enforce its limits")


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_jobs_from_many_threads_never_share_a_worker():
    with workers.Pool(2) as pool:
        pool.start()
        outcomes: list[workers.Outcome] = []
        lock = threading.Lock()

        def one() -> None:
            outcome = pool.job(_pid_after, 0.3, seconds=30)
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=one) for _ in range(6)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        took = time.monotonic() - began
    assert len(outcomes) == 6 and all(o.error is None and not o.timed_out for o in outcomes), outcomes
    assert len({outcome.value for outcome in outcomes}) == 2  # both workers served, and were kept between jobs
    assert took >= 0.85  # six jobs of 0.3 s on two workers: three rounds, never three jobs at once


def test_a_job_past_its_deadline_is_stopped_and_its_worker_replaced():
    with workers.Pool(1) as pool:
        first = pool.job(_pid_after, 0, seconds=30)
        began = time.monotonic()
        late = pool.job(_pid_after, 60, seconds=0.3)
        assert late.timed_out and time.monotonic() - began < 5
        again = pool.job(_pid_after, 0, seconds=30)
    assert first.value != again.value and again.error is None


def test_a_job_that_raises_brings_its_exception_back():
    with workers.Pool(1) as pool:
        outcome = pool.job(int, "not a number", seconds=30)
    assert isinstance(outcome.error, ValueError)


def test_in_this_process_runs_every_call_here():
    with workers.in_this_process():
        assert workers.run(os.getpid) == os.getpid()
    try:
        assert workers.run(os.getpid) != os.getpid()  # outside the block: a worker again
    finally:
        workers.reset()
