"""The derivative as a user asks for it: text or a tree, --wrt as typed; read, checked, then worked by the core engine.

The core engine works on a tree and a tuple of variables and knows no parser and no computer algebra. This front reads
the text (language.parser), resolves --wrt to variables, refuses the derivatives that are not defined here, and passes
SymPy in as the engine's fallback for what no rule covers (cas.sympy_steps, imported only when asked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..core import engine, limits
from ..core.derivation import DETAILS, Derivation
from ..core.engine import SIMPLIFY_LEVELS, Fallback, Simplify
from ..core.errors import LimitError, UsageError
from ..core.rules import Rule
from ..core.tree import Deriv, Expr, Pow, Sum, Var, is_number, number_value, variables, walk
from ..core.vocabulary import Detail
from ..language.parser import parse

Wrt = Var | str | Sequence[Var | str] | None


def _sympy_derivative(node: Deriv) -> Expr:
    from ..cas.sympy_steps import derivative  # SymPy loads only when a derivative needs it

    return derivative(node)


def _sympy_simplified(expr: Expr) -> Expr | None:
    from ..cas.sympy_steps import simplified

    return simplified(expr)


# The engine's fallback: SymPy's derivative where no rule matches (a cas_fallback step), and --simplify full.
SYMPY = Fallback(derivative=_sympy_derivative, simplify=_sympy_simplified)


def differentiate(
    expr: Expr | str,
    wrt: Wrt = None,
    *,
    detail: Detail | str = Detail.NORMAL,
    simplify: Simplify = "light",
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
    rules: Sequence[Rule] | None = None,
) -> Derivation:
    """Work out the derivative of expr step by step; wrt may list several variables (x, x is the second derivative).

    expr is a tree or the text a student types; wrt may be omitted when the expression has one variable or holds its
    own pending derivative (d/dx x^2 sin x); rules is the table, DIFF_RULES when None. The result is a Derivation:
    every step, named, in order.
    """
    if detail not in DETAILS:
        raise UsageError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    if simplify not in SIMPLIFY_LEVELS:
        raise UsageError(f"simplify must be one of {', '.join(SIMPLIFY_LEVELS)}, not {simplify!r}")
    text, warnings = None, ()
    if isinstance(expr, str):
        parsed = parse(expr, variables=variables, functions=functions)
        text, warnings, expr = expr, parsed.warnings, parsed.expr
    wrt_vars = _wrt(expr, wrt, variables, functions)
    if wrt_vars and _has_pending(expr):
        # d/dx … with --wrt x asks for one derivative, written twice: taking it twice would answer another question.
        if _front_operators(expr) != wrt_vars:
            raise UsageError(
                "the expression holds its own derivative operator, and --wrt "
                f"{','.join(_name(v) for v in wrt_vars)} would differentiate its result again; drop --wrt, or write the "
                "whole derivative in the expression (d/dy d/dx …)"
            )
        operators = " ".join(f"d/d{_name(v)}" for v in reversed(wrt_vars))
        warnings = (
            *warnings,
            f"the expression holds its own {operators} and --wrt asks for the same derivative: taken once",
        )
        wrt_vars = ()
    _refuse_indexed(expr, wrt_vars)
    # Through the module, so a test can stand in for the engine.
    derivation = engine.differentiate(expr, wrt_vars, detail=detail, simplify=simplify, rules=rules, fallback=SYMPY)
    return replace(derivation, input=text, warnings=tuple(warnings)) if text is not None or warnings else derivation


def _has_pending(expr: Expr) -> bool:
    return any(isinstance(node, Deriv) for _, node in walk(expr))


def _wrt(expr: Expr, wrt: Wrt, declared_vars: Sequence[str], functions: Sequence[str]) -> tuple[Var, ...]:
    """The variables to differentiate by, as Vars; none when the expression carries its own d/dx."""
    if wrt is None or wrt == ():
        if _has_pending(expr):
            return ()
        free = variables(expr)
        if len(free) == 1:
            return (free[0],)
        names = ", ".join(_name(v) for v in free)
        raise UsageError(
            f"say which variable to differentiate by: the expression has {len(free)} variables ({names}); use --wrt"
            if free
            else "the expression has no variable: its derivative is 0 with respect to anything; say which with --wrt"
        )
    if isinstance(wrt, str) and not wrt.strip():
        raise UsageError("--wrt is empty: name the variable to differentiate by, such as --wrt x (or leave --wrt out)")
    items = wrt.split(",") if isinstance(wrt, str) else [wrt] if isinstance(wrt, Var) else list(wrt)
    if len(items) > limits.MAX_DERIVATIVE_ORDER:
        raise LimitError(
            f"--wrt asks for a derivative of order {len(items):,}; the limit is {limits.MAX_DERIVATIVE_ORDER} "
            f"({limits.named('MAX_DERIVATIVE_ORDER')})"
        )
    result = []
    for item in items:
        if isinstance(item, Var):
            result.append(item)
            continue
        if not item.strip():
            raise UsageError(f"--wrt lists variables separated by commas, such as x or x,y; {wrt!r} has an empty one")
        name = item.strip()
        if len(name) == 1 and name.isascii() and name.isalpha() and name != "e" and name not in functions:
            # what the parser reads a single letter as; parsing it took most of a small derivative
            result.append(Var(name))
            continue
        var = parse(item.strip(), variables=declared_vars, functions=functions).expr
        if not isinstance(var, Var):
            raise UsageError(f"--wrt takes variables, such as x or x,y; {item.strip()!r} is not one")
        result.append(var)
    return tuple(result)


def _front_operators(expr: Expr) -> tuple[Var, ...] | None:
    """The variables of the derivative operators expr starts with, innermost first (d/dy d/dx u: x, y); None when it
    holds an operator anywhere else (x + d/dx u)."""
    own = []
    while isinstance(expr, Deriv) and isinstance(expr.var, Var):
        own.append(expr.var)
        expr = expr.body
    if _has_pending(expr):
        return None
    return tuple(reversed(own))


def _refuse_indexed(expr: Expr, wrt: tuple[Var, ...]) -> None:
    """w_j inside a sum over j is a whole column of values, not one variable: the derivative by it is not defined here.
    Nor is the derivative by a sum's bound: Σ_{i=1}^{x} counts x terms, a whole number, and Σ_i without bounds runs
    over the n data points."""
    sums = [node for _, node in walk(expr) if isinstance(node, Sum)]
    for var in wrt:
        for node in sums:
            bounds = [bound for bound in (node.lower, node.upper) if bound is not None]
            if any(var in variables(bound) for bound in bounds):
                raise UsageError(
                    f"a bound of the sum over {node.index} depends on {_name(var)}: the sum has a whole number of terms, "
                    f"so it is no differentiable function of {_name(var)}; derivsteps differentiates sums with fixed bounds"
                )
            if node.upper is None and var == Var("n"):
                raise UsageError(
                    f"n is the number of data points, the upper bound of the sum over {node.index}, not a variable to "
                    "differentiate by; differentiate by a parameter instead"
                )
    for _, node in walk(expr):
        if (
            isinstance(node, Pow)
            and is_number(node.base)
            and number_value(node.base) < 0
            and any(var in variables(node.exp) for var in wrt)
        ):
            shown = ", ".join(_name(var) for var in wrt if var in variables(node.exp))
            raise UsageError(
                f"a negative number to a power that depends on {shown} has a real value only where the exponent is a "
                "whole number, and no derivative there; derivsteps differentiates a^x for a base a > 0"
            )
    indices = {node.index for node in sums}
    for var in wrt:
        if var.sub is not None and var.sub.isalpha() and set(var.sub) & indices:
            raise UsageError(
                f"{_name(var)} is indexed by a sum over {''.join(sorted(set(var.sub) & indices))}: it stands for one value "
                "per data point, so there is no single variable to differentiate by; differentiate by a parameter instead"
            )
        columns = {
            node.name
            for _, node in walk(expr)
            if isinstance(node, Var) and node.sub is not None and set(node.sub) & indices
        }
        if var.sub is not None and var.name in columns and not set(var.sub) & indices:
            # a_1 beside a_i in a sum over i is one value of the column a, which the sum holds too: read as an
            # unrelated variable its derivative would silently be 0.
            raise UsageError(
                f"{_name(var)} is one value of the data column {var.name} that the sum runs over, not a variable of its "
                "own; differentiating by one data value is not supported: differentiate by a parameter instead"
            )


def _name(var: Var) -> str:
    return var.name if var.sub is None else f"{var.name}_{var.sub}"
