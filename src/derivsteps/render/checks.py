"""The layouts of the checks: the checker's Verdict, the equivalence service's Equivalence, a graded row, a summary."""

from __future__ import annotations

from ..cas.equivalence import Equivalence
from ..checking.answers import Verdict as AnswerVerdict
from ..checking.grading import GradedRow, Summary
from .document import STATUS_MARKS, Block, Code, Document, Math, Note, Paragraph, Verdict, Words
from .layouts import register

# How each verdict of the checker and of the equivalence service reads, as a check's status.
_STATUS = {"correct": "verified", "incorrect": "disagrees"}
_EQUIVALENCE_WORDS = {"correct": "equal", "incorrect": "different", "inconclusive": "could not decide"}


def _decided(verdict: str, layer, said: str) -> tuple:
    words = (
        str(verdict)
        + (f" (decided by the {layer} layer)" if layer else "")
        + (f": {said}" if said and said != verdict else "")
    )
    status = _STATUS.get(str(verdict), "undecided")
    return (Verdict(status, (Words(words),), STATUS_MARKS[status]),)


def answer_layout(verdict: AnswerVerdict) -> Document:
    """correct/incorrect/inconclusive/invalid with the deciding layer and the feedback; the expected answer, the
    mistake it shows, and the notes."""
    blocks: list[Block] = [*_decided(verdict.verdict, verdict.decided_by, " ".join(verdict.feedback.split()))]
    if verdict.expected is not None:
        blocks.append(Paragraph((Words("expected: "), Math(verdict.expected))))
    if verdict.mistake:
        blocks.append(Paragraph((Words("mistake: "), Code(verdict.mistake))))
    blocks += [Note((Words(note),)) for note in verdict.notes]
    return Document(tuple(blocks))


def equivalence_layout(equivalence: Equivalence) -> Document:
    """equal/different/could not decide, the deciding layer, the reason, and the notes."""
    words = _EQUIVALENCE_WORDS.get(str(equivalence.verdict), str(equivalence.verdict))
    status = _STATUS.get(str(equivalence.verdict), "undecided")
    said = words + (f" (decided by the {equivalence.decided_by} layer)" if equivalence.decided_by else "")
    said += f": {equivalence.reason}" if equivalence.reason else ""
    blocks: list[Block] = [Verdict(status, (Words(said),), STATUS_MARKS[status])]
    blocks += [Note((Words(note),)) for note in equivalence.notes]
    return Document(tuple(blocks))


def graded_row_layout(row: GradedRow) -> Document:
    """One graded answer: the problem and the answer as typed, the verdict, what was expected, the notes."""
    blocks: list[Block] = [
        Paragraph((Words(f"{row.id}: d/d{row.wrt} "), Code(row.expr), Words(", answer "), Code(row.answer))),
        *_decided(row.verdict, row.decided_by, " ".join(row.feedback.split())),
    ]
    if row.expected:
        blocks.append(Paragraph((Words("expected: "), Code(row.expected))))
    if row.mistake:
        blocks.append(Paragraph((Words("mistake: "), Code(row.mistake))))
    blocks += [Note((Words(note),)) for note in row.notes]
    return Document(tuple(blocks))


def summary_layout(summary: Summary) -> Document:
    """How many answers got each verdict, the most common mistakes, and the speed of the run."""
    counts = ", ".join(f"{verdict} {count}" for verdict, count in summary.verdicts.items() if count)
    blocks: list[Block] = [
        Paragraph((Words(f"{summary.rows} answer{'' if summary.rows == 1 else 's'}: {counts or 'none'}"),))
    ]
    if summary.mistakes:
        said = ", ".join(f"{name} ({count})" for name, count in summary.mistakes)
        blocks.append(Paragraph((Words(f"most common mistakes: {said}"),)))
    speed = summary.answers_per_second
    if speed is not None:
        blocks.append(Paragraph((Words(f"{summary.graded} graded in {summary.seconds:.1f} s ({speed}/s)"),)))
    if summary.interrupted:
        blocks.append(Note((Words("interrupted: the report holds the rows graded so far"),)))
    return Document(tuple(blocks))


register(AnswerVerdict, layout=answer_layout)
register(GradedRow, layout=graded_row_layout)
register(Summary, layout=summary_layout)
register(Equivalence, layout=equivalence_layout)
