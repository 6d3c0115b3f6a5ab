"""The simplification cheat sheet: small named rewrites that tidy a result into the form a lecturer writes.

Same Rule shape and the same engine as differentiation, but a rule may match any node. The engine applies the first
rule that matches the innermost node first, so children are tidy before their parents are looked at. Every rule
keeps the value (tests check each one against SymPy); none expands a product for its own sake, so 2(x + y + z) stays
as it is (a number is multiplied into a sum only when a term then combines with one beside it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from . import limits
from .rules import Bindings, Rule, binding
from .tree import (
    ONE,
    ZERO,
    Add,
    Call,
    Const,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    add,
    children,
    is_number,
    mul,
    negate,
    node_count,
    number,
    number_value,
    shared_hash,
    walk,
    with_children,
)
from .vocabulary import SimplifyKind


def _is_zero(expr: Expr) -> bool:
    if type(expr) is Num:  # asked of every term and factor: no Fraction for the common case
        return expr.value == 0
    return is_number(expr) and number_value(expr) == 0


def _is_one(expr: Expr) -> bool:
    return type(expr) is Num and expr.value == 1


def _is_decimal(expr: Expr) -> bool:
    match expr:
        case Num(_, text):
            return text is not None
        case Neg(arg):
            return _is_decimal(arg)
        case Div(num, den):
            return _is_decimal(num) or _is_decimal(den)
    return False


def _value(exprs: Sequence[Expr]) -> tuple[list[Fraction], bool]:
    """Values of literal numbers, and whether any was written as a decimal (then the result is one too)."""
    return [number_value(e) for e in exprs], any(_is_decimal(e) for e in exprs)


def _repeats(items: list[Expr]) -> bool:
    """Whether two items are equal. Hashing a deep tree walks all of it, at every step of a nested power, so items
    of different kinds and sizes (memoised) are told apart first, then by their memoised hashes."""
    if len(items) < 2:
        return False
    if len({(type(item), node_count(item)) for item in items}) == len(items):
        return False
    if len(items) >= 8 and len(set(map(shared_hash, items))) == len(items):  # a long product's shared factors
        return False
    return len(items) != len(set(items))


_ONE = Fraction(1)
_NUMBER_KINDS = frozenset((Num, Neg, Div))


def _may_be_number(items: Sequence[Expr]) -> bool:
    """Whether any item is of a kind a literal number can be: looked up in C, as a product of 1,000 factors is
    checked by several rules at every visit."""
    return len(items) < 8 or not _NUMBER_KINDS.isdisjoint(map(type, items))  # a short one is quicker to just try


# -- matches ------------------------------------------------------------------------------------------------------------
def _add_zero(expr: Expr) -> Bindings | None:
    if isinstance(expr, Add) and _may_be_number(expr.terms) and any(_is_zero(t) for t in expr.terms):
        return {"u": expr}
    return None


def _drop_zeros(b: Bindings) -> Expr:
    return add(*(t for t in binding(b, "u", Add).terms if not _is_zero(t)))


def _multiply_zero(expr: Expr) -> Bindings | None:
    match expr:
        case Mul(factors) if _may_be_number(factors) and any(_is_zero(f) for f in factors):
            return {"u": expr}
        case Div(num, den) if _is_zero(num) and not _is_zero(den):
            return {"u": expr}
    return None


def _multiply_one(expr: Expr) -> Bindings | None:
    match expr:
        case Mul(factors) if _may_be_number(factors) and any(_is_one(f) for f in factors):
            return {"u": expr}
        case Div(_, den) if _is_one(den):
            return {"u": expr}
    return None


def _drop_ones(b: Bindings) -> Expr:
    expr = b["u"]
    if isinstance(expr, Div):
        return expr.num
    return mul(*(f for f in binding(b, "u", Mul).factors if not _is_one(f)))


def _negate_zero(expr: Expr) -> Bindings | None:
    return {} if isinstance(expr, Neg) and _is_zero(expr.arg) else None


def _double_negation(expr: Expr) -> Bindings | None:
    return {"u": expr.arg.arg} if isinstance(expr, Neg) and isinstance(expr.arg, Neg) else None


def _sign(expr: Expr) -> Bindings | None:
    """A minus sign inside a product or a quotient moves to the front of it."""
    match expr:
        case Mul(factors) if any(isinstance(f, Neg) for f in factors):
            return {"u": expr}
        case Div(Neg(), _) | Div(_, Neg()):
            return {"u": expr}
    return None


def _sign_out(b: Bindings) -> Expr:
    expr = b["u"]
    if isinstance(expr, Div):
        num, den = expr.num, expr.den
        sign = isinstance(num, Neg) != isinstance(den, Neg)
        quotient = Div(num.arg if isinstance(num, Neg) else num, den.arg if isinstance(den, Neg) else den)
        return Neg(quotient) if sign else quotient
    return mul(*binding(b, "u", Mul).factors)


def _regroup(expr: Expr) -> Bindings | None:
    """A sum inside a sum, or a product inside a product, is written as one (a + (b + c) = a + b + c)."""
    match expr:
        case Add(terms) if any(isinstance(t, Add) or isinstance(t, Neg) and isinstance(t.arg, Add) for t in terms):
            return {"u": expr}
        case Mul(factors) if any(isinstance(f, Mul) for f in factors):
            return {"u": expr}
    return None


def _flatten(b: Bindings) -> Expr:
    expr = b["u"]
    if isinstance(expr, Mul):
        return Mul(tuple(g for f in expr.factors for g in (f.factors if isinstance(f, Mul) else (f,))))
    terms: list[Expr] = []
    for t in binding(b, "u", Add).terms:
        if isinstance(t, Add):
            terms.extend(t.terms)
        elif isinstance(t, Neg) and isinstance(t.arg, Add):
            terms.extend(negate(s) for s in t.arg.terms)
        else:
            terms.append(t)
    return Add(tuple(terms))


def _fold_constants(expr: Expr) -> Bindings | None:
    """Two or more literal numbers in one sum or product, a quotient of numbers not in lowest terms, or a power of numbers."""
    match expr:
        case Mul(factors) if sum(is_number(f) for f in factors) >= 2 and _small_result(
            [f for f in factors if is_number(f)], "*"
        ):
            return {"u": expr}
        case Add(terms) if sum(is_number(t) for t in terms) >= 2 and _small_result(
            [t for t in terms if is_number(t)], "+"
        ):
            return {"u": expr}
        case Div(num, den) if (
            is_number(num)
            and is_number(den)
            and number_value(den) != 0
            and number(number_value(expr), _is_decimal(expr)) != expr
        ):
            return {"u": expr}
        case Pow(base, exp) if (
            is_number(base) and isinstance(exp, Num) and isinstance(exp.value, int) and _small_power(base, exp.value)
        ):
            return {"u": expr}
    return None


def _digits(value: Fraction) -> float:
    return max(math.log10(abs(value.numerator) + 1), math.log10(value.denominator + 1))


def _small_result(numbers: list[Expr], op: str) -> bool:
    """Whether folding numbers keeps every integer within limits.MAX_INTEGER_DIGITS, estimated from their lengths: a
    product's digits add up, and so do a sum's denominators (five 2,000-digit factors make a 10,000-digit number)."""
    values = [number_value(n) for n in numbers]
    if op == "*":
        digits = sum(_digits(v) for v in values)
    else:
        digits = (
            sum(math.log10(v.denominator + 1) for v in values)
            + max(_digits(v) for v in values)
            + math.log10(len(values))
        )
    return digits <= limits.MAX_INTEGER_DIGITS


def _small_power(base: Expr, exponent: int) -> bool:
    value = abs(number_value(base))
    if value in (0, 1):
        return True
    digits = exponent * max(math.log10(value.numerator + 1), math.log10(value.denominator + 1))
    return digits <= limits.MAX_INTEGER_DIGITS


def _fold(b: Bindings) -> Expr:
    expr = b["u"]
    match expr:
        case Mul(factors):
            numbers = [f for f in factors if is_number(f)]
            values, decimal = _value(numbers)
            product = number(math.prod(values, start=Fraction(1)), decimal)
            rest = [f for f in factors if not is_number(f)]
            return mul(product, *rest)
        case Add(terms):
            numbers = [t for t in terms if is_number(t)]
            values, decimal = _value(numbers)
            rest = [t for t in terms if not is_number(t)]
            total = sum(values, Fraction(0))
            return add(*rest, number(total, decimal)) if total != 0 or not rest else add(*rest)
        case Div():
            return number(number_value(expr), _is_decimal(expr))
        case Pow(base, Num(int() as power)):
            return number(number_value(base) ** power, _is_decimal(base))
    raise AssertionError(expr)


def _power_one(expr: Expr) -> Bindings | None:
    return {"u": expr.base} if isinstance(expr, Pow) and _is_one(expr.exp) else None


def _abs_even_power(expr: Expr) -> Bindings | None:
    """x/|x|^2 = x/x^2: our variables are real and an even power does not see the sign. Only in a denominator the
    absolute value is the only one left, so that the fraction can cancel (|x|^2·x/|x| rather cancels to x|x|)."""
    if isinstance(expr, Div) and isinstance(expr.den, Pow):
        base, exp = expr.den.base, expr.den.exp
        if (
            isinstance(base, Call)
            and base.fn == "abs"
            and isinstance(exp, Num)
            and exp.value.denominator == 1
            and exp.value.numerator % 2 == 0
        ):
            if not any(node == base for _, node in walk(expr.num)):
                return {"num": expr.num, "u": base.args[0], "n": exp}
    return None


def _power_zero(expr: Expr) -> Bindings | None:
    return {} if isinstance(expr, Pow) and _is_zero(expr.exp) and not _is_zero(expr.base) else None


def _log_known(expr: Expr) -> Bindings | None:
    """ln(1) = 0 and ln(e) = 1: what the exponential rule leaves for 1^x and e^x written as a power of a constant."""
    if isinstance(expr, Call) and expr.fn in ("ln", "log") and len(expr.args) == 1:
        if _is_one(expr.args[0]):
            return {"value": ZERO}
        if expr.args[0] == Const("e"):
            return {"value": ONE}
    return None


def _power_of_power(expr: Expr) -> Bindings | None:
    """(u^m)^n = u^(mn) for whole m and n: true for every real u where both sides are defined (the domain line keeps
    u ≠ 0 for negative powers); with a fractional exponent it is not ((x^2)^(1/2) is |x|), so those stay."""
    if isinstance(expr, Pow) and isinstance(expr.base, Pow):
        inner, outer = expr.base.exp, expr.exp
        if _whole(inner) and _whole(outer):
            return {"u": expr.base.base, "n": number(number_value(inner) * number_value(outer))}
    return None


def _root_squared(expr: Expr) -> Bindings | None:
    """v/sqrt(u)^2 = v/u, and v/sqrt(u)^4 = v/u^2 (also as one factor of the denominator): true wherever sqrt(u) is
    defined (u > 0 here, which the domain line keeps). The quotient rule squares a root denominator, and the board
    writes (1 + x^2), not sqrt(1 + x^2)^2. Only where no other power of sqrt(u) stands among the factors: there
    cancelling or adding exponents first keeps the root (3 sqrt(1 + x)^2/(2 sqrt(1 + x)) = 3 sqrt(1 + x)/2)."""
    if not isinstance(expr, Div):
        return None
    factors = expr.den.factors if isinstance(expr.den, Mul) else (expr.den,)
    for index, factor in enumerate(factors):
        match factor:
            case Pow(Call("sqrt", (u,)) as root, Num(int() as n)) if n % 2 == 0 and n > 0:
                others = factors[:index] + factors[index + 1 :]
                if not _has_factor(expr.num, root) and not any(_has_factor(other, root) for other in others):
                    squared = _power_of(u, Fraction(n // 2))
                    den = Mul(factors[:index] + (squared,) + factors[index + 1 :]) if others else squared
                    return {"num": expr.num, "den": den}
    return None


def _has_factor(expr: Expr, root: Expr) -> bool:
    """Whether root stands among expr's factors, through signs, products, quotients and powers (not inside a sum)."""
    match expr:
        case _ if expr == root:
            return True
        case Neg(arg):
            return _has_factor(arg, root)
        case Mul(factors):
            return any(_has_factor(factor, root) for factor in factors)
        case Div(num, den):
            return _has_factor(num, root) or _has_factor(den, root)
        case Pow(base, _):
            return _has_factor(base, root)
    return False


def _whole(expr: Expr) -> bool:
    return is_number(expr) and number_value(expr).denominator == 1


def _power_of_one(expr: Expr) -> Bindings | None:
    return {} if isinstance(expr, Pow) and _is_one(expr.base) else None


def _rank(factor: Expr) -> int:
    """The lecture's order of factors: the number, then variables and their powers, then everything else."""
    if is_number(factor):
        return 0
    base = factor.base if isinstance(factor, Pow) else factor
    return 1 if isinstance(base, Var) else 2


_Order = tuple[int] | tuple[int, str, str]


def _collect_coefficients(expr: Expr) -> Bindings | None:
    """A number written after other factors moves to the front: x·2 is 2x."""
    if isinstance(expr, Mul):
        if not _may_be_number(expr.factors):
            return None  # no number to move
        ranks = [_rank(f) == 0 for f in expr.factors]
        if ranks != sorted(ranks, reverse=True):
            return {"u": expr}
    return None


def _order(factor: Expr) -> _Order:
    """_rank, and within the variables alphabetical order: y·2x is written 2xy."""
    base = factor.base if isinstance(factor, Pow) else factor
    if not isinstance(base, Var) or is_number(factor):  # as _rank: only a variable or its power ranks 1
        return (_rank(factor),)
    return (1, base.name, base.sub or "")


def _order_factors(expr: Expr) -> Bindings | None:
    """Variables before functions and brackets: cos(x^2)·2x is written 2x cos(x^2)."""
    if isinstance(expr, Mul):
        keys = [_order(f) for f in expr.factors]
        if keys != sorted(keys):
            return {"u": expr}
    return None


def _by_rank(b: Bindings) -> Expr:
    return Mul(tuple(sorted(binding(b, "u", Mul).factors, key=_order)))


def _power_parts(expr: Expr) -> tuple[Expr, Fraction]:
    """A factor as base and numeric exponent: x is (x, 1), x^3 is (x, 3), x^n is (x^n, 1), and (x^3)^2 is (x, 6).

    A power of a whole power is seen through when both exponents are whole (as power_of_power), so that powers the
    student typed, which the engine leaves as written, still cancel and multiply: x^2/(x^3)^2 = 1/x^4."""
    if isinstance(expr, Pow) and is_number(expr.exp):
        base, exponent = expr.base, number_value(expr.exp)
        while isinstance(base, Pow) and exponent.denominator == 1 and _whole(base.exp):
            exponent *= number_value(base.exp)
            base = base.base
        return base, exponent
    return expr, _ONE


def _power_of(base: Expr, exponent: Fraction, decimal: bool = False) -> Expr:
    if exponent == 1:
        return base
    return Pow(base, number(exponent, decimal))


def _multiply_powers(expr: Expr) -> Bindings | None:
    """Factors with the same base combine: x·x = x^2, x^2·x^3 = x^5."""
    if not isinstance(expr, Mul):
        return None
    bases = [_power_parts(f)[0] for f in expr.factors if not is_number(f)]
    return {"u": expr} if _repeats(bases) else None


def _combine_powers(b: Bindings) -> Expr:
    exponents: dict[Expr, Fraction] = {}
    order: list[Expr] = []
    numbers = []
    for factor in binding(b, "u", Mul).factors:
        if is_number(factor):
            numbers.append(factor)
            continue
        base, exponent = _power_parts(factor)
        if base not in exponents:
            order.append(base)
            exponents[base] = Fraction(0)
        exponents[base] += exponent
    rest = [_power_of(base, exponents[base]) for base in order if exponents[base] != 0]
    return mul(*numbers, *rest)


def _term_parts(term: Expr) -> tuple[Fraction, Expr | None]:
    """A term as coefficient and the rest: -3x is (-3, x), 5 is (5, None)."""
    if isinstance(term, Neg):
        coefficient, rest = _term_parts(term.arg)
        return -coefficient, rest
    if is_number(term):
        return number_value(term), None
    if isinstance(term, Mul) and is_number(term.factors[0]):
        others = term.factors[1:]
        return number_value(term.factors[0]), others[0] if len(others) == 1 else Mul(others)
    return Fraction(1), term


_LikeKey = Expr | frozenset[tuple[Expr, int]]


def _like_key(monomial: Expr) -> _LikeKey:
    """What like terms share whatever the order of their factors (sin(x) cos(x) and cos(x) sin(x)): the factors as a
    multiset. Used only to compare terms; a term is shown with its factors in the order it was written."""
    if isinstance(monomial, Mul):
        return frozenset(Counter(monomial.factors).items())
    return monomial


def _reordered_repeats(monomials: list[Expr]) -> bool:
    """Whether two products have the same factors in another order; only products of one size can (memoised)."""
    products = [m for m in monomials if isinstance(m, Mul)]
    sizes = Counter(node_count(m) for m in products)
    alike = [m for m in products if sizes[node_count(m)] > 1]
    return len({_like_key(m) for m in alike}) != len(alike)


def _combine_like_terms(expr: Expr) -> Bindings | None:
    if not isinstance(expr, Add):
        return None
    monomials = [m for m in (_term_parts(t)[1] for t in expr.terms) if m is not None]
    return {"u": expr} if _repeats(monomials) or _reordered_repeats(monomials) else None


def _like_terms(b: Bindings) -> Expr:
    coefficients: dict[_LikeKey, Fraction] = {}
    order: list[tuple[_LikeKey | None, Expr]] = []  # (None, a number term) or (key, its first monomial as written)
    sum_ = binding(b, "u", Add)
    decimal = any(_is_decimal(t) for t in sum_.terms)
    for term in sum_.terms:
        coefficient, monomial = _term_parts(term)
        if monomial is None:
            order.append((None, term))
            continue
        like = _like_key(monomial)
        if like not in coefficients:
            order.append((like, monomial))
            coefficients[like] = Fraction(0)
        coefficients[like] += coefficient
    terms = []
    for key, item in order:
        if key is None:
            terms.append(item)
            continue
        c = coefficients[key]
        if c == 0:
            continue
        terms.append(_scaled(c, item, decimal))
    return add(*terms)


def _scaled(coefficient: Fraction, monomial: Expr | None, decimal: bool = False) -> Expr:
    """The term coefficient·monomial as the lecture writes it: 3x, -x, x, -2 (monomial None: the number alone)."""
    if monomial is None:
        return number(coefficient, decimal)
    if abs(coefficient) == 1:
        magnitude = monomial
    else:  # one product, not a product inside a product (which would take a regroup step)
        magnitude = mul(number(abs(coefficient), decimal), *_factors(monomial))
    return Neg(magnitude) if coefficient < 0 else magnitude


def _degree(term: Expr) -> int | Fraction:
    """The total power of the variables in a term (x^2 cos(x) has 2): terms are written in descending powers.

    Whole degrees are ints, others Fractions (the same values, compared exactly): sorting the terms of a long sum
    added up a Fraction for every factor of every term."""
    if type(term) is Var:
        return 1
    if type(term) is Neg:
        return _degree(term.arg)
    if type(term) is Pow:
        if type(term.base) is Var and is_number(term.exp):
            value = number_value(term.exp)
            return value.numerator if value.denominator == 1 else value
        return 0
    if type(term) is Mul:
        return sum((_degree(f) for f in term.factors), 0)
    if type(term) is Div:
        return _degree(term.num) - _degree(term.den)
    return 0


def _order_terms(expr: Expr) -> Bindings | None:
    """Terms in descending powers (x^2 cos(x) + 2x sin(x)), unless that would put a minus sign first (1 - 2x stays)."""
    if not isinstance(expr, Add):
        return None
    ordered = sorted(expr.terms, key=_degree, reverse=True)
    if list(ordered) == list(expr.terms) or isinstance(ordered[0], Neg):
        return None
    # Looked for last: walking the whole sum at every match made deep expressions quadratic.
    if any(isinstance(node, Sum) for _, node in walk(expr)):
        return None  # a loss's gradient keeps the lecture's order: s Σ a_i + bn - Σ h_i
    return {"u": expr}


def _negative_exponent(expr: Expr) -> Bindings | None:
    match expr:
        case Pow(base, Neg(n)) if is_number(n):
            return {"u": base, "n": n}
    return None


def _multiply_fraction(expr: Expr) -> Bindings | None:
    """A product with a quotient in it becomes one quotient: 2 · (1/x) = 2/x."""
    if isinstance(expr, Mul) and any(isinstance(f, Div) and not is_number(f) for f in expr.factors):
        return {"u": expr}
    return None


def _into_fraction(b: Bindings) -> Expr:
    factors = binding(b, "u", Mul).factors
    index = next(i for i, f in enumerate(factors) if isinstance(f, Div) and not is_number(f))
    fraction = factors[index]
    assert isinstance(fraction, Div)
    others = factors[:index] + factors[index + 1 :]
    numerator = mul(*others) if _is_one(fraction.num) else mul(*others[:index], fraction.num, *others[index:])
    return Div(numerator, fraction.den)


def _nested_fraction(expr: Expr) -> Bindings | None:
    match expr:
        case Div(Div(), _) | Div(_, Div()) if not is_number(expr):
            return {"u": expr}
    return None


def _unnest(b: Bindings) -> Expr:
    expr = binding(b, "u", Div)
    if isinstance(expr.num, Div):
        return Div(expr.num.num, mul(expr.num.den, expr.den))
    assert isinstance(expr.den, Div)
    return Div(mul(expr.num, expr.den.den), expr.den.num)


def _factors(expr: Expr) -> list[Expr]:
    return list(expr.factors) if isinstance(expr, Mul) else [expr]


def _cancel(expr: Expr) -> Bindings | None:
    """A factor common to numerator and denominator cancels (x^3/x = x^2)."""
    if not isinstance(expr, Div):
        return None
    if is_number(expr):
        return None
    top = {_power_parts(f)[0] for f in _factors(expr.num) if not is_number(f)}
    bottom = {_power_parts(f)[0] for f in _factors(expr.den) if not is_number(f)}
    top_c, bottom_c = _coefficient(expr.num), _coefficient(expr.den)
    ratio = top_c / bottom_c if bottom_c else None
    numbers_cancel = ratio is not None and bottom_c != 1 and (top_c != ratio.numerator or bottom_c != ratio.denominator)
    return {"u": expr} if top & bottom or numbers_cancel else None


def _coefficient(expr: Expr) -> Fraction:
    return math.prod((number_value(f) for f in _factors(expr) if is_number(f)), start=Fraction(1))


def _cancel_common(b: Bindings) -> Expr:
    expr = binding(b, "u", Div)
    ratio = _coefficient(expr.num) / _coefficient(expr.den)
    decimal = _is_decimal(expr)
    top = [_power_parts(f) for f in _factors(expr.num) if not is_number(f)]
    bottom = [_power_parts(f) for f in _factors(expr.den) if not is_number(f)]
    for i, (base, exponent) in enumerate(top):
        for j, (other, other_exponent) in enumerate(bottom):
            if base == other:
                common = min(exponent, other_exponent)
                top[i] = (base, exponent - common)
                bottom[j] = (other, other_exponent - common)
                break

    def rebuild(coefficient: Fraction, parts: list[tuple[Expr, Fraction]]) -> Expr:
        factors = [_power_of(b, e) for b, e in parts if e != 0]
        return mul(number(coefficient, decimal), *factors) if coefficient != 1 else mul(*factors)

    # A typed decimal stays one: .5/(2 sqrt(x)) is 0.25/sqrt(x), not 1/(4 sqrt(x)) (1/3 has no decimal: 1/(3x)).
    if decimal and isinstance(number(ratio, decimal), Num):
        numerator, denominator = rebuild(ratio, top), rebuild(_ONE, bottom)
    else:
        numerator = rebuild(Fraction(ratio.numerator), top)
        denominator = rebuild(Fraction(ratio.denominator), bottom)
    return numerator if _is_one(denominator) else Div(numerator, denominator)


# -- the form a lecturer writes (issue 15): typed constants, identities, a constant multiplied out ----------------------
# By identity, for every node looked at: (the node, the value of the arithmetic on literal numbers it is or None,
# whether a decimal was typed in it, whether it is such arithmetic with a value too long for the board, whether a
# typed constant to work out is at or below it). The engine leaves the student's own subtrees as written and rules
# look at a node again after every rewrite nearby, so this is asked of the same shared subtrees many times; the node
# is kept beside its facts so that its id is never reused.
_TypedFacts = tuple[Fraction | None, bool, bool, bool]
_TYPED: dict[int, tuple[Expr, Fraction | None, bool, bool, bool]] = {}
_TYPED_LIMIT = 200_000
# A typed constant is worked out when its value has at most this many digits: 2^3 is 8 on the board, but 10^100
# stays 10^100 (and 9^9^9 stays whole, never partly worked out as 9^387420489).
_TYPED_DIGITS = 15


def _typed(expr: Expr) -> _TypedFacts:
    """The facts of _TYPED for expr, worked out bottom-up without recursion (a derivative can be deep)."""
    known = _TYPED.get(id(expr))
    if known is not None:
        return known[1:]
    if len(_TYPED) > _TYPED_LIMIT:
        _TYPED.clear()
    stack = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in _TYPED:
            continue
        kids = children(node)
        if expanded or not kids:
            facts = [_TYPED[id(kid)][1:] for kid in kids]
            _TYPED[id(node)] = (node, *_typed_facts(node, facts))
            continue
        stack.append((node, True))
        stack.extend((kid, False) for kid in kids if id(kid) not in _TYPED)
    return _TYPED[id(expr)][1:]


_ARITHMETIC = (Neg, Add, Mul, Div, Pow)


def _typed_facts(node: Expr, kids: list[_TypedFacts]) -> _TypedFacts:
    if type(node) is Num:
        return Fraction(node.value), node.text is not None, False, False
    decimal = any(typed for _, typed, _, _ in kids)
    # Arithmetic on numbers of which a part is too long is too long as a whole: nothing in it is worked out.
    if isinstance(node, _ARITHMETIC) and any(huge for _, _, huge, _ in kids):
        if all(value is not None or huge for value, _, huge, _ in kids):
            return None, decimal, True, False
    try:
        value = _typed_value(node, [value for value, _, _, _ in kids])
    except _TooLong:
        return None, decimal, True, False
    if value is not None and _digits(value) > _TYPED_DIGITS:
        return None, decimal, True, False
    here = value is not None and bool(kids) and number(value, decimal) != node
    return value, decimal, False, here or any(holds for _, _, _, holds in kids)


class _TooLong(Exception):
    """A typed power too long to work out at all (9^9^9): it stays as typed."""


def _typed_value(node: Expr, values: list[Fraction | None]) -> Fraction | None:
    """The value of node from its children's values (None: not arithmetic on numbers): 2^3, 1 + 2, e^0, ln(1)."""
    match node:
        case Call("exp", _) if values == [0]:
            return Fraction(1)
        case Call("ln" | "log", (Const("e"),)):
            return Fraction(1)
        case Call("ln" | "log", _) if values == [1]:
            return Fraction(0)
        case Pow(Const(), _) if values[1] == 0:
            return Fraction(1)  # e^0, pi^0
    known = [value for value in values if value is not None]
    if len(known) < len(values) or not known:
        return None
    match node:
        case Neg():
            return -known[0]
        case Add():
            return sum(known, Fraction(0))
        case Mul():
            return math.prod(known, start=Fraction(1))
        case Div() if known[1] != 0:
            return known[0] / known[1]
        case Pow():
            base, exponent = known
            if exponent.denominator != 1 or base == 0 and exponent <= 0:
                return None
            if base not in (0, 1, -1) and abs(exponent) * _digits(base) > _TYPED_DIGITS + 1:
                raise _TooLong
            return base ** int(exponent)
    return None


def _typed_constant(expr: Expr) -> Bindings | None:
    """Arithmetic on numbers the student typed, which the engine leaves as written, is worked out where it becomes part
    of the result: x^(2^3 - 1) · 2^3 is 8x^7, and e^0 + 1 is 1 + 1. The rule looks at the children (and below), the
    first place a rule may rewrite above the typed part."""
    for kid in children(expr):
        if _typed(kid)[3]:
            part = _first_typed(kid)
            value, decimal, _, _ = _typed(part)
            assert value is not None
            return {"u": expr, "c": part, "value": number(value, decimal)}
    return None


def _first_typed(expr: Expr) -> Expr:
    """The outermost, leftmost typed constant in expr (which holds one)."""
    while True:
        value, decimal, _, _ = _typed(expr)
        if value is not None and children(expr) and number(value, decimal) != expr:
            return expr
        expr = next(kid for kid in children(expr) if _typed(kid)[3])


def _work_out_typed(b: Bindings) -> Expr:
    def worked(expr: Expr) -> Expr:
        value, decimal, _, holds = _typed(expr)
        if not holds:
            return expr
        if value is not None and number(value, decimal) != expr:
            return number(value, decimal)
        return with_children(expr, tuple(worked(kid) for kid in children(expr)))

    expr = b["u"]
    return with_children(expr, tuple(worked(kid) for kid in children(expr)))


# sin²u + cos²u = 1 and cosh²u − sinh²u = 1: the first square, its partner, and the partner's sign in the identity.
_PYTHAGOREAN = {"sin": ("cos", 1), "cos": ("sin", 1), "cosh": ("sinh", -1)}


def _squared_call(factor: Expr) -> tuple[str, Expr] | None:
    match factor:
        case Pow(Call(fn, (u,)), Num(2)) if fn in ("sin", "cos", "cosh", "sinh"):
            return fn, u
    return None


def _pythagorean(expr: Expr) -> Bindings | None:
    """Two terms of a sum that differ only in sin²u against cos²u (or cosh²u against -sinh²u) add up to the rest:
    2x sin(x)^2 + 2x cos(x)^2 = 2x. Two terms become one, so the result is always simpler."""
    if not isinstance(expr, Add) or len(expr.terms) < 2:
        return None
    squares = [
        (index, factor, found)
        for index, term in enumerate(expr.terms)
        for factor in _factors(_term_parts(term)[1] or ONE)
        if (found := _squared_call(factor)) is not None
    ]
    if len(squares) < 2:
        return None
    for index, square, (fn, u) in squares:
        if fn not in _PYTHAGOREAN:
            continue
        partner, sign = _PYTHAGOREAN[fn]
        coefficient, rest = _rest(expr.terms[index], square)
        for other, other_square, (other_fn, other_u) in squares:
            if other != index and other_fn == partner and other_u == u:
                other_coefficient, other_rest = _rest(expr.terms[other], other_square)
                if other_coefficient == sign * coefficient and Counter(rest) == Counter(other_rest):
                    return {"u": expr, "a": expr.terms[index], "b": expr.terms[other], "square": square}
    return None


def _rest(term: Expr, square: Expr) -> tuple[Fraction, list[Expr]]:
    """The coefficient of term and its other factors, without (one) square."""
    coefficient, monomial = _term_parts(term)
    factors = _factors(monomial or ONE)
    factors.remove(square)
    return coefficient, factors


def _identity(b: Bindings) -> Expr:
    """The pair becomes one term, where the first of them stood: the coefficient and the other factors of `a`."""
    terms = list(binding(b, "u", Add).terms)
    first, second = sorted(next(i for i, t in enumerate(terms) if t is b[name]) for name in ("a", "b"))
    coefficient, rest = _rest(b["a"], b["square"])
    terms[first] = _scaled(coefficient, mul(*rest) if rest else None, _is_decimal(b["a"]))
    del terms[second]
    return add(*terms)


def _scaled_sum(term: Expr) -> tuple[Fraction, Add, bool] | None:
    """A number times a sum as a term: 3(u + v) is (3, u + v, False), -0.5(u + v) is (-1/2, u + v, True)."""
    match term:
        case Neg(arg):
            found = _scaled_sum(arg)
            return None if found is None else (-found[0], found[1], found[2])
        case Mul((factor, Add() as inner)) if is_number(factor):
            return number_value(factor), inner, _is_decimal(factor)
    return None


def _distribute_constant(expr: Expr) -> Bindings | None:
    """A number times a sum is multiplied out when one of its terms is like a term beside it, so that they combine:
    3x^2 cos(x) + 3(x^2 cos(x) + 2x sin(x)) = 3x^2 cos(x) + 3x^2 cos(x) + 6x sin(x). Otherwise 2(x + y) stays."""
    if not isinstance(expr, Add):
        return None
    scaled = [(index, found) for index, term in enumerate(expr.terms) if (found := _scaled_sum(term)) is not None]
    if not scaled:
        return None
    keys = [None if m is None else _like_key(m) for m in (_term_parts(t)[1] for t in expr.terms)]
    counts = Counter(key for key in keys if key is not None)  # once: a sum may hold many such terms
    for index, (_, inner, _) in scaled:
        inside = (_like_key(m) for m in (_term_parts(t)[1] for t in inner.terms) if m is not None)
        if any(counts[key] > (keys[index] == key) for key in inside):  # a like term other than this one
            return {"u": expr, "term": expr.terms[index]}
    return None


def _multiply_constant_out(b: Bindings) -> Expr:
    terms = list(binding(b, "u", Add).terms)
    index = next(i for i, t in enumerate(terms) if t is b["term"])
    found = _scaled_sum(b["term"])
    assert found is not None
    factor, inner, decimal = found
    parts = [_term_parts(t) for t in inner.terms]
    decimal = decimal or any(_is_decimal(t) for t in inner.terms)
    terms[index : index + 1] = [_scaled(factor * coefficient, monomial, decimal) for coefficient, monomial in parts]
    return Add(tuple(terms))


# -- sums over data: the lecture's form s Σ a_i^2 + b Σ a_i - Σ a_i h_i ---------------------------------------------------
def _free_of_index(expr: Expr, index: str) -> bool:
    """expr is the same for every term of a sum over index: no a_i, and not the index itself."""
    return not any(
        isinstance(node, Var) and (_indexed_by(node, index) or node.name == index and node.sub is None)
        for _, node in walk(expr)
    )


def _indexed_by(var: Var, index: str) -> bool:
    """a_i is indexed by i, and so is x_{ij} (by i and by j)."""
    return var.sub is not None and (var.sub == index or var.sub.isalpha() and index in var.sub)


def _sum_constant(expr: Expr) -> Bindings | None:
    """Σ_i b adds b once per data point: n b (or (upper - lower + 1) b with bounds)."""
    if isinstance(expr, Sum) and _free_of_index(expr.body, expr.index):
        return {"u": expr.body, "sum": expr}
    return None


def _count(b: Bindings) -> Expr:
    whole = binding(b, "sum", Sum)
    count: Expr
    if whole.lower is None:
        count = Var("n")
    elif is_number(whole.lower) and whole.upper is not None and is_number(whole.upper):
        count = number(number_value(whole.upper) - number_value(whole.lower) + 1)
    else:
        count = Add((whole.upper if whole.upper is not None else Var("n"), Neg(whole.lower), ONE))
    return mul(b["u"], count) if not _is_one(b["u"]) else count


def _sum_factor(expr: Expr) -> Bindings | None:
    """Factors the same for every term come out of the sum: Σ_i s a_i^2 = s Σ_i a_i^2."""
    if not isinstance(expr, Sum):
        return None
    match expr.body:
        case Neg():
            return {"sum": expr}
        case Mul(factors) if any(_free_of_index(f, expr.index) for f in factors):
            return {"sum": expr}
        case Div(_, den) if _free_of_index(den, expr.index):
            return {"sum": expr}
    return None


def _factor_out(b: Bindings) -> Expr:
    whole = binding(b, "sum", Sum)

    def again(body: Expr) -> Sum:
        return Sum(body, whole.index, whole.lower, whole.upper)

    match whole.body:
        case Neg(arg):
            return Neg(again(arg))
        case Div(num, den):
            return Div(again(num), den)
        case Mul(factors):
            outside = [f for f in factors if _free_of_index(f, whole.index)]
            inside = [f for f in factors if not _free_of_index(f, whole.index)]
            return mul(*outside, again(mul(*inside)))
    raise AssertionError(whole)


def _distribute_in_sum(expr: Expr) -> Bindings | None:
    """Inside a sum, a product with a sum in it is multiplied out, so the sum can be split term by term."""
    if isinstance(expr, Sum) and isinstance(expr.body, Mul) and any(isinstance(f, Add) for f in expr.body.factors):
        return {"sum": expr}
    return None


def _multiply_out(b: Bindings) -> Expr:
    whole = binding(b, "sum", Sum)
    assert isinstance(whole.body, Mul)
    factors = whole.body.factors
    index = next(i for i, f in enumerate(factors) if isinstance(f, Add))
    before, after = factors[:index], factors[index + 1 :]
    terms = []
    inner_sum = factors[index]
    assert isinstance(inner_sum, Add)
    for term in inner_sum.terms:
        sign = isinstance(term, Neg)
        inner = term.arg if isinstance(term, Neg) else term
        parts = inner.factors if isinstance(inner, Mul) else (inner,)
        product = mul(*before, *parts, *after)
        terms.append(negate(product) if sign else product)
    return Sum(Add(tuple(terms)), whole.index, whole.lower, whole.upper)


def _sum_split(expr: Expr) -> Bindings | None:
    """A sum of terms, summed over the data, is a sum of sums: Σ_i (u_i + v_i) = Σ_i u_i + Σ_i v_i."""
    return {"sum": expr} if isinstance(expr, Sum) and isinstance(expr.body, Add) else None


def _split(b: Bindings) -> Expr:
    whole = binding(b, "sum", Sum)
    body = whole.body
    assert isinstance(body, Add)

    def over(body: Expr) -> Sum:
        return Sum(body, whole.index, whole.lower, whole.upper)

    return Add(tuple(Neg(over(t.arg)) if isinstance(t, Neg) else over(t) for t in body.terms))


# fmt: off
SIMPLIFY_RULES: tuple[Rule, ...] = (
    Rule("add_zero", "add zero", "u + 0 = u", _add_zero, _drop_zeros, "Adding 0 changes nothing.", kind=SimplifyKind.ARITHMETIC, kinds=(Add,)),
    Rule("multiply_zero", "multiply by zero", "0·u = 0", _multiply_zero, lambda b: ZERO, "A product with a factor 0 is 0.", kind=SimplifyKind.ARITHMETIC, kinds=(Mul, Div)),
    Rule("typed_constant", "work out the constants", "2³ = 8, e⁰ = 1, ln(1) = 0", _typed_constant, _work_out_typed,
         "Work out the arithmetic on the typed numbers: {c} = {value}.", kind=SimplifyKind.ARITHMETIC, kinds=(Add, Neg, Mul, Div, Pow, Call, Sum)),
    Rule("multiply_one", "multiply by one", "1·u = u", _multiply_one, _drop_ones, "Multiplying by 1 changes nothing.", kind=SimplifyKind.ARITHMETIC, kinds=(Mul, Div)),
    Rule("negate_zero", "minus zero", "-0 = 0", _negate_zero, lambda b: ZERO, "Minus 0 is 0.", kind=SimplifyKind.ARITHMETIC, kinds=(Neg,)),
    Rule("double_negation", "double negation", "-(-u) = u", _double_negation, lambda b: b["u"], "Two minus signs cancel.", kind=SimplifyKind.ARITHMETIC, kinds=(Neg,)),
    Rule("fold_constants", "arithmetic", "2·3 = 6", _fold_constants, _fold, "Work out the arithmetic on the numbers.", kind=SimplifyKind.ARITHMETIC, kinds=(Mul, Add, Div, Pow)),
    Rule("power_one", "power of one", "u¹ = u", _power_one, lambda b: b["u"], "A power 1 can be left out.", kind=SimplifyKind.POWERS, kinds=(Pow,)),
    Rule("power_zero", "power of zero", "u⁰ = 1", _power_zero, lambda b: ONE, "Anything (but 0) to the power 0 is 1.", kind=SimplifyKind.POWERS, kinds=(Pow,)),
    Rule("power_of_power", "power of a power", "(uᵐ)ⁿ = uᵐⁿ", _power_of_power, lambda b: Pow(b["u"], b["n"]),
         "A power of a power multiplies the exponents.", kind=SimplifyKind.POWERS, kinds=(Pow,)),
    Rule("root_squared", "square of a root", "v/(√u)² = v/u", _root_squared, lambda b: Div(b["num"], b["den"]),
         "Squaring undoes the square root (where it is defined, u > 0).", kind=SimplifyKind.POWERS, kinds=(Div,)),
    Rule("power_of_one", "power of one", "1ᵘ = 1", _power_of_one, lambda b: ONE, "1 to any power is 1.", kind=SimplifyKind.POWERS, kinds=(Pow,)),
    Rule("log_known", "known logarithm", "ln(1) = 0, ln(e) = 1", _log_known, lambda b: b["value"], "ln(1) = 0 and ln(e) = 1.", kind=SimplifyKind.ARITHMETIC, kinds=(Call,)),
    Rule("abs_even_power", "even power of an absolute value", "|u|² = u²", _abs_even_power, lambda b: Div(b["num"], Pow(b["u"], b["n"])),
         "An even power does not see the sign, so the absolute value can go.", kind=SimplifyKind.POWERS, kinds=(Div,)),
    Rule("sign", "minus sign to the front", "u·(-v) = -(u·v)", _sign, _sign_out, "Move the minus sign to the front.", kind=SimplifyKind.TIDY, kinds=(Mul, Div)),
    Rule("regroup", "regroup", "a + (b + c) = a + b + c", _regroup, _flatten, "Brackets around a sum inside a sum (or a product inside a product) are not needed.", kind=SimplifyKind.TIDY, kinds=(Add, Mul)),
    Rule("collect_coefficients", "coefficient to the front", "u·2 = 2u", _collect_coefficients, _by_rank, "Write the numeric coefficient first.", kind=SimplifyKind.TIDY, kinds=(Mul,)),
    Rule("order_factors", "order the factors", "cos(x)·x = x cos(x)", _order_factors, _by_rank, "Write the variables before the functions.", kind=SimplifyKind.TIDY, kinds=(Mul,)),
    Rule("negative_exponent", "negative exponent", "u⁻ⁿ = 1/uⁿ", _negative_exponent,
         lambda b: Div(ONE, _power_of(b["u"], number_value(b["n"]), _is_decimal(b["n"]))), "A negative power is a fraction.", kind=SimplifyKind.POWERS, kinds=(Pow,)),
    Rule("multiply_powers", "multiply powers", "uᵐ·uⁿ = uᵐ⁺ⁿ", _multiply_powers, _combine_powers, "Powers of the same base multiply by adding exponents.", kind=SimplifyKind.POWERS, kinds=(Mul,)),
    Rule("combine_like_terms", "combine like terms", "2u + 3u = 5u", _combine_like_terms, _like_terms, "Add the coefficients of like terms.", kind=SimplifyKind.COLLECT, kinds=(Add,)),
    Rule("pythagorean", "Pythagorean identity", "sin²u + cos²u = 1, cosh²u − sinh²u = 1", _pythagorean, _identity,
         "sin²u + cos²u = 1 and cosh²u − sinh²u = 1: {a} and {b} make one term.", kind=SimplifyKind.IDENTITIES, kinds=(Add,)),
    Rule("distribute_constant", "multiply out", "c(u + v) = cu + cv", _distribute_constant, _multiply_constant_out,
         "Multiply out {term}: a term inside is like one beside it, so they can be combined.", kind=SimplifyKind.MULTIPLY_OUT, kinds=(Add,)),
    Rule("order_terms", "order the terms", "2x + x^2 = x^2 + 2x", _order_terms,
         lambda b: Add(tuple(sorted(binding(b, "u", Add).terms, key=_degree, reverse=True))), "Write the terms in descending powers.", kind=SimplifyKind.TIDY, kinds=(Add,)),
    Rule("multiply_fraction", "multiply into the fraction", "a·(b/c) = ab/c", _multiply_fraction, _into_fraction, "Multiply the factor into the numerator.", kind=SimplifyKind.FRACTIONS, kinds=(Mul,)),
    Rule("nested_fraction", "fraction of fractions", "(a/b)/c = a/(bc)", _nested_fraction, _unnest, "Write a fraction of fractions as one fraction.", kind=SimplifyKind.FRACTIONS, kinds=(Div,)),
    Rule("cancel", "cancel", "u·v/u = v", _cancel, _cancel_common, "Cancel the common factor of numerator and denominator.", kind=SimplifyKind.CANCEL, kinds=(Div,)),
    Rule("sum_constant", "sum of a constant", "Σ_i c = n c", _sum_constant, _count, "{u} is the same for all n data points, so the sum is n times it.", kind=SimplifyKind.OUT_OF_SUM, kinds=(Sum,)),
    Rule("sum_factor", "factor out of the sum", "Σ_i c u_i = c Σ_i u_i", _sum_factor, _factor_out, "A factor that is the same for every data point comes out of the sum.", kind=SimplifyKind.OUT_OF_SUM, kinds=(Sum,)),
    Rule("distribute", "multiply out", "Σ_i a_i (u_i + v_i) = Σ_i (a_i u_i + a_i v_i)", _distribute_in_sum, _multiply_out, "Multiply out the product inside the sum.", kind=SimplifyKind.MULTIPLY_OUT, kinds=(Sum,)),
    Rule("sum_split", "split the sum", "Σ_i (u_i + v_i) = Σ_i u_i + Σ_i v_i", _sum_split, _split, "A sum of terms over the data is the sum of their sums.", kind=SimplifyKind.SPLIT_SUM, kinds=(Sum,)),
)
# fmt: on
