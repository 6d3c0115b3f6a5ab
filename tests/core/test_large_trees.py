"""Properties over larger random trees than the other tests use (tests/strategies.py, large_*): printing round-trips,
every step keeps the value, and the result equals SymPy's derivative. Example counts are modest for CI.
"""

from __future__ import annotations

from helpers import readable
from hypothesis import HealthCheck, assume, given, settings
from stepcheck import check_invariants, check_moderate_values
from strategies import large_diff_trees, large_trees

from derivsteps.calculus.derivative import differentiate
from derivsteps.core import limits
from derivsteps.core.errors import LimitError
from derivsteps.core.tree import depth
from derivsteps.language.mathtext import to_text
from derivsteps.language.parser import parse

LARGE = settings(deadline=None, suppress_health_check=list(HealthCheck))


@settings(LARGE, max_examples=150)
@given(large_trees)
def test_large_trees_print_and_parse_back(tree):
    assume(readable(tree))
    text = to_text(tree)
    assert parse(text).expr == tree, text


def _derive(tree):
    """The derivation, or None when the tree is past a documented limit (then the error must say which)."""
    try:
        return differentiate(tree, "x")
    except LimitError as error:
        assert "limits." in error.message and "raise it" in error.message
        return None


@settings(LARGE, max_examples=50)
@given(large_diff_trees)
def test_every_step_of_a_large_derivation_keeps_the_value(tree):
    assert depth(tree) <= limits.MAX_DEPTH
    derivation = _derive(tree)
    if derivation is None:
        return
    check_invariants(derivation)
    check_moderate_values(derivation)


@settings(LARGE, max_examples=20)
@given(large_diff_trees)
def test_large_results_equal_sympys_derivative(tree):
    from derivsteps.cas.verification import verify

    derivation = _derive(tree)
    if derivation is None:
        return
    verdict = verify(derivation)
    # None is "could not verify" (past limits.CAS_SECONDS); False would be a wrong derivative.
    assert verdict.verified is not False, f"{to_text(tree)} -> {to_text(derivation.result)}: {verdict}"
