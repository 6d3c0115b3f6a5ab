"""Every script in examples/ runs as a user would run it, exits 0, and prints what its docstring promises."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))

# Lines (or parts of lines) each example must print; an example not listed here must still run cleanly.
EXPECTED = {
    "question2.py": [
        "read as: (x + y + z)^2      (treat x, z as constants)",
        "  ∂/∂y (x + y + z)^2",
        "chain rule",
        "exponent rule",
        "sum rule",
        "constant rule; ∂y/∂y = 1",
        "arithmetic",
        "✓ verified",
    ],
    "lecture.py": [
        "terms: 900, 1444, 2116",
        "loss(1, 0) = 2230",
        "checked against the sums written out: True",
        "∂loss/∂s = s Σ_i a_i^2 + b Σ_i a_i - Σ_i (a_i h_i)",
        "∂loss/∂b = s Σ_i a_i + bn - Σ_i h_i",
        "Σ_i a_i^2 = 20",
        "Σ_i (a_i h_i) = 280",
        "∇loss(1, 0) = (-260, -114)",
        "after one step: s = 3.6, b = 1.14",
        "b = h\u0304 - s a\u0304",  # bar notation, with the combining macron
        "s = 5, b = 30: a minimum",
        "1,000 points:",
    ],
    "library_usage.py": [
        "rules: product",
        "result: x^2 cos(x) + 2x sin(x)",
        r"\cos\left(x\right)",
        "verified: True",
        r"\begin{align*}",
    ],
}


def test_there_are_examples():
    assert {"question2.py", "library_usage.py", "lecture.py"} <= {script.name for script in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_starts_with_a_titled_docstring(script):
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
    assert docstring, f"{script.name} has no docstring"
    title, underline = docstring.splitlines()[:2]
    assert title and set(underline) == {"="} and len(underline) == len(title)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(script):
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        cwd=EXAMPLES.parent,
    )
    assert done.returncode == 0, done.stderr
    for expected in EXPECTED.get(script.name, []):
        assert expected in done.stdout, expected
    # Steps appear in order: the golden lines of question 2 are checked for sequence, not just presence.
    if script.name in ("question2.py", "lecture.py"):
        positions = [done.stdout.index(expected) for expected in EXPECTED[script.name]]
        assert positions == sorted(positions)
    if script.name == "question2.py":
        assert "\n= 2(x + y + z)    " in done.stdout


def test_the_example_data_sets():
    """lecture_data.csv is the lecture's three points; large_data.csv is a_k = (37k mod 101)/10 and
    h_k = 30 + 5a_k + ((7919k mod 21) - 10)/10 for k = 1 to 1,000: deterministic, near the line h = 5a + 30."""
    from fractions import Fraction

    from derivsteps.data.datasets import parse_data_options

    lecture = parse_data_options([str(EXAMPLES / "lecture_data.csv")])
    assert lecture.columns == {"a": (0, 2, 4), "h": (30, 40, 50)}
    large = parse_data_options([str(EXAMPLES / "large_data.csv")])
    assert large.n == 1_000 and large.decimal == {"a", "h"}
    for k, (a, h) in enumerate(zip(large.columns["a"], large.columns["h"]), start=1):
        assert a == Fraction((37 * k) % 101, 10)
        assert h == 30 + 5 * a + Fraction((7919 * k) % 21 - 10, 10)
    assert (EXAMPLES / "large_data.csv").stat().st_size < 20_000
