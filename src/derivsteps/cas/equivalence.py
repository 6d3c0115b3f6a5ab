"""The one answer to "are these two equal?", used by verification, the answer checker, the mistake catalogue, written
derivations, equiv and grading: one result type, one sampling policy, one tolerance policy, one seed.

Layers, cheapest first; every outcome names the layer that decided it:
1. structural: the two trees are identical (equivalent, on our trees, before SymPy is asked);
2. probe: our own evaluator finds values that differ beyond doubt at one random point (no SymPy: most wrong
   candidates of the mistake catalogue end here);
3. symbolic (compare, in the CAS worker): the difference is 0; an exact rational function cancels, both ways;
   simplify while the difference is small;
4. numeric: values at random points inside the domain of both sides, positive first, then mixed signs, wide values
   and nonzero integers; a difference counts only when it survives recomputation with FINE_DIGITS digits.
Variables are real numbers, and an odd root of a negative number is the real root ((-8)^(1/3) = -2), as a calculus
course reads it (real_reading): a point where either side is not real is outside the domain and resampled. Sums over
data are compared written out over SAMPLE_SETS made-up data sets (written_out).

SymPy is imported inside the functions that run in the CAS worker, so importing this module stays light.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..core.derivation import Displayed
from ..core.errors import DerivError
from ..core.tree import Add, Div, Expr, Mul, Neg, Num, Pow, Sum, Var, variables, walk
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
) -> Equivalence:
    """The symbolic layer, then the numeric one; points must also be in the domain of the `domain` expressions.
    names say whose values a difference shows ("the derivative", "your answer")."""
    import sympy
    from sympy.core.function import AppliedUndef

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
    if small:  # without simplify to skip, the full numeric layer below starts at the same points anyway
        early = _numeric(a, b, domain, tolerance, names, phases={"positive": EARLY_POINTS})
        if early.verdict == Verdict.INCORRECT:
            return early
        try:
            if sympy.simplify(difference) == 0:
                return Equivalence(Verdict.CORRECT, Layer.SYMBOLIC, "the difference simplifies to 0")
        except (TypeError, ValueError, RecursionError, NotImplementedError, AttributeError):
            pass
    return _numeric(a, b, domain, tolerance, names)


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
    rng = random.Random(SEED)
    valid = dict.fromkeys(PHASES, 0)
    for phase, wanted in phases.items():
        if phase != "positive" and (not symbols or (phase != "mixed" and sum(valid.values()) >= MIN_VALID_POINTS)):
            continue
        for _ in range(wanted * ATTEMPTS_PER_POINT):
            point = [_draw(rng, phase) for _ in symbols]
            values = _values(a, b, domain, symbols, point, DIGITS)
            if values is None:
                continue
            if not _close(*values, tolerance):
                finer = _values(a, b, domain, symbols, point, FINE_DIGITS)
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
    if phases is PHASES and (complex_ := _as_complex_numbers(a, b, symbols, tolerance)) is not None:
        return complex_
    return Equivalence(
        Verdict.INCONCLUSIVE,
        None,
        f"only {total} random points were inside the domain of both and numerically stable; at least {MIN_VALID_POINTS} are needed",
    )


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
    from .bridge import to_sympy

    return compare(
        real_reading(to_sympy(a)), real_reading(to_sympy(b)), tolerance=rounding_tolerance(a, b), names=names
    )


# -- on our trees, for a caller that is already one call in the CAS worker (the answer checker) ------------------------
def compare_trees(
    a: Expr,
    b: Expr,
    *,
    domain: Sequence[Expr] = (),
    rounded: Sequence[Expr] = (),
    names: tuple[str, str] = NAMES,
    renaming: Mapping[str, str] | None = None,
) -> Equivalence:
    """compare on two of our trees read as real functions, in this process: points also inside the domain of the
    `domain` trees, the tolerance set by the long decimals of the `rounded` trees (rounding_tolerance), a's variables
    first renamed onto b's by name (`renaming`, as renamings gives them)."""
    left, right = _real(a), _real(b)
    if renaming:
        theirs = {str(symbol): symbol for symbol in right.free_symbols}
        left = left.xreplace({s: theirs[renaming[str(s)]] for s in left.free_symbols if str(s) in renaming})
    return compare(left, right, [_real(tree) for tree in domain], rounding_tolerance(*rounded), names)


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


def _real(tree: Expr) -> sympy.Expr:
    """One of our trees as SymPy reads it in a calculus course (real_reading)."""
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
    shown = ", ".join(f"{_name(var)}={float(value):.4g}" for var, value in point.items()) or "every point"
    return _differ(shown, (complex(left), complex(right)), names)


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
