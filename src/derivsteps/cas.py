"""The few places where derivsteps asks SymPy for mathematics: a derivative no rule covers, and a shorter form."""

from __future__ import annotations

import sympy

from .sympy_bridge import from_sympy, to_sympy
from .tree import Deriv, Expr, size

# sympy.simplify takes seconds on large expressions; beyond this many nodes we do not ask it.
MAX_SIMPLIFY_NODES = 60


def derivative(node: Deriv) -> Expr:
    """SymPy's derivative of a pending derivative, as our tree (the cas_fallback step)."""
    return from_sympy(to_sympy(node).doit())


def simplified(expr: Expr) -> Expr | None:
    """SymPy's simplification of expr when it has fewer nodes than expr, else None."""
    if size(expr) > MAX_SIMPLIFY_NODES:
        return None
    candidate = from_sympy(sympy.simplify(to_sympy(expr)))
    return candidate if size(candidate) < size(expr) else None
