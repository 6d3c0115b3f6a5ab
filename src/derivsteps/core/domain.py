"""Where an expression is defined over the real numbers: the table of what each kind of node needs (the cheat sheet),
the conditions of an expression and its derivative as written inequalities, and the check that refuses undefined input.

The table says, per node kind or function, which part must lie where and why: a denominator ≠ 0, a logarithm's
argument > 0, an even root's radicand ≥ 0 (> 0 in the derivative, which divides by the root). `conditions` reads it
over a tree and writes what it finds as inequalities a student would write (x > 0, x ≠ 1, -1 ≤ x ≤ 1, cos(x) ≠ 0);
`check_defined` refuses a constant that breaks a condition (1/0, ln(-2), tan(π/2)), or a part that is 0 for every
value of its variables where it must not be (1/(x - x)). Nothing here imports SymPy: the analysis is over our own tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

from . import limits
from .errors import UndefinedError
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
    children,
    free_of,
    number,
)

# -- sets of real numbers: where a part may lie ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """An interval of the real line; None is an infinite end (always open)."""

    low: Fraction | None
    high: Fraction | None
    low_open: bool = True
    high_open: bool = True


RealSet = tuple[Interval, ...]  # a union of disjoint intervals, left to right

ALL: RealSet = (Interval(None, None),)
NONZERO: RealSet = (Interval(None, Fraction(0)), Interval(Fraction(0), None))
POSITIVE: RealSet = (Interval(Fraction(0), None),)
NONNEGATIVE: RealSet = (Interval(Fraction(0), None, low_open=False),)
UNIT_CLOSED: RealSet = (Interval(Fraction(-1), Fraction(1), False, False),)
UNIT_OPEN: RealSet = (Interval(Fraction(-1), Fraction(1)),)
OUTSIDE_UNIT_CLOSED: RealSet = (
    Interval(None, Fraction(-1), high_open=False),
    Interval(Fraction(1), None, low_open=False),
)
OUTSIDE_UNIT_OPEN: RealSet = (Interval(None, Fraction(-1)), Interval(Fraction(1), None))
AT_LEAST_ONE: RealSet = (Interval(Fraction(1), None, low_open=False),)
ABOVE_ONE: RealSet = (Interval(Fraction(1), None),)
POSITIVE_NOT_ONE: RealSet = (Interval(Fraction(0), Fraction(1)), Interval(Fraction(1), None))


# Memos of the analyses, by node id (with the analysis' name), each holding its node too so the id stays its own.
_Memo = dict[Any, Any]
# A value of our evaluator (core.numeric): an mpmath number.
Value = Any


# -- the cheat sheet --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Requirement:
    """One row: what a kind of node needs of one of its parts to be defined over the reals (and its derivative)."""

    name: str
    law: str  # the row as the cheat sheet states it
    on: type | str  # the node kind (Div, Pow) or the function's name
    # The part the condition is about, given a node of the kind `on` (hence Any); None when the row does not apply.
    subject: Callable[[Any], Expr | None]
    allowed: RealSet  # where the subject may lie for the node to be defined
    derivative: RealSet | None  # where it may lie for the node's derivative to exist, when that is narrower
    reason: str  # why, in the words of an error message
    derivative_reason: str | None = None
    refused: bool = True  # whether input that breaks the row is refused (check_defined), or only noted in its domain


def _argument(index: int) -> Callable[[Call], Expr | None]:
    return lambda node: node.args[index] if len(node.args) > index else None


def _of(name: str) -> Callable[[Call], Expr]:
    """The subject f(u) of a row on g(u): tan(u) needs cos(u) ≠ 0."""
    return lambda node: Call(name, node.args)


def _base_if(test: Callable[[Expr, Expr], bool]) -> Callable[[Pow], Expr | None]:
    return lambda node: node.base if test(node.base, node.exp) else None


def _exponent(exp: Expr) -> Fraction | None:
    """The exact value of a constant exponent (2, -1/2, 1 + 2), None for any other."""
    return _exact(exp, {}, 0)


def _negative_power(base: Expr, exp: Expr) -> bool:
    """u^(-n), u^(-1/3), and an integer-valued exponent that may be ≤ 0 (u^sgn(x)): each divides by u somewhere."""
    value = _exponent(exp)
    if value is not None:
        return value < 0 and value.denominator % 2 == 1
    return _integer_valued(exp) and not _signs(exp, {}, 0) <= {1}


def _even_root(low: Fraction | None, high: Fraction | None) -> Callable[[Expr, Expr], bool]:
    """u^(p/q), q even, with low ≤ p/q < high (None: unbounded)."""

    def test(base: Expr, exp: Expr) -> bool:
        value = _exponent(exp)
        if value is None:
            return False
        return (low is None or low <= value) and (high is None or value < high) and value.denominator % 2 == 0

    return test


def _odd_root_below_one(base: Expr, exp: Expr) -> bool:
    value = _exponent(exp)
    return value is not None and value.denominator % 2 == 1 and 0 < value < 1 and value.denominator > 1


def _real_power(base: Expr, exp: Expr) -> bool:
    """u^v with v not a rational number (x^x, x^y, x^π): real only for u > 0. A constant base is left to the rules:
    2^x needs nothing, 0^v is the zero_base row's, and (-1)^n is real where n is an integer, which a student often
    means and an inequality cannot say."""
    return _exponent(exp) is None and not _integer_valued(exp) and not _is_constant(base, {}, 0)


def _exponent_of_zero(node: Pow) -> Expr | None:
    return node.exp if _exact(node.base, {}, 0) == 0 else None


# Rows are read together (several may apply to one node: log(u, b) has two); their order is the order of the notes.
# No row, because they are defined and differentiable for every real argument: sin, cos, atan, sinh, cosh, tanh, sech,
# asinh, exp, sigmoid, softplus (EVERYWHERE below; tests/test_domain.py checks that every function has a row or is there).
# fmt: off
DEFINEDNESS: tuple[Requirement, ...] = (
    Requirement("division", "u/v needs v ≠ 0", Div, lambda node: node.den, NONZERO, None, "division by zero"),
    Requirement("negative_power", "u^(-n) needs u ≠ 0", Pow, _base_if(_negative_power), NONZERO, None,
                "a negative power divides by its base"),
    Requirement("zero_base", "0^v needs v > 0", Pow, _exponent_of_zero, POSITIVE, None, "0 to a power needs a positive exponent"),
    # 0^0 is left undefined, as the evaluator and the simplifier's power_zero rule leave it.
    Requirement("power_zero", "u^0 needs u ≠ 0", Pow, _base_if(lambda base, exp: _exponent(exp) == 0), NONZERO, None,
                "0^0 is undefined"),
    Requirement("even_root", "u^(p/q), q even, needs u ≥ 0", Pow, _base_if(_even_root(Fraction(1), None)), NONNEGATIVE, None,
                "an even root needs a base ≥ 0"),
    Requirement("even_root_below_one", "u^(p/q), q even, 0 < p/q < 1, needs u ≥ 0; its derivative u > 0", Pow,
                _base_if(_even_root(Fraction(0), Fraction(1))), NONNEGATIVE, POSITIVE,
                "an even root needs a base ≥ 0", "the derivative of an even root divides by a power of its base"),
    Requirement("even_root_negative", "u^(-p/q), q even, needs u > 0", Pow, _base_if(_even_root(None, Fraction(0))),
                POSITIVE, None, "a negative even-root power divides by the root of its base, which needs a base > 0"),
    Requirement("odd_root_below_one", "u^(p/q), q odd, 0 < p/q < 1: its derivative needs u ≠ 0", Pow,
                _base_if(_odd_root_below_one), ALL, NONZERO, "", "the derivative of an odd root divides by a power of its base"),
    # Noted, never refused: x^n is real at x < 0 for an integer n, which the tree cannot tell from any other n.
    Requirement("real_power", "u^v, v not a rational number (x^x, x^y), needs u > 0", Pow, _base_if(_real_power), POSITIVE, None,
                "a power with an exponent that is not a rational number needs a positive base", refused=False),
    Requirement("ln", "ln(u) needs u > 0", "ln", _argument(0), POSITIVE, None, "the logarithm needs a positive argument"),
    Requirement("log", "log(u, b) needs u > 0", "log", _argument(0), POSITIVE, None, "the logarithm needs a positive argument"),
    Requirement("log_base", "log(u, b) needs b > 0 and b ≠ 1", "log", _argument(1), POSITIVE_NOT_ONE, None,
                "the base of a logarithm must be positive and not 1"),
    Requirement("sqrt", "sqrt(u) needs u ≥ 0; its derivative 1/(2 sqrt(u)) u > 0", "sqrt", _argument(0), NONNEGATIVE, POSITIVE,
                "the square root needs an argument ≥ 0", "the derivative of sqrt(u) divides by sqrt(u)"),
    Requirement("cbrt", "cbrt(u) is defined for every u (the real cube root); its derivative needs u ≠ 0", "cbrt", _argument(0),
                ALL, NONZERO, "", "the derivative of cbrt(u) divides by cbrt(u)^2"),
    Requirement("asin", "asin(u) needs -1 ≤ u ≤ 1; its derivative -1 < u < 1", "asin", _argument(0), UNIT_CLOSED, UNIT_OPEN,
                "asin needs an argument between -1 and 1", "the derivative of asin(u) divides by sqrt(1 - u^2)"),
    Requirement("acos", "acos(u) needs -1 ≤ u ≤ 1; its derivative -1 < u < 1", "acos", _argument(0), UNIT_CLOSED, UNIT_OPEN,
                "acos needs an argument between -1 and 1", "the derivative of acos(u) divides by sqrt(1 - u^2)"),
    Requirement("asec", "asec(u) needs |u| ≥ 1; its derivative |u| > 1", "asec", _argument(0), OUTSIDE_UNIT_CLOSED,
                OUTSIDE_UNIT_OPEN, "asec needs an argument with |u| ≥ 1", "the derivative of asec(u) divides by sqrt(u^2 - 1)"),
    Requirement("acsc", "acsc(u) needs |u| ≥ 1; its derivative |u| > 1", "acsc", _argument(0), OUTSIDE_UNIT_CLOSED,
                OUTSIDE_UNIT_OPEN, "acsc needs an argument with |u| ≥ 1", "the derivative of acsc(u) divides by sqrt(u^2 - 1)"),
    Requirement("acosh", "acosh(u) needs u ≥ 1; its derivative u > 1", "acosh", _argument(0), AT_LEAST_ONE, ABOVE_ONE,
                "acosh needs an argument ≥ 1", "the derivative of acosh(u) divides by sqrt(u^2 - 1)"),
    Requirement("atanh", "atanh(u) needs -1 < u < 1", "atanh", _argument(0), UNIT_OPEN, None,
                "atanh needs an argument strictly between -1 and 1"),
    Requirement("tan", "tan(u) = sin(u)/cos(u) needs cos(u) ≠ 0", "tan", _of("cos"), NONZERO, None, "tan(u) = sin(u)/cos(u) needs cos(u) ≠ 0"),
    Requirement("sec", "sec(u) = 1/cos(u) needs cos(u) ≠ 0", "sec", _of("cos"), NONZERO, None, "sec(u) = 1/cos(u) needs cos(u) ≠ 0"),
    Requirement("cot", "cot(u) = cos(u)/sin(u) needs sin(u) ≠ 0", "cot", _of("sin"), NONZERO, None, "cot(u) = cos(u)/sin(u) needs sin(u) ≠ 0"),
    Requirement("csc", "csc(u) = 1/sin(u) needs sin(u) ≠ 0", "csc", _of("sin"), NONZERO, None, "csc(u) = 1/sin(u) needs sin(u) ≠ 0"),
    Requirement("coth", "coth(u) = cosh(u)/sinh(u) needs u ≠ 0", "coth", _argument(0), NONZERO, None, "coth(u) = cosh(u)/sinh(u) needs u ≠ 0"),
    Requirement("csch", "csch(u) = 1/sinh(u) needs u ≠ 0", "csch", _argument(0), NONZERO, None, "csch(u) = 1/sinh(u) needs u ≠ 0"),
    Requirement("abs", "|u| is defined for every u; its derivative u/|u| needs u ≠ 0", "abs", _argument(0), ALL, NONZERO,
                "", "|u| has no derivative where u = 0"),
    Requirement("sgn", "sgn(u) is defined for every u; it jumps at u = 0, so its derivative needs u ≠ 0", "sgn", _argument(0),
                ALL, NONZERO, "", "sgn(u) jumps at u = 0"),
    # acot(u) = atan(1/u), as mpmath and SymPy define it: acot(0) = π/2, but acot jumps from -π/2 to π/2 there.
    Requirement("acot", "acot(u) is defined for every u; it jumps at u = 0, so its derivative needs u ≠ 0", "acot", _argument(0),
                ALL, NONZERO, "", "acot(u) jumps at u = 0"),
)
# fmt: on

EVERYWHERE = frozenset({"sin", "cos", "atan", "sinh", "cosh", "tanh", "sech", "asinh", "exp", "sigmoid", "softplus"})

_ROWS: dict[type | str, tuple[Requirement, ...]] = {}
for _row in DEFINEDNESS:
    _ROWS[_row.on] = (*_ROWS.get(_row.on, ()), _row)


def _rows(node: Expr) -> tuple[Requirement, ...]:
    kind = type(node)
    if type(node) is Call:
        return _ROWS.get(node.fn, ())
    return _ROWS.get(kind, ()) if kind is Div or kind is Pow else ()


# -- conditions ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Condition:
    """One written inequality an expression needs to be defined over the reals: x > 0, x ≠ 1, -1 ≤ x ≤ 1, |x| ≥ 1.

    `allowed` is where `subject` may lie: one interval or the line without one point, so that each Condition prints as
    one inequality (`relation`), or else a union kept whole; the reason says which rows of the table it comes from.
    """

    subject: Expr
    allowed: RealSet
    reason: str

    @property
    def relation(self) -> tuple[Expr | str, ...]:
        """The inequality as written: expressions and the relations between them, (x, "≠", 1) or (-1, "≤", x, "≤", 1).

        Relations are among "<", "≤", ">", "≥", "≠", "=", and "or" between the pieces of a set with gaps; |u| ≥ 1
        has the subject |u|.
        """
        if _is_point_left_out(self.allowed):
            return (self.subject, "≠", number(_bound(self.allowed[0].high)))
        out: list[Expr | str] = []
        for (
            span
        ) in self.allowed:  # a union that no single inequality says (kept whole): one per interval, joined by "or"
            out += ["or"] if out else []
            out += _interval_relation(self.subject, span)
        return tuple(out)

    def text(self, ascii: bool = False) -> str:
        """The condition as text: x > 0, -1 ≤ x ≤ 1, cos(x) ≠ 0 (x != 0 with ascii)."""
        from ..language.mathtext import to_text

        return " ".join(
            (_ASCII_RELATIONS.get(part, part) if ascii else part) if isinstance(part, str) else to_text(part, ascii)
            for part in self.relation
        )


# How the relations of a condition are typed in ASCII.
_ASCII_RELATIONS = {"≤": "<=", "≥": ">=", "≠": "!="}


def _interval_relation(subject: Expr, span: Interval) -> list[Expr | str]:
    if span.low is not None and span.low == span.high:
        return [subject, "=", number(span.low)]
    if span.low is None:
        return [subject, "<" if span.high_open else "≤", number(_bound(span.high))]
    if span.high is None:
        return [subject, ">" if span.low_open else "≥", number(span.low)]
    return [number(span.low), "<" if span.low_open else "≤", subject, "<" if span.high_open else "≤", number(span.high)]


def _bound(end: Fraction | None) -> Fraction:
    """An end of an interval known to be finite."""
    assert end is not None
    return end


def conditions(*exprs: Expr) -> tuple[Condition, ...]:
    """The conditions under which every one of exprs is defined over the reals, merged and in order of appearance.

    Inside a pending derivative (d/dx u) a part that depends on x also needs what its derivative needs (the table's
    `derivative` column): d/dx sqrt(x) needs x > 0, d/dx |x| needs x ≠ 0. Conditions known to hold (x^2 + 1 > 0,
    e^u > 0, a constant that is decided) are left out.
    """
    found = _Collector()
    for expr in exprs:
        found.collect(expr)
    return found.result()


def is_inside(domain: Iterable[Condition], point: Mapping[Var, object]) -> bool | None:
    """Whether the point meets every condition: True, False, or None when a value is too close to a boundary (or
    cannot be evaluated) to say."""
    from .numeric import EvaluationError, evaluate

    answer: bool | None = True
    for condition in domain:
        exact = _exact(condition.subject, {}, 0)
        if exact is not None:
            if not _contains(condition.allowed, exact):
                return False
            continue
        try:
            value = evaluate(condition.subject, point)
        except (EvaluationError, ArithmeticError, ValueError):
            answer = None
            continue
        if not _real(value):
            return False
        inside = _inside_approximately(condition.allowed, value.real)
        if inside is False:
            return False
        if inside is None:
            answer = None
    return answer


# A value this close to a set's boundary (relative to its size) is not taken as inside or outside it: 80 digits are
# worked, so a value that is really on the boundary comes out well below this.
_BOUNDARY_MARGIN = 1e-30
# An imaginary part above this, relative to the value, makes it not real: a value computed without complex numbers on
# the way has none, one whose complex parts cancel keeps about 1e-80, and x^(10^-21) at x < 0 has 10^-21.
_IMAGINARY_TOLERANCE = 1e-60


def _inside_approximately(allowed: RealSet, value: Value) -> bool | None:
    """Whether an approximate real value lies in allowed; None when it is too close to a boundary to tell."""
    value = float(value)  # floats suffice to place a value that is not within the margin of a boundary
    for span in allowed:
        for end in (span.low, span.high):
            if end is not None and abs(value - float(end)) <= _BOUNDARY_MARGIN * max(1.0, abs(float(end))):
                return None
    return any((span.low is None or value > span.low) and (span.high is None or value < span.high) for span in allowed)


# Past this depth below a subject, the sign and value analyses answer "unknown": they recurse, and a derivative of
# a deep input is deeper still. Unknown is always safe: a condition is kept, a constant is left alone.
_MAX_ANALYSIS_DEPTH = 60


class _Collector:
    """Gathers the conditions of one or more trees: reduced to simple subjects, merged per subject, in order."""

    def __init__(self) -> None:
        self.found: dict[Expr, list[Any]] = {}  # subject -> [its merged sets, the reasons, every set added]
        self.seen: set[tuple[int, tuple[Expr, ...]]] = set()
        self.kept: list[Expr] = []  # the nodes seen, kept alive so their ids stay theirs
        self.signs: _Memo = {}  # memos by id, for _signs and for _is_constant and _exact
        self.values: _Memo = {}
        self.reduced: dict[tuple[int, RealSet], list[tuple[Expr, RealSet]]] = {}

    def collect(self, expr: Expr) -> None:
        stack: list[tuple[Expr, tuple[Expr, ...]]] = [(expr, ())]
        while stack:
            node, by = stack.pop()
            key = (id(node), by)
            if key in self.seen:  # a derivative shares its subtrees: each is read once per context
                continue
            self.seen.add(key)
            self.kept.append(node)
            for row in _rows(node):
                subject = row.subject(node)
                if subject is None:
                    continue
                allowed, reason = row.allowed, row.reason
                if row.derivative is not None and any(not free_of(node, var) for var in by):
                    allowed, reason = row.derivative, row.derivative_reason or row.reason
                if allowed != ALL:
                    for simple, where in self.reduce(subject, allowed):
                        self.add(simple, where, reason)
            if isinstance(node, Deriv):
                stack.append((node.body, (*by, node.var)))
                continue
            stack.extend((kid, by) for kid in reversed(children(node)))

    def add(self, subject: Expr, allowed: RealSet, reason: str) -> None:
        entry = self.found.get(subject)
        if entry is None:
            self.found[subject] = [[allowed], [reason], {allowed}]
            return
        sets, reasons, added = entry
        if reason not in reasons:
            reasons.append(reason)
        if allowed not in added:  # the derivative repeats the input's conditions
            added.add(allowed)
            sets.append(allowed)

    def reduce(self, subject: Expr, allowed: RealSet) -> list[tuple[Expr, RealSet]]:
        key = (id(subject), allowed)
        if key not in self.reduced:
            self.kept.append(subject)
            self.reduced[key] = _reduce(subject, allowed, self.signs, self.values, 0)
        return self.reduced[key]

    def result(self) -> tuple[Condition, ...]:
        out: list[Condition] = []
        for subject, (sets, reasons, _) in self.found.items():
            reason = "; ".join(r for r in reasons if r)
            for allowed in _merged(sets):
                pieces = _written(allowed)
                if pieces is None:  # cannot be written as inequalities one by one: kept whole, as the subject's set
                    out.append(Condition(subject, allowed, reason))
                    continue
                for absolute, piece in pieces:
                    out.append(Condition(Call("abs", (subject,)) if absolute else subject, piece, reason))
        return tuple(dict.fromkeys(out))


def _merged(sets: list[RealSet]) -> list[RealSet]:
    """The sets of one subject, each intersected into the first it combines with into printable conditions (x > 0 and
    x ≥ 0 are x > 0); the points left out (x ≠ 1, x ≠ 2, …) all at once, in one sweep, after the rest."""
    points = sorted({_bound(s[0].high) for s in sets if _is_point_left_out(s)})
    merged: list[RealSet] = []
    others = [s for s in sets if not _is_point_left_out(s)]
    if points:
        others.append(tuple(Interval(low, high) for low, high in zip([None, *points], [*points, None])))
    for allowed in others:
        for index, known in enumerate(merged):
            both = _intersect(known, allowed)
            if both and _written(both) is not None:
                merged[index] = both
                break
        else:
            merged.append(allowed)
    return merged


def _is_point_left_out(allowed: RealSet) -> bool:
    """allowed is the line without one point (x ≠ 1)."""
    return (
        len(allowed) == 2 and allowed[0].low is None and allowed[1].high is None and allowed[0].high == allowed[1].low
    )


def _reduce(subject: Expr, allowed: RealSet, signs: _Memo, values: _Memo, depth: int) -> list[tuple[Expr, RealSet]]:
    """The condition "subject ∈ allowed" as conditions on simpler subjects; [] when it always holds.

    Numbers move to the other side (x - 1 ≠ 0 is x ≠ 1, 2x > 4 is x > 2), a product is ≠ 0 when each factor is, a
    square, an absolute value or a root is undone where the bounds stay exact (x^2 < 1 is -1 < x < 1).
    """
    if allowed == ALL:
        return []
    if depth > _MAX_ANALYSIS_DEPTH:
        return [(subject, allowed)]

    def again(part: Expr, where: RealSet) -> list[tuple[Expr, RealSet]]:
        # An empty preimage (ln(-sqrt(x)): sqrt(x) < 0) is said as it was: "-sqrt(x) > 0" shows what never holds.
        return _reduce(part, where, signs, values, depth + 1) if where else [(subject, allowed)]

    constant = _is_constant(subject, values, depth)
    if constant:
        exact = _exact(subject, values, depth)
        if exact is not None:
            return [] if _contains(allowed, exact) else [(subject, allowed)]
    if _signs_inside(_signs(subject, signs, depth), allowed):
        return []
    if constant:  # the 80-digit value, which is safe only away from the boundary (sin(1) > 0, e - 3 < 0)
        approximate = _approximate(subject)
        return [] if approximate is not None and _inside_approximately(allowed, approximate) else [(subject, allowed)]
    match subject:
        case Neg(inner):
            return again(inner, _affine(allowed, Fraction(-1), Fraction(0)))
        case Add(terms):
            numbers = [t for t in terms if _rational(t) is not None]
            if numbers:
                rest = [t for t in terms if _rational(t) is None]
                shift = sum((_bound(_rational(t)) for t in numbers), Fraction(0))
                return again(rest[0] if len(rest) == 1 else Add(tuple(rest)), _affine(allowed, Fraction(1), -shift))
        case Mul(factors):
            numbers = [f for f in factors if _rational(f) is not None]
            if numbers:
                scale = math.prod((_bound(_rational(f)) for f in numbers), start=Fraction(1))
                rest = [f for f in factors if _rational(f) is None]
                if scale == 0:
                    return [] if _contains(allowed, Fraction(0)) else [(subject, allowed)]
                return again(rest[0] if len(rest) == 1 else Mul(tuple(rest)), _affine(allowed, 1 / scale, Fraction(0)))
            if allowed == NONZERO:
                return [part for factor in factors for part in again(factor, NONZERO)]
        case Div(num, den):
            divisor = _rational(den)
            if divisor is not None and divisor != 0:
                return again(num, _affine(allowed, divisor, Fraction(0)))
            if allowed == NONZERO:  # the denominator has its own row
                return again(num, NONZERO)
        case Pow(base, exp):
            power = _rational(exp)
            if power is not None and power.denominator == 1 and power > 0:
                preimage = _power_preimage(allowed, int(power))
                if preimage is not None:
                    return again(base, preimage)
            elif power is not None and power.numerator == 1 and power > 0:
                preimage = _root_preimage(allowed, power.denominator)
                if preimage is not None:
                    return again(base, preimage)
            if allowed == NONZERO:
                # u^v with v < 0 or v not rational is never 0 where it is defined (its own rows need u ≠ 0 or u > 0).
                return again(base, NONZERO) if power is not None and power > 0 else []
        case Call(fn, (inner,)):
            preimage = _call_preimage(fn, allowed)
            if preimage is not None:
                return again(inner, preimage)
            if allowed == NONZERO and fn in _ZERO_ONLY_AT_ZERO:
                return again(inner, NONZERO)
    return [(subject, allowed)]


# Functions that are 0 exactly where their argument is: f(u) ≠ 0 is u ≠ 0.
_ZERO_ONLY_AT_ZERO = frozenset({"sinh", "tanh", "atan", "asin", "asinh", "atanh", "sgn"})


def _call_preimage(fn: str, allowed: RealSet) -> RealSet | None:
    """{u : fn(u) ∈ allowed} where its bounds stay exact, else None."""
    if fn == "abs":
        half = _intersect(allowed, NONNEGATIVE)
        return _normalize(half + _affine(half, Fraction(-1), Fraction(0)))
    if fn == "sqrt":
        return _root_preimage(allowed, 2)
    if fn == "cbrt":
        return _power_preimage(allowed, 3)
    if fn in ("ln", "log"):
        # Only the bound 0 has an exact image under exp: ln(u) ≠ 0 is u ≠ 1, ln(u) > 0 is u > 1.
        if any(end not in (None, 0) for span in allowed for end in (span.low, span.high)):
            return None
        return _normalize(
            tuple(
                Interval(
                    Fraction(0) if s.low is None else Fraction(1),
                    None if s.high is None else Fraction(1),
                    s.low_open,
                    s.high_open,
                )
                for s in allowed
            )
        )
    return None


# -- exact arithmetic on constants --------------------------------------------------------------------------------------
def _rational(expr: Expr) -> Fraction | None:
    """The exact value of a literal number (3, -2, 1/2, 0.5), or None."""
    match expr:
        case Num(literal):
            return Fraction(literal)
        case Neg(inner):
            value = _rational(inner)
            return None if value is None else -value
        case Div(num, den):
            top, bottom = _rational(num), _rational(den)
            return None if top is None or bottom is None or bottom == 0 else top / bottom
    return None


def _is_constant(expr: Expr, memo: _Memo, depth: int) -> bool:
    """No variable inside (a sum over data or an abstract function is not a constant here)."""
    known = memo.get(("constant", id(expr)))
    if known is None:
        kind = type(expr)
        if kind is Var or kind is Apply or kind is Sum or kind is Deriv or depth > _MAX_ANALYSIS_DEPTH:
            known = False
        else:
            known = all(_is_constant(kid, memo, depth + 1) for kid in children(expr))
        memo[("constant", id(expr))] = known
        memo[("kept", id(expr))] = expr
    return known


def _exact(expr: Expr, memo: _Memo, depth: int) -> Fraction | None:
    """The exact rational value of a constant, where it has one that is cheap to find: rational arithmetic, powers
    with exact roots, and the functions at the points where their value is rational (sin(π/6), tan(π/4), ln(1));
    None otherwise, and for a constant that is itself undefined (1/0)."""
    key = ("exact", id(expr))
    if key in memo:
        known: Fraction | None = memo[key]
        return known
    memo[("kept", id(expr))] = expr
    value = None if depth > _MAX_ANALYSIS_DEPTH else _exact_value(expr, memo, depth + 1)
    memo[key] = value
    return value


def _total(values: list[Fraction | None]) -> Fraction | None:
    """The sum of exact values, None when one is unknown."""
    return None if None in values else sum(map(_bound, values), Fraction(0))


def _exact_value(expr: Expr, memo: _Memo, depth: int) -> Fraction | None:
    match expr:
        case Num(literal):
            return Fraction(literal)
        case Neg(inner):
            value = _exact(inner, memo, depth)
            return None if value is None else -value
        case Add(terms):
            values = [_exact(t, memo, depth) for t in terms]
            return _total(values)
        case Mul(factors):
            values = [_exact(f, memo, depth) for f in factors]
            if 0 in values and all(_defined_constant(f, memo, depth) for f in factors):
                return Fraction(0)
            return None if None in values else math.prod(map(_bound, values), start=Fraction(1))
        case Div(num, den):
            top, bottom = _exact(num, memo, depth), _exact(den, memo, depth)
            return None if top is None or bottom is None or bottom == 0 else top / bottom
        case Pow(base, exp):
            return _exact_power(_exact(base, memo, depth), _exact(exp, memo, depth))
        case Call(fn, (inner,)):
            return _exact_call(fn, inner, memo, depth)
        case Call("log", (inner, base)):
            argument, base_value = _exact(inner, memo, depth), _exact(base, memo, depth)
            if argument == 1 and base_value is not None and base_value > 0 and base_value != 1:
                return Fraction(0)
    return None


def _defined_constant(expr: Expr, memo: _Memo, depth: int) -> bool:
    """0·c is 0 only when c itself is defined: a factor with a known exact value, or π and e."""
    return _exact(expr, memo, depth) is not None or isinstance(expr, Const)


def _exact_power(base: Fraction | None, exponent: Fraction | None) -> Fraction | None:
    if base is None or exponent is None:
        return None
    if base == 0:
        return Fraction(0) if exponent > 0 else None
    if exponent.denominator == 1:
        # Folding refuses to build numbers past MAX_INTEGER_DIGITS; an exact answer is not worth more here.
        digits = (
            abs(exponent.numerator) * max(base.numerator.bit_length(), base.denominator.bit_length()) * math.log10(2)
        )
        return base**exponent.numerator if digits <= limits.MAX_INTEGER_DIGITS else None
    root = _exact_root(base, exponent.denominator)
    return None if root is None else _exact_power(root, Fraction(exponent.numerator))


def _exact_root(value: Fraction, degree: int) -> Fraction | None:
    """The real degree-th root of value when it is rational (odd roots of negative numbers are real: ∛-8 = -2)."""
    if value < 0:
        if degree % 2 == 0:
            return None
        root = _exact_root(-value, degree)
        return None if root is None else -root
    parts = []
    for whole in (value.numerator, value.denominator):
        if whole.bit_length() > 1000:  # a float guess would overflow; no input needs roots of such numbers
            return None
        guess = round(whole ** (1 / degree))
        found = next((g for g in (guess - 1, guess, guess + 1) if g >= 0 and g**degree == whole), None)
        if found is None:
            return None
        parts.append(found)
    return Fraction(parts[0], parts[1])


def _pi_multiple(expr: Expr, memo: _Memo, depth: int) -> Fraction | None:
    """r when expr is exactly r·π (π/2, 3π/4, -π, 0)."""
    match expr:
        case Const("pi"):
            return Fraction(1)
        case Neg(inner):
            value = _pi_multiple(inner, memo, depth + 1)
            return None if value is None else -value
        case Add(terms):
            return _total([_pi_multiple(t, memo, depth + 1) for t in terms])
        case Mul(factors):
            values = [_exact(f, memo, depth + 1) for f in factors]
            inexact = [f for f, v in zip(factors, values) if v is None]
            if len(inexact) != 1:  # a rational product is a multiple of π only when it is 0
                return Fraction(0) if not inexact and 0 in values else None
            multiple = _pi_multiple(inexact[0], memo, depth + 1)
            scale = math.prod((v for v in values if v is not None), start=Fraction(1))
            return None if multiple is None else multiple * scale
        case Div(num, den):
            top, bottom = _pi_multiple(num, memo, depth + 1), _exact(den, memo, depth + 1)
            return None if top is None or bottom is None or bottom == 0 else top / bottom
    value = _exact(expr, memo, depth)
    return Fraction(0) if value == 0 else None


# sin(rπ) for the r in [0, 2) where it is rational.
_SIN_OF_PI = {
    Fraction(0): Fraction(0), Fraction(1, 6): Fraction(1, 2), Fraction(1, 2): Fraction(1), Fraction(5, 6): Fraction(1, 2),
    Fraction(1): Fraction(0), Fraction(7, 6): Fraction(-1, 2), Fraction(3, 2): Fraction(-1), Fraction(11, 6): Fraction(-1, 2),
}  # fmt: skip
# The functions with an exact value at u = 0 (and the value).
_AT_ZERO = {
    "sinh": 0, "tanh": 0, "asin": 0, "atan": 0, "asinh": 0, "atanh": 0, "cosh": 1, "sech": 1, "exp": 1, "sgn": 0, "cbrt": 0,
    "sqrt": 0, "abs": 0,
}  # fmt: skip


def _exact_call(fn: str, inner: Expr, memo: _Memo, depth: int) -> Fraction | None:
    if fn in ("sin", "cos", "tan", "sec", "csc", "cot"):
        turns = _pi_multiple(inner, memo, depth)
        if turns is None:
            return None
        sine = _SIN_OF_PI.get(turns % 2)
        cosine = _SIN_OF_PI.get((turns + Fraction(1, 2)) % 2)

        def ratio(top: Fraction | None, bottom: Fraction | None) -> Fraction | None:
            return None if top is None or bottom is None or bottom == 0 else top / bottom

        if fn == "tan" and turns % 1 in (Fraction(1, 4), Fraction(3, 4)):
            return Fraction(1) if turns % 1 == Fraction(1, 4) else Fraction(-1)
        return {
            "sin": sine, "cos": cosine, "tan": ratio(sine, cosine), "sec": ratio(Fraction(1), cosine),
            "csc": ratio(Fraction(1), sine), "cot": ratio(cosine, sine),
        }[fn]  # fmt: skip
    value = _exact(inner, memo, depth)
    if value is None:
        return None
    if fn == "abs":
        return abs(value)
    if fn == "sgn":
        return Fraction((value > 0) - (value < 0))
    if fn == "sqrt":
        return _exact_root(value, 2)
    if fn == "cbrt":
        return _exact_root(value, 3)
    if fn in ("ln", "log"):
        return Fraction(0) if value == 1 else None
    if fn == "acos" or fn == "acosh":
        return Fraction(0) if value == 1 else None
    return Fraction(_AT_ZERO[fn]) if value == 0 and fn in _AT_ZERO else None


def _approximate(expr: Expr) -> Value | None:
    """The value of a constant with our 80-digit evaluator (an mpf), or None when it is not a finite real."""
    from .numeric import EvaluationError, evaluate

    try:
        value = evaluate(expr, {})
    except (EvaluationError, ArithmeticError, ValueError):
        return None
    return value.real if _real(value) else None


# -- signs --------------------------------------------------------------------------------------------------------------
_ANY = frozenset({-1, 0, 1})
_POSITIVE_FUNCTIONS = frozenset({"exp", "cosh", "sech", "sigmoid", "softplus"})
_ODD_FUNCTIONS = frozenset(
    {"sgn", "sinh", "tanh", "atan", "asin", "asinh", "atanh", "cbrt"}
)  # the sign of the argument


def _signs(expr: Expr, memo: _Memo, depth: int) -> frozenset[int]:
    """The signs (-1, 0, 1) expr may take where it is defined; a superset when unsure (a variable may take all)."""
    known = memo.get(id(expr))
    if known is not None:
        signs: frozenset[int] = known[0]
        return signs
    found = _ANY if depth > _MAX_ANALYSIS_DEPTH else _sign_of(expr, memo, depth + 1)
    found = found or _ANY  # no sign at all: a part that is never defined (0^(-1)), about which nothing is claimed
    memo[id(expr)] = (found, expr)
    return found


def _sign_of(expr: Expr, memo: _Memo, depth: int) -> frozenset[int]:
    match expr:
        case Num(value):
            return frozenset({1 if value > 0 else 0})
        case Const():
            return frozenset({1})
        case Neg(inner):
            return frozenset(-s for s in _signs(inner, memo, depth))
        case Add(terms):
            parts = [_signs(t, memo, depth) for t in terms]
            for sign in (1, -1):
                if all(p <= {0, sign} for p in parts):
                    return frozenset({sign}) if any(p == {sign} for p in parts) else frozenset().union(*parts)
            return _ANY
        case Mul(factors):
            result = frozenset({1})
            for factor in factors:
                result = frozenset(a * b for a in result for b in _signs(factor, memo, depth))
            return result
        case Div(num, den):
            bottom = _signs(den, memo, depth) - {0}
            return frozenset(a * b for a in _signs(num, memo, depth) for b in bottom) if bottom else _ANY
        case Pow(base, exp):
            below = _signs(base, memo, depth)
            if below <= {1}:
                return below
            power = _exact(exp, {}, 0)
            if power is None:
                return frozenset({0}) if below == {0} else frozenset({1})  # a real power needs a positive base
            if power == 0:
                return frozenset({1})
            if power.numerator % 2 == 0 or power.denominator % 2 == 0:  # an even power, or an even root: never negative
                found = frozenset(abs(s) for s in below)
            else:
                found = below
            return found - {0} if power < 0 else found
        case Call(fn, (inner,)):
            if fn in _POSITIVE_FUNCTIONS:
                return frozenset({1})
            below = _signs(inner, memo, depth)
            if fn in ("abs", "sqrt"):
                return frozenset(abs(s) for s in below)
            if fn in _ODD_FUNCTIONS:
                return below
            if fn == "acot":
                return frozenset(1 if s >= 0 else -1 for s in below)
            if fn in ("acos", "acosh"):
                return frozenset({0, 1})
    return _ANY


def _signs_inside(signs: frozenset[int], allowed: RealSet) -> bool:
    """Every value with one of these signs lies in allowed: (-∞, 0), {0} and (0, ∞) each within it."""
    negatives = any(span.low is None and span.high is not None and span.high >= 0 or span == ALL[0] for span in allowed)
    positives = any(span.high is None and span.low is not None and span.low <= 0 or span == ALL[0] for span in allowed)
    return all({-1: negatives, 0: _contains(allowed, Fraction(0)), 1: positives}[sign] for sign in signs)


def _integer_valued(expr: Expr) -> bool:
    """expr takes only integer values (sgn(u), and sums, products and powers of such): u^sgn(x) is u^(-1), u^0 or u."""
    match expr:
        case Num(value):
            return Fraction(value).denominator == 1
        case Call("sgn", _):
            return True
        case Neg(inner):
            return _integer_valued(inner)
        case Add(parts) | Mul(parts):
            return all(_integer_valued(p) for p in parts)
    return False


# -- sets: intersection, images and preimages --------------------------------------------------------------------------
def _contains(allowed: RealSet, value: Fraction) -> bool:
    return any(
        (span.low is None or value > span.low or value == span.low and not span.low_open)
        and (span.high is None or value < span.high or value == span.high and not span.high_open)
        for span in allowed
    )


def _intersect(first: RealSet, second: RealSet) -> RealSet:
    """Both sets, in one sweep: they are sorted and disjoint, and so is the result."""
    out = []
    i = j = 0
    while i < len(first) and j < len(second):
        a, b = first[i], second[j]
        low, low_open = _later_low(a, b)
        high, high_open = _earlier_high(a, b)
        if low is None or high is None or low < high or low == high and not (low_open or high_open):
            out.append(Interval(low, high, low_open, high_open))
        if _ends_first(a, b):
            i += 1
        else:
            j += 1
    return tuple(out)


def _ends_first(a: Interval, b: Interval) -> bool:
    if a.high is None:
        return False
    return b.high is None or a.high < b.high or a.high == b.high and a.high_open and not b.high_open


def _later_low(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.low is None:
        return b.low, b.low_open
    if b.low is None or a.low > b.low:
        return a.low, a.low_open
    if b.low > a.low:
        return b.low, b.low_open
    return a.low, a.low_open or b.low_open


def _earlier_high(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.high is None:
        return b.high, b.high_open
    if b.high is None or a.high < b.high:
        return a.high, a.high_open
    if b.high < a.high:
        return b.high, b.high_open
    return a.high, a.high_open or b.high_open


def _normalize(spans: tuple[Interval, ...]) -> RealSet:
    """Sorted, with overlapping or touching intervals joined."""
    ordered = sorted(spans, key=lambda s: (s.low is not None, s.low if s.low is not None else 0, s.low_open))
    out: list[Interval] = []
    for span in ordered:
        if out:
            last = out[-1]
            touches = (
                last.high is None
                or span.low is None
                or span.low < last.high
                or (span.low == last.high and not (span.low_open and last.high_open))
            )
            if touches:
                if last.high is None or (span.high is not None and span.high < last.high):
                    high, high_open = last.high, last.high_open
                elif span.high is None or span.high > last.high:
                    high, high_open = span.high, span.high_open
                else:
                    high, high_open = last.high, last.high_open and span.high_open
                out[-1] = Interval(last.low, high, last.low_open, high_open)
                continue
        out.append(span)
    return tuple(out)


def _affine(allowed: RealSet, scale: Fraction, shift: Fraction) -> RealSet:
    """{scale·s + shift : s ∈ allowed} (scale ≠ 0)."""
    out = []
    for span in allowed:
        low = None if span.low is None else scale * span.low + shift
        high = None if span.high is None else scale * span.high + shift
        if scale > 0:
            out.append(Interval(low, high, span.low_open, span.high_open))
        else:
            out.append(Interval(high, low, span.high_open, span.low_open))
    return _normalize(tuple(out))


def _power_preimage(allowed: RealSet, degree: int) -> RealSet | None:
    """{t : t^degree ∈ allowed}, or None when a bound has no rational root."""
    if degree == 1:
        return allowed
    if degree % 2 == 1:
        out = []
        for span in allowed:
            ends = [None if end is None else _exact_root(end, degree) for end in (span.low, span.high)]
            if any(end is None and given is not None for end, given in zip(ends, (span.low, span.high))):
                return None
            out.append(Interval(ends[0], ends[1], span.low_open, span.high_open))
        return _normalize(tuple(out))
    half = _root_preimage(allowed, 1, degree)
    if half is None:
        return None
    return _normalize(half + _affine(half, Fraction(-1), Fraction(0)))


def _root_preimage(allowed: RealSet, degree: int, power: int = 1) -> RealSet | None:
    """{t ≥ 0 : t^(power/degree) ∈ allowed} with power = 1 (a root) or degree = 1 (an even power's t ≥ 0 half)."""
    out = []
    for span in _intersect(allowed, NONNEGATIVE):
        if power == 1:
            ends = [None if end is None else end**degree for end in (span.low, span.high)]
        else:
            ends = [None if end is None else _exact_root(end, power) for end in (span.low, span.high)]
            if any(end is None and given is not None for end, given in zip(ends, (span.low, span.high))):
                return None
        out.append(Interval(ends[0], ends[1], span.low_open, span.high_open))
    return _normalize(tuple(out))


def _written(allowed: RealSet) -> list[tuple[bool, RealSet]] | None:
    """allowed as conditions that each print as one inequality: (on |subject|?, the set of that inequality).

    An interval with points left out (x > 0, x ≠ 1), or the same for |subject| when the set is symmetric (|x| ≥ 1,
    |x| > 1); None for any other union (it is then kept as it is).
    """
    pieces = _hull_and_points(allowed)
    if pieces is not None:
        return [(False, piece) for piece in pieces]
    if _affine(allowed, Fraction(-1), Fraction(0)) == allowed and not _contains(allowed, Fraction(0)):
        pieces = _hull_and_points(_intersect(allowed, POSITIVE))
        if pieces is not None:
            return [(True, piece) for piece in pieces]
    return None


def _hull_and_points(allowed: RealSet) -> list[RealSet] | None:
    """An interval with finitely many points left out, as [the interval, ≠ each point]; None for other sets."""
    if not allowed:
        return None
    points = []
    for before, after in pairwise(allowed):
        if before.high != after.low or not (before.high_open and after.low_open):
            return None
        points.append(before.high)
    first, last = allowed[0], allowed[-1]
    hull = Interval(first.low, last.high, first.low_open, last.high_open)
    pieces: list[RealSet] = [] if hull == ALL[0] else [(hull,)]
    pieces += [(Interval(None, p), Interval(p, None)) for p in points]
    return pieces


# -- the check at the door: undefined input is refused ------------------------------------------------------------------
# Whether a subject is 0 everywhere is the equivalence service's question (equivalence.vanishes: random points, our
# 80-digit evaluator), asked only of a subject that is not visibly nonzero (x, sin(x), a product of such), of at most
# MAX_ZERO_TEST_NODES nodes, and of at most MAX_ZERO_TEST_BUDGET nodes for one input. A node costs about 50 µs over
# the service's points (measured: 500 denominators x + i in 75 ms), so the budget keeps the test to about 0.1 s and a
# long input (3,000 terms, each with a denominator) still reads quickly; past it, a subject is left alone.
MAX_ZERO_TEST_NODES = 200
MAX_ZERO_TEST_BUDGET = 2_000


def check_defined(expr: Expr, positions: Mapping[int, tuple[int, int]] | None = None, text: str | None = None) -> None:
    """Raise UndefinedError for the first part of expr (innermost, leftmost) that is undefined over the reals.

    That is a constant that breaks a row of the table where it can be decided exactly (1/0, ln(-2), sqrt(-4), 0^(-1),
    asin(2), tan(π/2)), or a part that must not be 0 and is 0 for every value of its variables (1/(x - x), ln(x - x)).
    positions: (start, end) offsets in text of the parser's nodes, by id(node), for the message and the column.
    """
    checker = _Check(positions or {}, text)
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:  # post-order: 1/0 inside ln(1/0) is what is reported
        node, expanded = stack.pop()
        if not expanded:
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(children(node)))
            continue
        for row in _rows(node):
            if row.refused and row.allowed != ALL:
                subject = row.subject(node)
                if subject is not None:
                    checker.check(node, row, subject)


class _Check:
    def __init__(self, positions: Mapping[int, tuple[int, int]], text: str | None):
        self.positions = positions
        self.text = text
        self.memo: _Memo = {}
        self.zero: dict[Expr, bool] = {}
        self.budget = MAX_ZERO_TEST_BUDGET

    def check(self, node: Expr, row: Requirement, subject: Expr) -> None:
        if _is_constant(subject, self.memo, 0):
            value = _exact(subject, self.memo, 0)
            if value is not None and not _contains(row.allowed, value):
                shown = (
                    "" if _rational(subject) is not None else f", since {self.show(subject)} = {_number_text(value)}"
                )
                self.refuse(node, f"{row.reason}{shown}")
            return
        if _contains(row.allowed, Fraction(0)):
            return
        if self.vanishes(subject):
            names = ", ".join(dict.fromkeys(self.show(var) for var in _variables(subject)))
            self.refuse(node, f"{row.reason}, since {self.show(subject)} = 0 for every {names}")

    def vanishes(self, subject: Expr) -> bool:
        if subject in self.zero:
            return self.zero[subject]
        answer = False
        if _may_vanish(subject):
            nodes = _nodes(subject, MAX_ZERO_TEST_NODES + 1)
            # A pending derivative, an abstract function or a sum over data has no value of its own to test.
            testable = not any(isinstance(n, (Deriv, Apply, Sum)) for n in nodes)
            if testable and len(nodes) <= min(MAX_ZERO_TEST_NODES, self.budget):
                from ..cas.equivalence import vanishes

                self.budget -= len(nodes)
                answer = vanishes(subject)
        self.zero[subject] = answer
        return answer

    def show(self, node: Expr) -> str:
        """node as typed (its slice of the input), or as printed when the parser did not place it."""
        span = self.positions.get(id(node))
        if span is not None and self.text is not None:
            typed = _balanced(self.text, *span)
            if typed is not None:
                return typed
        from ..language.mathtext import to_text

        return to_text(node)

    def refuse(self, node: Expr, why: str) -> None:
        span = self.positions.get(id(node))
        offset = None if span is None or self.text is None else _balanced_start(self.text, *span)
        raise UndefinedError(
            f"{self.show(node)} is undefined: {why}", self.text if offset is not None else None, offset
        )


def _number_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _nodes(expr: Expr, most: int) -> list[Expr]:
    """The nodes of expr, at most `most` of them (enough to tell that it is too large)."""
    out: list[Expr] = []
    stack = [expr]
    while stack and len(out) < most:
        node = stack.pop()
        out.append(node)
        stack.extend(children(node))
    return out


def _variables(expr: Expr) -> list[Var]:
    return list(dict.fromkeys(node for node in _nodes(expr, MAX_ZERO_TEST_NODES + 1) if isinstance(node, Var)))


def _may_vanish(expr: Expr) -> bool:
    """False when expr is visibly not 0 everywhere: a variable, f(x) of a bare variable, products and powers of such."""
    match expr:
        case Var() | Const():
            return False
        case Num(value):
            return value == 0
        case Neg(inner):
            return _may_vanish(inner)
        case Mul(factors):
            return any(_may_vanish(f) for f in factors)
        case Div(num, _):
            return _may_vanish(num)
        case Pow(base, _):
            return _may_vanish(base)
        case Call(fn, (Var(),)):
            return False
        case Call(fn, _) if fn in _POSITIVE_FUNCTIONS:
            return False
    return True


def _real(value: Value) -> bool:
    """A value of the evaluator (an mpc) is real: no imaginary part beyond what cancelled complex parts leave."""
    return bool(abs(value.imag) <= _IMAGINARY_TOLERANCE * abs(value))


def _balanced(text: str, start: int, end: int) -> str | None:
    """The typed text of a node, widened over the brackets its span leaves open: the parser's span of ln(0) ends at 0
    (the ')' is punctuation), that of (x+1)/(2-2) starts at x. None when the brackets do not balance."""
    start = _balanced_start(text, start, end)
    piece = text[start:end]
    opened = _open_count(piece)
    while opened > 0:
        rest = text[end:]
        stripped = rest.lstrip()
        stripped = stripped.removeprefix("\\right")
        if not stripped or stripped[0] not in _CLOSERS:
            return None
        end = len(text) - len(stripped) + 1
        opened -= 1
    piece = " ".join(text[start:end].split())
    return piece if _open_count(piece) == 0 and _close_excess(piece) == 0 else None


_OPENERS, _CLOSERS = "([{", ")]}"


def _open_count(piece: str) -> int:
    depth = 0
    for char in piece:
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS and depth > 0:
            depth -= 1
    return depth


def _close_excess(piece: str) -> int:
    depth = excess = 0
    for char in piece:
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            if depth:
                depth -= 1
            else:
                excess += 1
    return excess


def _balanced_start(text: str, start: int, end: int) -> int:
    """start moved left over the opening brackets that the span's unmatched closing ones need."""
    excess = _close_excess(text[start:end])
    while excess > 0:
        before = text[:start].rstrip()
        if not before or before[-1] not in _OPENERS:
            break
        start = len(before) - 1
        if text[:start].endswith("\\left"):
            start -= len("\\left")
        excess -= 1
    return start
