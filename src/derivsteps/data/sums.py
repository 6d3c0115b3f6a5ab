"""Sums over the data as coefficients of a linear system: Σ_i a_i, n and their means, kept exact and symbolic."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from ..core.linear import LinearForm, Rationals, linear_term
from ..core.tree import (
    ONE,
    Add,
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
    mul,
    number,
    number_value,
    walk,
    with_children,
)  # fmt: skip
from .datasets import COUNT

# -- symbolic coefficients: the sums over the data -------------------------------------------------------------------------

# A monomial: (atom number, exponent) pairs, sorted by atom number; a polynomial: monomial -> nonzero Fraction.
_Monomial = tuple[tuple[int, int], ...]
_Poly = dict[_Monomial, Fraction]
_UNIT: _Monomial = ()


def mean_tree(total: Sum) -> Expr:
    """Σ_i u_i / n: the mean ū of a sum over the data, as a tree (printed with a bar by render.critical)."""
    return Div(total, COUNT)


def is_mean(expr: Expr) -> bool:
    """Σ_i u_i / n for a sum without bounds whose terms read the data: a mean ū."""
    return (
        isinstance(expr, Div)
        and expr.den == COUNT
        and isinstance(expr.num, Sum)
        and expr.num.lower is None
        and expr.num.upper is None
        and any(isinstance(node, Var) and node.sub == expr.num.index for _, node in walk(expr.num.body))
    )


def _mono_mul(left: _Monomial, right: _Monomial) -> _Monomial:
    exponents = dict(left)
    for atom, exponent in right:
        exponents[atom] = exponents.get(atom, 0) + exponent
    return tuple(sorted(exponents.items()))


def _mono_div(left: _Monomial, right: _Monomial) -> _Monomial | None:
    exponents = dict(left)
    for atom, exponent in right:
        if exponents.get(atom, 0) < exponent:
            return None
        exponents[atom] -= exponent
    return tuple(sorted((a, e) for a, e in exponents.items() if e))


def _mono_gcd(monomials) -> _Monomial:
    monomials = list(monomials)
    common = dict(monomials[0]) if monomials else {}
    for monomial in monomials[1:]:
        exponents = dict(monomial)
        common = {a: min(e, exponents[a]) for a, e in common.items() if a in exponents}
    return tuple(sorted(common.items()))


def _degree(monomial: _Monomial) -> int:
    return sum(exponent for _, exponent in monomial)


def _order_key(monomial: _Monomial) -> tuple:
    """Graded lexicographic order, the first atom the largest: a monomial order, which exact division needs.

    Within a degree, x0^a0 x1^a1 ... compares as the word of its atoms (x0 a0 times, then x1, ...), negated so a
    lower atom number ranks higher; a word that is a prefix of another ranks lower, as lex order on exponents says.
    """
    return (_degree(monomial), tuple(-atom for atom, exponent in monomial for _ in range(exponent)))


def _p_add(left: _Poly, right: _Poly, factor: Fraction = Fraction(1)) -> _Poly:
    total = dict(left)
    for monomial, coefficient in right.items():
        total[monomial] = total.get(monomial, Fraction(0)) + factor * coefficient
    return {m: c for m, c in total.items() if c != 0}


def _p_mul(left: _Poly, right: _Poly) -> _Poly:
    product: _Poly = {}
    for m1, c1 in left.items():
        for m2, c2 in right.items():
            monomial = _mono_mul(m1, m2)
            product[monomial] = product.get(monomial, Fraction(0)) + c1 * c2
    return {m: c for m, c in product.items() if c != 0}


def _p_scale(poly: _Poly, factor: Fraction, monomial: _Monomial = _UNIT) -> _Poly:
    return {_mono_mul(m, monomial): c * factor for m, c in poly.items()} if factor else {}


def _p_divide(num: _Poly, den: _Poly) -> _Poly | None:
    """num/den when den divides num exactly, else None (the leading term of a multiple is a multiple of den's)."""
    lead = max(den, key=_order_key)
    quotient: _Poly = {}
    rest = dict(num)
    while rest:
        top = max(rest, key=_order_key)
        monomial = _mono_div(top, lead)
        if monomial is None:
            return None
        factor = rest[top] / den[lead]
        quotient[monomial] = factor
        rest = _p_add(rest, _p_scale(den, factor, monomial), Fraction(-1))
    return quotient


def _p_number(poly: _Poly) -> Fraction | None:
    if not poly:
        return Fraction(0)
    return poly[_UNIT] if set(poly) == {_UNIT} else None


class Ratio:
    """A quotient of two polynomials in DataSums' atoms, kept with common factors cancelled where they are found."""

    __slots__ = ("domain", "num", "den")

    def __init__(self, domain: DataSums, num: _Poly, den: _Poly | None = None):
        self.domain = domain
        self.num, self.den = domain.normalize(num, {_UNIT: Fraction(1)} if den is None else den)

    def _lift(self, other) -> Ratio:
        if isinstance(other, Ratio):
            return other
        return Ratio(self.domain, {_UNIT: Fraction(other)} if other else {})

    def __add__(self, other) -> Ratio:
        other = self._lift(other)
        if self.den == other.den:
            return Ratio(self.domain, _p_add(self.num, other.num), self.den)
        return Ratio(
            self.domain, _p_add(_p_mul(self.num, other.den), _p_mul(other.num, self.den)), _p_mul(self.den, other.den)
        )

    __radd__ = __add__

    def __neg__(self) -> Ratio:
        return Ratio(self.domain, _p_scale(self.num, Fraction(-1)), self.den)

    def __sub__(self, other) -> Ratio:
        return self + -self._lift(other)

    def __rsub__(self, other) -> Ratio:
        return self._lift(other) - self

    def __mul__(self, other) -> Ratio:
        other = self._lift(other)
        return Ratio(self.domain, _p_mul(self.num, other.num), _p_mul(self.den, other.den))

    __rmul__ = __mul__

    def __truediv__(self, other) -> Ratio:
        other = self._lift(other)
        if not other.num:
            raise ZeroDivisionError("division by a coefficient that is 0")
        self.domain.remember(other.num)
        return Ratio(self.domain, _p_mul(self.num, other.den), _p_mul(self.den, other.num))

    def __rtruediv__(self, other) -> Ratio:
        return self._lift(other) / self

    def __eq__(self, other) -> bool:
        other = self._lift(other) if isinstance(other, (int, Fraction, Ratio)) else None
        if other is None:
            return NotImplemented
        return _p_mul(self.num, other.den) == _p_mul(other.num, self.den)

    __hash__ = None  # equal values may be written differently (uncancelled factors): never a dict key

    def number(self) -> Fraction | None:
        """The value when it is a plain number."""
        return _p_number(self.num) if self.den == {_UNIT: 1} else None

    def __repr__(self) -> str:
        from ..language.mathtext import to_text

        return f"Ratio({to_text(self.domain.tree(self))})"


class DataSums(Rationals):
    """Coefficients built from sums over the data, n and parameters: quotients of polynomials in the means.

    Σ_i u_i is read as n·ū, so a system from a loss is solved in the means and n cancels where it can; a value is
    written back with Σ_i u_i for each n·ū it holds and ū (a mean, printed with a bar) for the rest, which puts
    b = (Σ_i h_i - s Σ_i a_i)/n and b = h̄ - s ā on the page as the lecture does. n, the number of data points,
    is positive, so dividing by it needs no word; any other divisor does (DataSums.condition).
    """

    def __init__(self):
        super().__init__(False)
        self.atoms: list[Expr] = [COUNT]
        self._keys: dict[Expr, int] = {COUNT: 0}
        self.factors: list[_Poly] = []  # the divisors met, tried on every quotient: elimination cancels them later
        self.zero = Ratio(self, {})
        self.one = Ratio(self, {_UNIT: Fraction(1)})

    # -- atoms, polynomials, quotients
    def atom(self, expr: Expr) -> Ratio:
        """The atom for expr; Σ_i (c_i a_i) is the atom of Σ_i (a_i c_i) met before it, so the two cancel."""
        key = canonical(expr)
        if key not in self._keys:
            self._keys[key] = len(self.atoms)
            self.atoms.append(expr)
        return Ratio(self, {((self._keys[key], 1),): Fraction(1)})

    def remember(self, poly: _Poly) -> None:
        primitive = self._primitive(poly)
        if len(primitive) > 1 and primitive not in self.factors:
            self.factors.append(primitive)

    def normalize(self, num: _Poly, den: _Poly) -> tuple[_Poly, _Poly]:
        """Cancel common monomials, numbers and remembered factors; the denominator primitive, its first term positive."""
        if not num:
            return {}, {_UNIT: Fraction(1)}
        common = _mono_gcd(list(num) + list(den))
        if common:
            num = {_mono_div(m, common): c for m, c in num.items()}
            den = {_mono_div(m, common): c for m, c in den.items()}
        quotient = _p_divide(num, den) if len(den) > 1 else None
        if quotient is not None:
            return quotient, {_UNIT: Fraction(1)}
        for factor in self.factors:
            while (
                len(den) > 1
                and (top := _p_divide(num, factor)) is not None
                and (bottom := _p_divide(den, factor)) is not None
            ):
                num, den = top, bottom
        scale = self._content(den)
        return _p_scale(num, 1 / scale), _p_scale(den, 1 / scale)

    def _content(self, poly: _Poly) -> Fraction:
        """The number that makes poly primitive with whole coefficients, signed so its written first term is positive."""
        denominators = math.lcm(*(c.denominator for c in poly.values()))
        numerators = math.gcd(*(c.numerator for c in poly.values()))
        first = min(poly, key=_order_key)  # the lowest term is written first: mean(a^2) - ā^2
        return Fraction(numerators, denominators) * (1 if poly[first] > 0 else -1)

    def _primitive(self, poly: _Poly) -> _Poly:
        return _p_scale(poly, 1 / self._content(poly)) if poly else poly

    # -- the domain's interface (Rationals)
    def read(self, expr: Expr) -> Ratio | None:
        if is_number(expr):
            return Ratio(self, {_UNIT: number_value(expr)})
        match expr:
            case Var() if expr.sub is None:  # n, or a parameter that is not an unknown (k in s a_i + k)
                return self.atom(expr)
            case Sum(body, index, None, None) if any(isinstance(n, Var) and n.sub == index for _, n in walk(body)):
                return self.atom(COUNT) * self.atom(mean_tree(expr))
            case Sum():
                return self.atom(expr)
        return None

    def is_unit(self, value: Ratio) -> bool:
        return value.number() is not None and abs(value.number()) == 1

    def is_numeric(self, value: Ratio) -> bool:
        return value.number() is not None

    def tree(self, value: Ratio) -> Expr:
        numerator = self._poly_tree(value.num)
        if value.den == {_UNIT: 1}:
            return numerator
        denominator = self._poly_tree(value.den)
        if isinstance(numerator, Neg):
            return Neg(Div(numerator.arg, denominator))
        if isinstance(numerator, Add) and all(isinstance(t, Neg) for t in numerator.terms):
            return Neg(Div(Add(tuple(t.arg for t in numerator.terms)), denominator))
        return Div(numerator, denominator)

    def term(self, coefficient: Ratio, var: Var) -> Expr:
        """The lecture's order for a symbolic coefficient, the variable first: s Σ_i a_i^2, bn, -s ā, s(mean(a^2) - ā^2)."""
        if self.is_numeric(coefficient):
            return linear_term(number(coefficient.number()), var)
        shown = self.tree(coefficient)
        negative = isinstance(shown, Neg)
        magnitude = shown.arg if negative else shown
        if is_mean(magnitude):
            term: Expr = Mul((var, magnitude))
        elif isinstance(magnitude, Mul):
            numbers = [f for f in magnitude.factors if is_number(f)]
            others = [f for f in magnitude.factors if not is_number(f)]
            term = Mul((*numbers, var, *others))
        elif isinstance(magnitude, Div):
            top = Mul((var, magnitude.num)) if isinstance(magnitude.num, Add) else mul(var, *_factors_of(magnitude.num))
            term = Div(top, magnitude.den)
        else:
            term = Mul((var, magnitude))
        return Neg(term) if negative else term

    def terms(self, value: Ratio) -> list[Expr]:
        shown = self.tree(value)
        return list(shown.terms) if isinstance(shown, Add) else [shown]

    def reduce(self, form: LinearForm) -> tuple[LinearForm, Ratio | None]:
        """form = 0 divided by the power of n (or other monomial) common to all its terms: n Σ... becomes the means."""
        values = [*form.coefficients.values(), form.constant]
        if any(v.den != {_UNIT: 1} for v in values if v != 0):
            return form, None
        common = _mono_gcd(m for v in values if v != 0 for m in v.num)
        if not common:
            return form, None
        divisor = Ratio(self, {common: Fraction(1)})
        return form.scaled(self.one / divisor), divisor

    def divided(self, expr: Expr, divisor: Ratio) -> Expr | None:
        """expr/n^k term by term: each Σ_i u_i becomes ū and each factor n goes, k of them in every term."""
        monomial = next(iter(divisor.num)) if len(divisor.num) == 1 else None
        if monomial is None or any(atom != 0 for atom, _ in monomial):
            return None
        count = dict(monomial)[0]
        terms = expr.terms if isinstance(expr, Add) else (expr,)
        shown = []
        for term in terms:
            negative = isinstance(term, Neg)
            factors = list(_factors_of(term.arg if negative else term))
            left = count
            for k, factor in enumerate(factors):
                if left and factor == COUNT:
                    factors[k], left = ONE, left - 1
                elif left and isinstance(factor, Sum) and is_mean(mean_tree(factor)):
                    factors[k], left = mean_tree(factor), left - 1
            if left:
                return None
            kept = [f for f in factors if f != ONE] or [ONE]
            rebuilt = mul(*kept)
            shown.append(Neg(rebuilt) if negative else rebuilt)
        return shown[0] if len(shown) == 1 else Add(tuple(shown))

    def condition(self, coefficient: Ratio) -> tuple[str, str, Mapping[str, object]] | None:
        if self.is_numeric(coefficient):
            return None
        # A quotient is 0 where its numerator is: the denominators were assumed nonzero when they were divided by.
        numerator = Ratio(self, coefficient.num)
        if len(numerator.num) == 1 and all(atom == 0 for atom, _ in next(iter(numerator.num))):
            return None  # a power of n: never 0
        shown = self.tree(coefficient)
        spread = self.spread_of(numerator)
        if spread is not None:
            return "; {c} ≠ 0 unless all {u} are equal", "the {u} are not all equal", {"c": shown, "u": spread}
        squares = self.squares_of(numerator)
        if squares is not None:
            return "; {c} ≠ 0 unless all {u} are 0", "the {u} are not all 0", {"c": shown, "u": squares}
        return ", assuming {c} ≠ 0", "{c} ≠ 0", {"c": self.tree(numerator)}

    def squares_of(self, value: Ratio) -> Expr | None:
        """u_i when value is a positive multiple of n^k mean(u^2), which is 0 only when all u_i are 0."""
        if value.den != {_UNIT: 1} or len(value.num) != 1:
            return None
        ((monomial, factor),) = value.num.items()
        others = [(atom, exponent) for atom, exponent in monomial if atom != 0]
        if factor < 0 or len(others) != 1 or others[0][1] != 1:
            return None
        mean = self.atoms[others[0][0]]
        body = mean.num.body if is_mean(mean) else None
        if (
            isinstance(body, Pow)
            and body.exp == Num(2)
            and isinstance(body.base, Var)
            and body.base.sub == mean.num.index
        ):
            return body.base
        return None

    def spread_of(self, value: Ratio) -> Expr | None:
        """u_i when value is a positive multiple of n^k (mean(u^2) - ū^2), which is 0 only when all u_i are equal."""
        for atom in self.atoms:
            if not is_mean(atom) or not isinstance(atom.num.body, Var):
                continue
            total = atom.num
            square = mean_tree(Sum(Pow(total.body, Num(2)), total.index))
            if square not in self.atoms:
                continue
            mean = self.atom(atom)
            ratio = value / (self.atom(square) - mean * mean)
            if ratio.den == {_UNIT: 1} and len(ratio.num) == 1:
                ((monomial, factor),) = ratio.num.items()
                if factor > 0 and all(a == 0 for a, _ in monomial):
                    return total.body
        return None

    # -- writing a polynomial
    def _poly_tree(self, poly: _Poly) -> Expr:
        terms = [self._monomial_tree(m, c) for m, c in sorted(poly.items(), key=lambda item: _order_key(item[0]))]
        terms = [t for t in terms if not isinstance(t, Neg)] + [t for t in terms if isinstance(t, Neg)]
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def _display_rank(self, atom: int) -> tuple:
        """n first, then parameters, then single-letter means (ā), then the others (mean(ah)); each in reading order."""
        expr = self.atoms[atom]
        if atom == 0:
            kind = 0
        elif isinstance(expr, Var):
            kind = 1
        elif is_mean(expr) and isinstance(expr.num.body, Var):
            kind = 2
        else:
            kind = 3
        return (kind, atom)

    def _monomial_tree(self, monomial: _Monomial, coefficient: Fraction) -> Expr:
        exponents = dict(monomial)
        count = exponents.pop(0, 0)
        factors: list[Expr] = []
        sums: list[Expr] = []
        for atom in sorted(exponents, key=self._display_rank):
            expr, exponent = self.atoms[atom], exponents[atom]
            if is_mean(expr) and count:
                # n ū is Σ_i u_i: each n a mean can take is written as the sum it came from.
                taken = min(count, exponent)
                count -= taken
                sums.append(_power_tree(expr.num, taken))
                exponent -= taken
            if exponent:
                factors.append(_power_tree(expr, exponent))
        if count:
            factors.insert(0, _power_tree(COUNT, count))
        # A sum is written last: Σ_i a_i ā would read as Σ_i (a_i ā).
        body = [*factors, *sums]
        magnitude = abs(coefficient)
        if not body:
            shown = number(magnitude)
        elif magnitude.denominator != 1:
            top = mul(*body) if magnitude.numerator == 1 else mul(Num(magnitude.numerator), *body)
            shown = Div(top, Num(magnitude.denominator))
        else:
            shown = mul(*body) if magnitude == 1 else mul(Num(int(magnitude)), *body)
        return Neg(shown) if coefficient < 0 else shown


def canonical(expr: Expr) -> Expr:
    """expr with the factors of every product and the terms of every sum in one fixed order: equal up to order, equal."""
    kids = children(expr)
    if not kids:
        return expr
    kids = tuple(canonical(kid) for kid in kids)
    if isinstance(expr, (Mul, Add)):
        kids = tuple(sorted(kids, key=repr))
    return with_children(expr, kids)


def _power_tree(base: Expr, exponent: int) -> Expr:
    return base if exponent == 1 else Pow(base, Num(exponent))


def _factors_of(expr: Expr) -> tuple[Expr, ...]:
    return expr.factors if isinstance(expr, Mul) else (expr,)
