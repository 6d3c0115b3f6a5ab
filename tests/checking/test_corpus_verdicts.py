"""Grading the answer corpus (../shared/corpora/answer_checks.jsonl) gives the recorded verdicts, row by row.

Every pair is one row of kind equiv, as `benchmarks/grade_bench.py --corpus` grades it. The expected verdict, mistake
id and the latest layer allowed to decide each row are in tests/data/answer_corpus_verdicts.json (ids and verdicts
only; the corpus's expressions stay in the corpus). A faster grader must keep every verdict; a row may move only to
an earlier, cheaper layer (then update the file with the new layer, and say so).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPORA

from derivsteps.checking.grading import AnswerRow, grade_rows
from derivsteps.core.vocabulary import Layer

CORPUS = CORPORA / "answer_checks.jsonl"
EXPECTED = Path(__file__).parents[1] / "data" / "answer_corpus_verdicts.json"
LAYERS = [None, *Layer]  # None first: a verdict no layer decided (invalid, inconclusive) stays undecided

pytestmark = pytest.mark.skipif(
    not CORPUS.exists(), reason=f"the shared corpora are not beside the clone ({CORPUS} is missing)"
)


def _rows() -> list[AnswerRow]:
    cases = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        AnswerRow(case["id"], case["teacher"], case.get("wrt") or "x", case["student"], kind="equiv") for case in cases
    ]


def test_every_corpus_row_keeps_its_verdict_and_mistake():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))["rows"]
    rows = _rows()
    assert sorted(row.id for row in rows) == sorted(expected), "the corpus's ids changed: regenerate the file"
    changed, later = [], []
    for graded in grade_rows(rows, jobs=1, row_seconds=0):
        want = expected[graded.id]
        if (graded.verdict, graded.mistake) != (want["verdict"], want["mistake"]):
            changed.append(f"{graded.id}: {want['verdict']}/{want['mistake']} -> {graded.verdict}/{graded.mistake}")
        elif LAYERS.index(graded.decided_by) > LAYERS.index(want["layer"]):
            later.append(f"{graded.id}: decided by {graded.decided_by}, recorded {want['layer']}")
    assert not changed, "verdicts changed:\n" + "\n".join(changed)
    assert not later, "decided by a later layer than recorded:\n" + "\n".join(later)
