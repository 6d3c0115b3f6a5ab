"""Checks a derivation against SymPy: the final result must equal sympy's own derivative of the input."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.derivation import Derivation, Verification
from ..core.errors import CasLimitError, DerivError
from ..core.tree import Call, Expr, Sum, walk
from . import workers
from .equivalence import SAMPLE_ROWS, SAMPLE_SETS, by_evaluator, written_out

# SymPy and the bridge are imported inside the functions that run in the CAS worker: a command that verifies starts
# that worker first (workers.start), which imports SymPy on the other core while this process parses and
# differentiates; importing this module must not make this process import SymPy as well (about 300 ms).

# Where SymPy gives up (its time or memory limit, or its recursion on a deeply nested input), our own evaluator
# compares the result with a central difference of the input at this many random points (evaluate.py, 80 digits).
EVALUATOR_POINTS = 3


def verify(derivation: Derivation) -> Verification:
    """Compare the derivation's result with sympy.diff of its input; never raises for a wrong result (verify_all)."""
    return verify_all([derivation])[0]


def verify_all(derivations: Sequence[Derivation]) -> list[Verification]:
    """Each derivation's result compared with sympy.diff of its input, in order; never raises for a wrong result.

    A result of many parts (a gradient, a Hessian, a critical-point system, a descent's gradient) is one request to
    the CAS worker under one deadline (workers.run), each part decided by the equivalence service's cheapest
    sufficient layer. A derivative of sums over data is checked with the sums written out over made-up data
    (equivalence.written_out), as the equivalence service compares sums: SymPy's own summation of a symbolic sum
    spent about 200 ms per part and decides nothing more. Past limits.CAS_SECONDS or limits.CAS_MEMORY_MB, or when
    SymPy recurses too deep, our own evaluator decides at random points (method "evaluator", the reason says why);
    where it cannot either, the verdict is None, "could not verify".
    """
    pairs = [_pairs(derivation) for derivation in derivations]
    flat = [pair for group in pairs for pair in group]
    try:
        checks: list[Verification | str] = workers.run(_verify_many, flat, what="verification")
    except CasLimitError as error:
        checks = [error.message] * len(flat)
    except RecursionError:
        checks = ["SymPy cannot handle an expression nested this deep (its recursion failed)"] * len(flat)
    results, at = [], 0
    for derivation, group in zip(derivations, pairs):
        # SymPy's own derivative is no value to compare with, or SymPy gave up: our evaluator decides.
        done = [
            _by_own_evaluator(*pair, check) if isinstance(check, str) else check
            for pair, check in zip(group, checks[at : at + len(group)])
        ]
        at += len(group)
        results.append(done[0] if not _has_sums(derivation.start) else _on_sample_data(done))
    return results


def _pairs(derivation: Derivation) -> list[tuple[Expr, Expr]]:
    """What is compared: the pending derivative and the result, or both written out over each made-up data set."""
    if _has_sums(derivation.start):
        return written_out(derivation.start, derivation.result)
    return [(derivation.start, derivation.result)]


def _has_sums(tree: Expr) -> bool:
    return any(isinstance(node, Sum) for _, node in walk(tree))


def _on_sample_data(checks: Sequence[Verification]) -> Verification:
    """One verdict from the checks on each made-up data set: the first that is not "verified" decides."""
    where = f"the sums written out over {SAMPLE_SETS} made-up data sets of {SAMPLE_ROWS} rows"
    for check in checks:
        if check.verified is not True:
            return Verification(check.verified, check.method, f"{where}: {check.reason}", None, check.notes)
    return Verification(True, "numeric", where, None, (where,))


def _verify_many(pairs: Sequence[tuple[Expr, Expr]]) -> list[Verification | str]:
    return [_verify(start, result) for start, result in pairs]


def _by_own_evaluator(start: Expr, result: Expr, why: str) -> Verification:
    """Value of the result against a numerical derivative of the input, with derivsteps' evaluator, not SymPy's."""
    outcome = by_evaluator(start, result, EVALUATOR_POINTS, why)
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
