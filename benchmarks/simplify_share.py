"""How often sympy.simplify can still shorten our final results: the share of the derivative corpus whose light-
simplified derivative SymPy writes with fewer operations (sympy.count_ops).

    python benchmarks/simplify_share.py [--corpus FILE] [--limit N] [--seconds S] [--show K]

Each case is differentiated with the default (light) simplification; then, in a worker under a per-case deadline
(derivsteps.cas.workers), sympy.simplify is asked for its form. Both forms are counted with one meter: each tree is
built for SymPy unevaluated (sympy.evaluate(False)), so that SymPy's automatic evaluation does not tidy our form before
it is counted (it would combine 2 sin(x) cos(x) - 2 cos(x) sin(x) to 0), and the same conversion artefacts land on
both sides. A case counts as "shorter" when SymPy's form has fewer operations. Cases we refuse (DerivError) and
cases whose simplification overruns the deadline are counted apart and left out of the share. The last line printed
is the share, a number.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sympy

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas import workers
from derivsteps.cas.bridge import from_sympy, to_sympy
from derivsteps.core.errors import DerivError
from derivsteps.language.mathtext import to_text

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "derivatives.jsonl"


def _ops(expr) -> int:
    """sympy.count_ops of the tree as we write it: built unevaluated, so SymPy does not tidy it on the way."""
    with sympy.evaluate(False):
        built = to_sympy(expr)
    return int(sympy.count_ops(built))


def measure(case: dict) -> tuple[str, int, int, str, str] | None:
    """(id, our operations, SymPy's, our result, SymPy's) for one case; None when we refuse the input."""
    try:
        result = differentiate(case["expr"], case["wrt"]).result
    except DerivError:
        return None
    simplified = from_sympy(sympy.simplify(to_sympy(result)))
    return case["id"], _ops(result), _ops(simplified), to_text(result), to_text(simplified)


def main(argv: list[str] | None = None) -> float:
    """Print the counts, the cases SymPy shortens most, and last the share as a number; returns the share."""
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus file (a checkout elsewhere)")
    options.add_argument("--limit", type=int, default=None, help="only the first N cases")
    options.add_argument("--seconds", type=float, default=10.0, help="deadline of one case's simplification")
    options.add_argument("--show", type=int, default=10, help="print the K cases SymPy shortens most")
    options.add_argument(
        "--out", type=Path, default=None, help="write each case's counts as JSON lines (to compare runs)"
    )
    args = options.parse_args(argv)
    cases = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = cases[: args.limit]
    shorter, same, refused, overran = [], 0, 0, 0
    rows = []
    started = time.monotonic()
    with workers.Pool(1) as pool:
        for case, outcome in zip(cases, pool.map(measure, cases, seconds=args.seconds)):
            row: dict = {"id": case["id"]}
            if outcome.timed_out or outcome.died is not None:
                overran += 1
                row["outcome"] = "over"
            elif outcome.error is not None:
                overran += 1  # SymPy failed in its own way (a recursion, a form we cannot read back)
                row["outcome"] = "failed"
            elif outcome.value is None:
                refused += 1
                row["outcome"] = "refused"
            else:
                case_id, ours, theirs, text, simpler = outcome.value  # type: ignore[misc]
                row.update(outcome="counted", ours=ours, sympy=theirs)
                if theirs < ours:
                    shorter.append((ours - theirs, case_id, ours, theirs, text, simpler))
                else:
                    same += 1
            rows.append(row)
    if args.out is not None:
        args.out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    counted = len(shorter) + same
    share = len(shorter) / counted if counted else 0.0
    print(
        f"cases {len(cases)}: counted {counted}, SymPy shorter {len(shorter)}, not shorter {same}, "
        f"refused {refused}, over {args.seconds:g} s or failed {overran} ({time.monotonic() - started:.0f} s)"
    )
    for gain, case_id, ours, theirs, text, simpler in sorted(shorter, reverse=True)[: args.show]:
        print(f"  {case_id}: {ours} -> {theirs} ops (-{gain}): {text}  =>  {simpler}")
    print(f"share SymPy can still shorten: {share:.4f}")
    return share


if __name__ == "__main__":
    main(sys.argv[1:])
