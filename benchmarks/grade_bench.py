"""Answers per second of deriv grade on a generated class, in this process and with 1 and 2 worker processes.

The class is examples/class_answers.csv (right answers, the catalogue's typical slips, one unsimplified answer, two
malformed ones) copied --copies times, each copy in its own variable (t, u, v, ... instead of x), so that no copy is
answered from a cache the previous one filled. Run from the repository root:

    python benchmarks/grade_bench.py              # 4 copies, 96 answers, about ten seconds
    python benchmarks/grade_bench.py --copies 1 --jobs 1 2 4
"""

from __future__ import annotations

import argparse
import re
import resource
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from derivsteps.grading import grade_rows, read_answers

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "class_answers.csv"
LETTERS = "xtuvwzrpq"  # not b, y: the example's other variables
_X = re.compile(r"(?<![A-Za-z])x(?![A-Za-z])")


def generated_class(copies: int):
    """The example class `copies` times, copy k in the variable LETTERS[k] (cycling), with unique ids."""
    rows = read_answers(EXAMPLE)
    out = []
    for copy in range(copies):
        letter = LETTERS[copy % len(LETTERS)]
        for row in rows:
            out.append(replace(row, id=f"{row.id}-{copy}", expr=_X.sub(letter, row.expr), wrt=_X.sub(letter, row.wrt), answer=_X.sub(letter, row.answer)))
    return out


def cpu_seconds() -> float:
    """CPU time of this process and of every (grand)child process that has finished: the workers, SymPy's workers."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure(rows, jobs: int, in_process: bool) -> tuple[float, float, Counter]:
    """Wall-clock seconds, CPU seconds (all processes), and the verdicts of one run over the rows."""
    start, cpu = time.perf_counter(), cpu_seconds()
    verdicts = Counter(row.verdict for row in grade_rows(rows, jobs=jobs, row_seconds=0 if in_process else None))
    return time.perf_counter() - start, cpu_seconds() - cpu, verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of the example class (24 answers each; default 4)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker processes to try (default 1 2)")
    parser.add_argument("--no-in-process", dest="in_process", action="store_false", help="skip the run without workers")
    args = parser.parse_args(argv)

    rows = generated_class(args.copies)
    print(f"{len(rows)} answers ({args.copies} copies of {EXAMPLE.name})\n")
    # On a busy machine the wall clock says little about --jobs; CPU seconds per answer says what the work costs.
    print(f"{'mode':<18} {'seconds':>8} {'answers/s':>10} {'CPU ms/answer':>14}  verdicts")
    modes = ([("in this process", 1, True)] if args.in_process else []) + [(f"--jobs {jobs}", jobs, False) for jobs in args.jobs]
    for name, jobs, in_process in modes:
        seconds, cpu, verdicts = measure(rows, jobs, in_process)
        shown = ", ".join(f"{count} {verdict}" for verdict, count in verdicts.most_common())
        print(f"{name:<18} {seconds:>8.2f} {len(rows) / seconds:>10.1f} {1000 * cpu / len(rows):>14.0f}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
