"""Checks a derivation against SymPy: the final result must equal sympy's own derivative of the input."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from . import deadline
from .derivation import Derivation, Verification
from .errors import CasLimitError, DerivError
from .tree import Expr

if TYPE_CHECKING:
    import sympy

# SymPy and the bridge are imported inside the functions that run in the CAS worker: a command that verifies starts
# that worker first (deadline.start), which imports SymPy on the other core while this process parses and
# differentiates; importing this module must not make this process import SymPy as well (about 300 ms).

# Symbolic simplification of a difference is tried only below this many operations: on the derivative corpus,
# simplify of a 100-operation difference took about 9 s and still failed, where random points decide in milliseconds.
MAX_SIMPLIFY_OPS = 40
# Numeric comparison: points drawn from this interval for every variable, how many must be usable, and the tolerance.
SAMPLE_INTERVAL = (0.3, 1.7)
SAMPLE_POINTS = 6
MIN_VALID_POINTS = 4
RELATIVE_TOLERANCE = 1e-9
# The subexpressions (non-integer powers, log, the inverse functions real on part of the line only) that must be real
# at a point, at most this many per side.
MAX_DOMAIN_PARTS = 20
# A value is real when its imaginary part is below this, relative to its size.
IMAGINARY_TOLERANCE = 1e-20


# Where SymPy gives up (its time or memory limit, or its recursion on a deeply nested input), our own evaluator
# compares the result with a central difference of the input at this many random points (evaluate.py, 80 digits).
EVALUATOR_POINTS = 3


def verify(derivation: Derivation) -> Verification:
    """Compare the derivation's result with sympy.diff of its input; never raises for a wrong result.

    The whole comparison is one call under the CAS deadline (deadline.run). Past limits.CAS_SECONDS or
    limits.CAS_MEMORY_MB, or when SymPy recurses too deep, our own evaluator decides at random points (method
    "evaluator", the reason says why); where it cannot either, the verdict is None, "could not verify".
    """
    try:
        return deadline.run(_verify, derivation.start, derivation.result, what="verification")
    except CasLimitError as error:
        return _by_own_evaluator(derivation, error.message)
    except RecursionError:
        return _by_own_evaluator(derivation, "SymPy cannot handle an expression nested this deep (its recursion failed)")


def _by_own_evaluator(derivation: Derivation, why: str) -> Verification:
    """Value of the result against a numerical derivative of the input, with derivsteps' evaluator, not SymPy's."""
    from fractions import Fraction

    from .evaluate import evaluate
    from .tree import Var, walk

    variables = sorted({node for _, node in walk(derivation.start) if isinstance(node, Var)}, key=lambda v: (v.name, v.sub or ""))
    rng = random.Random(20240601)
    agreed = 0
    for _ in range(EVALUATOR_POINTS * 3):
        point = {var: Fraction(rng.randint(300, 1700), 1000) for var in variables}
        try:
            want, got = evaluate(derivation.start, point), evaluate(derivation.result, point)
        except (DerivError, RecursionError):
            continue  # outside the domain, or an abstract function or a sum over data: no value to compare
        if abs(want - got) > RELATIVE_TOLERANCE * max(abs(want), abs(got), 1):
            where = ", ".join(f"{var.name}={float(value):g}" for var, value in point.items())
            return Verification(False, "evaluator", f"{why}; at {where} a numerical derivative is {complex(want):.10g}, the result {complex(got):.10g}")
        agreed += 1
        if agreed == EVALUATOR_POINTS:
            return Verification(True, "evaluator", f"{why}; checked instead at {agreed} random points with derivsteps' own evaluator")
    return Verification(None, None, why)


def _verify(start_tree: Expr, result: Expr) -> Verification:
    from .sympy_bridge import from_sympy, to_sympy

    start = real_variables(to_sympy(start_tree))
    expected = start.doit()
    got = real_variables(to_sympy(result))
    verdict, method, reason = equivalent(expected, got)
    expected_tree = None
    if verdict is False:  # shown only when we disagree; a form we cannot show does not change the verdict
        try:
            expected_tree = from_sympy(expected)
        except DerivError:
            expected_tree = None
    return Verification(verdict, method, reason, expected_tree)


@deadline.primer
def _warm_up() -> None:
    """SymPy's first-use set-up of what verification and the checker call (deadline.primer), on constant input."""
    import sympy

    x, y = sympy.symbols("x y", real=True)
    sympy.diff(sympy.sin(x) * sympy.exp(x) * x**2 / (1 + sympy.log(y)), x)
    for difference in ((x**2 - 1) / (x - 1) - x - 1, sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1, sympy.sqrt(x**2) - sympy.Abs(x)):
        sympy.simplify(difference)
    sympy.cancel(sympy.together(1 / x + 1 / y))
    (sympy.atan(x) + sympy.sqrt(x)).xreplace({x: sympy.Float(0.5, 30)}).evalf(30)


def real_variables(expr: sympy.Expr) -> sympy.Expr:
    """Variables are real numbers in a calculus course; SymPy's |x|' is only sign(x) when it knows that. A number too
    long to compute stands in as a symbol (sympy_bridge.huge_numbers_as_symbols). The checker builds on this."""
    import sympy

    from .sympy_bridge import huge_numbers_as_symbols

    expr = huge_numbers_as_symbols(expr)
    return expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols if isinstance(s, sympy.Symbol) and not s.is_real})


def equivalent(a: sympy.Expr, b: sympy.Expr, seed: int = 20240601) -> tuple[bool | None, str | None, str]:
    """Whether a and b are equal as functions: (verdict, "symbolic" | "numeric" | None, reason); None past the CAS limits."""
    try:
        return deadline.run(_equivalent, a, b, seed, what="equivalence check")
    except CasLimitError as error:
        return None, None, f"could not decide: {error.message}"


def _equivalent(a: sympy.Expr, b: sympy.Expr, seed: int) -> tuple[bool | None, str | None, str]:
    import sympy

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
    """Values at random points. Variables are real: a point where a part of either side is not real (asin(1.4),
    sqrt of a negative) is no evidence against the result, since |u|' = u'·u/|u| holds only for real u; complex
    values that agree still count (ln(x - 5) has no real point on the sampling interval)."""
    symbols = sorted((a.free_symbols | b.free_symbols), key=lambda s: s.name)
    parts = domain_parts(a) + domain_parts(b)
    rng = random.Random(seed)
    real = complex_ = 0
    low, high = SAMPLE_INTERVAL
    for _ in range(SAMPLE_POINTS * 3):
        point = [rng.uniform(low, high) for _ in symbols]
        values = _values(a, b, symbols, point, 30, parts)
        if values is None:
            continue
        (x, y), is_real = values
        if not _close(x, y):
            if not is_real:
                continue
            # 0/0 such as (tan^2 + 1 - sec^2)/(sin^2 + cos^2 - 1) evaluates to any number at all: a point where more
            # digits change the values is numerically meaningless, not evidence of a wrong result.
            finer = _values(a, b, symbols, point, 60, ())
            if finer is None or not (_close(x, finer[0][0]) and _close(y, finer[0][1])):
                continue
            shown = ", ".join(f"{s}={v:.4g}" for s, v in zip(symbols, point))
            return False, "numeric", f"the values differ at {shown}: {x:.10g} vs {y:.10g}"
        if is_real:
            real += 1
        else:
            complex_ += 1
        if real >= SAMPLE_POINTS:
            break
    if real + complex_ >= MIN_VALID_POINTS:
        return True, "numeric", f"equal at {real + complex_} random points" + (f" ({complex_} of them complex values)" if complex_ else "")
    return None, None, f"only {real + complex_} of {SAMPLE_POINTS * 3} random points gave a usable value (undefined or numerically unstable there)"


def _values(a: sympy.Expr, b: sympy.Expr, symbols, point: list[float], digits: int, parts) -> tuple[tuple[complex, complex], bool] | None:
    """Both values at the point, computed with `digits` digits, and whether they and every part are real; None where
    either is undefined.

    Floats, not exact rationals: SymPy factors rationals raised to fractional powers, which took minutes on the
    corpus. xreplace then evalf: much faster than evalf(subs=...), which substitutes again at every node.
    """
    import sympy

    floats = {s: sympy.Float(v, digits) for s, v in zip(symbols, point)}
    try:
        values = [complex(e.xreplace(floats).evalf(digits)) for e in (a, b, *parts)]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not all(map(_finite, values)):
        return None
    return (values[0], values[1]), all(map(is_real, values))


def is_real(value: complex) -> bool:
    """A computed value whose imaginary part is rounding only (IMAGINARY_TOLERANCE, relative to its size)."""
    return abs(value.imag) <= IMAGINARY_TOLERANCE * max(abs(value.real), 1.0)


def domain_parts(expr: sympy.Expr) -> list[sympy.Expr]:
    """The parts that must be real for expr to be: non-integer powers, log, asin, acos, asec, acsc, acosh, atanh (at
    most MAX_DOMAIN_PARTS). sqrt(k/m)·sqrt(m/k) is real at k > 0 > m, but its factors are not."""
    import sympy

    parts = [p for p in expr.atoms(sympy.Pow) if not p.exp.is_Integer]
    partial = (sympy.log, sympy.asin, sympy.acos, sympy.asec, sympy.acsc, sympy.acosh, sympy.atanh)
    parts += [f for f in expr.atoms(sympy.Function) if isinstance(f, partial)]
    return sorted(parts, key=sympy.count_ops)[:MAX_DOMAIN_PARTS]


def _close(x: complex, y: complex) -> bool:
    return abs(x - y) <= RELATIVE_TOLERANCE * max(abs(x), abs(y), 1.0)


def _finite(value: complex) -> bool:
    return value == value and abs(value) != float("inf")
