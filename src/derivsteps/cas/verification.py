"""Checks a derivation against SymPy: the final result must equal sympy's own derivative of the input."""

from __future__ import annotations

from ..core.derivation import Derivation, Verification
from ..core.errors import CasLimitError, DerivError
from ..core.tree import Call, Expr, walk
from . import workers
from .equivalence import by_evaluator

# SymPy and the bridge are imported inside the functions that run in the CAS worker: a command that verifies starts
# that worker first (workers.start), which imports SymPy on the other core while this process parses and
# differentiates; importing this module must not make this process import SymPy as well (about 300 ms).

# Where SymPy gives up (its time or memory limit, or its recursion on a deeply nested input), our own evaluator
# compares the result with a central difference of the input at this many random points (evaluate.py, 80 digits).
EVALUATOR_POINTS = 3


def verify(derivation: Derivation) -> Verification:
    """Compare the derivation's result with sympy.diff of its input; never raises for a wrong result.

    The whole comparison is one call under the CAS deadline (workers.run), decided by the equivalence service. Past
    limits.CAS_SECONDS or limits.CAS_MEMORY_MB, or when SymPy recurses too deep, our own evaluator decides at random
    points (method "evaluator", the reason says why); where it cannot either, the verdict is None, "could not verify".
    """
    try:
        check = workers.run(_verify, derivation.start, derivation.result, what="verification")
    except CasLimitError as error:
        return _by_own_evaluator(derivation, error.message)
    except RecursionError:
        return _by_own_evaluator(
            derivation, "SymPy cannot handle an expression nested this deep (its recursion failed)"
        )
    if isinstance(check, str):  # SymPy's own derivative is no value to compare with: our evaluator decides
        return _by_own_evaluator(derivation, check)
    return check


def _by_own_evaluator(derivation: Derivation, why: str) -> Verification:
    """Value of the result against a numerical derivative of the input, with derivsteps' evaluator, not SymPy's."""
    outcome = by_evaluator(derivation.start, derivation.result, EVALUATOR_POINTS, why)
    return Verification(outcome.holds, outcome.decided_by, outcome.reason)


def _verify(start_tree: Expr, result: Expr) -> Verification | str:
    """The verification, or why SymPy's derivative cannot serve (0^x: SymPy gives 0^x·ln(0), which is undefined)."""
    import sympy

    from .bridge import from_sympy, to_sympy
    from .equivalence import compare, real_reading, real_variables

    # Real variables before SymPy differentiates: |x|' is sign(x) only for a real x.
    expected = real_reading(real_variables(to_sympy(start_tree)).doit())
    if expected.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return f"SymPy's own derivative is undefined ({expected})"
    outcome = compare(expected, real_reading(to_sympy(result)), domain=_hidden_values(start_tree))
    expected_tree = None
    if outcome.verdict == "incorrect":  # shown only when we disagree; a form we cannot show does not change the verdict
        try:
            expected_tree = from_sympy(expected)
        except DerivError:
            expected_tree = None
    return Verification(outcome.holds, outcome.decided_by, outcome.reason, expected_tree, outcome.notes)


def _hidden_values(tree: Expr) -> list:
    """What |u| hides: u must be real where a point counts. |x ln(-1)| is real in SymPy's complex reading, but the
    input is nowhere real, and |u| has no complex derivative to compare with (at most MAX_HIDDEN of them are checked)."""
    from .bridge import to_sympy
    from .equivalence import real_reading

    inside = {node.args[0] for _, node in walk(tree) if isinstance(node, Call) and node.fn == "abs"}
    return [real_reading(to_sympy(arg)) for arg in list(inside)[:MAX_HIDDEN]]


# Each is evaluated at every sample point; a few cover every input a person types.
MAX_HIDDEN = 20


@workers.primer
def _warm_up() -> None:
    """SymPy's first-use set-up of what verification and the checker call (workers.primer), on constant input."""
    import sympy

    x, y = sympy.symbols("x y", real=True)
    sympy.diff(sympy.sin(x) * sympy.exp(x) * x**2 / (1 + sympy.log(y)), x)
    for difference in (
        (x**2 - 1) / (x - 1) - x - 1,
        sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1,
        sympy.sqrt(x**2) - sympy.Abs(x),
    ):
        sympy.simplify(difference)
    sympy.cancel(sympy.together(1 / x + 1 / y))
    (sympy.atan(x) + sympy.sqrt(x)).xreplace({x: sympy.Float(0.5, 30)}).evalf(30)
