"""The one answer to "are these two equal?", used by verification, the answer checker, the mistake catalogue, written
derivations, equiv and grading: one result type, one sampling policy, one tolerance policy, one seed.

Layers, cheapest first; every outcome names the layer that decided it:
1. structural: the two trees are identical (equivalent, on our trees, before SymPy is asked);
2. probe: our own evaluator finds values that differ beyond doubt at one random point (no SymPy: most wrong
   candidates of the mistake catalogue end here);
3. symbolic: on our trees first, without SymPy (before_sympy): two rational functions compared in exact arithmetic,
   both ways (exactly: "equal" only by a proof on a grid of rational points, or far below any doubt), or the same
   tree but for rational parts that are exactly equal; then in SymPy (compare, in the CAS worker): the difference
   is 0; an exact rational function cancels, both ways; while the difference is small, cheap rewritings (expand,
   together and cancel, written with exp, a number's minimal polynomial) and last simplify, all skipped when our
   evaluator has found values that differ somewhere, complex ones too (differ_somewhere: no rewriting can give 0);
4. numeric: values at random points inside the domain of both sides, positive first, then mixed signs, wide values
   and nonzero integers; a difference counts only when it survives recomputation with FINE_DIGITS digits. On our
   trees (compare_trees) the values at the same points come from our own evaluator, many times faster than evalf.
Variables are real numbers, and an odd root of a negative number is the real root ((-8)^(1/3) = -2), as a calculus
course reads it (real_reading): a point where either side is not real is outside the domain and resampled. Sums over
data are compared written out over SAMPLE_SETS made-up data sets (written_out).

SymPy is imported inside the functions that run in the CAS worker, so importing this module stays light.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..core.derivation import Displayed
from ..core.errors import DerivError
from ..core.tree import (
    Add,
    Call,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    children,
    is_number,
    number_value,
    variables,
    walk,
)
from ..core.vocabulary import EQUIVALENCE_VERDICTS, Layer, Verdict

if TYPE_CHECKING:
    import sympy

LAYERS = (Layer.STRUCTURAL, Layer.PROBE, Layer.SYMBOLIC, Layer.NUMERIC)
# Who the two sides are, in a difference's words, when the caller does not say.
NAMES = ("the first", "the second")
VERDICTS = EQUIVALENCE_VERDICTS


@dataclass(frozen=True)
class Equivalence(Displayed):
    """Whether two expressions are equal as functions: "correct" (equal), "incorrect" (different) or "inconclusive",
    the layer that decided (None when undecided), the reason in words, and notes (equal for positive values only …)."""

    verdict: Verdict
    decided_by: Layer | None
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool | None:
        """True when equal, False when different, None when undecided: how verification states it."""
        return {Verdict.CORRECT: True, Verdict.INCORRECT: False}.get(self.verdict)


# Symbolic simplification of a difference is tried only below this many operations: on the derivative corpus,
# simplify of a 100-operation difference took about 9 s and still failed, where random points decide in milliseconds.
MAX_SIMPLIFY_OPS = 40
# The subexpressions (non-integer powers, log, the inverse functions real on part of the line only) that must be real
# at a point, at most this many per side.
MAX_DOMAIN_PARTS = 20
# A value is real when its imaginary part is below this, relative to its size.
IMAGINARY_TOLERANCE = 1e-20

# Numeric layer. Every variable is drawn from POSITIVE_INTERVAL, first all positive, then each with a random sign;
# a difference found only at mixed signs is still "incorrect" (x vs sqrt(x^2)), with a note.
# A phase makes at most ATTEMPTS_PER_POINT * its points attempts (points outside a domain are resampled), and a
# "correct" needs MIN_VALID_POINTS points where both sides are real; values agree within RELATIVE_TOLERANCE
# (|a - b| <= RELATIVE_TOLERANCE * max(|a|, |b|, ABSOLUTE_FLOOR): relative even for tiny values, as 0.5^6000 is
# not 0.5^5999). A difference is trusted only when it survives
# recomputation with FINE_DIGITS digits (0/0 forms give arbitrary values at DIGITS digits).
POSITIVE_INTERVAL = (0.1, 2.0)
POSITIVE_POINTS = 6
MIXED_POINTS = 6
# Only while fewer than MIN_VALID_POINTS points were usable: wider values with mixed signs (log(sqrt(t) - 5) needs
# t > 25), then nonzero integers ((-2)^n is real only there).
WIDE_INTERVAL = (0.1, 100.0)
INTEGER_RANGE = 6
PHASES = {"positive": POSITIVE_POINTS, "mixed": MIXED_POINTS, "wide": POSITIVE_POINTS, "integer": POSITIVE_POINTS}
# Points of the positive phase tried before the symbolic layer, to find a difference without simplify.
EARLY_POINTS = 2
ATTEMPTS_PER_POINT = 3
MIN_VALID_POINTS = 4
DIGITS = 30
RELATIVE_TOLERANCE = 1e-14  # the corpus README's; values are computed with DIGITS digits, so noise is far below it
ABSOLUTE_FLOOR = 1e-20
# A decimal with at least this many significant digits is taken as rounded (see _decimal_tolerance).
ROUNDED_DIGITS = 9
FINE_DIGITS = 60
# The exact rational-function shortcut expands powers: only below this exponent ((x - a)^6001 is left to sampling).
MAX_CANCEL_EXPONENT = 12

SEED = 20240601

# Sums over data are compared written out on SAMPLE_SETS made-up data sets of SAMPLE_ROWS rows: SymPy cannot decide
# symbolic sums quickly (one took 11 s), and two formulas that agree on random data agree as formulas, as at random points.
SAMPLE_SETS = 2
SAMPLE_ROWS = 3
# Our own evaluator's points (probe, by_evaluator): exact rationals in this interval, so 0/0 and rounding cannot lie.
EVALUATOR_INTERVAL = (Fraction(3, 10), Fraction(17, 10))
PROBE_TOLERANCE = 1e-6  # the probe only rules out: a difference far beyond any rounding of 80-digit values
# vanishes: an expression is zero everywhere when our evaluator finds it below ZERO_TOLERANCE at ZERO_POINTS random
# points (80 digits are worked: a true cancellation leaves about 1e-80, a value that is not zero stays far above).
ZERO_POINTS = 4
ZERO_TOLERANCE = 1e-60
# by_evaluator compares a numerical derivative (a central difference at 80 digits) with a result: far tighter than
# the difference's error, far looser than any real disagreement.
EVALUATOR_TOLERANCE = 1e-9


# -- on SymPy objects, in the CAS worker ---------------------------------------------------------------------------
def real_reading(expr: sympy.Expr) -> sympy.Expr:
    """real_variables, and odd roots of negative numbers taken as real roots: x^(p/q) = sign(x)^p·|x|^(p/q),
    q odd (as a calculus course reads (-8)^(1/3) = -2)."""
    import sympy

    expr = real_variables(expr)

    def odd_root(node) -> bool:
        exp = node.exp
        return exp.is_Rational and not exp.is_Integer and exp.q % 2 == 1 and node.base.is_nonnegative is not True

    def real_root(node):
        return sympy.sign(node.base) ** node.exp.p * sympy.Abs(node.base) ** node.exp

    return expr.replace(lambda node: node.is_Pow and odd_root(node), real_root)


def compare(
    a: sympy.Expr,
    b: sympy.Expr,
    domain: Sequence[sympy.Expr] = (),
    tolerance: float = 0.0,
    names: tuple[str, str] = NAMES,
    *,
    differs: bool = False,
    on_trees=None,
) -> Equivalence:
    """The symbolic layer, then the numeric one; points must also be in the domain of the `domain` expressions.
    names say whose values a difference shows ("the derivative", "your answer").

    For compare_trees: differs says its caller found values of a and b that differ beyond doubt at some point
    (complex ones too, differ_somewhere), so no rewriting can show their difference is 0 and none is tried; on_trees
    is the same sampling on our own trees (_tree_values), used by the numeric layer first: our evaluator is many
    times faster than evalf, and where it has too few points SymPy's own sampling still decides."""
    import sympy
    from sympy.core.function import AppliedUndef

    def numeric(phases: dict = PHASES) -> Equivalence:
        if on_trees is not None:
            outcome = _sample(*on_trees, tolerance, names, phases)
            if isinstance(outcome, Equivalence):
                return outcome
            if phases is not PHASES:
                return Equivalence(Verdict.INCONCLUSIVE, None, "too few points")
        return _numeric(a, b, domain, tolerance, names, phases)

    difference = a - b
    if difference == 0:
        return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference is 0")
    if a.atoms(AppliedUndef) or b.atoms(AppliedUndef):
        return _with_sample_functions(a, b, domain, tolerance, names)
    rounded = bool(tolerance)  # a decimal in either side is taken as rounded: compared within its precision only
    tolerance = max(tolerance, RELATIVE_TOLERANCE)
    # A large integer power ((x - a)^5999) makes simplify expand it for minutes: sampling decides in milliseconds.
    small = sympy.count_ops(difference) <= MAX_SIMPLIFY_OPS and not _large_power(difference)
    if small and _exact_rational(difference) and not domain and not rounded:
        try:  # cancel decides a rational function both ways, at a fraction of simplify's cost
            if sympy.cancel(sympy.together(difference)) != 0:
                return Equivalence(Verdict.INCORRECT, Layer.SYMBOLIC, "the difference is a nonzero rational function")
            return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference simplifies to 0")
        except (TypeError, ValueError, RecursionError, NotImplementedError):
            pass
    if difference.has(sympy.Sum):
        # A sum over data with its number of rows n left symbolic has no value at a point (evalf of it ran for
        # minutes): only simplify can decide; our trees' sums are compared written out over data (equivalent).
        return _symbolic_only(difference)
    # The numeric layer's first points, before simplify: a difference found there is the verdict the layers would
    # reach anyway (simplify cannot make unequal values equal), and simplify was 3/4 of the answer corpus's time.
    # Both skipped when the values differ somewhere (differs): no rewriting can give 0, and the full numeric layer
    # starts at the same points. Without simplify to skip, the full numeric layer below starts there anyway.
    if small and not differs:
        early = numeric({"positive": EARLY_POINTS})
        if early.verdict == Verdict.INCORRECT:
            return early
        if _simplifies_to_zero(difference):
            return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference simplifies to 0")
    return numeric()


def _simplifies_to_zero(difference: sympy.Expr) -> bool:
    """Whether a rewriting shows the difference is 0: cheap ones first (each keeps the value, so a 0 from any of
    them is as much a proof as simplify's; simplify was most of the answer corpus's time, the cheap ones decide most
    of the pairs it decided at a tenth of its cost or less), then simplify."""
    import sympy
    from sympy.polys.polyerrors import BasePolynomialError

    attempts = [
        lambda d: sympy.expand(sympy.expand_trig(d)),  # sin(2x), cos(x + y), (x - 1)^2
        lambda d: sympy.cancel(sympy.together(sympy.expand(d))),  # a rational function of roots and powers
    ]
    if difference.free_symbols:
        attempts.append(lambda d: sympy.cancel(sympy.together(d.rewrite(sympy.exp))))  # sin^2 + cos^2, tanh, csc
    elif _built_of_roots(difference):  # an algebraic number: nothing to write with exp
        attempts.append(lambda d: sympy.radsimp(sympy.sqrtdenest(d)))  # sqrt(11 + 6 sqrt(2)) = 3 + sqrt(2)
        attempts.append(_minimal_polynomial_zero)  # of a cosine's value too, but slower than simplify's failure
    else:  # a number with functions: cancel of a long one rewritten took over a second (stack-AlgEquiv-100)
        attempts.append(lambda d: sympy.expand(d.rewrite(sympy.exp)))  # 2 sinh(1) = e - 1/e
    for attempt in [*attempts, sympy.simplify]:
        try:
            outcome = attempt(difference)
            if outcome is _NONZERO:
                return False
            if outcome == 0:
                return True
        except (
            TypeError, ValueError, RecursionError, NotImplementedError, AttributeError, ArithmeticError,
            BasePolynomialError,
        ):  # fmt: skip
            continue
    return False


_NONZERO = object()


def _built_of_roots(number: sympy.Expr) -> bool:
    """Whether a number is built of rationals with + - · / and rational powers only: an algebraic number."""
    return all(
        node.is_Rational or node.is_Add or node.is_Mul or (node.is_Pow and node.exp.is_Rational)
        for node in _sympy_nodes(number)
    )


def _sympy_nodes(expr: sympy.Expr):
    yield expr
    for arg in expr.args:
        yield from _sympy_nodes(arg)


def _minimal_polynomial_zero(number: sympy.Expr) -> sympy.Expr | object:
    """0 when the algebraic number's minimal polynomial is x itself (what simplify finds through the assumptions, at
    twice the cost: it asks whether the number is positive, then negative), _NONZERO for any other; a number that is
    not algebraic raises NotAlgebraic."""
    import sympy

    variable = sympy.Dummy("x")
    return sympy.Integer(0) if sympy.minimal_polynomial(number, variable) == variable else _NONZERO


def _with_sample_functions(
    a: sympy.Expr, b: sympy.Expr, domain, tolerance: float, names: tuple[str, str]
) -> Equivalence:
    """A function of the user's own (f, g) has no values to sample: a formula that holds for every f holds for the
    sample functions in SAMPLE_FUNCTIONS, so each is put in its place and the results compared; a difference for any
    of them is a difference."""
    from sympy.core.function import AppliedUndef

    kinds = sorted({type(node) for e in (a, b) for node in e.atoms(AppliedUndef)}, key=str)
    outcome = Equivalence(Verdict.INCONCLUSIVE, None, "no sample function gave a decision")
    for make in SAMPLE_FUNCTIONS:

        def concrete(expr: sympy.Expr) -> sympy.Expr:
            for index, kind in enumerate(kinds):
                expr = expr.replace(kind, lambda *args, index=index: make(index, args))
            return expr.doit()

        try:
            outcome = compare(concrete(a), concrete(b), [concrete(d) for d in domain], tolerance, names)
        except (TypeError, ValueError, RecursionError, NotImplementedError, AttributeError):
            return Equivalence(
                Verdict.INCONCLUSIVE, None, "SymPy could not put sample functions in place of the functions of your own"
            )
        if outcome.verdict != Verdict.CORRECT:
            if outcome.verdict == Verdict.INCORRECT:
                return Equivalence(
                    Verdict.INCORRECT,
                    outcome.decided_by,
                    f"{outcome.reason}, with sample functions in place of {', '.join(map(str, kinds))}",
                )
            return outcome
    shown = ", ".join(map(str, kinds))
    return Equivalence(
        Verdict.CORRECT,
        outcome.decided_by,
        f"{outcome.reason}, for {len(SAMPLE_FUNCTIONS)} sample functions in place of {shown}",
    )


def _sample_wave(index: int, args) -> sympy.Expr:
    import sympy

    return (
        sum((sympy.sin((j + 1) * u + index + 1) for j, u in enumerate(args)), sympy.Integer(index + 2))
        + sympy.Mul(*args) / 3
    )


def _sample_growth(index: int, args) -> sympy.Expr:
    import sympy

    return sympy.exp(sympy.Add(*args) / (index + 4)) + args[0] ** 3 / 5


# The functions put in place of a function of the user's own (index: which one, args: its arguments); unlike each
# other and any rule's shape, so a wrong formula differs for them.
SAMPLE_FUNCTIONS = (_sample_wave, _sample_growth)


def _symbolic_only(difference: sympy.Expr) -> Equivalence:
    import sympy

    try:
        if sympy.simplify(difference) == 0:
            return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference simplifies to 0")
    except (TypeError, ValueError, RecursionError, NotImplementedError, AttributeError):
        pass
    return Equivalence(
        Verdict.INCONCLUSIVE,
        None,
        "a sum over the data whose difference does not simplify to 0; it has no value at a point to compare",
    )


def _large_power(expr: sympy.Expr) -> bool:
    import sympy

    return any(p.exp.is_Integer and abs(p.exp) > MAX_CANCEL_EXPONENT for p in expr.atoms(sympy.Pow))


def _exact_rational(expr: sympy.Expr) -> bool:
    import sympy

    if expr.atoms(sympy.Float, sympy.Function, sympy.NumberSymbol) or expr.has(sympy.E):
        return False
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols:
        return expr.is_Rational is True
    if not expr.is_rational_function(*symbols):
        return False
    return all(not p.exp.is_Integer or abs(p.exp) <= MAX_CANCEL_EXPONENT for p in expr.atoms(sympy.Pow))


def _numeric(
    a: sympy.Expr,
    b: sympy.Expr,
    domain: Sequence[sympy.Expr],
    tolerance: float,
    names: tuple[str, str],
    phases: dict = PHASES,
) -> Equivalence:
    domain = (*domain, *domain_parts(a), *domain_parts(b))
    symbols = sorted(
        set().union(a.free_symbols, b.free_symbols, *(d.free_symbols for d in domain)), key=lambda s: s.name
    )

    def values_at(point: list[float], digits: int) -> tuple[complex, complex] | None:
        return _values(a, b, domain, symbols, point, digits)

    outcome = _sample([str(s) for s in symbols], values_at, tolerance, names, phases)
    if isinstance(outcome, Equivalence):
        return outcome
    if phases is PHASES and (complex_ := _as_complex_numbers(a, b, symbols, tolerance)) is not None:
        return complex_
    return Equivalence(
        Verdict.INCONCLUSIVE,
        None,
        f"only {outcome} random points were inside the domain of both and numerically stable; at least {MIN_VALID_POINTS} are needed",
    )


def _sample(symbols: list[str], values_at, tolerance: float, names: tuple[str, str], phases: dict) -> Equivalence | int:
    """The numeric layer's sampling on any evaluator: values_at(point, digits) gives both values at a point (one
    float per symbol, in the order of `symbols`) or None outside the domain. "incorrect" at the first difference that
    survives recomputation with FINE_DIGITS digits, "correct" at MIN_VALID_POINTS points that agree; else the number
    of points that were usable (too few)."""
    rng = random.Random(SEED)
    valid = dict.fromkeys(PHASES, 0)
    for phase, wanted in phases.items():
        if phase != "positive" and (not symbols or (phase != "mixed" and sum(valid.values()) >= MIN_VALID_POINTS)):
            continue
        for _ in range(wanted * ATTEMPTS_PER_POINT):
            point = [_draw(rng, phase) for _ in symbols]
            values = values_at(point, DIGITS)
            if values is None:
                continue
            if not _close(*values, tolerance):
                finer = values_at(point, FINE_DIGITS)
                if finer is None or not (_close(values[0], finer[0]) and _close(values[1], finer[1])):
                    continue  # numerically meaningless there (0/0): no evidence either way
                where = ", ".join(f"{s}={v:.4g}" for s, v in zip(symbols, point)) or "every point"
                differ = _differ(where, values, names)
                notes = (
                    ("equal for positive values of the variables only",)
                    if phase != "positive" and valid["positive"] >= MIN_VALID_POINTS
                    else ()
                )
                return Equivalence(Verdict.INCORRECT, Layer.NUMERIC, differ, notes)
            valid[phase] += 1
            if valid[phase] >= wanted or not symbols:
                break
    total = sum(valid.values())
    if total >= MIN_VALID_POINTS or (not symbols and total):
        return Equivalence(Verdict.CORRECT, Layer.NUMERIC, f"equal at {total} random points")
    return total


def _as_complex_numbers(a: sympy.Expr, b: sympy.Expr, symbols, tolerance: float) -> Equivalence | None:
    """Where neither side has real values (sqrt(-1 + x^2 - x^4) is never real), equal complex values at random points
    are still evidence of equal functions; said so in the verdict. A difference there decides nothing: two branches
    of a root or a logarithm may differ where the formulas agree."""
    import sympy

    rng = random.Random(SEED)
    agreed = 0
    for _ in range(POSITIVE_POINTS * ATTEMPTS_PER_POINT):
        floats = {s: sympy.Float(_draw(rng, "positive"), DIGITS) for s in symbols}
        try:
            values = [complex(e.xreplace(floats).evalf(DIGITS)) for e in (a, b)]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
            continue
        if not all(v == v and abs(v) != float("inf") for v in values):
            continue
        if not _close(*values, tolerance):
            return None
        agreed += 1
        if agreed >= MIN_VALID_POINTS:
            note = "no real value at the points tried: compared as complex numbers"
            return Equivalence(
                Verdict.CORRECT, Layer.NUMERIC, f"equal at {agreed} random points as complex numbers", (note,)
            )
    return None


def _draw(rng: random.Random, phase: str) -> float:
    if phase == "integer":
        return float(rng.choice([n for n in range(-INTEGER_RANGE, INTEGER_RANGE + 1) if n]))
    low, high = WIDE_INTERVAL if phase == "wide" else POSITIVE_INTERVAL
    return rng.uniform(low, high) * (rng.choice((-1, 1)) if phase != "positive" else 1)


def _values(a, b, domain, symbols, point, digits) -> tuple[complex, complex] | None:
    """Both values at the point; None where either (or a domain expression) is undefined or not real."""
    import sympy

    floats = {s: sympy.Float(v, digits) for s, v in zip(symbols, point)}
    try:
        values = [complex(e.xreplace(floats).evalf(digits)) for e in (a, b, *domain)]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, RecursionError):
        return None
    if not all(_real_finite(v) for v in values):
        return None
    return values[0], values[1]


def _real_finite(value: complex) -> bool:
    return value == value and abs(value) != float("inf") and is_real(value)


def _close(x: complex, y: complex, tolerance: float = RELATIVE_TOLERANCE) -> bool:
    return x == y or abs(x - y) <= tolerance * max(abs(x), abs(y), ABSOLUTE_FLOOR)


def rounding_tolerance(*trees: Expr) -> float:
    """A long decimal is a rounded value, as precise as it is written: -1.709975946 (10 significant digits, at least
    ROUNDED_DIGITS) matches (-5)^(1/3) within 1e-9, relative. 0 otherwise: shorter decimals and exact numbers are
    compared exactly (0.33 is not 1/3, and 99999999/10^8 is not 99999998/99999999)."""
    digits = [
        len(node.text.replace(".", "").replace("-", "").lstrip("0"))
        for tree in trees
        for _, node in walk(tree)
        if isinstance(node, Num) and node.text
    ]
    return max((10.0 ** -(d - 1) for d in digits if d >= ROUNDED_DIGITS), default=0.0)


def _differ(where: str, values: tuple[complex, complex], names: tuple[str, str]) -> str:
    """A difference in words that says whose value is whose: at x=0.32, the derivative is 1.69 and your answer -1.69."""
    return f"at {where}, {names[0]} is {_show(values[0])} and {names[1]} {_show(values[1])}"


def _show(value: complex) -> str:
    return f"{value.real:.10g}"


def constant_factor(got: sympy.Expr, want: sympy.Expr) -> str | None:
    """k when got = k·want for a number k ≠ 1 (at every sampled point), shown as a simple fraction when it is one."""
    symbols = sorted(got.free_symbols | want.free_symbols, key=str)
    rng = random.Random(SEED + 1)
    ratios = []
    for _ in range(POSITIVE_POINTS * ATTEMPTS_PER_POINT):
        point = [rng.uniform(*POSITIVE_INTERVAL) for _ in symbols]
        values = _values(got, want, (), symbols, point, DIGITS)
        if values is None or values[1] == 0:
            continue
        ratios.append(values[0] / values[1])
        if len(ratios) >= MIN_VALID_POINTS:
            break
    if (
        len(ratios) < MIN_VALID_POINTS
        or not all(_close(r, ratios[0]) for r in ratios)
        or _close(ratios[0], 1)
        or _close(ratios[0], 0)
    ):
        return None
    ratio = ratios[0].real
    simple = Fraction(ratio).limit_denominator(100)
    return str(simple) if abs(float(simple) - ratio) <= 1e-9 * max(abs(ratio), 1) else f"{ratio:.6g}"


def differ_at_a_point(left: sympy.Expr, right: sympy.Expr, renaming: dict) -> bool:
    """Values that differ, beyond doubt, at one random positive point (both recomputed with FINE_DIGITS digits)."""
    left = left.xreplace(renaming)
    symbols = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    point = [_draw(random.Random(SEED), "positive") + index / 7 for index in range(len(symbols))]
    values = _values(left, right, (), symbols, point, DIGITS)
    if values is None or _close(*values):
        return False
    finer = _values(left, right, (), symbols, point, FINE_DIGITS)
    return finer is not None and _close(values[0], finer[0]) and _close(values[1], finer[1])


def real_variables(expr: sympy.Expr) -> sympy.Expr:
    """Variables are real numbers in a calculus course; SymPy's |x|' is only sign(x) when it knows that. A number too
    long to compute stands in as a symbol (sympy_bridge.huge_numbers_as_symbols). The checker builds on this."""
    import sympy

    from .bridge import huge_numbers_as_symbols

    expr = huge_numbers_as_symbols(expr)
    return expr.xreplace(
        {s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols if isinstance(s, sympy.Symbol) and not s.is_real}
    )


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


# -- on our trees, in this process ------------------------------------------------------------------------------------
def equivalent(a: Expr, b: Expr, names: tuple[str, str] = NAMES) -> Equivalence:
    """Whether two trees are equal as functions: identical, sums written out over sample data, the probe, then compare
    in the CAS worker under its deadline (past it: "inconclusive", never "incorrect"). names as in compare."""
    if a == b:
        return Equivalence(Verdict.CORRECT, Layer.STRUCTURAL, "identical")
    if any(isinstance(node, Sum) for e in (a, b) for _, node in walk(e)):
        return _on_sample_data(a, b, names)
    where = probe(a, b, names)
    if where is not None:
        return Equivalence(Verdict.INCORRECT, Layer.PROBE, where)
    from ..core.errors import CasLimitError
    from . import workers

    try:
        return workers.run(_compare_trees, a, b, names, what="equivalence check")
    except CasLimitError as error:
        return Equivalence(Verdict.INCONCLUSIVE, None, f"could not decide: {error.message}")
    except DerivError as error:  # a form SymPy cannot be given (an abstract function's derivative by position)
        return Equivalence(Verdict.INCONCLUSIVE, None, f"could not decide: {error}")


def _compare_trees(a: Expr, b: Expr, names: tuple[str, str]) -> Equivalence:
    # compare_trees: the same compare, with the numeric layer on our own evaluator (equivalent asked the rest)
    return compare_trees(a, b, rounded=(a, b), names=names, before=False)


# -- on our trees, for a caller that is already one call in the CAS worker (the answer checker) ------------------------
def compare_trees(
    a: Expr,
    b: Expr,
    *,
    domain: Sequence[Expr] = (),
    rounded: Sequence[Expr] = (),
    names: tuple[str, str] = NAMES,
    renaming: Mapping[str, str] | None = None,
    before: bool = True,
) -> Equivalence:
    """compare on two of our trees read as real functions, in this process: points also inside the domain of the
    `domain` trees, the tolerance set by the long decimals of the `rounded` trees (rounding_tolerance), a's variables
    first renamed onto b's by name (`renaming`, as renamings gives them). Without a domain or a renaming, the layers
    on our trees (before_sympy) go first, unless the caller has already asked them (before=False)."""
    if before and not domain and not renaming:
        early = before_sympy(a, b, names, rounding_tolerance(*rounded))
        if early is not None:
            return early
    left, right = _real(a), _real(b)
    if renaming:
        theirs = {str(symbol): symbol for symbol in right.free_symbols}
        left = left.xreplace({s: theirs[renaming[str(s)]] for s in left.free_symbols if str(s) in renaming})
    differs = not renaming and differ_somewhere(a, b)
    sympy_domain = [_real(tree) for tree in domain]
    on_trees = None
    if not renaming:
        from .bridge import symbol_name

        ours = sorted({v for tree in (a, b, *domain) for v in variables(tree)}, key=symbol_name)
        theirs = set().union(left.free_symbols, right.free_symbols, *(d.free_symbols for d in sympy_domain))
        if [symbol_name(v) for v in ours] == sorted(map(str, theirs)):  # no huge number stood in as a symbol
            on_trees = ([symbol_name(v) for v in ours], _tree_values(a, b, tuple(domain), ours))
    tolerance = rounding_tolerance(*rounded)
    return compare(left, right, sympy_domain, tolerance, names, differs=differs, on_trees=on_trees)


def _tree_values(a: Expr, b: Expr, domain: tuple[Expr, ...], order: list[Var]):
    """values_at for _sample on our trees, with our evaluator: both values at a point, None where either, or a
    domain tree, or a part that must be real (_inside_domain) has no real finite value, as _values on SymPy's side."""
    from ..core.numeric import evaluate

    def values_at(point: list[float], digits: int) -> tuple[complex, complex] | None:
        at = {var: Fraction(value) for var, value in zip(order, point)}  # the very floats SymPy is given
        try:
            values = [complex(evaluate(tree, at)) for tree in (a, b, *domain)]
        except (DerivError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
            return None
        # as _values: a domain tree itself must be real there, and the parts of a and b that must be (domain_parts)
        if not all(_real_finite(v) for v in values) or not _inside_domain((a, b), at):
            return None
        return values[0], values[1]

    return values_at


def renamings(
    a: Expr, b: Expr, fixed: Sequence[str], most: int
) -> tuple[list[str], list[str], list[tuple[str, ...]] | None]:
    """The names of a's and of b's variables that may be renamed onto each other (all but `fixed`), and the renamings
    worth a full check (images of a's names, in order): those whose values do not already differ at one random point.
    None instead of renamings when the two counts differ or exceed `most`."""
    import sympy

    left, right = _real(a), _real(b)
    kept = {sympy.Symbol(name, real=True) for name in fixed}
    ours = sorted(left.free_symbols - kept, key=str)
    theirs = sorted(right.free_symbols - kept, key=str)
    if len(ours) != len(theirs) or len(ours) > most:
        return list(map(str, ours)), list(map(str, theirs)), None
    candidates = [
        tuple(map(str, image))
        for image in itertools.permutations(theirs)
        if not differ_at_a_point(left, right, dict(zip(ours, image)))
    ]
    return list(map(str, ours)), list(map(str, theirs)), candidates


def constant_factor_between(got: Expr, want: Expr) -> str | None:
    """constant_factor on two of our trees read as real functions: k when got = k·want for a number k ≠ 1."""
    return constant_factor(_real(got), _real(want))


@functools.lru_cache(maxsize=64)
def _real(tree: Expr) -> sympy.Expr:
    """One of our trees as SymPy reads it in a calculus course (real_reading). Kept for the last few trees: checking
    one answer asks for the same two (the layers, then the constant factor, then the mistake catalogue's candidates)."""
    from .bridge import to_sympy

    return real_reading(to_sympy(tree))


def _on_sample_data(a: Expr, b: Expr, names: tuple[str, str]) -> Equivalence:
    outcome = Equivalence(Verdict.INCONCLUSIVE, None, "no sample data")
    for pair in written_out(a, b):
        outcome = equivalent(*pair, names=names)
        if outcome.verdict == Verdict.INCORRECT:
            return Equivalence(
                Verdict.INCORRECT, outcome.decided_by, f"they differ on sample data: {outcome.reason}", outcome.notes
            )
        if outcome.verdict != Verdict.CORRECT:
            return outcome
    return Equivalence(Verdict.CORRECT, Layer.NUMERIC, f"equal on {SAMPLE_SETS} sample data sets of {SAMPLE_ROWS} rows")


def written_out(a: Expr, b: Expr) -> list[tuple[Expr, Expr]]:
    """a and b with their sums over data written out over SAMPLE_SETS made-up data sets (a_i in a sum over i reads
    column a); the data are the same for every call, as every sample here."""
    from ..data.datasets import Data, expand_sums

    indices = {node.index for e in (a, b) for _, node in walk(e) if isinstance(node, Sum)}
    columns = sorted({v.name for e in (a, b) for v in variables(e) if v.sub is not None and set(v.sub) & indices})
    rng = random.Random(SEED)
    pairs = []
    for _ in range(SAMPLE_SETS):
        values = {
            name: [Fraction(rng.randint(1, 40), rng.randint(1, 9)) for _ in range(SAMPLE_ROWS)] for name in columns
        }
        data = Data.from_mapping(values or {"unused": [0] * SAMPLE_ROWS})  # no data column: still n rows
        pairs.append((expand_sums(a, data), expand_sums(b, data)))
    return pairs


def _points(expr_variables: list[Var], count: int) -> list[dict[Var, Fraction]]:
    """count points of EVALUATOR_INTERVAL, exact rationals, the same for every call."""
    rng = random.Random(SEED)
    low, high = EVALUATOR_INTERVAL
    scale = 1000
    return [
        {var: Fraction(rng.randint(int(low * scale), int(high * scale)), scale) for var in expr_variables}
        for _ in range(count)
    ]


def _variables_of(*trees: Expr) -> list[Var]:
    return sorted({v for tree in trees for v in variables(tree)}, key=lambda v: (v.name, v.sub or ""))


def probe(a: Expr, b: Expr, names: tuple[str, str] = NAMES) -> str | None:
    """Where a and b differ beyond doubt at one random point with our own evaluator (both values real), in words; None
    when they agree there or either has no real value (the point decides nothing then)."""
    from ..core.numeric import evaluate

    (point,) = _points(_variables_of(a, b), 1)
    try:
        left, right = evaluate(a, point), evaluate(b, point)
    except (DerivError, ValueError, TypeError, ZeroDivisionError, RecursionError):
        return None
    if not (is_real(complex(left)) and is_real(complex(right))):
        return None
    if abs(left - right) <= PROBE_TOLERANCE * max(abs(left), abs(right), 1):
        return None
    if not _inside_domain((a, b), point):
        return None
    shown = ", ".join(f"{_name(var)}={float(value):.4g}" for var, value in point.items()) or "every point"
    return _differ(shown, (complex(left), complex(right)), names)


# -- a point where two sides differ, in a student's terms ---------------------------------------------------------------
# Feedback on a wrong answer names a point where it and the expected expression differ, and whose value is whose:
# "your answer is 5/4 at x = 1/2; the derivative is 3/4". Simple points first (a student can check x = 2 by hand),
# then the probe's random ones; a value is shown exactly when it is a fraction with a denominator up to
# SHOWN_DENOMINATOR, else to SHOWN_DIGITS significant digits (more where that would show two different values alike).
SIMPLE_VALUES = tuple(map(Fraction, ("2", "1/2", "3", "3/2", "1", "1/3", "5/2", "-1", "-2", "-1/2", "4", "1/4")))
SHOWN_DIGITS = 4
SHOWN_DENOMINATOR = 100
# Two values shown as different must differ beyond this, relative (worked with core.numeric's 80 digits): far above
# any rounding, so the point shown is a real difference, not noise of the evaluator.
SHOWN_TOLERANCE = 1e-20
# A computed value within this (relative) of a fraction with a denominator up to SHOWN_DENOMINATOR is that fraction:
# an 80-digit value is that close only when it is exactly the fraction (e^0, sqrt(4), 3/4 through the evaluator).
FRACTION_TOLERANCE = 1e-40


@dataclass(frozen=True)
class Difference:
    """A point where two expressions differ, and their values there (exact Fractions where both are simple)."""

    point: tuple[tuple[Var, Fraction], ...]
    values: tuple[Fraction | float, Fraction | float]
    rounded: tuple[str, str]  # the two values as shown: different strings for different values

    def said(self, names: tuple[str, str] = NAMES) -> str:
        """The difference in words, the second side (the student's) first: "your answer is -1.69 at x = 0.32; the
        derivative is 1.69"; without variables, "your answer is 3; the expected expression is 4"."""
        from ..language.mathtext import to_text

        where = ", ".join(f"{to_text(var)} = {_shown_point(value)}" for var, value in self.point)
        at = f" at {where}" if where else ""
        return f"{names[1]} is {self.rounded[1]}{at}; {names[0]} is {self.rounded[0]}"


def where_they_differ(
    a: Expr, b: Expr, names: tuple[str, str] = NAMES, *, domain: Sequence[Expr] = (), tolerance: float = 0.0
) -> str | None:
    """A point where a and b differ, in words that say whose value is whose (Difference.said); None when our evaluator
    finds no such point (functions of the user's own, sums over data, values that differ only as complex numbers)."""
    found = a_difference(a, b, domain=domain, tolerance=tolerance)
    return None if found is None else found.said(names)


def a_difference(a: Expr, b: Expr, *, domain: Sequence[Expr] = (), tolerance: float = 0.0) -> Difference | None:
    """The first point, simple ones first, inside the domain of a, b and the `domain` trees, where a and b have real
    values that differ by more than SHOWN_TOLERANCE and `tolerance` (relative); a value that is a simple fraction is
    given as one."""
    import mpmath

    from ..core.numeric import PRECISION, evaluate

    names = _variables_of(a, b, *domain)
    count = len(SIMPLE_VALUES)
    simple = [{var: SIMPLE_VALUES[(k + 2 * i) % count] for i, var in enumerate(names)} for k in range(count)]
    for point in [*simple, *_points(names, count)] if names else [{}]:
        with mpmath.workdps(PRECISION):  # the values compared as the evaluator worked them
            try:
                left, right = (evaluate(tree, point) for tree in (a, b))
                for tree in domain:
                    evaluate(tree, point)
            except (DerivError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
                continue
            if not (is_real(complex(left)) and is_real(complex(right))) or not _inside_domain((a, b, *domain), point):
                continue
            left, right = left.real, right.real
            if abs(left - right) > max(SHOWN_TOLERANCE, tolerance) * max(abs(left), abs(right), 1):
                return _difference(point, _simple(left), _simple(right))
    return None


def _simple(value) -> Fraction | float:
    """A computed value as the fraction it is (e^0 = 1, sqrt(4) = 2) when one with a small denominator is within
    rounding of it (80 digits); else the value itself, as an mpmath number."""
    import mpmath

    if abs(value) < 1e12:
        near = Fraction(float(value)).limit_denominator(SHOWN_DENOMINATOR)
        if abs(value - mpmath.mpf(near.numerator) / near.denominator) <= FRACTION_TOLERANCE * max(abs(value), 1):
            return near
    return value


def _difference(point: dict[Var, Fraction], left, right) -> Difference:
    """The Difference at the point, each value shown with the fewest digits (SHOWN_DIGITS or more) that tell it apart."""
    for digits in range(SHOWN_DIGITS, 21):
        shown = (_shown_value(left, digits), _shown_value(right, digits))
        if shown[0] != shown[1]:
            break
    plain = tuple(v if isinstance(v, Fraction) else float(v) for v in (left, right))
    return Difference(tuple(point.items()), plain, shown)  # type: ignore[arg-type]


def _shown_value(value, digits: int) -> str:
    """A value as a student reads it: 3, -5/4, or rounded to `digits` significant digits (1.69, 1.235e+5)."""
    import mpmath

    if isinstance(value, Fraction):
        if value.denominator <= SHOWN_DENOMINATOR and abs(value.numerator) < 10**6:
            return _shown_point(value)  # 3, -5/4, or 0.33 as typed
        value = mpmath.mpf(value.numerator) / value.denominator
    with mpmath.workdps(60):  # enough for the 20 digits shown at most
        text = mpmath.nstr(value, digits, strip_zeros=True)
    return text.removesuffix(".0")  # 1210.0 is 1210, rounded: nstr keeps a zero after the point


def _shown_point(value: Fraction) -> str:
    """A coordinate or a simple value as typed: 2, 1/2, or a decimal when its denominator is a power of 10 (1.337 for
    the probe's 1337/1000, 0.33 for 33/100)."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    while denominator % 10 == 0:
        denominator //= 10
    if denominator == 1:
        return str(float(value)) if abs(value) < 10**6 else str(value)
    return f"{value.numerator}/{value.denominator}"


# differ_somewhere: a difference is beyond doubt above this, relative (values are worked with 80 digits;
# 0.333333333333333 is not 1/3, however close, and no rewriting makes their difference 0).
DIFFER_TOLERANCE = 1e-30


def differ_somewhere(a: Expr, b: Expr) -> bool:
    """Whether our evaluator finds values of a and b that differ beyond doubt (DIFFER_TOLERANCE, 80 digits) at one of
    a few points, positive, of mixed signs and wide, complex values included (ln(x) and ln(|x|) differ at x < 0).
    Then their difference is not 0 as a function of real variables, and no rewriting of it (simplify) can give 0:
    simplify is not tried, which was most of the time of the pairs that are equal only where both are real."""
    from ..core.numeric import evaluate

    names = _variables_of(a, b)
    rng = random.Random(SEED + 2)
    low, high = (int(bound * 1000) for bound in EVALUATOR_INTERVAL)
    points = []
    for scale, signs in ((1, False), (1, True), (1, True), (5, True), (5, True), (50, True)):
        points.append(
            {
                var: Fraction(rng.randint(low, high) * scale, 1000) * (rng.choice((-1, 1)) if signs else 1)
                for var in names
            }
        )
    for point in points:
        try:
            left, right = evaluate(a, point), evaluate(b, point)  # mpmath values: no overflow at e^(10^4)
        except (DerivError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
            continue
        if abs(left - right) > DIFFER_TOLERANCE * max(abs(left), abs(right), 1):
            return True
        if not names:
            break  # a number has one value
    return False


# The functions real on part of the line only (as domain_parts on SymPy's side).
_PARTIAL_FUNCTIONS = frozenset({"sqrt", "log", "ln", "asin", "acos", "asec", "acsc", "acosh", "atanh"})


def _inside_domain(trees: Sequence[Expr], point: Mapping[Var, Fraction]) -> bool:
    """Whether every part that must be real (as domain_parts: a power that is not whole or an odd root, a logarithm,
    an inverse function real on part of the line only) is real at the point: sqrt(x - 3)·sqrt(x - 5) is real at
    x = 1/2, but outside the domain there, as the numeric layer reads it."""
    from ..core.numeric import evaluate

    for tree in trees:
        for _, node in walk(tree):
            if isinstance(node, Pow):
                if is_number(node.exp) and number_value(node.exp).denominator % 2 == 1:
                    continue  # a whole power, or an odd root: real wherever its base is
            elif not (isinstance(node, Call) and node.fn in _PARTIAL_FUNCTIONS):
                continue
            try:
                if not is_real(complex(evaluate(node, point))):
                    return False
            except (DerivError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
                return False
    return True


def vanishes(expr: Expr) -> bool:
    """Whether expr is zero as a function (x - x, sin(x)^2 + cos(x)^2 - 1): below ZERO_TOLERANCE at ZERO_POINTS random
    points where it has a value, positive ones first; points where it has none (ln(x) - ln(x) at x < 0) are skipped.
    A rational function (x - 1, x^2 - x·x) is decided in exact arithmetic, without loading the evaluator: a nonzero
    one has finitely many zeros, so exact zeros at random rational points mean it is zero everywhere."""
    points = _points(_variables_of(expr), ZERO_POINTS * 3)
    exact = [_rational_value(expr, point) for point in points[:ZERO_POINTS]]
    if all(value is not _NOT_RATIONAL for value in exact) and all(value is not None for value in exact):
        return all(value == 0 for value in exact)
    from ..core.numeric import evaluate

    values = []
    # Negative values too, after the positive ones: ln(-x) - ln(-x) has values only there.
    for point in [*points, *({var: -value for var, value in p.items()} for p in points)]:
        try:
            values.append(evaluate(expr, point))
        except (DerivError, RecursionError):
            continue
        if len(values) == ZERO_POINTS:
            break
    return len(values) == ZERO_POINTS and all(abs(value) < ZERO_TOLERANCE for value in values)


_NOT_RATIONAL = object()


def _rational_value(expr: Expr, point: dict) -> Fraction | None | object:
    """expr's exact value at a rational point when it is built of numbers, variables, + - · / and whole powers; None
    where it has no value there (a division by 0); _NOT_RATIONAL for any other node (sin, e, a root)."""
    match expr:
        case Num(value):
            return Fraction(value)
        case Var():
            return point.get(expr, _NOT_RATIONAL)
        case Neg(arg):
            inner = _rational_value(arg, point)
            return -inner if isinstance(inner, Fraction) else inner
        case Add(terms) | Mul(terms):
            values = [_rational_value(term, point) for term in terms]
            if any(v is _NOT_RATIONAL for v in values):
                return _NOT_RATIONAL
            if any(v is None for v in values):
                return None
            total = Fraction(0) if isinstance(expr, Add) else Fraction(1)
            for v in values:
                total = total + v if isinstance(expr, Add) else total * v
            return total
        case Div(num, den):
            top, bottom = _rational_value(num, point), _rational_value(den, point)
            if _NOT_RATIONAL in (top, bottom):
                return _NOT_RATIONAL
            return None if top is None or bottom is None or bottom == 0 else top / bottom
        case Pow(base, Num(power)) if isinstance(power, int) and power <= MAX_EXACT_POWER:
            value = _rational_value(base, point)
            return value**power if isinstance(value, Fraction) else value
    return _NOT_RATIONAL


# Whole powers up to this are worked out exactly in vanishes; a larger one goes to the evaluator (x^100000).
MAX_EXACT_POWER = 64


# -- before SymPy: exact arithmetic and the probe, on our trees -----------------------------------------------------
# The exact layer. Both sides rational functions: their difference is P/Q with P a polynomial of total degree at
# most d (exact_degree). A polynomial of degree at most d in each variable that is 0 on a grid of d + 1 distinct
# values per variable is the zero polynomial (induction on the variables: a one-variable polynomial of degree d with
# d + 1 roots is 0), so zeros on the whole grid are a proof; used while the grid has at most MAX_GRID points. A larger
# grid gives way to EXACT_POINTS random points drawn from EXACT_VALUES values per variable: a nonzero P vanishes at
# one with probability at most d / EXACT_VALUES (Schwartz-Zippel), used only while that is at most EXACT_RISK, so that
# all EXACT_POINTS zeros by chance have a probability below EXACT_RISK ** EXACT_POINTS (1e-18).
MAX_GRID = 128
EXACT_POINTS = 6
EXACT_VALUES = 1_400_001  # the rationals k / 10^6 in EVALUATOR_INTERVAL
EXACT_RISK = 1e-3


def before_sympy(a: Expr, b: Expr, names: tuple[str, str] = NAMES, tolerance: float = 0.0) -> Equivalence | None:
    """The layers that decide on our own trees, before SymPy is asked: exact arithmetic when both sides are rational
    functions (both ways: "correct" only by the proof above, "incorrect" only where the exact values are far apart),
    then the probe (a difference beyond doubt at one random point). None when neither decides. tolerance: the
    rounding_tolerance of the sides; a rounded decimal is never compared exactly."""
    if not tolerance:
        exact = exactly(a, b)
        if exact is not None:
            return exact
        if _congruent(a, b):
            return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference is 0")
    where = probe(a, b, names)
    return None if where is None else Equivalence(Verdict.INCORRECT, Layer.PROBE, where)


def exactly(a: Expr, b: Expr) -> Equivalence | None:
    """a and b compared in exact rational arithmetic when both are rational functions (numbers, variables, + - · /,
    whole powers up to MAX_EXACT_POWER); None when either is not, or when the points decide nothing for certain."""
    degrees = [exact_degree(a), exact_degree(b)]
    if degrees[0] is None or degrees[1] is None:
        return None
    (top_a, bottom_a), (top_b, bottom_b) = degrees
    degree = max(top_a + bottom_b, top_b + bottom_a)  # of the numerator of a - b
    names = _variables_of(a, b)
    grid = (degree + 1) ** len(names) <= MAX_GRID
    if not grid and degree > EXACT_RISK * EXACT_VALUES:
        return None
    points = _grid(names, degree + 1) if grid else _exact_points(names, EXACT_POINTS * 3)
    zeros = 0
    for point in points:
        left, right = _exact_value(a, point), _exact_value(b, point)
        if left is None or right is None:
            if grid:
                return None  # a pole on the grid: the grid proves nothing
            continue
        if left != right:
            if abs(left - right) > PROBE_TOLERANCE * max(abs(left), abs(right), 1):
                return Equivalence(Verdict.INCORRECT, Layer.SYMBOLIC, "the difference is a nonzero rational function")
            return None  # different, but so close that the tolerance of the numeric layer may call them equal
        zeros += 1
        if not grid and zeros == EXACT_POINTS:
            break
    if grid or zeros == EXACT_POINTS:
        return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference is 0")
    return None


def _congruent(a: Expr, b: Expr) -> bool:
    """Whether a and b are the same tree but for parts that are equal rational functions (exactly): ((x + 3)^3)^(1/3)
    and ((x^2 + 6x + 9)(x + 3))^(1/3), which simplify cannot show equal once odd roots are read as real roots."""
    if a == b:
        return True
    if exact_degree(a) is not None and exact_degree(b) is not None:
        outcome = exactly(a, b)
        return outcome is not None and outcome.verdict == Verdict.CORRECT
    if type(a) is not type(b) or not isinstance(a, (Add, Mul, Neg, Div, Pow, Call)):
        return False  # a leaf that differs (e and pi), or a node with more than children to it (a sum's index)
    if isinstance(a, Call) and isinstance(b, Call) and (a.fn != b.fn or len(a.args) != len(b.args)):
        return False
    kids_a, kids_b = children(a), children(b)
    return len(kids_a) == len(kids_b) and all(_congruent(x, y) for x, y in zip(kids_a, kids_b))


def exact_degree(expr: Expr) -> tuple[int, int] | None:
    """Bounds on the total degrees of the numerator and the denominator of expr written as one fraction of
    polynomials (each sum over a common denominator, each quotient and negative power turned over); None when expr is
    not a rational function of its variables (a function, a constant e or pi, a root, a power above MAX_EXACT_POWER)."""
    match expr:
        case Num():
            return 0, 0
        case Var():
            return 1, 0
        case Neg(arg):
            return exact_degree(arg)
        case Add(terms) | Mul(terms):
            parts = [exact_degree(term) for term in terms]
            if any(part is None for part in parts):
                return None
            bottom = sum(part[1] for part in parts)  # type: ignore[index]
            if isinstance(expr, Mul):
                return sum(part[0] for part in parts), bottom  # type: ignore[index]
            return max(part[0] - part[1] for part in parts) + bottom, bottom  # type: ignore[index]
        case Div(num, den):
            top, bottom = exact_degree(num), exact_degree(den)
            if top is None or bottom is None:
                return None
            return top[0] + bottom[1], top[1] + bottom[0]
        case Pow(base, exp) if is_number(exp) and number_value(exp).denominator == 1:
            power = int(number_value(exp))
            inner = exact_degree(base)
            if inner is None or abs(power) > MAX_EXACT_POWER:
                return None
            return (power * inner[0], power * inner[1]) if power >= 0 else (-power * inner[1], -power * inner[0])
    return None


def _exact_value(expr: Expr, point: Mapping[Var, Fraction]) -> Fraction | None:
    """The exact value of a rational function (exact_degree is not None) at a rational point; None where a
    denominator is 0 there."""
    match expr:
        case Num(value):
            return Fraction(value)
        case Var():
            return point[expr]
        case Neg(arg):
            inner = _exact_value(arg, point)
            return None if inner is None else -inner
        case Add(terms) | Mul(terms):
            total = Fraction(0) if isinstance(expr, Add) else Fraction(1)
            for term in terms:
                value = _exact_value(term, point)
                if value is None:
                    return None
                total = total + value if isinstance(expr, Add) else total * value
            return total
        case Div(num, den):
            top, bottom = _exact_value(num, point), _exact_value(den, point)
            return None if top is None or bottom is None or bottom == 0 else top / bottom
        case Pow(base, exp):
            value, power = _exact_value(base, point), int(number_value(exp))
            return None if value is None or (value == 0 and power < 0) else value**power
    raise TypeError(f"not a rational function: {expr!r}")


def _grid(names: list[Var], count: int) -> list[dict[Var, Fraction]]:
    """Every point of a grid of `count` distinct rationals of EVALUATOR_INTERVAL per variable, the same every call."""
    rng = random.Random(SEED)
    low, high = (int(bound * 1000) for bound in EVALUATOR_INTERVAL)
    axes = [[Fraction(k, 1000) for k in rng.sample(range(low, high + 1), count)] for _ in names]
    return [dict(zip(names, values)) for values in itertools.product(*axes)]


def _exact_points(names: list[Var], count: int) -> list[dict[Var, Fraction]]:
    """count random points with coordinates among the EXACT_VALUES rationals k / 10^6 of EVALUATOR_INTERVAL."""
    rng = random.Random(SEED)
    low, high = (int(bound * 10**6) for bound in EVALUATOR_INTERVAL)
    return [{var: Fraction(rng.randint(low, high), 10**6) for var in names} for _ in range(count)]


def by_evaluator(a: Expr, b: Expr, points: int, why: str) -> Equivalence:
    """a and b compared at `points` random points with our own evaluator, where SymPy gave up (why): a numerical
    derivative of a pending ∂ in a against b, say. Points where either has no value are skipped."""
    from ..core.numeric import evaluate

    agreed = 0
    for point in _points(_variables_of(a, b), points * 3):
        try:
            left, right = evaluate(a, point), evaluate(b, point)
        except (DerivError, RecursionError):
            continue  # outside the domain, or an abstract function or a sum over data: no value to compare
        if not (is_real(complex(left)) and is_real(complex(right))):
            continue  # outside the real domain (log_y(-x) at x > 0): no evidence either way, as in compare
        if abs(left - right) > EVALUATOR_TOLERANCE * max(abs(left), abs(right), 1):
            where = ", ".join(f"{_name(var)}={float(value):g}" for var, value in point.items())
            return Equivalence(
                Verdict.INCORRECT,
                Layer.EVALUATOR,
                f"{why}; at {where} a numerical derivative is {complex(left):.10g}, the result {complex(right):.10g}",
            )
        agreed += 1
        if agreed == points:
            return Equivalence(
                Verdict.CORRECT,
                Layer.EVALUATOR,
                f"{why}; checked instead at {agreed} random points with derivsteps' own evaluator",
            )
    return Equivalence(Verdict.INCONCLUSIVE, None, why)


def _name(var: Var) -> str:
    return var.name if var.sub is None else f"{var.name}_{var.sub}"
