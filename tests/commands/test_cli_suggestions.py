"""A mistyped command says which one was meant (did you mean 'grad'?); an expression in the same place is still read."""

from __future__ import annotations

import json

import pytest
from golden_util import deriv

from derivsteps import cli


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["gradient", "x^2"], "grad"),  # a synonym
        (["critcal", "x^2"], "critical"),  # a typo
        (["hessain", "x^2 + y^2", "--steps"], "hessian"),
        (["evl", "x^2", "--at", "x=1"], "eval"),
        (["implict", "x^2 + y^2 = 25"], "implicit"),
        (["gradient", "--vars", "a,b", "3a^2 + b^2"], "grad"),  # options first, then the expression
        (["gradient", "-x^2"], "grad"),  # an expression with a leading minus is still an expression
        (["Gradient", "x^2"], "grad"),
        (["derivative", "x^2"], "diff"),
    ],
)
def test_a_mistyped_command_is_named(capsys, argv, meant):
    code, out, err = deriv(capsys, *argv)
    assert code == 2 and out == ""
    assert f"error: unknown command {argv[0]!r}: did you mean {meant!r}?" in err and "Traceback" not in err


def test_the_main_command_can_be_left_out(capsys):
    _, _, err = deriv(capsys, "derivative", "x^2")
    assert "the command can be left out: deriv EXPR differentiates EXPR" in err


def test_as_json_when_asked(capsys):
    code, out, _ = deriv(capsys, "gradient", "x^2", "--format", "json")
    document = json.loads(out)
    assert code == 2 and document["error"]["kind"] == "usage" and "did you mean 'grad'?" in document["error"]["message"]


@pytest.mark.parametrize(
    ("argv", "result"),
    [
        (["x^2"], "∂/∂x x^2 = 2x"),
        (["grads", "--wrt", "s"], "= adgr"),  # one word and no second value: the expression g·r·a·d·s
        (["gradient", "--wrt", "t"], "note: read gradient as g·r·a·d·i·e·n·t"),
        (["critcal", "--wrt", "c", "--no-verify"], "∂/∂c (critcal)"),
    ],
)
def test_an_expression_is_still_an_expression(capsys, argv, result):
    code, out, err = deriv(capsys, *argv, "--format", "text")
    assert code == 0 and result in out and "did you mean" not in err


def test_commands_are_unchanged(capsys):
    code, _, err = deriv(capsys, "grade")
    assert code == 2 and "the following arguments are required: FILE" in err and "did you mean" not in err
    code, out, _ = deriv(capsys, "grad", "x^2 + y^2", "--format", "text")
    assert code == 0 and "∇f(x, y) = (2x, 2y)" in out


def test_a_word_close_to_no_command_keeps_the_usual_error(capsys):
    # "sin x" reads as two expressions; sin is no command's near miss, so argparse says what it did not expect.
    code, _, err = deriv(capsys, "sin", "x")
    assert code == 2 and "unrecognized arguments: x" in err and "did you mean" not in err


def test_every_synonym_names_a_command():
    assert set(cli.COMMAND_SYNONYMS.values()) <= set(cli.COMMANDS)
    assert not set(cli.COMMAND_SYNONYMS) & set(cli.COMMANDS)
