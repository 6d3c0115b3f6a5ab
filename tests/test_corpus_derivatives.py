"""The external derivative corpus (../shared/corpora/derivatives.jsonl): our rules, verified against SymPy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPORA, known_failures

from derivsteps.calculus.derivative import differentiate
from derivsteps.cas.verification import verify
from derivsteps.core.errors import DerivError

CORPUS = CORPORA / "derivatives.jsonl"
KNOWN = Path(__file__).parent / "known_failures" / "derivatives.txt"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CORPUS.exists(), reason=f"the shared corpora are not beside the clone ({CORPUS} is missing)"
    ),
]


def _outcome(case: dict) -> str | None:
    """None when the case passes, else why not."""
    try:
        derivation = differentiate(case["expr"], case["wrt"])
    except DerivError as error:
        return f"{type(error).__name__}: {error.message}"
    if any(step.rule == "cas_fallback" for step in derivation.steps):
        return "needed cas_fallback"
    check = verify(derivation)
    if check.verified is not True:
        return f"verified={check.verified}: {check.reason}"
    return None


def test_derivative_corpus():
    cases = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    failures = {case["id"]: why for case in cases if (why := _outcome(case)) is not None}
    known = known_failures(KNOWN)
    passed = len(cases) - len(failures)
    print(f"derivative corpus: {passed} of {len(cases)} pass")
    unexplained = {k: v for k, v in failures.items() if k not in known}
    assert not unexplained, f"failures not in {KNOWN.name}: {unexplained}"
    stale = sorted(set(known) - set(failures))
    assert not stale, f"listed in {KNOWN.name} but passing now (remove them): {stale}"
    assert passed >= 0.99 * len(cases)
