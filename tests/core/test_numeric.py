"""Our own evaluator (core/numeric.py), the independent oracle of the step checks: derivatives by central difference."""

from __future__ import annotations

import mpmath
import pytest

from derivsteps.core.numeric import evaluate
from derivsteps.core.tree import Call, Deriv, Mul, Num, Pow, Var

x, u = Var("x"), Var("u")


@pytest.mark.parametrize("at", ["4.6e-23", "1e-30", "0.5", "3", "1e40"])
def test_a_difference_never_steps_across_zero_from_a_tiny_value(at):
    # acot jumps at 0 (from -pi/2 to pi/2): a step wider than the value would read the jump as a slope of 10^22.
    value = evaluate(Deriv(Call("acot", (x,)), x), {x: mpmath.mpf(at)})
    assert abs(value - (-1 / (1 + mpmath.mpf(at) ** 2))) < 1e-9


def test_a_derivative_by_a_compound_expression_is_taken_at_its_value():
    inner = Pow(Mul((Num(3), x)), Num(10))  # (3x)^10, about 6e-23 at x = 0.0025
    value = evaluate(Deriv(Call("acot", (inner,)), inner), {x: mpmath.mpf("0.0025")})
    assert abs(value + 1) < 1e-9
