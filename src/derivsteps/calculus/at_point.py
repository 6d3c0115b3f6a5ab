"""Evaluation at a point: the substitution as a step, then the exact arithmetic, and a float only when asked for."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ..core.derivation import Displayed, Rewrite, Step, Verification, group_lines
from ..core.engine import simplify, substitute
from ..core.errors import UsageError
from ..core.tree import (
    Apply,
    Deriv,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    decimal_num,
    is_number,
    number,
    number_value,
    replace_at,
    walk,
)
from ..data.datasets import COUNT, Data, check_data, parameters, rows_of, sum_value, terms, to_data
from .multivar import Gradient, check_point, parse_point, point_words, variable_name, variable_named

# An imaginary part this small (relative to the real part) is rounding in the 80-digit evaluator, not a complex value.
_IMAGINARY_TOLERANCE = 1e-40

PointLike = Mapping[Var | str, Expr | int | Fraction | float | str] | str
DataLike = Data | Mapping | str | Sequence[str] | None

# Terms of a sum over data kept for its table: the lecture's three rows in full, the head of a large data set.
TABLE_ROWS = 10

# Data points up to which check_value writes every sum out term by term and evaluates the result independently.
CHECK_ROWS = 2_000

# A fraction is hard to read once its numerator or its denominator has more digits than this, so a short decimal goes
# beside it (5191750800981/28306668800 ≈ 183.41); 3/4 or 845/847 is read at a glance and stays alone.
LONG_FRACTION_DIGITS = 4
# The significant digits of that decimal: enough to compare two values and check one by hand, few enough to read.
DECIMAL_DIGITS = 5
# Beyond these powers of ten the decimal is written as m · 10^k (1.4286 · 10^29, 3.3333 · 10^-7).
_PLAIN_DECIMALS = range(-4, 15)


@dataclass(frozen=True, slots=True, eq=False)
class DataSum:
    """One sum over the data as an evaluation worked it out: the sum with the point put in, its first terms, its value."""

    sum: Sum  # as it stands after the substitution: Σ_i (1 · a_i + 0 - h_i)^2
    rows: int  # how many data points it runs over
    terms: tuple[Expr, ...]  # the first TABLE_ROWS terms, in row order
    value: Expr
    columns: tuple[str, ...]  # the data columns the sum reads, for the table's headings
    decimal: Expr | None = None  # the value as a short decimal when it is a long fraction (decimal_beside)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Evaluation(Displayed):
    """An expression worked out at a point: the substitution step, then the arithmetic steps, in order."""

    input: str | None  # the text as typed, None for a tree
    expr: Expr
    point: Mapping[Var, Expr]
    steps: tuple[Step, ...]  # the substitution (absent when no variable occurs), then the arithmetic
    approximation: Expr | None = None  # numeric=True: the float value of the result, as a decimal
    warnings: tuple[str, ...] = ()
    detail: str = "full"  # the arithmetic is the point of an evaluation, so every rewrite is a line by default
    data: Data | None = None
    sums: tuple[DataSum, ...] = ()  # each sum over the data, in the order the "sum over the data" line replaced them
    check: Verification | None = None  # check_value: the result against the sums written out term by term
    # The exact result as a short decimal, shown beside it, when it is a fraction of long numbers (decimal_beside);
    # None otherwise, and with numeric=True, where `approximation` gives the float.
    decimal: Expr | None = None

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

    def with_check(self, check: Verification | None) -> Evaluation:
        """The same evaluation with the verdict of check_value."""
        return replace(self, check=check)


def evaluate_at(
    expr: Expr | str,
    point: PointLike,
    numeric: bool = False,
    *,
    detail: str = "full",
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
    data: DataLike = None,
) -> Evaluation:
    """expr at the point, exactly: evaluate_at("x^2 + 2y", "x=0.5,y=1/3").result is 11/12.

    point is text such as "a=1,b=2" or a mapping from variables (or their names) to numbers; every variable of expr
    needs a value and every value a variable of expr. numeric=True adds the float value (mpmath) as `approximation`.
    data (a Data, a mapping such as {"a": [0, 2, 4]}, or --data specs) gives the sums over an index their values:
    a_i reads column a, and n is the number of data points.
    """
    point = to_point(point, functions)
    data = to_data(data)
    text, warnings = None, ()
    if isinstance(expr, str):
        from ..language.parser import parse

        # A multi-letter name in the point (rate=2) is a variable of the expression, as --vars rate would declare.
        named = [*variables, *(v.name for v in point if v.sub is None and len(v.name) > 1 and v.name.isalpha())]
        parsed = parse(expr, variables=named, functions=functions)
        text, warnings, expr = expr, parsed.warnings, parsed.expr
    _check_evaluable(expr, data)
    warnings = tuple(warnings) + _check_point(expr, point, data)
    return _work_out(expr, point, numeric, detail, text, warnings, data)


def gradient_at(
    gradient: Gradient,
    point: PointLike,
    numeric: bool = False,
    *,
    detail: str = "full",
    functions: Sequence[str] = (),
    data: DataLike = None,
) -> list[Evaluation]:
    """Each component of the gradient at the point, in the order of gradient.vars; the point must give every
    variable of the function a value (a component such as 2b - a may not hold them all). With data, each sum over
    the data becomes its value (Σ_i a_i^2 = 20), computed once however many components use it."""
    point = to_point(point, functions)
    data = to_data(data)
    if data is None:
        _check_summable(gradient.expr)
    warnings = _check_point(gradient.expr, point, data)
    return [_work_out(component, point, numeric, detail, None, warnings, data) for component in gradient.vector]


def check_value(evaluation: Evaluation) -> Verification:
    """An independent check of a value over data: every sum written out term by term (data.expand_sums) and the
    whole evaluated by our mpmath evaluator, which shares nothing with the exact summation."""
    from ..core.numeric import EvaluationError, evaluate
    from ..data.datasets import expand_sums

    data = evaluation.data
    if data is None:
        return Verification(None, None, "there is no data to check against")
    if data.n > CHECK_ROWS:
        return Verification(None, None, f"{data.n:,} data points are more than the {CHECK_ROWS:,} the check writes out")
    point = {var: number_value(value) for var, value in evaluation.point.items()}
    try:
        expected = evaluate(expand_sums(evaluation.expr, data, count=COUNT not in point), point)
    except EvaluationError as error:
        return Verification(None, None, f"the written-out sums have no value: {error.message}")
    exact = evaluate(evaluation.result, {})
    agree = abs(expected - exact) <= 1e-30 * max(1, abs(expected))
    reason = "" if agree else f"written out term by term the value is {complex(expected).real:.12g}"
    return Verification(agree, "numeric", reason)


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


def _check_evaluable(expr: Expr, data: Data | None) -> None:
    for _, node in walk(expr):
        if isinstance(node, Deriv):
            raise UsageError(
                "the expression holds a derivative: work it out first (deriv diff), or evaluate a gradient with deriv grad --at"
            )
    if data is None:
        _check_summable(expr)


def _check_summable(expr: Expr) -> None:
    """A sum over an index has a value only on data."""
    for _, node in walk(expr):
        if isinstance(node, Sum):
            raise UsageError(
                f"a sum over {node.index} needs data to have a value: give each indexed variable's values, "
                "such as --data a=0,2,4 --data h=30,40,50 (data= in the library)"
            )


def _check_point(expr: Expr, point: Mapping[Var, Expr], data: Data | None) -> tuple[str, ...]:
    """Without data, check_point; with data, the point gives the parameters (a_i and n come from the data), and the
    data has a column for every indexed variable. Returns the warnings (a data column nothing uses)."""
    if data is None:
        check_point(expr, point)
        return ()
    warnings = check_data(expr, data)
    needed = [var for var in parameters(expr) if var != COUNT or var in point]
    check_point(expr, point, needed)
    return warnings


def _work_out(
    expr: Expr,
    point: Mapping[Var, Expr],
    numeric: bool,
    detail: str,
    text: str | None,
    warnings: tuple[str, ...],
    data: Data | None = None,
) -> Evaluation:
    """The substitution step (when a variable of the point occurs), the sums over the data, then every arithmetic step."""
    steps: list[Step] = []
    current = expr
    values = dict(point)
    if data is not None and COUNT not in values and any(node == COUNT for _, node in walk(expr)):
        values[COUNT] = number(data.n)  # n is the number of data points, put in with the parameters
    if any(node in values for _, node in walk(expr)):
        substitution = substitute(expr, values)
        steps.append(substitution)
        current = substitution.after
    sums: tuple[DataSum, ...] = ()
    if data is not None and any(isinstance(node, Sum) for _, node in walk(current)):
        summation, sums = _sum_over_data(current, data, _typed_decimal(point))
        steps.append(summation)
        current = summation.after
    steps += simplify(current)
    evaluation = Evaluation(text, expr, dict(point), tuple(steps), None, warnings, detail, data, sums)
    # An abstract f(1) is a fine exact answer but has no number; everything else is checked for 1/0, ln(0), tan(π/2).
    if numeric or not any(isinstance(node, Apply) for _, node in walk(evaluation.result)):
        value = _numeric_value(evaluation.result, point)
        if numeric:
            return replace(evaluation, approximation=_decimal(value, point))
    return replace(evaluation, decimal=decimal_beside(evaluation.result))


def _sum_over_data(expr: Expr, data: Data, decimal: bool) -> tuple[Step, tuple[DataSum, ...]]:
    """One line that puts each outermost sum's value in its place, and what each sum's table shows."""
    found = []
    for path, node in walk(expr):
        if isinstance(node, Sum) and not any(path[: len(outer)] == outer for outer, _ in found):
            found.append((path, node))
    after = expr
    rewrites, sums = [], []
    for path, node in found:
        inside = {part for _, part in walk(node.body)}
        columns = tuple(name for name in data.names if Var(name, node.index) in inside)
        shown_decimal = decimal or any(name in data.decimal for name in columns)
        total = number(sum_value(node, data), shown_decimal)
        rows = rows_of(node, data)
        head = terms(
            node.body, node.index, data, lower=Num(rows.start + 1), upper=Num(min(rows.stop, rows.start + TABLE_ROWS))
        )
        shown = tuple(number(term, shown_decimal) for term in head)
        sums.append(DataSum(node, len(rows), shown, total, columns, decimal_beside(total)))
        after = replace_at(after, path, total)
        bindings = {"sum": node, "rows": number(len(rows)), "value": total}
        rewrites.append(Rewrite("sum_over_data", path, bindings, (path,), "sum_over_data", "data"))
    return Step(tuple(rewrites), expr, after, "data"), tuple(sums)


def decimal_beside(value: Expr) -> Expr | None:
    """The exact value as a short decimal to show beside it (5191750800981/28306668800 → 183.41), when it is a fraction
    whose numerator or denominator has more than LONG_FRACTION_DIGITS digits; else None (an integer, a short fraction,
    a decimal as typed, an expression that is not a literal number)."""
    if not is_number(value) or any(isinstance(node, Num) and node.text is not None for _, node in walk(value)):
        return None
    exact = number_value(value)
    digits = max(len(str(abs(exact.numerator))), len(str(exact.denominator)))
    if exact.denominator == 1 or digits <= LONG_FRACTION_DIGITS:
        return None
    return _significant(exact, DECIMAL_DIGITS)


def _significant(exact: Fraction, digits: int) -> Expr:
    """exact rounded (half away from zero) to `digits` significant digits, trailing zeros dropped, as a decimal
    literal; in plain notation every digit of the integer part stays (411522.33 → 411522); beyond _PLAIN_DECIMALS,
    m · 10^k (1.4286 · 10^29)."""
    magnitude = abs(exact)
    # From the lengths of numerator and denominator: 10^power < magnitude < 10^(power + 2), then exactly.
    power = len(str(magnitude.numerator)) - len(str(magnitude.denominator)) - 1
    if magnitude >= Fraction(10) ** (power + 1):
        power += 1
    plain = power in _PLAIN_DECIMALS
    places = max(digits - 1 - power, 0) if plain else digits - 1 - power
    scaled = math.floor(magnitude * Fraction(10) ** places + Fraction(1, 2))
    expr: Expr
    if plain:
        expr = decimal_num(_pointed(scaled, places))
    else:
        if len(str(scaled)) > digits:  # rounded up to the next power of ten: 9.99996 · 10^20 is 1 · 10^21
            scaled, power = scaled // 10, power + 1
        expr = Mul((decimal_num(_pointed(scaled, digits - 1)), Pow(Num(10), number(power))))
    return Neg(expr) if exact < 0 else expr


def _pointed(scaled: int, places: int) -> str:
    """scaled / 10^places written out, without trailing zeros: _pointed(18341, 2) is "183.41", (10000, 4) is "1"."""
    if not places:
        return str(scaled)
    whole, part = divmod(scaled, 10**places)
    return f"{whole}.{part:0{places}d}".rstrip("0").rstrip(".")


def _typed_decimal(point: Mapping[Var, Expr]) -> bool:
    """A point typed with decimals (s=3.6) shows sums over the data as decimals too."""
    return any(isinstance(node, Num) and node.text is not None for value in point.values() for _, node in walk(value))


def _numeric_value(result: Expr, point: Mapping[Var, Expr]):
    from ..core.numeric import EvaluationError, evaluate

    where = f" at {point_words(point)}" if point else ""
    try:
        return evaluate(result, {})
    except EvaluationError as err:
        raise EvaluationError(f"the expression has no value{where}: {err.message}") from None


def _decimal(value, point: Mapping[Var, Expr]) -> Expr:
    """The float nearest to value as a decimal literal: 1.4142135623730951, or 1.5 · 10^20 beyond plain notation."""
    from ..core.numeric import EvaluationError

    approximation, imaginary = float(value.real), float(value.imag)
    if abs(imaginary) > _IMAGINARY_TOLERANCE * max(abs(approximation), 1.0):
        where = f" at {point_words(point)}" if point else ""
        raise EvaluationError(f"the value{where} is not a real number (its imaginary part is about {imaginary:.3g})")
    if abs(approximation) == float("inf"):
        raise EvaluationError(
            "the value is too large for a floating-point number; leave out --numeric for the exact value"
        )
    text = repr(abs(approximation))
    mantissa, _, exponent = text.partition("e")
    expr: Expr = decimal_num(mantissa)
    if exponent:
        expr = Mul((expr, Pow(Num(10), number(int(exponent)))))
    return Neg(expr) if approximation < 0 else expr
