"""The second-derivative test: whether a Hessian is positive or negative definite, indefinite or undecided, and why."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..core.linear import Rationals, expand_polynomial, read_linear
from ..core.tree import (
    ONE,
    ZERO,
    Add,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    is_number,
    mul,
    number,
    number_value,
    walk,
)  # fmt: skip
from ..data.sums import DataSums

KINDS = ("minimum", "maximum", "saddle", "inconclusive")


@dataclass(frozen=True, slots=True, eq=False)
class SecondDerivativeTest:
    """The Hessian at a point, its leading principal minors (Sylvester's criterion), and what they say.

    eigenvalue_signs (positive, negative, zero counts) is filled only when the minors cannot decide (det H = 0);
    definiteness is "positive definite", "negative definite", "indefinite", "positive semidefinite",
    "negative semidefinite", "zero" or "undetermined" (SymPy could not decide a sign; `reason` says which).
    """

    hessian: tuple[tuple[Expr, ...], ...]
    minors: tuple[Expr, ...]
    minor_signs: tuple[int | None, ...]
    definiteness: str
    kind: str
    eigenvalue_signs: tuple[int, int, int] | None = None
    reason: str = ""
    # A symbolic Hessian decided by an argument rather than by signs (a loss's Gram matrix): the argument, and the
    # condition under which the kind holds, each a phrase (a template with {name} fields and their math).
    argument: tuple[str, Mapping[str, object]] | None = None
    condition: tuple[str, Mapping[str, object]] | None = None


# -- the second-derivative test -------------------------------------------------------------------------------------------


def second_derivative_test(matrix: Sequence[Sequence[Expr]]) -> SecondDerivativeTest:
    """Classify by the Hessian's definiteness: Sylvester's criterion on the leading principal minors, and the signs of
    the eigenvalues (Descartes' rule on the characteristic polynomial, exact for a symmetric matrix) when det H = 0."""
    rows = tuple(tuple(row) for row in matrix)
    if all(is_number(entry) for row in rows for entry in row):
        values = [[number_value(entry) for entry in row] for row in rows]
        minors = [_determinant([row[:k] for row in values[:k]]) for k in range(1, len(values) + 1)]
        # Minors of a Hessian written in decimals (data typed as 0.5) are written in decimals too.
        decimal = any(
            isinstance(node, Num) and node.text is not None for row in rows for entry in row for _, node in walk(entry)
        )
        minor_trees = tuple(number(m, decimal) for m in minors)
        minor_signs = tuple(_sign(m) for m in minors)
        polynomial_signs = lambda: ([_sign(c) for c in _characteristic_polynomial(values)], "")  # noqa: E731
    else:
        # What our simplifier leaves (sin(π/2), sqrt(3)^2) SymPy evaluates: the matrix is shown as it decides it.
        from ..cas.sympy_steps import symbolic_minors

        rows, minor_trees, minor_signs, polynomial_signs = symbolic_minors(rows)
    return _decide(rows, minor_trees, minor_signs, polynomial_signs)


def least_squares_test(
    expr: Expr, unknowns: Sequence[Var], matrix: Sequence[Sequence[Expr]], domain: DataSums
) -> SecondDerivativeTest | None:
    """The test for f = c Σ_i L_i^2 with c > 0 and L_i linear in the unknowns, whose Hessian has no sign to read.

    H = 2c Σ_i x_i x_iᵀ with x_i the coefficients of the unknowns in L_i, so vᵀHv = 2c Σ_i (v·x_i)^2 ≥ 0: H is
    positive semidefinite, and positive definite (a minimum) unless v·x_i = 0 for every i for some v ≠ 0, which for
    the lecture's s a_i + b means all a_i equal. None when f has another shape.
    """
    scale, total = _multiple_of_sum(expr)
    if total is None or not (isinstance(total.body, Pow) and total.body.exp == Num(2)) or total.lower is not None:
        return None
    inner = total.body.base
    form = read_linear(inner, unknowns, _Opaque())
    if form is None:
        return None
    columns = tuple(_opaque_tree(form.coefficients.get(var)) for var in unknowns)
    entries = [
        [domain.read(entry) if is_number(entry) else _read_constant(entry, domain) for entry in row] for row in matrix
    ]
    if any(value is None for row in entries for value in row) or len(unknowns) > 4:
        return None
    minors = tuple(domain.tree(_laplace([row[:k] for row in entries[:k]], domain)) for k in range(1, len(unknowns) + 1))
    reads_data = [not _free_of_index(column, total.index) for column in columns]
    constants = [column for column, reads in zip(columns, reads_data) if not reads]
    if len(columns) == 1:
        if not reads_data[0]:
            return None
        condition = ("the {u} are not all 0", {"u": columns[0]})
    elif len(columns) == 2 and len(constants) == 1 and is_number(constants[0]) and number_value(constants[0]) != 0:
        # A nonzero constant column (the intercept's): v·x_i = 0 for all i means every u_i = -v_2 c/v_1, one value.
        condition = ("the {u} are not all equal", {"u": columns[reads_data.index(True)]})
    else:
        condition = ("the columns {columns} are linearly independent over the data", {"columns": columns})
    times = "" if scale == 1 else "{c} times "
    argument = (
        f"f is {times}a sum of squares of expressions linear in {{vars}}",
        {"c": number(scale), "vars": tuple(unknowns)},
    )
    rows = tuple(tuple(row) for row in matrix)
    signs = (None,) * len(minors)
    return SecondDerivativeTest(rows, minors, signs, "positive definite", "minimum", None, "", argument, condition)


def _multiple_of_sum(expr: Expr) -> tuple[Fraction, Sum | None]:
    """(c, Σ) when expr is c·Σ with c a positive number: 1/2 Σ_i ..., Σ_i .../2, Σ_i ...; else (1, None)."""
    match expr:
        case Sum():
            return Fraction(1), expr
        case Div(Sum() as total, den) if is_number(den) and number_value(den) > 0:
            return 1 / number_value(den), total
        case Mul(factors):
            sums = [f for f in factors if isinstance(f, Sum)]
            scale = math.prod((number_value(f) for f in factors if is_number(f)), start=Fraction(1))
            if len(sums) == 1 and all(is_number(f) or f is sums[0] for f in factors) and scale > 0:
                return scale, sums[0]
    return Fraction(1), None


def _free_of_index(expr: Expr, index: str) -> bool:
    return not any(isinstance(node, Var) and node.sub == index for _, node in walk(expr))


def _read_constant(expr: Expr, domain: DataSums):
    polynomial = expand_polynomial(expr, {}, domain)
    if polynomial is None:
        return None
    return polynomial.get((), domain.zero)


def _laplace(rows, domain):
    """The determinant by expansion along the first row: only + and ·, so symbolic entries stay polynomials."""
    if len(rows) == 1:
        return rows[0][0]
    total = domain.zero
    for j, entry in enumerate(rows[0]):
        if entry == 0:
            continue
        minor = [row[:j] + row[j + 1 :] for row in rows[1:]]
        term = entry * _laplace(minor, domain)
        total = total + term if j % 2 == 0 else total - term
    return total


class _Opaque(Rationals):
    """Coefficients read as trees, kept whole: enough to find the coefficient x_i of each unknown in L_i."""

    def __init__(self):
        super().__init__(False)
        self.zero, self.one = _Tree(ZERO), _Tree(ONE)

    def read(self, expr: Expr):
        return _Tree(expr)


@dataclass(frozen=True, slots=True)
class _Tree:
    """A coefficient as a tree; arithmetic builds the tree (u·v, u + v), which is all least_squares_test shows."""

    expr: Expr

    def _other(self, other) -> Expr:
        return other.expr if isinstance(other, _Tree) else number(Fraction(other))

    def __add__(self, other):
        return _Tree(Add((self.expr, self._other(other))))

    __radd__ = __add__

    def __mul__(self, other):
        right = self._other(other)
        if right == ONE:
            return self
        if self.expr == ONE:
            return _Tree(right)
        return _Tree(mul(self.expr, right))

    __rmul__ = __mul__

    def __neg__(self):
        return _Tree(Neg(self.expr))

    def __truediv__(self, other):
        return _Tree(Div(self.expr, self._other(other)))

    def __ne__(self, other) -> bool:
        return not (is_number(self.expr) and number_value(self.expr) == 0) if other == 0 else True

    def __eq__(self, other) -> bool:
        return not self.__ne__(other)


def _opaque_tree(value) -> Expr:
    return ZERO if value is None else value.expr


def _decide(rows, minor_trees, minor_signs, polynomial_signs) -> SecondDerivativeTest:
    size = len(rows)
    if len(minor_signs) < size:
        _, reason = polynomial_signs()
        return SecondDerivativeTest(rows, minor_trees, minor_signs, "undetermined", "inconclusive", None, reason)
    if all(s == 1 for s in minor_signs):
        return SecondDerivativeTest(rows, minor_trees, minor_signs, "positive definite", "minimum")
    if all(s == (-1) ** k for k, s in enumerate(minor_signs, 1)):
        return SecondDerivativeTest(rows, minor_trees, minor_signs, "negative definite", "maximum")
    if minor_signs[-1] in (1, -1):
        # Invertible but not definite: eigenvalues of both signs.
        return SecondDerivativeTest(rows, minor_trees, minor_signs, "indefinite", "saddle")
    signs, reason = polynomial_signs()
    if None in signs:
        return SecondDerivativeTest(rows, minor_trees, minor_signs, "undetermined", "inconclusive", None, reason)
    counts = _eigenvalue_signs(signs)
    assert sum(counts) == size, (signs, counts)
    positive, negative, _ = counts
    if positive and negative:
        definiteness, kind = "indefinite", "saddle"
    elif positive:
        definiteness, kind = "positive semidefinite", "inconclusive"
    elif negative:
        definiteness, kind = "negative semidefinite", "inconclusive"
    else:
        definiteness, kind = "zero", "inconclusive"
    return SecondDerivativeTest(rows, minor_trees, minor_signs, definiteness, kind, counts)


def _sign(value) -> int:
    return (value > 0) - (value < 0)


def _determinant(rows: list[list[Fraction]]) -> Fraction:
    """Gaussian elimination in exact fractions."""
    work = [list(row) for row in rows]
    size, result = len(work), Fraction(1)
    for column in range(size):
        pivot = next((r for r in range(column, size) if work[r][column] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != column:
            work[column], work[pivot] = work[pivot], work[column]
            result = -result
        result *= work[column][column]
        for r in range(column + 1, size):
            factor = work[r][column] / work[column][column]
            work[r] = [a - factor * b for a, b in zip(work[r], work[column])]
    return result


def _characteristic_polynomial(rows: list[list[Fraction]]) -> list[Fraction]:
    """Coefficients of det(λI - A), highest power first (Faddeev-LeVerrier: M_k = A M_(k-1) + c I, c = -tr(A M_k)/k)."""
    size = len(rows)

    def product(left, right):
        return [
            [sum((left[i][t] * right[t][j] for t in range(size)), Fraction(0)) for j in range(size)]
            for i in range(size)
        ]

    coefficients = [Fraction(1)]
    m = [[Fraction(0)] * size for _ in range(size)]
    for k in range(1, size + 1):
        m = product(rows, m)
        for i in range(size):
            m[i][i] += coefficients[-1]
        trace = sum((row[i] for i, row in enumerate(product(rows, m))), Fraction(0))
        coefficients.append(-trace / k)
    return coefficients


def _eigenvalue_signs(signs: Sequence[int]) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts from the signs of the characteristic polynomial's coefficients.

    Descartes' rule of signs counts positive roots exactly when all roots are real, as a symmetric matrix's are.
    """
    degree = len(signs) - 1
    zero = 0
    while zero < degree and signs[degree - zero] == 0:
        zero += 1

    def changes(seq) -> int:
        nonzero = [s for s in seq if s != 0]
        return sum(1 for a, b in zip(nonzero, nonzero[1:]) if a != b)

    positive = changes(signs)
    negative = changes([s * (-1) ** (degree - k) for k, s in enumerate(signs)])
    return positive, negative, zero
