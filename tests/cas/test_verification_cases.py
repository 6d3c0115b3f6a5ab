"""Issue 13's cases that were verified wrongly or explained wrongly, each fixed at its root."""

from __future__ import annotations

import pytest

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas.verification import verify
from derivsteps.core.errors import UsageError
from derivsteps.language.mathtext import to_text


@pytest.mark.parametrize(
    "text, wrt, message",
    [
        ("sum_{i=1}^{x} i", "x", "a bound of the sum over i depends on x"),
        ("sum_{i=x}^{5} i^2", "x", "a bound of the sum over i depends on x"),
        ("1/n sum_i (y_i - m x_i)^2", "n", "n is the number of data points, the upper bound of the sum over i"),
    ],
)
def test_a_derivative_by_a_sums_bound_is_refused_in_words(text, wrt, message):
    with pytest.raises(UsageError, match=message):
        differentiate(text, wrt)


def test_one_to_a_power_is_one():
    derivation = differentiate("1^x", "x")
    assert to_text(derivation.result) == "0"
    assert verify(derivation).verified is True


@pytest.mark.parametrize("text", ["f(|x|)", "f(x)|x|", "f(sqrt(x))", "f(x^2) g(x)"])
def test_functions_of_your_own_verify_with_sample_functions(text):
    check = verify(differentiate(text, "x", functions=["f", "g"]))
    assert check.verified is True, check.reason


def test_a_wrong_result_with_a_function_of_your_own_is_caught():
    from derivsteps.cas.equivalence import equivalent
    from derivsteps.language.parser import parse

    outcome = equivalent(parse("2x f'(x^2)", functions=["f"]).expr, parse("f'(x^2)", functions=["f"]).expr)
    assert outcome.verdict == "incorrect" and "sample functions in place of f" in outcome.reason


def test_values_never_real_are_verified_as_complex_numbers_and_say_so():
    check = verify(differentiate("-(1/2) atan((2 - x^2)/(2 sqrt(-1 + x^2 - x^4)))", "x"))  # rubi-0150
    assert check.verified is True and "as complex numbers" in check.reason


@pytest.mark.parametrize(
    "a, b, note",
    [
        ("ln|x|", "ln(x)", "equal where both are defined: x > 0; ln(|x|) is defined for x ≠ 0, ln(x) for x > 0"),
        ("ln(x^2)", "2 ln(x)", "equal where both are defined: x > 0; ln(x^2) is defined for x ≠ 0, 2 ln(x) for x > 0"),
    ],
)
def test_equiv_says_when_the_two_sides_have_different_domains(a, b, note):
    from derivsteps.checking.answers import equivalent_expressions

    verdict = equivalent_expressions(a, b)
    assert verdict.verdict == "correct" and note in verdict.notes


def test_equal_domains_get_no_note():
    from derivsteps.checking.answers import equivalent_expressions

    assert equivalent_expressions("x^2 - 1", "(x - 1)(x + 1)").notes == ()


def test_one_value_of_a_data_column_is_no_variable_to_differentiate_by():
    with pytest.raises(UsageError, match="a_1 is one value of the data column a"):
        differentiate("sum_i a_i h_i", "a_1")


def test_a_nowhere_real_input_hidden_inside_an_absolute_value_is_not_called_wrong():
    # ln(-x/x) = ln(-1) is never real, but SymPy's |x·x·iπ| is: compared there, a right derivation "disagreed".
    check = verify(differentiate("x abs(x (x ln(-x/x)))", "x"))
    assert check.verified is None and "inside the domain" in check.reason


def test_an_absolute_value_of_a_real_expression_still_verifies():
    assert verify(differentiate("x abs(x^2 - 1) + abs(sin(x))", "x")).verified is True
