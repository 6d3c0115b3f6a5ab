"""Checks a derivation against SymPy: the final result must equal sympy's own derivative of the input."""

from __future__ import annotations

import random

import sympy

from .derivation import Derivation, Verification
from .sympy_bridge import from_sympy, to_sympy

# Symbolic simplification of a difference is tried only below this many operations: on the derivative corpus,
# simplify of a 100-operation difference took about 9 s and still failed, where random points decide in milliseconds.
MAX_SIMPLIFY_OPS = 40
# Numeric comparison: points drawn from this interval for every variable, how many must be usable, and the tolerance.
SAMPLE_INTERVAL = (0.3, 1.7)
SAMPLE_POINTS = 6
MIN_VALID_POINTS = 4
RELATIVE_TOLERANCE = 1e-9


def verify(derivation: Derivation) -> Verification:
    """Compare the derivation's result with sympy.diff of its input; never raises for a wrong result."""
    start = _real(to_sympy(derivation.start))
    expected = start.doit()
    got = _real(to_sympy(derivation.result))
    verdict, method, reason = equivalent(expected, got)
    expected_tree = None
    try:
        expected_tree = from_sympy(expected)
    except Exception:  # only for display; a form we cannot show does not change the verdict
        expected_tree = None
    return Verification(verdict, method, reason, expected_tree)


def _real(expr: sympy.Expr) -> sympy.Expr:
    """Variables are real numbers in a calculus course; SymPy's |x|' is only sign(x) when it knows that."""
    return expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols if isinstance(s, sympy.Symbol) and not s.is_real})


def equivalent(a: sympy.Expr, b: sympy.Expr, seed: int = 20240601) -> tuple[bool | None, str | None, str]:
    """Whether a and b are equal as functions: (verdict, "symbolic" | "numeric" | None, reason)."""
    difference = a - b
    if difference == 0:
        return True, "symbolic", ""
    if sympy.count_ops(difference) <= MAX_SIMPLIFY_OPS:
        try:
            if sympy.simplify(difference) == 0:
                return True, "symbolic", ""
        except (TypeError, ValueError, RecursionError, NotImplementedError):
            pass
    return _numeric(a, b, seed)


def _numeric(a: sympy.Expr, b: sympy.Expr, seed: int) -> tuple[bool | None, str | None, str]:
    symbols = sorted((a.free_symbols | b.free_symbols), key=lambda s: s.name)
    rng = random.Random(seed)
    valid = 0
    for _ in range(SAMPLE_POINTS * 3):
        point = {s: sympy.Float(rng.uniform(*SAMPLE_INTERVAL), 30) for s in symbols}
        try:
            value_a = complex(a.evalf(30, subs=point))
            value_b = complex(b.evalf(30, subs=point))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(map(_finite, (value_a, value_b))):
            continue
        scale = max(abs(value_a), abs(value_b), 1.0)
        if abs(value_a - value_b) > RELATIVE_TOLERANCE * scale:
            shown = ", ".join(f"{s}={float(v):.4g}" for s, v in point.items())
            return False, "numeric", f"the values differ at {shown}: {value_a:.10g} vs {value_b:.10g}"
        valid += 1
        if valid >= SAMPLE_POINTS:
            break
    if valid >= MIN_VALID_POINTS:
        return True, "numeric", f"equal at {valid} random points"
    return None, None, f"only {valid} of the random points gave finite values"


def _finite(value: complex) -> bool:
    return value == value and abs(value) != float("inf")
