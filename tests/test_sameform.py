"""Same form: equal up to the order and grouping of + and ·, and with the sign rule, up to where minus signs sit."""

from __future__ import annotations

import pytest
from hypothesis import given

from derivsteps.parser import parse
from derivsteps.sameform import same_form_of

from strategies import trees


def _same(a: str, b: str, signs: bool = False) -> bool:
    return same_form_of(parse(a).expr, parse(b).expr, signs=signs)


@pytest.mark.parametrize(
    "a, b",
    [("a*b + c", "c + b*a"), ("(a + b) + c", "a + (b + c)"), ("-x*y", "x*(-y)"), ("exp(x)", "e^x"), ("ln(x)", "log(x)"),
     ("a*b/c", "a*(b/c)"), ("1/(1 + 2x)", "1/(2x + 1)"), ("x - 1", "-1 + x")],
)  # fmt: skip
def test_reordering_and_regrouping_keep_the_form(a, b):
    assert _same(a, b) and _same(a, b, signs=True)


@pytest.mark.parametrize(
    "a, b",
    [("2/4", "1/2"), ("0.75", "3/4"), ("x*(y + 1)", "x*y + x"), ("x*x", "x^2"), ("x + 0", "x"), ("1*x", "x"),
     ("(1/2)*(a + b)", "(a + b)/2"), ("exp(x)^2", "e^(2x)"), ("a - b - c", "c + b + a")],
)  # fmt: skip
def test_computing_anything_changes_the_form(a, b):
    assert not _same(a, b) and not _same(a, b, signs=True)


@pytest.mark.parametrize(
    "a, b",
    [("(6x + 1)(x - 1)", "(-6x - 1)(1 - x)"), ("(6x + 1)(x - 1)", "-(6x + 1)(1 - x)"), ("(6x + 1)(x - 1)", "-(-6x - 1)(x - 1)"),
     ("-x*(-x)", "x*x"), ("x/(-y)", "-(x/y)"), ("-1/(1 - x)", "1/(x - 1)")],
)  # fmt: skip
def test_the_sign_rule_moves_minus_signs_only_with_signs(a, b):
    assert not _same(a, b)
    assert _same(a, b, signs=True)


@pytest.mark.parametrize("a, b", [("(6x + 1)(x + 1)", "(6x + 1)(x - 1)"), ("-(x - 1)", "x - 1"), ("(1 - x)^2", "(x - 1)^2"), ("-x", "x")])
def test_the_sign_rule_never_changes_a_value(a, b):
    assert not _same(a, b, signs=True)


@given(trees)
def test_every_expression_has_its_own_form(expr):
    assert same_form_of(expr, expr) and same_form_of(expr, expr, signs=True)
