"""Checks homework answers: is a student's derivative, expression or antiderivative right, and which layer decided.

Equivalence is decided in layers, cheapest first, and the verdict names the layer that decided:
1. structural: the two trees are identical;
2. symbolic: SymPy's difference is 0 (simplified only while it is small, as in verification); an exact rational
   function that does not cancel to 0 is a symbolic "incorrect";
3. numeric: values at random points, positive ones first, then points with mixed signs (see the constants below).

A wrong answer is a value, not an exception. A verdict is "correct", "incorrect", "inconclusive" (sampling could not
decide, or SymPy ran past limits.CAS_SECONDS or limits.CAS_MEMORY_MB: never reported as "incorrect") or "invalid"
(the answer could not be read). Each check's SymPy work is one call in the CAS worker (deadline.run); a search over
renamings, one call per renaming. Variables are real numbers:
a point where either side is not a real number (log of a negative, 1/0) is outside the domain and resampled, and an
odd root of a negative number is the real root ((-8)^(1/3) = -2), as in a calculus course.

A wrong answer is replayed against the mistake catalogue (mistakes.py); the first slip that reproduces it names the mistake.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import sympy

from . import deadline
from .errors import CasLimitError, DerivError
from .sameform import MODES as SAME_FORM_MODES, same_form_of
from .sympy_bridge import to_sympy
from .tree import Call, Deriv, Expr, Num, Var, size, variables, walk
from .verification import MAX_SIMPLIFY_OPS, domain_parts, is_real, real_variables

VERDICTS = ("correct", "incorrect", "inconclusive", "invalid")
LAYERS = ("structural", "symbolic", "numeric")

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


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: the verdict, the layer that decided it, feedback in words, the expected answer."""

    verdict: str  # "correct" | "incorrect" | "inconclusive" | "invalid"
    decided_by: str | None  # "structural" | "symbolic" | "numeric" | None
    feedback: str = ""
    expected: Expr | None = None
    notes: tuple[str, ...] = field(default=())
    mistake: str | None = None  # the id of the catalogued mistake the answer shows (none catalogued yet)

    @property
    def ok(self) -> bool:
        return self.verdict == "correct"


# -- the library ---------------------------------------------------------------------------------------------------------
def check_answer(
    expr: Expr | str,
    wrt: Var | str | Sequence[Var | str] | None,
    answer: Expr | str,
    *,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Verdict:
    """Is `answer` the derivative of `expr` by `wrt`? Raises DerivError only for a bad problem, never for a bad answer."""
    from .engine import differentiate
    from .render.mathtext import to_text

    derivation = differentiate(expr, wrt, variables=variables, functions=functions)
    expected = derivation.result
    read = _read_answer(answer, variables, functions)
    if isinstance(read, Verdict):
        return Verdict(read.verdict, None, read.feedback, expected)
    student, reading = read
    pending = _pending(student)
    if pending is not None:
        return _noted(Verdict("incorrect", "structural", f"still contains ∂/∂{to_text(pending.var)}: finish the derivative", expected), reading)
    if student == expected:
        return _noted(Verdict("correct", "structural", "correct", expected), reading)
    try:
        judged = (derivation.expr, derivation.wrt, expected, student, tuple(variables), tuple(functions))
        return _noted(deadline.run(_judge_answer, *judged, what="answer check"), reading)
    except CasLimitError as error:
        return _noted(Verdict("inconclusive", None, f"could not decide: {error.message}", expected), reading)


def _judge_answer(expr: Expr, wrt: tuple[Var, ...], expected: Expr, student: Expr, variables: Sequence[str], functions: Sequence[str]) -> Verdict:
    """check_answer's SymPy part, one call under the CAS deadline: the layers, the mistake catalogue, a constant factor."""
    from .render.mathtext import to_text

    want, got = _real(to_sympy(expected)), _real(to_sympy(student))
    outcome = _equivalent(want, got, tolerance=_decimal_tolerance(student))
    notes = list(outcome.notes)
    if outcome.verdict == "correct":
        if size(student) > size(expected):
            notes.append(f"correct, but not simplified: {to_text(expected)} is shorter")
        return Verdict("correct", outcome.decided_by, "correct", expected, tuple(notes))
    if outcome.verdict == "incorrect":
        from .mistakes import diagnose

        found = diagnose(expr, wrt, student, variables=variables, functions=functions)
        mistake, feedback = (found.mistake, found.feedback) if found is not None else (None, None)
        factor = _constant_factor(got, want)
        if factor is not None:
            notes.append(f"right up to a constant factor: your answer is {factor} times the derivative")
        feedback = feedback or f"incorrect: your answer is not the derivative ({outcome.feedback})"
        return Verdict("incorrect", outcome.decided_by, feedback, expected, tuple(notes), mistake)
    return Verdict("inconclusive", None, outcome.feedback, expected, tuple(notes))


def equivalent_expressions(
    a: Expr | str,
    b: Expr | str,
    *,
    same_form: bool | str = False,
    rename: bool = False,
    fixed: Iterable[str] = (),
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Verdict:
    """Are a and b equal as functions (or, with same_form, equal up to commutativity and associativity of + and ·)?

    same_form: True or "order" (STACK's EqualComAss), or "signs" (also where minus signs sit, as KAS's form compare).

    rename: also accept a and b when some one-to-one renaming of a's variables (those not in `fixed`) onto b's makes
    them equal, trying every renaming when there are at most MAX_RENAMED variables.
    """
    sides = (_read_answer(a, variables, functions), _read_answer(b, variables, functions))
    for side in sides:
        if isinstance(side, Verdict):
            return side
    (first, reading_a), (second, reading_b) = sides
    return _noted(_equivalent_trees(first, second, same_form, rename, fixed), tuple(dict.fromkeys((*reading_a, *reading_b))))


def _equivalent_trees(first: Expr, second: Expr, same_form, rename, fixed) -> Verdict:
    if first == second:
        return Verdict("correct", "structural", "identical")
    if same_form:
        if same_form not in (True, *SAME_FORM_MODES):
            raise ValueError(f"same_form must be one of {SAME_FORM_MODES}, not {same_form!r}")
        if same_form_of(first, second, signs=same_form == "signs"):
            how = "order of terms and factors" + (" and the minus signs" if same_form == "signs" else "")
            return Verdict("correct", "structural", f"the same up to the {how}")
        return Verdict("incorrect", "structural", "not the same form (equal or not, the terms or factors differ)")
    try:
        if rename:
            return _renamed(first, second, tuple(fixed))
        return deadline.run(_sympy_equivalence, first, second, what="equivalence check")
    except CasLimitError as error:
        return Verdict("inconclusive", None, f"could not decide: {error.message}")


def _sympy_equivalence(first: Expr, second: Expr, renaming: dict | None = None) -> Verdict:
    """The symbolic and numeric layers on first (its variables renamed by `renaming`) and second: one CAS worker call."""
    left, right = _real(to_sympy(first)), _real(to_sympy(second))
    if renaming:
        left = left.xreplace(renaming)
    return _equivalent(left, right, tolerance=_decimal_tolerance(first, second))


MAX_RENAMED = 4


def _renamed(first: Expr, second: Expr, fixed: tuple[str, ...]) -> Verdict:
    """Try every renaming, each its own call in the CAS worker: the search may take up to MAX_RENAMED! calls, and
    each is held to limits.CAS_SECONDS (a search of 24 took 5 s in all, over the limit as one call)."""
    plan = deadline.run(_renaming, first, second, fixed, what="equivalence check")
    if isinstance(plan, Verdict):
        return plan
    ours, theirs, candidates = plan
    if not candidates:
        return Verdict("incorrect", "numeric", f"not equal under any renaming of {', '.join(map(str, ours))} (values at a random point)")
    undecided = None
    first_no = None
    for image in candidates:
        mapping = dict(zip(ours, image))
        outcome = deadline.run(_sympy_equivalence, first, second, mapping, what="equivalence check")
        if outcome.verdict == "correct":
            shown = ", ".join(f"{k}→{v}" for k, v in mapping.items() if k != v)
            return Verdict("correct", outcome.decided_by, f"equal after renaming {shown}" if shown else "equal")
        if outcome.verdict == "inconclusive":
            undecided = undecided or outcome
        first_no = first_no or outcome
    if undecided is not None:
        return undecided
    return Verdict("incorrect", first_no.decided_by, f"not equal under any renaming of {', '.join(map(str, ours))}")


def _renaming(first: Expr, second: Expr, fixed: tuple[str, ...]) -> Verdict | tuple[list, list, list]:
    """The variables to rename onto each other (first's, second's) and the renamings worth a full check, or the verdict
    when no renaming is tried. A renaming whose values already differ at one random point is dropped here, cheaply:
    a full check of each of 24 renamings took more than limits.CAS_SECONDS in all (stack-SubstEquiv-020)."""
    left, right = _real(to_sympy(first)), _real(to_sympy(second))
    kept = {_real_symbol(name) for name in fixed}
    ours = sorted(left.free_symbols - kept, key=str)
    theirs = sorted(right.free_symbols - kept, key=str)
    if len(ours) != len(theirs) or len(ours) > MAX_RENAMED:
        outcome = _equivalent(left, right, tolerance=_decimal_tolerance(first, second))
        if outcome.verdict == "correct" or len(ours) == len(theirs):
            return outcome
        return Verdict("incorrect", outcome.decided_by or "structural", f"{len(ours)} variables cannot be renamed one-to-one to {len(theirs)}")
    return ours, theirs, [image for image in itertools.permutations(theirs) if not _differ_at_a_point(left, right, dict(zip(ours, image)))]


def _differ_at_a_point(left: sympy.Expr, right: sympy.Expr, renaming: dict) -> bool:
    """Values that differ, beyond doubt, at one random positive point (both recomputed with FINE_DIGITS digits)."""
    left = left.xreplace(renaming)
    symbols = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    point = [_draw(random.Random(SEED), "positive") + index / 7 for index in range(len(symbols))]
    values = _values(left, right, (), symbols, point, DIGITS)
    if values is None or _close(*values):
        return False
    finer = _values(left, right, (), symbols, point, FINE_DIGITS)
    return finer is not None and _close(values[0], finer[0]) and _close(values[1], finer[1])


def check_antiderivative(
    f: Expr | str,
    wrt: Var | str,
    g: Expr | str,
    *,
    require_constant: bool = False,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Verdict:
    """Is g an antiderivative of f? We differentiate g with our engine and compare with f on the domain of g.

    A constant of integration is optional (required with require_constant) and may have any name: a variable of g
    that is neither in f nor wrt. log(x) for ∫ 1/x is accepted, on the part of the line where it is defined, with a
    note that log(|x|) covers both signs. `expected` is g′ as our engine writes it.
    """
    integrand = _read(f, variables, functions)
    read = _read_answer(g, variables, functions)
    if isinstance(read, Verdict):
        return read
    student, reading = read
    return _noted(_judge_antiderivative(integrand, wrt, student, require_constant, variables, functions), reading)


def _judge_antiderivative(
    integrand: Expr, wrt, student: Expr, require_constant: bool, variables: Sequence[str], functions: Sequence[str]
) -> Verdict:
    from .engine import differentiate
    from .render.mathtext import to_text

    pending = _pending(student)
    if pending is not None:
        return Verdict("incorrect", "structural", f"still contains ∂/∂{to_text(pending.var)}: finish the derivative")
    var = Var(wrt) if isinstance(wrt, str) else wrt
    derivative = differentiate(student, var, variables=variables, functions=functions).result
    shown = to_text(derivative)
    constants = sorted({v for v in _vars(student) if v not in _vars(integrand) and v != var}, key=lambda v: (v.name, v.sub or ""))
    notes = []
    if derivative == integrand:
        outcome, differentiated = Verdict("correct", "structural"), False
    else:
        try:
            outcome, differentiated = deadline.run(_antiderivative_outcome, integrand, derivative, student, var, what="answer check")
        except CasLimitError as error:
            return Verdict("inconclusive", None, f"could not decide: {error.message}", derivative)
        notes += outcome.notes
    if outcome.verdict == "incorrect":
        feedback = f"the derivative of your answer is {shown}, not {to_text(integrand)}"
        if differentiated:
            feedback += "; you differentiated instead of integrating"
        return Verdict("incorrect", outcome.decided_by, feedback, derivative, tuple(notes))
    if outcome.verdict == "inconclusive":
        return Verdict("inconclusive", None, outcome.feedback, derivative, tuple(notes))
    notes += _log_notes(student, to_text)
    if not constants:
        if require_constant:
            return Verdict("incorrect", outcome.decided_by, "right up to the constant of integration: add one (+ C)", derivative, tuple(notes))
        notes.append("tip: add a constant of integration (+ C)")
    elif len(constants) > 1:
        notes.append(f"several constants of integration ({', '.join(map(to_text, constants))}): one is enough")
    return Verdict("correct", outcome.decided_by, f"correct: the derivative of your answer is {shown}", derivative, tuple(notes))


def _antiderivative_outcome(integrand: Expr, derivative: Expr, student: Expr, var: Var) -> tuple[Verdict, bool]:
    """check_antiderivative's SymPy part, one call under the CAS deadline: is g′ = f, and if not, is g = f′?"""
    want, got, domain = _real(to_sympy(integrand)), _real(to_sympy(derivative)), _real(to_sympy(student))
    outcome = _equivalent(got, want, domain=(domain,), tolerance=_decimal_tolerance(student, integrand))
    return outcome, outcome.verdict == "incorrect" and _differentiated(integrand, var, student)


def _log_notes(answer: Expr, to_text) -> list[str]:
    """log(u) without |u|: an antiderivative only where u > 0 (the derivative of both log(u) and log(|u|) is u′/u)."""
    notes = []
    for _, node in walk(answer):
        if isinstance(node, Call) and node.fn in ("log", "ln") and len(node.args) == 1:
            if not any(isinstance(inner, Call) and inner.fn == "abs" for _, inner in walk(node.args[0])):
                u = to_text(node.args[0])
                notes.append(f"{to_text(node)} is an antiderivative only where {u} > 0; log(|{u}|) also covers {u} < 0")
    return list(dict.fromkeys(notes))


def _differentiated(integrand: Expr, var: Var, student: Expr) -> bool:
    """Whether the student's answer is the derivative of the integrand (differentiated instead of integrated)."""
    from .engine import differentiate

    try:
        twice = differentiate(integrand, var).result
        return _equivalent(_real(to_sympy(twice)), _real(to_sympy(student))).verdict == "correct"
    except DerivError:
        return False


# -- reading ---------------------------------------------------------------------------------------------------------------
def _read(text: Expr | str, variables: Sequence[str], functions: Sequence[str]) -> Expr:
    if not isinstance(text, str):
        return text
    from .parser import parse

    return parse(text, variables=variables, functions=functions).expr


def _read_answer(text: Expr | str, variables: Sequence[str], functions: Sequence[str]) -> tuple[Expr, tuple[str, ...]] | Verdict:
    """The answer's tree and the notes on how it was read (f'(x) = 2x as 2x), or an "invalid" verdict saying where it
    could not be read: student text is data."""
    if not isinstance(text, str):
        return text, ()
    from .parser import parse

    try:
        parsed = parse(text, variables=variables, functions=functions)
    except DerivError as error:
        return Verdict("invalid", None, f"cannot read the answer: {error}")
    return parsed.expr, parsed.warnings


def _noted(verdict: Verdict, reading: tuple[str, ...]) -> Verdict:
    """The verdict with the notes on how the answer was read first: a grade must say which reading it judged."""
    return replace(verdict, notes=(*reading, *verdict.notes)) if reading else verdict


def _pending(expr: Expr) -> Expr | None:
    """The first pending derivative in the answer, or None."""
    for _, node in walk(expr):
        if isinstance(node, Deriv):
            return node
    return None


def _vars(expr: Expr) -> set[Var]:
    return set(variables(expr))


# -- the layers on SymPy objects ---------------------------------------------------------------------------------------
def _real_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def _real(expr: sympy.Expr) -> sympy.Expr:
    """verification.real_variables, and odd roots of negative numbers taken as real roots: x^(p/q) = sign(x)^p·|x|^(p/q),
    q odd (as a calculus course reads (-8)^(1/3) = -2)."""
    expr = real_variables(expr)

    def odd_root(node) -> bool:
        exp = node.exp
        return exp.is_Rational and not exp.is_Integer and exp.q % 2 == 1 and node.base.is_nonnegative is not True

    def real_root(node):
        return sympy.sign(node.base) ** node.exp.p * sympy.Abs(node.base) ** node.exp

    return expr.replace(lambda node: node.is_Pow and odd_root(node), real_root)


def _equivalent(a: sympy.Expr, b: sympy.Expr, domain: Sequence[sympy.Expr] = (), tolerance: float = 0.0) -> Verdict:
    """The symbolic layer, then the numeric one; points must also be in the domain of the `domain` expressions."""
    difference = a - b
    if difference == 0:
        return Verdict("correct", "symbolic", "the difference is 0")
    rounded = bool(tolerance)  # a decimal in either side is taken as rounded: compared within its precision only
    tolerance = max(tolerance, RELATIVE_TOLERANCE)
    # A large integer power ((x - a)^5999) makes simplify expand it for minutes: sampling decides in milliseconds.
    small = sympy.count_ops(difference) <= MAX_SIMPLIFY_OPS and not _large_power(difference)
    if small and _exact_rational(difference) and not domain and not rounded:
        try:  # cancel decides a rational function both ways, at a fraction of simplify's cost
            if sympy.cancel(sympy.together(difference)) != 0:
                return Verdict("incorrect", "symbolic", "the difference is a nonzero rational function")
            return Verdict("correct", "symbolic", "the difference simplifies to 0")
        except (TypeError, ValueError, RecursionError, NotImplementedError):
            pass
    # The numeric layer's first points, before simplify: a difference found there is the verdict the layers would
    # reach anyway (simplify cannot make unequal values equal), and simplify was 3/4 of the answer corpus's time.
    if small:  # without simplify to skip, the full numeric layer below starts at the same points anyway
        early = _numeric(a, b, domain, tolerance, phases={"positive": EARLY_POINTS})
        if early.verdict == "incorrect":
            return early
        try:
            if sympy.simplify(difference) == 0:
                return Verdict("correct", "symbolic", "the difference simplifies to 0")
        except (TypeError, ValueError, RecursionError, NotImplementedError, AttributeError):
            pass
    return _numeric(a, b, domain, tolerance)


def _large_power(expr: sympy.Expr) -> bool:
    return any(p.exp.is_Integer and abs(p.exp) > MAX_CANCEL_EXPONENT for p in expr.atoms(sympy.Pow))


def _exact_rational(expr: sympy.Expr) -> bool:
    if expr.atoms(sympy.Float, sympy.Function, sympy.NumberSymbol) or expr.has(sympy.E):
        return False
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols:
        return expr.is_Rational is True
    if not expr.is_rational_function(*symbols):
        return False
    return all(not p.exp.is_Integer or abs(p.exp) <= MAX_CANCEL_EXPONENT for p in expr.atoms(sympy.Pow))


def _numeric(a: sympy.Expr, b: sympy.Expr, domain: Sequence[sympy.Expr], tolerance: float, phases: dict = PHASES) -> Verdict:
    domain = (*domain, *domain_parts(a), *domain_parts(b))
    symbols = sorted(set().union(a.free_symbols, b.free_symbols, *(d.free_symbols for d in domain)), key=lambda s: s.name)
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
                differ = f"the values differ at {where}: {_show(values[0])} vs {_show(values[1])}"
                notes = ("equal for positive values of the variables only",) if phase != "positive" and valid["positive"] >= MIN_VALID_POINTS else ()
                return Verdict("incorrect", "numeric", differ, notes=notes)
            valid[phase] += 1
            if valid[phase] >= wanted or not symbols:
                break
    total = sum(valid.values())
    if total >= MIN_VALID_POINTS or (not symbols and total):
        return Verdict("correct", "numeric", f"equal at {total} random points")
    return Verdict("inconclusive", None, f"only {total} random points were inside the domain of both and numerically stable; at least {MIN_VALID_POINTS} are needed")


def _draw(rng: random.Random, phase: str) -> float:
    if phase == "integer":
        return float(rng.choice([n for n in range(-INTEGER_RANGE, INTEGER_RANGE + 1) if n]))
    low, high = WIDE_INTERVAL if phase == "wide" else POSITIVE_INTERVAL
    return rng.uniform(low, high) * (rng.choice((-1, 1)) if phase != "positive" else 1)


def _values(a, b, domain, symbols, point, digits) -> tuple[complex, complex] | None:
    """Both values at the point; None where either (or a domain expression) is undefined or not real."""
    floats = {s: sympy.Float(v, digits) for s, v in zip(symbols, point)}
    try:
        values = [complex(e.xreplace(floats).evalf(digits)) for e in (a, b, *domain)]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    if not all(_real_finite(v) for v in values):
        return None
    return values[0], values[1]


def _real_finite(value: complex) -> bool:
    return value == value and abs(value) != float("inf") and is_real(value)


def _close(x: complex, y: complex, tolerance: float = RELATIVE_TOLERANCE) -> bool:
    return x == y or abs(x - y) <= tolerance * max(abs(x), abs(y), ABSOLUTE_FLOOR)


def _decimal_tolerance(*trees: Expr) -> float:
    """A long decimal is a rounded value, as precise as it is written: -1.709975946 (10 significant digits, at least
    ROUNDED_DIGITS) matches (-5)^(1/3) within 1e-9, relative. 0 otherwise: shorter decimals and exact numbers are
    compared exactly (0.33 is not 1/3, and 99999999/10^8 is not 99999998/99999999)."""
    digits = [len(node.text.replace(".", "").replace("-", "").lstrip("0")) for tree in trees for _, node in walk(tree) if isinstance(node, Num) and node.text]
    return max((10.0 ** -(d - 1) for d in digits if d >= ROUNDED_DIGITS), default=0.0)


def _show(value: complex) -> str:
    return f"{value.real:.10g}"


def _constant_factor(got: sympy.Expr, want: sympy.Expr) -> str | None:
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
    if len(ratios) < MIN_VALID_POINTS or not all(_close(r, ratios[0]) for r in ratios) or _close(ratios[0], 1) or _close(ratios[0], 0):
        return None
    ratio = ratios[0].real
    simple = Fraction(ratio).limit_denominator(100)
    return str(simple) if abs(float(simple) - ratio) <= 1e-9 * max(abs(ratio), 1) else f"{ratio:.6g}"
