"""Verification at its edges: where SymPy gives up (our own evaluator decides, and says so), and complex points."""

from __future__ import annotations

import sys
from types import SimpleNamespace

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas import workers
from derivsteps.cas.verification import _by_own_evaluator, verify
from derivsteps.core import limits
from derivsteps.core.tree import Call, Var
from derivsteps.language.parser import parse
from derivsteps.render.text import verdict_text


def _chain(depth: int):
    expr = Var("x")
    for _ in range(depth):
        expr = Call("sin", (expr,))
    return expr


def test_past_the_cas_limit_our_evaluator_verifies_and_the_line_says_so():
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, 5000))  # a chain 300 deep: our printers and equality recurse
    try:
        with limits.override(MAX_DEPTH=1000, CAS_SECONDS=0.3):
            derivation = differentiate(_chain(300), "x")
            check = verify(derivation)
    finally:
        sys.setrecursionlimit(saved)
        workers.reset()
    assert check.verified is True and check.method == "evaluator"
    # SymPy gives up by the time limit, or sooner by its recursion (a kept worker has Python's default limit)
    assert ("limits.CAS_SECONDS" in check.reason or "recursion" in check.reason) and "own evaluator" in check.reason
    line = verdict_text(SimpleNamespace(verification=check))
    assert line.startswith("✓ verified: equals a numerical derivative at random points (")
    assert "SymPy's derivative" not in line


def test_our_evaluator_catches_a_wrong_result():
    start = differentiate("sin(x^2)", "x").start
    wrong = SimpleNamespace(start=start, result=parse("cos(x^2)").expr)
    check = _by_own_evaluator(wrong.start, wrong.result, "SymPy gave up")
    assert check.verified is False and check.method == "evaluator" and "numerical derivative is" in check.reason


def test_without_values_to_compare_it_could_not_verify():
    derivation = differentiate("f(x)^2", "x", functions=["f"])  # an abstract function has no value
    check = _by_own_evaluator(derivation.start, derivation.result, "SymPy gave up")
    assert check.verified is None and check.reason == "SymPy gave up"


def test_points_where_the_input_is_not_real_are_no_evidence_against_the_result():
    # asin(x) is complex for x > 1, inside the sampling interval; |u|' = u'·u/|u| holds for real u only
    derivation = differentiate("x |3x + asin(x)|", "x")
    check = verify(derivation)
    assert check.verified is True, check
    assert verify(differentiate("ln(x - 5)", "x")).verified is True  # no real point at all: complex values agree
