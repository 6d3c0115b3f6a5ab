"""Checks shared by the engine tests: derivation invariants, and that every step keeps the value (our evaluator)."""

from __future__ import annotations

import random

import mpmath

from derivsteps.core.domain import is_inside
from derivsteps.core.numeric import EvaluationError, _eval, evaluate
from derivsteps.core.tree import Call, Expr, Pow, get_at, is_number, variables, walk

TOLERANCE = 1e-9


def check_invariants(derivation) -> None:
    """steps chain (each after is the next before), and each rewrite's path points at a node of its before."""
    previous = derivation.start
    for step in derivation.steps:
        assert step.before is previous
        for rewrite in step.rewrites:
            get_at(step.before, rewrite.path)  # raises if the path is wrong
        for path in step.new_paths:
            get_at(step.after, path)
        previous = step.after
    assert derivation.result is previous


def _on_branch_cut(expr: Expr, point) -> bool:
    """True where a function is evaluated on its branch cut or |u| is taken of a non-real u: there the
    real-direction difference and the complex formula can legitimately disagree, so the point is not used."""
    with mpmath.workdps(30):
        for _, node in walk(expr):
            try:
                if isinstance(node, Call):
                    value = mpmath.mpc(_eval(node.args[0], point))
                    real, imag = value.real, value.imag
                    on_the_line = abs(imag) < 1e-20
                    if node.fn in ("sqrt", "ln", "log") and on_the_line and real < 0:
                        return True
                    if node.fn in ("asin", "acos", "atanh") and on_the_line and abs(real) > 1:
                        return True
                    if node.fn in ("asec", "acsc") and on_the_line and abs(real) < 1:
                        return True
                    if node.fn == "acosh" and on_the_line and real < 1:
                        return True
                    # sgn jumps at 0 and cbrt is vertical there: an argument that is 0 up to rounding says nothing.
                    if node.fn in ("sgn", "cbrt") and abs(value) < 1e-20:
                        return True
                    # Defined for real arguments only (|u|, sgn(u), the real cube root), or with a cut off the line.
                    if node.fn in ("abs", "sgn", "cbrt") and not on_the_line:
                        return True
                    if (
                        node.fn
                        in ("asin", "acos", "atan", "asec", "acsc", "acot", "asinh", "acosh", "atanh", "softplus")
                        and not on_the_line
                    ):
                        return True
                elif isinstance(node, Pow) and not (is_number(node.exp) and _is_integer(node.exp)):
                    value = mpmath.mpc(_eval(node.base, point))
                    if abs(value.imag) < 1e-20 and value.real <= 0:
                        return True
            except (EvaluationError, ZeroDivisionError, ValueError, TypeError):
                return True
    return False


def _is_integer(expr) -> bool:
    from derivsteps.core.tree import number_value

    return number_value(expr).denominator == 1


def random_points(expr: Expr, count: int, seed: int = 0):
    rng = random.Random(seed)
    symbols = variables(expr)
    for _ in range(count):
        yield {v: mpmath.mpf(rng.uniform(0.3, 1.7)) for v in symbols}


def close(a, b) -> bool:
    scale = max(abs(a), abs(b), 1)
    return abs(a - b) <= TOLERANCE * scale


def check_values(derivation, points: int = 2) -> int:
    """Every step equals the start in value at random points; returns how many points were usable."""
    used = 0
    expressions = [derivation.start] + [s.after for s in derivation.steps]
    domain = derivation.domain
    for point in random_points(derivation.start, points * 4, seed=len(derivation.steps)):
        if any(_on_branch_cut(e, point) for e in expressions) or is_inside(domain, point) is False:
            continue  # outside the real domain a rule's equality need not hold (branches of log and roots)
        try:
            # A point where any line is undefined (asin(x/x) at the edge of its domain) says nothing about a rule.
            reference = evaluate(derivation.start, point)
            values = [evaluate(step.after, point) for step in derivation.steps]
        except EvaluationError:
            continue
        for step, value in zip(derivation.steps, values):
            assert close(value, reference), f"step {step.rule} changed the value: {value} != {reference}"
        used += 1
        if used >= points:
            break
    return used


# Past this magnitude, 80 working digits and a central difference of step 1e-22 no longer pin a value down to 1e-9
# (x sin((x + 729)^7) differentiates to about 10^18 with cos of 10^20 inside), so such a point says nothing about a rule.
MODERATE = 1e12


def check_moderate_values(derivation, points: int = 4) -> bool:
    """Every step has the start's value at the first random point where all of them are defined and of moderate
    size (see MODERATE); returns whether such a point was found. For large random trees, where check_values would
    also compare astronomically large values."""
    expressions = [derivation.start] + [step.after for step in derivation.steps]
    domain = derivation.domain
    for point in random_points(derivation.start, points, seed=len(derivation.steps)):
        if any(_on_branch_cut(e, point) for e in expressions) or is_inside(domain, point) is False:
            continue
        try:
            values = [evaluate(e, point) for e in expressions]
        except EvaluationError:
            continue
        if abs(values[0]) > MODERATE:
            continue
        for step, value in zip(derivation.steps, values[1:]):
            assert close(value, values[0]), f"step {step.rule} changed the value: {value} != {values[0]}"
        return True
    return False
