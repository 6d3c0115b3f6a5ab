"""The mistake catalogue: each slip diagnosed from realistic wrong answers, and never pinned on a right one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import diff_trees

from derivsteps.checking.answers import check_answer
from derivsteps.checking.mistakes import MISTAKES, MISTAKES_BY_ID, Diagnosis, bracketed_readings, diagnose

# (mistake id, problem, variable, a wrong answer as a student types it)
WRONG = [
    ("missing_brackets", "ln(x^2 + 1)", "x", "2x/x^2+1"),
    ("missing_brackets", "e^(2x)", "x", "2e^2x"),
    ("missing_brackets", "ln(x)/2", "x", "1/2x"),
    ("missing_brackets", "sqrt(x)", "x", "1/2sqrt(x)"),
    ("missing_brackets", "ln(x^2 - 1)", "x", "f'(x) = 2x/x^2-1"),
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
    ("quotient_numerator_reversed", "x/(x^2 + 1)", "x", "(2x^2 - (x^2 + 1))/(x^2 + 1)^2"),
    ("quotient_sign_plus", "x/(x^2 + 1)", "x", "(x^2 + 1 + 2x^2)/(x^2 + 1)^2"),
    ("quotient_sign_plus", "sin(x)/x", "x", "(x cos(x) + sin(x))/x^2"),
    ("quotient_sign_plus", "x^2/(x + 1)", "x", "(2x(x + 1) + x^2)/(x + 1)^2"),
    ("quotient_denominator_not_squared", "x/(x + 1)", "x", "1/(x + 1)"),
    ("quotient_denominator_not_squared", "sin(x)/x", "x", "(x cos(x) - sin(x))/x"),
    ("exp_as_power", "e^x", "x", "x e^(x - 1)"),
    ("exp_as_power", "2^x + x^2", "x", "2^(x - 1) x + 2x"),
    ("exp_as_power", "2^x", "x", "x*2^(x-1)"),
    ("exp_as_power", "10^x", "x", "x·10^(x - 1)"),
    ("cos_sign", "cos(x)", "x", "sin(x)"),
    ("cos_sign", "x^2 + cos(x)", "x", "2x + sin(x)"),
    ("cos_sign", "cos(3x)", "x", "3 sin(3x)"),
    ("term_sign_flipped", "x^2 - 3x", "x", "2x + 3"),
    ("term_sign_flipped", "5 - x^2", "x", "2x"),
    ("term_sign_flipped", "x^3 - 2x^2 - 5x", "x", "3x^2 - 4x + 5"),
    ("term_sign_flipped", "x^3 + 2x", "x", "3x^2 - 2"),
    ("term_sign_flipped", "sin(x^2 - 3x)", "x", "cos(x^2 - 3x)(2x + 3)"),
    ("term_sign_flipped", "-x^2", "x", "2x"),  # a minus outside any sum
    ("term_sign_flipped", "sin(-x^2)", "x", "2x cos(-x^2)"),
    ("constant_term_kept", "x^2 + 3", "x", "2x + 3"),
    ("constant_term_kept", "x^3 - 5", "x", "3x^2 - 5"),
    ("held_constant_differentiated", "x^2 + b^2", "x", "2x + 2b"),
    ("held_constant_differentiated", "b x", "x", "x + b"),
    ("wrong_variable", "x^2 y", "x", "x^2"),
    ("wrong_variable", "x^2 + x y^2", "x", "2x y"),
    ("variable_misnamed", "x^2", "x", "2X"),
    ("variable_misnamed", "x^2", "x", "2t"),
    ("variable_misnamed", "x^2 y", "x", "2t y"),
    ("variable_misnamed", "sin(x)", "x", "cos(X)"),
    ("integrated_instead", "2x", "x", "x^2"),
    ("integrated_instead", "sin(x)", "x", "-cos(x)"),
    ("integrated_instead", "e^(2x)", "x", "e^(2x)/2"),
]

# (mistake id whose problem it is, problem, variable, a right answer, often in another form than ours)
RIGHT = [
    ("missing_brackets", "ln(x^2 + 1)", "x", "2x/(x^2+1)"),
    ("missing_brackets", "e^(2x)", "x", "2e^(2x)"),
    ("missing_brackets", "2ln(x)", "x", "2x/x^2"),
    ("missing_brackets", "x^3/3 + x", "x", "x^2+1"),
    ("data_factor_dropped", "sum_i (s a_i - y_i)^2", "s", "sum_i (2 a_i (s a_i - y_i))"),
    ("ln_without_inner", "ln(x^2)", "x", "2/x"),
    ("chain_inner_forgotten", "(x^2 + 1)^3", "x", "6x (x^2 + 1)^2"),
    ("exponent_not_reduced", "x^3", "x", "3 x x"),
    ("product_of_derivatives", "x^2 sin(x)", "x", "x (2 sin(x) + x cos(x))"),
    ("quotient_numerator_reversed", "x/(x + 1)", "x", "1/(x + 1)^2"),
    ("quotient_sign_plus", "x/(x^2 + 1)", "x", "(1 - x^2)/(x^2 + 1)^2"),
    ("quotient_sign_plus", "sin(x)/x", "x", "(x cos(x) - sin(x))/x^2"),
    ("quotient_denominator_not_squared", "sin(x)/x", "x", "cos(x)/x - sin(x)/x^2"),
    ("exp_as_power", "e^x", "x", "exp(x)"),
    ("exp_as_power", "2^x", "x", "2^x ln(2)"),
    ("cos_sign", "cos(x)", "x", "-sin(x)"),
    ("term_sign_flipped", "x^2 - 3x", "x", "2x - 3"),
    ("term_sign_flipped", "5 - x^2", "x", "-2x"),
    ("term_sign_flipped", "-x^2", "x", "-2x"),
    ("term_sign_flipped", "x - 3", "x", "1"),  # flipping the constant's sign changes nothing: no slip
    ("constant_term_kept", "x^2 + 3", "x", "x + x"),
    ("held_constant_differentiated", "x^2 + b^2", "x", "2x + 0"),
    ("wrong_variable", "x^2 y", "x", "2 y x"),
    ("wrong_variable", "(x + y)^2", "x", "2(x + y)"),  # the derivative by y is the same: still right
    ("variable_misnamed", "x^2", "x", "2x"),
    ("variable_misnamed", "x^2 + C", "x", "2x"),
    ("integrated_instead", "x^2", "x", "2x"),
    ("integrated_instead", "e^x", "x", "e^x"),  # its own antiderivative
]


# The slips of typing, whose feedback is about the answer as typed, not a step of the derivation.
TYPED = ("missing_brackets", "variable_misnamed")


@pytest.mark.parametrize(("mistake", "expr", "wrt", "answer"), WRONG, ids=[f"{m}:{e}" for m, e, _, _ in WRONG])
def test_a_wrong_answer_is_diagnosed(mistake, expr, wrt, answer):
    found = diagnose(expr, wrt, answer)
    assert isinstance(found, Diagnosis), f"{answer!r} for {expr!r} was not diagnosed"
    assert found.mistake == mistake, found.feedback
    assert found.description == MISTAKES_BY_ID[mistake].description
    assert "?" not in found.feedback
    # a slip of the rules points at a step; a slip of typing (the brackets, a variable's name) at the answer itself
    assert found.feedback.startswith("Your answer " if mistake in TYPED else "At step "), found.feedback


@pytest.mark.parametrize(("mistake", "expr", "wrt", "answer"), RIGHT, ids=[f"{m}:{e}" for m, e, _, _ in RIGHT])
def test_a_right_answer_never_gets_a_mistake(mistake, expr, wrt, answer):
    assert diagnose(expr, wrt, answer) is None


def test_every_mistake_has_wrong_and_right_cases():
    ids = [mistake.id for mistake in MISTAKES]
    assert all(sum(m == i for m, *_ in WRONG) >= 2 for i in ids)
    assert {m for m, *_ in RIGHT} == set(ids)


def test_the_catalogue_order_is_pinned():
    # Specific before general: data_factor_dropped and ln_without_inner are narrower cases of chain_inner_forgotten.
    # missing_brackets first: an answer that is right once bracketed as meant is explained by no slip of the rules.
    # cos_sign before term_sign_flipped: for x^2 + cos(x) answered 2x + sin(x) both reproduce it, cos_sign says more.
    assert [mistake.id for mistake in MISTAKES] == [
        "missing_brackets", "data_factor_dropped", "ln_without_inner", "chain_inner_forgotten",
        "exponent_not_reduced", "product_of_derivatives", "quotient_numerator_reversed", "quotient_sign_plus",
        "quotient_denominator_not_squared", "exp_as_power", "cos_sign", "term_sign_flipped", "constant_term_kept",
        "held_constant_differentiated", "wrong_variable", "variable_misnamed", "integrated_instead",
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


# -- never a right answer --------------------------------------------------------------------------------------------------
def _replays(expr, wrt: str, answer, text: str | None):
    """What each mistake's replay says of the answer, called directly: diagnose asks first whether the answer is
    right, but each replay must refuse a right answer on its own too."""
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.checking.mistakes import _REPLAYS, _Asked, _replay_table

    correct = differentiate(expr, wrt)
    asked = _Asked((), (), text)
    return {m.id: _REPLAYS.get(m.id, _replay_table)(m, correct, answer, asked) for m in MISTAKES}


@pytest.mark.parametrize(("mistake", "expr", "wrt", "answer"), RIGHT, ids=[f"{m}:{e}:{a}" for m, e, _, a in RIGHT])
def test_no_replay_names_a_slip_in_a_right_answer(mistake, expr, wrt, answer):
    from derivsteps.language.parser import parse

    found = _replays(expr, wrt, parse(answer).expr, answer)
    assert not {m: d.feedback for m, d in found.items() if d is not None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(diff_trees)
def test_our_own_derivative_is_never_given_a_mistake(tree):
    """Whatever the problem: its derivative, as our engine writes it and typed back as text, gets no mistake from any
    replay (the new ones too: the brackets re-read, each term's sign flipped, the variables renamed)."""
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.core.errors import DerivError
    from derivsteps.language.mathtext import to_text
    from derivsteps.language.parser import parse

    try:
        text = to_text(differentiate(tree, "x").result)
        answer = parse(text).expr
        found = _replays(tree, "x", answer, text)
    except DerivError:
        return
    assert not {m: d.feedback for m, d in found.items() if d is not None}, text


def test_the_term_whose_sign_flipped_is_named():
    found = diagnose("x^2 - 3x", "x", "2x + 3")
    assert found.feedback == (
        "At step 1 each term keeps its sign: ∂(x^2 - 3x)/∂x = 2x - 3, not 2x + 3; your answer 2x + 3 has the "
        "opposite sign for the derivative of 3x."
    )
    assert diagnose("x^2 + cos(x)", "x", "2x + sin(x)").mistake == "cos_sign"  # the narrower name first


# -- missing brackets ------------------------------------------------------------------------------------------------------
def test_the_readings_put_brackets_around_one_operand_of_a_slash_or_a_caret():
    assert bracketed_readings("1/2x") == [("1/(2x)", "denominator")]
    assert bracketed_readings("e^2x") == [("e^(2x)", "exponent")]
    assert ("2x/(x^2+1)", "denominator") in bracketed_readings("2x/x^2+1")
    assert ("(x+1)/(x-1)", "numerator and denominator") in bracketed_readings("x+1/x-1")
    assert ("e^(2x) sin(x)", "exponent") in bracketed_readings("e^2x sin(x)")  # a space ends an operand too
    assert bracketed_readings("dy/dx = 1/2x") == [("dy/dx = 1/(2x)", "denominator")]  # the left side as typed
    assert bracketed_readings("x^2") == bracketed_readings("e^(2x)") == bracketed_readings("2x + 1") == []
    assert bracketed_readings(r"\frac{1}{2x}") == []  # LaTeX says where its operands end


def test_missing_brackets_feedback_shows_the_bracketed_form_and_agrees_with_the_reading_note():
    result = check_answer("e^(2x)", "x", "2e^2x")
    assert result.mistake == "missing_brackets"
    assert result.feedback == (
        "Your answer 2e^2x reads as 2e^2 x; with brackets, 2e^(2x) is right: put brackets around the exponent."
    )
    assert any("read e^2x as e^2·x" in note and "e^(2x)" in note for note in result.notes)  # the parser's note
    result = check_answer("ln(x^2 + 1)", "x", "2x/x^2+1")
    assert result.mistake == "missing_brackets" and "2x/(x^2+1) is right" in result.feedback
    assert "around the denominator" in result.feedback


def test_an_answer_wrong_even_with_brackets_is_not_missing_brackets():
    assert check_answer("e^(2x)", "x", "e^2x").mistake != "missing_brackets"  # e^(2x) still lacks the factor 2
    assert diagnose("ln(x^2 + 1)", "x", "2x/(x^2+1)") is None  # right as typed


def test_a_tree_without_its_text_is_never_re_read():
    from derivsteps.language.parser import parse

    assert diagnose("e^(2x)", "x", parse("2e^2x").expr) is None  # no text: no readings to try
    assert diagnose("e^(2x)", "x", parse("2e^2x").expr, text="2e^2x").mistake == "missing_brackets"


# -- a variable's name ---------------------------------------------------------------------------------------------------
def test_a_variable_in_the_wrong_case_is_said_to_be_case_sensitive():
    assert diagnose("x^2", "x", "2X").feedback == (
        "Your answer 2X is written in X, but the problem's variable is x (names are case-sensitive: X is not x); "
        "with x in place of X it is right."
    )
    assert diagnose("x^2", "x", "2t").feedback == (
        "Your answer 2t is written in t, but the problem's variable is x; with x in place of t it is right."
    )
    assert diagnose("x^2", "x", "3X") is None  # renamed, still wrong: no name for that
