"""Issue 16, target 4: the derivation's JSON document as it grows with n, schema 1 (every step's expression whole)
beside schema 2 (each step's changes: `--json-steps changes`), over the scaling series of benchmarks/series.py.

    python benchmarks/json_size.py                      # random and sum at 30..1000, chain/product/power smaller
    python benchmarks/json_size.py --series random --sizes 100,300,1000

`measure(series_name, sizes)` is what benchmarks/run.py calls: one row per size with the characters and seconds of
json.dumps(to_json(...)) in each schema (schema 1 is skipped, None, where its steps hold more nodes than WHOLE_BUDGET:
it writes every line's expression whole, and the chain at n = 1,000 would be gigabytes). The documents are written
without the "sympy" strings (with_sympy=False), as run.py's rendering rows are, so SymPy's printer is not timed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from series import SERIES, X  # noqa: E402

from derivsteps.calculus.derivative import differentiate  # noqa: E402
from derivsteps.core import limits, tree  # noqa: E402
from derivsteps.render.jsondoc import to_json  # noqa: E402

# Nodes schema 1 may write out (every line whole, shared subtrees counted at every place) before it is not tried.
WHOLE_BUDGET = 5_000_000
TARGET_EXPONENT = 1.3  # issue 16: random and sum, n ≥ 100
DEFAULT_SIZES = {
    "random": [30, 100, 300, 1000],
    "sum": [30, 100, 300, 1000],
    "product": [10, 30, 100],
    "chain": [10, 30, 100, 300],
    "power": [10, 30, 100],
}


@dataclass(frozen=True)
class Row:
    """One size: the document's length in characters and the seconds to build and dump it, in each schema."""

    n: int
    lines: int
    whole_chars: int | None
    whole_seconds: float | None
    changes_chars: int
    changes_seconds: float


def _raise_limits(n: int) -> None:
    # As run.py does: the series pass the library's documented limits on purpose (a chain 1,000 deep).
    limits.MAX_DEPTH = max(limits.MAX_DEPTH, 10 * n)
    limits.MAX_STEPS = max(limits.MAX_STEPS, 10**7)
    if hasattr(limits, "MAX_EXPRESSION_NODES"):
        limits.MAX_EXPRESSION_NODES = max(limits.MAX_EXPRESSION_NODES, 10**8)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 50_000))


def whole_nodes(derivation) -> int:
    """Nodes schema 1 writes out: the start and every line's whole expression (shared subtrees at every place)."""
    sizes: dict[int, int] = {}
    wholes = [derivation.start, *(line.after for line in derivation.lines())]
    for whole in wholes:
        stack = [(whole, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in sizes:
                continue
            kids = tree.children(node)
            if not expanded and kids:
                stack.append((node, True))
                stack.extend((kid, False) for kid in kids)
                continue
            sizes[id(node)] = 1 + sum(sizes[id(kid)] for kid in kids)
    return sum(sizes[id(whole)] for whole in wholes)


def _dumped(derivation, steps: str) -> tuple[int, float]:
    start = time.perf_counter()
    text = json.dumps(to_json(derivation, with_sympy=False, steps=steps))
    return len(text), time.perf_counter() - start


def measure(series_name: str, sizes: list[int], whole: bool = True, repeat: int = 1) -> list[Row]:
    """For each n: the JSON of the series' derivation in schema 1 (whole=False or over WHOLE_BUDGET: None) and in
    schema 2, as characters and seconds (the median of `repeat` runs)."""
    build = SERIES[series_name]
    rows = []
    for n in sizes:
        _raise_limits(n)
        derivation = differentiate(build(n), X)
        lines = len(derivation.lines())
        changes = [_dumped(derivation, "changes") for _ in range(repeat)]
        whole_chars = whole_seconds = None
        if whole and whole_nodes(derivation) <= WHOLE_BUDGET:
            wholes = [_dumped(derivation, "whole") for _ in range(repeat)]
            whole_chars, whole_seconds = wholes[0][0], statistics.median(t for _, t in wholes)
        rows.append(Row(n, lines, whole_chars, whole_seconds, changes[0][0], statistics.median(t for _, t in changes)))
    return rows


def growth(points: list[tuple[int, float]]) -> float | None:
    """The least-squares slope of log(value) on log(n): value ~ n^slope; None with fewer than two usable points."""
    usable = [(math.log(n), math.log(v)) for n, v in points if v]
    if len(usable) < 2:
        return None
    mx = statistics.fmean(a for a, _ in usable)
    my = statistics.fmean(b for _, b in usable)
    spread = sum((a - mx) ** 2 for a, _ in usable)
    return sum((a - mx) * (b - my) for a, b in usable) / spread if spread else None


def exponents(rows: list[Row], from_n: int = 100) -> dict[str, float | None]:
    """The growth exponents of each schema's size and time over the rows with n ≥ from_n (all rows when none is)."""
    fit = [row for row in rows if row.n >= from_n] or rows
    return {
        "whole_chars": growth([(r.n, r.whole_chars) for r in fit if r.whole_chars is not None]),
        "whole_seconds": growth([(r.n, r.whole_seconds) for r in fit if r.whole_seconds is not None]),
        "changes_chars": growth([(r.n, r.changes_chars) for r in fit]),
        "changes_seconds": growth([(r.n, r.changes_seconds) for r in fit]),
    }


def _table(name: str, rows: list[Row]) -> str:
    def chars(v):
        return "—" if v is None else f"{v:,}"

    def ms(v):
        return "—" if v is None else f"{1000 * v:.1f} ms"

    out = [
        f"{name}",
        f"{'n':>6} {'lines':>6} {'schema 1 chars':>16} {'schema 1 time':>14} {'schema 2 chars':>16} {'schema 2 time':>14}",
    ]
    for r in rows:
        out.append(
            f"{r.n:>6} {r.lines:>6} {chars(r.whole_chars):>16} {ms(r.whole_seconds):>14} "
            f"{chars(r.changes_chars):>16} {ms(r.changes_seconds):>14}"
        )
    fit = exponents(rows)

    def exp(v):
        return "—" if v is None else f"{v:.2f}"

    target = f"  (target ≤ {TARGET_EXPONENT} for random and sum)" if name in ("random", "sum") else ""
    out.append(
        f"growth exponent (n ≥ 100): schema 1 chars {exp(fit['whole_chars'])}, time {exp(fit['whole_seconds'])};"
        f" schema 2 chars {exp(fit['changes_chars'])}, time {exp(fit['changes_seconds'])}{target}"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    """Print one table per series: sizes and times of both schemas, and their growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default=",".join(DEFAULT_SIZES), help="comma-separated names from series.py")
    parser.add_argument("--sizes", default=None, help="comma-separated n (default: per series, as DEFAULT_SIZES)")
    parser.add_argument("--no-whole", action="store_true", help="skip schema 1 (slow: 5 s and more at n = 1,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the median time is shown")
    args = parser.parse_args(argv)
    for name in args.series.split(","):
        sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else DEFAULT_SIZES[name]
        print(_table(name, measure(name, sizes, whole=not args.no_whole, repeat=args.repeat)), flush=True)
        print()


if __name__ == "__main__":
    main()
