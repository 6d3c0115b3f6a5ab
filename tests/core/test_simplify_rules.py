"""The form a lecturer writes (issue 15): the board's results, and the new simplification rows keep the value."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from stepcheck import check_invariants, check_values, close
from strategies import diff_trees, plain_trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.core.engine import first_match
from derivsteps.core.numeric import EvaluationError, evaluate
from derivsteps.core.simplify_rules import SIMPLIFY_RULES
from derivsteps.core.tree import Add, Call, Div, Mul, Neg, Num, Pow, Var
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse

X = Var("x")

# The table: what the derivation ends with, as the board shows it.
BOARD = [
    ("1/x^3", "x", "-3/x^4"),
    ("1/x^2", "x", "-2/x^3"),
    ("x^2^3", "x", "8x^7"),
    ("x^(2^3)", "x", "8x^7"),
    ("arcsin(x^2)", "x", "2x/sqrt(1 - x^4)"),
    ("sin^2 x + cos^2 x", "x", "0"),
    ("cosh(x)^2 - sinh(x)^2", "x", "0"),
    ("x^3 sin x", "x,x", "6x^2 cos(x) - x^3 sin(x) + 6x sin(x)"),  # the board's terms, in the engine's order
    (".5 sqrt x", "x", "0.25/sqrt(x)"),  # a typed decimal: the result in decimals
    ("0.5 x^0.5", "x", "0.25/x^0.5"),  # the power stays as typed (x^0.5), the numbers decimals
    ("sqrt(x)/2", "x", "1/(4 sqrt(x))"),  # exact input, exact result
    # More of the same rules at work.
    ("x^2/(x^3)^2", "x", "-4/x^5"),  # quotient of powers, through the typed (x^3)^2
    ("sin(x)/cos(x)", "x", "1/cos(x)^2"),  # cos² + sin² = 1 after the quotient rule
    ("x (sin^2 x + cos^2 x)", "x", "1"),
    ("e^0 x", "x", "1"),
    ("2^3 x + x^2", "x", "2x + 8"),
    ("exp(0) x + x", "x", "2"),
    ("x^(1 + 2)", "x", "3x^2"),
    ("sin(2^3 x)", "x", "8 cos(8x)"),
]


@pytest.mark.parametrize("text, wrt, expected", BOARD, ids=[f"{t} wrt {w}" for t, w, _ in BOARD])
def test_the_result_is_what_the_board_shows(text, wrt, expected):
    derivation = differentiate(text, wrt)
    assert to_text(derivation.result) == expected
    check_invariants(derivation)
    check_values(derivation)


def test_the_steps_name_the_new_rules():
    rules = {step.rule for step in differentiate("x^(2^3)", "x", detail="full").steps}
    assert "typed_constant" in rules
    rules = {step.rule for step in differentiate("x^3 sin x", "x,x", detail="full").steps}
    assert {"distribute_constant", "combine_like_terms"} <= rules
    rules = {step.rule for step in differentiate("x (sin^2 x + cos^2 x)", "x", detail="full").steps}
    assert "pythagorean" in rules


def test_what_the_student_typed_is_not_reordered_before_it_is_differentiated():
    derivation = differentiate("sin(x) x", "x")
    assert to_text(derivation.start) == "∂/∂x (sin(x) x)"
    assert derivation.steps[0].rule == "product"


def test_a_constant_is_multiplied_out_only_when_terms_then_combine():
    assert first_match(SIMPLIFY_RULES, parse("z + 2(x + y)").expr) is None  # no like term beside it: 2(x + y) stays
    assert first_match(SIMPLIFY_RULES, parse("2x + 2(x + y)").expr)[0].name == "distribute_constant"
    assert to_text(differentiate("(x + y + z)^2", "y").result) == "2(x + y + z)"


# -- every new row keeps the value: random u and v put into each rule's pattern, one rewrite checked -------------------
PATTERNS = [
    ("pythagorean", lambda u, v: Add((Pow(Call("sin", (u,)), Num(2)), v, Pow(Call("cos", (u,)), Num(2))))),
    ("pythagorean", lambda u, v: Add((Mul((Num(3), v, Pow(Call("cosh", (u,)), Num(2)))),
                                      Neg(Mul((Num(3), v, Pow(Call("sinh", (u,)), Num(2)))))))),
    ("distribute_constant", lambda u, v: Add((Mul((Num(2), u)), Mul((Num(3), Add((u, v))))))),
    ("distribute_constant", lambda u, v: Add((v, Neg(Mul((Num(Fraction(1, 2), "0.5"), Add((v, u)))))))),
    ("combine_like_terms", lambda u, v: Add((Mul((Num(2), u, v)), Neg(Mul((Num(5), v, u)))))),
    ("typed_constant", lambda u, v: Add((Mul((Pow(Num(2), Num(3)), u)), Pow(v, Add((Num(1), Num(2))))))),
    ("cancel", lambda u, v: Div(Mul((v, Pow(X, Num(2)))), Pow(Pow(X, Num(3)), Num(2)))),
    ("root_squared", lambda u, v: Div(v, Pow(Call("sqrt", (Add((u, v)),)), Num(4)))),
]  # fmt: skip


def _value(expr, point):
    try:
        return evaluate(expr, point)
    except (EvaluationError, ZeroDivisionError, ValueError):
        return None


@pytest.mark.parametrize("rule, build", PATTERNS, ids=[rule for rule, _ in PATTERNS])
@settings(max_examples=40, deadline=None)
@given(u=plain_trees, v=plain_trees)
def test_each_new_rewrite_keeps_the_value(rule, build, u, v):
    expr = build(u, v)
    found = first_match(SIMPLIFY_RULES, expr)
    if found is None or found[0].name != rule:
        return  # u or v made another rule come first (or this one not apply): that rule has its own test
    after = found[0].rewrite(found[1])
    names = {var for var in (X, Var("y"), Var("z"), Var("a"), Var("b"), Var("t"), Var("x1"), Var("theta"))}
    for seed in range(3):
        point = {var: mpmath.mpf(0.3 + 0.37 * seed + 0.11 * k) for k, var in enumerate(sorted(names, key=str))}
        point.update({Var("a", "i"): mpmath.mpf(0.7), Var("w", "ij"): mpmath.mpf(1.1)})
        before_value, after_value = _value(expr, point), _value(after, point)
        parts = [_value(part, point) for part in expr.terms] if isinstance(expr, Add) else []
        if before_value is None or after_value is None or None in parts:
            continue
        if abs(mpmath.im(before_value)) > 1e-12 or abs(mpmath.im(after_value)) > 1e-12:
            continue  # off the real line a branch may differ; the rules are laws of real numbers
        # Terms that cancel (cosh² - sinh² of a large argument) leave only the rounding of their own size.
        scale = max([1, *(abs(part) for part in parts)])
        assert close(before_value / scale, after_value / scale), (rule, to_text(expr), to_text(after))


@settings(max_examples=150, deadline=None)
@given(diff_trees)
def test_every_step_keeps_the_value_with_the_new_rules(tree):
    derivation = differentiate(tree, "x")
    check_invariants(derivation)
    check_values(derivation)
