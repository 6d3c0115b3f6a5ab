"""Issue 12's table of misreadings, end to end: each is now read as meant (with its note) or refused in words."""

from __future__ import annotations

import pytest

from derivsteps.calculus.derivative import differentiate
from derivsteps.cli import run
from derivsteps.core.errors import LimitError, UsageError
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse, reading_latex

# (typed, --wrt, the result a lecturer writes)
MEANT = [
    ("d/dx 3x^2 + 2x + 1", None, "6x + 2"),
    ("1e-3 x", "x", "0.001"),
    ("tan^-1 x", "x", "1/(x^2 + 1)"),
    ("log10(x)", "x", "1/(x ln(10))"),
    ("sin 2x", "x", "2 cos(2x)"),
    ("ln x^2", "x", "2/x"),
    ("f(x) = x^2 sin x", "x", "x^2 cos(x) + 2x sin(x)"),
    ("\\frac{2x}{x^2+1}", "x", "(-2x^2 + 2)/(x^2 + 1)^2"),  # 2(x^2 + 1) multiplied out: -4x^2 combines
    ("e^{2x}", "x", "2e^(2x)"),
    ("d(x^2)/dx", None, "2x"),
]


@pytest.mark.parametrize("typed, wrt, result", MEANT, ids=[row[0] for row in MEANT])
def test_what_was_misread_is_now_read_as_meant(typed, wrt, result):
    assert to_text(differentiate(typed, wrt).result) == result


def test_an_operator_and_the_same_wrt_differentiate_once_and_say_so():
    derivation = differentiate("d/dy (x+y+z)^2", "y")
    assert to_text(derivation.result) == "2(x + y + z)"
    assert "the expression holds its own d/dy and --wrt asks for the same derivative: taken once" in derivation.warnings


def test_an_operator_and_another_wrt_are_refused_in_words():
    with pytest.raises(UsageError, match="would differentiate its result again"):
        differentiate("d/dx x^2 y", "y")


def test_an_empty_wrt_is_refused():
    with pytest.raises(UsageError, match="--wrt is empty"):
        differentiate("x^2", "")


def test_a_thousand_fold_wrt_names_the_limit():
    with pytest.raises(LimitError, match="MAX_DERIVATIVE_ORDER"):
        differentiate("x^2", ",".join(["x"] * 1000))


def test_latex_can_be_insisted_on(capsys):
    with reading_latex():
        assert parse("x y").expr == parse("xy").expr  # math mode: letters side by side multiply
    assert run(["x y", "--latex", "--wrt", "x", "--no-verify", "--format", "text"]) == 0
    assert "read as: xy" in capsys.readouterr().out


def test_the_command_line_refuses_english_with_its_column(capsys):
    assert run(["the derivative of x^2", "--format", "text"]) == 2
    assert "'the' is an English word, not math (column 1)" in capsys.readouterr().err
