"""Times the lecture's loss, its gradient, one descent step and the closed form on random data sets of 1,000 and 100,000 rows."""

from __future__ import annotations

import argparse
import inspect
import random
import time

from derivsteps import critical_points, descend, evaluate_at, gradient
from derivsteps.calculus.at_point import gradient_at
from derivsteps.data.datasets import Data

LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
POINT = "s=1,b=0"


def random_data(rows: int, seed: int = 5) -> dict[str, list[str]]:
    """a from 0 to 10 in steps of 0.1, h = 5a + 30 plus noise, as decimal text (as a CSV file holds it); seeded."""
    generator = random.Random(seed)
    a = [generator.randrange(0, 101) for _ in range(rows)]
    h = [5 * value + 300 + generator.randrange(-20, 21) for value in a]
    return {"a": [f"{value / 10:.1f}" for value in a], "h": [f"{value / 10:.1f}" for value in h]}


def best(repeat: int, work) -> float:
    """The best of repeat runs, in seconds: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def closed_form_available() -> bool:
    return "data" in inspect.signature(critical_points).parameters


def measure(rows: int, repeat: int, grad) -> dict[str, float | None]:
    columns = random_data(rows)
    result: dict[str, float | None] = {"load": best(repeat, lambda: Data.from_mapping(columns))}
    # A fresh Data for each run, so the cache of statistics does not hide the summing; each cell includes the load.
    result["loss"] = best(repeat, lambda: evaluate_at(LOSS, POINT, data=Data.from_mapping(columns)))
    result["gradient"] = best(repeat, lambda: gradient_at(grad, POINT, data=Data.from_mapping(columns)))
    result["descent step"] = best(repeat, lambda: descend(LOSS, POINT, "0.0001", data=Data.from_mapping(columns)))
    result["closed form"] = None
    if closed_form_available():
        result["closed form"] = best(repeat, lambda: critical_points(LOSS, ("s", "b"), data=Data.from_mapping(columns)))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip())
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[1_000, 100_000], help="data set sizes (default 1000 100000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; the best is shown (default 3)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    grad = gradient(LOSS, ("s", "b"))
    print(f"gradient derived once (no data): {time.perf_counter() - start:.3f} s")
    table = {rows: measure(rows, args.repeat, grad) for rows in args.rows}
    names = list(next(iter(table.values())))
    print("  ".join(["rows".rjust(8), *(name.rjust(12) for name in names)]))
    for rows, cells in table.items():
        shown = ["-" if cell is None else f"{cell:.4f} s" for cell in cells.values()]
        print("  ".join([f"{rows:,}".rjust(8), *(cell.rjust(12) for cell in shown)]))
    if not closed_form_available():
        print("closed form: critical_points takes no data yet, so it is not timed")
    print(
        "load: Data from decimal text; loss: evaluate_at (eval --at); gradient: gradient_at (grad --at, its derivation excluded);"
    )
    print(
        "descent step: descend, one iteration; closed form: critical_points with data. Every cell but load includes the load."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
