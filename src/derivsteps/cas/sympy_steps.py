"""The few places where derivsteps asks SymPy for mathematics: a derivative no rule covers, a shorter form, a
non-linear system to solve, and the signs of a Hessian with symbols in it.

Each runs under the CAS deadline (workers.run: limits.CAS_SECONDS, limits.CAS_MEMORY_MB). Past it, simplified() finds
no shorter form; the others raise the CasLimitError (a LimitError), since nothing can be said without them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy

from ..core.errors import CasLimitError, DerivError, EngineError
from ..core.tree import Deriv, Expr, Var, size
from . import workers
from .bridge import from_sympy, symbol_name, to_sympy

# sympy.simplify takes seconds on large expressions; beyond this many nodes we do not ask it.
MAX_SIMPLIFY_NODES = 60


def derivative(node: Deriv) -> Expr:
    """SymPy's derivative of a pending derivative, as our tree (the cas_fallback step)."""
    return workers.run(_derivative, node, what="derivative (cas_fallback)")


def _derivative(node: Deriv) -> Expr:
    return from_sympy(to_sympy(node).doit())


def simplified(expr: Expr) -> Expr | None:
    """SymPy's simplification of expr when it has fewer nodes than expr, else None (also when SymPy overruns its limits)."""
    if size(expr) > MAX_SIMPLIFY_NODES:
        return None
    try:
        return workers.run(_simplified, expr, what="simplification")
    except CasLimitError:
        return None


def _simplified(expr: Expr) -> Expr | None:
    candidate = from_sympy(sympy.simplify(to_sympy(expr)))
    return candidate if size(candidate) < size(expr) else None


# -- critical points: a non-linear system, and the signs of a Hessian with symbols in it -------------------------------
def solve_real(system: Sequence[Expr], unknowns: Sequence[Var]) -> tuple[dict[Var, Expr], ...]:
    """sympy.solve over the reals, each solution back as a tree; a variable SymPy leaves free maps to itself."""
    return workers.run(_solve_real, system, unknowns, what="solving of the system")


def _solve_real(system: Sequence[Expr], unknowns: Sequence[Var]) -> tuple[dict[Var, Expr], ...]:
    equations = [to_sympy(expr) for expr in system]
    real = {
        s: sympy.Symbol(s.name, real=True) for eq in equations for s in eq.free_symbols if isinstance(s, sympy.Symbol)
    }
    back = {r: s for s, r in real.items()}
    targets = [real.get(sympy.Symbol(symbol_name(var)), sympy.Symbol(symbol_name(var), real=True)) for var in unknowns]
    try:
        found = sympy.solve([eq.xreplace(real) for eq in equations], targets, dict=True)
    except NotImplementedError as err:
        raise EngineError(
            f"SymPy cannot solve this system ({err}); derivsteps has no other way to find its critical points"
        ) from None
    solutions = []
    for solution in found:
        values = {}
        for var, target in zip(unknowns, targets):
            value = sympy.simplify(solution[target]) if target in solution else target
            if value.is_real is False:
                break  # a complex solution is no critical point of a real function
            if value.has(sympy.I):
                shown = f"{symbol_name(var)} = {value}"
                raise EngineError(
                    f"SymPy writes a solution with complex numbers ({shown}), which derivsteps cannot show"
                )
            values[var] = from_sympy(value.xreplace(back))
        else:
            solutions.append(values)
    return tuple(sorted(solutions, key=lambda s: _order(s, unknowns)))


def _order(solution: Mapping[Var, Expr], unknowns: Sequence[Var]) -> tuple:
    """Solutions from left to right (x = -1 before x = 1); a family after the points."""
    from ..core.numeric import evaluate

    key = []
    for var in unknowns:
        value = solution[var]
        try:
            key.append((0, float(evaluate(value, {}).real)))
        except DerivError:  # a family's free variable, or a value with no number (never expected from sympy.solve)
            key.append((1, 0.0))
    return tuple(key)


def symbolic_minors(rows: tuple[tuple[Expr, ...], ...]):
    """Leading principal minors of a symbolic matrix and their signs, and a function for the characteristic polynomial's."""
    entries, trees, signs, matrix, back = workers.run(_minors, rows, what="computation of the Hessian's minors")

    def polynomial_signs():
        if len(trees) < len(rows):
            return [None], "SymPy gives a minor of H here that derivsteps cannot show (is f defined at this point?)"
        try:
            return workers.run(_polynomial_signs, matrix, back, what="characteristic polynomial")
        except CasLimitError as error:
            return [None], f"SymPy cannot decide the signs: {error.message}"

    return entries, trees, signs, polynomial_signs


def _minors(rows: tuple[tuple[Expr, ...], ...]):
    """The matrix as SymPy decides it, its minors as trees and their signs, and the SymPy matrix for the polynomial."""
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
        signs.append(sign_of(minor))
    return entries, tuple(trees), tuple(signs), sympy.ImmutableMatrix(matrix), back


def _polynomial_signs(matrix, back) -> tuple[list[int | None], str]:
    lam = sympy.Dummy("lambda")
    coefficients = [sympy.simplify(c) for c in matrix.charpoly(lam).all_coeffs()]
    found = [sign_of(c) for c in coefficients]
    names = sorted({str(back.get(s, s)) for c in coefficients for s in c.free_symbols if s in back})
    reason = f"the signs depend on {', '.join(names)}" if names else "SymPy cannot decide the signs"
    return found, reason if None in found else ""


def sign_of(value) -> int | None:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None
