"""Parse errors in words, with a caret under the right column: golden texts, and that nothing but a DerivError escapes."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivsteps.core.errors import DerivError, EquationError, InputError, ParseError, UnknownFunctionError, UsageError
from derivsteps.language.parser import Parsed, parse


def err(text, kind, *lines, functions=()):
    """One golden error: the input, the exception class, and str(error) line by line (message, excerpt, caret, hint)."""
    return pytest.param(text, kind, "\n".join(lines), tuple(functions), id=repr(text))


# The excerpt lines start with two spaces; the caret line is written so the ^ sits under the column it names.
# fmt: off
GOLDEN = [
    # missing operand
    err('x^', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after '^' (column 3)",
        '  x^',
        '    ^',
    ),
    err('x + * y', ParseError,
        "expected a number, a variable or '(' after '+' (column 5)",
        '  x + * y',
        '      ^',
    ),
    err('*x', ParseError,
        "expected a number, a variable or '(' at the start (column 1)",
        '  *x',
        '  ^',
    ),
    err('x+', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after '+' (column 3)",
        '  x+',
        '    ^',
    ),
    err('1/', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after '/' (column 3)",
        '  1/',
        '    ^',
    ),
    err('x**', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after '**' (column 4)",
        '  x**',
        '     ^',
    ),
    err('d/dx', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after d/dx (column 5)",
        '  d/dx',
        '      ^',
    ),
    err('x^d/dx x', ParseError,
        "expected a number, a variable or '(' after '^' (column 3)",
        '  x^d/dx x',
        '    ^',
    ),
    # brackets
    err('(x+1', ParseError,
        "unclosed parenthesis '(' (column 1)",
        '  (x+1',
        '  ^',
        'add the closing )',
    ),
    err('x+1)', ParseError,
        "unmatched ')': there is no opening '(' before it (column 4)",
        '  x+1)',
        '     ^',
    ),
    err('[x+1)', ParseError,
        "')' closes the '[' opened at column 1 (column 5)",
        '  [x+1)',
        '      ^',
    ),
    err('()', ParseError,
        'the parentheses are empty (column 2)',
        '  ()',
        '   ^',
        'put an expression inside them',
    ),
    err('sin()', ParseError,
        'the parentheses are empty (column 5)',
        '  sin()',
        '      ^',
        'put an expression inside them',
    ),
    err('|x', ParseError,
        "unclosed absolute value bar '|' (column 3)",
        '  |x',
        '    ^',
        "close it with another '|'",
    ),
    # empty input
    err('', ParseError,
        'the expression is empty',
        'type an expression such as x^2 sin(x)',
    ),
    err('   ', ParseError,
        'the expression is empty',
        'type an expression such as x^2 sin(x)',
    ),
    # function without its argument
    err('sin', ParseError,
        'sin needs an argument (column 1)',
        '  sin',
        '  ^',
        'write sin(x) or sin x',
    ),
    err('x sin', ParseError,
        'sin needs an argument (column 3)',
        '  x sin',
        '    ^',
        'write sin(x) or sin x',
    ),
    err('sin^2', ParseError,
        'sin^2 needs an argument (column 1)',
        '  sin^2',
        '  ^',
        'write sin^2(x) or sin^2 x',
    ),
    err('log_2', ParseError,
        'log_2 needs an argument (column 1)',
        '  log_2',
        '  ^',
        'write log_2(x) or log_2 x',
    ),
    err('sin -x', ParseError,
        'a negative argument of sin needs parentheses (column 5)',
        '  sin -x',
        '      ^',
        'write sin(-x)',
    ),
    err('log_2^2 x', ParseError,
        'a power of log_2 needs parentheses (column 6)',
        '  log_2^2 x',
        '       ^',
        'write (log_2 x)^2',
    ),
    # two operands without an operator
    err('2 3', ParseError,
        'a number cannot follow the number 2 without an operator (column 3)',
        '  2 3',
        '    ^',
        'write * between the numbers',
    ),
    err('x 2', ParseError,
        'a number cannot follow the variable x without an operator (column 3)',
        '  x 2',
        '    ^',
        'write * between the two factors, or put the number first (2x, not x 2)',
    ),
    err('x^2 3', ParseError,
        'a number cannot follow the number 2 without an operator (column 5)',
        '  x^2 3',
        '      ^',
        'write * between the numbers',
    ),
    err('|x|3', ParseError,
        "a number cannot follow the closing '|' without an operator (column 4)",
        '  |x|3',
        '     ^',
        'write * between the two factors, or put the number first (2x, not x 2)',
    ),
    # comma outside a function
    err('x,y', ParseError,
        'a comma only separates the arguments of a function, as in log(x, 2) (column 2)',
        '  x,y',
        '   ^',
    ),
    # control and invisible characters
    err('x\x00y', ParseError,
        'the control character U+0000 is not allowed in an expression (column 2)',
        '  x␀y',
        '   ^',
        'delete it',
    ),
    err('x\x07', ParseError,
        'the control character U+0007 is not allowed in an expression (column 2)',
        '  x␇',
        '   ^',
        'delete it',
    ),
    err('x\u200by', ParseError,
        'the invisible character U+200B ZERO WIDTH SPACE is not allowed in an expression (column 2)',
        '  x�y',
        '   ^',
        'delete it',
    ),
    # unknown characters
    err('x $ y', ParseError,
        "unexpected character '$' (column 3)",
        '  x $ y',
        '    ^',
    ),
    err('x^2 + y^2 = 25', EquationError,
        "this is an equation, not an expression (column 11)",
        '  x^2 + y^2 = 25',
        '            ^',
        'to find dy/dx from it use deriv implicit "…" --wrt x; to differentiate one side, type only that side',
    ),
    err('\\foo x', ParseError,
        "unknown LaTeX command \\foo (column 1)",
        '  \\foo x',
        '  ^',
    ),
    err('х+1', ParseError,
        "unexpected character 'х' (U+0445 CYRILLIC SMALL LETTER HA) (column 1)",
        '  х+1',
        '  ^',
    ),
    err('x\t$', ParseError,
        "unexpected character '$' (column 3)",
        '  x $',
        '    ^',
    ),
    err('１２ $', ParseError,
        "unexpected character '$' (column 4)",
        '  １２ $',
        '       ^',
    ),
    # numbers, subscripts, superscripts
    err('2.', ParseError,
        'a decimal point needs digits after it (column 2)',
        '  2.',
        '   ^',
        'write 2.0 or 2',
    ),
    err('x_', ParseError,
        "'_' must be followed by a subscript, such as a_i, x_1 or w_{ij} (column 2)",
        '  x_',
        '   ^',
    ),
    err('x_{', ParseError,
        "unclosed '{' in a subscript (column 3)",
        '  x_{',
        '    ^',
    ),
    err('x⁻', ParseError,
        'a superscript exponent needs digits (column 2)',
        '  x⁻',
        '   ^',
    ),
    # sums, diff, arity
    err('sum x', ParseError,
        'a sum needs its index, as in sum_i (x_i^2) or Σ_i (x_i^2) (column 1)',
        '  sum x',
        '  ^',
    ),
    err('sum_i', ParseError,
        'sum_i needs something to sum (column 1)',
        '  sum_i',
        '  ^',
        'write sum_i (x_i^2)',
    ),
    err('diff x', ParseError,
        'diff needs its arguments in parentheses (column 6)',
        '  diff x',
        '       ^',
        'write diff(x^2, x)',
    ),
    err('diff(x)', UnknownFunctionError,
        'diff takes an expression and a variable: diff(x^2 sin(x), x) (column 1)',
        '  diff(x)',
        '  ^',
    ),
    err('log(x, 2, 3)', UnknownFunctionError,
        'log takes one or two arguments (the second is the base), not 3 (column 1)',
        '  log(x, 2, 3)',
        '  ^',
    ),
    err('sqrt(x, y)', UnknownFunctionError,
        'sqrt takes one argument, not 2 (column 1)',
        '  sqrt(x, y)',
        '  ^',
    ),
    # primes, abstract functions, partials
    err("x'", ParseError,
        "a prime (') marks the derivative of a declared function and goes right after its name (column 2)",
        "  x'",
        '   ^',
        "write f'(x), with f declared as a function (functions=['f'], --functions f)",
    ),
    err('f x', ParseError,
        'f needs its arguments in parentheses (column 3)',
        '  f x',
        '    ^',
        'write f(x)',
        functions=['f'],
    ),
    err('∂x', ParseError,
        "the expression ends too early: expected '/' after the variable x (column 3)",
        '  ∂x',
        '    ^',
    ),
    err('∂/∂', ParseError,
        'a derivative operator needs its variable, as in d/dx or ∂/∂y (column 4)',
        '  ∂/∂',
        '     ^',
    ),
    # several lines
    err('x\n+', ParseError,
        "the expression ends too early: expected a number, a variable or '(' after '+' (line 2, column 2)",
        '  +',
        '   ^',
    ),
]
# fmt: on


@pytest.mark.parametrize("text, kind, message, functions", GOLDEN)
def test_golden_error_text(text, kind, message, functions):
    with pytest.raises(DerivError) as caught:
        parse(text, functions=functions)
    assert type(caught.value) is kind
    assert str(caught.value) == message


@pytest.mark.parametrize("text, kind, message, functions", GOLDEN)
def test_error_position_matches_the_caret(text, kind, message, functions):
    with pytest.raises(InputError) as caught:
        parse(text, functions=functions)
    error = caught.value
    if error.position is None:
        assert not text.strip()  # only empty input has no position
        return
    column = re.search(r"\((?:line \d+, )?column (\d+)\)", message)
    assert column and int(column.group(1)) == error.position.column
    assert error.to_dict()["position"]["column"] == error.position.column
    assert error.to_dict()["kind"] in ("parse", "unknown_function", "equation")


def test_error_message_carries_line_and_column_in_json():
    with pytest.raises(ParseError) as caught:
        parse("x +\n* y")
    assert caught.value.to_dict() == {
        "kind": "parse",
        "message": "expected a number, a variable or '(' after '+'",
        "position": {"offset": 4, "line": 2, "column": 1},
    }


def test_long_input_shows_a_window_around_the_caret():
    text = "x + " * 40 + "$" + " + x" * 40
    with pytest.raises(ParseError) as caught:
        parse(text)
    message, excerpt, caret = str(caught.value).split("\n")
    assert message == "unexpected character '$' (column 161)"
    assert excerpt.startswith("  …") and excerpt.endswith("…")
    assert len(excerpt) < 70
    assert excerpt[caret.index("^")] == "$"


# -- declared names are checked --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "declared, message",
    [
        ({"variables": [""]}, "a declared variable name is made of the letters a-z and A-Z, such as ab or f; not ''"),
        (
            {"variables": ["x_1"]},
            "a declared variable name is made of the letters a-z and A-Z, such as ab or f; not 'x_1'",
        ),
        (
            {"functions": ["f1"]},
            "a declared function name is made of the letters a-z and A-Z, such as ab or f; not 'f1'",
        ),
        ({"variables": ["f"], "functions": ["f"]}, "f is declared both as a variable and as a function"),
        ({"functions": ["sin"]}, "sin is already built in and cannot be declared as an abstract function"),
    ],
    ids=["empty name", "subscript", "digit", "both", "built in"],
)
def test_bad_declarations_are_usage_errors(declared, message):
    with pytest.raises(UsageError) as caught:
        parse("x", **declared)
    assert str(caught.value) == message


def test_names_must_be_a_list_not_a_string():
    with pytest.raises(TypeError, match=r"variables is a list of names, such as \['ab'\]"):
        parse("ab", variables="ab")


# -- nothing but a DerivError ever escapes ----------------------------------------------------------------------------------
LARK_NAMES = re.compile(
    r"\b(_[A-Z]+|NUMBER|NAME|CONST|FUNC|AFUNC|LOGB|DIFF|DOP|PRIME|\$END|Token|UnexpectedToken|UnexpectedEOF|lark)\b"
)
PYTHON_REPRS = re.compile(r"\('[^']*', |\bNone\b|Token\(")  # a tuple such as ('x', None), or a lark Token
PIECES = list(string.ascii_letters[:8] + "xyz" + string.digits[:4] + "+-*/^()[]|,._{}' \t\n\x00$") + [
    "sin", "ln", "log_2", "sqrt", "arcsin", "pi", "e", "d/dx", "∂/∂y", "∂", "diff", "sum_i", "Σ", "²", "⁻", "√",
    "−", "×", "**", "θ", "１", "f", "f'", "x_1", "w_{ij}", "1/2",
]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), st.sampled_from([(), ("f",), ("f", "g")]))
def test_any_input_parses_or_raises_a_derivation_error_in_words(text, functions):
    try:
        result = parse(text, functions=functions)
    except DerivError as error:
        shown = str(error)
        assert not LARK_NAMES.search(shown), shown
        assert not PYTHON_REPRS.search(shown), shown
    else:
        assert isinstance(result, Parsed)


@pytest.mark.parametrize("text", ["x" + "^x" * 200, "-" * 300 + "x", "(" * 150 + "x" + ")" * 150, "sin " * 200 + "x"])
def test_deep_input_is_a_derivation_error_not_a_recursion_error(text):
    with pytest.raises(DerivError):
        parse(text)


def test_unknown_function_error_is_an_input_error():
    assert issubclass(UnknownFunctionError, InputError)
    assert issubclass(ParseError, InputError)
    assert issubclass(InputError, DerivError)
