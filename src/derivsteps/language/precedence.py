"""The one precedence table that decides parentheses for text, LaTeX and Markdown."""

from __future__ import annotations

from fractions import Fraction

from ..core.tree import Add, Const, Deriv, Div, Expr, Mul, Neg, Num, Pow, Sum, Var

# Binding strength, loosest first: a child printed where a stronger level is required gets parentheses.
SUM = 1  # a + b
TERM = 2  # -a, and ∂/∂x u, which takes the rest of its term
PRODUCT = 3  # a b, a / b
FACTOR = 4  # Σ_i u: a factor, but never the base of a power
POWER = 5  # a^b
ATOM = 6  # x, 2, sin(x), (…), ∂x/∂y


def is_fraction_form(expr: Deriv) -> bool:
    """∂x/∂y for a plain body or a compound variable (the chain rule's ∂f/∂g); otherwise the operator form ∂/∂y (…)."""
    return not isinstance(expr.var, Var) or isinstance(expr.body, (Var, Const, Num))


def is_operator_form(expr: Expr) -> bool:
    return isinstance(expr, Deriv) and not is_fraction_form(expr)


def ends_with_sum(expr: Expr) -> bool:
    """Whether expr, printed without brackets, ends with Σ_i …, which would take in a factor or divisor after it."""
    match expr:
        case Sum():
            return True
        case Mul(factors):
            return ends_with_sum(factors[-1])
        case Div(_, den):
            return ends_with_sum(den)
        case Neg(arg):
            return ends_with_sum(arg)
    return False


def level(expr: Expr) -> int:
    """How tightly expr binds when printed without parentheses."""
    match expr:
        case Add():
            return SUM
        case Neg():
            return TERM
        case Deriv():
            return ATOM if is_fraction_form(expr) else TERM
        case Mul(factors):
            return TERM if is_operator_form(factors[-1]) else PRODUCT
        case Div():
            return PRODUCT
        case Num(value, text):
            return PRODUCT if isinstance(value, Fraction) and value.denominator != 1 and text is None else ATOM
        case Pow():
            return POWER
        case Sum():
            return FACTOR
        case _:
            return ATOM
