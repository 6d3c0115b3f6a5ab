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
        "simplify",
        "✓ verified",
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
    assert {"question2.py", "library_usage.py"} <= {script.name for script in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_starts_with_a_titled_docstring(script):
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")))
    assert docstring, f"{script.name} has no docstring"
    title, underline = docstring.splitlines()[:2]
    assert title and set(underline) == {"="} and len(underline) == len(title)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(script):
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=EXAMPLES.parent
    )
    assert done.returncode == 0, done.stderr
    for expected in EXPECTED.get(script.name, []):
        assert expected in done.stdout, expected
    # Steps appear in order: the golden lines of question 2 are checked for sequence, not just presence.
    if script.name == "question2.py":
        positions = [done.stdout.index(expected) for expected in EXPECTED["question2.py"]]
        assert positions == sorted(positions)
        assert "\n= 2(x + y + z)    " in done.stdout
