"""Answers per second of deriv grade on a generated class, in this process and with 1 and 2 worker processes.

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
import re
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

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


def measure(rows, jobs: int, in_process: bool) -> tuple[float, Counter]:
    """Wall-clock seconds and the verdicts of one run over the rows (worker start-up included)."""
    start = time.perf_counter()
    verdicts = Counter(row.verdict for row in grade_rows(rows, jobs=jobs, row_seconds=0 if in_process else None))
    return time.perf_counter() - start, verdicts


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
    # CPU time would hide the cost of the processes, and SymPy's kept workers are never reaped by this one to count
    # them; so the wall clock, with the load of the machine beside it: on 2 busy cores --jobs 2 cannot help.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.1f} at the start\n")
    print(f"{'mode':<18} {'seconds':>8} {'answers/s':>10}  verdicts")
    modes = ([("in this process", 1, True)] if args.in_process else []) + [
        (f"--jobs {jobs}", jobs, False) for jobs in args.jobs
    ]
    for name, jobs, in_process in modes:
        seconds, verdicts = measure(rows, jobs, in_process)
        shown = ", ".join(f"{count} {verdict}" for verdict, count in verdicts.most_common())
        print(f"{name:<18} {seconds:>8.2f} {len(rows) / seconds:>10.1f}  {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
