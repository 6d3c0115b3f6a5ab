"""Golden files: the seed examples, and comparing a renderer's output with tests/golden/<case>.<ext> (or rewriting it)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas.verification import verify
from derivsteps.core.derivation import Derivation

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"

# The seed examples of issue 3: case name -> (input, wrt). Every renderer has one golden file per case.
SEED_CASES = {
    "sum_squared_wrt_y": ("(x+y+z)^2", "y"),  # the lecture's Question 2
    "gradient_wrt_a": ("3a^2 + b^2 - ab + a", "a"),
    "gradient_wrt_b": ("3a^2 + b^2 - ab + a", "b"),
    "product_x2_sin_x": ("x^2 sin x", "x"),
}


def seed_derivation(case: str) -> Derivation:
    """The seed example's derivation at the default detail, checked by SymPy as the CLI does."""
    text, wrt = SEED_CASES[case]
    derivation = differentiate(text, wrt)
    return derivation.with_verification(verify(derivation))


def assert_golden(config: pytest.Config, name: str, actual: str) -> None:
    """Compare actual with tests/golden/<name> exactly, showing a diff; with --update-golden, write it instead."""
    path = GOLDEN_DIR / name
    if config.getoption("--update-golden", default=False):
        GOLDEN_DIR.mkdir(exist_ok=True)
        # newline="" keeps \n on every platform: golden files are compared byte for byte.
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(actual)
        return
    if not path.exists():
        pytest.fail(
            f"no golden file {path.relative_to(GOLDEN_DIR.parent)}: run pytest --update-golden and review the diff"
        )
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/{name}", "actual"
        )
        pytest.fail(
            f"output differs from golden/{name} (if the change is intended, run pytest --update-golden):\n"
            + "".join(diff),
            pytrace=False,
        )


def deriv(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the deriv command line in-process: (exit code, stdout, stderr)."""
    from derivsteps import cli

    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
