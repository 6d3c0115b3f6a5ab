"""Evaluates an expression tree numerically at a point, with mpmath; pending derivatives by high-precision differences.

This is our own evaluator, independent of SymPy's: the tests use it to check that every step keeps the value, and
verification falls back on it where SymPy itself gives up on a large expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import mpmath

from . import limits
from .errors import DerivError
from .tree import (
    Add,
    Apply,
    Call,
    Const,
    Deriv,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    is_number,
    number_value,
    replace_all,
)

# Working precision in decimal digits, and the step of the central difference for a pending derivative: the
# truncation error is about STEP^2 and the rounding error about 10^-PRECISION / STEP, both far below a check's 1e-9.
PRECISION = 80
STEP = mpmath.mpf(10) ** -22


# A value this close to 0 is 0 up to rounding: csc(pi) = 1/sin(pi) is a pole, not 10^80.
_TINY = mpmath.mpf(10) ** -(PRECISION // 2)


# An mpmath number (mpf or mpc): mpmath has no type information, so to the type checker it is Any.
Value = Any


class EvaluationError(DerivError):
    """The expression has no finite value at the point (1/0, ln(0)), or cannot be evaluated (an abstract f(x))."""

    kind = "evaluation"


def _odd_root(exp: Expr) -> Fraction | None:
    """The exponent p/q when it is a literal fraction with q odd (1/3, -2/5): a root with a real value for a negative base."""
    if not is_number(exp):
        return None
    value = number_value(exp)
    return value if value.denominator % 2 == 1 and value.denominator != 1 else None


def _cbrt(value: Value) -> Value:
    """The real cube root of a real number (cbrt(-8) = -2, as in a calculus course); the principal root otherwise."""
    if mpmath.im(value) == 0:
        real = mpmath.re(value)
        return mpmath.sign(real) * mpmath.cbrt(abs(real))
    return mpmath.cbrt(value)


def _sigmoid(value: Value) -> Value:
    return 1 / (1 + mpmath.exp(-value))


def _softplus(value: Value) -> Value:
    return mpmath.log(1 + mpmath.exp(value))


_FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
    "sec": mpmath.sec, "csc": mpmath.csc, "cot": mpmath.cot,
    "asin": mpmath.asin, "acos": mpmath.acos, "atan": mpmath.atan,
    "asec": mpmath.asec, "acsc": mpmath.acsc, "acot": mpmath.acot,
    "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
    "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth,
    "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
    "exp": mpmath.exp, "ln": mpmath.log, "log": mpmath.log, "sqrt": mpmath.sqrt, "cbrt": _cbrt,
    "abs": abs, "sgn": mpmath.sign, "sigmoid": _sigmoid, "softplus": _softplus,
}  # fmt: skip


def evaluate(expr: Expr, point: Mapping[Var, object]) -> mpmath.mpc:
    """The value of expr with each variable set as in point (numbers, Fractions or mpmath values)."""
    with mpmath.workdps(PRECISION):
        values = {var: _number(value) for var, value in point.items()}
        try:
            result = _eval(expr, values)
        except ZeroDivisionError:  # mpmath's own, from csc(0) or a logarithm to base 1
            raise EvaluationError("division by zero") from None
        except OverflowError:  # mpmath turning an exponent like 2^(2^100) into a Python integer
            raise EvaluationError("a number in the expression is too large to evaluate") from None
        if not mpmath.isfinite(result):
            raise EvaluationError("the expression is not finite at this point")
        return mpmath.mpc(result)


def _number(value: object) -> Value:
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpmathify(value)


def _eval(expr: Expr, point: Mapping[Var, Value], memo: dict[int, tuple[Value, Expr]] | None = None) -> Value:
    """The value at the point; memo holds the values of the nodes seen at this point, by identity: a derivative
    shares its subtrees (the chain rule copies sin(sin(x)) into every factor), and each is worked out once."""
    if memo is None:
        memo = {}
    key = id(expr)
    if key not in memo:
        memo[key] = (_compute(expr, point, memo), expr)  # the node is kept, so its id is not reused meanwhile
    return memo[key][0]


def _compute(expr: Expr, point: Mapping[Var, Value], memo: dict[int, tuple[Value, Expr]]) -> Value:
    match expr:
        case Num(value):
            value = Fraction(value)
            return mpmath.mpf(value.numerator) / value.denominator
        case Const("e"):
            return mpmath.e
        case Const("pi"):
            return mpmath.pi
        case Var():
            if expr not in point:
                raise EvaluationError(f"no value given for {expr.name}")
            return point[expr]
        case Add(terms):
            return mpmath.fsum(_eval(t, point, memo) for t in terms)
        case Neg(arg):
            return -_eval(arg, point, memo)
        case Mul(factors):
            result = mpmath.mpf(1)
            for factor in factors:
                result *= _eval(factor, point, memo)
            return result
        case Div(num, den):
            denominator = _eval(den, point, memo)
            if abs(denominator) < _TINY:
                raise EvaluationError("division by zero")
            return _eval(num, point, memo) / denominator
        case Pow(base, exp):
            b, e = _eval(base, point, memo), _eval(exp, point, memo)
            if b == 0 and mpmath.re(e) <= 0:
                raise EvaluationError("0 to a power that is not positive")
            if abs(b) != 1:
                _check_size(e, "an exponent")
            odd = _odd_root(exp)
            if odd is not None and mpmath.im(b) == 0 and mpmath.re(b) < 0:
                # (-8)^(1/3) = -2, the real root, as a calculus course and every other part of derivsteps read it
                return (-1) ** odd.numerator * mpmath.power(-mpmath.re(b), e)
            return mpmath.power(b, e)
        case Call(fn, args):
            values = [_eval(a, point, memo) for a in args]
            if fn in ("ln", "log") and values[0] == 0:
                raise EvaluationError("the logarithm of 0")
            if fn in _REDUCING:
                _check_size(values[0], f"the argument of {fn}")
            result = _FUNCTIONS[fn](values[0])
            if fn == "log" and len(values) == 2:
                result /= mpmath.log(values[1])
            # Only these have poles at finite points; a huge exp(100) or ln(10^(10^100)) is a value, not a pole.
            if fn in _POLES and abs(result) > 1 / _TINY:
                raise EvaluationError(f"{fn} has a pole here")
            return result
        case Deriv(body, var):
            return _difference(body, var, point)
        case Apply(name):
            raise EvaluationError(f"{name} is an abstract function: it has no value")
        case Sum():
            raise EvaluationError("a sum over data needs the data")
    raise EvaluationError(f"cannot evaluate {type(expr).__name__}")


# Functions whose value mpmath finds by reducing the argument (modulo pi, or ln 2): that takes as many bits as the
# argument has digits, so sin(2^(2^100)) would never finish; an exponent that long has the same cost in power().
_REDUCING = frozenset(
    {
        "sin",
        "cos",
        "tan",
        "sec",
        "csc",
        "cot",
        "exp",
        "sinh",
        "cosh",
        "tanh",
        "sech",
        "csch",
        "coth",
        "sigmoid",
        "softplus",
    }
)

# The functions with poles at finite points: a value past 1/_TINY there is a pole met up to rounding (csc(pi)).
_POLES = frozenset({"tan", "sec", "csc", "cot", "csch", "coth"})


def _check_size(value: Value, what: str) -> None:
    """Refuse a value with more than limits.MAX_INTEGER_DIGITS digits before its integer part costs as many bits."""
    if mpmath.mag(value) > limits.MAX_INTEGER_DIGITS * 3.33:  # log2(10): digits to bits
        raise EvaluationError(
            f"{what} has more than {limits.MAX_INTEGER_DIGITS:,} digits, too large to evaluate "
            f"({limits.named('MAX_INTEGER_DIGITS')})"
        )


def _difference(body: Expr, var: Expr, point: Mapping[Var, Value]) -> Value:
    """∂body/∂var at the point by a central difference; a compound var (∂f/∂g) stands for a fresh variable."""
    if not isinstance(var, Var):
        at = _eval(var, point)
        fresh = Var("_u")
        body = replace_all(body, {var: fresh})
        var, point = fresh, {**point, fresh: at}
    x0 = point[var] if var in point else None
    if x0 is None:
        raise EvaluationError(f"no value given for {var.name}")
    # The step scales with the value: at 10^60 a step of 10^-22 is lost in 80 digits and every difference is 0; at
    # 10^-23 it would cross 0, and a function with a jump there (acot) would show the jump as a huge slope.
    size = abs(x0)
    step = STEP * (size if _TINY < size < 1 else max(1, size))
    high = _eval(body, {**point, var: x0 + step})
    low = _eval(body, {**point, var: x0 - step})
    return (high - low) / (2 * step)
