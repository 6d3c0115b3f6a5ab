"""Implicit differentiation: both sides of an equation differentiated with y = y(x), then the result solved for dy/dx."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from math import gcd

from ..cas import workers
from ..cas.equivalence import vanishes
from ..core.derivation import Derivation, Displayed, Step, Verification
from ..core.engine import simplify as tidy
from ..core.errors import CasLimitError, DerivError, EngineError, UsageError
from ..core.tree import (
    ONE,
    ZERO,
    Add,
    Apply,
    Const,
    Deriv,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Var,
    free_of,
    is_number,
    mul,
    negate,
    replace_all,
    variables,
)  # fmt: skip
from .derivative import differentiate
from .multivar import variable_name, variable_named

# The lecture's names: y is the function of x unless the command line says otherwise.
X, Y = Var("x"), Var("y")

# The solving steps, in the order they can occur; each arrives at an equation in y and y'(x).
ACTIONS = ("differentiate", "collect", "simplify", "negate", "factor", "divide", "cancel", "cas_simplify")


@dataclass(frozen=True, slots=True, eq=False)
class ImplicitStep:
    """One line of the solving: the action (one of ACTIONS), what it did as a template over `bindings` (each renderer
    writes the math in its own notation), and the equation lhs = rhs it arrives at, in y and y'(x). A "simplify" line keeps the
    simplifier's own steps, side by side (left first), so --detail full can show every rewrite."""

    action: str
    template: str
    bindings: Mapping[str, Expr]
    lhs: Expr
    rhs: Expr
    steps: tuple[Step, ...] = ()
    side: tuple[str, ...] = ()  # for each of `steps`, the side it rewrites: "lhs" or "rhs"


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Implicit(Displayed):
    """dy/dx from an equation in x and y: each side's derivation (y written y(x)), then the solving, step by step.

    The derivations write y as y(x), as the chain rule sees it; the solving writes y again, as the lecture does, and
    its unknown y'(x) (dy/dx).
    """

    input: str | None
    lhs: Expr  # the equation as read, with y a variable
    rhs: Expr
    wrt: Var
    dependent: Var
    left: Derivation  # d/dx of the left-hand side, y = y(x)
    right: Derivation
    steps: tuple[ImplicitStep, ...]
    coefficient: Expr  # A in A·y'(x) = C: dy/dx is undefined where it is 0
    warnings: tuple[str, ...] = ()
    detail: str = "normal"
    verification: Verification | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def function(self) -> Apply:
        """y(x)."""
        return Apply(variable_name(self.dependent), (self.wrt,))

    @property
    def derivative(self) -> Apply:
        """y'(x), the unknown the solving is for."""
        return Apply(variable_name(self.dependent), (self.wrt,), (0,))

    @property
    def result(self) -> Expr:
        """dy/dx, written with x and y: the right-hand side of the last line."""
        return self.steps[-1].rhs

    @property
    def function_of(self) -> Expr:
        """F = lhs - rhs, whose level set F = 0 the equation is: dy/dx = -F_x/F_y."""
        if self.rhs == ZERO:
            return self.lhs
        return Add((*_terms(self.lhs), *(negate(term) for term in _terms(self.rhs))))

    def function_form(self, expr: Expr) -> Expr:
        """A line of the solving with y written y(x) again, as what it means: y'(x) is the derivative of y(x)."""
        return replace_all(expr, {self.dependent: self.function})


def implicit_derivative(
    equation: str | tuple[Expr, Expr],
    wrt: Var | str | None = None,
    dependent: Var | str | None = None,
    *,
    detail: str = "normal",
    simplify: str = "light",
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Implicit:
    """dy/dx from an equation such as "x^2 + y^2 = 25", step by step (check it with verify_implicit).

    equation is the text a student types or a pair of trees (lhs, rhs). The dependent variable is y unless named;
    with exactly two variables and wrt given, it is the other one. wrt may be left out when it is then clear (x, or
    the only other variable). Other variables are held constant.
    """
    text, warnings = None, ()
    if isinstance(equation, str):
        from ..language.parser import parse_equation

        read = parse_equation(equation, variables=variables, functions=functions)
        text, warnings, lhs, rhs = equation, read.warnings, read.lhs, read.rhs
    else:
        lhs, rhs = equation
    x, y = choose_variables(lhs, rhs, wrt, dependent)
    function = Apply(variable_name(y), (x,))
    derivative = Apply(variable_name(y), (x,), (0,))
    sides = [
        differentiate(replace_all(side, {y: function}), (x,), detail=detail, simplify=simplify) for side in (lhs, rhs)
    ]
    left, right = (Derivation(text, d.expr, d.wrt, d.start, d.steps, (), d.detail, None, d.notes) for d in sides)
    # The solving writes y again: the simplifier then orders y among the variables (y cos(xy), not cos(xy) y(x)).
    variable = {function: y}
    steps, coefficient = _solve(
        replace_all(left.result, variable), replace_all(right.result, variable), derivative, x, y, simplify
    )
    return Implicit(text, lhs, rhs, x, y, left, right, tuple(steps), coefficient, tuple(warnings), detail)


def choose_variables(lhs: Expr, rhs: Expr, wrt: Var | str | None, dependent: Var | str | None) -> tuple[Var, Var]:
    """(x, y): the variable to differentiate by and the dependent one (see implicit_derivative)."""
    free = list(dict.fromkeys([*variables(lhs), *variables(rhs)]))
    x = _as_variable(wrt, "--wrt")
    y = _as_variable(dependent, "--dependent")
    names = ", ".join(variable_name(v) for v in free) or "none"
    if y is None:
        if x is not None and len(free) == 2 and x in free:
            y = free[1] if free[0] == x else free[0]
        elif Y in free and x != Y:
            y = Y
        else:
            raise UsageError(
                f"the equation has no dependent variable to find the derivative of (its variables: {names}); "
                "y is the default: name another with --dependent, such as --dependent v"
            )
    if y not in free:
        raise UsageError(
            f"{variable_name(y)} does not occur in the equation (its variables: {names}), so there is no d{variable_name(y)} to find"
        )
    if x is None:
        others = [v for v in free if v != y]
        if len(others) == 1 or X in others:
            x = others[0] if len(others) == 1 else X
        else:
            said = (
                f"its other variables are {', '.join(variable_name(v) for v in others)}"
                if others
                else f"it has no variable but {variable_name(y)}"
            )
            raise UsageError(f"say which variable {variable_name(y)} is a function of with --wrt ({said})")
    if x == y:
        raise UsageError(
            f"{variable_name(x)} cannot be both the variable to differentiate by and the dependent variable"
        )
    if x not in free:
        raise UsageError(f"{variable_name(x)} does not occur in the equation (its variables: {names})")
    return x, y


def _as_variable(name: Var | str | None, option: str) -> Var | None:
    if name is None or isinstance(name, Var):
        return name
    if not name.strip():
        return None
    try:
        return variable_named(name.strip())
    except DerivError:
        raise UsageError(f"{option} takes one variable, such as x; {name.strip()!r} is not one") from None


# -- solving for y'(x) ------------------------------------------------------------------------------------------------------


def _solve(left: Expr, right: Expr, d: Apply, x: Var, y: Var, simplify: str) -> tuple[list[ImplicitStep], Expr]:
    """The lines from left = right (the sides' derivatives) to y'(x) = result, and the coefficient A of y'(x)."""
    said = {"x": x, "y": y}
    steps = [ImplicitStep("differentiate", "differentiate both sides by {x}, with {y} = {y}({x})", said, left, right)]
    left_a, left_b = split_linear(left, d)
    right_a, right_b = split_linear(right, d)
    terms = [t for t in [*left_a, *(negate(t) for t in right_a)] if t != ZERO]
    rest = [t for t in [*right_b, *(negate(t) for t in left_b)] if t != ZERO]
    if not terms:
        raise _no_derivative(x, y)
    lhs, rhs = add_terms([times(t, d) for t in terms]), add_terms(_positive_first(rest))
    if (lhs, rhs) != (left, right):
        steps.append(ImplicitStep("collect", "collect the {d} terms on the left", {"d": d}, lhs, rhs))
    if simplify != "none":
        steps += _simplified(steps[-1])
    terms, rest = split_linear(steps[-1].lhs, d)
    if rest:  # the simplifier does not move terms across the equals sign; this keeps the solving honest if it did
        raise EngineError("the dy/dx terms could not be collected on one side")
    if all(isinstance(term, Neg) for term in terms):  # -2 - 6xy as the factor: the lecture turns the signs round first
        terms = [negate(term) for term in terms]
        lhs, rhs = (
            add_terms([times(term, d) for term in terms]),
            add_terms(_positive_first(negate(term) for term in _terms(steps[-1].rhs))),
        )
        steps.append(ImplicitStep("negate", "multiply both sides by -1", {}, lhs, rhs))
    coefficient = add_terms(terms)
    if coefficient == ZERO or not is_number(coefficient) and vanishes(coefficient):
        raise _no_derivative(x, y)
    if len(terms) > 1:
        steps.append(ImplicitStep("factor", "factor out {d}", {"d": d}, times_sum(coefficient, d), steps[-1].rhs))
    if coefficient != ONE:
        quotient = _quotient(steps[-1].rhs, coefficient)
        steps.append(
            ImplicitStep("divide", "solve for {d}: divide both sides by {a}", {"d": d, "a": coefficient}, d, quotient)
        )
    if simplify != "none":
        steps += _tidy_result(steps[-1], d)
    if simplify == "full":
        steps += _cas_simplified(steps[-1])
    return steps, coefficient


def _positive_first(terms) -> list[Expr]:
    """The terms with those written without a minus sign first, as a sum is written: 2x - 3y^2, not -3y^2 + 2x."""
    terms = list(terms)
    return [t for t in terms if not isinstance(t, Neg)] + [t for t in terms if isinstance(t, Neg)]


def _no_derivative(x: Var, y: Var) -> UsageError:
    dy, dx = f"d{variable_name(y)}", f"d{variable_name(x)}"
    return UsageError(
        f"{dy}/{dx} does not appear once both sides are differentiated, so the equation does not determine it: "
        f"{variable_name(y)} is not (locally) a function of {variable_name(x)} defined by this equation"
    )


def split_linear(expr: Expr, d: Expr) -> tuple[list[Expr], list[Expr]]:
    """expr as Σ a_k·d + Σ b_k, with no a_k or b_k holding d: ([a_k], [b_k]). A product is multiplied out only as
    far as it holds d, in the order written: cos(xy)(x y' + y) gives a = cos(xy) x and b = cos(xy) y.

    The derivative of an expression is linear in y'(x), so every node that holds d is a sum, a sign, a product with
    d in one factor, or a quotient with d above the bar; anything else is a bug, reported as an EngineError.
    """
    if expr == d:
        return [ONE], []
    if free_of(expr, d):
        return [], [expr]
    match expr:
        case Add(terms):
            parts = [split_linear(term, d) for term in terms]
            return [a for p in parts for a in p[0]], [b for p in parts for b in p[1]]
        case Neg(arg):
            a, b = split_linear(arg, d)
            return [negate(t) for t in a], [negate(t) for t in b]
        case Mul(factors):
            holding = [k for k, factor in enumerate(factors) if not free_of(factor, d)]
            if len(holding) == 1:
                k = holding[0]
                a, b = split_linear(factors[k], d)
                before, after = factors[:k], factors[k + 1 :]
                return [product(*before, t, *after) for t in a], [product(*before, t, *after) for t in b]
        case Div(num, den) if free_of(den, d):
            a, b = split_linear(num, d)
            return [_quotient(t, den) for t in a], [_quotient(t, den) for t in b]
    raise EngineError("the derivative is not linear in dy/dx here, so it cannot be solved for it")


def product(*factors: Expr) -> Expr:
    """The product written out flat: inner products joined, factors 1 left out, a minus sign in front."""
    sign = False
    flat: list[Expr] = []
    for factor in factors:
        while isinstance(factor, Neg):
            sign, factor = not sign, factor.arg
        flat += factor.factors if isinstance(factor, Mul) else [factor]
    result = mul(*(f for f in flat if f != ONE))
    return negate(result) if sign else result


def times(coefficient: Expr, d: Expr) -> Expr:
    """coefficient · d, as the lecture writes a term: 2y · dy/dx, -6x · dy/dx, dy/dx alone for 1."""
    return product(coefficient, d)


def times_sum(coefficient: Expr, d: Expr) -> Expr:
    """(a + b) · d: the factored form, the sum bracketed by the printer."""
    return Mul((coefficient, d)) if isinstance(coefficient, Add) else times(coefficient, d)


def add_terms(terms) -> Expr:
    """The sum of the terms, 0 when there are none."""
    terms = list(terms)
    if not terms:
        return ZERO
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def _quotient(numerator: Expr, denominator: Expr) -> Expr:
    """numerator/denominator, the sign in front: -2x/(2y) and -(2x + y)/(x + 2y) as the lecture writes them, not
    (-2x)/(2y) and (-2x - y)/(x + 2y)."""
    if isinstance(numerator, Neg):
        return Neg(Div(numerator.arg, denominator))
    if isinstance(numerator, Add) and all(isinstance(term, Neg) for term in numerator.terms):
        return Neg(Div(Add(tuple(term.arg for term in numerator.terms)), denominator))
    return Div(numerator, denominator)


def _simplified(line: ImplicitStep) -> list[ImplicitStep]:
    """The line's sides through the engine's simplifier, as one "simplify" line; none when nothing changes."""
    left, right = tidy(line.lhs), tidy(line.rhs)
    if not left and not right:
        return []
    lhs = left[-1].after if left else line.lhs
    rhs = right[-1].after if right else line.rhs
    return [
        ImplicitStep("simplify", "simplify", {}, lhs, rhs, left + right, ("lhs",) * len(left) + ("rhs",) * len(right))
    ]


def _tidy_result(line: ImplicitStep, d: Expr) -> list[ImplicitStep]:
    """Simplify y'(x) = ...; then cancel a whole number that divides every term above and below the bar (which the
    simplifier leaves: (6y - 3x^2)/(3y^2 - 6x) is (2y - x^2)/(y^2 - 2x)), and simplify again if that leaves work."""
    steps = _simplified(line)
    last = steps[-1] if steps else line
    factor, cancelled = cancel_common_factor(last.rhs)
    if factor > 1:
        steps.append(ImplicitStep("cancel", "cancel the common factor {k}", {"k": Num(factor)}, d, cancelled))
        steps += _simplified(steps[-1])
    return steps


def _cas_simplified(line: ImplicitStep) -> list[ImplicitStep]:
    """--simplify full: SymPy's simplification of the result when it is shorter (cas.simplified)."""
    from ..cas.sympy_steps import simplified

    better = simplified(line.rhs)
    if better is None:
        return []
    return [ImplicitStep("cas_simplify", "simplified by SymPy", {}, line.lhs, better)]


def cancel_common_factor(expr: Expr) -> tuple[int, Expr]:
    """(k, expr with k cancelled) for the largest whole number k > 1 dividing every term of a quotient's numerator and
    denominator; (1, expr) when there is none."""
    if isinstance(expr, Neg):
        factor, inner = cancel_common_factor(expr.arg)
        return factor, Neg(inner)
    if not isinstance(expr, Div):
        return 1, expr
    terms = [*_terms(expr.num), *_terms(expr.den)]
    factor = 0
    for term in terms:
        factor = gcd(factor, _whole_coefficient(term))
    if factor <= 1:
        return 1, expr
    return factor, Div(_divide_terms(expr.num, factor), _divide_terms(expr.den, factor))


def _terms(expr: Expr) -> tuple[Expr, ...]:
    return expr.terms if isinstance(expr, Add) else (expr,)


def _whole_coefficient(term: Expr) -> int:
    """The whole number a term starts with (3 in -3x^2, 6 in 6y, 1 in y)."""
    while isinstance(term, Neg):
        term = term.arg
    if isinstance(term, Mul):
        term = term.factors[0]
    if isinstance(term, Num) and isinstance(term.value, int) and term.text is None:
        return term.value
    return 1


def _divide_terms(expr: Expr, factor: int) -> Expr:
    if isinstance(expr, Add):
        return Add(tuple(_divide_term(term, factor) for term in expr.terms))
    return _divide_term(expr, factor)


def _divide_term(term: Expr, factor: int) -> Expr:
    if isinstance(term, Neg):
        return Neg(_divide_term(term.arg, factor))
    if isinstance(term, Num):
        return Num(term.value // factor)
    coefficient = term.factors[0].value // factor  # _whole_coefficient found a whole number first
    rest = term.factors[1:]
    return mul(*rest) if coefficient == 1 else Mul((Num(coefficient), *rest))


# -- verification ---------------------------------------------------------------------------------------------------------------


def verify_implicit(result: Implicit) -> Implicit:
    """The same result with its dy/dx checked against -F_x/F_y (F = lhs - rhs), computed by SymPy in the CAS worker."""
    try:
        check = workers.run(
            _check, result.function_of, result.wrt, result.dependent, result.result, what="verification"
        )
    except CasLimitError as error:
        check = Verification(None, None, error.message)
    except RecursionError:
        check = Verification(None, None, "SymPy cannot handle an expression nested this deep (its recursion failed)")
    return replace(result, verification=check)


def _check(function_of: Expr, x: Var, y: Var, result: Expr) -> Verification:
    # Runs in the CAS worker: the bridge builds every SymPy object from our trees, and sympy.Derivative.doit
    # differentiates, so no text is ever parsed and this module imports no SymPy of its own.
    from ..cas.bridge import from_sympy, to_sympy
    from ..cas.equivalence import compare, real_reading, real_variables

    partial_x = real_reading(real_variables(to_sympy(Deriv(function_of, x))).doit())
    partial_y = real_reading(real_variables(to_sympy(Deriv(function_of, y))).doit())
    if partial_y == 0:
        return Verification(None, None, f"∂F/∂{variable_name(y)} is 0, so -F_x/F_y gives no value to compare with")
    expected = -partial_x / partial_y
    outcome = compare(expected, real_reading(to_sympy(result)))
    verdict, method, reason = outcome.holds, outcome.decided_by, outcome.reason
    shown = None
    if verdict is False:
        try:
            shown = from_sympy(expected)
        except DerivError:
            shown = None
    return Verification(verdict, method, reason, shown)


def never_zero(expr: Expr) -> bool:
    """A factor that is no condition: a nonzero number, or e to a power."""
    if is_number(expr):
        return expr != ZERO
    return isinstance(expr, Pow) and expr.base == Const("e")


def undefined_where(result: Implicit) -> Expr | None:
    """What must not be 0 for dy/dx to exist (the coefficient A without factors that are never 0, such as 2 or e^y,
    and without a whole number common to its terms); None when A is never 0. A quotient is 0 where its numerator
    is: 1/(2 sqrt(y)) never is (where sqrt(y) = 0 the equation's own derivative is undefined)."""
    coefficient = result.coefficient
    while isinstance(coefficient, (Neg, Div)):
        coefficient = coefficient.arg if isinstance(coefficient, Neg) else coefficient.num
    factors = [
        f for f in (coefficient.factors if isinstance(coefficient, Mul) else (coefficient,)) if not never_zero(f)
    ]
    if not factors:
        return None
    shown = mul(*factors)
    common = 0
    for term in _terms(shown):
        common = gcd(common, _whole_coefficient(term))
    return _divide_terms(shown, common) if common > 1 else shown
