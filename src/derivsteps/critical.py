"""Critical points: every partial derivative set to zero, the system solved (a linear one step by step), each point classified."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import ClassVar

from .data import COUNT, Data, check_data, exact_value, expand_sums, rows_of, sum_value, to_data
from .derivation import Displayed, Verification
from .engine import simplify as tidy
from .engine import substitute
from .errors import UsageError
from .multivar import Gradient, Hessian, gradient, hessian, variable_name
from .tree import (
    ONE, ZERO, Add, Call, Div, Expr, Mul, Neg, Num, Pow, Sum, Var,
    children, free_of, is_number, mul, number, number_value, variables, walk, with_children,
)  # fmt: skip

# The solving steps, in the order they can occur. Each step's `equations` are forms of one equation, each
# equivalent to the one before (6(2b) - b + 1 = 0 ⇔ 11b + 1 = 0); a chain a = 2b = -2/11 is one Equation.
ACTIONS = ("express", "substitute", "solve", "back_substitute", "drop", "contradiction", "free", "sympy_solve")

KINDS = ("minimum", "maximum", "saddle", "inconclusive")

# Functions whose zeros repeat: SymPy's solve lists only those of one period.
PERIODIC = frozenset({"sin", "cos", "tan", "sec", "csc", "cot"})

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


@dataclass(frozen=True, slots=True, eq=False)
class CriticalPoint:
    values: Mapping[Var, Expr]
    test: SecondDerivativeTest

    @property
    def kind(self) -> str:
        return self.test.kind

    @property
    def free(self) -> tuple[Var, ...]:
        return free_variables(self.values)


@dataclass(frozen=True, slots=True, eq=False)
class Statistic:
    """One sum over the data in the system: Σ_i u_i, and with data its value and (for a few rows) its terms."""

    total: Sum
    value: Fraction | None = None
    terms: Expr | None = None  # u_1 + u_2 + ... with each row's numbers put in; None beyond MAX_SHOWN_ROWS
    decimal: bool = False  # a column it reads was typed with decimals

    @property
    def mean(self) -> Expr:
        return mean_tree(self.total)

    @property
    def value_tree(self) -> Expr | None:
        return None if self.value is None else number(self.value, self.decimal)


@dataclass(frozen=True, slots=True, eq=False)
class Critical(Displayed):
    """The critical points of f: its gradient and Hessian (derivations), the solving, and each classified point.

    For a loss with sums over data, `statistics` lists the sums in the system; with `data` their values were put
    into the system, giving `equations` (the system as solved); without data the sums are the coefficients, and
    the solution is the closed form in their means.
    """

    input: str | None
    expr: Expr
    vars: tuple[Var, ...]
    gradient: Gradient
    hessian: Hessian
    solved: SolvedSystem
    points: tuple[CriticalPoint, ...]
    warnings: tuple[str, ...] = ()
    data: Data | None = None
    statistics: tuple[Statistic, ...] = ()
    equations: tuple[Expr, ...] = ()

    @property
    def system(self) -> tuple[Expr, ...]:
        """The left-hand sides of the system: ∂f/∂x_i = 0 for each of these."""
        return self.gradient.vector

    @property
    def solved_system(self) -> tuple[Expr, ...]:
        """The equations the solving worked on: the system, or with data the system with the sums' values put in."""
        return self.equations or self.system

    @property
    def closed_form(self) -> bool:
        """The solution is a formula in the sums over the data (no data given): issue 5's Question 7."""
        return bool(self.statistics) and self.data is None

    @property
    def verification(self) -> Verification | None:
        """The combined verdict on every first and second partial derivative; None when they were not checked."""
        checks = [d.verification for d in self.gradient.components] + [d.verification for row in self.hessian.entries for d in row]
        if any(check is None for check in checks):
            return None
        if any(check.verified is False for check in checks):
            return next(check for check in checks if check.verified is False)
        undecided = [check for check in checks if check.verified is None]
        if undecided:
            return undecided[0]
        method = "symbolic" if all(check.method == "symbolic" for check in checks) else "numeric"
        return Verification(True, method)

    DISPLAY: ClassVar[Mapping[str, str]] = {
        "text": "render.critical:render_text",
        "latex": "render.critical:render_latex",
        "markdown": "render.critical:render_markdown",
        "rich": "render.critical:CriticalView",
    }


def free_variables(solution: Mapping[Var, Expr]) -> tuple[Var, ...]:
    """The variables a solution leaves free (they map to themselves)."""
    return tuple(var for var, value in solution.items() if value == var)


# -- the command's work ---------------------------------------------------------------------------------------------------


def critical_points(
    expr: Expr | str,
    vars: Sequence[str | Var] = (),
    *,
    data: Data | Mapping | str | Sequence[str] | None = None,
    detail: str = "normal",
    simplify: str = "light",
    functions: Sequence[str] = (),
) -> Critical:
    """Set every partial derivative of expr to zero, solve the system, and classify each solution by its Hessian.

    A loss with sums over data (1/2 sum_i (s a_i + b - h_i)^2) is solved in closed form, in the sums' means, when no
    data is given; with data (a Data, {"a": [0, 2, 4], ...}, or --data specs) the sums' values go into the system.
    Without vars such a loss is differentiated by its parameters, in the order they appear (s, b), not by a_i or n.
    """
    data = to_data(data)
    try:
        grad = gradient(expr, vars, detail=detail, simplify=simplify, functions=functions)
    except UsageError:
        _reject_constant(expr, vars, functions)
        raise
    hess = hessian(grad.expr, grad.vars, detail=detail, simplify=simplify, functions=functions)
    warnings = grad.warnings
    if data is not None:
        warnings += check_data(grad.expr, data)
    totals = _sums_in([*grad.vector, *(entry for row in hess.matrix for entry in row)])
    if not totals:
        solved = solve_system(grad.vector, grad.vars)
        points = tuple(CriticalPoint(s, second_derivative_test(at_point(hess.matrix, s))) for s in solved.solutions)
        return Critical(grad.input, grad.expr, grad.vars, grad, hess, solved, points, warnings, data)
    pivot = lecture_pivot(_intercepts(hess.matrix, grad.vars))
    if data is None:
        statistics = tuple(Statistic(total) for total in totals)
        domain = DataSums()
        solved = solve_linear(grad.vector, grad.vars, domain, pivot)
        if solved is None:
            _reject_parameters_in_sums(totals, grad.vars)
            solved, statistics = solve_system(grad.vector, grad.vars), ()
        gram = _least_squares_test(grad.expr, grad.vars, hess.matrix, domain)
        points = tuple(
            CriticalPoint(s, gram or second_derivative_test(at_point(hess.matrix, s))) for s in solved.solutions
        )
        return Critical(grad.input, grad.expr, grad.vars, grad, hess, solved, points, warnings, None, statistics)
    statistics = tuple(_statistic(total, data, grad.vars) for total in totals)
    values: dict[Expr, Expr] = {stat.total: stat.value_tree for stat in statistics}
    values[COUNT] = number(data.n)
    decimal = any(stat.decimal for stat in statistics)
    equations = tuple(_collected(substitute(expr_, values).after, grad.vars, decimal) for expr_ in grad.vector)
    solved = solve_linear(equations, grad.vars, Rationals(decimal), pivot) or solve_system(equations, grad.vars)
    points = tuple(CriticalPoint(s, second_derivative_test(_on_data(hess.matrix, s, data, decimal))) for s in solved.solutions)
    return Critical(grad.input, grad.expr, grad.vars, grad, hess, solved, points, warnings, data, statistics, equations)


# Rows beyond this are summed without writing each term out (100,000 rows would fill pages).
MAX_SHOWN_ROWS = 8


def _sums_in(exprs: Sequence[Expr]) -> list[Sum]:
    """The distinct outermost sums over data, in order of appearance."""
    found: dict[Sum, None] = {}

    def visit(node: Expr) -> None:
        if isinstance(node, Sum):
            found.setdefault(node, None)
            return
        for kid in children(node):
            visit(kid)

    for expr in exprs:
        visit(expr)
    return list(found)


def _reject_parameters_in_sums(totals: Sequence[Sum], unknowns: Sequence[Var]) -> None:
    """A UsageError when a sum in the system holds a parameter: its value changes with the parameter, so the sums
    are no coefficients (and SymPy, given the sums unevaluated, would answer "no solution" where it cannot tell)."""
    inside = [var for var in unknowns if any(not free_of(total, var) for total in totals)]
    if inside:
        names = ", ".join(variable_name(var) for var in inside)
        raise UsageError(
            f"{names} occurs inside a sum over the data in the gradient, so the sums are no fixed numbers: deriv critical "
            "solves a loss with sums over data when its gradient is linear in the parameters with the sums as coefficients "
            "(least squares: a sum of squares of expressions linear in the parameters)"
        )


def _statistic(total: Sum, data: Data, unknowns: Sequence[Var]) -> Statistic:
    _reject_parameters_in_sums((total,), unknowns)
    reads = {node.name for _, node in walk(total.body) if isinstance(node, Var) and node.sub == total.index}
    decimal = bool(reads & data.decimal)
    rows = rows_of(total, data)
    terms = expand_sums(total, data) if len(rows) <= MAX_SHOWN_ROWS else None
    return Statistic(total, sum_value(total, data), terms, decimal)


def _collected(expr: Expr, unknowns: Sequence[Var], decimal: bool) -> Expr:
    """A component with the numbers put in, as a linear form in the lecture's order (20s + 6b - 280); else as is."""
    domain = Rationals(decimal)
    form = read_linear(expr, unknowns, domain)
    return expr if form is None else linear_tree(form, unknowns, domain)


def _on_data(matrix: Sequence[Sequence[Expr]], point: Mapping[Var, Expr], data: Data, decimal: bool) -> tuple[tuple[Expr, ...], ...]:
    """The Hessian's entries summed over the data at the point, exactly (as decimals when the data has them)."""
    values = {var: value for var, value in point.items() if value != var and is_number(value)}
    return tuple(tuple(number(exact_value(entry, data, values), decimal) for entry in row) for row in matrix)


def _intercepts(matrix: Sequence[Sequence[Expr]], unknowns: Sequence[Var]) -> list[tuple[int, Var]]:
    """(equation, variable) pairs for the parameters whose own second derivative reads no data (b in s a_i + b):
    the lecture expresses them first, each from its own equation."""
    pairs = []
    for k, var in enumerate(unknowns):
        entry = matrix[k][k]
        if not any(isinstance(node, Sum) or isinstance(node, Var) and node.sub is not None for _, node in walk(entry)):
            pairs.append((k + 1, var))
    return pairs


def lecture_pivot(preferred: Sequence[tuple[int, Var]]):
    """A pivot that takes the preferred (equation, variable) pairs first, in order, then falls back to choose_pivot."""

    def pivot(forms: Mapping[int, LinearForm], remaining: Sequence[Var], domain: Rationals) -> tuple[int, Var]:
        for label, var in preferred:
            if label in forms and var in remaining and var in forms[label].coefficients:
                return label, var
        return choose_pivot(forms, remaining, domain)

    return pivot


def _reject_constant(expr: Expr | str, vars: Sequence[str | Var], functions: Sequence[str]) -> None:
    """A clearer message than "nothing to differentiate by" when the expression is a constant."""
    tree = expr
    if isinstance(expr, str):
        from .parser import parse

        names = [v for v in vars if isinstance(v, str) and len(v) > 1 and v.isalpha()]
        tree = parse(expr, variables=names, functions=functions).expr
    if not variables(tree):
        raise UsageError(
            "the expression is constant: it has no variables, so its gradient is 0 everywhere and every point is critical; "
            "there is no system to solve"
        )


def verify_critical(result: Critical) -> Critical:
    """The same result with every first and second partial derivative checked against SymPy."""
    from .verification import verify

    def checked(derivation):
        return derivation.with_verification(verify(derivation))

    grad = replace(result.gradient, components=tuple(checked(d) for d in result.gradient.components))
    hess = replace(result.hessian, entries=tuple(tuple(checked(d) for d in row) for row in result.hessian.entries))
    return replace(result, gradient=grad, hessian=hess)


def solve_system(system: Sequence[Expr], vars: Sequence[Var]) -> SolvedSystem:
    """Solve system_i = 0 for vars: step by step when every equation is linear with rational coefficients, else by SymPy."""
    linear = solve_linear(system, vars)
    if linear is not None:
        return linear
    from .cas import solve_real

    solutions = solve_real(system, vars)
    periodic = sorted({node.fn for expr in system for _, node in walk(expr) if isinstance(node, Call) and node.fn in PERIODIC})
    return SolvedSystem("sympy", (_sympy_step(solutions, periodic),), solutions)


def at_point(matrix: Sequence[Sequence[Expr]], point: Mapping[Var, Expr]) -> tuple[tuple[Expr, ...], ...]:
    """The matrix with the point's values put in (engine.substitute) and the arithmetic done (engine.simplify)."""
    values = {var: value for var, value in point.items() if value != var}

    def evaluate(entry: Expr) -> Expr:
        replaced = substitute(entry, values).after if values else entry
        steps = tidy(replaced)
        return steps[-1].after if steps else replaced

    return tuple(tuple(evaluate(entry) for entry in row) for row in matrix)


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
        return number(value, self.decimal)

    def is_unit(self, value: Fraction) -> bool:
        return abs(value) == 1

    def is_numeric(self, value) -> bool:
        """Whether dividing by value needs no word: a nonzero number (a symbolic coefficient may be 0)."""
        return True

    def term(self, coefficient: Fraction, var: Var) -> Expr:
        """coefficient·var as the lecture writes it (see _term)."""
        return _term(self.tree(coefficient), var)

    def terms(self, value: Fraction) -> list[Expr]:
        """A constant as the terms of a sum (one for a number)."""
        return [self.tree(value)]

    def reduce(self, form: LinearForm) -> tuple[LinearForm, object | None]:
        """form = 0 divided by a factor common to every coefficient, and that factor; numbers are left as they are."""
        return form, None

    def divided(self, expr: Expr, divisor) -> Expr | None:
        """expr/divisor written term by term, or None when that cannot be shown."""
        return None

    def condition(self, coefficient) -> tuple[str, str, Mapping[str, object]] | None:
        """What dividing by coefficient assumes: words for the step, words for the answer, and their math; None when
        the coefficient is a nonzero number."""
        return None


@dataclass(frozen=True, slots=True, eq=False)
class LinearForm:
    """Σ coefficients[v]·v + constant, with no zero coefficient stored."""

    coefficients: Mapping[Var, object]
    constant: object

    def without(self, var: Var) -> LinearForm:
        return LinearForm({v: c for v, c in self.coefficients.items() if v != var}, self.constant)

    def plus(self, other: LinearForm, factor) -> LinearForm:
        """self + factor·other."""
        merged = dict(self.coefficients)
        for var, coefficient in other.coefficients.items():
            merged[var] = merged[var] + factor * coefficient if var in merged else factor * coefficient
        return LinearForm({v: c for v, c in merged.items() if c != 0}, self.constant + factor * other.constant)

    def scaled(self, factor) -> LinearForm:
        return LinearForm({v: factor * c for v, c in self.coefficients.items()}, factor * self.constant)

    def replaced(self, var: Var, form: LinearForm) -> LinearForm:
        """self with var replaced by form."""
        if var not in self.coefficients:
            return self
        return self.without(var).plus(form, self.coefficients[var])


def read_linear(expr: Expr, unknowns: Sequence[Var], domain: Rationals) -> LinearForm | None:
    """expr as a linear form in the unknowns, coefficients collected exactly; None when it is not linear."""
    index = {var: k for k, var in enumerate(unknowns)}
    polynomial = _polynomial(expr, index, domain)
    if polynomial is None or any(sum(monomial) > 1 for monomial in polynomial):
        return None
    zero = (0,) * len(unknowns)
    linear = {unknowns[monomial.index(1)]: c for monomial, c in polynomial.items() if monomial != zero}
    return LinearForm(linear, polynomial.get(zero, domain.zero))


_Polynomial = dict[tuple[int, ...], object]  # exponents of the unknowns -> coefficient, no zero coefficients


def _polynomial(expr: Expr, index: Mapping[Var, int], domain: Rationals) -> _Polynomial | None:
    """expr expanded as a polynomial in the unknowns of index; None for anything else (sin(x), 1/x, x^n)."""
    size = len(index)
    match expr:
        case Var() if expr in index:
            return {tuple(int(k == index[expr]) for k in range(size)): domain.one}
        case Add(terms):
            total: _Polynomial = {}
            for term in terms:
                part = _polynomial(term, index, domain)
                if part is None:
                    return None
                total = _poly_add(total, part)
            return total
        case Neg(arg):
            part = _polynomial(arg, index, domain)
            return None if part is None else {m: -c for m, c in part.items()}
        case Mul(factors):
            product: _Polynomial = {(0,) * size: domain.one}
            for factor in factors:
                part = _polynomial(factor, index, domain)
                if part is None:
                    return None
                product = _poly_mul(product, part)
                if product is None:
                    return None
            return product
        case Div(num, den):
            top, bottom = _polynomial(num, index, domain), _polynomial(den, index, domain)
            if top is None or bottom is None or set(bottom) != {(0,) * size}:
                return None  # division by an unknown (or by 0) is not polynomial
            divisor = bottom[(0,) * size]
            return {m: c / divisor for m, c in top.items()}
        case Pow(base, exp) if is_number(exp) and number_value(exp).denominator == 1 and 0 <= number_value(exp) <= _MAX_DEGREE:
            part = _polynomial(base, index, domain)
            if part is None:
                return None
            result: _Polynomial | None = {(0,) * size: domain.one}
            for _ in range(int(number_value(exp))):
                result = _poly_mul(result, part)
                if result is None:
                    return None
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


def _term(coefficient: Expr, var: Var) -> Expr:
    """coefficient·var written as a lecturer does: b, -b, 11b, b/6, 5b/6, -2b/3."""
    negative = isinstance(coefficient, Neg)
    magnitude = coefficient.arg if negative else coefficient
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
        (not domain.is_unit(form.coefficients[var]), len(form.coefficients) + (form.constant != 0), label, position, var)
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
    tree = lambda form: linear_tree(form, unknowns, domain)  # noqa: E731

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
        equations = (Equation(sides),)
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
            said, extra = f"put {{point}} into ({other}) and collect terms", {}
            if divisor is not None:
                divided = domain.divided(substituted, divisor)
                if divided is not None and divided != shown[other]:
                    forms_shown.append(Equation((divided, ZERO)))
                said, extra = f"put {{point}} into ({other}), divide by {{divisor}} and collect terms", {"divisor": domain.tree(divisor)}
            forms_shown.append(Equation((shown[other], ZERO)))
            steps.append(SolveStep("substitute", said, {"point": {var: solution_tree}, **extra}, tuple(forms_shown)))
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
        for other in known:
            value = value.replaced(other, values[other])
        values[var] = value
        if known:
            used = {other: tree(values[other]) for other in known}
            chain = Equation((var, solution_tree, tree(value)))
            steps.append(SolveStep("back_substitute", "back-substitute {point}", {"point": used}, (chain,)))
    point = {var: tree(values[var]) for var in unknowns}
    return SolvedSystem("linear", tuple(steps), (point,), tuple(assumptions))


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
        return Ratio(self.domain, _p_add(_p_mul(self.num, other.den), _p_mul(other.num, self.den)), _p_mul(self.den, other.den))

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
        from .render.mathtext import to_text

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
            while len(den) > 1 and (top := _p_divide(num, factor)) is not None and (bottom := _p_divide(den, factor)) is not None:
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
            return _term(number(coefficient.number()), var)
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
        if isinstance(body, Pow) and body.exp == Num(2) and isinstance(body.base, Var) and body.base.sub == mean.num.index:
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


# -- the second-derivative test -------------------------------------------------------------------------------------------


def second_derivative_test(matrix: Sequence[Sequence[Expr]]) -> SecondDerivativeTest:
    """Classify by the Hessian's definiteness: Sylvester's criterion on the leading principal minors, and the signs of
    the eigenvalues (Descartes' rule on the characteristic polynomial, exact for a symmetric matrix) when det H = 0."""
    rows = tuple(tuple(row) for row in matrix)
    if all(is_number(entry) for row in rows for entry in row):
        values = [[number_value(entry) for entry in row] for row in rows]
        minors = [_determinant([row[:k] for row in values[:k]]) for k in range(1, len(values) + 1)]
        # Minors of a Hessian written in decimals (data typed as 0.5) are written in decimals too.
        decimal = any(isinstance(node, Num) and node.text is not None for row in rows for entry in row for _, node in walk(entry))
        minor_trees = tuple(number(m, decimal) for m in minors)
        minor_signs = tuple(_sign(m) for m in minors)
        polynomial_signs = lambda: ([_sign(c) for c in _characteristic_polynomial(values)], "")  # noqa: E731
    else:
        # What our simplifier leaves (sin(π/2), sqrt(3)^2) SymPy evaluates: the matrix is shown as it decides it.
        from .cas import symbolic_minors

        rows, minor_trees, minor_signs, polynomial_signs = symbolic_minors(rows)
    return _decide(rows, minor_trees, minor_signs, polynomial_signs)


def _least_squares_test(
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
    entries = [[domain.read(entry) if is_number(entry) else _read_constant(entry, domain) for entry in row] for row in matrix]
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
    argument = (f"f is {times}a sum of squares of expressions linear in {{vars}}", {"c": number(scale), "vars": tuple(unknowns)})
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
    polynomial = _polynomial(expr, {}, domain)
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
    """A coefficient as a tree; arithmetic builds the tree (u·v, u + v), which is all _least_squares_test shows."""

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
        return [[sum((left[i][t] * right[t][j] for t in range(size)), Fraction(0)) for j in range(size)] for i in range(size)]

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


# -- SymPy solved a non-linear system (cas.solve_real): its one recorded step ----------------------------------------------


def _sympy_step(solutions: Sequence[Mapping[Var, Expr]], periodic: Sequence[str] = ()) -> SolveStep:
    count = len(solutions)
    if count == 0:
        found = "finds no real solution, so there is no critical point"
    elif any(free_variables(s) for s in solutions):
        found = "finds infinitely many solutions" + (f" ({count} families)" if count > 1 else "")
    else:
        found = f"finds {count} solution{'s' if count != 1 else ''}"
    if periodic and count:
        # sympy.solve gives one period of sin, cos, tan: the student must not read the list as complete.
        found += f" in one period of {', '.join(periodic)}; they repeat with the period, so there are infinitely many more"
    return SolveStep("sympy_solve", f"the system is not linear: SymPy solves it (sympy.solve) and {found}", {}, (), tuple(solutions))


