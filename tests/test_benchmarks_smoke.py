"""The benchmark suite's smoke run (benchmarks/run.py --quick): it still runs, and prints its one table, every section."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
SECTIONS = ("1 CLI", "2 in process", "3 scaling", "4 rendering", "5 grading", "6 data", "7 web")


def test_quick_run_prints_the_table():
    done = subprocess.run([sys.executable, str(RUN), "--quick"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    header = lines.index("| section | measurement | derivsteps | baseline | ratio | target | holds |")
    rows = [line for line in lines[header + 2 :] if line.startswith("|")]
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert all(len(row) == 7 for row in cells), [row for row in cells if len(row) != 7]
    assert {row[0] for row in cells} == set(SECTIONS)
    # Each ratio is a number measured in this run, and each verdict one of the three words.
    ratios = [row[4] for row in cells if row[4] and row[4] != "SymPy failed"]
    assert ratios and all(re.fullmatch(r"\d+\.\d+×", ratio) for ratio in ratios), ratios
    assert {row[6] for row in cells} <= {"", "yes", "**no**", "n/a", "n/a (n < 1000)"}
    # The start-up rule is checked, not only timed: the --no-verify path loads neither sympy nor rich.
    loaded = next(row for row in cells if row[1] == "same, modules loaded of sympy/rich")
    assert loaded[2:] == ["[]", "", "", "neither", "yes"]
    scaling = [row for row in cells if row[0] == "3 scaling" and re.match(r"\w+, n = \d+: \d+ steps", row[1])]
    assert {row[1].split(",")[0] for row in scaling} == {"sum", "product", "chain", "power", "random"}
