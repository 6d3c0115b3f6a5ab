"""Gradient descent worked by hand: the gradient at each point, the update θ ← θ − η∇f(θ), the new point and f there."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ..core import limits
from ..core.derivation import Displayed, Verification
from ..core.engine import simplify, substitute
from ..core.errors import LimitError, UsageError
from ..core.tree import (
    Add,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    decimal_num,
    get_at,
    is_number,
    number,
    number_value,
    replace_at,
    walk,
)
from ..core.vocabulary import StopReason
from ..data.datasets import COUNT, Data, check_data, parameters, sum_value, to_data
from ..language.mathtext import to_text
from .multivar import Gradient, check_point, choose_variables, gradient, parse_point

# Exact numbers with more digits than this (numerator or denominator) stop the descent with a suggestion to use
# --numeric: a decimal learning rate adds about two digits per iteration, and nobody reads a 100-digit number.
EXACT_DIGITS = 100

# A value this many times larger than at the start (and than 1) means the descent has run away: with too large a
# learning rate f grows geometrically, so it passes this bound within a few dozen iterations.
DIVERGENCE_FACTOR = 10**12

STOP_REASONS = tuple(StopReason)


@dataclass(frozen=True, slots=True, eq=False)
class Iteration:
    """One step from `point` to `next`: the gradient substituted and worked out, each update θᵢ − η·gᵢ, and f at `next`.

    `f` is the value of f at `next` (after the step), not at `point`; `f_float` is the same value as a float, for the
    table, the plot and the divergence check.
    """

    index: int  # 1 for the first step
    point: Mapping[Var, Expr]
    gradient_at: tuple[Expr, ...]  # each partial derivative with the point put in: 6 · 1 - 2 + 1
    gradient: tuple[Expr, ...]  # their values: 5
    updates: tuple[Expr, ...]  # θᵢ − η·gᵢ with the numbers: 1 - 0.1 · 5
    next: Mapping[Var, Expr]
    f_at: Expr  # f with `next` put in
    f: Expr
    f_float: float


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a descent ended before the iterations asked for: a reason from STOP_REASONS and a sentence for the user."""

    reason: StopReason
    message: str
    after: int  # iterations completed


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Descent(Displayed):
    """A gradient descent: f, its gradient (one derivation per variable), the start, η, and every iteration."""

    input: str | None
    expr: Expr
    vars: tuple[Var, ...]  # the variables descended along, in order
    gradient: Gradient
    lr: Expr
    start: Mapping[Var, Expr]
    fixed: Mapping[Var, Expr]  # variables of f given in the start point but not descended along (--vars)
    start_f: Expr
    start_f_float: float
    iterations: tuple[Iteration, ...]
    requested: int
    numeric: bool = False
    stop: Stop | None = None
    warnings: tuple[str, ...] = ()
    data: Data | None = None  # the data set of the sums in f (a loss over data points), or None

    @property
    def final(self) -> Mapping[Var, Expr]:
        """The last point reached: the start when no iteration was done."""
        return self.iterations[-1].next if self.iterations else self.start

    @property
    def final_f(self) -> Expr:
        return self.iterations[-1].f if self.iterations else self.start_f

    @property
    def verifications(self) -> tuple[Verification | None, ...]:
        return tuple(d.verification for d in self.gradient.components)

    def with_verification(self, checks: Sequence[Verification]) -> Descent:
        """The same descent with each partial derivative's verdict (verification.verify of each component)."""
        grad = self.gradient
        components = tuple(d.with_verification(check) for d, check in zip(grad.components, checks, strict=True))
        return replace(self, gradient=Gradient(grad.input, grad.expr, grad.vars, components, grad.warnings))


class _Halt(Exception):
    """Internal: an iteration cannot be completed; reason is one of STOP_REASONS, detail says what happened."""

    def __init__(self, reason: StopReason, detail: str, overflow: bool = False):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.overflow = overflow  # a value too large for a float: the step was too long


def descend(
    expr: Expr | str,
    start: Mapping[Var | str, Expr | int | Fraction] | str,
    lr: Expr | str | int | Fraction,
    iterations: int = 1,
    vars: Sequence[str | Var] = (),
    *,
    numeric: bool = False,
    functions: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    data: Data | Mapping | str | Sequence[str] | None = None,
) -> Descent:
    """Run gradient descent on expr from start (a=1,b=2) with learning rate lr, every number worked out.

    The gradient is derived once by the rule engine (check it with Descent.with_verification); each iteration puts the
    point into it. Arithmetic is exact (decimals typed stay decimals) unless numeric=True, which uses floats. vars
    picks the variables to descend along and their order (default: the start point's); the start must give every
    variable of expr a value, and the others stay fixed. A run that diverges, leaves the rational numbers or grows
    numbers longer than EXACT_DIGITS ends early: `stop` says why, and the iterations done so far are kept.
    progress(k) is called after iteration k. data (a Data, a mapping such as {"a": [0, 2, 4]}, or --data specs)
    gives the sums over an index their values: each gradient component's sums are statistics of the data, computed
    once; f's sums hold the point, so f is summed over the data at every iteration.
    """
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise UsageError(f"the number of iterations must be a whole number of at least 1, not {iterations!r}")
    if iterations > limits.MAX_DESCENT_ITERATIONS:
        raise LimitError(
            f"{iterations:,} iterations are more than the limit of {limits.MAX_DESCENT_ITERATIONS:,} ({limits.named('MAX_DESCENT_ITERATIONS')})",
            hint="run fewer iterations, or continue from the last point with --from",
        )
    point = _read_point(start, functions)
    declared = [v.name for v in point if len(v.name) > 1] + [v for v in vars if isinstance(v, str) and len(v) > 1]
    text, tree, warnings = _read_expr(expr, declared, functions)
    data = to_data(data)
    chosen = choose_variables(tree, vars) if vars else tuple(point)
    warnings = tuple(warnings) + _check_point(tree, point, data)
    if not chosen:
        raise UsageError("there is nothing to descend along: f has no variables")
    rate = _read_rate(lr, functions)
    grad = gradient(tree, chosen)
    current = {var: point[var] for var in chosen}
    fixed = {var: value for var, value in point.items() if var not in current}
    arithmetic = _Numeric(data) if numeric else _Exact(data)
    # n, the number of data points, is put in with the point wherever it occurs (s Σ_i a_i + bn - Σ_i h_i).
    counted = {COUNT: number(data.n)} if data is not None and COUNT not in point else {}
    fixed = {**counted, **fixed}

    try:
        start_f, start_f_float = arithmetic.value(
            arithmetic.summed(substitute(tree, {**counted, **point}).after), rational=False
        )
    except _Halt as halt:
        raise UsageError(f"f has no value at the start point ({halt.detail}); start somewhere else") from None
    done: list[Iteration] = []
    stop = None
    for index in range(1, iterations + 1):
        try:
            step = _iterate(index, tree, grad, rate, current, fixed, arithmetic)
        except _Halt as halt:
            stop = Stop(halt.reason, _halt_message(halt, index, rate, done, start_f_float), index - 1)
            break
        done.append(step)
        current = dict(step.next)
        if progress is not None:
            progress(index)
        stop = _runaway(step, start_f_float, point, chosen, rate) or _too_long(step, numeric)
        if stop is not None:
            break
    shown_fixed = {var: value for var, value in fixed.items() if var not in counted}
    return Descent(text, tree, chosen, grad, rate, {v: point[v] for v in chosen}, shown_fixed, start_f, start_f_float,
                   tuple(done), iterations, numeric, stop, warnings, data)  # fmt: skip


def _check_point(tree: Expr, point: Mapping[Var, Expr], data: Data | None) -> tuple[str, ...]:
    """check_point, and with data the data's own checks: a_i and n come from the data, not from the point."""
    if data is None:
        if any(isinstance(node, Sum) for _, node in walk(tree)):
            raise UsageError(
                "f holds a sum over data: give the data, such as --data a=0,2,4 --data h=30,40,50 (data= in the library)"
            )
        check_point(tree, point)
        return ()
    warnings = check_data(tree, data)
    check_point(tree, point, [var for var in parameters(tree) if var != COUNT or var in point])
    return warnings


def _iterate(index, tree, grad, rate, current, fixed, arithmetic) -> Iteration:
    """One step: the gradient at the current point, the update of each variable, f at the new point."""
    here = {**fixed, **current}
    # With data, the gradient is shown with each sum's value in place (1 · 20 + 0 · 6 - 280): the statistics.
    gradient_at = tuple(arithmetic.summed(substitute(component, here).after) for component in grad.vector)
    values = tuple(arithmetic.value(at, rational=True)[0] for at in gradient_at)
    updates = tuple(Add((current[var], Neg(Mul((rate, value))))) for var, value in zip(grad.vars, values))
    following = {var: arithmetic.value(update, rational=True)[0] for var, update in zip(grad.vars, updates)}
    f_at = substitute(tree, {**fixed, **following}).after
    f_value, f_float = arithmetic.value(arithmetic.summed(f_at), rational=False)
    return Iteration(index, dict(current), gradient_at, values, updates, following, f_at, f_value, f_float)


# -- arithmetic ---------------------------------------------------------------------------------------------------------
class _Summing:
    """The sums over the data, each replaced by its exact value (data.statistic, cached on the Data)."""

    def __init__(self, data: Data | None):
        self.data = data

    def summed(self, expr: Expr) -> Expr:
        """expr with every outermost sum over the data replaced by its value; as a decimal where the data or point is one."""
        if self.data is None:
            return expr
        from ..core.numeric import EvaluationError

        found: list[tuple[int, ...]] = []
        for path, node in walk(expr):
            if isinstance(node, Sum) and not any(path[: len(outer)] == outer for outer in found):
                found.append(path)
        for path in found:  # outermost sums are disjoint, so replacing one keeps the others' paths
            node = get_at(expr, path)
            decimal = _is_decimal(node) or any(Var(name, node.index) in _vars(node.body) for name in self.data.decimal)
            try:
                expr = replace_at(expr, path, number(sum_value(node, self.data), decimal))
            except EvaluationError as error:  # a term of the sum divides by zero at this point
                raise _Halt(StopReason.NOT_FINITE, error.message) from None
        return expr


def _vars(expr: Expr) -> set:
    return {node for _, node in walk(expr) if isinstance(node, Var)}


class _Exact(_Summing):
    """Fractions by the engine's own simplification rules, so 0.1 · 5 is worked out as the arithmetic steps do it."""

    def value(self, expr: Expr, rational: bool) -> tuple[Expr, float]:
        steps = simplify(expr)
        result = steps[-1].after if steps else expr
        if is_number(result):
            return result, _to_float(number_value(result))
        approximate = _approximate(result)  # raises _Halt when there is no finite real value (1/0)
        if _is_arithmetic(result):
            # Numbers only, yet not folded: the engine refuses powers beyond limits.MAX_INTEGER_DIGITS.
            raise _Halt(
                StopReason.TOO_LONG,
                f"the exact value of {_short(result)} has more than {limits.MAX_INTEGER_DIGITS:,} digits",
            )
        if rational:
            raise _Halt(StopReason.NOT_RATIONAL, f"{_short(result)} is not a rational number")
        return result, approximate


class _Numeric(_Summing):
    """Floats (--numeric): each value is computed by our mpmath evaluator and rounded to a float."""

    def value(self, expr: Expr, rational: bool) -> tuple[Expr, float]:
        result = _approximate(expr)
        if not math.isfinite(result):
            raise _Halt(StopReason.NOT_FINITE, "the numbers overflowed floating point", overflow=True)
        return float_number(result), result


def _approximate(expr: Expr) -> float:
    """The value of an expression without variables as a float; _Halt when it has no finite real value."""
    from ..core.numeric import EvaluationError, evaluate

    try:
        value = evaluate(expr, {})
    except EvaluationError as error:
        raise _Halt(StopReason.NOT_FINITE, str(error)) from None
    if abs(value.imag) > 1e-30 * max(1, abs(value)):
        raise _Halt(StopReason.NOT_FINITE, f"{_short(expr)} is not a real number")
    return _to_float(value.real)


def _float_of(expr: Expr) -> float:
    """A number of ours (exact, or a float as float_number writes it) as a float."""
    return _to_float(number_value(expr)) if is_number(expr) else _approximate(expr)


def _to_float(value) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def float_number(value: float) -> Expr:
    """A float as a tree the printers show as typed: its shortest decimal (0.30000000000000004), or m · 10^e."""
    if value < 0 or value == 0 and math.copysign(1, value) < 0:
        return Neg(float_number(-value))
    shown = repr(value)
    if "e" not in shown:
        return Num(Fraction(shown), shown)
    mantissa, exponent = shown.split("e")
    power = Pow(Num(10), number(int(exponent)))
    return power if mantissa == "1" else Mul((decimal_num(mantissa), power))


def _is_arithmetic(expr: Expr) -> bool:
    """Only numbers, sums, products, quotients and whole powers: a rational number not yet worked out."""
    for _, node in walk(expr):
        if isinstance(node, Pow) and not (is_number(node.exp) and number_value(node.exp).denominator == 1):
            return False
        if not isinstance(node, (Num, Add, Neg, Mul, Div, Pow)):
            return False
    return True


def _digits(expr: Expr) -> int:
    value = number_value(expr)
    return max(len(str(abs(value.numerator))), len(str(value.denominator)))


# -- stopping -------------------------------------------------------------------------------------------------------------
def _runaway(step: Iteration, start_f: float, start: Mapping[Var, Expr], chosen, rate: Expr) -> Stop | None:
    """A Stop when f or the point has grown far beyond where it started: the descent diverges."""
    k = step.index
    lr = _show(rate)
    smaller = f"try a smaller one, such as --lr {_show(number(number_value(rate) / 10, _is_decimal(rate)))}"
    if not math.isfinite(step.f_float):
        return Stop(
            StopReason.NOT_FINITE,
            f"f overflowed at iteration {k}: the descent diverges; the learning rate η = {lr} is probably too large ({smaller})",
            k,
        )
    if abs(step.f_float) > DIVERGENCE_FACTOR * max(1.0, abs(start_f)):
        if step.f_float > start_f:
            message = f"f grew from {start_f:.6g} to {step.f_float:.6g} in {k} iterations: the descent diverges; the learning rate η = {lr} is probably too large ({smaller})"
            return Stop(StopReason.DIVERGED, message, k)
        return Stop(
            StopReason.UNBOUNDED,
            f"f fell from {start_f:.6g} to {step.f_float:.6g} in {k} iterations and keeps falling: f may have no minimum",
            k,
        )
    scale = max([1.0] + [abs(_float_of(start[v])) for v in chosen])
    for var, value in step.next.items():
        size = abs(_float_of(value))
        if size > DIVERGENCE_FACTOR * scale:
            message = (
                f"the point ran away ({_show(var)} ≈ {size:.6g} after {k} iterations): the learning rate η = {lr} is "
                f"probably too large ({smaller}), or f has no minimum"
            )
            return Stop(StopReason.DIVERGED, message, k)
    return None


def _too_long(step: Iteration, numeric: bool) -> Stop | None:
    """A Stop when exact numbers have outgrown EXACT_DIGITS: floats (--numeric) are the way on."""
    if numeric:
        return None
    numbers = [*step.gradient, *step.next.values()] + ([step.f] if is_number(step.f) else [])
    longest = max(_digits(n) for n in numbers)
    if longest <= EXACT_DIGITS:
        return None
    message = (
        f"after iteration {step.index} the exact numbers have {longest} digits, more than {EXACT_DIGITS} "
        "(descent.EXACT_DIGITS); run again with --numeric for floating point, or with fewer --iters"
    )
    return Stop(StopReason.TOO_LONG, message, step.index)


def _halt_message(halt: _Halt, index: int, rate: Expr, done: list[Iteration], start_f: float) -> str:
    if halt.reason == StopReason.NOT_RATIONAL:
        return f"at iteration {index}, {halt.detail}: exact descent needs rational values; run again with --numeric for floating point"
    if halt.reason == StopReason.TOO_LONG:
        return (
            f"at iteration {index}, {halt.detail}; run again with --numeric for floating point, or with fewer --iters"
        )
    message = f"at iteration {index} there is no finite value ({halt.detail})"
    previous = done[-1].f_float if done else start_f
    if halt.overflow or done and previous > start_f:  # f overflowed or was growing: the usual cause is the step size
        message += f": the descent diverges; the learning rate η = {_show(rate)} is probably too large"
    return message


# -- reading the input --------------------------------------------------------------------------------------------------
def _read_expr(
    expr: Expr | str, declared: Sequence[str], functions: Sequence[str]
) -> tuple[str | None, Expr, tuple[str, ...]]:
    if not isinstance(expr, str):
        return None, expr, ()
    from ..language.parser import parse

    parsed = parse(expr, variables=[n for n in declared if n.isalpha()], functions=functions)
    return expr, parsed.expr, parsed.warnings


def _read_point(start, functions: Sequence[str]) -> dict[Var, Expr]:
    if isinstance(start, str):
        return parse_point(start, functions)
    point: dict[Var, Expr] = {}
    for name, value in start.items():
        var = name if isinstance(name, Var) else next(iter(parse_point(f"{name}=0", functions)))
        point[var] = value if not isinstance(value, (int, Fraction)) else number(value)
        if not is_number(point[var]):
            raise UsageError(f"the start value of {_show(var)} must be a number, not {_show(point[var])}")
    return point


def _read_rate(lr, functions: Sequence[str]) -> Expr:
    """η as a positive exact number; a decimal stays a decimal."""
    if isinstance(lr, (int, Fraction)) and not isinstance(lr, bool):
        rate = number(lr)
    elif isinstance(lr, str):
        from ..language.parser import parse

        if not lr.strip():
            raise UsageError("the learning rate is empty: give a positive number, such as --lr 0.1")
        rate = parse(lr.strip(), functions=functions).expr
    else:
        rate = lr
    if not is_number(rate):
        raise UsageError(f"the learning rate must be a number, such as 0.1 or 1/10, not {lr!r}")
    if number_value(rate) <= 0:
        raise UsageError(f"the learning rate must be positive (a step downhill), not {_show(rate)}")
    return rate


def _is_decimal(expr: Expr) -> bool:
    return any(isinstance(node, Num) and node.text is not None for _, node in walk(expr))


def _show(expr: Expr) -> str:
    return to_text(expr)


def _short(expr: Expr) -> str:
    shown = _show(expr)
    return shown if len(shown) <= 60 else shown[:57] + "..."
