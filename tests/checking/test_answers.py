"""The homework checker: each equivalence layer, the pending-∂ rule, notes, antiderivatives, and the CLI contract."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from strategies import diff_trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.checking.answers import (
    Verdict,
    check_answer,
    check_antiderivative,
    equivalent_expressions,
    same_form_of,
    simplification_note,
)
from derivsteps.cli import main
from derivsteps.core.engine import simplify
from derivsteps.core.errors import DerivError
from derivsteps.language.parser import parse


# -- layers ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "a, b, verdict, layer",
    [
        ("x^2 + 1", "x^2 + 1", "correct", "structural"),
        ("2*x*cos(x^2)", "cos(x^2)*2*x", "correct", "symbolic"),
        ("(x + 1)^2", "x^2 + 2*x + 1", "correct", "symbolic"),
        ("x^2", "4*x", "incorrect", "symbolic"),  # an exact rational difference that does not cancel
        ("99999999/10^8", "99999998/99999999", "incorrect", "symbolic"),  # exact numbers compared exactly
        ("sin(x)", "cos(x)", "incorrect", "probe"),  # our own evaluator finds the difference, before SymPy
        ("ln(abs(x^2 + 7*x + 7))", "ln(x^2 + 7*x + 7)", "correct", "numeric"),  # differ only where not real
        ("((x + 3)*(x^2 + 6*x + 9))^(1/3)", "((x + 3)^2*(x + 3))^(1/3)", "correct", "symbolic"),  # equal bases
        ("tanh(x)/2 + 1/2", "1/(1 + exp(-2*x))", "correct", "symbolic"),  # written with exp, it cancels
        ("(x - a)^6000", "(x - a)^5999", "incorrect", "numeric"),  # relative, even where both are tiny
        ("(x^3)^(1/3)", "x", "correct", "numeric"),  # odd roots of negatives are real
        ("x", "sqrt(x^2)", "incorrect", "numeric"),  # equal for positive x only: still a difference
        ("sqrt(k/m)*sqrt(m/k)", "1", "correct", "numeric"),  # only points where every part is real
        ("(-5)^(1/3)", "-1.709975946", "correct", "numeric"),  # a long decimal is as precise as written
        ("0.33", "1/3", "incorrect", "symbolic"),
        ("(19601 - 13861*sqrt(2))^(7/4)", "(5*sqrt(2) - 7)^7", "inconclusive", None),  # no real value anywhere
    ],
)
def test_layers(a, b, verdict, layer):
    result = equivalent_expressions(a, b)
    assert (result.verdict, result.decided_by) == (verdict, layer), result


def test_sampling_failure_is_never_incorrect():
    result = equivalent_expressions("log(-1 - x^2)", "x")  # undefined at every real point
    assert result.verdict == "inconclusive" and "domain" in result.feedback


def test_a_positive_only_equality_is_noted():
    result = equivalent_expressions("x", "abs(x)")
    assert result.verdict == "incorrect" and result.notes == ("equal for positive values of the variables only",)


@pytest.mark.parametrize(
    "a, b, same",
    [("a*b + c", "c + b*a", True), ("(a + b) + c", "a + (b + c)", True), ("-x*y", "x*(-y)", True), ("exp(x)", "e^x", True),
     ("2/4", "1/2", False), ("0.75", "3/4", False), ("x*(y + 1)", "x*y + x", False), ("-(-x)", "x", False)],
)  # fmt: skip
def test_same_form(a, b, same):
    assert same_form_of(parse(a).expr, parse(b).expr) is same
    assert equivalent_expressions(a, b, same_form=True).verdict == ("correct" if same else "incorrect")


def test_renaming():
    assert equivalent_expressions("A*cos(t) + B*sin(t)", "P*cos(x) + Q*sin(x)", rename=True).verdict == "correct"
    assert (
        equivalent_expressions("A*cos(t) + B*sin(t)", "P*cos(x) + Q*sin(x)", rename=True, fixed=["x"]).verdict
        == "incorrect"
    )


# -- answers ---------------------------------------------------------------------------------------------------------------
def test_a_pending_derivative_is_not_an_answer():
    result = check_answer("x^2", "x", "d/dx x^2")
    assert result.verdict == "incorrect" and result.feedback == "still contains ∂/∂x: finish the derivative"


@pytest.mark.parametrize(
    "expr, answer, note",
    [
        ("x^3", "3*x*x + 0", "3xx can be written 3x^2 (multiply powers)"),
        ("x^7", "7(x^3)^2", "(x^3)^2 can be written x^6 (power of a power)"),
        ("x^2/2", "(x^2)/x", "x^2/x can be written x (cancel)"),
        ("8x", "2^3", "2^3 can be written 8 (arithmetic)"),
        ("x^4", "2^2 x^3", "2^2 can be written 4 (arithmetic)"),
        ("x^3", "2x^2 + x^2", "2x^2 + x^2 can be written 3x^2 (combine like terms)"),
        ("1/x", "-x^(-2)", "x^(-2) can be written 1/x^2 (negative exponent)"),
        ("x^2 sin(x)", "2x sin(x) + x^2 cos(x) + 0", "2x sin(x) + x^2 cos(x) + 0 can be written 2x sin(x) + x^2 cos(x) (add zero)"),
    ],
)  # fmt: skip
def test_a_right_but_unsimplified_answer_is_told_what_is_left(expr, answer, note):
    """The note names the first rewrite of our simplifier that does more than reorder: the rule and the subterm."""
    result = check_answer(expr, "x", answer)
    assert result.verdict == "correct" and result.notes[-1:] == (f"correct, but not simplified: {note}",)


@pytest.mark.parametrize(
    "expr, answer",
    [
        ("x^3", "3x^2"),
        ("x^3", "x^2*3"),  # the coefficient last: the order of the factors only
        ("x sin(x)", "sin(x) + cos(x) x"),  # the terms and factors in another order
        ("1/x", "-1/x^2"),
        ("x^2 - 2x", "-2 + 2x"),
        ("(x + 1)^3", "3x^2 + 6x + 3"),  # longer than 3(x + 1)^2, but nothing left for our simplifier to do
    ],
)
def test_an_answer_in_the_simplified_form_is_never_called_unsimplified(expr, answer):
    result = check_answer(expr, "x", answer)
    assert result.verdict == "correct" and not any("not simplified" in note for note in result.notes), result.notes


@settings(max_examples=150, deadline=None)
@given(diff_trees)
def test_our_own_simplified_result_is_never_unsimplified(tree):
    """Whatever the simplifier's rules: an answer equal to our simplified result (of the derivative, or of any
    expression) gets no "not simplified" note."""
    try:
        derivation = differentiate(tree, "x")
        tidied = simplify(derivation.result)
    except DerivError:
        return
    final = tidied[-1].after if tidied else derivation.result
    assert simplification_note(final) is None


def test_right_up_to_a_constant_factor_is_a_note():
    result = check_answer("sin(2x)", "x", "cos(2x)")
    assert result.verdict == "incorrect"
    assert result.notes == ("right up to a constant factor: your answer is 1/2 times the derivative",)
    assert result.mistake == "chain_inner_forgotten"  # the catalogue names the slip behind the missing factor 2


def test_an_unreadable_answer_is_invalid_not_an_exception():
    result = check_answer("x^2", "x", "2x+")
    assert result.verdict == "invalid" and "column 4" in result.feedback


def test_verdict_is_a_frozen_value():
    result = check_answer("x^2", "x", "2x")
    assert isinstance(result, Verdict) and result.ok and result.decided_by == "structural"
    with pytest.raises(AttributeError):
        result.verdict = "incorrect"  # type: ignore[misc]


# -- antiderivatives -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["x^3/3", "x^3/3 + C", "x^3/3 + k", "(x^3 + c)/3"])
def test_antiderivative_with_or_without_a_constant(answer):
    assert check_antiderivative("x^2", "x", answer).verdict == "correct"


def test_the_constant_can_be_required():
    assert check_antiderivative("x^2", "x", "x^3/3", require_constant=True).verdict == "incorrect"
    assert check_antiderivative("x^2", "x", "x^3/3 + C", require_constant=True).verdict == "correct"


def test_log_without_abs_is_accepted_with_its_reason():
    result = check_antiderivative("1/x", "x", "ln(x) + C")
    assert result.verdict == "correct"
    assert "ln(x) is an antiderivative only where x > 0; log(|x|) also covers x < 0" in result.notes
    assert check_antiderivative("1/x", "x", "ln(abs(x)) + C").notes == ()


def test_differentiating_instead_of_integrating_is_named():
    result = check_antiderivative("x^2", "x", "2x")
    assert result.verdict == "incorrect" and "differentiated instead of integrating" in result.feedback


# -- the command line ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, code",
    [
        (["check", "1/x", "--wrt", "x", "--answer", "-1/x^2"], 0),
        (["check", "sin(x^2)", "--wrt", "x", "--answer", "cos(x^2)"], 1),
        (["check", "x^2", "--wrt", "x", "--answer", "2x+"], 2),
        (["check", "x^2", "--wrt", "x", "--answer", "2x", "--antiderivative-of", "x"], 2),
        (["check", "--antiderivative-of", "x^2", "--wrt", "x", "--answer", "x^3/3 + C"], 0),
        (["equiv", "sin(2x)", "2 sin(x) cos(x)"], 0),
        (["equiv", "log(-1 - x^2)", "x"], 3),
        (["equiv", "a*b", "b*a + 0", "--same-form"], 1),
    ],
)
def test_exit_codes(argv, code, capsys):
    assert main(argv) == code


def test_json_shape(capsys):
    assert main(["check", "sin(x^2)", "--wrt", "x", "--answer", "cos(x^2)", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["schema", "command", "verdict", "decided_by", "mistake", "feedback", "expected", "notes"]
    assert (document["schema"], document["command"], document["verdict"], document["decided_by"]) == (
        1,
        "check",
        "incorrect",
        "probe",
    )
    assert document["mistake"] == "chain_inner_forgotten"
    assert document["expected"] == {
        "text": "2x cos(x^2)",
        "latex": document["expected"]["latex"],
        "sympy": "2*x*cos(x**2)",
    }
    assert main(["equiv", "x", "x", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["command"], document["verdict"], document["decided_by"], document["expected"]) == (
        "equiv",
        "correct",
        "structural",
        None,
    )


def test_antiderivative_text_report_has_no_misleading_expected_line(capsys):
    assert main(["check", "--antiderivative-of", "x^2", "--wrt", "x", "--answer", "2x", "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert "you differentiated instead of integrating" in out and "expected:" not in out


# -- feedback that says whose value is whose ----------------------------------------------------------------------------
# (problem, an unexplained wrong answer, the feedback): a point where they differ, simple points first, values exact
# when they are simple fractions and rounded to 4 significant digits otherwise, the variables named as the problem does.
WHOSE = [
    ("x^2", "2x + 1", "incorrect: your answer is 5 at x = 2; the derivative is 4"),
    ("x^2", "7", "incorrect: your answer is 7 at x = 2; the derivative is 4"),
    ("sin(x)", "cos(2x)", "incorrect: your answer is -0.6536 at x = 2; the derivative is -0.4161"),
    ("x^2 y", "x y", "incorrect: your answer is 6 at x = 2, y = 3; the derivative is 12"),
    ("x^3", "x^2", "incorrect: your answer is 4 at x = 2; the derivative is 12"),  # the exact layer decided: a point too
    ("1/x", "1/x^3", "incorrect: your answer is 1/8 at x = 2; the derivative is -1/4"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "answer", "feedback"), WHOSE, ids=[f"{e}:{a}" for e, a, _ in WHOSE])
def test_a_wrong_answer_is_told_where_it_differs_and_whose_value_is_whose(expr, answer, feedback):
    result = check_answer(expr, "x", answer)
    assert (result.verdict, result.mistake) == ("incorrect", None)
    assert result.feedback == feedback


def test_values_that_round_alike_are_shown_with_more_digits():
    result = check_answer("x^2", "x", "2.0001x")
    assert result.feedback == "incorrect: your answer is 4.0002 at x = 2; the derivative is 4"


def test_without_a_point_to_show_the_layers_reason_is_the_feedback():
    # a function of the user's own has no values: the difference was found with sample functions in its place
    result = check_answer("f(x)^2", "x", "f(x)", functions=["f"])
    assert result.verdict == "incorrect" and result.feedback.startswith(
        "incorrect: your answer is not the derivative ("
    )


def test_an_expression_compared_with_the_expected_one_says_whose_value_is_whose():
    assert equivalent_expressions("x^2 + 1", "(x + 1)^2").feedback == (
        "your answer is 9 at x = 2; the expected expression is 5"
    )
    assert equivalent_expressions("1/3", "0.33").feedback == "your answer is 0.33; the expected expression is 1/3"
    assert equivalent_expressions("x", "sqrt(x^2)").feedback == (
        "your answer is 1 at x = -1; the expected expression is -1"  # equal for x ≥ 0: a negative point shown
    )
    named = equivalent_expressions("x^2 + 1", "(x + 1)^2", names=("A", "B"))
    assert named.feedback == "B is 9 at x = 2; A is 5"


def test_an_antiderivative_is_told_its_derivative_and_where_it_differs_from_the_integrand():
    assert check_antiderivative("2x", "x", "x^2 + x").feedback == (
        "the derivative of your answer is 2x + 1, not 2x: it is 5 at x = 2; the integrand is 4"
    )
    # ln(x) has values for x > 0 only: the point shown is inside the answer's domain
    assert check_antiderivative("1/x", "x", "ln(2x) + x").feedback == (
        "the derivative of your answer is 1 + 1/x, not 1/x: it is 3/2 at x = 2; the integrand is 1/2"
    )
