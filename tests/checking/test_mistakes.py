"""The mistake catalogue: each slip diagnosed from realistic wrong answers, and never pinned on a right one."""

from __future__ import annotations

import pytest

from derivsteps.checking.answers import check_answer
from derivsteps.checking.mistakes import MISTAKES, MISTAKES_BY_ID, Diagnosis, diagnose

# (mistake id, problem, variable, a wrong answer as a student types it)
WRONG = [
    ("data_factor_dropped", "sum_i (s a_i - y_i)^2", "s", "sum_i (2(s a_i - y_i))"),
    ("data_factor_dropped", "sum_i log(1 + exp(-s a_i))", "s", "-sum_i (exp(-s a_i)/(1 + exp(-s a_i)))"),
    ("ln_without_inner", "ln(x^2)", "x", "1/x^2"),
    ("ln_without_inner", "ln(x^2 + 1) + sin(x^2)", "x", "1/(x^2 + 1) + 2x cos(x^2)"),
    ("ln_without_inner", "ln(sin(x))", "x", "1/sin(x)"),
    ("chain_inner_forgotten", "sin(x^2)", "x", "cos(x^2)"),
    ("chain_inner_forgotten", "(x^2 + 1)^3", "x", "3(x^2 + 1)^2"),
    ("chain_inner_forgotten", "e^(3x)", "x", "e^(3x)"),
    ("exponent_not_reduced", "x^3", "x", "3x^3"),
    ("exponent_not_reduced", "5x^4 + x^2", "x", "20x^4 + 2x^2"),
    ("product_of_derivatives", "x^2 sin(x)", "x", "2x cos(x)"),
    ("product_of_derivatives", "x e^x", "x", "e^x"),
    ("quotient_numerator_reversed", "x/(x + 1)", "x", "(x - (x + 1))/(x + 1)^2"),
    ("quotient_numerator_reversed", "sin(x)/x", "x", "(sin(x) - x cos(x))/x^2"),
    ("quotient_denominator_not_squared", "x/(x + 1)", "x", "1/(x + 1)"),
    ("quotient_denominator_not_squared", "sin(x)/x", "x", "(x cos(x) - sin(x))/x"),
    ("exp_as_power", "e^x", "x", "x e^(x - 1)"),
    ("exp_as_power", "2^x + x^2", "x", "2^(x - 1) x + 2x"),
    ("cos_sign", "cos(x)", "x", "sin(x)"),
    ("cos_sign", "x^2 + cos(x)", "x", "2x + sin(x)"),
    ("cos_sign", "cos(3x)", "x", "3 sin(3x)"),
    ("constant_term_kept", "x^2 + 3", "x", "2x + 3"),
    ("constant_term_kept", "x^3 - 5", "x", "3x^2 - 5"),
    ("held_constant_differentiated", "x^2 + b^2", "x", "2x + 2b"),
    ("held_constant_differentiated", "b x", "x", "x + b"),
    ("wrong_variable", "x^2 y", "x", "x^2"),
    ("wrong_variable", "x^2 + x y^2", "x", "2x y"),
    ("integrated_instead", "2x", "x", "x^2"),
    ("integrated_instead", "sin(x)", "x", "-cos(x)"),
    ("integrated_instead", "e^(2x)", "x", "e^(2x)/2"),
]

# (mistake id whose problem it is, problem, variable, a right answer, often in another form than ours)
RIGHT = [
    ("data_factor_dropped", "sum_i (s a_i - y_i)^2", "s", "sum_i (2 a_i (s a_i - y_i))"),
    ("ln_without_inner", "ln(x^2)", "x", "2/x"),
    ("chain_inner_forgotten", "(x^2 + 1)^3", "x", "6x (x^2 + 1)^2"),
    ("exponent_not_reduced", "x^3", "x", "3 x x"),
    ("product_of_derivatives", "x^2 sin(x)", "x", "x (2 sin(x) + x cos(x))"),
    ("quotient_numerator_reversed", "x/(x + 1)", "x", "1/(x + 1)^2"),
    ("quotient_denominator_not_squared", "sin(x)/x", "x", "cos(x)/x - sin(x)/x^2"),
    ("exp_as_power", "e^x", "x", "exp(x)"),
    ("cos_sign", "cos(x)", "x", "-sin(x)"),
    ("constant_term_kept", "x^2 + 3", "x", "x + x"),
    ("held_constant_differentiated", "x^2 + b^2", "x", "2x + 0"),
    ("wrong_variable", "x^2 y", "x", "2 y x"),
    ("integrated_instead", "x^2", "x", "2x"),
]


@pytest.mark.parametrize(("mistake", "expr", "wrt", "answer"), WRONG, ids=[f"{m}:{e}" for m, e, _, _ in WRONG])
def test_a_wrong_answer_is_diagnosed(mistake, expr, wrt, answer):
    found = diagnose(expr, wrt, answer)
    assert isinstance(found, Diagnosis), f"{answer!r} for {expr!r} was not diagnosed"
    assert found.mistake == mistake, found.feedback
    assert found.description == MISTAKES_BY_ID[mistake].description
    assert found.feedback.startswith("At step ") and "?" not in found.feedback


@pytest.mark.parametrize(("mistake", "expr", "wrt", "answer"), RIGHT, ids=[f"{m}:{e}" for m, e, _, _ in RIGHT])
def test_a_right_answer_never_gets_a_mistake(mistake, expr, wrt, answer):
    assert diagnose(expr, wrt, answer) is None


def test_every_mistake_has_wrong_and_right_cases():
    ids = [mistake.id for mistake in MISTAKES]
    assert all(sum(m == i for m, *_ in WRONG) >= 2 for i in ids)
    assert {m for m, *_ in RIGHT} == set(ids)


def test_the_catalogue_order_is_pinned():
    # Specific before general: data_factor_dropped and ln_without_inner are narrower cases of chain_inner_forgotten.
    assert [mistake.id for mistake in MISTAKES] == [
        "data_factor_dropped", "ln_without_inner", "chain_inner_forgotten", "exponent_not_reduced",
        "product_of_derivatives", "quotient_numerator_reversed", "quotient_denominator_not_squared", "exp_as_power",
        "cos_sign", "constant_term_kept", "held_constant_differentiated", "wrong_variable", "integrated_instead",
    ]  # fmt: skip


def test_the_chain_rule_feedback_points_at_the_parting_step():
    found = diagnose("sin(x^2)", "x", "cos(x^2)")
    assert found == Diagnosis(
        "chain_inner_forgotten",
        MISTAKES_BY_ID["chain_inner_forgotten"].description,
        "At step 1 the chain rule needs the inner derivative ∂(x^2)/∂x = 2x; your answer has cos(x^2) without it.",
        0,
        "chain",
    )


def test_the_parting_step_is_counted_in_lines_of_the_correct_derivation():
    # ∂(x^2 + 3): line 1 the sum rule, line 2 the exponent rule, line 3 the constant that the student kept.
    found = diagnose("x^2 + 3", "x", "2x + 3")
    assert (found.step_index, found.rule) == (2, "constant")
    assert found.feedback == "At step 3, 3 does not depend on x, so ∂3/∂x = 0, not 3; your answer 2x + 3 keeps it."


def test_only_the_ln_slip_explains_an_answer_that_kept_the_other_inner_derivatives():
    found = diagnose("ln(x^2 + 1) + sin(x^2)", "x", "1/(x^2 + 1) + 2x cos(x^2)")
    assert found.mistake == "ln_without_inner" and found.step_index == 1


def test_an_unexplained_wrong_answer_gets_no_mistake():
    assert diagnose("x^2", "x", "7") is None


def test_trees_are_diagnosed_as_well_as_text():
    # The checker has read both already: it passes trees.
    from derivsteps.core.tree import Var
    from derivsteps.language.parser import parse

    found = diagnose(parse("x^2 sin(x)").expr, Var("x"), parse("2x cos(x)").expr)
    assert found.mistake == "product_of_derivatives"
    assert found.feedback == (
        "At step 1 the product rule gives ∂(x^2 sin(x))/∂x = x^2 cos(x) + 2x sin(x): differentiate one factor at a "
        "time and add; your answer 2x cos(x) multiplies the derivatives."
    )


def test_a_compound_variable_of_differentiation_is_bracketed_in_feedback():
    feedback = check_answer("cos(2x)", "x", "2 sin(2x)").feedback
    assert "∂cos(2x)/∂(2x) = -sin(2x)" in feedback


# (problem, a wrong answer, the feedback): the right and the slipped outcome in the form a lecturer writes, as our
# simplifier leaves them (-3/x^4, not -3x^2/(x^3)^2), whatever form the student's own answer has.
FEEDBACK = [
    ("1/x^3", "-3x^2/x^3", "At step 1 the quotient rule divides by the denominator squared: ∂(1/x^3)/∂x = -3/x^4, "
     "not -3/x; your answer -3x^2/x^3 divides by x^3 only once."),
    ("1/x^2", "2x/(x^2)^2", "At step 1 the quotient rule gives ∂(1/x^2)/∂x = -2/x^3: the derivative of the numerator "
     "comes first, not 2/x^3; your answer 2x/(x^2)^2 has the opposite sign."),
    ("(x^2)^3", "3(x^2)^2", "At step 1 the chain rule needs the inner derivative ∂(x^2)/∂x = 2x; your answer has "
     "3(x^2)^2 without it."),
    ("x^4", "4x^4", "At step 1 the exponent rule lowers the exponent by one: ∂(x^4)/∂x = 4x^3, not 4x^4; your answer "
     "4x^4 keeps the exponent."),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "answer", "feedback"), FEEDBACK, ids=[f"{e}:{a}" for e, a, _ in FEEDBACK])
def test_the_feedback_shows_the_lecturers_form(expr, answer, feedback):
    result = check_answer(expr, "x", answer)
    assert result.feedback == feedback
    assert not any("not simplified" in note for note in result.notes)  # a wrong answer is wrong, not unsimplified
