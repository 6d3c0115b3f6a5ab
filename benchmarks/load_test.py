"""Load test of deriv serve (issue 17): throughput and latency of the HTTP API under concurrent clients, on loopback.

Starts `deriv serve` on 127.0.0.1 and a free port (a pool of one worker per core), fires verified textbook derivatives
(POST /api/v1/diff) and answer checks (POST /api/v1/check) from 1, 8 and 32 client threads, each with its own
keep-alive connection, for a fixed time and at most a fixed number of requests, and reports throughput, p50 and p99
latency and errors. Then a burst: three times the server's cap of requests in flight, all at once, which must get
429s (with Retry-After) and never a time-out. For the ratio it measures the same work without HTTP on the same cores
(the same jobs, in a workers.Pool of one worker per core, just before and just after the server's runs of each
workload, the mean of the two). It stops by itself.

    python benchmarks/load_test.py            # about a minute and a half
    python benchmarks/load_test.py --quick    # a few seconds: the same table, tiny samples
    python benchmarks/load_test.py --json     # the rows as JSON too (for benchmarks/run.py)

The clients run on the same cores as the server (this is loopback on one machine), so their own CPU time (reported)
is a share of what the server could otherwise use: the ratio is a lower bound of what separate client machines see.
Targets (issue 17, on two cores): no request lost or failed below the cap; p99 <= 250 ms for a verified textbook
derivative at concurrency 8; server throughput >= 0.8x the rate of the same work without HTTP; a burst over the cap
gets 429s, never time-outs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from derivsteps.cas import workers
from derivsteps.web import app as server_app
from derivsteps.web import jobs

HOST = "127.0.0.1"  # loopback only: this test never sends a request anywhere else

DERIVATIVES = [
    {"expr": expr, "wrt": "x"}
    for expr in ("x^2 sin(x)", "e^(3x) cos(2x)", "ln(x^2 + 1)/x", "sqrt(1 + x^2)", "(2x + 1)^5 tan(x)",
                 "x^3 - 3x + 1", "sin(x)^2", "1/(1 + e^(-x))")
]  # fmt: skip
CHECKS = [
    {"expr": expr, "wrt": "x", "answer": answer}
    for expr, answer in (("sin(x^2)", "cos(x^2)"), ("sin(x^2)", "2x cos(x^2)"), ("x^3", "3x^2"), ("e^(2x)", "e^(2x)"),
                         ("ln(x)", "1/x"), ("x sin(x)", "sin(x) + x cos(x)"), ("x^2", "2x + 1"), ("1/x", "-1/x^2"))
]  # fmt: skip
WORKLOADS = {"diff": DERIVATIVES, "check": CHECKS}
CONCURRENCY = (1, 8, 32)
TARGET_P99_MS = 250.0
TARGET_RATIO = 0.8


@dataclass
class Run:
    """What one phase measured: latencies of the answered requests, statuses, errors (no answer at all)."""

    workload: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def failed(self) -> int:
        return len(self.errors) + sum(count for status, count in self.statuses.items() if status != 200)

    def rate(self) -> float:
        return self.statuses.get(200, 0) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(port: int, pool: int) -> subprocess.Popen:
    """deriv serve on loopback, waited for until it answers (60 s at most)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "derivsteps", "serve", "--host", HOST, "--port", str(port), "--pool", str(pool)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = post_once(port, "/api/v1/preview", {"expr": "x"})
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()[-2000:]}")
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def post_once(port: int, path: str, body: dict, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, workload: str, concurrency: int, seconds: float, most: int) -> Run:
    """`concurrency` threads, each sending the workload's requests in turn on its own connection, for `seconds` (or
    `most` requests in all, whichever comes first)."""
    run = Run(workload, concurrency)
    bodies = [json.dumps(body) for body in WORKLOADS[workload]]
    path = f"/api/v1/{workload}"
    lock = threading.Lock()
    sent = [0]
    stop = time.monotonic() + seconds
    start = threading.Barrier(concurrency + 1)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        start.wait()
        index = number
        while time.monotonic() < stop:
            with lock:
                if sent[0] >= most:
                    break
                sent[0] += 1
            body = bodies[index % len(bodies)]
            index += concurrency
            began = time.perf_counter()
            try:
                connection.request("POST", path, body, {"content-type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    run.errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            took = time.perf_counter() - began
            with lock:
                run.statuses[status] = run.statuses.get(status, 0) + 1
                if status == 200:
                    run.latencies.append(took)
        connection.close()

    threads = [threading.Thread(target=client, args=(number,)) for number in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


def burst(port: int, size: int) -> Run:
    """`size` requests at once, each on its own connection: statuses, and any that got no answer (a time-out)."""
    run = Run("burst", size)
    lock = threading.Lock()
    start = threading.Barrier(size)
    body = DERIVATIVES[0]

    def client() -> None:
        start.wait()
        began = time.perf_counter()
        try:
            status, _ = post_once(port, "/api/v1/diff", body, timeout=30)
        except (OSError, http.client.HTTPException) as error:
            with lock:
                run.errors.append(f"{type(error).__name__}: {error}")
            return
        with lock:
            run.statuses[status] = run.statuses.get(status, 0) + 1
            run.latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client) for _ in range(size)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    run.seconds = time.perf_counter() - began
    return run


def _job(item: tuple[str, dict]):
    """One request's work without HTTP, as a job of a workers.Pool (picklable by name: the workers fork this module)."""
    return jobs.answer(*item)


def without_http(workload: str, cores: int, seconds: float, most: int) -> tuple[float, int]:
    """Answers per second of the same jobs in a pool of `cores` workers, for `seconds` (or `most` jobs); and the count."""
    items = [(workload, body) for body in WORKLOADS[workload]]
    with workers.in_this_process():  # as the server does before it forks its workers
        jobs.warm_up()
    with workers.Pool(cores, calls_here=True) as pool:
        pool.start()
        for outcome in pool.map(_job, items * cores):  # warm every worker, as the server's are by then
            assert outcome.error is None and not outcome.timed_out, outcome
        done, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds and done < most:
            for outcome in pool.map(_job, items * cores):
                assert outcome.error is None and not outcome.timed_out, outcome
                done += 1
        return done / (time.perf_counter() - began), done


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: tiny samples, the same table")
    parser.add_argument("--json", action="store_true", help="also print the rows as one JSON document")
    args = parser.parse_args(argv)
    seconds, most = (0.6, 400) if args.quick else (8.0, 20_000)
    cores = os.cpu_count() or 1
    cap = server_app.IN_FLIGHT_PER_WORKER * cores
    load_before = os.getloadavg()
    port = free_port()
    print(f"load_test: server on {HOST}:{port}, a pool of {cores}, cap {cap} in flight; load average {load_before[0]:.2f}",
          file=sys.stderr, flush=True)  # fmt: skip
    server = start_server(port, cores)
    runs: list[Run] = []
    client_cpu: dict[tuple[str, int], float] = {}
    baselines: dict[str, tuple[float, int]] = {}
    try:
        for workload, bodies in WORKLOADS.items():
            # The same work without HTTP, just before and just after the server's runs of it (the server idle then):
            # on a shared machine the load changes from minute to minute, and the mean of the two is the fairer
            # baseline.
            first = without_http(workload, cores, seconds / 2, most)
            for body in bodies:  # warm-up: each request once, so first-use costs stay out of the figures
                post_once(port, f"/api/v1/{workload}", body)
            for concurrency in CONCURRENCY:
                before = cpu_seconds()
                run = load(port, workload, concurrency, seconds, most)
                client_cpu[(workload, concurrency)] = (cpu_seconds() - before) / max(1, run.answered)
                runs.append(run)
                print(f"  {workload} c={concurrency}: {run.rate():.0f}/s p50 {run.percentile(50):.1f} ms "
                      f"p99 {run.percentile(99):.1f} ms, {run.failed} failed", file=sys.stderr, flush=True)  # fmt: skip
            second = without_http(workload, cores, seconds / 2, most)
            baselines[workload] = ((first[0] + second[0]) / 2, first[1] + second[1])
            print(f"  {workload} without HTTP: {first[0]:.0f}/s before, {second[0]:.0f}/s after", file=sys.stderr)
        spike = burst(port, 3 * cap if not args.quick else cap + 32)
    finally:
        stop_server(server)
    load_after = os.getloadavg()

    rows = []
    print(f"\nderiv serve load test ({'quick' if args.quick else 'full'}): {cores} cores, pool {cores}, cap {cap}; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (the machine may be shared)\n")  # fmt: skip
    print("| workload | clients | requests | answers/s | p50 ms | p99 ms | failed | client CPU ms/request |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        cpu = client_cpu[(run.workload, run.concurrency)] * 1000
        print(f"| {run.workload} | {run.concurrency} | {run.answered} | {run.rate():.1f} | {run.percentile(50):.1f} | "
              f"{run.percentile(99):.1f} | {run.failed} | {cpu:.2f} |")  # fmt: skip
        rows.append({"workload": run.workload, "clients": run.concurrency, "requests": run.answered,
                     "rate": round(run.rate(), 1), "p50_ms": round(run.percentile(50), 1),
                     "p99_ms": round(run.percentile(99), 1), "failed": run.failed, "errors": run.errors[:3]})  # fmt: skip
    too_many = spike.statuses.get(429, 0)
    print(f"| burst of {spike.concurrency} at once | {spike.concurrency} | {spike.answered} | | "
          f"{spike.percentile(50):.1f} | {spike.percentile(99):.1f} | {len(spike.errors)} no answer | "
          f"200: {spike.statuses.get(200, 0)}, 429: {too_many} |")  # fmt: skip

    print("\n| check | measured | target | holds |")
    print("|---|---|---|---|")
    checks = []
    below_cap = [run for run in runs if run.concurrency < cap]
    failed = sum(run.failed for run in below_cap)
    checks.append(("no request lost or failed below the cap", f"{failed} failed", "0", failed == 0))
    diff8 = next(run for run in runs if run.workload == "diff" and run.concurrency == 8)
    p99 = diff8.percentile(99)
    checks.append(("p99 of a verified textbook derivative, 8 clients", f"{p99:.1f} ms", f"<= {TARGET_P99_MS:g} ms",
                   p99 <= TARGET_P99_MS))  # fmt: skip
    for workload, (rate, count) in baselines.items():
        for run in runs:  # the server saturated: every concurrency of at least as many clients as workers
            if run.workload == workload and run.concurrency >= cores:
                ratio = run.rate() / rate if rate else float("nan")
                checks.append((f"{workload}: server answers/s with {run.concurrency} clients over the same work "
                               f"without HTTP ({rate:.1f}/s, {count} jobs, pool of {cores})", f"{ratio:.2f}x",
                               f">= {TARGET_RATIO}x", ratio >= TARGET_RATIO))  # fmt: skip
    timeouts = len(spike.errors)
    checks.append((f"a burst of {spike.concurrency} (cap {cap}) gets 429s, never time-outs",
                   f"{too_many} x 429, {timeouts} without answer", "429s > 0, 0 without answer",
                   too_many > 0 and timeouts == 0))  # fmt: skip
    for what, measured, target, holds in checks:
        print(f"| {what} | {measured} | {target} | {'yes' if holds else '**no**'} |")
    if args.json:
        print(json.dumps({"rows": rows, "burst": {"size": spike.concurrency, "statuses": spike.statuses,
                                                   "no_answer": timeouts},
                          "checks": [{"check": c[0], "measured": c[1], "target": c[2], "holds": c[3]} for c in checks],
                          "load_average": [load_before[0], load_after[0]], "cores": cores}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
