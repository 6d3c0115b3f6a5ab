"""Critical points: every partial derivative set to zero, the system solved (a linear one step by step), each point classified."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ..core.derivation import Displayed, Verification, combined
from ..core.engine import simplify as tidy
from ..core.engine import substitute
from ..core.errors import UsageError
from ..core.linear import (
    LinearForm,
    Rationals,
    SolvedSystem,
    SolveStep,
    choose_pivot,
    free_variables,
    linear_tree,
    read_linear,
    solve_linear,
)
from ..core.tree import (
    Call,
    Expr,
    Sum,
    Var,
    children,
    free_of,
    is_number,
    number,
    variables,
    walk,
)  # fmt: skip
from ..data.datasets import COUNT, Data, check_data, exact_value, expand_sums, rows_of, sum_value, to_data
from ..data.sums import DataSums, mean_tree
from .at_point import decimal_beside
from .definiteness import SecondDerivativeTest, least_squares_test, second_derivative_test
from .multivar import Gradient, Hessian, gradient, hessian, variable_name

# Functions whose zeros repeat: SymPy's solve lists only those of one period.
PERIODIC = frozenset({"sin", "cos", "tan", "sec", "csc", "cot"})


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

    @property
    def decimals(self) -> dict[Var, Expr]:
        """Each value that is a long fraction as a short decimal, shown beside it (s ≈ 4.9982): at_point.decimal_beside."""
        return {var: short for var, value in self.values.items() if (short := decimal_beside(value)) is not None}


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


@dataclass(frozen=True, slots=True, eq=False, repr=False)
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
    # Each critical point put back into the system it solves (check_points); None when not checked.
    points_check: Verification | None = None

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
        checks = [d.verification for d in self.gradient.components] + [
            d.verification for row in self.hessian.entries for d in row
        ]
        return combined(checks)


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
        gram = least_squares_test(grad.expr, grad.vars, hess.matrix, domain)
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
    points = tuple(
        CriticalPoint(s, second_derivative_test(_on_data(hess.matrix, s, data, decimal))) for s in solved.solutions
    )
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


def _on_data(
    matrix: Sequence[Sequence[Expr]], point: Mapping[Var, Expr], data: Data, decimal: bool
) -> tuple[tuple[Expr, ...], ...]:
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
        from ..language.parser import parse

        names = [v for v in vars if isinstance(v, str) and len(v) > 1 and v.isalpha()]
        tree = parse(expr, variables=names, functions=functions).expr
    if not variables(tree):
        raise UsageError(
            "the expression is constant: it has no variables, so its gradient is 0 everywhere and every point is critical; "
            "there is no system to solve"
        )


def verify_critical(result: Critical) -> Critical:
    """The same result with every first and second partial derivative checked against SymPy, in one request, and
    every critical point put back into the system it solves (check_points)."""
    from ..cas.verification import verify_all

    # The points first: our own evaluator needs no worker, so it runs while the worker is still importing SymPy.
    points = check_points(result)
    first = result.gradient.components
    second = [d for row in result.hessian.entries for d in row]
    checks = iter(verify_all([*first, *second]))
    grad = replace(result.gradient, components=tuple(d.with_verification(next(checks)) for d in first))
    entries = tuple(tuple(d.with_verification(next(checks)) for d in row) for row in result.hessian.entries)
    return replace(result, gradient=grad, hessian=replace(result.hessian, entries=entries), points_check=points)


# A point counts as making an equation 0 when the equation's value there, worked out with 80 digits (core.numeric),
# is below this: a point in exact numbers gives exactly 0, one in SymPy's radicals a rounding of about 1e-80.
ZERO_AT_POINT = 1e-40


def check_points(result: Critical) -> Verification | None:
    """Each critical point put into every equation the solving worked on, with our own evaluator, not the solver:
    every one must be 0 there. A substitution decides this, so no CAS is asked. An equation left with parameters
    (x = -k/2 in 2x + k) must vanish for every value of them (equivalence.vanishes). None when there is nothing to put
    in: no point, a family of points, or the closed form in the sums over the data."""
    from ..cas.equivalence import vanishes
    from ..core.numeric import EvaluationError, evaluate
    from .multivar import point_words

    points = [point.values for point in result.points]
    if not points or result.closed_form or any(free_variables(values) for values in points):
        return None
    for values in points:
        for index, equation in enumerate(result.solved_system, 1):
            put = substitute(equation, dict(values)).after
            where = f"at {point_words(values)}, equation ({index})"
            if variables(put):
                zero = vanishes(put)
            else:
                try:
                    zero = abs(evaluate(put, {})) <= ZERO_AT_POINT
                except EvaluationError as error:
                    return Verification(None, None, f"{where} has no value: {error.message}")
            if not zero:
                return Verification(False, "substitution", f"{where} is not 0")
    return Verification(True, "substitution", "every critical point makes every equation of the system 0")


def solve_system(system: Sequence[Expr], vars: Sequence[Var]) -> SolvedSystem:
    """Solve system_i = 0 for vars: step by step when every equation is linear with rational coefficients, else by SymPy."""
    linear = solve_linear(system, vars)
    if linear is not None:
        return linear
    from ..cas.sympy_steps import solve_real

    solutions = solve_real(system, vars)
    periodic = sorted(
        {node.fn for expr in system for _, node in walk(expr) if isinstance(node, Call) and node.fn in PERIODIC}
    )
    return SolvedSystem("sympy", (_sympy_step(solutions, periodic),), solutions)


def at_point(matrix: Sequence[Sequence[Expr]], point: Mapping[Var, Expr]) -> tuple[tuple[Expr, ...], ...]:
    """The matrix with the point's values put in (engine.substitute) and the arithmetic done (engine.simplify)."""
    values = {var: value for var, value in point.items() if value != var}

    def evaluate(entry: Expr) -> Expr:
        replaced = substitute(entry, values).after if values else entry
        steps = tidy(replaced)
        return steps[-1].after if steps else replaced

    return tuple(tuple(evaluate(entry) for entry in row) for row in matrix)


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
        found += (
            f" in one period of {', '.join(periodic)}; they repeat with the period, so there are infinitely many more"
        )
    return SolveStep(
        "sympy_solve", f"the system is not linear: SymPy solves it (sympy.solve) and {found}", {}, (), tuple(solutions)
    )
