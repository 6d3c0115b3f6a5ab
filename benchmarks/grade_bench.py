"""Answers per second of deriv grade on a generated class, in this process and with 1 and 2 worker processes.

Each mode runs in a fresh fork of this process (SymPy not yet loaded), as one `deriv grade` run would. Every row is
one job of the worker runtime (workers.Pool), and its SymPy calls run in that worker: all the work is done by that
process and its direct children, so the CPU seconds shown (theirs, reaped) count all of it.

The class is examples/class_answers.csv (right answers, the catalogue's typical slips, one unsimplified answer, two
malformed ones) copied --copies times, each copy in its own variable (t, u, v, ... instead of x), so that no copy is
answered from a cache the previous one filled. Run from the repository root:

    python benchmarks/grade_bench.py              # 4 copies, 96 answers, under ten seconds
    python benchmarks/grade_bench.py --copies 1 --jobs 1 2 4
    python benchmarks/grade_bench.py --corpus     # the 513 pairs of ../shared/corpora/answer_checks.jsonl

With --corpus each pair of the external answer-checking corpus (STACK and KAS test cases) is one row of kind
"equiv": is the student's expression equal to the teacher's. That is the corpus's own question for most of its tests
(an antiderivative pair is compared as it stands, which is the same amount of work).
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from derivsteps.cas import workers
from derivsteps.checking.grading import grade_rows, read_answers

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "class_answers.csv"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "answer_checks.jsonl"
LETTERS = "xtuvwzrpq"  # not b, y: the example's other variables
_X = re.compile(r"(?<![A-Za-z])x(?![A-Za-z])")


def generated_class(copies: int):
    """The example class `copies` times, copy k in the variable LETTERS[k] (cycling), with unique ids."""
    rows = read_answers(EXAMPLE)
    out = []
    for copy in range(copies):
        letter = LETTERS[copy % len(LETTERS)]
        for row in rows:
            out.append(
                replace(
                    row,
                    id=f"{row.id}-{copy}",
                    expr=_X.sub(letter, row.expr),
                    wrt=_X.sub(letter, row.wrt),
                    answer=_X.sub(letter, row.answer),
                )
            )
    return out


def corpus_class():
    """Every pair of the answer corpus as a row of kind equiv (teacher as the problem, student as the answer)."""
    import json

    from derivsteps.checking.grading import AnswerRow

    cases = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        AnswerRow(case["id"], case["teacher"], case.get("wrt") or "x", case["student"], kind="equiv") for case in cases
    ]


def measure(rows, jobs: int, in_process: bool) -> tuple[float, float, Counter]:
    """Wall-clock and CPU seconds (this process and its workers) and the verdicts of one run over the rows."""
    start, cpu = time.perf_counter(), _cpu_seconds()
    verdicts = Counter(row.verdict for row in grade_rows(rows, jobs=jobs, row_seconds=0 if in_process else None))
    if in_process:
        workers.reset()  # reap the kept SymPy worker, so that its CPU time counts
    return time.perf_counter() - start, _cpu_seconds() - cpu, verdicts


def in_a_fresh_process(rows, jobs: int, in_process: bool) -> tuple[float, float, Counter]:
    """measure() in a fork of this process as it was at the start, SymPy not loaded: each mode then pays its own
    start-up, as a `deriv grade` run does, and no mode inherits the caches or the primed SymPy of the one before."""
    sys.stdout.flush()  # or a child that flushes at its exit prints the lines printed so far again
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            with os.fdopen(write_end, "wb") as sink:
                pickle.dump(measure(rows, jobs, in_process), sink)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=4, help="copies of the example class (24 answers each; default 4)"
    )
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker processes to try (default 1 2)")
    parser.add_argument("--no-in-process", dest="in_process", action="store_false", help="skip the run without workers")
    parser.add_argument(
        "--corpus", action="store_true", help=f"grade the answer corpus's pairs instead ({CORPUS.name})"
    )
    args = parser.parse_args(argv)

    if args.corpus:
        if not CORPUS.exists():
            parser.error(f"{CORPUS} is missing: the shared corpora must sit beside the clone")
        rows = corpus_class()
        print(f"{len(rows)} answers (the pairs of {CORPUS.name}, kind equiv)\n")
    else:
        rows = generated_class(args.copies)
        print(f"{len(rows)} answers ({args.copies} copies of {EXAMPLE.name})\n")
    # The wall clock, with the load of the machine beside it (on 2 busy cores --jobs 2 cannot help), and the CPU
    # seconds, steadier on a shared machine; the workers' start-up is in both.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.1f} at the start\n")
    # The CPU seconds go last, after the verdicts: benchmarks/run.py reads the first three columns as they were.
    print(f"{'mode':<18} {'seconds':>8} {'answers/s':>10}  verdicts; CPU seconds")
    modes = ([("in this process", 1, True)] if args.in_process else []) + [
        (f"--jobs {jobs}", jobs, False) for jobs in args.jobs
    ]
    for name, jobs, in_process in modes:
        seconds, cpu, verdicts = in_a_fresh_process(rows, jobs, in_process)
        shown = ", ".join(f"{count} {verdict}" for verdict, count in verdicts.most_common())
        print(f"{name:<18} {seconds:>8.2f} {len(rows) / seconds:>10.1f}  {shown}; {cpu:.2f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
