"""Same form: equal up to the order and grouping of + and ·, and with the sign rule, up to where minus signs sit."""

from __future__ import annotations

import pytest
from hypothesis import given
from strategies import trees

from derivsteps.checking.sameform import same_form_of
from derivsteps.language.parser import parse


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


@pytest.mark.parametrize(
    "a, b", [("(6x + 1)(x + 1)", "(6x + 1)(x - 1)"), ("-(x - 1)", "x - 1"), ("(1 - x)^2", "(x - 1)^2"), ("-x", "x")]
)
def test_the_sign_rule_never_changes_a_value(a, b):
    assert not _same(a, b, signs=True)


@given(trees)
def test_every_expression_has_its_own_form(expr):
    assert same_form_of(expr, expr) and same_form_of(expr, expr, signs=True)


def test_equiv_same_form_modes_on_the_library_and_the_command_line():
    from derivsteps.checking.answers import equivalent_expressions
    from derivsteps.cli import main

    a, b = "(6x + 1)(x - 1)", "(-6x - 1)(1 - x)"
    assert equivalent_expressions(a, b, same_form="order").verdict == "incorrect"
    assert equivalent_expressions(a, b, same_form="signs").verdict == "correct"
    assert equivalent_expressions(a, b).verdict == "correct"  # equal as functions, of course
    assert main(["equiv", a, b, "--same-form", "--move-signs"]) == 0
    assert main(["equiv", a, b, "--same-form"]) == 1
    assert main(["equiv", a, b, "--move-signs"]) == 2  # refines --same-form: alone it is a usage error


def test_renaming_search_drops_renamings_that_differ_at_a_point_quickly():
    import time

    from derivsteps.checking.answers import equivalent_expressions

    started = time.perf_counter()
    verdict = equivalent_expressions("a*b^2 + c*d^3", "w*z^2 + x*y^3", rename=True)
    assert verdict.verdict == "correct" and "renaming" in verdict.feedback
    assert equivalent_expressions("a*b^2 + c*d^3", "w*z^2 + x*y^4", rename=True).verdict == "incorrect"
    assert time.perf_counter() - started < 5
