"""The named limits of limits.py: too long, too deep or too big raises LimitError naming the limit, never RecursionError."""

from __future__ import annotations

import time

import pytest

from derivsteps import limits
from derivsteps.errors import LimitError
from derivsteps.parser import parse
from derivsteps.tree import Add, Mul, Var, depth

DEEP = limits.MAX_DEPTH + 1


def test_input_longer_than_the_limit():
    text = "x+" * (limits.MAX_INPUT_LENGTH // 2) + "x"
    assert len(text) == limits.MAX_INPUT_LENGTH + 1
    with pytest.raises(LimitError) as caught:
        parse(text)
    message = caught.value.message
    assert message == "the input is 10,001 characters long; the limit is 10,000 (limits.MAX_INPUT_LENGTH; raise it with --max-length)"
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
    assert error.message == f"parentheses are nested more than {limits.MAX_DEPTH} deep (limits.MAX_DEPTH; raise it with --max-depth)"
    assert error.position.column == DEEP
    assert error.to_dict()["kind"] == "limit"


def test_readme_lists_every_limit_with_its_value():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    named = {name: value for name, value in vars(limits).items() if name.isupper() and isinstance(value, (int, float))}
    assert named, "limits.py defines no limits?"
    for name, value in named.items():
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        assert f"| `{name}` | {shown} |" in readme, name
