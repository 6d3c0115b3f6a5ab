"""The input language of issue 2, bullet by bullet: each input, the exact tree it is read as, its canonical display and its notes."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest
from lark import Lark

import derivsteps
from derivsteps.core.tree import Add, Apply, Call, Const, Deriv, Div, Mul, Neg, Num, Pow, Sum, Var
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import Parsed, _TokenFeed, grammar_text, parse

x, y, z, a, b, c, t = (Var(name) for name in "xyzabct")
e, pi = Const("e"), Const("pi")


def n(value: int) -> Num:
    return Num(value)


def dec(text: str) -> Num:
    return Num(Fraction(text), text)


def fn(name: str, *args) -> Call:
    return Call(name, args)


def sub(left, right) -> Add:
    return Add((left, Neg(right)))


def case(text, tree, shown=None, warnings=(), **declared):
    """One row: input, tree, canonical display (the input itself when None), the exact warnings, and declared names."""
    return pytest.param(text, tree, text if shown is None else shown, tuple(warnings), declared, id=text)


def check(text, tree, shown, warnings, declared):
    parsed = parse(text, **declared)
    assert parsed.expr == tree
    assert parsed.read_as == shown
    assert str(parsed) == shown
    assert to_text(parsed.expr) == shown
    assert parsed.warnings == warnings
    assert parsed.text == text


ROW = "text, tree, shown, warnings, declared"

# -- numbers: integers, decimals kept exact and displayed as typed, 1/2, e, pi/π ----------------------------------------
NUMBERS = [
    case("7", n(7)),
    case("42", n(42)),
    case("0.01", dec("0.01")),
    case("2.50", dec("2.50")),
    case(".5", dec(".5")),
    case("0.5x", Mul((dec("0.5"), x))),
    case("1/2", Div(n(1), n(2))),
    case("e", e),
    case("pi", pi, "π"),
    case("π", pi),
    case("2pi", Mul((n(2), pi)), "2π"),
    case("e^x", Pow(e, x)),
]


@pytest.mark.parametrize(ROW, NUMBERS)
def test_numbers(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


def test_decimals_are_exact():
    assert parse("0.1").expr.value == Fraction(1, 10)
    assert parse("0.1 + 0.2").expr == Add((dec("0.1"), dec("0.2")))


# -- variables: letters, letter + digits, subscripts, Greek names and letters --------------------------------------------
VARIABLES = [
    case("x", x),
    case("x1", Var("x1")),
    case("a_i", Var("a", "i")),
    case("h_i", Var("h", "i")),
    case("x_1", Var("x", "1")),
    case("w_{ij}", Var("w", "ij")),
    case("x_1 + x_2", Add((Var("x", "1"), Var("x", "2")))),
    case("a_i h_i", Mul((Var("a", "i"), Var("h", "i")))),
    case("x_1^2", Pow(Var("x", "1"), n(2))),
    case("alpha", Var("alpha"), "α"),
    case("theta", Var("theta"), "θ"),
    case("eta", Var("eta"), "η"),
    case("omega", Var("omega"), "ω"),
    case("theta^2", Pow(Var("theta"), n(2)), "θ^2"),
    case("θ", Var("theta")),
    case("η", Var("eta")),
]


@pytest.mark.parametrize(ROW, VARIABLES)
def test_variables(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- operators: + - * / ^ ** (right-associative), unary minus below power, brackets --------------------------------------
OPERATORS = [
    case("x + y", Add((x, y))),
    case("x - y", sub(x, y)),
    case("x - y - z", Add((x, Neg(y), Neg(z)))),
    case("x*y", Mul((x, y)), "xy"),
    case("x/y", Div(x, y)),
    case("x/y/z", Div(Div(x, y), z)),
    case("x/(y/z)", Div(x, Div(y, z))),
    case("x^2", Pow(x, n(2))),
    case("x**2", Pow(x, n(2)), "x^2"),
    case("x^y^z", Pow(x, Pow(y, z)), "x^(y^z)", warnings=["read x^y^z as x^(y^z): powers group from the right"]),
    case("x**y**z", Pow(x, Pow(y, z)), "x^(y^z)", warnings=["read x^y^z as x^(y^z): powers group from the right"]),
    case(
        "2^3^2", Pow(n(2), Pow(n(3), n(2))), "2^(3^2)", warnings=["read 2^3^2 as 2^(3^2): powers group from the right"]
    ),
    case("x^-1", Pow(x, Neg(n(1))), "x^(-1)"),
    case("-x", Neg(x)),
    case("-x^2", Neg(Pow(x, n(2)))),
    case("--x", Neg(Neg(x)), "-(-x)"),
    case("x - -y", Add((x, Neg(Neg(y)))), "x - (-y)"),
    case("(x+1)^2", Pow(Add((x, n(1))), n(2)), "(x + 1)^2"),
    case("[x+1]^2", Pow(Add((x, n(1))), n(2)), "(x + 1)^2"),
    case("[x+1]*(x-1)", Mul((Add((x, n(1))), sub(x, n(1)))), "(x + 1) · (x - 1)"),
    # Parentheses keep the user's grouping: (x + y) + z is not flattened into x + y + z.
    case("(x + y) + z", Add((Add((x, y)), z))),
    case("x + (y + z)", Add((x, Add((y, z))))),
    case("(2x)y", Mul((Mul((n(2), x)), y))),
]


@pytest.mark.parametrize(ROW, OPERATORS)
def test_operators(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- implicit multiplication as in the lecture notes ---------------------------------------------------------------------
IMPLICIT = [
    case(
        "3a^2 + b^2 - ab + a",
        Add((Mul((n(3), Pow(a, n(2)))), Pow(b, n(2)), Neg(Mul((a, b))), a)),
        warnings=["read ab as a·b"],
    ),
    case("2x", Mul((n(2), x))),
    case("2x^2", Mul((n(2), Pow(x, n(2))))),
    case("x y", Mul((x, y)), "xy"),
    case("ab", Mul((a, b)), warnings=["read ab as a·b"]),
    case("xy^2", Mul((x, Pow(y, n(2)))), warnings=["read xy as x·y"]),
    case("x(x+1)", Mul((x, Add((x, n(1))))), "x(x + 1)"),
    case("(x+1)(x-1)", Mul((Add((x, n(1))), sub(x, n(1)))), "(x + 1) · (x - 1)"),
    case(
        "2 sin x cos x",
        Mul((n(2), fn("sin", x), fn("cos", x))),
        "2 sin(x) cos(x)",
        warnings=["read sin x cos x as sin(x) · cos x; write sin(x cos x) if the argument goes on"],
    ),
    case("x sin x", Mul((x, fn("sin", x))), "x sin(x)"),
    case("xsin(x)", Mul((x, fn("sin", x))), "x sin(x)", warnings=["read xsin as x·sin"]),
    case("xln(2)", Mul((x, fn("ln", n(2)))), "x ln(2)", warnings=["read xln as x·ln"]),
    case("thetax", Mul((Var("theta"), x)), "θ x", warnings=["read thetax as theta·x"]),
    case("pix", Mul((pi, x)), "π x", warnings=["read pix as pi·x"]),
    # The exponent is one atom: it binds tighter than implicit multiplication.
    case(
        "2^3x",
        Mul((Pow(n(2), n(3)), x)),
        "2^3 x",
        warnings=["read 2^3x as 2^3·x: the exponent is only 3; write 2^(3x) if you meant more"],
    ),
    case(
        "e^2x",
        Mul((Pow(e, n(2)), x)),
        "e^2 x",
        warnings=["read e^2x as e^2·x: the exponent is only 2; write e^(2x) if you meant more"],
    ),
    case("e^(2x)", Pow(e, Mul((n(2), x)))),
]


@pytest.mark.parametrize(ROW, IMPLICIT)
def test_implicit_multiplication(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- functions, with or without parentheses around a simple argument ------------------------------------------------------
ELEMENTARY = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cot": "cot",
    "asin": "asin", "acos": "acos", "atan": "atan", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "exp": "exp", "ln": "ln", "log": "log", "sqrt": "sqrt",
}  # fmt: skip


@pytest.mark.parametrize("spelling", list(ELEMENTARY) + ["abs"])
@pytest.mark.parametrize("form", ["{f}(x)", "{f} x", "{f}(x + 1)"])
def test_every_function_name(spelling, form):
    text = form.format(f=spelling)
    arg = Add((x, n(1))) if "+" in form else x
    parsed = parse(text)
    assert parsed.expr == fn(ELEMENTARY.get(spelling, "abs"), arg)
    # log alone is the one name two traditions read differently (base e or base 10): its reading is always stated.
    assert parsed.warnings == (
        ("read log as the natural logarithm ln; write log10(x) or log_10(x) for base 10",) if spelling == "log" else ()
    )


FUNCTIONS = [
    case("sin x", fn("sin", x), "sin(x)"),
    case("ln x", fn("ln", x), "ln(x)"),
    case("sqrt(x)", fn("sqrt", x)),
    case("sqrt x", fn("sqrt", x), "sqrt(x)"),
    case(
        "sin x^2",
        fn("sin", Pow(x, n(2))),
        "sin(x^2)",
        warnings=["read sin x^2 as sin(x^2); write (sin x)^… for a power of the sin"],
    ),
    case("sin^2 x", Pow(fn("sin", x), n(2)), "sin(x)^2"),
    case("sin^2(x)", Pow(fn("sin", x), n(2)), "sin(x)^2"),
    case("sin(x)^2", Pow(fn("sin", x), n(2))),
    case("cos^2 x + sin^2 x", Add((Pow(fn("cos", x), n(2)), Pow(fn("sin", x), n(2)))), "cos(x)^2 + sin(x)^2"),
    case("sin x/x", Div(fn("sin", x), x), "sin(x)/x"),
    case("arcsin x", fn("asin", x), "asin(x)"),
    case("arccos(x)", fn("acos", x), "acos(x)"),
    case("arctan x", fn("atan", x), "atan(x)"),
    case(
        "sinh x cosh x",
        Mul((fn("sinh", x), fn("cosh", x))),
        "sinh(x) cosh(x)",
        warnings=["read sinh x cosh x as sinh(x) · cosh x; write sinh(x cosh x) if the argument goes on"],
    ),
    case("ln2", fn("ln", n(2)), "ln(2)"),
    case(
        "log x",
        fn("log", x),
        "log(x)",
        warnings=["read log as the natural logarithm ln; write log10(x) or log_10(x) for base 10"],
    ),
    case("log_2 x", fn("log", x, n(2)), "log_2(x)"),
    case("log_2(x)", fn("log", x, n(2))),
    case("log_{10} x", fn("log", x, n(10)), "log_10(x)"),
    case("log_b(x)", fn("log", x, b)),
    case("log_e x", fn("log", x, e), "log(x, e)"),
    case("log(x, 2)", fn("log", x, n(2)), "log_2(x)"),
    case("abs(x)", fn("abs", x), "|x|"),
    case("|x|", fn("abs", x)),
    case("|x - 1|", fn("abs", sub(x, n(1)))),
    case("2|x|", Mul((n(2), fn("abs", x))), "2 |x|"),
    case("x|y|", Mul((x, fn("abs", y))), "x |y|"),
]


@pytest.mark.parametrize(ROW, FUNCTIONS)
def test_functions(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- abstract functions: only when declared, because x(x+1) must stay a product -------------------------------------------
ABSTRACT = [
    case("f(x)", Apply("f", (x,)), functions=["f"]),
    case(
        "f(x)",
        Mul((Var("f"), x)),
        "fx",
        warnings=["read f(…) as the product f·(…); if f is a function, declare it: --functions f"],
    ),
    case("g(x, y)", Apply("g", (x, y)), functions=["g"]),
    case("f(x) + g(x, y)", Add((Apply("f", (x,)), Apply("g", (x, y)))), functions=["f", "g"]),
    case("f(g(x))", Apply("f", (Apply("g", (x,)),)), functions=["f", "g"]),
    case("f(x)^2", Pow(Apply("f", (x,)), n(2)), functions=["f"]),
    case("f'(x)", Apply("f", (x,), (0,)), functions=["f"]),
    case("f''(x)", Apply("f", (x,), (0, 0)), functions=["f"]),
    case("x(x+1)", Mul((x, Add((x, n(1))))), "x(x + 1)", functions=["f"]),
]


@pytest.mark.parametrize(ROW, ABSTRACT)
def test_abstract_functions(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- Unicode a student pastes, mapped before NFKC ----------------------------------------------------------------------
UNICODE = [
    case("x − y", sub(x, y), "x - y"),
    case("2 × x", Mul((n(2), x)), "2x"),
    case("x · y", Mul((x, y)), "xy"),
    case("x²", Pow(x, n(2)), "x^2"),
    case("x³", Pow(x, n(3)), "x^3"),
    case("x⁻¹", Pow(x, Neg(n(1))), "x^(-1)"),
    case("3x² − 2x", Add((Mul((n(3), Pow(x, n(2)))), Neg(Mul((n(2), x))))), "3x^2 - 2x"),
    case("√x", fn("sqrt", x), "sqrt(x)"),
    case("√(x+1)", fn("sqrt", Add((x, n(1)))), "sqrt(x + 1)"),
    case("2π", Mul((n(2), pi))),
    case("∂/∂y (x+y+z)^2", Deriv(Pow(Add((x, y, z)), n(2)), y), "∂/∂y (x + y + z)^2"),
    case("１２x", Mul((n(12), x)), "12x"),
    case("１.５", dec("1.5"), "1.5"),
    case("ｘ", x, "x"),
]


@pytest.mark.parametrize(ROW, UNICODE)
def test_unicode(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


def test_superscript_two_is_a_power_not_part_of_a_name():
    assert parse("x²").expr != Var("x2")
    assert parse("x2").expr == Var("x2")


@pytest.mark.parametrize(
    "text", ["٣x", "x٣", "x\u0663"], ids=["arabic-indic 3 first", "arabic-indic 3 after", "escaped"]
)
def test_digits_are_ascii_or_full_width_only(text):
    # Python's \d matches Arabic-Indic digits; our character classes are explicit.
    from derivsteps.core.errors import ParseError

    with pytest.raises(ParseError, match="unexpected character"):
        parse(text)


# -- pending derivatives ----------------------------------------------------------------------------------------------
DERIVATIVES = [
    case("d/dx (x^2 sin x)", Deriv(Mul((Pow(x, n(2)), fn("sin", x))), x), "∂/∂x (x^2 sin(x))"),
    case("d/dx x^2", Deriv(Pow(x, n(2)), x), "∂/∂x x^2"),
    case("d/dx x^2 sin x", Deriv(Mul((Pow(x, n(2)), fn("sin", x))), x), "∂/∂x (x^2 sin(x))"),
    case("d/dx ln x", Deriv(fn("ln", x), x), "∂/∂x ln(x)"),
    case("d / dx x", Deriv(x, x), "∂x/∂x"),
    case("d/dθ sin θ", Deriv(fn("sin", Var("theta")), Var("theta")), "∂/∂θ sin(θ)"),
    case("∂/∂y (x+y+z)^2", Deriv(Pow(Add((x, y, z)), n(2)), y), "∂/∂y (x + y + z)^2"),
    case("∂y/∂x", Deriv(y, x)),
    case("diff(x^2, x)", Deriv(Pow(x, n(2)), x), "∂/∂x x^2"),
    case("diff(sin x, x)", Deriv(fn("sin", x), x), "∂/∂x sin(x)"),
    case(
        "d/dx x + 1",
        Deriv(Add((x, n(1))), x),
        "∂/∂x (x + 1)",
        warnings=["read d/dx x + 1 as d/dx (x + 1): d/dx applies to everything after it"],
    ),
    case(
        "d/dx (x) + 1",
        Add((Deriv(x, x), n(1))),
        "∂x/∂x + 1",
        warnings=[
            "read d/dx (x) + … as (d/dx (x)) + …: the brackets right after d/dx hold what it differentiates; "
            "write d/dx (… + …) to differentiate the whole sum"
        ],
    ),
    case("(d/dx x) + 1", Add((Deriv(x, x), n(1))), "∂x/∂x + 1"),
    case(
        "d(x^2)/dx + 1",
        Add((Deriv(Pow(x, n(2)), x), n(1))),
        "∂/∂x (x^2) + 1",
        warnings=["read d(x^2)/dx as d/dx (x^2)"],
    ),
    case("d/dx [x^2]", Deriv(Pow(x, n(2)), x), "∂/∂x x^2"),
    case("2 d/dx x", Mul((n(2), Deriv(x, x))), "2 · ∂x/∂x"),
]


@pytest.mark.parametrize(ROW, DERIVATIVES)
def test_pending_derivatives(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- a declared variable list overrides splitting ---------------------------------------------------------------------------
DECLARED = [
    case("ab", Var("ab"), variables=["ab"]),
    case("abc", Mul((Var("ab"), c)), "ab c", warnings=["read abc as ab·c"], variables=["ab"]),
    case("rate*t", Mul((Var("rate"), t)), "rate t", variables=["rate"]),
    case("sinrate", fn("sin", Var("rate")), "sin(rate)", warnings=["read sinrate as sin(rate)"], variables=["rate"]),
]


@pytest.mark.parametrize(ROW, DECLARED)
def test_declared_variables(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- sums over an index are reserved: they parse to Sum ------------------------------------------------------------------
SUMS = [
    case("sum_i (x_i^2)", Sum(Pow(Var("x", "i"), n(2)), "i"), "Σ_i x_i^2"),
    case("Σ_i (x_i^2)", Sum(Pow(Var("x", "i"), n(2)), "i"), "Σ_i x_i^2"),
    case("∑_j x_j", Sum(Var("x", "j"), "j"), "Σ_j x_j"),
    case("sum_{i=1}^{n} x_i", Sum(Var("x", "i"), "i", n(1), Var("n")), "Σ_{i=1}^{n} x_i"),
]


@pytest.mark.parametrize(ROW, SUMS)
def test_sums(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


# -- ambiguity is reported, not hidden ----------------------------------------------------------------------------------
AMBIGUOUS = [
    case("1/2x", Mul((Div(n(1), n(2)), x)), "(1/2)x", warnings=["read 1/2x as (1/2)·x; write 1/(2x) to divide by 2x"]),
    case("sinx", fn("sin", x), "sin(x)", warnings=["read sinx as sin(x)"]),
    case("asinx", fn("asin", x), "asin(x)", warnings=["read asinx as asin(x)"]),
    case("arctanx", fn("atan", x), "atan(x)", warnings=["read arctanx as arctan(x)"]),
    case("sinhx", fn("sinh", x), "sinh(x)", warnings=["read sinhx as sinh(x)"]),
    case(
        "x^2y",
        Mul((Pow(x, n(2)), y)),
        "x^2 y",
        warnings=["read x^2y as x^2·y: the exponent is only 2; write x^(2y) if you meant more"],
    ),
    case(
        "sin 2x",
        fn("sin", Mul((n(2), x))),
        "sin(2x)",
        warnings=["read sin 2x as sin(2x): a function's argument without brackets runs to the next space or operator"],
    ),
    case(
        "sin 2 x",
        Mul((fn("sin", n(2)), x)),
        "sin(2) x",
        warnings=["read sin 2 x as sin(2) · x; write sin(2 x) if the argument goes on"],
    ),
]


@pytest.mark.parametrize(ROW, AMBIGUOUS)
def test_ambiguous_input_warns(text, tree, shown, warnings, declared):
    check(text, tree, shown, warnings, declared)


@pytest.mark.parametrize("text", ["1/(2x)", "sin(x)", "sin x", "x^(2y)", "x^2 y", "(1/2)x", "x^2 * y", "2x + 1"])
def test_unambiguous_input_has_no_warning(text):
    assert parse(text).warnings == ()


# -- the done-when check, and the package entry point ------------------------------------------------------------------
def test_parse_is_exported_from_the_package():
    assert derivsteps.parse is parse
    parsed = derivsteps.parse("3a^2 + b^2 - ab + a")
    assert isinstance(parsed, Parsed)
    assert parsed.expr == Add((Mul((n(3), Pow(a, n(2)))), Pow(b, n(2)), Neg(Mul((a, b))), a))


def test_done_when_command_prints_the_canonical_text():
    code = "import derivsteps as d; print(d.parse('3a^2 + b^2 - ab + a'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == "3a^2 + b^2 - ab + a\n"


def test_parsing_loads_neither_sympy_nor_rich():
    code = "import sys, derivsteps as d; d.parse('x^2 sin x'); print(sorted({'sympy', 'rich'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == "[]\n"


# -- the grammar has no conflicts ----------------------------------------------------------------------------------------
def test_grammar_is_conflict_free_in_strict_mode():
    pytest.importorskip("interegular")  # lark's strict mode needs it: the [test] extra has lark[interegular]
    Lark(grammar_text(), parser="lalr", lexer=_TokenFeed, strict=True)


def test_strict_mode_would_catch_a_conflict():
    """The strict build above is a real check: the same setup rejects a grammar with a shift/reduce conflict."""
    pytest.importorskip("interegular")
    from lark.exceptions import GrammarError

    with pytest.raises(GrammarError, match="Shift/Reduce"):
        Lark("%declare NAME\nstart: e\ne: e e | NAME", parser="lalr", lexer=_TokenFeed, strict=True)
