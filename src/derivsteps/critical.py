"""Critical points: every partial derivative set to zero, the system solved (a linear one step by step), each point classified."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import ClassVar

from .derivation import Displayed, Verification
from .engine import simplify as tidy
from .engine import substitute
from .errors import DerivError, EngineError, UsageError
from .multivar import Gradient, Hessian, gradient, hessian
from .tree import ONE, ZERO, Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var, free_of, is_number, number, number_value, variables, walk

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
class Critical(Displayed):
    """The critical points of f: its gradient and Hessian (derivations), the solving, and each classified point."""

    input: str | None
    expr: Expr
    vars: tuple[Var, ...]
    gradient: Gradient
    hessian: Hessian
    solved: SolvedSystem
    points: tuple[CriticalPoint, ...]
    warnings: tuple[str, ...] = ()

    @property
    def system(self) -> tuple[Expr, ...]:
        """The left-hand sides of the system: ∂f/∂x_i = 0 for each of these."""
        return self.gradient.vector

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
    detail: str = "normal",
    simplify: str = "light",
    functions: Sequence[str] = (),
) -> Critical:
    """Set every partial derivative of expr to zero, solve the system, and classify each solution by its Hessian."""
    try:
        grad = gradient(expr, vars, detail=detail, simplify=simplify, functions=functions)
    except UsageError:
        _reject_constant(expr, vars, functions)
        raise
    hess = hessian(grad.expr, grad.vars, detail=detail, simplify=simplify, functions=functions)
    solved = solve_system(grad.vector, grad.vars)
    points = tuple(CriticalPoint(solution, second_derivative_test(at_point(hess.matrix, solution))) for solution in solved.solutions)
    return Critical(grad.input, grad.expr, grad.vars, grad, hess, solved, points, grad.warnings)


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
    solutions = _sympy_solve(system, vars)
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

    The linear solver asks its coefficients only for +, -, *, /, == 0 and this class's members: a domain of
    symbolic coefficients (issue 5's Σ a_i and n) can take this one's place.
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
    """A linear form as the lecture writes it: terms in the order of the unknowns, the constant last (11b + 1, b/6 - 1/6)."""
    terms = [_term(domain.tree(form.coefficients[var]), var) for var in unknowns if var in form.coefficients]
    if form.constant != 0 or not terms:
        terms.append(domain.tree(form.constant))
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
        equations = (Equation((var, solution_tree)),)
        if not domain.is_unit(coefficient):
            equations = (Equation((_term(domain.tree(coefficient), var), tree(rest.scaled(-domain.one)))),) + equations
        if solution.coefficients:
            steps.append(SolveStep("express", f"from ({label}), express {{x}}", {"x": var}, equations))
        else:
            steps.append(SolveStep("solve", f"solve ({label}) for {{x}}", {"x": var}, equations))
        for other in sorted(forms):
            if var not in forms[other].coefficients:
                continue
            substituted = substitute(shown[other], {var: solution_tree}).after
            forms[other] = forms[other].replaced(var, solution)
            shown[other] = tree(forms[other])
            steps.append(
                SolveStep(
                    "substitute",
                    f"put {{point}} into ({other}) and collect terms",
                    {"point": {var: solution_tree}},
                    (Equation((substituted, ZERO)), Equation((shown[other], ZERO))),
                )
            )
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
    return SolvedSystem("linear", tuple(steps), (point,))


# -- the second-derivative test -------------------------------------------------------------------------------------------


def second_derivative_test(matrix: Sequence[Sequence[Expr]]) -> SecondDerivativeTest:
    """Classify by the Hessian's definiteness: Sylvester's criterion on the leading principal minors, and the signs of
    the eigenvalues (Descartes' rule on the characteristic polynomial, exact for a symmetric matrix) when det H = 0."""
    rows = tuple(tuple(row) for row in matrix)
    if all(is_number(entry) for row in rows for entry in row):
        values = [[number_value(entry) for entry in row] for row in rows]
        minors = [_determinant([row[:k] for row in values[:k]]) for k in range(1, len(values) + 1)]
        minor_trees = tuple(number(m) for m in minors)
        minor_signs = tuple(_sign(m) for m in minors)
        polynomial_signs = lambda: ([_sign(c) for c in _characteristic_polynomial(values)], "")  # noqa: E731
    else:
        # What our simplifier leaves (sin(π/2), sqrt(3)^2) SymPy evaluates: the matrix is shown as it decides it.
        rows, minor_trees, minor_signs, polynomial_signs = _sympy_minors(rows)
    return _decide(rows, minor_trees, minor_signs, polynomial_signs)


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


# -- SymPy: a non-linear system, and the signs of symbolic minors (the only SymPy calls of this module) ----------------------


def _sympy_solve(system: Sequence[Expr], unknowns: Sequence[Var]) -> tuple[dict[Var, Expr], ...]:
    """sympy.solve over the reals, each solution back as a tree; a variable SymPy leaves free maps to itself."""
    import sympy

    from .sympy_bridge import from_sympy, to_sympy

    equations = [to_sympy(expr) for expr in system]
    real = {s: sympy.Symbol(s.name, real=True) for eq in equations for s in eq.free_symbols if isinstance(s, sympy.Symbol)}
    back = {r: s for s, r in real.items()}
    targets = [real.get(sympy.Symbol(_symbol_name(var)), sympy.Symbol(_symbol_name(var), real=True)) for var in unknowns]
    try:
        found = sympy.solve([eq.xreplace(real) for eq in equations], targets, dict=True)
    except NotImplementedError as err:
        raise EngineError(f"SymPy cannot solve this system ({err}); derivsteps has no other way to find its critical points") from None
    solutions = []
    for solution in found:
        values = {}
        for var, target in zip(unknowns, targets):
            value = sympy.simplify(solution[target]) if target in solution else target
            if value.is_real is False:
                break  # a complex solution is no critical point of a real function
            if value.has(sympy.I):
                shown = f"{_symbol_name(var)} = {value}"
                raise EngineError(f"SymPy writes a solution with complex numbers ({shown}), which derivsteps cannot show")
            values[var] = from_sympy(value.xreplace(back))
        else:
            solutions.append(values)
    return tuple(sorted(solutions, key=lambda s: _order(s, unknowns)))


def _order(solution: Mapping[Var, Expr], unknowns: Sequence[Var]) -> tuple:
    """Solutions from left to right (x = -1 before x = 1); a family after the points."""
    from .evaluate import evaluate

    key = []
    for var in unknowns:
        value = solution[var]
        try:
            key.append((0, float(evaluate(value, {}).real)))
        except DerivError:  # a family's free variable, or a value with no number (never expected from sympy.solve)
            key.append((1, 0.0))
    return tuple(key)


def _symbol_name(var: Var) -> str:
    from .sympy_bridge import symbol_name

    return symbol_name(var)


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


def _sympy_minors(rows: tuple[tuple[Expr, ...], ...]):
    """Leading principal minors of a symbolic matrix and their signs, and a function for the characteristic polynomial's."""
    import sympy

    from .sympy_bridge import from_sympy, to_sympy

    matrix = sympy.Matrix([[to_sympy(entry) for entry in row] for row in rows])
    real = {s: sympy.Symbol(s.name, real=True) for s in matrix.free_symbols if isinstance(s, sympy.Symbol)}
    matrix = matrix.xreplace(real).applyfunc(sympy.simplify)
    back = {r: s for s, r in real.items()}

    def shown(value, fallback: Expr) -> Expr:
        try:
            return from_sympy(value.xreplace(back))
        except EngineError:
            return fallback

    entries = tuple(tuple(shown(matrix[i, j], rows[i][j]) for j in range(len(rows))) for i in range(len(rows)))
    trees, signs = [], []
    for k in range(1, len(rows) + 1):
        minor = sympy.simplify(matrix[:k, :k].det())
        try:
            trees.append(from_sympy(minor.xreplace(back)))
        except EngineError:
            break  # undefined here (zoo) or not showable: the minors before it are all that is said
        signs.append(_sympy_sign(minor))

    def polynomial_signs():
        if len(trees) < len(rows):
            return [None], "SymPy gives a minor of H here that derivsteps cannot show (is f defined at this point?)"
        lam = sympy.Dummy("lambda")
        coefficients = [sympy.simplify(c) for c in matrix.charpoly(lam).all_coeffs()]
        found = [_sympy_sign(c) for c in coefficients]
        names = sorted({str(back.get(s, s)) for c in coefficients for s in c.free_symbols if s in back})
        reason = f"the signs depend on {', '.join(names)}" if names else "SymPy cannot decide the signs"
        return found, reason if None in found else ""

    return entries, tuple(trees), tuple(signs), polynomial_signs


def _sympy_sign(value) -> int | None:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None

