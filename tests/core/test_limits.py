"""The named limits of limits.py: too long, too deep or too big raises LimitError naming the limit, never RecursionError."""

from __future__ import annotations

import time

import pytest

from derivsteps.core import limits
from derivsteps.core.errors import LimitError
from derivsteps.core.tree import Add, Mul, Var, depth
from derivsteps.language.parser import parse

DEEP = limits.MAX_DEPTH + 1


def test_input_longer_than_the_limit():
    text = "x+" * (limits.MAX_INPUT_LENGTH // 2) + "x"
    assert len(text) == limits.MAX_INPUT_LENGTH + 1
    with pytest.raises(LimitError) as caught:
        parse(text)
    message = caught.value.message
    assert (
        message
        == "the input is 10,001 characters long; the limit is 10,000 (limits.MAX_INPUT_LENGTH; raise it with --max-length)"
    )
    assert str(limits.MAX_INPUT_LENGTH) in message.replace(",", "")


def test_input_of_exactly_the_limit_is_read():
    text = "x+" * (limits.MAX_INPUT_LENGTH // 2 - 1) + "xy"
    assert len(text) == limits.MAX_INPUT_LENGTH
    assert isinstance(parse(text).expr, Add)


def test_length_is_counted_on_the_raw_string():
    # A combining accent would fold into one character under NFC; the limit counts what was sent.
    text = "x" + " \u0301" * (limits.MAX_INPUT_LENGTH // 2)
    with pytest.raises(LimitError, match="limits.MAX_INPUT_LENGTH"):
        parse(text)


NESTINGS = {
    "parentheses": lambda n: "(" * n + "x" + ")" * n,
    "brackets": lambda n: "[(" * (n // 2 + 1) + "x" + ")]" * (n // 2 + 1),
    "powers x^x^x": lambda n: "x" + "^x" * n,
    "powers 2^2^2": lambda n: "2" + "^2" * n,
    "minus signs": lambda n: "- " * n + "x",
    "minus signs tight": lambda n: "-" * n + "x",
    "sin sin sin x": lambda n: "sin " * n + "x",
    "sin(sin(x))": lambda n: "sin(" * n + "x" + ")" * n,
    "quotients": lambda n: "x" + "/x" * n,
    "absolute values": lambda n: "|" * n + "x" + "|" * n,
    "derivative operators": lambda n: "d/dx " * n + "x",
    "powers of sums": lambda n: "(x+1)^" * n + "2",
}


@pytest.mark.parametrize("build", NESTINGS.values(), ids=NESTINGS.keys())
def test_nesting_deeper_than_the_limit(build):
    with pytest.raises(LimitError) as caught:
        parse(build(DEEP))
    assert "limits.MAX_DEPTH" in caught.value.message
    assert f"more than {limits.MAX_DEPTH}" in caught.value.message


@pytest.mark.parametrize("build", NESTINGS.values(), ids=NESTINGS.keys())
def test_far_deeper_nesting_is_still_a_limit_error(build):
    """Ten times the limit: a RecursionError anywhere (parser, equality, hashing) would surface here."""
    with pytest.raises(LimitError):
        parse(build(10 * limits.MAX_DEPTH))


@pytest.mark.parametrize(
    "text",
    ["x" + "^x" * (limits.MAX_DEPTH - 2), "-" * (limits.MAX_DEPTH - 1) + "x", "sin " * (limits.MAX_DEPTH - 1) + "x"],
    ids=["powers", "minus signs", "sin"],
)
def test_nesting_at_the_limit_is_read(text):
    tree = parse(text).expr
    assert depth(tree) <= limits.MAX_DEPTH
    assert tree == parse(text).expr  # equality recurses: it must not overflow at the limit


def test_parentheses_alone_add_no_depth():
    n = limits.MAX_DEPTH
    assert parse("(" * n + "x" + ")" * n).expr == Var("x")


def test_a_5000_digit_number_is_a_limit_error():
    with pytest.raises(LimitError) as caught:
        parse("9" * 5_000)
    assert caught.value.message == (
        "a number with 5,000 digits is longer than the limit of 2,000 (limits.MAX_INTEGER_DIGITS; raise it with --max-digits)"
    )
    assert caught.value.position.column == 1


def test_a_number_at_the_digit_limit_is_read():
    assert parse("9" * limits.MAX_INTEGER_DIGITS).expr.value == 10**limits.MAX_INTEGER_DIGITS - 1


def test_a_sum_of_3000_terms_parses_flat_and_quickly():
    text = "+".join("xyzabc"[i % 6] for i in range(3_000))
    start = time.perf_counter()
    tree = parse(text).expr
    elapsed = time.perf_counter() - start
    assert isinstance(tree, Add) and len(tree.terms) == 3_000
    assert depth(tree) == 2
    assert tree == parse(text).expr and hash(tree) == hash(parse(text).expr)
    assert elapsed < 2.0


@pytest.mark.parametrize("joiner", ["+", "-", "*", " ", ""], ids=["plus", "minus", "times", "space", "letters"])
def test_long_flat_chains_are_not_deep(joiner):
    text = joiner.join(["x"] * 3_000)
    tree = parse(text).expr
    assert isinstance(tree, (Add, Mul))
    assert depth(tree) <= 3


def test_limit_errors_name_the_limit_and_point_into_the_input():
    with pytest.raises(LimitError) as caught:
        parse("(" * DEEP + "x" + ")" * DEEP)
    error = caught.value
    assert (
        error.message
        == f"parentheses are nested more than {limits.MAX_DEPTH} deep (limits.MAX_DEPTH; raise it with --max-depth)"
    )
    assert error.position.column == DEEP
    assert error.to_dict()["kind"] == "limit"


def test_readme_lists_every_limit_with_its_value():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    named = {name: value for name, value in vars(limits).items() if name.isupper() and isinstance(value, (int, float))}
    assert named, "limits.py defines no limits?"
    for name, value in named.items():
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        assert f"| `{name}` | {shown} |" in readme, name


# -- raising a limit for one run ------------------------------------------------------------------------------------------
def test_override_sets_and_restores_a_limit():
    before = limits.MAX_DEPTH
    with limits.override(MAX_DEPTH=3):
        assert limits.MAX_DEPTH == 3
        with pytest.raises(LimitError, match="more than 3 deep"):
            parse("((((x))))")
    assert limits.MAX_DEPTH == before
    assert parse("((((x))))").expr == Var("x")


def test_override_restores_after_an_error_and_refuses_unknown_names():
    before = limits.MAX_STEPS
    with pytest.raises(ZeroDivisionError):
        with limits.override(MAX_STEPS=1):
            1 / 0
    assert limits.MAX_STEPS == before
    with pytest.raises(ValueError, match="no such limit: MAX_SPEED"):
        with limits.override(MAX_SPEED=1):
            pass


def test_every_flag_names_a_limit_with_a_ceiling_above_its_default():
    for name, flag in limits.FLAGS.items():
        assert flag.startswith(("--max-", "--cas-"))
        assert limits.CEILINGS[name] >= getattr(limits, name)
        assert limits.named(name) == f"limits.{name}; raise it with {flag}"
    assert "override(MAX_DATA_COLUMNS=...)" in limits.named("MAX_DATA_COLUMNS")


def _cli(*argv):
    import contextlib
    import io

    from derivsteps.cli import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("command", ["diff", "grad", "hessian", "eval", "critical", "descend", "check", "equiv"])
def test_every_command_takes_the_limit_flags(command):
    from derivsteps.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices[command]
    for flag in limits.FLAGS.values():
        assert flag in sub._option_string_actions, (command, flag)


def test_a_flag_raises_its_limit_for_that_run_only():
    deep = "(" * 120 + "x" + ")" * 120
    code, output = _cli(deep, "--no-verify")
    assert code == 2 and "raise it with --max-depth" in output
    code, output = _cli(deep, "--max-depth", "130", "--no-verify")
    assert code == 0 and "= 1" in output
    assert limits.MAX_DEPTH == 100


def test_a_flag_past_its_ceiling_is_a_usage_error():
    code, output = _cli("x", "--max-steps", "0")
    assert code == 2 and "0 is outside 1 to 10,000,000" in output


def test_the_expression_size_limit_stops_a_product_rule_blow_up_quickly():
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.core.errors import StepLimitError

    product = "*".join(f"sin({k}x)" for k in range(1, 301))
    start = time.perf_counter()
    with pytest.raises(StepLimitError) as caught:
        differentiate(product, "x")
    assert time.perf_counter() - start < 2.0
    assert "more than 50,000 nodes (limits.MAX_EXPRESSION_NODES; raise it with --max-nodes)" in caught.value.message
    with limits.override(MAX_EXPRESSION_NODES=200_000):
        assert len(differentiate("*".join(f"sin({k}x)" for k in range(1, 101)), "x").result.terms) == 100


def test_folding_stops_at_the_digit_limit():
    from derivsteps.calculus.derivative import differentiate

    big = "9" * 1_999
    result = differentiate(f"{big}*{big}*{big}*x", "x").result
    assert all(len(str(node.value)) <= limits.MAX_INTEGER_DIGITS for node in result.factors)  # three factors, unfolded
    assert differentiate("99*99*x", "x").result.value == 9801


@pytest.mark.parametrize(
    "text, message",
    [
        ("x tan(2^(2^100))", "the argument of tan has more than 2,000 digits"),
        ("x exp(exp(exp(100)))", "the argument of exp has more than 2,000 digits"),
        ("x*3^(2^(2^40))", "an exponent has more than 2,000 digits"),
    ],
)
def test_the_evaluator_refuses_numbers_it_could_not_reduce_in_time(text, message):
    from derivsteps.calculus.at_point import evaluate_at

    start = time.perf_counter()
    from derivsteps.core.numeric import EvaluationError

    with pytest.raises(EvaluationError) as caught:
        evaluate_at(text, "x=1", numeric=True)
    assert message in caught.value.message and "raise it with --max-digits" in caught.value.message
    assert time.perf_counter() - start < 2.0


def test_large_values_are_values_not_poles():
    from derivsteps.calculus.at_point import evaluate_at
    from derivsteps.core.tree import number_value

    assert float(number_value(evaluate_at("exp(100x)", "x=1", numeric=True).value.factors[0])) == pytest.approx(
        2.6881171418161356
    )
    assert "5.4428" in str(evaluate_at("x ln(ln(ln(10^(10^100))))", "x=1", numeric=True).value)
