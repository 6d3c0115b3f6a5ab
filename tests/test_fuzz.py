"""Fuzzing the whole pipeline: random strings of math characters and random token sequences either fail with one of
our DerivErrors or give a derivation whose every step keeps the value; a sample of the successes also verifies
against SymPy. The CI budget is a few thousand examples in about half a minute; tests/fuzz/run_fuzz.py runs the same
properties for as long as you like.
"""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stepcheck import check_invariants, check_moderate_values

from derivsteps.calculus.at_point import evaluate_at
from derivsteps.calculus.derivative import differentiate
from derivsteps.core.errors import DerivError
from derivsteps.core.tree import Apply, Sum, variables, walk
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse

# Characters a student types or pastes, with a few that must be refused (NUL, a tab, a backslash, '=').
ALPHABET = "xyzab" + "0123456789" + ".+-*/^()[]|,_{}' " + "sincoetaplqrdh" + "−×·⋅÷²³⁻ⁿ√πθ１ｘ∂Σ" + "\x00\t\n\\=!"

# Pieces that make sense on their own, so random sequences reach past the lexer into the parser and the engine.
TOKENS = list("xyzab+-*/^()|,' ") + list(string.digits[:5]) + [
    "sin", "cos", "tan", "ln", "log", "log_2", "exp", "sqrt", "abs", "asin", "atan", "sinh", "sec", "pi", "e",
    "d/dx", "∂/∂y", "x_1", "a_i", "sum_i", "1/2", "0.5", "²", "⁻¹", "√", "−", "×", "θ", "**", "f", "f'", "(x)", "^(-1)",
]  # fmt: skip

# Operands and operators taken in turn: sequences that mostly parse, so most examples reach the engine.
OPERANDS = [
    "x",
    "y",
    "2",
    "3",
    "1/2",
    "0.5",
    "pi",
    "e",
    "sin x",
    "cos(2x)",
    "tan(x)",
    "ln(x)",
    "log_2(x)",
    "exp(x)",
    "sqrt(x)",
    "|x|",
    "(x+1)",
    "x^2",
    "e^x",
    "asin(x/2)",
    "atan x",
    "sinh(x)",
    "sec x",
    "θ",
    "x²",
    "√x",
    "x_1",
]
OPERATORS = ["+", "-", "*", "/", "^", " ", "−", "·", ""]
sentences = st.tuples(
    st.sampled_from(OPERANDS), st.lists(st.tuples(st.sampled_from(OPERATORS), st.sampled_from(OPERANDS)), max_size=5)
).map(lambda parts: parts[0] + "".join(op + operand for op, operand in parts[1]))

FUNCTIONS = st.sampled_from([(), ("f",)])

# Examples per property are multiplied by this (tests/fuzz/run_fuzz.py sets it for a long local run).
SCALE = int(os.environ.get("DERIVSTEPS_FUZZ_SCALE", "1"))

# Hypothesis's health checks count slow examples; the pipeline runs SymPy-free but is still the whole engine.
FUZZ = settings(max_examples=1000 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))


def pipeline(text: str, functions: tuple[str, ...]) -> None:
    """Read, differentiate and evaluate text: any failure must be a DerivError; a derivation must keep the value."""
    try:
        parsed = parse(text, functions=functions)
    except DerivError:
        return
    expr = parsed.expr
    assert parse(to_text(expr), functions=functions).expr == expr, to_text(expr)
    names = variables(expr)
    try:
        derivation = differentiate(expr, names[0] if names else "x", functions=functions)
    except DerivError:
        return
    check_invariants(derivation)
    if not any(isinstance(node, (Apply, Sum)) for _, node in walk(expr)):
        check_moderate_values(derivation)
    try:
        evaluate_at(expr, {var: "7/10" for var in names}, functions=functions)
    except DerivError:
        pass


@FUZZ
@given(st.text(alphabet=ALPHABET, max_size=24), FUNCTIONS)
def test_random_strings(text, functions):
    pipeline(text, functions)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join), FUNCTIONS)
def test_random_token_sequences(text, functions):
    pipeline(text, functions)


@settings(FUZZ, max_examples=600 * SCALE)
@given(sentences)
def test_random_sentences(text):
    pipeline(text, ())


@settings(max_examples=80 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(sentences, st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join)))
def test_a_sample_of_successes_verifies_with_sympy(text):
    from derivsteps.cas.verification import verify

    try:
        expr = parse(text).expr
        names = variables(expr)
        derivation = differentiate(expr, names[0] if names else "x")
    except DerivError:
        return
    verdict = verify(derivation)
    assert verdict.verified is not False, f"{text!r}: {to_text(derivation.result)}: {verdict}"
