"""The one equivalence service: its layers, its policies, and the callers that use it (and nothing else)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy

from derivsteps.cas import workers
from derivsteps.cas.equivalence import NAMES, compare, equivalent, probe, real_reading, vanishes
from derivsteps.language.parser import parse

SRC = Path(__file__).resolve().parents[2] / "src" / "derivsteps"


def tree(text: str):
    return parse(text).expr


@pytest.mark.parametrize(
    "a, b, verdict, layer",
    [
        ("x^2", "x^2", "correct", "structural"),
        ("2x", "x + x", "correct", "symbolic"),
        ("sin(x)^2 + cos(x)^2", "1", "correct", "symbolic"),
        ("x^2", "x^3", "incorrect", "probe"),
        ("1/2", "0.5", "correct", "symbolic"),
        ("sum_i (a_i + b_i)", "sum_i a_i + sum_i b_i", "correct", "numeric"),  # written out over sample data
        ("sum_i a_i^2", "(sum_i a_i)^2", "incorrect", "probe"),
    ],
)
def test_each_layer_decides_what_it_can(a, b, verdict, layer):
    outcome = equivalent(tree(a), tree(b))
    assert (outcome.verdict, outcome.decided_by) == (verdict, layer)


def test_a_difference_says_whose_value_is_whose():
    outcome = equivalent(tree("2x"), tree("-2x"), names=("the derivative", "your answer"))
    assert outcome.verdict == "incorrect"
    assert ", the derivative is " in outcome.reason and " and your answer " in outcome.reason
    assert probe(tree("x"), tree("x")) is None  # equal at the point: the probe decides nothing


def test_negative_points_are_sampled_too():
    # equal for x > 0 only: the numeric layer's mixed-sign phase finds the difference, and says so
    x = sympy.Symbol("x", real=True)
    outcome = workers.run(compare, sympy.sqrt(x**2), x + 0 * sympy.sin(x))
    assert outcome.verdict == "incorrect" and outcome.notes == ("equal for positive values of the variables only",)


def test_odd_roots_are_real_roots():
    x = sympy.Symbol("x")
    assert (
        workers.run(compare, real_reading(sympy.Integer(-8) ** sympy.Rational(1, 3) * x), real_reading(-2 * x)).verdict
        == "correct"
    )


def test_vanishes_tells_an_expression_that_is_zero_everywhere():
    assert vanishes(tree("x - x")) and vanishes(tree("sin(x)^2 + cos(x)^2 - 1"))
    assert not vanishes(tree("x - 1")) and not vanishes(tree("1e-30 x"))


def test_the_default_names_are_neutral():
    assert NAMES == ("the first", "the second")


# Which modules decide "equal": only the service samples points or compares values; the others call it.
def _calls_random(path: Path) -> bool:
    tree_ = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, (ast.Import, ast.ImportFrom)) and any(alias.name == "random" for alias in node.names)
        for node in ast.walk(tree_)
    )


def test_no_second_implementation_of_sampling_outside_the_service():
    sampling = sorted(path.name for path in SRC.rglob("*.py") if _calls_random(path))
    assert sampling == ["equivalence.py"], sampling
