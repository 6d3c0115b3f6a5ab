"""Several variables: the gradient and the Hessian as collections of derivations, and points such as a=1, b=2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.derivation import Derivation, Displayed
from ..core.errors import UsageError
from ..core.tree import Div, Expr, Neg, Num, Sum, Var, is_number, variables, walk
from .derivative import differentiate


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Gradient(Displayed):
    """∇f: one derivation per variable, in the order of `vars`."""

    input: str | None
    expr: Expr
    vars: tuple[Var, ...]
    components: tuple[Derivation, ...]
    warnings: tuple[str, ...] = ()

    @property
    def vector(self) -> tuple[Expr, ...]:
        return tuple(d.result for d in self.components)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Hessian(Displayed):
    """The matrix of second partials: entries[i][j] is the derivation of ∂²f/∂x_j∂x_i (first by x_i, then x_j)."""

    input: str | None
    expr: Expr
    vars: tuple[Var, ...]
    entries: tuple[tuple[Derivation, ...], ...]
    warnings: tuple[str, ...] = ()

    @property
    def matrix(self) -> tuple[tuple[Expr, ...], ...]:
        return tuple(tuple(d.result for d in row) for row in self.entries)


def _read(expr: Expr | str, names: Sequence[str], functions: Sequence[str]) -> tuple[str | None, Expr, tuple[str, ...]]:
    if isinstance(expr, str):
        from ..language.parser import parse

        parsed = parse(expr, variables=[n for n in names if len(n) > 1 and n.isalpha()], functions=functions)
        return expr, parsed.expr, parsed.warnings
    return None, expr, ()


def choose_variables(expr: Expr, names: Sequence[str | Var] = ()) -> tuple[Var, ...]:
    """The variables to work with: as listed (checked to occur in expr), or by default the free ones in alphabetical
    order — except for a loss with sums over data, whose parameters come in the order they appear (s, b, as the
    lecture writes them), without the data a_i, h_i and the count n."""
    free = variables(expr)
    if not names:
        if any(isinstance(node, Sum) for _, node in walk(expr)):
            from ..data.datasets import COUNT, parameters

            free = [var for var in parameters(expr) if var != COUNT]
            if free:
                return tuple(free)
        if not free:
            raise UsageError("the expression has no variables: there is nothing to differentiate by")
        return tuple(sorted(free, key=_sort_key))
    chosen = []
    for name in names:
        var = name if isinstance(name, Var) else variable_named(name)
        if var not in free:
            shown = ", ".join(variable_name(v) for v in sorted(free, key=_sort_key)) or "none"
            raise UsageError(f"{variable_name(var)} does not occur in the expression (its variables: {shown})")
        if var in chosen:
            raise UsageError(f"{variable_name(var)} is listed twice in --vars")
        chosen.append(var)
    return tuple(chosen)


def gradient(
    expr: Expr | str,
    vars: Sequence[str | Var] = (),
    *,
    detail: str = "normal",
    simplify: str = "light",
    functions: Sequence[str] = (),
) -> Gradient:
    """∇f: the partial derivative by each variable, each a full derivation (verify each with verification.verify)."""
    names = [v for v in vars if isinstance(v, str)]
    text, tree, warnings = _read(expr, names, functions)
    chosen = choose_variables(tree, vars)
    parts = tuple(differentiate(tree, (var,), detail=detail, simplify=simplify) for var in chosen)
    return Gradient(text, tree, chosen, tuple(_with_input(d, text, warnings) for d in parts), warnings)


def hessian(
    expr: Expr | str,
    vars: Sequence[str | Var] = (),
    *,
    detail: str = "normal",
    simplify: str = "light",
    functions: Sequence[str] = (),
) -> Hessian:
    """The matrix of second partials, each entry a derivation in two passes (by x_i, then by x_j)."""
    names = [v for v in vars if isinstance(v, str)]
    text, tree, warnings = _read(expr, names, functions)
    chosen = choose_variables(tree, vars)
    rows = tuple(
        tuple(
            _with_input(differentiate(tree, (first, second), detail=detail, simplify=simplify), text, warnings)
            for second in chosen
        )
        for first in chosen
    )
    return Hessian(text, tree, chosen, rows, warnings)


def _with_input(derivation: Derivation, text: str | None, warnings: tuple[str, ...]) -> Derivation:
    return Derivation(
        text, derivation.expr, derivation.wrt, derivation.start, derivation.steps, warnings, derivation.detail
    )


def parse_point(text: str, functions: Sequence[str] = ()) -> dict[Var, Expr]:
    """a=1,b=2 (also a=1/2, b=-0.5, θ=0) as variables and exact numbers; decimals stay decimals."""
    from ..language.parser import parse

    point: dict[Var, Expr] = {}
    for item in [part for part in text.split(",")]:
        name, equals, value = item.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise UsageError(
                f"a point is written name=value, separated by commas, such as a=1,b=2; {item.strip()!r} is not"
            )
        var = variable_named(name.strip())
        number = parse(value.strip(), functions=functions).expr
        if not is_number(number):
            raise UsageError(
                f"the value of {variable_name(var)} must be a number (such as 2, -0.5 or 1/3), not {value.strip()!r}"
            )
        if var in point:
            raise UsageError(f"{variable_name(var)} is given twice")
        point[var] = number
    return point


def check_point(expr: Expr, point: Mapping[Var, Expr], vars: Sequence[Var] | None = None) -> None:
    """Every variable of expr (or of vars) has a value; a value for a variable expr lacks is a mistake too."""
    needed = list(vars) if vars is not None else variables(expr)
    missing = [v for v in needed if v not in point]
    if missing:
        raise UsageError(f"the point gives no value for {', '.join(variable_name(v) for v in missing)}")
    extra = [v for v in point if v not in variables(expr)]
    if extra:
        raise UsageError(f"{', '.join(variable_name(v) for v in extra)} does not occur in the expression")


def point_words(point: Mapping[Var, Expr]) -> str:
    """a = 1, b = -1/2 for messages; the values are the literal numbers parse_point makes."""
    return ", ".join(f"{variable_name(var)} = {_number_words(value)}" for var, value in point.items())


def _number_words(value: Expr) -> str:
    match value:
        case Num(number, text):
            return text if text is not None else str(number)
        case Neg(arg):
            return "-" + _number_words(arg)
        case Div(num, den):
            return f"{_number_words(num)}/{_number_words(den)}"
    return repr(value)


def variable_named(name: str) -> Var:
    """The variable a name stands for: a, θ, a_i, or a multi-letter name such as rate (declared by being named)."""
    from ..language.parser import parse

    parsed = parse(name, variables=[name] if len(name) > 1 and name.isalpha() else ()).expr
    if not isinstance(parsed, Var):
        raise UsageError(f"{name!r} is not a variable name")
    return parsed


def variable_name(var: Var) -> str:
    """a, θ, a_i: the name as typed on the command line."""
    return var.name if var.sub is None else f"{var.name}_{var.sub}"


def _sort_key(var: Var) -> tuple[str, str]:
    return (var.name, var.sub or "")
