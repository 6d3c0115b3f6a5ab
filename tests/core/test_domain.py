"""Where an expression is defined: undefined input is refused with its position, every row of the table gives its
domain line, every renderer shows it, and on random trees the domain agrees with our evaluator."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import mpmath
import pytest
import sympy
from golden_util import deriv
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import diff_trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.checking.answers import check_answer
from derivsteps.checking.written import check_derivation
from derivsteps.core import domain
from derivsteps.core.domain import DEFINEDNESS, EVERYWHERE, conditions, is_inside
from derivsteps.core.errors import DerivError, InputError, UndefinedError
from derivsteps.core.functions import CATALOGUE
from derivsteps.core.numeric import EvaluationError, evaluate
from derivsteps.core.tree import Add, Call, Num, Pow, Var, walk
from derivsteps.language.parser import parse
from derivsteps.render.jsondoc import to_json
from derivsteps.render.latex import render_latex
from derivsteps.render.markdown import render_markdown
from derivsteps.render.text import condition_text, render_text

X = Var("x")


# -- undefined input: (input, message, column of the undefined part) ---------------------------------------------------
UNDEFINED = [
    ("1/0", "1/0 is undefined: division by zero", 1),
    ("0/0", "0/0 is undefined: division by zero", 1),
    ("ln(0)", "ln(0) is undefined: the logarithm needs a positive argument", 1),
    ("ln(-2)", "ln(-2) is undefined: the logarithm needs a positive argument", 1),
    ("sqrt(-4)", "sqrt(-4) is undefined: the square root needs an argument ≥ 0", 1),
    ("(-8)^(1/2)", "(-8)^(1/2) is undefined: an even root needs a base ≥ 0", 1),
    ("0^(-1)", "0^(-1) is undefined: a negative power divides by its base", 1),
    ("asin(2)", "asin(2) is undefined: asin needs an argument between -1 and 1", 1),
    ("tan(pi/2)", "tan(pi/2) is undefined: tan(u) = sin(u)/cos(u) needs cos(u) ≠ 0, since cos(π/2) = 0", 1),
    ("x/0", "x/0 is undefined: division by zero", 1),
    ("(x+1)/(2-2)", "(x+1)/(2-2) is undefined: division by zero, since 2-2 = 0", 1),
    ("1/(x - x)", "1/(x - x) is undefined: division by zero, since x - x = 0 for every x", 1),
    ("ln(x - x)", "ln(x - x) is undefined: the logarithm needs a positive argument, since x - x = 0 for every x", 1),
    # the undefined part inside a larger input, innermost first
    ("x^2 + ln(1/0)", "1/0 is undefined: division by zero", 10),
    ("3x^2 + 1/0", "1/0 is undefined: division by zero", 8),
    (
        "x - (y - y)^(-1)",
        "(y - y)^(-1) is undefined: a negative power divides by its base, since y - y = 0 for every y",
        5,
    ),
    ("(x - x)/(x - x)", "(x - x)/(x - x) is undefined: division by zero, since x - x = 0 for every x", 1),
    (
        "1/(sin(x)^2 + cos(x)^2 - 1)",
        "1/(sin(x)^2 + cos(x)^2 - 1) is undefined: division by zero, since sin(x)^2 + cos(x)^2 - 1 = 0 for every x",
        1,
    ),
    ("sec(3pi/2) + x", "sec(3pi/2) is undefined: sec(u) = 1/cos(u) needs cos(u) ≠ 0, since cos(3π/2) = 0", 1),
    ("cot(0)", "cot(0) is undefined: cot(u) = cos(u)/sin(u) needs sin(u) ≠ 0, since sin(0) = 0", 1),
    ("log(x, 1)", "log(x, 1) is undefined: the base of a logarithm must be positive and not 1", 1),
    ("acosh(0.5)", "acosh(0.5) is undefined: acosh needs an argument ≥ 1", 1),
    ("0^0", "0^0 is undefined: 0 to a power needs a positive exponent", 1),
    ("y = 1/0", "1/0 is undefined: division by zero", 5),
    (r"\frac{1}{0}", r"\frac{1}{0} is undefined: division by zero", 1),
    (r"x + \ln\left(0\right)", r"\ln\left(0\right) is undefined: the logarithm needs a positive argument", 5),
]


@pytest.mark.parametrize(("text", "message", "column"), UNDEFINED, ids=[case[0] for case in UNDEFINED])
def test_undefined_input_is_refused_with_its_position(text, message, column):
    with pytest.raises(UndefinedError) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, InputError) and error.kind == "undefined"
    assert error.message == message
    assert error.position.column == column
    assert str(error).startswith(f"{message} (column {column})\n")


# Defined, though each is near a row of the table: nothing to refuse.
DEFINED = ["1/(x - 1)", "ln(e)", "1/ln(2)", "x^(1/3)", "(-8)^(1/3)", "0^2", "sqrt(0)", "tan(pi/4)", "ln(2 - 1)", "1/(e - 3)",
           "asin(1)", "acosh(1)", "x/(x - 0.5)", "0^x", "2^x", "1/(x^2 + 1)", "ln(x - y)", "cot(pi/2)"]  # fmt: skip


@pytest.mark.parametrize("text", DEFINED)
def test_defined_input_is_read(text):
    assert parse(text).expr is not None


def test_equations_are_checked_on_both_sides():
    from derivsteps.language.parser import parse_equation

    with pytest.raises(UndefinedError, match=r"^ln\(0\) is undefined"):
        parse_equation("x^2 + y^2 = ln(0)")


def test_a_tree_is_checked_without_positions():
    with pytest.raises(UndefinedError) as caught:
        domain.check_defined(Add((X, Call("ln", (Num(0),)))))
    assert caught.value.message == "ln(0) is undefined: the logarithm needs a positive argument"
    assert caught.value.position is None


def test_the_command_line_refuses_undefined_input(capsys):
    code, out, err = deriv(capsys, "1/0", "--wrt", "x")
    assert code == 2 and out == ""
    assert err.startswith("error: 1/0 is undefined: division by zero (column 1)\n")
    code, out, _ = deriv(capsys, "1/0", "--wrt", "x", "--format", "json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["kind"] == "undefined" and error["message"] == "1/0 is undefined: division by zero"
    assert error["position"] == {"offset": 0, "line": 1, "column": 1}


def test_an_undefined_answer_is_invalid(capsys):
    verdict = check_answer("x^3", "x", "3x^2 + 1/0")
    assert verdict.verdict == "invalid"
    assert "1/0 is undefined: division by zero (column 8)" in verdict.feedback
    code, out, _ = deriv(capsys, "check", "x^3", "--wrt", "x", "--answer", "3x^2 + 1/0")
    assert code == 2 and out.startswith(
        "! invalid: cannot read the answer: 1/0 is undefined: division by zero (column 8)"
    )


def test_a_written_line_that_is_undefined_is_invalid():
    report = check_derivation("d/dx x^3\n= 3x^2 + 1/0\n")
    line = report.lines[1]
    assert line.verdict == "invalid" and report.verdict == "invalid"
    assert "1/0 is undefined: division by zero (column 10)" in line.feedback


# -- the table ------------------------------------------------------------------------------------------------------------
def test_every_function_has_a_row_or_is_defined_everywhere():
    with_rows = {row.on for row in DEFINEDNESS if isinstance(row.on, str)}
    names = {function.name for function in CATALOGUE}
    assert names == with_rows | EVERYWHERE
    assert not with_rows & EVERYWHERE


# One example per row: (input, its conditions, the derivation's domain line by x; None: no line).
ROW_EXAMPLES = {
    "division": ("1/(x - 1)", "x ≠ 1", "x ≠ 1"),
    "negative_power": ("x^(-2)", "x ≠ 0", "x ≠ 0"),
    "power_zero": ("x^0", "x ≠ 0", "x ≠ 0"),
    "zero_base": ("0^y + x", "y > 0", "y > 0"),  # by x: the rule for 0^x itself is issue 13's exponential rule
    "even_root": ("x^(3/2)", "x ≥ 0", "x ≥ 0"),
    "even_root_below_one": ("x^(1/2)", "x ≥ 0", "x > 0"),
    "even_root_negative": ("x^(-1/2)", "x > 0", "x > 0"),
    "odd_root_below_one": ("x^(1/3)", "", "x ≠ 0"),
    "real_power": ("x^x", "x > 0", "x > 0"),
    "ln": ("ln(x)", "x > 0", "x > 0"),
    "log": ("log(x, 2)", "x > 0", "x > 0"),
    "log_base": ("log(3, x)", "x > 0, x ≠ 1", "x > 0, x ≠ 1"),
    "sqrt": ("sqrt(x)", "x ≥ 0", "x > 0"),
    "cbrt": ("cbrt(x)", "", "x ≠ 0"),
    "asin": ("asin(x)", "-1 ≤ x ≤ 1", "-1 < x < 1"),
    "acos": ("acos(x)", "-1 ≤ x ≤ 1", "-1 < x < 1"),
    "asec": ("asec(x)", "|x| ≥ 1", "|x| > 1"),
    "acsc": ("acsc(x)", "|x| ≥ 1", "|x| > 1"),
    "acosh": ("acosh(x)", "x ≥ 1", "x > 1"),
    "atanh": ("atanh(x)", "-1 < x < 1", "-1 < x < 1"),
    "tan": ("tan(x)", "cos(x) ≠ 0", "cos(x) ≠ 0"),
    "sec": ("sec(x)", "cos(x) ≠ 0", "cos(x) ≠ 0"),
    "cot": ("cot(x)", "sin(x) ≠ 0", "sin(x) ≠ 0"),
    "csc": ("csc(x)", "sin(x) ≠ 0", "sin(x) ≠ 0"),
    "coth": ("coth(x)", "x ≠ 0", "x ≠ 0"),
    "csch": ("csch(x)", "x ≠ 0", "x ≠ 0"),
    "abs": ("|x|", "", "x ≠ 0"),
    "sgn": ("sgn(x)", "", "x ≠ 0"),
    "acot": ("acot(x)", "", "x ≠ 0"),
}


def test_every_row_has_an_example():
    assert set(ROW_EXAMPLES) == {row.name for row in DEFINEDNESS}


def _shown(found) -> str:
    return ", ".join(condition_text(condition) for condition in found)


@pytest.mark.parametrize("row", ROW_EXAMPLES)
def test_each_row_gives_its_conditions_and_domain_line(row):
    text, of_input, line = ROW_EXAMPLES[row]
    assert _shown(conditions(parse(text).expr)) == of_input
    derivation = differentiate(text, "x")
    assert _shown(derivation.domain) == line
    assert f"\ndomain: {line}\n" in render_text(derivation)


# Conditions as a student writes them: numbers on the right, merged per variable, squares undone where exact.
WRITTEN = [
    ("ln(x) + 1/(x - 1)", "x > 0, x ≠ 1"),
    ("ln(x) + ln(x - 1)", "x > 1"),
    ("1/(x^2 - 1)", "x ≠ -1, x ≠ 1"),
    ("1/(2 - x)", "x ≠ 2"),
    ("ln(2x - 4)", "x > 2"),
    ("sqrt(1 - x^2)", "-1 < x < 1"),
    ("1/ln(x)", "x > 0, x ≠ 1"),
    ("asin(2x)", "-1/2 < x < 1/2"),
    ("x^2 sin(x)", ""),
    ("ln(x^2 + 1)", ""),
    ("sqrt(x^2 + 1) + e^x + 1/(1 + e^x)", ""),
    ("ln(sin(x))", "sin(x) > 0"),
    ("1/(x y)", "x ≠ 0, y ≠ 0"),
]


@pytest.mark.parametrize(("text", "line"), WRITTEN, ids=[case[0] for case in WRITTEN])
def test_conditions_are_written_simply(text, line):
    assert _shown(differentiate(text, "x").domain) == line


def test_a_cancelled_factor_keeps_its_condition():
    # The result of the first simplifies to a form without the factor x - 1, and that of the second to 0.
    assert _shown(differentiate("(x^2 - 1)/(x - 1)", "x", simplify="full").domain) == "x ≠ 1"
    derivation = differentiate("x/x", "x")
    assert _shown(conditions(derivation.result)) == ""
    assert _shown(derivation.domain) == "x ≠ 0"


def test_only_the_variable_of_a_derivative_adds_its_conditions():
    # |y| by x is the constant rule: y ≠ 0 is not needed.
    assert _shown(differentiate("|y| + x", "x").domain) == ""
    assert _shown(differentiate("|y| + x", "y").domain) == "y ≠ 0"


# -- every renderer --------------------------------------------------------------------------------------------------------
def test_text_and_ascii_show_the_domain_under_the_result():
    derivation = differentiate("ln(x) + 1/(x - 1)", "x")
    assert render_text(derivation, steps=False).splitlines()[-1] == "domain: x > 0, x ≠ 1"
    assert render_text(derivation, steps=True, ascii=True).splitlines()[-1] == "domain: x > 0, x != 1"
    assert "domain" not in render_text(differentiate("x^2", "x"))


def test_latex_writes_the_domain_after_the_result():
    assert render_latex(differentiate("ln(x) + 1/(x - 1)", "x"), steps=False) == (
        "\\begin{align*}\n% read as: ln(x) + 1/(x - 1)\n"
        "& \\frac{\\partial}{\\partial x}\\left(\\ln\\left(x\\right) + \\frac{1}{x - 1}\\right) \\\\\n"
        "&= \\frac{1}{x} - \\frac{1}{\\left(x - 1\\right)^{2}} \\quad (x > 0, x \\neq 1)\n\\end{align*}\n"
    )
    steps = render_latex(differentiate("sqrt(x)", "x"), steps=True)
    assert "&= \\frac{1}{2 \\sqrt{x}} \\quad (x > 0) && \\text{derivative of sqrt}" in steps
    assert "\\quad" not in render_latex(differentiate("x^2", "x"))


def test_markdown_has_a_domain_line():
    out = render_markdown(differentiate("asin(x)", "x"))
    assert "\n$$\n\ndomain: $-1 < x < 1$\n" in out
    assert "domain" not in render_markdown(differentiate("x^2", "x"))


def test_json_lists_the_domain_with_text_latex_and_sympy():
    document = to_json(differentiate("ln(x) + 1/(x - 1) + asec(y)", "x"))
    assert document["domain"] == [
        {"text": "x > 0", "latex": "x > 0", "sympy": "x > 0"},
        {"text": "x ≠ 1", "latex": "x \\neq 1", "sympy": "Ne(x, 1)"},
        {"text": "|y| ≥ 1", "latex": "\\left|y\\right| \\geq 1", "sympy": "Abs(y) >= 1"},
    ]
    chain = to_json(differentiate("asin(x)", "x"))["domain"][0]["sympy"]
    assert chain == "(-1 < x) & (x < 1)"
    read = sympy.parse_expr(chain)
    assert [read.subs(sympy.Symbol("x"), value) for value in (-2, 0, 1)] == [sympy.false, sympy.true, sympy.false]
    assert to_json(differentiate("x^2", "x"))["domain"] == []
    assert to_json(differentiate("ln(x)", "x"), with_sympy=False)["domain"] == [
        {"text": "x > 0", "latex": "x > 0", "sympy": None}
    ]


@pytest.mark.parametrize("fmt", ["text", "rich", "latex", "markdown", "json"])
def test_every_format_of_deriv_shows_the_domain(capsys, fmt):
    for steps in ([], ["--steps"]):
        code, out, _ = deriv(capsys, "ln(x)", "--wrt", "x", "--no-verify", "--format", fmt, *steps)
        assert code == 0
        expected = {
            "text": "domain: x > 0",
            "rich": "domain: x > 0",
            "latex": "\\quad (x > 0)",
            "markdown": "domain: $x > 0$",
        }
        if fmt == "json":
            assert json.loads(out)["domain"] == [{"text": "x > 0", "latex": "x > 0", "sympy": None}]
        else:
            assert expected[fmt] in out


# -- the domain agrees with our evaluator on random trees ----------------------------------------------------------------
# Errors of the evaluator that say nothing about where the expression is defined.
_NOT_DOMAIN = ("too large", "digits", "abstract", "needs the data", "no value given", "cannot evaluate")
# Points per tree, drawn in [-POINT_RANGE, POINT_RANGE].
POINTS = 6
POINT_RANGE = 3


def _value(expr, point):
    """ "real", "undefined" (no value, or not real), or None when the evaluator cannot tell (a number too large)."""
    try:
        value = evaluate(expr, point)
    except EvaluationError as error:
        return None if any(words in error.message for words in _NOT_DOMAIN) else "undefined"
    # 80 digits are worked: a value with no complex part on the way has none at all, a cancelled one far below this.
    return "real" if abs(value.imag) <= 1e-60 * abs(value) and mpmath.isfinite(value.real) else "undefined"


def _negative_base_of_a_variable_power(tree) -> bool:
    """(-2)^x: real only where x is an integer, which the domain leaves to the exponential rule (no condition)."""
    for _, node in walk(tree):
        if (
            isinstance(node, Pow)
            and domain._exponent(node.exp) is None
            and not any(isinstance(n, Var) for _, n in walk(node.base))
        ):
            value = _value_or_none(node.base, {})
            if value is None or value <= 0:
                return True
    return False


def _constant_in_disguise(tree, rng) -> bool:
    """An exponent that is written with a variable but is constant (y^0, 0x): the domain reads it as a variable
    exponent and asks for a positive base, which is more than a power with a constant exponent needs."""
    for _, node in walk(tree):
        if isinstance(node, Pow) and domain._exponent(node.exp) is None:
            values = {_value_or_none(node.exp, _point(node.exp, rng)) for _ in range(3)}
            if len(values) == 1 and None not in values:
                return True
    return False


def _value_or_none(expr, point):
    try:
        return complex(evaluate(expr, point)).real.__round__(12)
    except EvaluationError:
        return None


def _point(expr, rng):
    return {
        var: Fraction(rng.randint(-1000 * POINT_RANGE, 1000 * POINT_RANGE), 1000)
        for _, var in walk(expr)
        if isinstance(var, Var)
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tree=diff_trees, seed=st.integers(0, 2**32 - 1))
def test_the_domain_agrees_with_the_evaluator(tree, seed):
    """Where the domain says "defined", the input and its derivative have finite real values; at a point outside it,
    some part of the input or of the derivative (as the rules wrote it, or simplified) has none."""
    rng = random.Random(seed)
    assume(not _negative_base_of_a_variable_power(tree) and not _constant_in_disguise(tree, rng))
    try:
        derivation = differentiate(tree, X)
    except DerivError:
        assume(False)
    found = derivation.domain
    unsimplified = [step.after for step in derivation.steps if step.phase != "simplify"]
    names = {var for expr in (tree, derivation.result) for _, var in walk(expr) if isinstance(var, Var)} | {X, Var("y")}
    for _ in range(POINTS):
        point = {var: Fraction(rng.randint(-1000 * POINT_RANGE, 1000 * POINT_RANGE), 1000) for var in names}
        inside = is_inside(found, point)
        if inside:
            for expr in (tree, derivation.result):
                assert _value(expr, point) != "undefined", (expr, point, found)
        elif inside is False:
            parts = [node for expr in (tree, *unsimplified, derivation.result) for _, node in walk(expr)]
            # The evaluator works out log(u, b) as ln(u)/ln(b) in complex numbers, real again for log(y, y) at y < 0.
            parts += [
                Call("ln", (arg,)) for part in parts if isinstance(part, Call) and part.fn == "log" for arg in part.args
            ]
            assert any(_value(part, point) == "undefined" for part in parts), (point, found)
