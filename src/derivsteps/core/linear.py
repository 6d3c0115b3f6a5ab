"""Linear systems solved the way a lecture does: express one unknown, substitute, solve, back-substitute, exactly."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .engine import substitute
from .tree import (
    ONE,
    ZERO,
    Add,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Var,
    free_of,
    is_number,
    number,
    number_value,
    walk,
)  # fmt: skip

# The solving steps, in the order they can occur. Each step's `equations` are forms of one equation, each
# equivalent to the one before (6(2b) - b + 1 = 0 ⇔ 11b + 1 = 0); a chain a = 2b = -2/11 is one Equation.
ACTIONS = ("express", "substitute", "solve", "back_substitute", "drop", "contradiction", "free", "sympy_solve")

# A coefficient: a Fraction here, or a symbolic one of the data sums (data.sums) in a loss without data. The solver
# asks of it only +, -, *, /, == 0 and the members of its domain (Rationals), so to the type checker it is Any.
Coefficient = Any

# A product of polynomials stops being read as one beyond this degree: the linear path wants degree 1, and
# (x + 1)^1000 must not be expanded just to find out that it is not linear.
_MAX_DEGREE = 8


@dataclass(frozen=True, slots=True)
class Equation:
    """sides[0] = sides[1] = ...: an equation, or a chain of equal expressions (a = 2b = -2/11)."""

    sides: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class SolveStep:
    """One line of the solving: the action (one of ACTIONS), its explanation, and the equation it arrives at.

    `template` is the explanation with {name} fields for the math in `bindings` (an expression, a point as a mapping,
    or a tuple of expressions), so each renderer writes the math in its own notation. `points` lists the solutions
    of a sympy_solve step, each a mapping from every variable to its value (a free variable maps to itself).
    """

    action: str
    template: str
    bindings: Mapping[str, object]
    equations: tuple[Equation, ...]
    points: tuple[Mapping[Var, Expr], ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class SolvedSystem:
    """The solving of ∇f = 0: how (method "linear" or "sympy"), the steps, and every solution found."""

    method: str
    steps: tuple[SolveStep, ...]
    solutions: tuple[Mapping[Var, Expr], ...]  # each maps every variable; a free one maps to itself
    # What the solving divided by without knowing it is not 0 (a symbolic coefficient), each a phrase.
    assumptions: tuple[tuple[str, Mapping[str, object]], ...] = ()

    @property
    def outcome(self) -> str:
        """ "none" (no solution), "infinite" (a solution has a free variable), else "finite"."""
        if not self.solutions:
            return "none"
        return "infinite" if any(free_variables(s) for s in self.solutions) else "finite"


def free_variables(solution: Mapping[Var, Expr]) -> tuple[Var, ...]:
    """The variables a solution leaves free (they map to themselves)."""
    return tuple(var for var, value in solution.items() if value == var)


# -- linear systems, step by step -----------------------------------------------------------------------------------------


class Rationals:
    """Coefficients that are exact rational numbers; `decimal` writes them as decimals where they have one (0.25).

    The linear solver asks its coefficients only for +, -, *, /, == 0 and this class's members: DataSums, the domain
    of symbolic coefficients (issue 5's Σ_i a_i and n), takes this one's place for a loss without data.
    """

    zero = Fraction(0)
    one = Fraction(1)

    def __init__(self, decimal: bool = False):
        self.decimal = decimal

    def read(self, expr: Expr) -> Fraction | None:
        """A subtree free of the unknowns as a coefficient; None when it is not one of this domain's."""
        return number_value(expr) if is_number(expr) else None

    def tree(self, value: Fraction) -> Expr:
        """A coefficient as the tree the lecture writes."""
        return number(value, self.decimal)

    def is_unit(self, value: Fraction) -> bool:
        """Whether value is ±1: a pivot that needs no division."""
        return abs(value) == 1

    def is_numeric(self, value: Coefficient) -> bool:
        """Whether dividing by value needs no word: a nonzero number (a symbolic coefficient may be 0)."""
        return True

    def term(self, coefficient: Fraction, var: Var) -> Expr:
        """coefficient·var as the lecture writes it (see _term)."""
        return linear_term(self.tree(coefficient), var)

    def terms(self, value: Fraction) -> list[Expr]:
        """A constant as the terms of a sum (one for a number)."""
        return [self.tree(value)]

    def reduce(self, form: LinearForm) -> tuple[LinearForm, Coefficient | None]:
        """form = 0 divided by a factor common to every coefficient, and that factor; numbers are left as they are."""
        return form, None

    def divided(self, expr: Expr, divisor: Coefficient) -> Expr | None:
        """expr/divisor written term by term, or None when that cannot be shown."""
        return None

    def condition(self, coefficient: Coefficient) -> tuple[str, str, Mapping[str, object]] | None:
        """What dividing by coefficient assumes: words for the step, words for the answer, and their math; None when
        the coefficient is a nonzero number."""
        return None


@dataclass(frozen=True, slots=True, eq=False)
class LinearForm:
    """Σ coefficients[v]·v + constant, with no zero coefficient stored."""

    coefficients: Mapping[Var, Coefficient]
    constant: Coefficient

    def without(self, var: Var) -> LinearForm:
        """self without the term of var."""
        return LinearForm({v: c for v, c in self.coefficients.items() if v != var}, self.constant)

    def plus(self, other: LinearForm, factor: Coefficient) -> LinearForm:
        """self + factor·other."""
        merged = dict(self.coefficients)
        for var, coefficient in other.coefficients.items():
            merged[var] = merged[var] + factor * coefficient if var in merged else factor * coefficient
        return LinearForm({v: c for v, c in merged.items() if c != 0}, self.constant + factor * other.constant)

    def scaled(self, factor: Coefficient) -> LinearForm:
        """factor·self."""
        return LinearForm({v: factor * c for v, c in self.coefficients.items()}, factor * self.constant)

    def replaced(self, var: Var, form: LinearForm) -> LinearForm:
        """self with var replaced by form."""
        if var not in self.coefficients:
            return self
        return self.without(var).plus(form, self.coefficients[var])


def read_linear(expr: Expr, unknowns: Sequence[Var], domain: Rationals) -> LinearForm | None:
    """expr as a linear form in the unknowns, coefficients collected exactly; None when it is not linear."""
    index = {var: k for k, var in enumerate(unknowns)}
    polynomial = expand_polynomial(expr, index, domain)
    if polynomial is None or any(sum(monomial) > 1 for monomial in polynomial):
        return None
    zero = (0,) * len(unknowns)
    linear = {unknowns[monomial.index(1)]: c for monomial, c in polynomial.items() if monomial != zero}
    return LinearForm(linear, polynomial.get(zero, domain.zero))


_Polynomial = dict[tuple[int, ...], Coefficient]  # exponents of the unknowns -> coefficient, no zero coefficients


def expand_polynomial(expr: Expr, index: Mapping[Var, int], domain: Rationals) -> _Polynomial | None:
    """expr expanded as a polynomial in the unknowns of index; None for anything else (sin(x), 1/x, x^n)."""
    size = len(index)
    match expr:
        case Var() if expr in index:
            return {tuple(int(k == index[expr]) for k in range(size)): domain.one}
        case Add(terms):
            total: _Polynomial = {}
            for term in terms:
                part = expand_polynomial(term, index, domain)
                if part is None:
                    return None
                total = _poly_add(total, part)
            return total
        case Neg(arg):
            part = expand_polynomial(arg, index, domain)
            return None if part is None else {m: -c for m, c in part.items()}
        case Mul(factors):
            product: _Polynomial = {(0,) * size: domain.one}
            for factor in factors:
                part = expand_polynomial(factor, index, domain)
                if part is None:
                    return None
                grown = _poly_mul(product, part)
                if grown is None:
                    return None
                product = grown
            return product
        case Div(num, den):
            top, bottom = expand_polynomial(num, index, domain), expand_polynomial(den, index, domain)
            if top is None or bottom is None or set(bottom) != {(0,) * size}:
                return None  # division by an unknown (or by 0) is not polynomial
            divisor = bottom[(0,) * size]
            return {m: c / divisor for m, c in top.items()}
        case Pow(base, exp) if (
            is_number(exp) and number_value(exp).denominator == 1 and 0 <= number_value(exp) <= _MAX_DEGREE
        ):
            part = expand_polynomial(base, index, domain)
            if part is None:
                return None
            result: _Polynomial = {(0,) * size: domain.one}
            for _ in range(int(number_value(exp))):
                power = _poly_mul(result, part)
                if power is None:
                    return None
                result = power
            return result
    if not all(free_of(expr, var) for var in index):
        return None
    value = domain.read(expr)
    if value is None:
        return None
    return {(0,) * size: value} if value != 0 else {}


def _poly_add(left: _Polynomial, right: _Polynomial) -> _Polynomial:
    total = dict(left)
    for monomial, coefficient in right.items():
        total[monomial] = total[monomial] + coefficient if monomial in total else coefficient
    return {m: c for m, c in total.items() if c != 0}


def _poly_mul(left: _Polynomial, right: _Polynomial) -> _Polynomial | None:
    product: _Polynomial = {}
    for m1, c1 in left.items():
        for m2, c2 in right.items():
            monomial = tuple(a + b for a, b in zip(m1, m2))
            if sum(monomial) > _MAX_DEGREE:
                return None
            product = _poly_add(product, {monomial: c1 * c2})
    return product


def linear_tree(form: LinearForm, unknowns: Sequence[Var], domain: Rationals) -> Expr:
    """A linear form as the lecture writes it: terms in the order of the unknowns, then the constant, but a term
    with a minus sign never first when another can be (11b + 1, 1 - 7y/3, b = h̄ - s ā)."""
    terms = [domain.term(form.coefficients[var], var) for var in unknowns if var in form.coefficients]
    if form.constant != 0 or not terms:
        terms += domain.terms(form.constant)
    terms = [t for t in terms if not isinstance(t, Neg)] + [t for t in terms if isinstance(t, Neg)]
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def linear_term(coefficient: Expr, var: Var) -> Expr:
    """coefficient·var written as a lecturer does: b, -b, 11b, b/6, 5b/6, -2b/3."""
    negative = isinstance(coefficient, Neg)
    magnitude = coefficient.arg if isinstance(coefficient, Neg) else coefficient
    if magnitude == ONE:
        term: Expr = var
    elif isinstance(magnitude, Div) and is_number(magnitude):
        term = Div(var if magnitude.num == ONE else Mul((magnitude.num, var)), magnitude.den)
    else:
        term = Mul((magnitude, var))
    return Neg(term) if negative else term


def choose_pivot(forms: Mapping[int, LinearForm], unknowns: Sequence[Var], domain: Rationals) -> tuple[int, Var]:
    """Which equation to solve for which variable next: as a lecture does, a coefficient ±1 if there is one (no
    fractions), in the equation with the fewest terms, earlier equations and variables first."""
    candidates = [
        (
            not domain.is_unit(form.coefficients[var]),
            len(form.coefficients) + (form.constant != 0),
            label,
            position,
            var,
        )
        for label, form in forms.items()
        for position, var in enumerate(unknowns)
        if var in form.coefficients
    ]
    best = min(candidates, key=lambda c: c[:4])
    return best[2], best[4]


def solve_linear(
    system: Sequence[Expr],
    unknowns: Sequence[Var],
    domain: Rationals | None = None,
    pivot: Callable[[Mapping[int, LinearForm], Sequence[Var], Rationals], tuple[int, Var]] = choose_pivot,
) -> SolvedSystem | None:
    """Solve system_i = 0 the way a lecture does, or None when an equation is not linear in the unknowns.

    Express one variable from one equation, substitute it into the others, repeat, then back-substitute: every
    move is a SolveStep. Equations are numbered (1), (2), ... in the order of `system`.
    """
    if domain is None:
        # Decimals typed by the user (0.5x) come back as decimals wherever the value has one.
        decimal = any(isinstance(node, Num) and node.text is not None for expr in system for _, node in walk(expr))
        domain = Rationals(decimal)
    forms: dict[int, LinearForm] = {}
    for label, expr in enumerate(system, 1):
        form = read_linear(expr, unknowns, domain)
        if form is None:
            return None
        forms[label] = form
    shown = {label: expr for label, expr in enumerate(system, 1)}  # each equation as last written
    remaining = list(unknowns)
    expressed: list[tuple[Var, LinearForm, Expr]] = []
    steps: list[SolveStep] = []
    assumptions: list[tuple[str, Mapping[str, object]]] = []
    reading = domain

    def tree(form: LinearForm) -> Expr:
        return linear_tree(form, unknowns, reading)

    while forms:
        for label in sorted(forms):
            form = forms[label]
            if form.coefficients:
                continue
            equation = Equation((tree(form), ZERO))
            del forms[label]
            if form.constant != 0:
                said = f"({label}) never holds: the system has no solution, so there is no critical point"
                steps.append(SolveStep("contradiction", said, {}, (equation,)))
                return SolvedSystem("linear", tuple(steps), ())
            steps.append(SolveStep("drop", f"({label}) holds for every value: it adds nothing", {}, (equation,)))
        if not forms:
            break
        label, var = pivot(forms, remaining, domain)
        form = forms.pop(label)
        coefficient = form.coefficients[var]
        rest = form.without(var)
        solution = rest.scaled(-domain.one / coefficient)
        solution_tree = tree(solution)
        sides: tuple[Expr, ...] = (var, solution_tree)
        written = domain.tree(coefficient)
        if not domain.is_numeric(coefficient) and not isinstance(written, (Div, Neg)):
            # A symbolic coefficient is divided by in sight: b = (Σ_i h_i - s Σ_i a_i)/n = h̄ - s ā.
            quotient = Div(tree(rest.scaled(-domain.one)), written)
            sides = (var, quotient, solution_tree) if quotient != solution_tree else sides
        equations: tuple[Equation, ...] = (Equation(sides),)
        if not domain.is_unit(coefficient):
            equations = (Equation((domain.term(coefficient, var), tree(rest.scaled(-domain.one)))),) + equations
        bindings: dict[str, object] = {"x": var}
        said = f"from ({label}), express {{x}}" if solution.coefficients else f"solve ({label}) for {{x}}"
        condition = domain.condition(coefficient)
        if condition is not None:
            step_phrase, answer_phrase, extra = condition
            said += step_phrase
            bindings.update(extra)
            assumptions.append((answer_phrase, extra))
        steps.append(SolveStep("express" if solution.coefficients else "solve", said, bindings, equations))
        for other in sorted(forms):
            if var not in forms[other].coefficients:
                continue
            substituted = substitute(shown[other], {var: solution_tree}).after
            forms[other], divisor = domain.reduce(forms[other].replaced(var, solution))
            shown[other] = tree(forms[other])
            forms_shown = [Equation((substituted, ZERO))]
            said = f"put {{point}} into ({other}) and collect terms"
            put: dict[str, object] = {"point": {var: solution_tree}}
            if divisor is not None:
                divided = domain.divided(substituted, divisor)
                if divided is not None and divided != shown[other]:
                    forms_shown.append(Equation((divided, ZERO)))
                said = f"put {{point}} into ({other}), divide by {{divisor}} and collect terms"
                put["divisor"] = domain.tree(divisor)
            forms_shown.append(Equation((shown[other], ZERO)))
            steps.append(SolveStep("substitute", said, put, tuple(forms_shown)))
        remaining.remove(var)
        expressed.append((var, solution, solution_tree))

    free = tuple(remaining)
    if free:
        verb = "is" if len(free) == 1 else "are"
        said = f"no equation is left to fix {{vars}}: {{vars}} {verb} free, so there are infinitely many solutions"
        steps.append(SolveStep("free", said, {"vars": free}, ()))
    values: dict[Var, LinearForm] = {var: LinearForm({var: domain.one}, domain.zero) for var in free}
    for var, solution, solution_tree in reversed(expressed):
        known = [v for v in unknowns if v in solution.coefficients and v not in free]
        value = solution
        for known_var in known:
            value = value.replaced(known_var, values[known_var])
        values[var] = value
        if known:
            used = {known_var: tree(values[known_var]) for known_var in known}
            chain = Equation((var, solution_tree, tree(value)))
            steps.append(SolveStep("back_substitute", "back-substitute {point}", {"point": used}, (chain,)))
    point = {var: tree(values[var]) for var in unknowns}
    return SolvedSystem("linear", tuple(steps), (point,), tuple(assumptions))
