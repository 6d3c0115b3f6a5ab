"""The catalogue of elementary functions (functions.py): every layer knows every row, and each derivative is right."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest
import sympy
from stepcheck import check_invariants, check_values

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas.bridge import from_sympy, to_sympy
from derivsteps.cas.verification import verify
from derivsteps.checking.answers import check_answer, equivalent_expressions
from derivsteps.core.engine import first_match
from derivsteps.core.functions import BY_NAME, CATALOGUE, SPELLINGS
from derivsteps.core.numeric import evaluate
from derivsteps.core.rules import DIFF_RULES, ELEMENTARY, RULES_BY_NAME
from derivsteps.core.tree import Call, Deriv, Var
from derivsteps.language.mathlatex import GREEK_MACROS, to_latex
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse
from derivsteps.render.jsondoc import to_json
from derivsteps.render.latex import render_latex
from derivsteps.render.markdown import render_markdown
from derivsteps.render.text import render_text

X = Var("x")
NAMES = [f.name for f in CATALOGUE]

# A point inside every function's real domain (acosh needs x >= 1, atanh |x| < 1, asec |x| >= 1).
INSIDE = {"asin": Fraction(1, 3), "acos": Fraction(1, 3), "atanh": Fraction(1, 3)}
POINT = Fraction(5, 4)

# The argument each function is differentiated at, so that the sample points of verification and of the step checks
# (x in 0.3..1.7) stay inside its real domain: x^2 + 1 >= 1 for most, x/2 < 1 for those defined on (-1, 1); the
# functions of any real number get x - 1, which is negative for half the points (cbrt(x - 1) is a real root there).
ARGUMENTS = {"asin": "x/2", "acos": "x/2", "atanh": "x/2", "abs": "x - 1", "sgn": "x - 1", "cbrt": "x - 1"}

# The rule that differentiates each function of the variable itself: its own, but for those sharing a rule.
OWN_RULE = {"exp": "exp", "log": "ln"}


def _call(name: str, arg=X) -> Call:
    return Call(name, (arg,))


# -- every layer knows every function ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_the_rules_table_has_a_derivative_for_it(name):
    matched, _ = first_match(DIFF_RULES, Deriv(_call(name), X))
    assert matched.name == OWN_RULE.get(name, name)
    assert name in ELEMENTARY or name in OWN_RULE


@pytest.mark.parametrize("name", NAMES)
def test_the_bridge_and_the_evaluator_agree_on_its_value(name):
    point = INSIDE.get(name, POINT)
    ours = evaluate(_call(name), {X: point})
    theirs = complex(
        to_sympy(_call(name)).subs(sympy.Symbol("x"), sympy.Rational(point.numerator, point.denominator)).evalf(30)
    )
    assert abs(complex(ours) - theirs) < 1e-20
    assert mpmath.im(ours) == 0


@pytest.mark.parametrize("name", NAMES)
def test_the_latex_printer_uses_the_catalogue_macro(name):
    latex = to_latex(_call(name))
    macro = BY_NAME[name].latex
    if name == "abs":
        assert latex == r"\left|x\right|"
    elif name in ("sqrt", "cbrt"):
        assert latex == macro + "{x}"
    else:
        assert latex == macro + r"\left(x\right)"


def test_every_latex_macro_is_unambiguous():
    # A LaTeX reader reads each macro back to one function: none is shared, and none is a Greek variable (\sigma).
    macros = [f.latex for f in CATALOGUE]
    assert len(set(macros)) == len(macros)
    assert not set(macros) & set(GREEK_MACROS.values())
    assert len({to_latex(_call(name)) for name in NAMES}) == len(NAMES)


def test_a_squared_function_keeps_its_power_on_the_name_when_the_catalogue_says_so():
    assert to_latex(parse("sech(x)^2").expr) == r"\operatorname{sech}^{2}\left(x\right)"
    assert to_latex(parse("cbrt(x)^2").expr) == r"\sqrt[3]{x}^{2}"
    assert to_latex(parse("sigmoid(x)^2").expr) == r"\operatorname{sigmoid}\left(x\right)^{2}"


@pytest.mark.parametrize("name", NAMES)
def test_the_text_printer_reads_back(name):
    for tree in (_call(name), _call(name, parse("x^2 + 1").expr)):
        assert parse(to_text(tree)).expr == tree


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_each_spelling_parses_to_its_function(spelling):
    assert parse(f"{spelling}(x)").expr == _call(SPELLINGS[spelling])


def test_a_tight_run_of_letters_never_spells_a_function():
    # s·e·c·h as one-letter variables must not print as "sech", which reads back as the function.
    for word in ("sgn", "sign", "coth", "csch", "cbrt"):
        product = parse(" ".join(word)).expr
        assert parse(to_text(product)).expr == product, to_text(product)


# -- each derivative: right (SymPy), every step keeps the value (our evaluator), in every format -------------------------
@pytest.mark.parametrize("name", NAMES)
def test_the_derivative_is_verified_and_every_step_keeps_the_value(name):
    derivation = differentiate(f"{name}({ARGUMENTS.get(name, 'x^2 + 1')})", "x")
    assert OWN_RULE.get(name, name) in {step.rule for step in derivation.steps}
    assert "cas_fallback" not in {step.rule for step in derivation.steps}
    verdict = verify(derivation)
    assert verdict.verified is True, verdict
    check_invariants(derivation)
    assert check_values(derivation) > 0


@pytest.mark.parametrize("name", NAMES)
def test_every_format_shows_it(name):
    derivation = differentiate(f"{name}({ARGUMENTS.get(name, 'x^2 + 1')})", "x")
    shown = [
        render_text(derivation),
        render_latex(derivation),
        render_markdown(derivation),
        json.dumps(to_json(derivation)),
    ]
    for text in shown:
        assert "!p}" not in text  # no template field left unfilled
    assert "{" not in shown[0]


def test_the_sigmoid_law_is_the_lectures():
    rule = RULES_BY_NAME["sigmoid"]
    assert rule.law == "∂σ(x)/∂x = σ(x)(1 - σ(x))"
    assert rule.label == "derivative of sigmoid"
    assert to_text(differentiate("sigmoid(x)", "x").result) == "sigmoid(x) · (1 - sigmoid(x))"
    assert to_text(differentiate("softplus(x)", "x").result) == "sigmoid(x)"


def test_sgn_has_derivative_0_with_a_note_where_it_jumps():
    derivation = differentiate("sgn(x) x^2", "x")
    assert to_text(derivation.result) == "2x sgn(x)"
    assert "the derivative of sgn(x) does not exist where x = 0" in render_text(derivation)


def test_asec_of_a_compound_argument_explains_without_extra_brackets_inside_bars():
    text = render_text(differentiate("asec(x^2)", "x"), detail="full")
    assert "|(x^2)|" not in text


# -- the layers' own readings -----------------------------------------------------------------------------------------------
def test_the_evaluator_takes_the_real_cube_root_and_the_sign():
    assert evaluate(_call("cbrt"), {X: -8}) == -2
    assert evaluate(_call("sgn"), {X: Fraction(-1, 3)}) == -1
    assert evaluate(_call("sgn"), {X: 0}) == 0
    assert evaluate(_call("sigmoid"), {X: 0}) == Fraction(1, 2)
    assert abs(evaluate(_call("softplus"), {X: 0}) - mpmath.log(2)) < 1e-15


def test_the_bridge_builds_the_machine_learning_functions_by_their_definitions():
    x = sympy.Symbol("x")
    assert to_sympy(_call("sigmoid")) == 1 / (1 + sympy.exp(-x))
    assert to_sympy(_call("softplus")) == sympy.log(1 + sympy.exp(x))
    # the real cube root (cbrt(-8) = -2), as the evaluator computes it, not SymPy's complex principal root
    assert to_sympy(_call("cbrt")) == sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3)
    assert to_sympy(_call("sgn")) == sympy.sign(x)


@pytest.mark.parametrize(
    "name", [n for n in NAMES if n not in ("exp", "ln", "log", "sqrt", "cbrt", "sigmoid", "softplus")]
)
def test_sympys_answers_come_back_as_our_functions(name):
    assert from_sympy(to_sympy(_call(name))) == _call(name)


def test_the_checker_reads_cbrt_of_a_negative_number_as_the_real_root():
    # cbrt(x)^2 = cbrt(x^2) for every real x only with real roots (principal roots differ where x < 0).
    assert check_answer("cbrt(x)", "x", "1/(3 cbrt(x^2))").verdict == "correct"
    assert equivalent_expressions("cbrt(x)", "x^(1/3)").verdict == "correct"
    assert check_answer("sgn(x) x^2", "x", "2|x|").verdict == "correct"
    assert check_answer("sigmoid(x)", "x", "e^(-x)/(1 + e^(-x))^2").verdict == "correct"
