"""Each rule of the two cheat sheets, one step at a time: input -> the expression after that rule alone."""

from __future__ import annotations

import pytest

from derivsteps.core.engine import first_match
from derivsteps.core.rules import DIFF_RULES, ELEMENTARY
from derivsteps.core.simplify_rules import SIMPLIFY_RULES
from derivsteps.core.tree import Deriv, Var
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse

X = Var("x")

# (rule, the body to differentiate by x, the replacement of ∂/∂x body after that one rule)
DIFF_CASES = [
    ("constant", "5", "0"),
    ("constant", "b^2", "0"),
    ("variable", "x", "1"),
    ("sum", "x + y + z", "∂x/∂x + ∂y/∂x + ∂z/∂x"),
    ("sum", "x - y", "∂x/∂x - ∂y/∂x"),
    ("sum_linearity", "sum_i (x a_i)", "Σ_i (∂/∂x (x a_i))"),
    ("constant_factor", "3x^2", "3 · ∂/∂x x^2"),
    ("constant_factor", "-x^2", "-∂/∂x x^2"),
    ("constant_factor", "x^2/4", "(∂/∂x x^2)/4"),
    ("constant_factor", "a b x", "ab · ∂x/∂x"),
    ("exponent", "x^2", "2x"),
    ("exponent", "x^3", "3x^2"),
    ("exponent", "x^(1/2)", "(1/2)x^(-1/2)"),
    ("exponent", "x^-1", "-x^(-2)"),
    ("exponent", "x^n", "nx^(n - 1)"),
    ("exponent", "x^0.5", "0.5x^(-0.5)"),
    ("exp", "e^x", "e^x"),
    ("exp", "exp(x)", "exp(x)"),
    ("zero_base", "0^x", "0"),
    ("exponential", "2^x", "2^x ln(2)"),
    ("sin", "sin x", "cos(x)"),
    ("cos", "cos x", "-sin(x)"),
    ("tan", "tan x", "sec(x)^2"),
    ("sec", "sec x", "sec(x) tan(x)"),
    ("csc", "csc x", "-csc(x) cot(x)"),
    ("cot", "cot x", "-csc(x)^2"),
    ("asin", "asin x", "1/sqrt(1 - x^2)"),
    ("acos", "acos x", "-1/sqrt(1 - x^2)"),
    ("atan", "atan x", "1/(1 + x^2)"),
    ("asec", "arcsec x", "1/(|x| sqrt(x^2 - 1))"),
    ("acsc", "acsc x", "-1/(|x| sqrt(x^2 - 1))"),
    ("acot", "acot x", "-1/(1 + x^2)"),
    ("sinh", "sinh x", "cosh(x)"),
    ("cosh", "cosh x", "sinh(x)"),
    ("tanh", "tanh x", "1 - tanh(x)^2"),
    ("sech", "sech x", "-sech(x) tanh(x)"),
    ("csch", "csch x", "-csch(x) coth(x)"),
    ("coth", "coth x", "-csch(x)^2"),
    ("asinh", "arsinh x", "1/sqrt(x^2 + 1)"),
    ("acosh", "acosh x", "1/sqrt(x^2 - 1)"),
    ("atanh", "artanh x", "1/(1 - x^2)"),
    ("ln", "ln x", "1/x"),
    ("ln", "log x", "1/x"),
    ("sqrt", "sqrt x", "1/(2 sqrt(x))"),
    ("cbrt", "cbrt x", "1/(3cbrt(x)^2)"),
    ("abs", "|x|", "x/|x|"),
    ("sgn", "sgn x", "0"),
    ("sigmoid", "sigmoid x", "sigmoid(x) · (1 - sigmoid(x))"),
    ("softplus", "softplus x", "sigmoid(x)"),
    ("log_base", "log_2 x", "1/(x ln(2))"),
    ("change_of_base", "log(x, x + 1)", "∂/∂x (ln(x)/ln(x + 1))"),
    ("chain", "sin(x^2)", "∂sin(x^2)/∂(x^2) · ∂/∂x x^2"),
    ("chain", "(x + 1)^3", "∂(x + 1)^3/∂(x + 1) · ∂/∂x (x + 1)"),
    ("chain", "e^(2x)", "∂e^(2x)/∂(2x) · ∂/∂x (2x)"),
    ("general_power", "x^x", "x^x · ∂/∂x (x ln(x))"),
    ("product", "x sin x", "∂x/∂x · sin(x) + x · ∂/∂x sin(x)"),
    ("product", "x sin(x) e^x", "∂x/∂x · sin(x) e^x + x · (∂/∂x sin(x)) · e^x + x sin(x) · ∂/∂x e^x"),
    ("quotient", "x/(x + 1)", "(∂x/∂x · (x + 1) - x · ∂/∂x (x + 1))/(x + 1)^2"),
]


@pytest.mark.parametrize("rule, body, expected", DIFF_CASES, ids=[f"{r}: {b}" for r, b, _ in DIFF_CASES])
def test_diff_rule_one_step(rule, body, expected):
    found = first_match(DIFF_RULES, Deriv(parse(body).expr, X))
    assert found is not None, "no rule matched"
    matched, bindings = found
    assert matched.name == rule
    assert to_text(matched.rewrite(bindings)) == expected


def test_abstract_function_rule():
    body = parse("f(x^2)", functions=["f"]).expr
    matched, bindings = first_match(DIFF_RULES, Deriv(body, X))
    assert matched.name == "abstract_function"
    assert to_text(matched.rewrite(bindings)) == "f'(x^2) · ∂/∂x x^2"


def test_every_diff_rule_has_a_case():
    covered = {rule for rule, _, _ in DIFF_CASES} | {"abstract_function"}
    assert {rule.name for rule in DIFF_RULES} <= covered


def test_the_order_of_the_cheat_sheet_is_pinned():
    # Order is part of the rule set: the first match wins, specific before general.
    names = [rule.name for rule in DIFF_RULES]
    assert names[:9] == [
        "constant",
        "variable",
        "sum",
        "sum_linearity",
        "constant_factor",
        "exponent",
        "exp",
        "zero_base",
        "exponential",
    ]
    assert names[9 : 9 + len(ELEMENTARY) + 1] == [*ELEMENTARY, "ln"]
    assert names[9 + len(ELEMENTARY) + 1 :] == [
        "log_base",
        "change_of_base",
        "abstract_function",
        "chain",
        "general_power",
        "product",
        "quotient",
    ]


# (rule, expression, the expression after that one rewrite at the root)
SIMPLIFY_CASES = [
    ("add_zero", "x + 0 + y", "x + y"),
    ("multiply_zero", "0 x", "0"),
    ("multiply_one", "1 · x", "x"),
    ("negate_zero", "-0", "0"),
    ("double_negation", "-(-x)", "x"),
    ("fold_constants", "3 · 2x", "6x"),
    ("fold_constants", "x + 2 + 3", "x + 5"),
    ("fold_constants", "0.5 · 2x", "1 · x"),
    ("fold_constants", "2^3", "8"),
    ("typed_constant", "2^3 - 1", "8 - 1"),  # the engine leaves typed 2^3 as written: its parent works it out
    ("typed_constant", "e^0 + x", "1 + x"),
    ("typed_constant", "8 cos(2^3 x)", "8 cos(8x)"),
    ("typed_constant", "exp(0) · 2", "1 · 2"),
    ("power_one", "x^1", "x"),
    ("power_zero", "x^0", "1"),
    ("power_of_power", "(x^3)^2", "x^6"),
    ("root_squared", "x/sqrt(1 + x^2)^2", "x/(1 + x^2)"),
    ("root_squared", "(1 - sqrt(x))/sqrt(x)^4", "(1 - sqrt(x))/x^2"),
    ("power_of_one", "1^x", "1"),
    ("log_known", "ln(1)", "0"),
    ("log_known", "ln(e)", "1"),
    ("abs_even_power", "x/|x|^2", "x/x^2"),
    ("sign", "2(-x)", "-2x"),
    ("regroup", "(a + b) + c", "a + b + c"),
    ("collect_coefficients", "x · 2", "2x"),
    ("order_factors", "cos(x) x", "x cos(x)"),
    ("negative_exponent", "x^(-2)", "1/x^2"),
    ("multiply_powers", "x x^2", "x^3"),
    ("multiply_powers", "x (x^3)^2", "x^7"),
    ("combine_like_terms", "2x + 3x", "5x"),
    ("combine_like_terms", "2 sin(x) cos(x) - 2 cos(x) sin(x)", "0"),  # alike in any factor order
    ("combine_like_terms", "x y + 2 y x", "3xy"),
    ("pythagorean", "sin(x)^2 + cos(x)^2", "1"),
    ("pythagorean", "2x cos(x^2)^2 + 1 + 2x sin(x^2)^2", "2x + 1"),
    ("pythagorean", "cosh(x)^2 - sinh(x)^2", "1"),
    ("distribute_constant", "3x^2 cos(x) + 3(x^2 cos(x) + 2x sin(x))", "3x^2 cos(x) + 3x^2 cos(x) + 6x sin(x)"),
    ("distribute_constant", "x - 2(x + 1)", "x - 2x - 2"),
    ("order_terms", "2x + x^2", "x^2 + 2x"),
    ("multiply_fraction", "2 (1/x)", "2/x"),
    ("nested_fraction", "(a/b)/c", "a/(bc)"),
    ("cancel", "x^3/x", "x^2"),
    ("cancel", "2x/(4y)", "x/(2y)"),
    ("cancel", "x^2/(x^3)^2", "1/x^4"),  # a quotient of powers, the typed (x^3)^2 seen as x^6
    ("cancel", ".5/(2 sqrt(x))", "0.25/sqrt(x)"),  # a typed decimal stays a decimal
    ("cancel", ".5/(3x)", "1/(6x)"),  # 1/6 has no decimal: exact
    ("sum_constant", "sum_i b", "bn"),
    ("sum_constant", "sum_{i=1}^{3} 2", "2 · 3"),
    ("sum_factor", "sum_i (s a_i^2)", "s Σ_i a_i^2"),
    ("distribute", "sum_i (a_i (s a_i + b))", "Σ_i (a_i s a_i + a_i b)"),
    ("sum_split", "sum_i (a_i - h_i)", "Σ_i a_i - Σ_i h_i"),
]


@pytest.mark.parametrize("rule, text, expected", SIMPLIFY_CASES, ids=[f"{r}: {t}" for r, t, _ in SIMPLIFY_CASES])
def test_simplify_rule_one_step(rule, text, expected):
    found = first_match(SIMPLIFY_RULES, parse(text).expr)
    assert found is not None, "no rule matched"
    matched, bindings = found
    assert matched.name == rule
    assert to_text(matched.rewrite(bindings)) == expected


def test_every_simplify_rule_has_a_case():
    assert {rule.name for rule in SIMPLIFY_RULES} == {rule for rule, _, _ in SIMPLIFY_CASES}


def test_simplification_leaves_a_tidy_result_alone():
    for text in [
        "2(x + y + z)",
        "6a - b + 1",
        "x^2 cos(x) + 2x sin(x)",
        "-sin(x)",
        "2x/(x^2 + 1)",
        "z + 3(x + y)",  # nothing beside 3(x + y) to combine with: not multiplied out
        "sin(x)^2 + cos(y)^2",
        "2 sin(x)^2 + cos(x)^2",
        "cosh(x)^2 + sinh(x)^2",
        "2^(1/2)",
        "x^(1/2)",
        "x^(10^100 - 1)",  # a typed constant too long for the board stays as typed
    ]:
        assert first_match(SIMPLIFY_RULES, parse(text).expr) is None, text


def test_readme_rule_table_is_the_cheat_sheet():
    from pathlib import Path

    seen, rows = set(), ["| rule | law |", "|---|---|"]
    for rule in DIFF_RULES:
        if rule.name not in seen:
            seen.add(rule.name)
            rows.append(f"| `{rule.name}` | {rule.law.replace('|', chr(92) + '|')} |")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "\n".join(rows) in readme, "regenerate the rule table in README.md from rules.DIFF_RULES"
    assert ", ".join(f"`{rule.name}`" for rule in SIMPLIFY_RULES) in readme


def test_a_double_sum_keeps_x_ij_inside_the_sum_over_j():
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.cas.verification import verify

    derivation = differentiate("sum_i (sum_j (s x_{ij}) - y_i)^2", "s")
    assert verify(derivation).verified is True
    assert "Σ_j x_{ij}" in to_text(derivation.result)


def test_differentiating_by_an_indexed_variable_is_refused_in_words():
    from derivsteps.calculus.derivative import differentiate
    from derivsteps.core.errors import UsageError

    with pytest.raises(UsageError, match="indexed by a sum over j"):
        differentiate("sum_i (sum_j (w_j x_{ij}) - y_i)^2", "w_j")
