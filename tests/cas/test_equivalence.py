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
    # practice (checking/ and commands/) draws the coefficients and the order of practice questions from a seeded
    # generator: it decides nothing.
    assert sampling == ["equivalence.py", "practice.py", "practice.py"], sampling


def test_a_difference_is_shown_at_a_simple_point_in_the_students_terms():
    from derivsteps.cas.equivalence import a_difference, where_they_differ

    names = ("the derivative", "your answer")
    assert where_they_differ(tree("2x"), tree("-2x"), names) == "your answer is -4 at x = 2; the derivative is 4"
    assert where_they_differ(tree("x^2"), tree("2x"), names) == (
        "your answer is 1 at x = 1/2; the derivative is 1/4"  # equal at x = 2: the next simple point
    )
    assert where_they_differ(tree("sin(x)"), tree("cos(x)"), names) == (
        "your answer is -0.4161 at x = 2; the derivative is 0.9093"
    )
    assert where_they_differ(tree("3"), tree("4"), names) == "your answer is 4; the derivative is 3"
    assert where_they_differ(tree("x"), tree("x"), names) is None
    # the domain of both, and of the `domain` trees: ln(x) has no value at x = -1
    found = a_difference(tree("x"), tree("-x"), domain=(tree("ln(x)"),))
    assert found is not None and all(value > 0 for _, value in found.point)
    # each variable its own simple value, named as the tree names it
    assert where_they_differ(tree("a_1 b"), tree("a_1 + b"), names) == (
        "your answer is 5 at a_1 = 2, b = 3; the derivative is 6"
    )


def test_the_digits_shown_tell_two_values_apart():
    from derivsteps.cas.equivalence import where_they_differ

    said = where_they_differ(tree("1000000x"), tree("1000001x"))
    assert said == "the second is 2000002 at x = 2; the first is 2000000"
    said = where_they_differ(tree("pi x"), tree("3.14159 x"))
    assert said == "the second is 6.28318 at x = 2; the first is 6.28319"
