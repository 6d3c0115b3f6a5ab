"""Evaluation at a point: the substitution as a step, then the exact arithmetic, and a float only when asked for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from .derivation import Displayed, Step, group_lines
from .engine import simplify, substitute
from .errors import UsageError
from .multivar import MULTIVAR_DISPLAY, Gradient, check_point, parse_point, point_words, variable_name, variable_named
from .tree import Apply, Deriv, Expr, Mul, Neg, Num, Pow, Sum, Var, decimal_num, is_number, number, walk

# An imaginary part this small (relative to the real part) is rounding in the 80-digit evaluator, not a complex value.
_IMAGINARY_TOLERANCE = 1e-40

PointLike = Mapping[Var | str, Expr | int | Fraction | float | str] | str


@dataclass(frozen=True, slots=True, eq=False)
class Evaluation(Displayed):
    """An expression worked out at a point: the substitution step, then the arithmetic steps, in order."""

    DISPLAY: ClassVar[Mapping[str, str]] = MULTIVAR_DISPLAY

    input: str | None  # the text as typed, None for a tree
    expr: Expr
    point: Mapping[Var, Expr]
    steps: tuple[Step, ...]  # the substitution (absent when no variable occurs), then the arithmetic
    approximation: Expr | None = None  # numeric=True: the float value of the result, as a decimal
    warnings: tuple[str, ...] = ()
    detail: str = "full"  # the arithmetic is the point of an evaluation, so every rewrite is a line by default

    @property
    def result(self) -> Expr:
        """The exact value: the last step's expression."""
        return self.steps[-1].after if self.steps else self.expr

    @property
    def value(self) -> Expr:
        """What was asked for: the float when numeric, else the exact result."""
        return self.result if self.approximation is None else self.approximation

    def lines(self, detail: str | None = None) -> tuple[Step, ...]:
        return group_lines(self.steps, detail or self.detail)


def evaluate_at(
    expr: Expr | str,
    point: PointLike,
    numeric: bool = False,
    *,
    detail: str = "full",
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Evaluation:
    """expr at the point, exactly: evaluate_at("x^2 + 2y", "x=0.5,y=1/3").result is 11/12.

    point is text such as "a=1,b=2" or a mapping from variables (or their names) to numbers; every variable of expr
    needs a value and every value a variable of expr. numeric=True adds the float value (mpmath) as `approximation`.
    """
    point = to_point(point, functions)
    text, warnings = None, ()
    if isinstance(expr, str):
        from .parser import parse

        # A multi-letter name in the point (rate=2) is a variable of the expression, as --vars rate would declare.
        named = [*variables, *(v.name for v in point if v.sub is None and len(v.name) > 1 and v.name.isalpha())]
        parsed = parse(expr, variables=named, functions=functions)
        text, warnings, expr = expr, parsed.warnings, parsed.expr
    _check_evaluable(expr)
    check_point(expr, point)
    return _work_out(expr, point, numeric, detail, text, tuple(warnings))


def gradient_at(
    gradient: Gradient, point: PointLike, numeric: bool = False, *, detail: str = "full", functions: Sequence[str] = ()
) -> list[Evaluation]:
    """Each component of the gradient at the point, in the order of gradient.vars; the point must give every
    variable of the function a value (a component such as 2b - a may not hold them all)."""
    point = to_point(point, functions)
    check_point(gradient.expr, point)
    return [_work_out(component, point, numeric, detail, None, ()) for component in gradient.vector]


def to_point(point: PointLike, functions: Sequence[str] = ()) -> dict[Var, Expr]:
    """A point as variables and exact literal numbers: from text (a=1,b=2) or a mapping; a float keeps its decimals."""
    if isinstance(point, str):
        return parse_point(point, functions) if point.strip() else {}
    result: dict[Var, Expr] = {}
    for name, value in point.items():
        var = name if isinstance(name, Var) else variable_named(name)
        result[var] = _number(var, value, functions)
    return result


def _number(var: Var, value, functions: Sequence[str]) -> Expr:
    match value:
        case bool():
            pass
        case int() | Fraction():
            return number(value)
        case float() if value == value and abs(value) != float("inf"):
            return number(Fraction(repr(value)), decimal=True)
        case str():
            return parse_point(f"{variable_name(var)}={value}", functions)[var]
        case _ if is_number(value):
            return value
    raise UsageError(f"the value of {variable_name(var)} must be a finite number, not {value!r}")


def _check_evaluable(expr: Expr) -> None:
    for _, node in walk(expr):
        if isinstance(node, Deriv):
            raise UsageError(
                "the expression holds a derivative: work it out first (deriv diff), or evaluate a gradient with deriv grad --at"
            )
        if isinstance(node, Sum):
            # TODO(#5): evaluate sums over a data set (--data).
            raise UsageError("a sum over an index needs data, which evaluation does not take yet")


def _work_out(expr: Expr, point: Mapping[Var, Expr], numeric: bool, detail: str, text: str | None, warnings: tuple[str, ...]) -> Evaluation:
    """The substitution step (when a variable of the point occurs), then every arithmetic step to the end."""
    steps: list[Step] = []
    current = expr
    if any(node in point for _, node in walk(expr)):
        substitution = substitute(expr, point)
        steps.append(substitution)
        current = substitution.after
    steps += simplify(current)
    evaluation = Evaluation(text, expr, dict(point), tuple(steps), None, warnings, detail)
    # An abstract f(1) is a fine exact answer but has no number; everything else is checked for 1/0, ln(0), tan(π/2).
    if numeric or not any(isinstance(node, Apply) for _, node in walk(evaluation.result)):
        value = _numeric_value(evaluation.result, point)
        if numeric:
            evaluation = Evaluation(text, expr, dict(point), tuple(steps), _decimal(value, point), warnings, detail)
    return evaluation


def _numeric_value(result: Expr, point: Mapping[Var, Expr]):
    from .evaluate import EvaluationError, evaluate

    where = f" at {point_words(point)}" if point else ""
    try:
        return evaluate(result, {})
    except EvaluationError as err:
        raise EvaluationError(f"the expression has no value{where}: {err.message}") from None


def _decimal(value, point: Mapping[Var, Expr]) -> Expr:
    """The float nearest to value as a decimal literal: 1.4142135623730951, or 1.5 · 10^20 beyond plain notation."""
    from .evaluate import EvaluationError

    approximation, imaginary = float(value.real), float(value.imag)
    if abs(imaginary) > _IMAGINARY_TOLERANCE * max(abs(approximation), 1.0):
        where = f" at {point_words(point)}" if point else ""
        raise EvaluationError(f"the value{where} is not a real number (its imaginary part is about {imaginary:.3g})")
    if abs(approximation) == float("inf"):
        raise EvaluationError("the value is too large for a floating-point number; leave out --numeric for the exact value")
    text = repr(abs(approximation))
    mantissa, _, exponent = text.partition("e")
    expr: Expr = decimal_num(mantissa)
    if exponent:
        expr = Mul((expr, Pow(Num(10), number(int(exponent)))))
    return Neg(expr) if approximation < 0 else expr
